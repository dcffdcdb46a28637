//! Running one phase: the [`run_phase`] callback the driver calls, chunking,
//! parallel execution, ordered reduction combine and error selection.
//!
//! A phase with one chunk, or a pool of one thread, runs on the calling
//! thread (small inputs never touch the pool). Otherwise every chunk runs as
//! a rayon task and writes its own [`Outcome`]; the outcomes are then read
//! in chunk order, so the combine order and the reported error never depend
//! on scheduling.

use super::Pool;
use crate::abi::{
    encode_slot, ArrayDesc, ChunkFn, Chunking, ErrorRecord, KernelPlan, LanePartials, PhasePlan,
    ReductionPlan, MAX_RANK, STATUS_ERROR, STATUS_OK,
};
use crate::semantics::reduce::{combine, identity, Partial};
use crate::value::Scalar;
use rayon::prelude::*;
use std::any::Any;
use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

/// What `run_phase` needs besides its arguments; the driver carries a
/// pointer to it as its opaque `runtime` argument.
pub(super) struct PhaseContext<'a> {
    plan: &'a KernelPlan,
    /// The descriptor table, which the driver rewrites (`swap`) between
    /// phases: a pointer, not a shared borrow.
    arrays: *const ArrayDesc,
    pool: &'a Pool,
    /// A broken contract noticed while the driver runs (a compiler bug).
    /// Only the driver's thread touches the context, so a `RefCell` will do.
    internal: RefCell<Option<String>>,
}

impl<'a> PhaseContext<'a> {
    pub(super) fn new(plan: &'a KernelPlan, arrays: *const ArrayDesc, pool: &'a Pool) -> Self {
        PhaseContext {
            plan,
            arrays,
            pool,
            internal: RefCell::new(None),
        }
    }

    pub(super) fn take_internal_error(&self) -> Option<String> {
        self.internal.borrow_mut().take()
    }

    fn note_internal_error(&self, message: String) {
        self.internal.borrow_mut().get_or_insert(message);
    }
}

/// Why a phase failed.
enum Failure {
    /// A chunk reported an error (the lowest-numbered failing chunk's).
    Chunk(ErrorRecord),
    Internal(String),
}

/// The [`crate::abi::RunPhaseFn`] handed to every driver.
///
/// # Safety
/// Called only by a driver that [`super::execute`] started: `runtime` is
/// the `PhaseContext` it passed, `frame` the frame it passed (validated
/// against the plan's slots), `error` a writable record.
pub(super) unsafe extern "C" fn run_phase(
    runtime: *mut c_void,
    phase: u32,
    frame: *mut u64,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: the driver hands back the pointer `run_driver` gave it, to a
    // `PhaseContext` that lives on `run_driver`'s stack until the driver
    // returns, and that nothing mutates except through its `RefCell`.
    let context = unsafe { &*(runtime as *const PhaseContext) };
    // No panic may unwind into compiled code; a panic here is a runtime
    // bug, reported as an internal error instead.
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { run(context, phase as usize, frame) }
    }));
    let failure = match result {
        Ok(Ok(())) => return STATUS_OK,
        Ok(Err(failure)) => failure,
        Err(panic) => Failure::Internal(panic_message(panic)),
    };
    match failure {
        // SAFETY: `error` is the driver's error record, valid for writes.
        Failure::Chunk(record) if !error.is_null() => unsafe { *error = record },
        Failure::Chunk(_) => context.note_internal_error("null error record".into()),
        Failure::Internal(message) => context.note_internal_error(message),
    }
    STATUS_ERROR
}

/// Runs phase `phase` to completion and stores its reduction result.
///
/// # Safety
/// As [`run_phase`].
unsafe fn run(context: &PhaseContext, phase: usize, frame: *mut u64) -> Result<(), Failure> {
    let phases = &context.plan.phases;
    let plan = phases.get(phase).ok_or_else(|| {
        Failure::Internal(format!(
            "the driver ran phase {phase} of a plan with {}",
            phases.len()
        ))
    })?;
    // SAFETY: `validate_plan` checked the extent slots against the frame
    // size, and the driver wrote the extents before calling us.
    let extents = unsafe { read_extents(frame, plan) };
    let shared = Shared {
        frame: SharedPtr(frame),
        arrays: SharedPtr(context.arrays),
    };
    let result = run_chunks(context.pool, plan, extents, shared)?;
    if let (Some(reduction), Some(result)) = (plan.reduction, result) {
        // SAFETY: `dst_slot` and `index_slot` are inside the frame
        // (`validate_plan`), and every chunk has finished, so nothing else
        // reads the frame now.
        unsafe {
            *frame.add(reduction.dst_slot) = encode_slot(result.value);
            if let Some(slot) = reduction.index_slot {
                *frame.add(slot) = encode_slot(Scalar::I64(result.index));
            }
        }
    }
    Ok(())
}

/// # Safety
/// `frame` holds the slots `plan.extent_slots` names.
unsafe fn read_extents(frame: *const u64, plan: &PhasePlan) -> [i64; MAX_RANK] {
    let mut extents = [1; MAX_RANK];
    for (e, &s) in extents.iter_mut().zip(&plan.extent_slots).take(plan.rank) {
        // SAFETY: forwarded from this function's contract.
        *e = unsafe { *frame.add(s) } as i64;
    }
    extents
}

/// Chunks handed to the pool at a time. Chunks are run in blocks of this
/// many so that neither the chunk list nor the outcomes of a huge domain
/// (10^15 elements is 6 * 10^10 chunks) are ever held in memory, and so a
/// failure stops the run at the end of its block instead of after every
/// remaining chunk was visited. 1024 chunks of 16 Ki elements keep both
/// threads busy for ~10 ms between joins, so the joins cost nothing.
const BLOCK: u64 = 1024;

/// Runs every chunk of the domain; returns the combined reduction value.
fn run_chunks(
    pool: &Pool,
    plan: &PhasePlan,
    extents: [i64; MAX_RANK],
    shared: Shared,
) -> Result<Option<Partial>, Failure> {
    let mut acc = Accumulator::new(plan.reduction);
    let chunking = Chunking::sized(plan.rank, &extents, plan.chunk_elems);
    let count = chunking.count();
    if count < 2 || pool.threads() < 2 {
        for range in chunking.ranges() {
            // SAFETY: see `Shared`.
            acc.add(unsafe { run_chunk(plan.chunk, shared, range) })?;
        }
        return Ok(acc.value);
    }
    let mut start = 0;
    while start < count {
        let end = start.saturating_add(BLOCK).min(count);
        for outcome in run_parallel(pool, plan.chunk, chunking, start..end, shared) {
            acc.add(outcome.ok_or_else(skipped_without_failure)?)?;
        }
        start = end;
    }
    Ok(acc.value)
}

/// Runs chunks `block` as pool tasks. A chunk after a failed one is skipped
/// (`None`): its result could not matter, since the failure is reported.
/// The lowest failing chunk always runs, because a chunk is skipped only
/// when a lower-numbered one has failed.
fn run_parallel(
    pool: &Pool,
    chunk: ChunkFn,
    chunking: Chunking,
    block: std::ops::Range<u64>,
    shared: Shared,
) -> Vec<Option<Outcome>> {
    let first_failed = AtomicU64::new(u64::MAX);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; (block.end - block.start) as usize];
    pool.install(|| {
        let tasks = outcomes.par_iter_mut().enumerate();
        tasks.for_each(|(i, slot)| {
            let k = block.start + i as u64;
            if k > first_failed.load(Ordering::Relaxed) {
                return;
            }
            // SAFETY: see `Shared`.
            let outcome = unsafe { run_chunk(chunk, shared, chunking.range(k)) };
            if outcome.status != STATUS_OK {
                first_failed.fetch_min(k, Ordering::Relaxed);
            }
            *slot = Some(outcome);
        })
    });
    outcomes
}

fn skipped_without_failure() -> Failure {
    Failure::Internal("a chunk was skipped although no earlier chunk failed".into())
}

/// What one chunk returned.
#[derive(Clone, Copy)]
struct Outcome {
    status: u32,
    partial: LanePartials,
    error: ErrorRecord,
}

/// # Safety
/// See [`Shared`]: the frame and array table of a running call.
unsafe fn run_chunk(chunk: ChunkFn, shared: Shared, (begin, end): (i64, i64)) -> Outcome {
    let mut outcome = Outcome {
        status: STATUS_OK,
        partial: LanePartials::default(),
        error: ErrorRecord::default(),
    };
    // SAFETY: `begin..end` is a chunk of the phase's domain; the frame and
    // table are alive and read-only for the whole phase (see `Shared`); the
    // partial and error pointers point into this chunk's own `outcome`.
    outcome.status = unsafe {
        chunk(
            shared.frame.get(),
            shared.arrays.get(),
            begin,
            end,
            &mut outcome.partial,
            &mut outcome.error,
        )
    };
    outcome
}

/// The reduction's running value, combined in chunk order from the
/// identity, exactly as the reference evaluator would combine the partials.
struct Accumulator {
    reduction: Option<ReductionPlan>,
    value: Option<Partial>,
}

impl Accumulator {
    fn new(reduction: Option<ReductionPlan>) -> Accumulator {
        let value = reduction.map(|r| identity(r.op, r.ty));
        Accumulator { reduction, value }
    }

    /// Folds in the next chunk's outcome, or stops at a failed chunk.
    fn add(&mut self, outcome: Outcome) -> Result<(), Failure> {
        if outcome.status != STATUS_OK {
            return Err(Failure::Chunk(outcome.error));
        }
        if let (Some(r), Some(acc)) = (self.reduction, self.value) {
            let partial = outcome.partial.combined(r.op, r.ty);
            self.value = Some(combine(r.op, acc, partial));
        }
        Ok(())
    }
}

/// The frame and the array table, shared by every chunk task of a phase.
///
/// Sharing them across threads is sound: both outlive the phase (they
/// belong to the `execute` call that is blocked in the driver until the
/// phase returns); nobody writes the frame or the table while chunks run
/// (the runtime writes the reduction result only after all chunks joined);
/// and the array memory behind the table is written only at each chunk's
/// own indices — the language's race-freedom rules (checked by sema and
/// `ir::verify`) let an index store only to its own element of output and
/// `inout` arrays, and let no phase read an element another index stores.
/// The array pointers come from slices that outlive the call and whose
/// lengths match the bound shapes (checked by `bind` before any compiled
/// code runs).
#[derive(Clone, Copy)]
struct Shared {
    frame: SharedPtr<u64>,
    arrays: SharedPtr<ArrayDesc>,
}

/// A raw pointer that may cross threads; see [`Shared`] for why that is
/// sound here. Read it through [`SharedPtr::get`], so closures capture the
/// wrapper (which is `Sync`) rather than its field (which is not).
#[derive(Clone, Copy)]
struct SharedPtr<T>(*const T);

// SAFETY: see `Shared`: the pointee outlives every task and is not written
// through this pointer while tasks run.
unsafe impl<T> Send for SharedPtr<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SharedPtr<T> {}

impl<T> SharedPtr<T> {
    fn get(self) -> *const T {
        self.0
    }
}

fn panic_message(panic: Box<dyn Any + Send>) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned());
    format!(
        "panic while running a phase: {}",
        text.unwrap_or_else(|| "(no message)".into())
    )
}
