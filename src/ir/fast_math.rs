//! The `--fast-math` rewrite: marks the module for the fast variants of
//! the maths builtins and contracts float `a * b + c` (and `c + a * b`) into
//! one fused multiply-add, which rounds once instead of twice.
//!
//! Both engines run the rewritten module, so the JIT still matches the
//! evaluator bit for bit; the results differ from the precise module's.
//! `a * b - c` is left alone: its fma needs a negated operand, a new node
//! that could not precede its user in the arena.

use super::{Body, Builtin, Constant, Expr, ExprId, Module};
use crate::types::ScalarType;
use crate::vmath::Precision;

/// Applies the rewrite to every kernel and function of `module`. Running
/// it twice changes nothing more.
pub fn fast_math(module: &mut Module) {
    module.precision = Precision::Fast;
    for kernel in &mut module.kernels {
        contract(&mut kernel.body);
    }
    for (_, function) in module.functions.iter_mut() {
        contract(&mut function.body);
    }
}

/// Rewrites each float `Add` with a `Mul` operand in place. The `Mul` node
/// loses its only parent and becomes a constant leaf nothing reads (ids
/// stay stable, so no reference elsewhere moves).
fn contract(body: &mut Body) {
    let ids: Vec<ExprId> = body.exprs.keys().collect();
    for id in ids {
        let node = &body.exprs[id];
        let Expr::Binary {
            op: super::BinaryOp::Add,
            lhs,
            rhs,
        } = node.expr
        else {
            continue;
        };
        if !node.ty.is_float() {
            continue;
        }
        let (product, addend) = match (mul_operands(body, lhs), mul_operands(body, rhs)) {
            (Some(_), _) => (lhs, rhs),
            (None, Some(_)) => (rhs, lhs),
            (None, None) => continue,
        };
        let Some((a, b)) = mul_operands(body, product) else {
            continue;
        };
        let ty = body.exprs[product].ty;
        body.exprs[product].expr = Expr::Const(zero(ty));
        body.exprs[id].expr = Expr::Builtin {
            fun: Builtin::Fma,
            args: vec![a, b, addend],
        };
    }
}

fn mul_operands(body: &Body, id: ExprId) -> Option<(ExprId, ExprId)> {
    match body.exprs[id].expr {
        Expr::Binary {
            op: super::BinaryOp::Mul,
            lhs,
            rhs,
        } if body.exprs[id].ty.is_float() => Some((lhs, rhs)),
        _ => None,
    }
}

fn zero(ty: ScalarType) -> Constant {
    match ty {
        ScalarType::F32 => Constant::F32(0.0),
        _ => Constant::F64(0.0),
    }
}
