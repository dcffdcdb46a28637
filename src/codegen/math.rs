//! The float remainder `%`, the one operation compiled code still calls
//! Rust for (fmod is exact only through a loop): per lane for uniform
//! values, once per gang for varying ones. It calls the definition in
//! `semantics`, the evaluator's too, so the JIT matches it bit for bit.

use crate::abi::GANG;
use crate::ir::BinaryOp;
use crate::semantics::scalar::float_op;

/// `x % y` in f32, as `semantics` defines it.
pub extern "C" fn rem_f32(x: f32, y: f32) -> f32 {
    float_op(BinaryOp::Rem, x, y)
}

/// `x % y` in f64, as `semantics` defines it.
pub extern "C" fn rem_f64(x: f64, y: f64) -> f64 {
    float_op(BinaryOp::Rem, x, y)
}

/// [`rem_f32`] on the `GANG` lanes at `x` and `y`, written to `out`. One
/// call per gang keeps generated code small (compile time) and calls few.
///
/// # Safety
/// `x`, `y` and `out` point at `GANG` readable (writable for `out`) f32s:
/// codegen passes stack slots of exactly that size.
pub unsafe extern "C" fn rem_f32_gang(x: *const f32, y: *const f32, out: *mut f32) {
    for lane in 0..GANG {
        // SAFETY: see the function's contract; `lane < GANG`.
        unsafe { *out.add(lane) = rem_f32(*x.add(lane), *y.add(lane)) };
    }
}

/// The f64 twin of [`rem_f32_gang`].
///
/// # Safety
/// As for [`rem_f32_gang`], with f64 lanes.
pub unsafe extern "C" fn rem_f64_gang(x: *const f64, y: *const f64, out: *mut f64) {
    for lane in 0..GANG {
        // SAFETY: see the function's contract; `lane < GANG`.
        unsafe { *out.add(lane) = rem_f64(*x.add(lane), *y.add(lane)) };
    }
}
