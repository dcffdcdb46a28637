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
use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
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
            return uniform_shift(b, op, ty, x, *amount);
        }
    }
    let y = lanes::varying(b, ty, y);
    if op.is_comparison() {
        return vector_compare(b, op, ty, x, &y);
    }
    let regs = vector_arith(b, op, ty, x, &y);
    // Only these can carry bits past a narrow type's width: `&`, `|`, `^`
    // of two extended values are extended, and `/ %` run at the type's
    // width, lane by lane.
    if matches!(op, Add | Sub | Mul) {
        lanes::normalize(b, ty, regs)
    } else {
        regs
    }
}

/// A vector shift by a uniform amount, taken modulo the type's width (the
/// instruction would take it modulo the lane's width, 32 for a widened
/// narrow type, so the amount is masked here first). `>>` of an extended
/// value needs no renormalization; `<<` does.
fn uniform_shift(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    ty: ScalarType,
    x: &[Value],
    amount: Value,
) -> Vec<Value> {
    let amount = if lanes::is_widened(ty) {
        let masked = b.ins().band_imm_s(amount, ty.bits() as i64 - 1);
        b.ins().uextend(types::I32, masked)
    } else {
        amount
    };
    let regs: Vec<Value> = x
        .iter()
        .map(|&r| match (op, ty.is_signed()) {
            (BinaryOp::Shl, _) => b.ins().ishl(r, amount),
            (_, true) => b.ins().sshr(r, amount),
            (_, false) => b.ins().ushr(r, amount),
        })
        .collect();
    if op == BinaryOp::Shl {
        lanes::normalize(b, ty, regs)
    } else {
        regs
    }
}

/// The arithmetic and bitwise operators on varying registers, before any
/// renormalization of a widened type.
fn vector_arith(
    b: &mut FunctionBuilder,
    op: BinaryOp,
    ty: ScalarType,
    x: &[Value],
    y: &[Value],
) -> Vec<Value> {
    use BinaryOp::*;
    let float = ty.is_float();
    let per_lane = matches!(op, Div | Rem | Shl | Shr) && !float;
    if per_lane {
        return map_lanes(b, &[ty, ty], &[x.to_vec(), y.to_vec()], ty, |b, a| {
            scalar_binary(b, op, ty, a[0], a[1])
        });
    }
    x.iter()
        .zip(y)
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
                // A widened unsigned value is zero-extended, so a signed
                // compare (one `pcmpgtd`) orders it correctly.
                let signed = ty.is_signed() || lanes::is_widened(ty);
                b.ins().icmp(int_cc(op, signed), p, q)
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

pub use super::lanes::int_constant;

pub fn unary(b: &mut FunctionBuilder, op: UnaryOp, ty: ScalarType, x: &Val) -> Val {
    let apply = |b: &mut FunctionBuilder, r: Value, scalar: bool| match (op, ty) {
        (UnaryOp::Neg, t) if t.is_float() => float_neg(b, r),
        (UnaryOp::Neg, _) => b.ins().ineg(r),
        (UnaryOp::Not, ScalarType::Bool) if scalar => b.ins().bxor_imm_s(r, 1),
        (UnaryOp::Not, _) => b.ins().bnot(r),
    };
    match x {
        Val::Uniform(v) => Val::Uniform(apply(b, *v, true)),
        Val::Varying(regs) => {
            let regs = regs.iter().map(|&r| apply(b, r, false)).collect();
            Val::Varying(lanes::normalize(b, ty, regs))
        }
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
        (Kind::Bool, Kind::Int { .. }) if to_bits == 8 => x,
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
        (Kind::Float, Kind::Int { .. }) if to_bits < 32 => {
            // x86 converts to 32 or 64 bits only: saturate to i32, then
            // clamp to the narrow type's range, which is the same value.
            let wide = b.ins().fcvt_to_sint_sat(types::I32, x);
            let clamped = clamp_to(b, to, wide);
            b.ins().ireduce(t, clamped)
        }
        (Kind::Float, Kind::Int { signed: true }) => b.ins().fcvt_to_sint_sat(t, x),
        (Kind::Float, Kind::Int { signed: false }) => b.ins().fcvt_to_uint_sat(t, x),
        (Kind::Float, Kind::Float) if from_bits < to_bits => b.ins().fpromote(t, x),
        (Kind::Float, Kind::Float) => b.ins().fdemote(t, x),
    }
}

/// Integer → integer casts between varying values, which wrap: in 32-bit
/// lanes (widened narrow types, `i32`, `u32`) the low bits are already
/// right and only the target's extension needs restoring; to and from
/// 64-bit lanes, one widening or narrowing. `None` for other pairs.
fn int_vector_cast(
    b: &mut FunctionBuilder,
    from: ScalarType,
    to: ScalarType,
    x: &[Value],
    exact: bool,
) -> Option<Vec<Value>> {
    if !(from.is_int() && to.is_int()) {
        return None;
    }
    let regs = match (from.bits() == 64, to.bits() == 64) {
        (false, false) => x.to_vec(),
        (true, true) => x.to_vec(),
        (true, false) => narrow_pairs(b, x),
        // Extending by the source's signedness gives `as`'s value.
        (false, true) => x
            .iter()
            .flat_map(|&r| {
                if from.is_signed() {
                    [b.ins().swiden_low(r), b.ins().swiden_high(r)]
                } else {
                    [b.ins().uwiden_low(r), b.ins().uwiden_high(r)]
                }
            })
            .collect(),
    };
    let (lo, hi) = from.int_range()?;
    let fits = exact || to.int_range().is_some_and(|(l, h)| l <= lo && hi <= h);
    Some(if fits {
        regs
    } else {
        lanes::normalize(b, to, regs)
    })
}

/// `x` (i32 lanes, scalar or vector) clamped to the range of the narrow
/// integer type `to`.
fn clamp_to(b: &mut FunctionBuilder, to: ScalarType, x: Value) -> Value {
    let (lo, hi) = to.int_range().unwrap_or((i32::MIN.into(), i32::MAX.into()));
    let ty = b.func.dfg.value_type(x);
    let lo = int_constant(b, ty, lo as i64);
    let hi = int_constant(b, ty, hi as i64);
    let above = b.ins().smax(x, lo);
    b.ins().smin(above, hi)
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
/// `exact`: the plan proved the values fit `to` (`BodyPlan::exact_casts`).
pub fn vector_cast(
    b: &mut FunctionBuilder,
    from: ScalarType,
    to: ScalarType,
    x: &[Value],
    exact: bool,
) -> Vec<Value> {
    use ScalarType::*;
    if let Some(regs) = int_vector_cast(b, from, to, x, exact) {
        return regs;
    }
    match (from, to) {
        _ if from == to => x.to_vec(),
        (I8 | I16 | U8 | U16, F32) => x
            .iter()
            .map(|&r| b.ins().fcvt_from_sint(types::F32X4, r))
            .collect(),
        (U32, F32) => x
            .iter()
            .map(|&r| b.ins().fcvt_from_uint(types::F32X4, r))
            .collect(),
        (F32, I8 | I16 | U8 | U16) => x
            .iter()
            .map(|&r| {
                let wide = b.ins().fcvt_to_sint_sat(types::I32X4, r);
                clamp_to(b, to, wide)
            })
            .collect(),
        (F32, U32) => x
            .iter()
            .map(|&r| b.ins().fcvt_to_uint_sat(types::I32X4, r))
            .collect(),
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
        (Bool, I8 | I16 | I32 | U8 | U16 | U32) => {
            let one = b.ins().iconst(types::I32, 1);
            let ones = b.ins().splat(types::I32X4, one);
            x.iter().map(|&r| b.ins().band(r, ones)).collect()
        }
        _ => map_lanes(b, &[from], &[x.to_vec()], to, |b, a| {
            scalar_cast(b, from, to, a[0])
        }),
    }
}
