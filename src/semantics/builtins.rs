//! The builtin functions of kern.
//!
//! In: argument values whose types the verifier has checked against
//! [`Builtin::signature`]. Out: the result, exactly as the language defines
//! it. This file IS the definition; the JIT must match it bit for bit.
//!
//! The transcendentals (`exp` through `cbrt`, and `hypot`) are kjit's own
//! routines in [`crate::vmath`], the same in both engines. `sqrt`,
//! `floor`, `ceil`, `round`, `rint`, `trunc`, `abs`, `copysign` and `fma`
//! are exact and computed in the argument's own type.

use super::ops::{Builtin, Precision};
use super::scalar::type_bug;
use crate::types::{Scalar, ScalarType};
use crate::vmath;

/// Applies `fun` to `args` (as many as its arity; both branches of
/// `select` were already evaluated: builtins are eager).
pub fn builtin(fun: Builtin, precision: Precision, args: &[Scalar]) -> Scalar {
    use Builtin::*;
    match (fun, args) {
        (Abs, &[x]) => abs(x),
        (Min, &[a, b]) => min(a, b),
        (Max, &[a, b]) => max(a, b),
        (Clamp, &[x, lo, hi]) => min(max(x, lo), hi),
        (Select, &[Scalar::Bool(c), a, b]) => {
            if c {
                a
            } else {
                b
            }
        }
        (Sqrt | Floor | Ceil | Round | Trunc | Rint, &[x]) => exact_unary(fun, x),
        (Fma, &[Scalar::F32(a), Scalar::F32(b), Scalar::F32(c)]) => Scalar::F32(a.mul_add(b, c)),
        (Fma, &[Scalar::F64(a), Scalar::F64(b), Scalar::F64(c)]) => Scalar::F64(a.mul_add(b, c)),
        (Copysign, &[x, y]) => copysign(x, y),
        (IsNan | IsInf | IsFinite, &[x]) => float_test(fun, x),
        (Popcount | Clz | Ctz, &[x]) => bit_count(fun, x),
        (ToBits | FromBits, &[x]) => bit_cast(x),
        (
            Exp | Exp2 | Expm1 | Log | Log2 | Log10 | Log1p | Pow | Sin | Cos | Tan | Asin | Acos
            | Atan | Atan2 | Sinh | Cosh | Tanh | Erf | Erfc | Cbrt | Hypot,
            args,
        ) => transcendental(fun, precision, args),
        _ => type_bug("builtin arguments"),
    }
}

/// The routines of [`crate::vmath`], unary or binary.
fn transcendental(fun: Builtin, precision: Precision, args: &[Scalar]) -> Scalar {
    match *args {
        [Scalar::F32(x)] => Scalar::F32(vmath::eval_f32(fun, precision, x, x)),
        [Scalar::F64(x)] => Scalar::F64(vmath::eval_f64(fun, precision, x, x)),
        [Scalar::F32(x), Scalar::F32(y)] => Scalar::F32(vmath::eval_f32(fun, precision, x, y)),
        [Scalar::F64(x), Scalar::F64(y)] => Scalar::F64(vmath::eval_f64(fun, precision, x, y)),
        _ => type_bug("transcendental arguments"),
    }
}

/// `x` with the sign bit of `y`, as a bit operation: a NaN keeps its
/// payload and is not quieted (IEEE 754 `copySign`).
fn copysign(x: Scalar, y: Scalar) -> Scalar {
    const SIGN32: u32 = 1 << 31;
    const SIGN64: u64 = 1 << 63;
    match (x, y) {
        (Scalar::F32(x), Scalar::F32(y)) => Scalar::F32(f32::from_bits(
            (x.to_bits() & !SIGN32) | (y.to_bits() & SIGN32),
        )),
        (Scalar::F64(x), Scalar::F64(y)) => Scalar::F64(f64::from_bits(
            (x.to_bits() & !SIGN64) | (y.to_bits() & SIGN64),
        )),
        _ => type_bug("copysign arguments"),
    }
}

/// `is_nan`, `is_inf` (either sign) and `is_finite` (neither NaN nor
/// infinite; zeros and subnormals are finite).
fn float_test(fun: Builtin, x: Scalar) -> Scalar {
    let (nan, inf) = match x {
        Scalar::F32(v) => (v.is_nan(), v.is_infinite()),
        Scalar::F64(v) => (v.is_nan(), v.is_infinite()),
        _ => type_bug("float test argument"),
    };
    Scalar::Bool(match fun {
        Builtin::IsNan => nan,
        Builtin::IsInf => inf,
        Builtin::IsFinite => !nan && !inf,
        _ => type_bug("float test"),
    })
}

/// Bit counts of an integer's two's complement bits, in its own type:
/// `popcount(-1) == 32` on i32; `clz` and `ctz` of 0 are the bit width
/// (Rust's `leading_zeros` / `trailing_zeros`).
fn bit_count(fun: Builtin, x: Scalar) -> Scalar {
    let count = |v: u64, width: u32| match fun {
        Builtin::Popcount => v.count_ones(),
        // `v` holds the value's bits zero-extended to 64.
        Builtin::Clz => v.leading_zeros() - (64 - width),
        Builtin::Ctz => v.trailing_zeros().min(width),
        _ => type_bug("bit count"),
    };
    let (Some(v), ty) = (x.int_value(), x.ty()) else {
        type_bug("bit count argument")
    };
    // The value's bits, zero-extended to 64 from its own width.
    let width = ty.bits();
    let bits = (v as u64) & (u64::MAX >> (64 - width));
    int(ty, count(bits, width).into())
}

/// `to_bits` / `from_bits`: the same bits seen as the float or the integer
/// of their width. Every pattern maps to itself: NaN payloads and
/// signaling NaNs pass through unchanged.
fn bit_cast(x: Scalar) -> Scalar {
    match x {
        Scalar::F32(v) => Scalar::I32(v.to_bits() as i32),
        Scalar::F64(v) => Scalar::I64(v.to_bits() as i64),
        Scalar::I32(v) => Scalar::F32(f32::from_bits(v as u32)),
        Scalar::I64(v) => Scalar::F64(f64::from_bits(v as u64)),
        _ => type_bug("bit cast argument"),
    }
}

/// Integers: wrapping, so `abs(MIN) == MIN` (and `abs(x) == x` on
/// unsigned types). Floats: clears the sign bit (`abs(-0.0) == 0.0`,
/// `abs(-NaN)` is a positive NaN).
fn abs(x: Scalar) -> Scalar {
    match x {
        Scalar::F32(v) => Scalar::F32(v.abs()),
        Scalar::F64(v) => Scalar::F64(v.abs()),
        Scalar::Bool(_) => type_bug("abs argument"),
        int => match int.int_value() {
            Some(v) => self::int(int.ty(), v.abs()),
            None => type_bug("abs argument"),
        },
    }
}

/// `v` wrapped to integer type `ty`.
fn int(ty: ScalarType, v: i128) -> Scalar {
    Scalar::of_int(ty, v).unwrap_or_else(|| type_bug("integer result"))
}

/// `if a is NaN { b } else if b < a { b } else { a }`: a NaN operand is
/// ignored unless both are NaN, and on a tie (`-0.0` vs `0.0`) the first
/// operand wins. On integers this is the ordinary minimum.
pub fn min(a: Scalar, b: Scalar) -> Scalar {
    pick(
        a,
        b,
        |a, b| is_nan(&a) || b < a,
        |a, b| is_nan(&a) || b < a,
        |a, b| b < a,
    )
}

/// Like [`min`] with `b > a`.
pub fn max(a: Scalar, b: Scalar) -> Scalar {
    pick(
        a,
        b,
        |a, b| is_nan(&a) || b > a,
        |a, b| is_nan(&a) || b > a,
        |a, b| b > a,
    )
}

/// Returns `b` when the test for the operands' type says so, else `a`.
fn pick(
    a: Scalar,
    b: Scalar,
    take_f32: fn(f32, f32) -> bool,
    take_f64: fn(f64, f64) -> bool,
    take_int: fn(i128, i128) -> bool,
) -> Scalar {
    let take_b = match (a, b) {
        (Scalar::F32(x), Scalar::F32(y)) => take_f32(x, y),
        (Scalar::F64(x), Scalar::F64(y)) => take_f64(x, y),
        (x, y) if x.ty() == y.ty() => match (x.int_value(), y.int_value()) {
            (Some(x), Some(y)) => take_int(x, y),
            _ => type_bug("min/max arguments"),
        },
        _ => type_bug("min/max arguments"),
    };
    if take_b {
        b
    } else {
        a
    }
}

/// NaN is the only value unordered with itself.
fn is_nan<T: PartialOrd>(x: &T) -> bool {
    x.partial_cmp(x).is_none()
}

/// Builtins that are exact in either width, computed in the argument's own
/// type. `round` is half away from zero (Rust's `round`), `rint` half to
/// even (IEEE `roundToIntegralTiesToEven`).
fn exact_unary(fun: Builtin, x: Scalar) -> Scalar {
    macro_rules! apply {
        ($v:expr) => {
            match fun {
                Builtin::Sqrt => $v.sqrt(),
                Builtin::Floor => $v.floor(),
                Builtin::Ceil => $v.ceil(),
                Builtin::Round => $v.round(),
                Builtin::Trunc => $v.trunc(),
                Builtin::Rint => $v.round_ties_even(),
                _ => type_bug("exact builtin"),
            }
        };
    }
    // A NaN argument comes back as itself, quieted (IEEE 754, and what the
    // x86 instructions the JIT uses do; the C library's floor and trunc
    // would return a signaling NaN unquieted).
    match x {
        Scalar::F32(v) if v.is_nan() => Scalar::F32(f32::from_bits(v.to_bits() | 0x0040_0000)),
        Scalar::F64(v) if v.is_nan() => {
            Scalar::F64(f64::from_bits(v.to_bits() | 0x0008_0000_0000_0000))
        }
        Scalar::F32(v) => Scalar::F32(apply!(v)),
        Scalar::F64(v) => Scalar::F64(apply!(v)),
        _ => type_bug("exact builtin argument"),
    }
}
