//! Code generation checked against the reference evaluator, through a
//! minimal sequential runner (the real runtime, with threads and the
//! library API, is tested in `tests/`). Every kernel runs at lengths around
//! the gang and chunk sizes, so full gangs, tail gangs and several chunks
//! are all exercised.

use crate::abi::{self, ArrayDesc, ErrorRecord, KernelPlan, STATUS_OK};
use crate::semantics::reduce;
use crate::signature::{bind, Role};
use crate::value::{Args, Array, ArrayData, Outputs, Scalar, Value};
use std::ffi::c_void;

struct Runner<'p> {
    plan: &'p KernelPlan,
    arrays: Vec<ArrayDesc>,
}

unsafe extern "C" fn run_phase(
    runtime: *mut c_void,
    phase: u32,
    frame: *mut u64,
    error: *mut ErrorRecord,
) -> u32 {
    // SAFETY: `runtime` is the `Runner` passed to the driver below, alive for
    // the whole call; `frame` is its frame.
    let runner = unsafe { &*(runtime as *const Runner) };
    let plan = &runner.plan.phases[phase as usize];
    let frame_slice = unsafe { std::slice::from_raw_parts_mut(frame, runner.plan.frame.slots) };
    let extents: Vec<i64> = plan.extent_slots[..plan.rank]
        .iter()
        .map(|&s| frame_slice[s] as i64)
        .collect();
    let mut acc = plan.reduction.map(|r| reduce::identity(r.op, r.ty));
    for (begin, end) in abi::chunk_ranges(plan.rank, &extents) {
        let mut partial = abi::LanePartials::default();
        let status = unsafe {
            (plan.chunk)(
                frame,
                runner.arrays.as_ptr(),
                begin,
                end,
                &mut partial,
                error,
            )
        };
        if status != STATUS_OK {
            return status;
        }
        if let (Some(r), Some(a)) = (plan.reduction, acc) {
            acc = Some(reduce::combine(r.op, a, partial.combined(r.op, r.ty)));
        }
    }
    if let (Some(r), Some(a)) = (plan.reduction, acc) {
        frame_slice[r.dst_slot] = abi::encode_slot(a.value);
        if let Some(slot) = r.index_slot {
            frame_slice[slot] = abi::encode_slot(Scalar::I64(a.index));
        }
    }
    STATUS_OK
}

fn data_ptr(data: &mut ArrayData) -> *mut u8 {
    data.as_mut_ptr()
}

/// Compiles `source` and runs `kernel` on `args`, sequentially.
pub fn run(source: &str, kernel: &str, args: &Args) -> Result<Outputs, String> {
    let module = crate::compile(source).map_err(|d| format!("{d:?}"))?;
    let options = crate::options::Options {
        verify_codegen: true,
        ..Default::default()
    };
    let compiled = super::compile(&module, &options).map_err(|e| e.to_string())?;
    let k = compiled
        .kernels
        .iter()
        .find(|k| k.name == kernel)
        .ok_or("no kernel")?;
    if !k.signature.scratch.is_empty() {
        // This runner builds a table of the parameters only; scratch arrays
        // and swaps need the runtime (tests/jit_diff.rs runs them).
        return Err("scratch arrays need the runtime".into());
    }
    let bound = bind(&k.signature, args).map_err(|e| e.to_string())?;
    let mut frame = vec![0u64; k.plan.frame.slots];
    let mut arrays: Vec<Array> = Vec::new();
    for (i, p) in k.signature.params.iter().enumerate() {
        match (args.values.get(&p.name), &p.dims) {
            (Some(Value::Scalar(s)), None) => {
                frame[k.plan.frame.param_slots[i].unwrap_or(0)] = abi::encode_slot(*s);
                arrays.push(Array::from_vec(Vec::<i32>::new()));
            }
            (Some(Value::Array(a)), Some(_)) => arrays.push(a.clone()),
            (_, Some(_)) => {
                arrays.push(Array::zeros(p.elem, bound.shapes[i].clone()).ok_or("alloc")?)
            }
            _ => arrays.push(Array::from_vec(Vec::<i32>::new())),
        }
    }
    for (s, &slot) in k.plan.frame.size_slots.iter().enumerate() {
        frame[slot] = bound.sizes[s] as u64;
    }
    let descs = arrays
        .iter_mut()
        .map(|a| {
            let shape: Vec<i64> = a.shape.iter().map(|&d| d as i64).collect();
            ArrayDesc::row_major(data_ptr(&mut a.data), &shape)
        })
        .collect();
    let mut runner = Runner {
        plan: &k.plan,
        arrays: descs,
    };
    let mut error = ErrorRecord::default();
    let status = unsafe {
        (k.plan.driver)(
            frame.as_mut_ptr(),
            runner.arrays.as_mut_ptr(),
            &runner as *const Runner as *mut c_void,
            run_phase,
            &mut error,
        )
    };
    if status != STATUS_OK {
        let site = &k.plan.error_sites[error.site as usize];
        return Err(format!(
            "out of bounds: array {:?} index {:?} at {:?}",
            site.array, error.index, site.span
        ));
    }
    let mut values = Vec::new();
    for (i, (p, a)) in k.signature.params.iter().zip(arrays).enumerate() {
        match (p.role, &p.dims) {
            (Role::Input, _) => {}
            (_, Some(_)) => values.push((p.name.clone(), Value::Array(a))),
            (_, None) => {
                let slot = k.plan.frame.param_slots[i].unwrap_or(0);
                values.push((
                    p.name.clone(),
                    Value::Scalar(abi::decode_slot(frame[slot], p.elem)),
                ));
            }
        }
    }
    Ok(Outputs { values })
}

/// JIT and evaluator agree exactly (NaN equal to NaN), or both fail.
fn check(source: &str, kernel: &str, args: &Args) {
    let module = crate::compile(source).expect("test kernel checks");
    let expected = crate::eval::evaluate(&module, kernel, args);
    let got = run(source, kernel, args);
    match (expected, got) {
        (Ok(e), Ok(g)) => {
            for (name, value) in &e.values {
                let other = g
                    .get(name)
                    .unwrap_or_else(|| panic!("JIT lacks output {name}"));
                assert!(
                    same(value, other),
                    "{kernel}: output {name} differs\nreference {value:?}\njit       {other:?}"
                );
            }
        }
        (Err(_), Err(_)) => {}
        (e, g) => panic!("{kernel}: reference {e:?}, jit {g:?}"),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    let bits = |s: Scalar| match s {
        Scalar::F32(x) if x.is_nan() => u64::MAX,
        Scalar::F64(x) if x.is_nan() => u64::MAX,
        other => abi::encode_slot(other),
    };
    match (a, b) {
        (Value::Scalar(x), Value::Scalar(y)) => bits(*x) == bits(*y),
        (Value::Array(x), Value::Array(y)) => {
            x.shape == y.shape
                && (0..x.data.len()).all(|i| x.data.get(i).map(bits) == y.data.get(i).map(bits))
        }
        _ => false,
    }
}

const LENGTHS: [usize; 9] = [0, 1, 7, 8, 9, 19, 16383, 16385, 40000];

fn f32s(n: usize, seed: u32) -> Array {
    Array::from_vec(
        (0..n)
            .map(|i| {
                ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 2000) as f32 / 100.0
                    - 10.0
            })
            .collect::<Vec<f32>>(),
    )
}

#[test]
fn saxpy_matches_at_every_length() {
    let src = "kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) { foreach i in n { out[i] = a * x[i] + y[i]; } }";
    for n in LENGTHS {
        check(
            src,
            "saxpy",
            &Args::new()
                .scalar("a", 2.5f32)
                .array("x", f32s(n, 1))
                .array("y", f32s(n, 2)),
        );
    }
}

#[test]
fn divergent_control_flow_matches() {
    let src = "kernel k(x: f32[n], m: i32) -> (out: i32[n], y: f32[n]) {
        foreach i in n {
            let k = 0;
            let z = x[i];
            while k < m && z < 100.0 {
                z = z * 1.5 + 1.0;
                k += 1;
                if z > 50.0 && k % 2 == 0 { continue; }
                if i64(k) > i % 7 { break; }
            }
            if z > 3.0 { y[i] = z; } else { y[i] = -z; }
            out[i] = k;
        }
    }";
    for n in LENGTHS {
        check(
            src,
            "k",
            &Args::new().array("x", f32s(n, 3)).scalar("m", 20i32),
        );
    }
}

#[test]
fn reductions_match_bit_for_bit() {
    let src = "kernel r(x: f32[n]) -> (s: f32, lo: f32, hi: f32, c: i64) {
        s = sum over i in n { x[i] * 0.1 };
        lo = min over i in n { x[i] };
        hi = max over i in n { x[i] };
        c = sum over i in n { i64(x[i] > 0.0) };
    }";
    for n in LENGTHS {
        check(src, "r", &Args::new().array("x", f32s(n, 4)));
    }
}

#[test]
fn stencils_gathers_and_2d_match() {
    let src = "kernel blur(img: f32[h, w]) -> (out: f32[h, w]) {
        foreach (r, c) in (h, w) {
            if r == 0 || c == 0 || r == h - 1 || c == w - 1 {
                out[r, c] = img[r, c];
            } else {
                let s = 0.0;
                for dr in -1..=1 { for dc in -1..=1 { s += img[r + dr, c + dc]; } }
                out[r, c] = s / 9.0;
            }
        }
    }";
    for (h, w) in [(0, 0), (1, 1), (3, 9), (17, 23), (5, 4000)] {
        let img = Array::new(vec![h, w], f32s(h * w, 5).data).expect("shape");
        check(src, "blur", &Args::new().array("img", img));
    }
    let gather = "kernel g(x: f64[n], k: i64) -> (out: f64[n]) { foreach i in n { out[i] = x[(i * 7 + k) % n] + x[n - 1 - i]; } }";
    for n in [1, 9, 100, 16385] {
        let x = Array::from_vec((0..n).map(|i| i as f64 * 0.5).collect::<Vec<f64>>());
        check(gather, "g", &Args::new().array("x", x).scalar("k", 3i64));
    }
}

#[test]
fn out_of_range_reads_fail_in_both() {
    let src = "kernel k(x: f32[n]) -> (out: f32[n]) { foreach i in n { out[i] = x[i + 1]; } }";
    check(src, "k", &Args::new().array("x", f32s(10, 1)));
    let src = "kernel k(x: f32[n]) -> (out: f32[n]) { foreach i in n { if i < n - 1 { out[i] = x[i + 1]; } } }";
    for n in LENGTHS {
        check(src, "k", &Args::new().array("x", f32s(n, 1)));
    }
}

/// Every example kernel, with its default inputs but sizes shrunk to
/// lengths around the gang and chunk sizes.
#[test]
fn example_kernels_match() {
    use crate::inputs::{self, Defaults};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/kernels");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("kernels/")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path).expect("readable");
        let module = crate::compile(&source).expect("example checks");
        let defaults = Defaults::parse(&source).expect("defaults parse");
        for kernel in &module.kernels {
            if kernel
                .params
                .values()
                .any(|p| p.role == crate::ir::ParamRole::Scratch)
            {
                continue; // `run` above cannot: jit_diff covers them
            }
            let specs = defaults.for_kernel(&module, kernel).expect("defaults");
            // 300 in every dimension of a 3-D array is 27 M elements: too
            // many for the evaluator in a unit test.
            let rank = kernel
                .params
                .values()
                .map(|p| p.dims().len())
                .max()
                .unwrap_or(1);
            let largest = if rank >= 3 { 40 } else { 300 };
            for n in [1usize, 9, largest] {
                let sizes = kernel
                    .sizes
                    .values()
                    .filter(|s| s.definition.is_none())
                    .map(|s| inputs::parse_arg(&format!("{}={n}", s.name)).expect("size spec"))
                    .collect();
                let shrunk = inputs::merge(specs.clone(), sizes);
                let args = inputs::materialize(kernel, &shrunk)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                eprintln!("{} {} n={n}", path.display(), kernel.name);
                check(&source, &kernel.name, &args);
            }
        }
    }
}

/// A local declared before a divergent loop and read only by the block's
/// result (a reduction's value, a function's result) still needs its blend:
/// lanes that left the loop must keep their count.
#[test]
fn loop_counts_read_by_results_keep_exited_lanes() {
    let src = "fn steps(x: f32) -> i32 { let w = 0; while w < 5 && x > f32(w) { w += 1; } w }
    kernel k(x: f32[n]) -> (s: i32, t: i32, c: i32[n]) {
        s = sum over i in n { let w = 0; while w < 5 && x[i] > f32(w) { w += 1; } w };
        t = prod over i in n { steps(x[i]) + 1 };
        foreach i in n { c[i] = steps(x[i]); }
    }";
    for n in [1, 8, 9, 300] {
        let x = Array::from_vec((0..n).map(|i| (i % 7) as f32 - 0.5).collect::<Vec<f32>>());
        check(src, "k", &Args::new().array("x", x));
    }
}

/// `Options::cpu` reaches kjit's own instruction choices: an interleaved
/// channel in short lanes is one `vpermi2b` where the target has AVX-512
/// VBMI, and `pshufb`s without AVX-512 (the differential tests run both).
#[cfg(target_arch = "x86_64")]
#[test]
fn cpu_option_picks_the_channel_shuffle() {
    use crate::options::{Cpu, Options};
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/kernels/rgb_gray.kern"
    ))
    .expect("kernels/rgb_gray.kern");
    let module = crate::compile(&source).expect("rgb_gray checks");
    let asm = |cpu| {
        let options = Options {
            cpu,
            ..Options::default()
        };
        super::dump_asm(&module, "rgb_gray", &options).expect("rgb_gray compiles")
    };
    let plain = asm(Cpu::NoAvx512);
    assert!(!plain.contains("vpermi2b") && plain.contains("pshufb"));
    let vbmi = std::arch::is_x86_feature_detected!("avx512vbmi")
        && std::arch::is_x86_feature_detected!("avx512vl");
    assert_eq!(asm(Cpu::Host).contains("vpermi2b"), vbmi);
}
