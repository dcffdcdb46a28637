//! The exact semantics of kern's operators and casts, in Cranelift.
//!
//! Every operation has one scalar form (uniform values, and the per-lane
//! fallback) and a vector form that uses a native instruction where one
//! exists and gives the same bits. `crate::semantics` is the definition;
//! differential tests hold the two together. Instructions are chosen from
//! the type's kind and signedness (`ScalarType::kind`), as ISPC does, not
//! listed per type.

use super::lanes::{self, map_lanes, narrow_pairs, Val};
use crate::ir::{BinaryOp, UnaryOp};
use crate::types::{Kind, ScalarType};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, ConstantData, InstBuilder, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// The integer condition of comparison `op` (`bool` is i8 0/1, so
/// `false < true` is an unsigned comparison).
pub fn int_cc(op: BinaryOp, signed: bool) -> IntCC {
    use BinaryOp::*;
    match (op, signed) {
        (Eq, _) => IntCC::Equal,
        (Ne, _) => IntCC::NotEqual,
        (Lt, true) => IntCC::SignedLessThan,
        (Le, true) => IntCC::SignedLessThanOrEqual,
        (Gt, true) => IntCC::SignedGreaterThan,
        (Ge, true) => IntCC::SignedGreaterThanOrEqual,
        (Lt, false) => IntCC::UnsignedLessThan,
        (Le, false) => IntCC::UnsignedLessThanOrEqual,
        (Gt, false) => IntCC::UnsignedGreaterThan,
        (Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
        (Add | Sub | Mul | Div | Rem | And | Or | BitAnd | BitOr | BitXor | Shl | Shr, _) => {
            unreachable!("{} is not a comparison", op.symbol())
        }
    }
}

/// IEEE comparisons: ordered except `!=`, which is true for NaN.
pub fn float_cc(op: BinaryOp) -> FloatCC {
    use BinaryOp::*;
    match op {
        Eq => FloatCC::Equal,
        Ne => FloatCC::NotEqual,
        Lt => FloatCC::LessThan,
        Le => FloatCC::LessThanOrEqual,
        Gt => FloatCC::GreaterThan,
        Ge => FloatCC::GreaterThanOrEqual,
        Add | Sub | Mul | Div | Rem | And | Or | BitAnd | BitOr | BitXor | Shl | Shr => {
            unreachable!("{} is not a comparison", op.symbol())
        }
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
        return match ty.kind() {
            Kind::Float => b.ins().fcmp(float_cc(op), x, y),
            Kind::Bool | Kind::Int { .. } => b.ins().icmp(int_cc(op, ty.is_signed()), x, y),
        };
    }
    let float = ty.is_float();
    match op {
        Add if float => b.ins().fadd(x, y),
        Sub if float => b.ins().fsub(x, y),
        Mul if float => b.ins().fmul(x, y),
        Div if float => b.ins().fdiv(x, y),
        Rem if float => unreachable!("float % is a call, made by the caller"),
        Add => b.ins().iadd(x, y),
        Sub => b.ins().isub(x, y),
        Mul => b.ins().imul(x, y),
        Div => int_div(b, ty, x, y, false),
        Rem => int_div(b, ty, x, y, true),
        BitAnd | And => b.ins().band(x, y),
        BitOr | Or => b.ins().bor(x, y),
        BitXor => b.ins().bxor(x, y),
        // Cranelift takes shift amounts modulo the bit width, as kern does;
        // `>>` is arithmetic on signed integers, logical on unsigned ones.
        Shl => b.ins().ishl(x, y),
        Shr if ty.is_signed() => b.ins().sshr(x, y),
        Shr => b.ins().ushr(x, y),
        Eq | Ne | Lt | Le | Gt | Ge => unreachable!("comparisons returned above"),
    }
}

/// Integer `/` and `%` that never trap: `x / 0 == 0`, `x % 0 == x`, and
/// for signed types `MIN / -1 == MIN`, `MIN % -1 == 0`.
fn int_div(b: &mut FunctionBuilder, ty: ScalarType, x: Value, y: Value, rem: bool) -> Value {
    if !ty.is_signed() {
        return uint_div(b, ty, x, y, rem);
    }
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

/// Unsigned `/` and `%`: only division by zero needs a guard.
fn uint_div(b: &mut FunctionBuilder, ty: ScalarType, x: Value, y: Value, rem: bool) -> Value {
    let t = lanes::scalar_type(ty);
    let zero = b.ins().iconst(t, 0);
    let one = b.ins().iconst(t, 1);
    let is_zero = b.ins().icmp_imm_s(IntCC::Equal, y, 0);
    let safe = b.ins().select(is_zero, one, y);
    if rem {
        let r = b.ins().urem(x, safe);
        b.ins().select(is_zero, x, r)
    } else {
        let q = b.ins().udiv(x, safe);
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
                .map(|&r| match (op, ty.is_signed()) {
                    (Shl, _) => b.ins().ishl(r, *amount),
                    (_, true) => b.ins().sshr(r, *amount),
                    (_, false) => b.ins().ushr(r, *amount),
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
            Div if float => b.ins().fdiv(p, q),
            Add => b.ins().iadd(p, q),
            Sub => b.ins().isub(p, q),
            Mul => b.ins().imul(p, q),
            BitAnd | And => b.ins().band(p, q),
            BitOr | Or => b.ins().bor(p, q),
            BitXor => b.ins().bxor(p, q),
            Div | Rem | Shl | Shr => unreachable!("integer {} runs per lane above", op.symbol()),
            Eq | Ne | Lt | Le | Gt | Ge => unreachable!("comparisons returned above"),
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
                Ge => {
                    let d = b.ins().band_not(q, p);
                    b.ins().bnot(d)
                }
                _ => unreachable!("{} is not a comparison", op.symbol()),
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
                b.ins().icmp(int_cc(op, ty.is_signed()), p, q)
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

/// `-x` on floats as a flip of the sign bit, written as an integer xor so
/// that Cranelift cannot fold it into a following `fma` (`vfnmadd` negates
/// the product, not the operand, and so passes on a NaN operand with its
/// sign unflipped, unlike `semantics`' `(-a).mul_add(b, c)`). Same cost:
/// x86 negates floats with an xor anyway.
fn float_neg(b: &mut FunctionBuilder, x: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    let int_ty = ty.as_int();
    let sign = int_constant(b, int_ty, sign_bit(int_ty));
    let as_int = lanes::bitcast(b, int_ty, x);
    let flipped = b.ins().bxor(as_int, sign);
    lanes::bitcast(b, ty, flipped)
}

/// The sign bit of a lane of `ty`, sign-extended to the i64 that
/// Cranelift's immediates want.
pub fn sign_bit(ty: Type) -> i64 {
    i64::MIN >> (64 - ty.lane_bits())
}

/// `lane` in every lane of the integer type `ty` (vector or scalar). A
/// vector constant comes from the constant pool (one load, folded into the
/// instruction that uses it, as Cranelift's own `fneg` does): a splat would
/// cost two instructions per use in every gang.
pub fn int_constant(b: &mut FunctionBuilder, ty: Type, lane: i64) -> Value {
    if !ty.is_vector() {
        return b.ins().iconst(ty, lane);
    }
    let bytes = ty.lane_bits() as usize / 8;
    let data: Vec<u8> = (0..ty.lane_count())
        .flat_map(|_| lane.to_le_bytes()[..bytes].to_vec())
        .collect();
    let handle = b.func.dfg.constants.insert(ConstantData::from(data));
    b.ins().vconst(ty, handle)
}

pub fn unary(b: &mut FunctionBuilder, op: UnaryOp, ty: ScalarType, x: &Val) -> Val {
    let apply = |b: &mut FunctionBuilder, r: Value, scalar: bool| match (op, ty) {
        (UnaryOp::Neg, t) if t.is_float() => float_neg(b, r),
        (UnaryOp::Neg, _) => b.ins().ineg(r),
        (UnaryOp::Not, ScalarType::Bool) if scalar => b.ins().bxor_imm_s(r, 1),
        (UnaryOp::Not, _) => b.ins().bnot(r),
    };
    match x {
        Val::Uniform(v) => Val::Uniform(apply(b, *v, true)),
        Val::Varying(regs) => Val::Varying(regs.iter().map(|&r| apply(b, r, false)).collect()),
    }
}

/// `to(x)` on a scalar, with kern's rules (`semantics::cast`): float → int
/// truncates and saturates (NaN → 0), int → int wraps, number → bool is
/// `x != 0`. Chosen from the two types' kinds, widths and signedness.
pub fn scalar_cast(b: &mut FunctionBuilder, from: ScalarType, to: ScalarType, x: Value) -> Value {
    if from == to {
        return x;
    }
    let t = lanes::scalar_type(to);
    let (from_bits, to_bits) = (from.bits(), to.bits());
    match (from.kind(), to.kind()) {
        (Kind::Bool, Kind::Bool) => x,
        // bool is 0/1 in an i8: zero-extend it like an unsigned integer.
        (Kind::Bool, Kind::Int { .. }) => b.ins().uextend(t, x),
        (Kind::Bool, Kind::Float) => {
            let wide = b.ins().uextend(types::I32, x);
            b.ins().fcvt_from_sint(t, wide)
        }
        (Kind::Int { .. }, Kind::Bool) => b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
        (Kind::Float, Kind::Bool) => {
            let zero = float_zero(b, from);
            b.ins().fcmp(FloatCC::NotEqual, x, zero)
        }
        (Kind::Int { signed }, Kind::Int { .. }) => match from_bits.cmp(&to_bits) {
            std::cmp::Ordering::Less if signed => b.ins().sextend(t, x),
            std::cmp::Ordering::Less => b.ins().uextend(t, x),
            std::cmp::Ordering::Greater => b.ins().ireduce(t, x),
            std::cmp::Ordering::Equal => x,
        },
        (Kind::Int { signed: true }, Kind::Float) => b.ins().fcvt_from_sint(t, x),
        (Kind::Int { signed: false }, Kind::Float) => b.ins().fcvt_from_uint(t, x),
        (Kind::Float, Kind::Int { signed: true }) => b.ins().fcvt_to_sint_sat(t, x),
        (Kind::Float, Kind::Int { signed: false }) => b.ins().fcvt_to_uint_sat(t, x),
        (Kind::Float, Kind::Float) if from_bits < to_bits => b.ins().fpromote(t, x),
        (Kind::Float, Kind::Float) => b.ins().fdemote(t, x),
    }
}

fn float_zero(b: &mut FunctionBuilder, ty: ScalarType) -> Value {
    if ty.bits() == 32 {
        b.ins().f32const(0.0)
    } else {
        b.ins().f64const(0.0)
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
