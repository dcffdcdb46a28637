//! The out-of-line paths of [`Arith::fallback`](super::Arith::fallback):
//! plain Rust, called per lane, only for lanes whose input is rare enough
//! that inline code for it would cost every other lane (see each variant).

use crate::ir::Builtin;

/// Which out-of-line computation a lane takes. Encoded as a `u32` for the
/// one `extern "C"` entry point codegen calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slow {
    /// The platform-independent `libm` crate's result for the builtin, where
    /// the inline routine's argument reduction gives up: sin, cos and tan of
    /// |x| ≥ 2^30 (f64) or ≥ 1.5·2^21 (f32), which need Payne–Hanek
    /// reduction.
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

/// `slow(x)`. The second operand of [`Arith::fallback`](super::Arith::fallback)
/// is there for binary routines; no slow path uses it today.
pub fn slow_f64(slow: Slow, x: f64, _y: f64) -> f64 {
    match slow {
        Slow::Libm(fun) => libm_f64(fun, x),
    }
}

pub fn slow_f32(slow: Slow, x: f32, _y: f32) -> f32 {
    match slow {
        Slow::Libm(fun) => libm_f32(fun, x),
    }
}

/// The routines that give up on some inputs are sin, cos and tan (huge
/// arguments); nothing else reaches here.
fn libm_f64(fun: Builtin, x: f64) -> f64 {
    match fun {
        Builtin::Sin => libm::sin(x),
        Builtin::Cos => libm::cos(x),
        Builtin::Tan => libm::tan(x),
        _ => f64::NAN,
    }
}

fn libm_f32(fun: Builtin, x: f32) -> f32 {
    match fun {
        Builtin::Sin => libm::sinf(x),
        Builtin::Cos => libm::cosf(x),
        Builtin::Tan => libm::tanf(x),
        _ => f32::NAN,
    }
}
