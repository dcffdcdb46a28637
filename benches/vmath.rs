//! kjit's inline maths against Rust, with criterion (issue targets in
//! docs/MATH.md):
//!
//! - `exp_f32`, `log_f32`, `sin_f32`: 2^22 f32 elements on one thread,
//!   kjit (precise and `--fast-math`) against the same loop calling Rust
//!   std's `f32::exp` / `ln` / `sin`;
//! - `blackscholes_2t`: `kernels/blackscholes.kern` on 2^22 options, 2
//!   threads, against plain Rust + rayon with std maths (the suite's
//!   reference, `benches/suite/maps.rs`) and against the same formula in
//!   `wide`'s f32x8 maths (what LLVM makes of hand-vectorized Rust).
//!
//! ```text
//! RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native cargo bench --bench vmath
//! ```

// Only the inputs, the pool and the Black–Scholes case of the suite are
// used here.
#[allow(dead_code)]
mod suite;

use criterion::{Criterion, Throughput};
use kjit::api::Program;
use kjit::options::Options;
use rayon::prelude::*;
use std::time::Duration;
use wide::f32x8;

const N: usize = 1 << 22;

fn program(source: &str, threads: usize, fast_math: bool) -> Program {
    let options = Options {
        threads: Some(threads),
        fast_math,
        ..Options::default()
    };
    Program::compile(source, options)
        .unwrap_or_else(|e| panic!("{}", e.render("bench.kern", source)))
}

fn unary(c: &mut Criterion, name: &str, lo: f32, hi: f32, std_fn: fn(f32) -> f32) {
    let source = format!(
        "kernel k(x: f32[n]) -> (out: f32[n]) {{ foreach i in n {{ out[i] = {name}(x[i]); }} }}"
    );
    let x = suite::uniform_f32(N, lo, hi, 11);
    let mut out = vec![0f32; N];
    let mut group = c.benchmark_group(format!("{name}_f32"));
    group
        .throughput(Throughput::Elements(N as u64))
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (label, fast) in [("kjit_precise_1t", false), ("kjit_fast_1t", true)] {
        let program = program(&source, 1, fast);
        let kernel = program.kernel("k").expect("compiled");
        group.bench_function(label, |b| {
            b.iter(|| {
                (kernel.bind().input("x", &x))
                    .output("out", &mut out)
                    .run()
                    .expect("runs")
            })
        });
    }
    group.bench_function("rust_std_1t", |b| {
        b.iter(|| {
            for (o, &v) in out.iter_mut().zip(&x) {
                *o = std_fn(v);
            }
        })
    });
    group.finish();
}

/// erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), since `wide` has
/// no erf: the usual choice in vectorized Black–Scholes codes.
fn erf8(x: f32x8) -> f32x8 {
    let negative = x.is_sign_negative();
    let a = x.abs();
    let t = f32x8::ONE / f32x8::splat(0.327_591_1).mul_add(a, f32x8::ONE);
    let poly = f32x8::splat(1.061_405_4)
        .mul_add(t, f32x8::splat(-1.453_152_1))
        .mul_add(t, f32x8::splat(1.421_413_8))
        .mul_add(t, f32x8::splat(-0.284_496_72))
        .mul_add(t, f32x8::splat(0.254_829_6))
        * t;
    let y = f32x8::ONE - poly * (-(a * a)).exp();
    negative.select(-y, y)
}

fn cnd8(x: f32x8) -> f32x8 {
    f32x8::splat(0.5) * (f32x8::ONE + erf8(x * f32x8::splat(std::f32::consts::FRAC_1_SQRT_2)))
}

struct Options8 {
    s: Vec<f32>,
    k: Vec<f32>,
    t: Vec<f32>,
    call: Vec<f32>,
    put: Vec<f32>,
}

fn blackscholes_wide(o: &mut Options8, r: f32, v: f32) {
    let chunk = 1 << 14;
    (o.call.par_chunks_mut(chunk), o.put.par_chunks_mut(chunk))
        .into_par_iter()
        .zip((
            o.s.par_chunks(chunk),
            o.k.par_chunks(chunk),
            o.t.par_chunks(chunk),
        ))
        .for_each(|((call, put), (s, k, t))| {
            let (rv, vv) = (f32x8::splat(r), f32x8::splat(v));
            for i in (0..call.len()).step_by(8) {
                let load =
                    |a: &[f32]| f32x8::from(<[f32; 8]>::try_from(&a[i..i + 8]).expect("8 lanes"));
                let (s8, k8, t8) = (load(s), load(k), load(t));
                let sqrt_t = t8.sqrt();
                let d1 = ((s8 / k8).ln() + (rv + f32x8::splat(0.5) * vv * vv) * t8) / (vv * sqrt_t);
                let d2 = d1 - vv * sqrt_t;
                let discounted = k8 * (-rv * t8).exp();
                let c = s8 * cnd8(d1) - discounted * cnd8(d2);
                let p = discounted * cnd8(-d2) - s8 * cnd8(-d1);
                call[i..i + 8].copy_from_slice(&c.to_array());
                put[i..i + 8].copy_from_slice(&p.to_array());
            }
        });
}

fn blackscholes(c: &mut Criterion) {
    let mut group = c.benchmark_group("blackscholes_2t");
    group
        .throughput(Throughput::Elements(N as u64))
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    let source = suite::kernel_source("blackscholes");
    let pool = suite::pool(2);
    let mut case = suite::maps::blackscholes();
    for (label, fast) in [("kjit_precise", false), ("kjit_fast", true)] {
        let program = program(&source, 2, fast);
        case.kjit(&program);
        pool.install(|| case.rust());
        if let Err(e) = case.check() {
            panic!("blackscholes {label}: {e}");
        }
        group.bench_function(label, |b| b.iter(|| case.kjit(&program)));
    }
    group.bench_function("rust_std", |b| b.iter(|| pool.install(|| case.rust())));
    let mut wide_case = Options8 {
        s: suite::uniform_f32(N, 10.0, 100.0, 6),
        k: suite::uniform_f32(N, 10.0, 100.0, 7),
        t: suite::uniform_f32(N, 0.25, 2.0, 8),
        call: vec![0.0; N],
        put: vec![0.0; N],
    };
    group.bench_function("rust_wide_f32x8", |b| {
        b.iter(|| pool.install(|| blackscholes_wide(&mut wide_case, 0.02, 0.3)))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    unary(&mut c, "exp", -80.0, 80.0, f32::exp);
    unary(&mut c, "log", 1e-3, 1e3, f32::ln);
    unary(&mut c, "sin", -100.0, 100.0, f32::sin);
    blackscholes(&mut c);
    c.final_summary();
}
