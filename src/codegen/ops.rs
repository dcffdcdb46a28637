//! The exact semantics of kern's operators and casts, in Cranelift.
//!
//! Every operation has one scalar form (uniform values, and the per-lane
//! fallback) and a vector form that uses a native instruction where one
//! exists and gives the same bits. The reference evaluator
//! (`crate::eval::ops`) is the definition; differential tests hold the two
//! together.

use super::lanes::{self, map_lanes, narrow_pairs, Val};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::ScalarType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;

pub fn int_cc(op: BinaryOp) -> IntCC {
    match op {
        BinaryOp::Eq => IntCC::Equal,
        BinaryOp::Ne => IntCC::NotEqual,
        BinaryOp::Lt => IntCC::SignedLessThan,
        BinaryOp::Le => IntCC::SignedLessThanOrEqual,
        BinaryOp::Gt => IntCC::SignedGreaterThan,
        _ => IntCC::SignedGreaterThanOrEqual,
    }
}

/// IEEE comparisons: ordered except `!=`, which is true for NaN.
pub fn float_cc(op: BinaryOp) -> FloatCC {
    match op {
        BinaryOp::Eq => FloatCC::Equal,
        BinaryOp::Ne => FloatCC::NotEqual,
        BinaryOp::Lt => FloatCC::LessThan,
        BinaryOp::Le => FloatCC::LessThanOrEqual,
        BinaryOp::Gt => FloatCC::GreaterThan,
        _ => FloatCC::GreaterThanOrEqual,
    }
}

/// `bool` is i8 0/1, so `false < true` is an unsigned comparison.
fn bool_cc(op: BinaryOp) -> IntCC {
    match op {
        BinaryOp::Lt => IntCC::UnsignedLessThan,
        BinaryOp::Le => IntCC::UnsignedLessThanOrEqual,
        BinaryOp::Gt => IntCC::UnsignedGreaterThan,
        BinaryOp::Ge => IntCC::UnsignedGreaterThanOrEqual,
        other => int_cc(other),
    }
}

/// `x op y` on scalars of type `ty`, except `Rem` on floats (a call, made
/// by the caller) and `And`/`Or` (short-circuit, made by the caller).
pub fn scalar_binary(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    ty: ScalarType,
    x: Value,
    y: Value,
) -> Value {
    use BinaryOp::*;
    if op.is_comparison() {
        return match ty {
            ScalarType::Bool => b.ins().icmp(bool_cc(op), x, y),
            t if t.is_float() => b.ins().fcmp(float_cc(op), x, y),
            _ => b.ins().icmp(int_cc(op), x, y),
        };
    }
    let float = ty.is_float();
    match op {
        Add if float => b.ins().fadd(x, y),
        Sub if float => b.ins().fsub(x, y),
        Mul if float => b.ins().fmul(x, y),
        Div if float => b.ins().fdiv(x, y),
        Add => b.ins().iadd(x, y),
        Sub => b.ins().isub(x, y),
        Mul => b.ins().imul(x, y),
        Div => int_div(b, ty, x, y, false),
        Rem => int_div(b, ty, x, y, true),
        BitAnd | And => b.ins().band(x, y),
        BitOr | Or => b.ins().bor(x, y),
        BitXor => b.ins().bxor(x, y),
        // Cranelift takes shift amounts modulo the bit width, as kern does.
        Shl => b.ins().ishl(x, y),
        _ => b.ins().sshr(x, y),
    }
}

/// Integer `/` and `%` that never trap: `x / 0 == 0`, `x % 0 == x`,
/// `MIN / -1 == MIN`, `MIN % -1 == 0`.
fn int_div(b: &mut FunctionBuilder, ty: ScalarType, x: Value, y: Value, rem: bool) -> Value {
    let t = lanes::scalar_type(ty);
    let zero = b.ins().iconst(t, 0);
    let one = b.ins().iconst(t, 1);
    let is_zero = b.ins().icmp_imm_s(IntCC::Equal, y, 0);
    let is_minus_one = b.ins().icmp_imm_s(IntCC::Equal, y, -1);
    let special = b.ins().bor(is_zero, is_minus_one);
    let safe = b.ins().select(special, one, y);
    if rem {
        let r = b.ins().srem(x, safe);
        let r = b.ins().select(is_minus_one, zero, r);
        b.ins().select(is_zero, x, r)
    } else {
        let q = b.ins().sdiv(x, safe);
        let negated = b.ins().ineg(x);
        let q = b.ins().select(is_minus_one, negated, q);
        b.ins().select(is_zero, zero, q)
    }
}

/// `x op y` on varying registers (`Rem` on floats and `And`/`Or` excluded,
/// as for [`scalar_binary`]). `y_uniform` is `y` when it is uniform: vector
/// shifts take a scalar amount.
pub fn vector_binary(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    ty: ScalarType,
    x: &[Value],
    y: &Val,
) -> Vec<Value> {
    use BinaryOp::*;
    if matches!(op, Shl | Shr) {
        if let Val::Uniform(amount) = y {
            return x
                .iter()
                .map(|&r| {
                    if op == Shl {
                        b.ins().ishl(r, *amount)
                    } else {
                        b.ins().sshr(r, *amount)
                    }
                })
                .collect();
        }
    }
    let y = lanes::varying(b, ty, y);
    if op.is_comparison() {
        return vector_compare(b, op, ty, x, &y);
    }
    let float = ty.is_float();
    let per_lane = matches!(op, Div | Rem | Shl | Shr) && !float;
    if per_lane {
        return map_lanes(b, &[ty, ty], &[x.to_vec(), y], ty, |b, a| {
            scalar_binary(b, op, ty, a[0], a[1])
        });
    }
    x.iter()
        .zip(&y)
        .map(|(&p, &q)| match op {
            Add if float => b.ins().fadd(p, q),
            Sub if float => b.ins().fsub(p, q),
            Mul if float => b.ins().fmul(p, q),
            Div => b.ins().fdiv(p, q),
            Add => b.ins().iadd(p, q),
            Sub => b.ins().isub(p, q),
            Mul => b.ins().imul(p, q),
            BitAnd | And => b.ins().band(p, q),
            BitOr | Or => b.ins().bor(p, q),
            _ => b.ins().bxor(p, q),
        })
        .collect()
}

/// Lane-wise comparison, as a canonical mask.
fn vector_compare(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    ty: ScalarType,
    x: &[Value],
    y: &[Value],
) -> Vec<Value> {
    use BinaryOp::*;
    if ty == ScalarType::Bool {
        // Masks are 0 / -1; with false < true these are bit identities.
        return x
            .iter()
            .zip(y)
            .map(|(&p, &q)| match op {
                Eq => {
                    let d = b.ins().bxor(p, q);
                    b.ins().bnot(d)
                }
                Ne => b.ins().bxor(p, q),
                Lt => b.ins().band_not(q, p),
                Gt => b.ins().band_not(p, q),
                Le => {
                    let d = b.ins().band_not(p, q);
                    b.ins().bnot(d)
                }
                _ => {
                    let d = b.ins().band_not(q, p);
                    b.ins().bnot(d)
                }
            })
            .collect();
    }
    let raw: Vec<Value> = x
        .iter()
        .zip(y)
        .map(|(&p, &q)| {
            if ty.is_float() {
                b.ins().fcmp(float_cc(op), p, q)
            } else {
                b.ins().icmp(int_cc(op), p, q)
            }
        })
        .collect();
    if lanes::lanes_per_reg(ty) == 2 {
        narrow_pairs(b, &raw)
    } else {
        raw.iter()
            .map(|&r| lanes::bitcast(b, types::I32X4, r))
            .collect()
    }
}

pub fn unary(b: &mut FunctionBuilder, op: UnaryOp, ty: ScalarType, x: &Val) -> Val {
    let apply = |b: &mut FunctionBuilder, r: Value, scalar: bool| match (op, ty) {
        (UnaryOp::Neg, t) if t.is_float() => b.ins().fneg(r),
        (UnaryOp::Neg, _) => b.ins().ineg(r),
        (UnaryOp::Not, ScalarType::Bool) if scalar => b.ins().bxor_imm_s(r, 1),
        (UnaryOp::Not, _) => b.ins().bnot(r),
    };
    match x {
        Val::Uniform(v) => Val::Uniform(apply(b, *v, true)),
        Val::Varying(regs) => Val::Varying(regs.iter().map(|&r| apply(b, r, false)).collect()),
    }
}

/// `to(x)` on a scalar, with kern's rules: float → int truncates and
/// saturates (NaN → 0), number → bool is `x != 0`.
pub fn scalar_cast(b: &mut FunctionBuilder, from: ScalarType, to: ScalarType, x: Value) -> Value {
    use ScalarType::*;
    let t = lanes::scalar_type(to);
    match (from, to) {
        _ if from == to => x,
        (Bool, I32 | I64) => b.ins().uextend(t, x),
        (Bool, F32 | F64) => {
            let wide = b.ins().uextend(types::I32, x);
            b.ins().fcvt_from_sint(t, wide)
        }
        (I32 | I64, Bool) => b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
        (F32, Bool) => {
            let zero = b.ins().f32const(0.0);
            b.ins().fcmp(FloatCC::NotEqual, x, zero)
        }
        (F64, Bool) => {
            let zero = b.ins().f64const(0.0);
            b.ins().fcmp(FloatCC::NotEqual, x, zero)
        }
        (I32, I64) => b.ins().sextend(t, x),
        (I64, I32) => b.ins().ireduce(t, x),
        (I32 | I64, F32 | F64) => b.ins().fcvt_from_sint(t, x),
        (F32 | F64, I32 | I64) => b.ins().fcvt_to_sint_sat(t, x),
        (F32, F64) => b.ins().fpromote(t, x),
        (F64, F32) => b.ins().fdemote(t, x),
        _ => x,
    }
}

/// `to(x)` on varying registers: native where one instruction gives the
/// same bits, per lane otherwise.
pub fn vector_cast(
    b: &mut FunctionBuilder,
    from: ScalarType,
    to: ScalarType,
    x: &[Value],
) -> Vec<Value> {
    use ScalarType::*;
    match (from, to) {
        _ if from == to => x.to_vec(),
        (I32, F32) => x
            .iter()
            .map(|&r| b.ins().fcvt_from_sint(types::F32X4, r))
            .collect(),
        (F32, I32) => x
            .iter()
            .map(|&r| b.ins().fcvt_to_sint_sat(types::I32X4, r))
            .collect(),
        (I32, I64) => x
            .iter()
            .flat_map(|&r| {
                let lo = b.ins().swiden_low(r);
                let hi = b.ins().swiden_high(r);
                [lo, hi]
            })
            .collect(),
        (I64, I32) => narrow_pairs(b, x),
        (Bool, I32) => {
            let one = b.ins().iconst(types::I32, 1);
            let ones = b.ins().splat(types::I32X4, one);
            x.iter().map(|&r| b.ins().band(r, ones)).collect()
        }
        _ => map_lanes(b, &[from], &[x.to_vec()], to, |b, a| {
            scalar_cast(b, from, to, a[0])
        }),
    }
}
