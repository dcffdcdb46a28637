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
//! Chunk boundaries depend only on the domain's extents ([`Chunking`]);
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

/// Elements per chunk of a 1-D domain (a multiple of [`GANG`]); the chunks
/// of an N-D domain are whole rows (runs of its last dimension), about this
/// many elements each.
pub const CHUNK_ELEMS: usize = 16 * 1024;

/// The most dimensions an array or a domain has: the one place the limit
/// is stated (the front end, `.npy` files and the evaluator read it here).
pub const MAX_RANK: usize = 4;

/// One array argument as compiled code sees it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ArrayDesc {
    pub ptr: *mut u8,
    /// Extent of each dimension; dimensions past the array's rank are 1.
    pub dims: [i64; MAX_RANK],
    /// Distance in elements between neighbours along each dimension; the
    /// last dimension's is 1 (rows are contiguous), and the runtime hands
    /// out row-major arrays, so `strides[d] = dims[d + 1] * strides[d + 1]`.
    /// Element `[i0, .., ik]` is at `ptr + (i0 * strides[0] + .. + ik) *
    /// size_of(elem)`.
    pub strides: [i64; MAX_RANK],
}

impl ArrayDesc {
    pub const NULL: ArrayDesc = ArrayDesc {
        ptr: std::ptr::null_mut(),
        dims: [0; MAX_RANK],
        strides: [0; MAX_RANK],
    };

    /// A row-major descriptor of an array of `shape` at `ptr`.
    pub fn row_major(ptr: *mut u8, shape: &[i64]) -> ArrayDesc {
        let mut dims = [1i64; MAX_RANK];
        let mut strides = [1i64; MAX_RANK];
        dims[..shape.len()].copy_from_slice(shape);
        for d in (0..shape.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1].saturating_mul(dims[d + 1]);
        }
        ArrayDesc { ptr, dims, strides }
    }

    /// Byte offset of descriptor `index` in a table of descriptors.
    pub fn table_offset(index: usize) -> i32 {
        (index * std::mem::size_of::<ArrayDesc>()) as i32
    }

    /// Byte offset of the data pointer in a descriptor.
    pub const PTR_OFFSET: i32 = std::mem::offset_of!(ArrayDesc, ptr) as i32;

    /// Elements described: the product of the dimensions.
    pub fn elements(&self) -> i64 {
        self.dims.iter().product()
    }
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
    pub index: [i64; MAX_RANK],
}

/// `driver(frame, arrays, runtime, run_phase, error) -> status`. The driver
/// may rewrite the table's data pointers (`swap`) between phases.
pub type DriverFn = unsafe extern "C" fn(
    frame: *mut u64,
    arrays: *mut ArrayDesc,
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
/// `begin..end` of an N-D one (row `r` being the `r`-th combination of the
/// outer indices in row-major order). A reduction chunk writes the partial
/// result of each of its lanes to `*partial` ([`LanePartials`]).
pub type ChunkFn = unsafe extern "C" fn(
    frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    partial: *mut LanePartials,
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
/// combine, lane tree) are `crate::semantics::reduce`.
pub use crate::semantics::ops::ReduceOp;
use crate::semantics::reduce::{combine_lanes, Partial, NO_INDEX};

#[derive(Clone, Copy, Debug)]
pub struct ReductionPlan {
    pub op: ReduceOp,
    pub ty: ScalarType,
    /// The frame slot the combined value goes to.
    pub dst_slot: usize,
    /// For `argmin`/`argmax`: the frame slot the chosen element's flat
    /// index goes to (an `i64`).
    pub index_slot: Option<usize>,
}

/// What a reduction chunk writes: each lane's partial result, the value in
/// the frame's slot encoding and, for `argmin`/`argmax`, the flat index of
/// the element it came from. The runtime combines the lanes with the one
/// lane tree of `crate::semantics::reduce::combine_lanes`, so the JIT only
/// runs the in-lane steps.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct LanePartials {
    pub values: [u64; GANG],
    pub indices: [i64; GANG],
}

impl LanePartials {
    /// Byte offset of `indices` (generated code stores there).
    pub const INDICES_OFFSET: i32 = (GANG * 8) as i32;

    /// The chunk's partial result: its lanes decoded and combined by the
    /// lane tree.
    pub fn combined(&self, op: ReduceOp, ty: ScalarType) -> Partial {
        let lanes: Vec<Partial> = (0..GANG)
            .map(|l| Partial {
                value: decode_slot(self.values[l], ty),
                index: if op.tracks_index() {
                    self.indices[l]
                } else {
                    NO_INDEX
                },
            })
            .collect();
        combine_lanes(op, &lanes)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct PhasePlan {
    pub chunk: ChunkFn,
    /// 1 to [`MAX_RANK`].
    pub rank: usize,
    /// Frame slots holding the domain's extents (as `i64`), written by the
    /// driver before it calls `run_phase`; the first `rank` are used.
    pub extent_slots: [usize; MAX_RANK],
    pub reduction: Option<ReductionPlan>,
    /// About how many elements a chunk holds: [`CHUNK_ELEMS`], or fewer
    /// for a `foreach` whose elements each run a loop, so that a domain of
    /// a few thousand heavy elements still spreads over the threads.
    pub chunk_elems: usize,
}

/// Elements per chunk of a `foreach` whose body runs a loop of unknown
/// trip count (a row-wise scan, an O(n) sum per element): at least a few
/// chunks per thread for a domain of a thousand such elements.
pub const LOOPY_CHUNK_ELEMS: usize = 128;

/// Source location of a check that can fail at run time.
#[derive(Clone, Debug)]
pub struct ErrorSite {
    pub array: SiteArray,
    pub span: Span,
}

/// The array a failing check indexes.
#[derive(Clone, Debug, PartialEq)]
pub enum SiteArray {
    /// A kernel array by parameter index (scratch arrays numbered after
    /// the parameters).
    Param(usize),
    /// A local array, whose shape is fixed at compile time.
    Local { name: String, shape: Vec<usize> },
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
    /// Whether the driver may `swap` arrays: only then can an output end
    /// in another buffer, to be copied back after the run.
    pub swaps: bool,
}

/// How a domain is cut into chunks: a pure function of the extents, so the
/// chunk boundaries (and with them the reduction combine order) are the same
/// for every thread count and for both engines. Chunks are computed on
/// demand from their number, never listed: a domain of 10^15 elements has
/// 6 * 10^10 chunks, and a list of them would not fit in memory.
///
/// All arithmetic is exact for every `i64` extent: the chunk count is a
/// quotient rounded up without `outer + per_chunk - 1` (which overflows
/// for extents within `per_chunk` of `i64::MAX`), and a chunk's end is
/// clamped by subtraction, never computed past `outer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunking {
    /// Indices (1-D) or rows (N-D) to cut; 0 for an empty domain.
    outer: i64,
    /// Indices or rows per chunk, at least 1.
    per_chunk: i64,
}

impl Chunking {
    /// The chunking of a domain of `rank` dimensions (the first `rank`
    /// entries of `extents`). Its rows are the combinations of all but the
    /// last index; their count saturates at `i64::MAX`, more than any run
    /// can go through.
    pub fn new(rank: usize, extents: &[i64]) -> Chunking {
        Chunking::sized(rank, extents, CHUNK_ELEMS)
    }

    /// As [`Chunking::new`], with about `elems` elements per chunk (at
    /// least one row): the runtime's choice for a `foreach` whose
    /// elements each run a loop ([`PhasePlan::chunk_elems`]). Reductions
    /// always use [`CHUNK_ELEMS`], which fixes their combine order.
    pub fn sized(rank: usize, extents: &[i64], elems: usize) -> Chunking {
        let elems = elems.max(1) as i64;
        let extents = &extents[..rank.clamp(1, MAX_RANK).min(extents.len())];
        let Some((&inner, outer_dims)) = extents.split_last() else {
            return Chunking {
                outer: 0,
                per_chunk: 1,
            };
        };
        if outer_dims.is_empty() {
            let outer = inner.max(0);
            return Chunking {
                outer,
                per_chunk: elems,
            };
        }
        let empty = inner <= 0 || outer_dims.iter().any(|&e| e <= 0);
        let outer = if empty {
            0
        } else {
            outer_dims
                .iter()
                .fold(1i64, |acc, &e| acc.saturating_mul(e))
        };
        let per_chunk = (elems / inner.max(1)).max(1);
        Chunking { outer, per_chunk }
    }

    /// Number of chunks (`u64`: never negative, and `i64::MAX` rows at one
    /// per chunk is the largest count).
    pub fn count(&self) -> u64 {
        let whole = self.outer / self.per_chunk;
        let partial = i64::from(self.outer % self.per_chunk != 0);
        (whole + partial) as u64
    }

    /// Chunk `k` (`k < count()`) as a `begin..end` range of indices or rows.
    pub fn range(&self, k: u64) -> (i64, i64) {
        debug_assert!(k < self.count());
        // k < count, so k * per_chunk <= outer - 1 fits in an i64.
        let begin = k as i64 * self.per_chunk;
        (begin, begin + self.per_chunk.min(self.outer - begin))
    }

    /// The chunk that holds outer index (or row) `outer`.
    pub fn chunk_of(&self, outer: i64) -> u64 {
        (outer / self.per_chunk) as u64
    }

    /// Every chunk, in order.
    pub fn ranges(self) -> impl Iterator<Item = (i64, i64)> {
        (0..self.count()).map(move |k| self.range(k))
    }
}

/// The chunks of a domain, as `begin..end` ranges (indices for 1-D, rows
/// for 2-D), in order. Depends on the extents only.
pub fn chunk_ranges(rank: usize, extents: &[i64]) -> impl Iterator<Item = (i64, i64)> {
    Chunking::new(rank, extents).ranges()
}

/// Encodes a scalar into a frame slot (see [`Scalar::to_slot`]).
pub fn encode_slot(value: crate::value::Scalar) -> u64 {
    value.to_slot()
}

/// Decodes a frame slot holding a value of type `ty`.
pub fn decode_slot(bits: u64, ty: ScalarType) -> crate::value::Scalar {
    crate::value::Scalar::from_slot(bits, ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rank, extents, chunk count, last chunk's range.
    type Case = (usize, [i64; 2], u64, (i64, i64));

    const CASES: &[Case] = &[
        (1, [0, 1], 0, (0, 0)),
        (1, [-5, 1], 0, (0, 0)),
        (1, [1, 1], 1, (0, 1)),
        (1, [CHUNK_ELEMS as i64, 1], 1, (0, CHUNK_ELEMS as i64)),
        (
            1,
            [CHUNK_ELEMS as i64 + 1, 1],
            2,
            (CHUNK_ELEMS as i64, CHUNK_ELEMS as i64 + 1),
        ),
        // The extremes: `outer + per_chunk - 1` would overflow here.
        (
            1,
            [i64::MAX, 1],
            (i64::MAX as u64).div_ceil(CHUNK_ELEMS as u64),
            (i64::MAX - (i64::MAX % CHUNK_ELEMS as i64), i64::MAX),
        ),
        // 2^63 - 2^14: exactly 2^49 - 1 whole chunks.
        (
            1,
            [i64::MAX - 16383, 1],
            (1 << 49) - 1,
            (i64::MAX - 16383 - 16384, i64::MAX - 16383),
        ),
        (
            1,
            [i64::MAX - 16384, 1],
            (1 << 49) - 1,
            (i64::MAX - 16383 - 16384, i64::MAX - 16384),
        ),
        (
            1,
            [1_000_000_000_000_000, 1],
            61_035_156_250,
            (
                1_000_000_000_000_000 - CHUNK_ELEMS as i64,
                1_000_000_000_000_000,
            ),
        ),
        (
            2,
            [i64::MAX, i64::MAX],
            i64::MAX as u64,
            (i64::MAX - 1, i64::MAX),
        ),
        (
            2,
            [i64::MAX, 1],
            (i64::MAX as u64).div_ceil(CHUNK_ELEMS as u64),
            (i64::MAX - (i64::MAX % CHUNK_ELEMS as i64), i64::MAX),
        ),
        (2, [10, 0], 0, (0, 0)),
        (2, [10, 3], 1, (0, 10)),
        (2, [100_000, 1000], 6250, (99_984, 100_000)),
    ];

    #[test]
    fn chunk_counts_and_last_ranges_at_the_extremes() {
        for &(rank, extents, count, last) in CASES {
            let chunking = Chunking::new(rank, &extents);
            assert_eq!(chunking.count(), count, "{rank} {extents:?}");
            if count > 0 {
                assert_eq!(chunking.range(count - 1), last, "{rank} {extents:?}");
                assert_eq!(chunking.chunk_of(last.1 - 1), count - 1);
                assert_eq!(chunking.range(0).0, 0);
            }
        }
    }

    #[test]
    fn chunks_tile_the_domain_and_chunk_of_agrees() {
        for n in [1, 7, 8, 16383, 16384, 16385, 3 * 16384 + 5] {
            for (rank, extents) in [(1, [n, 1]), (2, [n, 3]), (2, [5, n])] {
                let chunking = Chunking::new(rank, &extents);
                let mut next = 0;
                for (k, (begin, end)) in chunking.ranges().enumerate() {
                    assert_eq!(begin, next);
                    assert!(end > begin);
                    assert_eq!(chunking.chunk_of(begin), k as u64);
                    assert_eq!(chunking.chunk_of(end - 1), k as u64);
                    next = end;
                }
                assert_eq!(next, extents[0]);
            }
        }
    }
}
