//! The operators of kern on scalar values: unary, binary and casts.
//!
//! In: operand values whose types the verifier has checked. Out: the result
//! value, exactly as the language defines it. This file IS the definition of
//! these operators; the JIT must match it bit for bit.
//!
//! Operands of the wrong type cannot arrive here: `evaluate` verifies the IR
//! first, and the verifier checks every operand type. [`type_bug`] marks the
//! match arms that this rules out.

use super::ops::{BinaryOp, UnaryOp};
use crate::types::{Kind, Scalar, ScalarType};
use std::ops::{Add, Div, Mul, Rem, Sub};

/// Marks a match arm for operand types the verifier rejects: reaching it
/// means an ill-typed IR passed the verifier, a compiler bug.
#[cold]
pub(crate) fn type_bug(what: &str) -> ! {
    unreachable!("semantics: ill-typed {what} passed the IR verifier")
}

/// `-x` wraps on integers (`-MIN == MIN`) and flips the sign bit of floats
/// (so `-0.0` exists and `-NaN` is a NaN). `!x` is logical on bool and
/// bitwise on integers.
pub fn unary(op: UnaryOp, x: Scalar) -> Scalar {
    use Scalar::*;
    match (op, x) {
        (UnaryOp::Neg, F32(v)) => F32(-v),
        (UnaryOp::Neg, F64(v)) => F64(-v),
        (UnaryOp::Not, Bool(v)) => Bool(!v),
        (_, x) => {
            // On integers: `-x` is `0 - x` and `!x` is `x ^ -1`, wrapping,
            // in the type's own width.
            let v = x.int_value().unwrap_or_else(|| type_bug("unary operand"));
            let r = match op {
                UnaryOp::Neg => -v,
                UnaryOp::Not => !v,
            };
            wrap(x.ty(), r)
        }
    }
}

/// Every binary operator on two operands of one type. `&&` and `||` are
/// the plain logical functions here; skipping the right operand when the
/// left decides is the caller's job (`exec`), since it is about evaluation,
/// not about values.
pub fn binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    use Scalar::*;
    if op.is_comparison() {
        return Bool(compare(op, a, b));
    }
    match (a, b) {
        (Bool(x), Bool(y)) => Bool(bool_op(op, x, y)),
        (I8(x), I8(y)) => I8(i8_op(op, x, y)),
        (I16(x), I16(y)) => I16(i16_op(op, x, y)),
        (I32(x), I32(y)) => I32(i32_op(op, x, y)),
        (I64(x), I64(y)) => I64(i64_op(op, x, y)),
        (U8(x), U8(y)) => U8(u8_op(op, x, y)),
        (U16(x), U16(y)) => U16(u16_op(op, x, y)),
        (U32(x), U32(y)) => U32(u32_op(op, x, y)),
        (U64(x), U64(y)) => U64(u64_op(op, x, y)),
        (F32(x), F32(y)) => F32(float_op(op, x, y)),
        (F64(x), F64(y)) => F64(float_op(op, x, y)),
        _ => type_bug("binary operands"),
    }
}

/// IEEE comparisons on floats (NaN is unordered: every comparison with it is
/// false except `!=`); `false < true` on bools; integers by value (so
/// unsigned types compare unsigned).
fn compare(op: BinaryOp, a: Scalar, b: Scalar) -> bool {
    use Scalar::*;
    match (a, b) {
        (Bool(x), Bool(y)) => ordered(op, x, y),
        (F32(x), F32(y)) => ordered(op, x, y),
        (F64(x), F64(y)) => ordered(op, x, y),
        (x, y) if x.ty() == y.ty() => match (x.int_value(), y.int_value()) {
            (Some(x), Some(y)) => ordered(op, x, y),
            _ => type_bug("comparison operands"),
        },
        _ => type_bug("comparison operands"),
    }
}

/// `v` wrapped to integer type `ty`.
fn wrap(ty: ScalarType, v: i128) -> Scalar {
    Scalar::of_int(ty, v).unwrap_or_else(|| type_bug("integer operand"))
}

/// Rust's `PartialOrd` is exactly the IEEE comparison on floats.
fn ordered<T: PartialOrd>(op: BinaryOp, x: T, y: T) -> bool {
    match op {
        BinaryOp::Eq => x == y,
        BinaryOp::Ne => x != y,
        BinaryOp::Lt => x < y,
        BinaryOp::Le => x <= y,
        BinaryOp::Gt => x > y,
        BinaryOp::Ge => x >= y,
        _ => type_bug("comparison operator"),
    }
}

/// `&`, `|`, `^` on bools are logical (both sides evaluated); `&&` and `||`
/// give the same values once evaluated.
fn bool_op(op: BinaryOp, x: bool, y: bool) -> bool {
    match op {
        BinaryOp::And | BinaryOp::BitAnd => x & y,
        BinaryOp::Or | BinaryOp::BitOr => x | y,
        BinaryOp::BitXor => x ^ y,
        _ => type_bug("bool operator"),
    }
}

/// Integer operators for one width. Arithmetic wraps. Division never traps:
/// `x / 0 == 0` and `x % 0 == x`; `wrapping_div`/`wrapping_rem` give
/// `MIN / -1 == MIN` and `MIN % -1 == 0`, truncating toward zero with the
/// remainder taking the dividend's sign. `wrapping_shl`/`wrapping_shr` use
/// the amount modulo the bit width (for a negative amount, its two's
/// complement bits modulo the width; `as u32` keeps them, since every
/// width divides 2^32); `>>` is arithmetic on signed types, logical on
/// unsigned ones. On unsigned types `wrapping_div` and `wrapping_rem` are
/// plain `/` and `%`.
macro_rules! int_op {
    ($name:ident, $t:ty) => {
        fn $name(op: BinaryOp, x: $t, y: $t) -> $t {
            match op {
                BinaryOp::Add => x.wrapping_add(y),
                BinaryOp::Sub => x.wrapping_sub(y),
                BinaryOp::Mul => x.wrapping_mul(y),
                BinaryOp::Div if y == 0 => 0,
                BinaryOp::Div => x.wrapping_div(y),
                BinaryOp::Rem if y == 0 => x,
                BinaryOp::Rem => x.wrapping_rem(y),
                BinaryOp::BitAnd => x & y,
                BinaryOp::BitOr => x | y,
                BinaryOp::BitXor => x ^ y,
                // Truncating to u32 keeps the amount modulo the width, since
                // the width divides 2^32.
                BinaryOp::Shl => x.wrapping_shl(y as u32),
                BinaryOp::Shr => x.wrapping_shr(y as u32),
                _ => type_bug("integer operator"),
            }
        }
    };
}
int_op!(i8_op, i8);
int_op!(i16_op, i16);
int_op!(i32_op, i32);
int_op!(i64_op, i64);
int_op!(u8_op, u8);
int_op!(u16_op, u16);
int_op!(u32_op, u32);
int_op!(u64_op, u64);

/// IEEE-754 arithmetic, round to nearest; `%` is Rust's `%`: fmod, exact,
/// with the dividend's sign.
pub fn float_op<T>(op: BinaryOp, x: T, y: T) -> T
where
    T: Add<Output = T> + Sub<Output = T> + Mul<Output = T> + Div<Output = T> + Rem<Output = T>,
{
    match op {
        BinaryOp::Add => x + y,
        BinaryOp::Sub => x - y,
        BinaryOp::Mul => x * y,
        BinaryOp::Div => x / y,
        BinaryOp::Rem => x % y,
        _ => type_bug("float operator"),
    }
}

/// Converts `x` to `to`. Rust's `as` is the definition for numbers:
/// float → int truncates toward zero and saturates, NaN → 0; int → float
/// and f64 → f32 round to nearest even; int → int wraps (keeps the low
/// bits). bool → number is 0 or 1; number → bool is `x != 0` (so NaN →
/// true).
///
/// Every value goes through [`Wide`], which holds every type's values
/// exactly, so a conversion is decided by the two types' kinds, not by a
/// table of pairs: a new type adds one arm to [`widen`] and one to the
/// final match.
pub fn cast(x: Scalar, to: ScalarType) -> Scalar {
    let w = match (widen(x), to.kind()) {
        (Wide::Bool(b), Kind::Int { .. } | Kind::Float) => Wide::Int(b.into()),
        (Wide::Int(v), Kind::Bool) => Wide::Bool(v != 0),
        (Wide::Float(v), Kind::Bool) => Wide::Bool(v != 0.0),
        (w, _) => w,
    };
    // `as` from i128 wraps to the target width; from f64 it truncates and
    // saturates (NaN → 0); i128 → float rounds once, to nearest even.
    // Saturating a float to an integer type is clamping its truncation to
    // the type's range (what `as` does for each width).
    match (to.kind(), w) {
        (Kind::Bool, Wide::Bool(b)) => Scalar::Bool(b),
        (Kind::Int { .. }, Wide::Int(v)) => wrap(to, v),
        (Kind::Int { .. }, Wide::Float(v)) => {
            let (lo, hi) = to.int_range().unwrap_or_else(|| type_bug("cast"));
            // `as i128` truncates, saturates and sends NaN to 0.
            wrap(to, (v as i128).clamp(lo, hi))
        }
        (Kind::Float, Wide::Int(v)) if to.bits() == 32 => Scalar::F32(v as f32),
        (Kind::Float, Wide::Int(v)) => Scalar::F64(v as f64),
        (Kind::Float, Wide::Float(v)) if to.bits() == 32 => Scalar::F32(v as f32),
        (Kind::Float, Wide::Float(v)) => Scalar::F64(v),
        _ => type_bug("cast"),
    }
}

/// A value of any type, exactly: bool, every integer (i128 holds them
/// all), every float (f64 holds every f32).
#[derive(Clone, Copy)]
enum Wide {
    Bool(bool),
    Int(i128),
    Float(f64),
}

fn widen(x: Scalar) -> Wide {
    match x {
        Scalar::Bool(v) => Wide::Bool(v),
        Scalar::F32(v) => Wide::Float(v.into()),
        Scalar::F64(v) => Wide::Float(v),
        int => Wide::Int(int.int_value().unwrap_or_else(|| type_bug("cast"))),
    }
}
