//! Scalar helpers compiled code calls per lane, for operations with no
//! inline form yet: transcendentals, float remainder, `round`. Each calls
//! the reference evaluator's definition, so the JIT matches it bit for bit
//! (the vector-maths work replaces these with inline polynomials).

use crate::eval::{builtins, ops};
use crate::ir::{BinaryOp, Builtin};
use crate::value::Scalar;

/// `kjit_math_f32(builtin, x, y)`: builtin number `fun` (its index in
/// `Builtin::ALL`) applied to `x` (and `y` for binary ones).
pub extern "C" fn math_f32(fun: u32, x: f32, y: f32) -> f32 {
    match apply(fun, Scalar::F32(x), Scalar::F32(y)) {
        Scalar::F32(r) => r,
        _ => f32::NAN,
    }
}

pub extern "C" fn math_f64(fun: u32, x: f64, y: f64) -> f64 {
    match apply(fun, Scalar::F64(x), Scalar::F64(y)) {
        Scalar::F64(r) => r,
        _ => f64::NAN,
    }
}

/// Sentinel "builtin number" for the float remainder operator `%`.
pub const REM: u32 = u32::MAX;

fn apply(fun: u32, x: Scalar, y: Scalar) -> Scalar {
    if fun == REM {
        return ops::binary(BinaryOp::Rem, x, y);
    }
    // Codegen only passes indices of `Builtin::ALL`; an index out of range
    // would be a codegen bug, answered with NaN rather than a panic across
    // the FFI boundary.
    let Some(&builtin) = Builtin::ALL.get(fun as usize) else {
        return Scalar::F64(f64::NAN);
    };
    match builtin.arity() {
        1 => builtins::builtin(builtin, &[x]),
        _ => builtins::builtin(builtin, &[x, y]),
    }
}

pub fn builtin_code(fun: Builtin) -> u32 {
    Builtin::ALL.iter().position(|b| *b == fun).unwrap_or(0) as u32
}
