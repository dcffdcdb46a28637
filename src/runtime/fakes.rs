//! Hand-written compiled kernels for testing the runtime and the API without
//! the code generator: Rust `extern "C"` functions that follow the ABI of
//! [`crate::abi`] exactly as generated code must, paired with the plan
//! codegen would hand over. Each computes what its `.kern` source says, so
//! results compare with the reference evaluator.
//!
//! Unlike generated code, chunk functions here are scalar loops; reduction
//! chunks sum in index order.

use crate::abi::*;
use crate::codegen::CompiledKernel;
use crate::semantics::ops::ReduceOp;
use crate::signature::Signature;
use crate::span::Span;
use crate::types::ScalarType;
use std::ffi::c_void;

pub const SAXPY: &str = "kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = a * x[i] + y[i]; }
}";

/// A sum whose reads go out of bounds when `k != 0`.
pub const TOTAL: &str = "kernel total(x: f64[n], k: i64) -> (s: f64) {
    s = sum over i in n { x[i + k] };
}";

/// Writes only some elements, so its output needs zero-filling.
pub const POSITIVE: &str = "kernel positive(m: f32[h, w]) -> (out: f32[h, w]) {
    foreach (r, c) in (h, w) { if m[r, c] > 0.0 { out[r, c] = m[r, c]; } }
}";

/// A size no input fixes, and an `inout` array.
pub const FILL: &str = "kernel fill(v: f32, inout acc: f32[m]) -> (out: f32[n]) {
    foreach i in n { out[i] = v; }
    foreach j in m { acc[j] = acc[j] + v; }
}";

/// All the kernels in one source, as one module.
pub fn source() -> String {
    format!("{SAXPY}\n{TOTAL}\n{POSITIVE}\n{FILL}\n")
}

/// The kernels codegen would produce for [`source`].
pub fn kernels() -> Vec<CompiledKernel> {
    let source = source();
    let ir = crate::compile(&source).expect("the fake kernels check");
    ir.kernels
        .iter()
        .map(|k| {
            let plan = match k.name.as_str() {
                "saxpy" => saxpy_plan(),
                "total" => total_plan(&source),
                "positive" => positive_plan(),
                _ => fill_plan(),
            };
            CompiledKernel {
                name: k.name.clone(),
                signature: Signature::of(k),
                plan,
            }
        })
        .collect()
}

fn layout(slots: usize, param_slots: Vec<Option<usize>>, size_slots: Vec<usize>) -> FrameLayout {
    FrameLayout {
        slots,
        param_slots,
        size_slots,
    }
}

/// Frame: 0 `a`, 1 `n`, 2 the phase extent.
fn saxpy_plan() -> KernelPlan {
    KernelPlan {
        driver: one_phase_driver::<1, 2>,
        frame: layout(3, vec![Some(0), None, None, None], vec![1]),
        phases: vec![PhasePlan {
            chunk: saxpy_chunk,
            rank: 1,
            extent_slots: [2, 0, 0, 0],
            reduction: None,
            chunk_elems: CHUNK_ELEMS,
        }],
        error_sites: Vec::new(),
        zero_init: vec![false; 4],
        swaps: false,
    }
}

/// Frame: 0 `k`, 1 `s` (the reduction writes it directly), 2 `n`, 3 extent.
fn total_plan(source: &str) -> KernelPlan {
    let start = source.find("x[i + k]").unwrap_or(0);
    KernelPlan {
        driver: one_phase_driver::<2, 3>,
        frame: layout(4, vec![None, Some(0), Some(1)], vec![2]),
        phases: vec![PhasePlan {
            chunk: total_chunk,
            rank: 1,
            extent_slots: [3, 0, 0, 0],
            reduction: Some(ReductionPlan {
                op: ReduceOp::Sum,
                ty: ScalarType::F64,
                dst_slot: 1,
                index_slot: None,
            }),
            chunk_elems: CHUNK_ELEMS,
        }],
        error_sites: vec![ErrorSite {
            array: SiteArray::Param(0),
            span: Span::new(start, start + "x[i + k]".len()),
        }],
        zero_init: vec![false; 3],
        swaps: false,
    }
}

/// Frame: 0 `h`, 1 `w`, 2 and 3 the extents.
fn positive_plan() -> KernelPlan {
    KernelPlan {
        driver: positive_driver,
        frame: layout(4, vec![None, None], vec![0, 1]),
        phases: vec![PhasePlan {
            chunk: positive_chunk,
            rank: 2,
            extent_slots: [2, 3, 0, 0],
            reduction: None,
            chunk_elems: CHUNK_ELEMS,
        }],
        error_sites: Vec::new(),
        zero_init: vec![false, true],
        swaps: false,
    }
}

/// Frame: 0 `v`, 1 `m`, 2 `n`, 3 the extent of both phases.
fn fill_plan() -> KernelPlan {
    let phase = |chunk| PhasePlan {
        chunk,
        rank: 1,
        extent_slots: [3, 0, 0, 0],
        reduction: None,
        chunk_elems: CHUNK_ELEMS,
    };
    KernelPlan {
        driver: fill_driver,
        frame: layout(4, vec![Some(0), None, None], vec![1, 2]),
        phases: vec![phase(fill_out_chunk), phase(fill_acc_chunk)],
        error_sites: Vec::new(),
        zero_init: vec![false; 3],
        swaps: false,
    }
}

/// Copies the size in slot `SIZE` to the extent slot `EXTENT`, runs phase 0.
unsafe extern "C" fn one_phase_driver<const SIZE: usize, const EXTENT: usize>(
    frame: *mut u64,
    _arrays: *mut ArrayDesc,
    runtime: *mut c_void,
    run_phase: RunPhaseFn,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: the frame has the plan's slots; the rest is the ABI.
    unsafe {
        *frame.add(EXTENT) = *frame.add(SIZE);
        run_phase(runtime, 0, frame, error)
    }
}

unsafe extern "C" fn positive_driver(
    frame: *mut u64,
    _arrays: *mut ArrayDesc,
    runtime: *mut c_void,
    run_phase: RunPhaseFn,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: as `one_phase_driver`.
    unsafe {
        *frame.add(2) = *frame.add(0);
        *frame.add(3) = *frame.add(1);
        run_phase(runtime, 0, frame, error)
    }
}

/// The element pointer and element count of parameter `p`'s array.
/// Chunks access elements through the raw pointer, one at a time: chunks run
/// concurrently, so none may hold a `&mut` to the whole array.
///
unsafe extern "C" fn fill_driver(
    frame: *mut u64,
    _arrays: *mut ArrayDesc,
    runtime: *mut c_void,
    run_phase: RunPhaseFn,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: as `one_phase_driver`.
    unsafe {
        *frame.add(3) = *frame.add(2);
        if run_phase(runtime, 0, frame, error) != STATUS_OK {
            return STATUS_ERROR;
        }
        *frame.add(3) = *frame.add(1);
        run_phase(runtime, 1, frame, error)
    }
}

/// # Safety
/// `arrays` is the runtime's table, with an entry for parameter `p`.
unsafe fn array<T>(arrays: *const ArrayDesc, p: usize) -> (*mut T, i64) {
    // SAFETY: forwarded.
    let desc = unsafe { *arrays.add(p) };
    (desc.ptr as *mut T, desc.elements())
}

unsafe extern "C" fn saxpy_chunk(
    frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    _partial: *mut LanePartials,
    _error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: the runtime's arrays match the signature; chunk ranges are
    // inside the domain, which is the arrays' extent.
    unsafe {
        let a = f32::from_bits(*frame as u32);
        let ((x, _), (y, _)) = (array::<f32>(arrays, 1), array::<f32>(arrays, 2));
        let (out, _) = array::<f32>(arrays, 3);
        for i in begin as usize..end as usize {
            *out.add(i) = a * *x.add(i) + *y.add(i);
        }
    }
    STATUS_OK
}

unsafe extern "C" fn total_chunk(
    frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    partial: *mut LanePartials,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: as `saxpy_chunk`; reads are bounds-checked like generated code.
    unsafe {
        let k = *frame as i64;
        let (x, len) = array::<f64>(arrays, 0);
        let mut sum = 0.0f64;
        for i in begin..end {
            let j = i.wrapping_add(k);
            if j < 0 || j >= len {
                *error = ErrorRecord {
                    kind: ERROR_OUT_OF_BOUNDS,
                    site: 0,
                    index: [j, 0, 0, 0],
                };
                return STATUS_ERROR;
            }
            sum += *x.add(j as usize);
        }
        // One lane holds the sum; the others stay at +0.0, the identity.
        (*partial).values[0] = sum.to_bits();
    }
    STATUS_OK
}

unsafe extern "C" fn positive_chunk(
    _frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    _partial: *mut LanePartials,
    _error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: as `saxpy_chunk`; `begin..end` are rows.
    unsafe {
        let width = (*arrays).dims[1] as usize;
        let ((m, _), (out, _)) = (array::<f32>(arrays, 0), array::<f32>(arrays, 1));
        for i in begin as usize * width..end as usize * width {
            if *m.add(i) > 0.0 {
                *out.add(i) = *m.add(i);
            }
        }
    }
    STATUS_OK
}

unsafe extern "C" fn fill_out_chunk(
    frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    _partial: *mut LanePartials,
    _error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: as `saxpy_chunk`.
    unsafe {
        let v = f32::from_bits(*frame as u32);
        let (out, _) = array::<f32>(arrays, 2);
        for i in begin as usize..end as usize {
            *out.add(i) = v;
        }
    }
    STATUS_OK
}

unsafe extern "C" fn fill_acc_chunk(
    frame: *const u64,
    arrays: *const ArrayDesc,
    begin: i64,
    end: i64,
    _partial: *mut LanePartials,
    _error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: as `saxpy_chunk`.
    unsafe {
        let v = f32::from_bits(*frame as u32);
        let (acc, _) = array::<f32>(arrays, 1);
        for i in begin as usize..end as usize {
            *acc.add(i) += v;
        }
    }
    STATUS_OK
}
