//! Vector maths: kern's transcendental builtins, each written once as a
//! straight-line (branch-free) sequence of IEEE operations over an abstract
//! [`Arith`], and instantiated twice:
//!
//! - on Rust scalars ([`scalar`]): the reference evaluator's definition of
//!   `exp`, `sin`, ...;
//! - on Cranelift values (`codegen/vmath.rs`): inline SIMD code in the
//!   vector loop, one register of lanes at a time.
//!
//! Every [`Arith`] operation is exactly rounded (`fma` is fused), so both
//! instantiations produce the same bits, and an accuracy test of the scalar
//! form is a test of the JIT. The accuracy of each function against a
//! correctly rounded oracle is measured in `tests/vmath_accuracy.rs` and by
//! `cargo run --release --example ulp_sweep` (every f32 input), and
//! documented in `docs/MATH.md`.
//!
//! Invariants every routine keeps:
//! - no data-dependent control flow: a lane's special case is a `select`;
//!   rare inputs that need a long computation (sin of 1e300) go to
//!   [`Arith::fallback`], which codegen runs out of line only when a lane
//!   of the register needs it;
//! - no tables (a gather per lane costs more than a longer polynomial);
//! - one routine per (function, float type); [`Precision::Fast`] may pick
//!   a shorter polynomial with the looser bound documented in MATH.md.

mod arith;
mod atrig;
mod erf;
mod exp;
pub mod fallback;
mod hyper;
mod hypot;
mod log;
mod pow;
pub mod scalar;
mod trig;
mod util;

pub use crate::semantics::ops::Precision;
pub use arith::Arith;
pub use fallback::Slow;

use crate::semantics::ops::Builtin;

/// Whether `fun` is computed by a routine of this module.
pub fn is_vmath(fun: Builtin) -> bool {
    use Builtin::*;
    matches!(
        fun,
        Exp | Exp2
            | Expm1
            | Log
            | Log2
            | Log10
            | Log1p
            | Pow
            | Sin
            | Cos
            | Tan
            | Asin
            | Acos
            | Atan
            | Atan2
            | Sinh
            | Cosh
            | Tanh
            | Erf
            | Erfc
            | Cbrt
            | Hypot
    )
}

/// `fun(x, y)` in f32 (`y` ignored by unary builtins), as the evaluator
/// defines it.
pub fn eval_f32(fun: Builtin, p: Precision, x: f32, y: f32) -> f32 {
    apply(&mut scalar::Lanes32, fun, p, x, y)
}

/// `fun(x, y)` in f64 (`y` ignored by unary builtins).
pub fn eval_f64(fun: Builtin, p: Precision, x: f64, y: f64) -> f64 {
    apply(&mut scalar::Lanes64, fun, p, x, y)
}

/// `fun(x)` (or `fun(x, y)` for `pow`, `atan2` and `hypot`) on lanes of `a`.
/// `fun` must satisfy [`is_vmath`].
///
/// A NaN result is the positive quiet NaN, whatever NaN the inputs held:
/// which NaN an IEEE operation passes on depends on operand order (x86
/// keeps the first operand's), and a routine's scalar and vector forms may
/// order the operands of a commutative step differently, so without this
/// rule the two engines would disagree on a NaN's sign bit.
pub fn apply<A: Arith>(a: &mut A, fun: Builtin, p: Precision, x: A::F, y: A::F) -> A::F {
    let r = routine(a, fun, p, x, y);
    let nan = a.is_nan(r);
    let canonical = a.fconst(f64::NAN);
    a.fselect(nan, canonical, r)
}

fn routine<A: Arith>(a: &mut A, fun: Builtin, p: Precision, x: A::F, y: A::F) -> A::F {
    use Builtin::*;
    match fun {
        Exp => exp::exp(a, p, x),
        Exp2 => hyper::exp2(a, p, x),
        Expm1 => hyper::expm1(a, p, x),
        Sinh => hyper::sinh(a, p, x),
        Cosh => hyper::cosh(a, p, x),
        Tanh => hyper::tanh(a, p, x),
        Log => log::log(a, p, x),
        Log2 => log::log2(a, p, x),
        Log10 => log::log10(a, p, x),
        Log1p => log::log1p(a, p, x),
        Sin => trig::sin(a, p, x),
        Cos => trig::cos(a, p, x),
        Tan => trig::tan(a, p, x),
        Asin => atrig::asin(a, p, x),
        Acos => atrig::acos(a, p, x),
        Atan => atrig::atan(a, p, x),
        // kern's atan2(y, x), as Rust's y.atan2(x).
        Atan2 => atrig::atan2(a, p, x, y),
        Pow => pow::pow(a, p, x, y),
        Cbrt => pow::cbrt(a, p, x),
        Erf => erf::erf(a, p, x),
        Erfc => erf::erfc(a, p, x),
        // One routine: no cheaper variant would be worth a looser bound.
        Hypot => hypot::hypot(a, x, y),
        Abs | Min | Max | Clamp | Select | Sqrt | Floor | Ceil | Round | Trunc | Fma | Rint
        | Copysign | IsNan | IsInf | IsFinite | Popcount | Clz | Ctz | ToBits | FromBits => {
            unreachable!(
                "{} is not a vector-maths builtin (see `is_vmath`)",
                fun.name()
            )
        }
    }
}
