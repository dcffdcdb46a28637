//! kjit against plain idiomatic Rust + rayon on the same data, in one run
//! (see benches/README.md for how to run and read it).
//!
//! Each group pairs `kjit` with `rust`, at the same thread count, on the
//! same inputs; before timing, the two results are compared element by
//! element, so a fast wrong answer cannot pass as a speedup. The Rust
//! references are what a careful programmer writes without intrinsics:
//! iterators, `par_iter`/`par_chunks_mut`, the same operations in the same
//! order as the kernel (so results match bit for bit).
//!
//! At the end, the ratio kjit / rust of each pair is printed from the
//! estimates criterion saved.

use criterion::{BatchSize, Criterion, Throughput};
use kjit::api::Program;
use kjit::options::Options;
use rayon::prelude::*;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Worker threads of the parallel benchmarks (the machines this project
/// runs on have two cores).
const THREADS: usize = 2;

const SAXPY_N: usize = 1 << 25;
const SMALL_N: usize = 1000;

const MANDEL_SIZE: usize = 2048;
const MANDEL_ITER: i32 = 256;
/// re in [-2, 1), im in [-1.5, 1.5): a step of 3 / 2048, exact in f32.
const MANDEL_X0: f32 = -2.0;
const MANDEL_Y0: f32 = -1.5;
const MANDEL_STEP: f32 = 3.0 / MANDEL_SIZE as f32;

/// Groups compared, as (group, kjit function, reference function).
const PAIRS: &[(&str, &str, &str)] = &[
    ("saxpy_2pow25", "kjit", "rust"),
    ("mandelbrot_2048", "kjit", "rust"),
    ("saxpy_1000_call", "kjit", "rust"),
];

fn kernel_source(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("kernels/{name}.kern"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn compile(name: &str, threads: usize) -> Program {
    let options = Options {
        threads: Some(threads),
        ..Options::default()
    };
    Program::compile(&kernel_source(name), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn pool(threads: usize) -> rayon::ThreadPool {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    pool.build().expect("a rayon pool")
}

/// Deterministic inputs in [-1, 1).
fn uniform(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, kjit: &[T], rust: &[T]) {
    if let Some(i) = (0..kjit.len()).find(|&i| kjit[i] != rust[i]) {
        panic!(
            "{what}: kjit and Rust differ at {i}: {:?} vs {:?}",
            kjit[i], rust[i]
        );
    }
}

// ---- saxpy ----

fn saxpy_rust(a: f32, x: &[f32], y: &[f32], out: &mut [f32]) {
    out.par_iter_mut()
        .zip(x.par_iter().zip(y.par_iter()))
        .for_each(|(o, (&x, &y))| *o = a * x + y);
}

fn saxpy_kjit(program: &Program, a: f32, x: &[f32], y: &[f32], out: &mut [f32]) {
    let kernel = program.kernel("saxpy").expect("saxpy.kern defines saxpy");
    let call = kernel.bind().scalar("a", a).input("x", x).input("y", y);
    call.output("out", out).run().expect("saxpy runs");
}

fn saxpy_large(c: &mut Criterion) {
    let program = compile("saxpy", THREADS);
    let pool = pool(THREADS);
    let (a, x, y) = (2.5f32, uniform(SAXPY_N, 1), uniform(SAXPY_N, 2));
    let (mut out_kjit, mut out_rust) = (vec![0.0f32; SAXPY_N], vec![0.0f32; SAXPY_N]);
    saxpy_kjit(&program, a, &x, &y, &mut out_kjit);
    pool.install(|| saxpy_rust(a, &x, &y, &mut out_rust));
    assert_same("saxpy", &out_kjit, &out_rust);

    let mut group = c.benchmark_group("saxpy_2pow25");
    group.throughput(Throughput::Elements(SAXPY_N as u64));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("kjit", |b| {
        b.iter(|| saxpy_kjit(&program, a, &x, &y, &mut out_kjit))
    });
    group.bench_function("rust", |b| {
        b.iter(|| pool.install(|| saxpy_rust(a, &x, &y, &mut out_rust)))
    });
    group.finish();
}

/// Call overhead: 1000 elements are one chunk, run on the calling thread
/// by kjit; the reference is a plain sequential loop.
fn saxpy_small(c: &mut Criterion) {
    let program = compile("saxpy", THREADS);
    let (a, x, y) = (2.5f32, uniform(SMALL_N, 3), uniform(SMALL_N, 4));
    let mut out = vec![0.0f32; SMALL_N];
    let mut group = c.benchmark_group("saxpy_1000_call");
    group.throughput(Throughput::Elements(SMALL_N as u64));
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(3));
    group.bench_function("kjit", |b| {
        b.iter(|| saxpy_kjit(&program, black_box(a), &x, &y, &mut out))
    });
    group.bench_function("rust", |b| {
        b.iter(|| {
            let a = black_box(a);
            let pairs = x.iter().zip(&y);
            for (o, (&x, &y)) in out.iter_mut().zip(pairs) {
                *o = a * x + y;
            }
            black_box(&mut out);
        })
    });
    group.finish();
}

// ---- mandelbrot ----

/// The kernel's loop, written as one would in Rust: one row per task.
fn mandelbrot_rust(counts: &mut [i32]) {
    counts
        .par_chunks_mut(MANDEL_SIZE)
        .enumerate()
        .for_each(|(row, line)| {
            let ci = MANDEL_Y0 + row as f32 * MANDEL_STEP;
            for (col, count) in line.iter_mut().enumerate() {
                let cr = MANDEL_X0 + col as f32 * MANDEL_STEP;
                let (mut zr, mut zi, mut k) = (0.0f32, 0.0f32, 0);
                while k < MANDEL_ITER && zr * zr + zi * zi <= 4.0 {
                    let t = zr * zr - zi * zi + cr;
                    zi = 2.0 * zr * zi + ci;
                    zr = t;
                    k += 1;
                }
                *count = k;
            }
        });
}

fn mandelbrot_kjit(program: &Program, counts: &mut [i32]) {
    let kernel = program
        .kernel("mandelbrot")
        .expect("mandelbrot.kern defines it");
    let call = kernel
        .bind()
        .scalar("x0", MANDEL_X0)
        .scalar("y0", MANDEL_Y0);
    let call = call.scalar("dx", MANDEL_STEP).scalar("dy", MANDEL_STEP);
    let call = call.scalar("max_iter", MANDEL_ITER);
    let shape = [MANDEL_SIZE, MANDEL_SIZE];
    call.output_2d("count", counts, shape)
        .run()
        .expect("mandelbrot runs");
}

fn mandelbrot(c: &mut Criterion) {
    let program = compile("mandelbrot", THREADS);
    let pool = pool(THREADS);
    let pixels = MANDEL_SIZE * MANDEL_SIZE;
    let (mut kjit, mut rust) = (vec![0i32; pixels], vec![0i32; pixels]);
    mandelbrot_kjit(&program, &mut kjit);
    pool.install(|| mandelbrot_rust(&mut rust));
    assert_same("mandelbrot", &kjit, &rust);

    let mut group = c.benchmark_group("mandelbrot_2048");
    group.throughput(Throughput::Elements(pixels as u64));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("kjit", |b| b.iter(|| mandelbrot_kjit(&program, &mut kjit)));
    group.bench_function("rust", |b| {
        b.iter(|| pool.install(|| mandelbrot_rust(&mut rust)))
    });
    group.finish();
}

// ---- compile latency ----

/// Source text to a callable kernel: check, vectorize, Cranelift, link.
fn compile_latency(c: &mut Criterion) {
    let source = kernel_source("blackscholes");
    let mut group = c.benchmark_group("compile");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("blackscholes", |b| {
        b.iter_batched(
            || source.clone(),
            |source| {
                let program = Program::compile(&source, Options::default()).expect("compiles");
                assert!(program.kernel("blackscholes").is_some());
                program
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

// ---- ratios ----

/// Where criterion keeps its estimates (its own rule: `CRITERION_HOME`,
/// else `criterion` under the target directory).
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The mean time (ns) of one benchmark, from `new/estimates.json`.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let path = criterion_home()
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let json = std::fs::read_to_string(path).ok()?;
    let mean = &json[json.find("\"mean\"")?..];
    let value = &mean[mean.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    value[..end].trim().parse().ok()
}

fn print_ratios() {
    println!("\nkjit / rust (time ratio; below 1.0 means kjit is faster):");
    for (group, kjit, rust) in PAIRS {
        match (mean_ns(group, kjit), mean_ns(group, rust)) {
            (Some(k), Some(r)) => println!(
                "  {group:<18} {:>6.2}   (kjit {}, rust {})",
                k / r,
                show_ns(k),
                show_ns(r)
            ),
            _ => println!("  {group:<18}   (not measured)"),
        }
    }
    if let Some(ns) = mean_ns("compile", "blackscholes") {
        println!("  compile blackscholes: {}", show_ns(ns));
    }
}

fn show_ns(ns: f64) -> String {
    match ns {
        ns if ns >= 1e9 => format!("{:.2} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.2} µs", ns / 1e3),
        ns => format!("{ns:.0} ns"),
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    saxpy_large(&mut c);
    mandelbrot(&mut c);
    compile_latency(&mut c);
    saxpy_small(&mut c);
    c.final_summary();
    print_ratios();
}
