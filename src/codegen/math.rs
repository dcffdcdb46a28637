//! Scalar helpers compiled code calls per gang (one call for all lanes),
//! for the one operation with no inline form: the float remainder `%`
//! (fmod is exact only through a loop). It calls the reference evaluator's
//! definition, so the JIT matches it bit for bit.

use crate::abi::GANG;
use crate::eval::{builtins, ops};
use crate::ir::{BinaryOp, Builtin};
use crate::value::Scalar;
use crate::vmath::Precision;

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

/// `kjit_math_f32x8(builtin, x, y, out)`: [`math_f32`] on the `GANG` lanes
/// at `x` and `y`, written to `out`. One call per gang keeps generated code
/// small (compile time) and calls few.
///
/// # Safety
/// `x`, `y` and `out` point at `GANG` readable (writable for `out`) f32s:
/// codegen passes stack slots of exactly that size.
pub unsafe extern "C" fn math_f32_gang(fun: u32, x: *const f32, y: *const f32, out: *mut f32) {
    for lane in 0..GANG {
        // SAFETY: see the function's contract; `lane < GANG`.
        unsafe { *out.add(lane) = math_f32(fun, *x.add(lane), *y.add(lane)) };
    }
}

/// The f64 twin of [`math_f32_gang`].
///
/// # Safety
/// As for [`math_f32_gang`], with f64 lanes.
pub unsafe extern "C" fn math_f64_gang(fun: u32, x: *const f64, y: *const f64, out: *mut f64) {
    for lane in 0..GANG {
        // SAFETY: see the function's contract; `lane < GANG`.
        unsafe { *out.add(lane) = math_f64(fun, *x.add(lane), *y.add(lane)) };
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
        1 => builtins::builtin(builtin, Precision::Precise, &[x]),
        _ => builtins::builtin(builtin, Precision::Precise, &[x, y]),
    }
}

pub fn builtin_code(fun: Builtin) -> u32 {
    Builtin::ALL.iter().position(|b| *b == fun).unwrap_or(0) as u32
}
