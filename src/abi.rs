//! The contract between JIT-compiled code and the runtime: the `extern "C"`
//! signatures of compiled functions, the memory they read and write, and
//! the plan the code generator hands the runtime for each kernel.
//!
//! Codegen produces, per kernel, one *driver* function (the kernel body's
//! uniform code, scalar) and one *chunk* function per phase (vector code
//! over a range of the phase's domain). The runtime calls the driver; the
//! driver calls back into the runtime at each phase, which cuts the domain
//! into chunks and runs the chunk function over them, in parallel.
//!
//! # Memory
//! - The **frame** is an array of `u64` slots holding every uniform value:
//!   scalar parameters, sizes, phase extents, and the kernel body's uniform
//!   locals (scalar outputs and reduction results among them). A value sits
//!   in the low bits of its slot (`f32` as its bit pattern, `bool` as 0/1,
//!   `i32` sign-extended).
//! - **Arrays** are described by an [`ArrayDesc`] per kernel parameter, in
//!   parameter order (scalar parameters get an unused, null entry).
//! - Errors are written to one [`ErrorRecord`]; a function that writes it
//!   returns [`STATUS_ERROR`], otherwise [`STATUS_OK`].
//!
//! # Determinism
//! Chunk boundaries depend only on the domain's extents ([`chunk_ranges`]);
//! reduction partials are combined in chunk order. Results are therefore
//! bit-identical for every thread count.

use crate::span::Span;
use crate::types::ScalarType;
use std::ffi::c_void;

pub const STATUS_OK: u32 = 0;
pub const STATUS_ERROR: u32 = 1;

/// Number of lanes in a gang: every varying value holds this many lanes
/// (spread over as many 128-bit registers as its type needs). Reductions
/// keep this many lane accumulators, which fixes their combine order.
pub const GANG: usize = 8;

/// Elements per chunk of a 1-D domain (a multiple of [`GANG`]); a 2-D
/// domain's chunks are whole rows, about this many elements each.
pub const CHUNK_ELEMS: usize = 16 * 1024;

/// One array argument as compiled code sees it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ArrayDesc {
    pub ptr: *mut u8,
    /// Extent of each dimension; `dims[1]` is 1 for a 1-D array. Row-major:
    /// element `[r, c]` is at `ptr + (r * dims[1] + c) * size_of(elem)`.
    pub dims: [i64; 2],
}

impl ArrayDesc {
    pub const NULL: ArrayDesc = ArrayDesc {
        ptr: std::ptr::null_mut(),
        dims: [0, 0],
    };
}

pub const ERROR_OUT_OF_BOUNDS: u32 = 1;

/// What went wrong in compiled code.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct ErrorRecord {
    /// [`ERROR_OUT_OF_BOUNDS`], or 0 when nothing was recorded.
    pub kind: u32,
    /// Index into [`KernelPlan::error_sites`].
    pub site: u32,
    /// The offending index (unused dimensions are 0).
    pub index: [i64; 2],
}

/// `driver(frame, arrays, runtime, run_phase, error) -> status`
pub type DriverFn = unsafe extern "C" fn(
    frame: *mut u64,
    arrays: *const ArrayDesc,
    runtime: *mut c_void,
    run_phase: RunPhaseFn,
    error: *mut ErrorRecord,
) -> u32;

/// Called by the driver to run phase `phase` of the kernel to completion.
/// The driver has written the phase's extents into the frame; for a
/// reduction the runtime writes the result into its destination slot.
pub type RunPhaseFn = unsafe extern "C" fn(
    runtime: *mut c_void,
    phase: u32,
    frame: *mut u64,
    error: *mut ErrorRecord,
) -> u32;

/// `chunk(frame, arrays, begin, end, partial, error) -> status`: runs the
/// phase body for indices `begin..end` of a 1-D domain, or rows
/// `begin..end` of a 2-D one. A reduction chunk writes its partial result
/// (in the frame's slot encoding) to `*partial`.
pub type ChunkFn = unsafe extern "C" fn(
    frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    partial: *mut u64,
    error: *mut ErrorRecord,
) -> u32;

/// Where each uniform value lives in the frame.
#[derive(Clone, Debug, Default)]
pub struct FrameLayout {
    pub slots: usize,
    /// Slot of each scalar parameter or scalar output, by parameter index
    /// (`None` for arrays).
    pub param_slots: Vec<Option<usize>>,
    /// Slot of each size, by size index (the signature's order).
    pub size_slots: Vec<usize>,
}

/// The language's reduction operators; their scalar semantics (identity,
/// combine) are `crate::semantics::builtins::{reduce_identity, reduce_combine}`.
pub use crate::syntax::ast::ReduceOp;

#[derive(Clone, Copy, Debug)]
pub struct ReductionPlan {
    pub op: ReduceOp,
    pub ty: ScalarType,
    /// The frame slot the combined result goes to.
    pub dst_slot: usize,
}

#[derive(Clone, Copy, Debug)]
pub struct PhasePlan {
    pub chunk: ChunkFn,
    /// 1 or 2.
    pub rank: usize,
    /// Frame slots holding the domain's extents (as `i64`), written by the
    /// driver before it calls `run_phase`.
    pub extent_slots: [usize; 2],
    pub reduction: Option<ReductionPlan>,
}

/// Source location of a check that can fail at run time.
#[derive(Clone, Debug)]
pub struct ErrorSite {
    /// The parameter index of the array read.
    pub param: usize,
    pub span: Span,
}

/// Everything the runtime needs to run one compiled kernel.
#[derive(Clone, Debug)]
pub struct KernelPlan {
    pub driver: DriverFn,
    pub frame: FrameLayout,
    pub phases: Vec<PhasePlan>,
    pub error_sites: Vec<ErrorSite>,
    /// By parameter index: whether an output array must be zero-filled
    /// before the driver runs. False when the kernel provably writes every
    /// element before reading it (its first phase touching the array stores
    /// it unconditionally), which saves a pass over memory.
    pub zero_init: Vec<bool>,
}

/// The chunks of a domain, as `begin..end` ranges (indices for 1-D, rows
/// for 2-D), in order. Depends on the extents only.
pub fn chunk_ranges(rank: usize, extents: [i64; 2]) -> impl Iterator<Item = (i64, i64)> {
    let (outer, per_chunk) = if rank == 1 {
        (extents[0].max(0), CHUNK_ELEMS as i64)
    } else {
        let width = extents[1].max(1);
        (extents[0].max(0), (CHUNK_ELEMS as i64 / width).max(1))
    };
    let empty = rank == 2 && extents[1] <= 0;
    let count = if empty {
        0
    } else {
        (outer + per_chunk - 1) / per_chunk
    };
    (0..count).map(move |k| (k * per_chunk, ((k + 1) * per_chunk).min(outer)))
}

/// Encodes a scalar into a frame slot.
pub fn encode_slot(value: crate::value::Scalar) -> u64 {
    use crate::value::Scalar;
    match value {
        Scalar::Bool(b) => b as u64,
        Scalar::I32(v) => v as i64 as u64,
        Scalar::I64(v) => v as u64,
        Scalar::F32(v) => v.to_bits() as u64,
        Scalar::F64(v) => v.to_bits(),
    }
}

/// Decodes a frame slot holding a value of type `ty`.
pub fn decode_slot(bits: u64, ty: ScalarType) -> crate::value::Scalar {
    use crate::value::Scalar;
    match ty {
        ScalarType::Bool => Scalar::Bool(bits & 1 != 0),
        ScalarType::I32 => Scalar::I32(bits as u32 as i32),
        ScalarType::I64 => Scalar::I64(bits as i64),
        ScalarType::F32 => Scalar::F32(f32::from_bits(bits as u32)),
        ScalarType::F64 => Scalar::F64(f64::from_bits(bits)),
    }
}
