//! The runtime on hand-written kernels (`fakes`): chunking, parallel runs,
//! ordered reduction combine, error selection, zero-filling, and broken
//! plans. Each test runs on every kind of pool.

use super::fakes;
use super::*;
use crate::abi::{ErrorRecord, RunPhaseFn, CHUNK_ELEMS, STATUS_ERROR};
use crate::codegen::CompiledKernel;
use crate::span::Span;

fn pools() -> Vec<Pool> {
    let dedicated = Pool::new(Some(3)).expect("a pool of 3 threads");
    vec![Pool::CallingThread, dedicated, Pool::Global]
}

fn kernel(name: &str) -> CompiledKernel {
    let found = fakes::kernels().into_iter().find(|k| k.name == name);
    found.expect("a fake kernel")
}

fn run(
    kernel: &CompiledKernel,
    pool: &Pool,
    sizes: &[i64],
    args: &[ParamArg],
) -> Result<ScalarResults, RunError> {
    let call = Call {
        signature: &kernel.signature,
        plan: &kernel.plan,
        sizes,
        args,
        outputs_zeroed: false,
        scratch: &ScratchPool::default(),
    };
    // SAFETY: the fakes' plans fit their signatures, and every test passes
    // arrays of exactly the bound shapes, alive for the call.
    unsafe { execute(pool, &call) }
}

/// Reproducible values in [-1, 1), with plenty of rounding in their sums.
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

fn array<T>(data: &mut [T]) -> ParamArg {
    ParamArg::Array(data.as_mut_ptr().cast())
}

#[test]
fn saxpy_over_many_chunks() {
    let saxpy = kernel("saxpy");
    let n = 3 * CHUNK_ELEMS + 5;
    let mut x: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let mut y = vec![1.0f32; n];
    for pool in pools() {
        let mut out = vec![f32::NAN; n];
        let args = [
            ParamArg::Scalar(Scalar::F32(2.0)),
            array(&mut x),
            array(&mut y),
            array(&mut out),
        ];
        run(&saxpy, &pool, &[n as i64], &args).expect("saxpy runs");
        assert!(out
            .iter()
            .enumerate()
            .all(|(i, &v)| v == 2.0 * i as f32 + 1.0));
    }
}

#[test]
fn reduction_combines_partials_in_chunk_order() {
    let total = kernel("total");
    let n = 5 * CHUNK_ELEMS + 3;
    let mut x = noise(n, 7);
    let expected = x
        .chunks(CHUNK_ELEMS)
        .map(|chunk| chunk.iter().fold(0.0f64, |a, &b| a + b))
        .fold(0.0f64, |a, b| a + b);
    for pool in pools() {
        let args = [
            array(&mut x),
            ParamArg::Scalar(Scalar::I64(0)),
            ParamArg::ScalarOutput,
        ];
        let outputs = run(&total, &pool, &[n as i64], &args).expect("total runs");
        assert_eq!(outputs.len(), 1);
        let (param, value) = outputs[0];
        assert_eq!(param, 2);
        assert!(
            value.same_bits(Scalar::F64(expected)),
            "{value} vs {expected}"
        );
    }
}

#[test]
fn empty_domain_gives_the_identity() {
    let total = kernel("total");
    let args = [
        ParamArg::Array(std::ptr::NonNull::<f64>::dangling().as_ptr().cast()),
        ParamArg::Scalar(Scalar::I64(0)),
        ParamArg::ScalarOutput,
    ];
    for pool in pools() {
        let outputs = run(&total, &pool, &[0], &args).expect("an empty sum");
        assert!(outputs[0].1.same_bits(Scalar::F64(0.0)));
    }
}

#[test]
fn lowest_failing_chunk_is_reported() {
    let total = kernel("total");
    let n = 4 * CHUNK_ELEMS;
    let mut x = vec![1.0f64; n];
    // k = -n: every chunk fails, at its first index; chunk 0's is -n.
    // k = 1: only the last chunk fails, at index n.
    for (k, index) in [(-(n as i64), -(n as i64)), (1, n as i64)] {
        for pool in pools() {
            let args = [
                array(&mut x),
                ParamArg::Scalar(Scalar::I64(k)),
                ParamArg::ScalarOutput,
            ];
            let error = run(&total, &pool, &[n as i64], &args).unwrap_err();
            let RunError::OutOfBounds {
                kernel,
                array,
                index: found,
                shape,
                span,
                ..
            } = error
            else {
                panic!("not out of bounds: {error}");
            };
            assert_eq!((kernel.as_str(), array.as_str()), ("total", "x"));
            assert_eq!((found, shape), (vec![index], vec![n]));
            assert_eq!(&fakes::source()[span.range()], "x[i + k]");
        }
    }
}

#[test]
fn outputs_are_zero_filled_when_the_plan_asks() {
    let positive = kernel("positive");
    let (h, w) = (CHUNK_ELEMS / 100, 300);
    let mut m: Vec<f32> = (0..h * w).map(|i| (i % 7) as f32 - 3.0).collect();
    let expected: Vec<f32> = m.iter().map(|&v| v.max(0.0)).collect();
    for pool in pools() {
        let mut out = vec![f32::NAN; h * w];
        let args = [array(&mut m), array(&mut out)];
        run(&positive, &pool, &[h as i64, w as i64], &args).expect("positive runs");
        assert_eq!(out, expected);
    }
}

#[test]
fn phases_run_in_order_and_inout_arrays_update() {
    let fill = kernel("fill");
    let sizes: Vec<&str> = fill
        .signature
        .sizes
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        sizes,
        ["m", "n"],
        "the fake's frame layout assumes this order"
    );
    let mut acc = vec![1.0f32; 3];
    let mut out = vec![0.0f32; CHUNK_ELEMS + 1];
    let args = [
        ParamArg::Scalar(Scalar::F32(0.5)),
        array(&mut acc),
        array(&mut out),
    ];
    run(&fill, &Pool::Global, &[3, out.len() as i64], &args).expect("fill runs");
    assert_eq!(acc, [1.5; 3]);
    assert!(out.iter().all(|&v| v == 0.5));
}

unsafe extern "C" fn wrong_phase_driver(
    frame: *mut u64,
    _arrays: *mut ArrayDesc,
    runtime: *mut c_void,
    run_phase: RunPhaseFn,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: the ABI; the runtime must survive a phase index out of range.
    unsafe { run_phase(runtime, 7, frame, error) }
}

unsafe extern "C" fn unknown_error_driver(
    _frame: *mut u64,
    _arrays: *mut ArrayDesc,
    _runtime: *mut c_void,
    _run_phase: RunPhaseFn,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: the error record is writable.
    unsafe { (*error).kind = 99 };
    STATUS_ERROR
}

#[test]
fn contract_breaches_are_internal_errors() {
    let mut saxpy = kernel("saxpy");
    let mut out = [0.0f32; 2];
    let mut x = [0.0f32; 2];
    let mut y = [0.0f32; 2];
    let args = [
        ParamArg::Scalar(Scalar::F32(1.0)),
        array(&mut x),
        array(&mut y),
        array(&mut out),
    ];
    saxpy.plan.driver = wrong_phase_driver;
    let error = run(&saxpy, &Pool::CallingThread, &[2], &args).unwrap_err();
    assert!(
        error.to_string().contains("ran phase 7 of a plan with 1"),
        "{error}"
    );
    saxpy.plan.driver = unknown_error_driver;
    let error = run(&saxpy, &Pool::CallingThread, &[2], &args).unwrap_err();
    assert!(
        error.to_string().contains("unknown error kind 99"),
        "{error}"
    );
}

#[test]
fn validation_rejects_broken_plans() {
    for kernel in fakes::kernels() {
        assert_eq!(validate_plan(&kernel.signature, &kernel.plan), Ok(()));
    }
    let total = kernel("total");
    let mut plan = total.plan.clone();
    plan.frame.slots = 2;
    let error = validate_plan(&total.signature, &plan).unwrap_err();
    assert!(error.contains("size slots [2]"), "{error}");
    let mut plan = total.plan.clone();
    plan.error_sites[0].array = crate::abi::SiteArray::Param(1);
    let error = validate_plan(&total.signature, &plan).unwrap_err();
    assert!(error.contains("error site 0 names parameter 1"), "{error}");
    let mut plan = total.plan.clone();
    plan.phases[0].rank = crate::abi::MAX_RANK + 1;
    assert!(validate_plan(&total.signature, &plan).is_err());
}

#[test]
fn describe_names_the_line() {
    let error = RunError::OutOfBounds {
        kernel: "k".into(),
        array: "x".into(),
        index: vec![3],
        shape: vec![3],
        span: Span::new(6, 10),
        line_col: None,
    };
    assert_eq!(
        error.describe("line1\nline2 x[i]"),
        "kernel `k`: index [3] is out of bounds for array `x` of shape [3] at 2:1"
    );
    assert!(error.to_string().ends_with("(bytes 6..10)"));
}
