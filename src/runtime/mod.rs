//! The runtime: runs a compiled kernel's [`KernelPlan`] on bound arguments.
//!
//! In: a kernel's [`Signature`] and [`KernelPlan`] (from codegen), a
//! [`Pool`], and a [`Call`]: sizes resolved by `signature::bind*` and one
//! [`ParamArg`] per parameter. Out: the scalar outputs, or a [`RunError`].
//!
//! [`execute`] builds the frame (scalar inputs and sizes in their slots) and
//! the [`ArrayDesc`] table, zero-fills the output arrays the plan asks for,
//! and calls the driver. The driver calls back into `run_phase`
//! once per phase, which cuts the domain into chunks
//! ([`abi::Chunking`]) and runs them: on the calling thread when there
//! is one chunk or one thread, on the pool otherwise.
//!
//! Holds:
//! - **Deterministic results.** Chunk boundaries depend only on the
//!   extents, and reduction partials are combined in chunk order, so every
//!   thread count gives bit-identical results; when chunks fail, the error
//!   of the lowest-numbered failing chunk is reported.
//! - **No IR here**: the runtime sees a kernel through its signature and
//!   plan only.
//! - `unsafe` is confined to [`execute`]'s call of the driver and to
//!   `phase` (calls of chunk functions, the frame and error pointers); each
//!   block says why it is sound.

mod error;
mod phase;
mod scratch;
mod validate;

#[cfg(test)]
pub(crate) mod fakes;
#[cfg(test)]
mod tests;

pub use error::{out_of_bounds_diagnostic, LineCol, RunError};
pub use scratch::ScratchPool;
pub use validate::validate_plan;

use crate::abi::{self, ArrayDesc, ErrorRecord, KernelPlan, MAX_RANK};
use crate::signature::{Role, Signature};
use crate::value::Scalar;
use phase::PhaseContext;
use std::ffi::c_void;

/// Where phases run. Built once per compiled program, never per call.
pub enum Pool {
    /// Everything on the calling thread (`threads: Some(1)`).
    CallingThread,
    /// Rayon's global pool (`threads: None`), or the pool the caller is
    /// already running in, as rayon's parallel iterators do.
    Global,
    /// A pool of its own (`threads: Some(n)`, n > 1).
    Dedicated(rayon::ThreadPool),
}

impl Pool {
    /// The pool `Options::threads` asks for; `Some(0)` counts as `Some(1)`.
    pub fn new(threads: Option<usize>) -> Result<Pool, rayon::ThreadPoolBuildError> {
        match threads {
            None => Ok(Pool::Global),
            Some(0 | 1) => Ok(Pool::CallingThread),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("kjit-worker-{i}"))
                .build()
                .map(Pool::Dedicated),
        }
    }

    /// How many threads run chunks.
    pub fn threads(&self) -> usize {
        match self {
            Pool::CallingThread => 1,
            Pool::Global => rayon::current_num_threads(),
            Pool::Dedicated(pool) => pool.current_num_threads(),
        }
    }

    /// Runs `f` where this pool's parallel iterators should run.
    fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match self {
            Pool::Dedicated(pool) => pool.install(f),
            Pool::CallingThread | Pool::Global => f(),
        }
    }
}

/// One parameter's argument, as the runtime passes it on.
#[derive(Clone, Copy, Debug)]
pub enum ParamArg {
    /// A scalar input.
    Scalar(Scalar),
    /// The first element of an array (input, `inout` or output).
    Array(*mut u8),
    /// A scalar output: it lives in the frame and is read back after the run.
    ScalarOutput,
}

/// A call whose arguments have been checked against the signature.
pub struct Call<'a> {
    pub signature: &'a Signature,
    pub plan: &'a KernelPlan,
    /// The value of every size, indexed like [`Signature::sizes`].
    pub sizes: &'a [i64],
    /// One argument per parameter, indexed like [`Signature::params`].
    pub args: &'a [ParamArg],
    /// Output arrays hold zeros already (freshly allocated), so the plan's
    /// `zero_init` requests can be skipped.
    pub outputs_zeroed: bool,
    /// Where the kernel's scratch arrays come from and go back to.
    pub scratch: &'a ScratchPool,
}

/// The scalar outputs of a run: `(parameter index, value)` in parameter
/// order. Empty (and unallocated) for a kernel without scalar outputs.
pub type ScalarResults = Vec<(usize, Scalar)>;

/// Frames and array tables up to these sizes live on the stack: a call
/// allocates nothing here unless a phase has several chunks.
const INLINE_SLOTS: usize = 64;
const INLINE_PARAMS: usize = 16;

/// Runs `call` to completion.
///
/// # Safety
/// - `call.plan` was produced by codegen for `call.signature` (its
///   function pointers follow the ABI of [`crate::abi`]) and passed
///   [`validate_plan`], and the code it points to is still alive.
/// - `call.sizes` and `call.args` passed `signature::bind_sizes` (kinds,
///   dtypes and shapes agree), and each [`ParamArg::Array`] points to an
///   allocation holding exactly the elements its shape (from the sizes)
///   says, valid for reads, and for writes if the parameter is an output or
///   `inout` array, for the whole call.
/// - No output or `inout` array overlaps any other array argument.
pub unsafe fn execute(pool: &Pool, call: &Call) -> Result<ScalarResults, RunError> {
    with_buffer::<u64, INLINE_SLOTS, _>(call.plan.frame.slots, 0, |frame| {
        fill_frame(call, frame);
        let entries = call.args.len() + call.signature.scratch.len();
        with_buffer::<ArrayDesc, INLINE_PARAMS, _>(entries, ArrayDesc::NULL, |arrays| {
            fill_arrays(call, arrays);
            let _scratch = scratch::Scratch::allocate(call, arrays)?;
            if !call.outputs_zeroed {
                // SAFETY: the table was just built from the call's arrays,
                // whose lengths and writability the caller vouches for.
                unsafe { zero_outputs(call, arrays) };
            }
            // SAFETY: forwarded from this function's contract.
            let run = unsafe { run_driver(pool, call, frame, arrays) };
            // SAFETY: the driver has returned; the table holds the call's
            // arrays and live scratch buffers, permuted only by `swap`s of
            // arrays of one type and shape (the verifier's rule).
            unsafe { scratch::restore_swapped(call, arrays) };
            run?;
            Ok(read_scalar_outputs(call, frame))
        })
    })
}

/// Calls the driver with a phase context pointing at this call's arrays.
///
/// # Safety
/// As [`execute`]; `frame` and `arrays` are the call's frame and table.
unsafe fn run_driver(
    pool: &Pool,
    call: &Call,
    frame: &mut [u64],
    arrays: &mut [ArrayDesc],
) -> Result<(), RunError> {
    let context = PhaseContext::new(call.plan, arrays.as_ptr(), pool);
    let mut error = ErrorRecord::default();
    let runtime = &context as *const PhaseContext as *mut c_void;
    // SAFETY: `frame` has `plan.frame.slots` slots and `arrays` one entry
    // per parameter, describing memory the caller guarantees (see
    // `execute`); both outlive the driver, which returns before we touch
    // them again. `runtime` points at `context`, alive on this stack frame
    // for the whole call, and `run_phase` only reads it through a shared
    // reference. The driver's code is alive by the plan's contract.
    let status = unsafe {
        (call.plan.driver)(
            frame.as_mut_ptr(),
            arrays.as_mut_ptr(),
            runtime,
            phase::run_phase,
            &mut error,
        )
    };
    if let Some(message) = context.take_internal_error() {
        return Err(RunError::Internal(message));
    }
    if status == abi::STATUS_OK {
        Ok(())
    } else {
        Err(RunError::from_record(
            call.signature,
            call.plan,
            call.sizes,
            error,
        ))
    }
}

/// Scalar inputs and sizes into their slots; everything else stays 0,
/// which is the encoding of every type's zero (scalar outputs start there).
fn fill_frame(call: &Call, frame: &mut [u64]) {
    let layout = &call.plan.frame;
    for (slot, arg) in layout.param_slots.iter().zip(call.args) {
        if let (Some(slot), ParamArg::Scalar(value)) = (slot, arg) {
            frame[*slot] = abi::encode_slot(*value);
        }
    }
    for (&slot, &size) in layout.size_slots.iter().zip(call.sizes) {
        frame[slot] = size as u64;
    }
}

/// One descriptor per parameter: arrays get their pointer, dims and
/// row-major strides, scalars the null entry.
fn fill_arrays(call: &Call, arrays: &mut [ArrayDesc]) {
    let size = |s: usize| call.sizes.get(s).copied().unwrap_or(0);
    for ((desc, arg), param) in arrays.iter_mut().zip(call.args).zip(&call.signature.params) {
        if let (ParamArg::Array(ptr), Some(dims)) = (arg, &param.dims) {
            // On the stack: this runs on every call (the call overhead of a
            // small kernel is a few hundred nanoseconds).
            let mut shape = [0i64; MAX_RANK];
            for (extent, &s) in shape.iter_mut().zip(dims) {
                *extent = size(s);
            }
            *desc = ArrayDesc::row_major(*ptr, &shape[..dims.len().min(MAX_RANK)]);
        }
    }
}

/// Zero-fills the output arrays the plan does not prove fully written.
///
/// # Safety
/// `arrays` describes writable memory of exactly the product of `dims`
/// elements per output array (see [`execute`]).
unsafe fn zero_outputs(call: &Call, arrays: &[ArrayDesc]) {
    let params = call.signature.params.iter().zip(&call.plan.zero_init);
    for ((param, &zero), desc) in params.zip(arrays) {
        if param.role == Role::Output && zero && !desc.ptr.is_null() {
            let elems = desc.elements() as usize;
            // SAFETY: the array holds `elems` elements of
            // `byte_size` bytes each and is writable (it is an output);
            // all-zero bytes are the zero of every element type.
            unsafe { std::ptr::write_bytes(desc.ptr, 0, elems * param.elem.byte_size()) };
        }
    }
}

fn read_scalar_outputs(call: &Call, frame: &[u64]) -> ScalarResults {
    let params = call
        .signature
        .params
        .iter()
        .zip(&call.plan.frame.param_slots);
    params
        .enumerate()
        .filter(|(_, (param, _))| param.role == Role::Output && param.dims.is_none())
        .filter_map(|(index, (param, slot))| {
            let bits = frame[(*slot)?];
            Some((index, abi::decode_slot(bits, param.elem)))
        })
        .collect()
}

/// Runs `f` on `len` copies of `fill`: on the stack when `len <= N`, else
/// on the heap.
fn with_buffer<T: Copy, const N: usize, R>(
    len: usize,
    fill: T,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    if len <= N {
        let mut inline = [fill; N];
        f(&mut inline[..len])
    } else {
        f(&mut vec![fill; len])
    }
}
