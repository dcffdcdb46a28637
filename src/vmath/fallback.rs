//! The out-of-line paths of [`Arith::fallback`](super::Arith::fallback):
//! plain Rust, called per lane, only for lanes whose input is rare enough
//! that inline code for it would cost every other lane (see each variant).

use crate::ir::Builtin;

/// Which out-of-line computation a lane takes. Encoded as a `u32` for the
/// one `extern "C"` entry point codegen calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slow {
    /// The platform-independent `libm` crate's result for the builtin (used
    /// where the inline routine's argument reduction gives up, e.g. sin of
    /// |x| ≥ 2^20·π/2, which needs Payne–Hanek reduction).
    Libm(Builtin),
}

impl Slow {
    pub fn code(self) -> u32 {
        let index = |b: Builtin| Builtin::ALL.iter().position(|&x| x == b).unwrap_or(0) as u32;
        match self {
            Slow::Libm(b) => index(b),
        }
    }

    pub fn from_code(code: u32) -> Option<Slow> {
        let builtin = *Builtin::ALL.get((code & 0xff) as usize)?;
        match code >> 8 {
            0 => Some(Slow::Libm(builtin)),
            _ => None,
        }
    }
}

pub fn slow_f64(slow: Slow, x: f64, y: f64) -> f64 {
    match slow {
        Slow::Libm(fun) => libm_f64(fun, x, y),
    }
}

pub fn slow_f32(slow: Slow, x: f32, y: f32) -> f32 {
    match slow {
        Slow::Libm(fun) => libm_f32(fun, x, y),
    }
}

fn libm_f64(fun: Builtin, x: f64, y: f64) -> f64 {
    use Builtin::*;
    match fun {
        Exp => libm::exp(x),
        Exp2 => libm::exp2(x),
        Expm1 => libm::expm1(x),
        Log => libm::log(x),
        Log2 => libm::log2(x),
        Log10 => libm::log10(x),
        Log1p => libm::log1p(x),
        Pow => libm::pow(x, y),
        Sin => libm::sin(x),
        Cos => libm::cos(x),
        Tan => libm::tan(x),
        Asin => libm::asin(x),
        Acos => libm::acos(x),
        Atan => libm::atan(x),
        Atan2 => libm::atan2(x, y),
        Sinh => libm::sinh(x),
        Cosh => libm::cosh(x),
        Tanh => libm::tanh(x),
        Erf => libm::erf(x),
        Erfc => libm::erfc(x),
        Cbrt => libm::cbrt(x),
        _ => f64::NAN,
    }
}

fn libm_f32(fun: Builtin, x: f32, y: f32) -> f32 {
    use Builtin::*;
    match fun {
        Exp => libm::expf(x),
        Exp2 => libm::exp2f(x),
        Expm1 => libm::expm1f(x),
        Log => libm::logf(x),
        Log2 => libm::log2f(x),
        Log10 => libm::log10f(x),
        Log1p => libm::log1pf(x),
        Pow => libm::powf(x, y),
        Sin => libm::sinf(x),
        Cos => libm::cosf(x),
        Tan => libm::tanf(x),
        Asin => libm::asinf(x),
        Acos => libm::acosf(x),
        Atan => libm::atanf(x),
        Atan2 => libm::atan2f(x, y),
        Sinh => libm::sinhf(x),
        Cosh => libm::coshf(x),
        Tanh => libm::tanhf(x),
        Erf => libm::erff(x),
        Erfc => libm::erfcf(x),
        Cbrt => libm::cbrtf(x),
        _ => f32::NAN,
    }
}
