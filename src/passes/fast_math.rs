//! The `--fast-math` rewrite: marks the module for the fast variants of
//! the maths builtins and contracts float `a * b + c` (and `c + a * b`) into
//! one fused multiply-add, which rounds once instead of twice.
//!
//! Both engines run the rewritten module, so the JIT still matches the
//! evaluator bit for bit; the results differ from the precise module's.
//! `a * b - c` is left alone: its fma needs a negated operand, a new node
//! that could not precede its user in the arena.

use crate::ir::rewrite::operands_mut;
use crate::ir::{BinaryOp, Block, Body, Builtin, Expr, ExprId, Module, StmtKind};
use crate::semantics::Precision;
use cranelift_entity::{EntityRef, PrimaryMap};

/// Applies the rewrite to every kernel and function of `module`. Running
/// it twice changes nothing more.
pub fn fast_math(module: &mut Module) {
    module.precision = Precision::Fast;
    for kernel in &mut module.kernels {
        contract(&mut kernel.body);
    }
    for (_, function) in module.functions.iter_mut() {
        let remap = contract(&mut function.body);
        function.result = remap[function.result.index()].unwrap_or(function.result);
    }
}

/// Rewrites each float `Add` with a `Mul` operand into an `Fma` of the
/// product's operands, then drops the product nodes (no parent uses them
/// any more) and renumbers the arena. Returns the old → new id map.
fn contract(body: &mut Body) -> Vec<Option<ExprId>> {
    let mut dropped = vec![false; body.exprs.len()];
    let ids: Vec<ExprId> = body.exprs.keys().collect();
    for id in ids {
        let node = &body.exprs[id];
        let Expr::Binary {
            op: BinaryOp::Add,
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
        dropped[product.index()] = true;
        body.exprs[id].expr = Expr::Builtin {
            fun: Builtin::Fma,
            args: vec![a, b, addend],
        };
    }
    compact(body, &dropped)
}

/// Removes the `dropped` nodes, keeping the others in order (so operands
/// still precede their users), and renumbers every reference.
fn compact(body: &mut Body, dropped: &[bool]) -> Vec<Option<ExprId>> {
    let old = std::mem::replace(&mut body.exprs, PrimaryMap::new());
    let mut remap: Vec<Option<ExprId>> = vec![None; old.len()];
    for (id, mut node) in old {
        if dropped[id.index()] {
            continue;
        }
        for operand in operands_mut(&mut node.expr) {
            *operand = remap[operand.index()].unwrap_or(*operand);
        }
        remap[id.index()] = Some(body.exprs.push(node));
    }
    renumber_block(&mut body.block, &remap);
    remap
}

fn renumber_block(block: &mut Block, remap: &[Option<ExprId>]) {
    let fix = |id: &mut ExprId| *id = remap[id.index()].unwrap_or(*id);
    for stmt in block {
        match &mut stmt.kind {
            StmtKind::Assign { value, .. } => fix(value),
            StmtKind::Store { index, value, .. } | StmtKind::LocalStore { index, value, .. } => {
                index.iter_mut().for_each(fix);
                fix(value);
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                fix(cond);
                renumber_block(then_block, remap);
                renumber_block(else_block, remap);
            }
            StmtKind::For {
                start, end, body, ..
            } => {
                fix(start);
                fix(end);
                renumber_block(body, remap);
            }
            StmtKind::While { cond, body } => {
                fix(cond);
                renumber_block(body, remap);
            }
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Swap { .. }
            | StmtKind::DeclareArray { .. } => {}
            StmtKind::Foreach { domain, body } => {
                domain.extents.iter_mut().for_each(fix);
                renumber_block(body, remap);
            }
            StmtKind::Reduce {
                domain,
                body,
                value,
                ..
            } => {
                domain.extents.iter_mut().for_each(fix);
                renumber_block(body, remap);
                fix(value);
            }
        }
    }
}

fn mul_operands(body: &Body, id: ExprId) -> Option<(ExprId, ExprId)> {
    match body.exprs[id].expr {
        Expr::Binary {
            op: BinaryOp::Mul,
            lhs,
            rhs,
        } if body.exprs[id].ty.is_float() => Some((lhs, rhs)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(source: &str) -> Module {
        let mut module = crate::compile(source).expect("checks");
        fast_math(&mut module);
        crate::ir::verify(&module).expect("the rewrite keeps the IR valid");
        module
    }

    fn fma_count(module: &Module) -> usize {
        let body = &module.kernels[0].body;
        body.exprs
            .values()
            .filter(|e| {
                matches!(
                    e.expr,
                    Expr::Builtin {
                        fun: Builtin::Fma,
                        ..
                    }
                )
            })
            .count()
    }

    #[test]
    fn contracts_products_on_either_side_of_a_float_add() {
        let module = fast(
            "kernel k(a: f32, x: f32[n], y: f64[n]) -> (o: f32[n], p: f64[n]) {\n\
             foreach i in n { o[i] = a * x[i] + 1.0; p[i] = 2.0 + y[i] * y[i]; }\n}\n",
        );
        assert_eq!(module.precision, Precision::Fast);
        assert_eq!(fma_count(&module), 2);
    }

    #[test]
    fn leaves_integers_subtractions_and_lone_products_alone() {
        let module = fast(
            "kernel k(x: f32[n], m: i32[n]) -> (o: f32[n], q: i32[n]) {\n\
             foreach i in n { o[i] = x[i] * x[i] - 1.0 + x[i]; q[i] = m[i] * m[i] + 1; }\n}\n",
        );
        assert_eq!(fma_count(&module), 0);
    }

    #[test]
    fn running_twice_changes_nothing_more() {
        let source = "kernel k(x: f64[n]) -> (o: f64[n]) {\n\
                      foreach i in n { o[i] = (x[i] * 2.0 + 1.0) * x[i] + 3.0; }\n}\n";
        let mut module = fast(source);
        assert_eq!(fma_count(&module), 2);
        let once = crate::ir::dump_module(&module);
        fast_math(&mut module);
        assert_eq!(crate::ir::dump_module(&module), once);
    }
}
