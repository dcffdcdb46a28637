//! Kernel scratch arrays and `swap`: the buffers the runtime allocates for a
//! call, and putting the final contents of swapped outputs where the caller
//! expects them.
//!
//! Scratch buffers are `u64` words (8-byte aligned, enough for every
//! element type) kept in a per-kernel [`ScratchPool`] between calls, so a
//! kernel called in a loop allocates (and page-faults) them once.

use super::{Call, RunError};
use crate::abi::{ArrayDesc, MAX_RANK};
use crate::signature::Role;
use std::sync::Mutex;

/// Scratch buffers kept between calls of one kernel. Calls running at once
/// each take their own buffers; what is left over returns here.
#[derive(Default)]
pub struct ScratchPool {
    free: Mutex<Vec<Vec<u64>>>,
}

/// The most buffers a pool keeps between calls: enough for every scratch
/// array of a few calls at once, without holding memory forever.
const KEEP: usize = 16;

impl ScratchPool {
    fn take(&self) -> Vec<u64> {
        // A poisoned lock only means another call panicked while holding
        // it; the buffers are plain memory, still usable.
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        free.pop().unwrap_or_default()
    }

    fn give_back(&self, buffers: Vec<Vec<u64>>) {
        // Most kernels have no scratch array: no lock on their call path.
        if buffers.is_empty() {
            return;
        }
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        for buffer in buffers {
            if free.len() < KEEP {
                free.push(buffer);
            }
        }
    }
}

/// The scratch buffers of one call, returned to the pool when dropped.
pub(super) struct Scratch<'a> {
    pool: &'a ScratchPool,
    buffers: Vec<Vec<u64>>,
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.buffers));
    }
}

impl<'a> Scratch<'a> {
    /// One buffer per scratch array of the call, each described in
    /// `table` after the parameters' descriptors; zero-filled where the
    /// plan asks (a reused buffer holds the last call's values).
    pub(super) fn allocate(call: &Call<'a>, table: &mut [ArrayDesc]) -> Result<Self, RunError> {
        let mut scratch = Scratch {
            pool: call.scratch,
            buffers: Vec::new(),
        };
        if call.signature.scratch.is_empty() {
            return Ok(scratch);
        }
        scratch.buffers.reserve_exact(call.signature.scratch.len());
        let first = call.signature.params.len();
        let shapes = call.signature.scratch_shapes(call.sizes);
        for (k, (array, shape)) in call.signature.scratch.iter().zip(shapes).enumerate() {
            // `bind_sizes` checked that the byte count fits.
            let bytes = shape.iter().product::<usize>() * array.elem.byte_size();
            let words = bytes.div_ceil(8);
            let mut buffer = call.scratch.take();
            buffer.clear();
            if buffer.try_reserve_exact(words).is_err() {
                return Err(RunError::OutOfMemory {
                    kernel: call.signature.name.clone(),
                    array: array.name.clone(),
                    shape,
                });
            }
            // Scratch arrays start at zero, like outputs; after `clear`
            // every word is new, so a reused buffer is zeroed too.
            buffer.resize(words, 0);
            let mut dims = [0i64; MAX_RANK];
            for (d, &e) in dims.iter_mut().zip(&shape) {
                *d = e as i64;
            }
            let ptr = buffer.as_mut_ptr() as *mut u8;
            table[first + k] = ArrayDesc::row_major(ptr, &dims[..shape.len().min(MAX_RANK)]);
            scratch.buffers.push(buffer);
        }
        Ok(scratch)
    }
}

/// After the driver: every output and `inout` array whose name a `swap`
/// left on another buffer gets that buffer's contents copied into the
/// caller's memory. Contents that sit in another caller buffer are saved
/// first, since that buffer may itself be overwritten.
///
/// # Safety
/// `table` is the call's descriptor table after the driver ran: every
/// pointer in it is a caller array or a live scratch buffer of the shape
/// the descriptor says, and swaps only exchanged arrays of one element type
/// and shape.
pub(super) unsafe fn restore_swapped(call: &Call, table: &[ArrayDesc]) {
    if !call.plan.swaps {
        return;
    }
    let original = |p: usize| match call.args.get(p) {
        Some(super::ParamArg::Array(ptr)) => Some(*ptr),
        _ => None,
    };
    let moved: Vec<usize> = (0..call.signature.params.len())
        .filter(|&p| matches!(call.signature.params[p].role, Role::Output | Role::InOut))
        .filter(|&p| original(p).is_some_and(|ptr| ptr != table[p].ptr))
        .collect();
    if moved.is_empty() {
        return;
    }
    let bytes = |p: usize| table[p].elements() as usize * call.signature.params[p].elem.byte_size();
    let is_caller_buffer = |ptr: *mut u8| moved.iter().any(|&q| original(q) == Some(ptr));
    // Contents parked in a caller buffer another copy will overwrite.
    let saved: Vec<Option<Vec<u8>>> = moved
        .iter()
        .map(|&p| {
            is_caller_buffer(table[p].ptr).then(|| {
                // SAFETY: the pointer addresses `bytes(p)` readable bytes
                // (this function's contract).
                unsafe { std::slice::from_raw_parts(table[p].ptr, bytes(p)) }.to_vec()
            })
        })
        .collect();
    for (&p, saved) in moved.iter().zip(&saved) {
        let Some(dst) = original(p) else { continue };
        let src = saved
            .as_ref()
            .map_or(table[p].ptr as *const u8, |v| v.as_ptr());
        // SAFETY: `dst` is the caller's writable output or `inout` buffer
        // of `bytes(p)` bytes; `src` is a scratch buffer (never a
        // destination) or a saved copy, of the same size, so the ranges do
        // not overlap.
        unsafe { std::ptr::copy_nonoverlapping(src, dst, bytes(p)) };
    }
}
