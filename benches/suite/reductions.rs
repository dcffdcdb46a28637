//! Reductions: dot, logsumexp.
//!
//! kern fixes the order of a float sum (docs/LANGUAGE.md, "Phases"):
//! chunks of 16384 elements; in a chunk, element j goes to lane j % 8; the
//! lanes combine in a fixed tree; chunk results fold in order. The Rust
//! references sum in that order too: eight accumulators are what one writes
//! anyway to let LLVM vectorize a float sum, and the fixed order makes the
//! results comparable bit for bit (and reproducible at any thread count).

use super::{bit_exact, uniform_f64, Case, NpyDir};
use kjit::api::Program;
use kjit::value::Scalar;
use rayon::prelude::*;

const CHUNK: usize = 16 * 1024;
const LANES: usize = 8;

/// `((a0+a4)+(a2+a6))+((a1+a5)+(a3+a7))`.
fn combine(a: [f64; LANES]) -> f64 {
    ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

/// Sums per-chunk results in chunk order, from 0.0 as kern does.
fn fold_chunks(partials: impl IndexedParallelIterator<Item = f64>) -> f64 {
    let partials: Vec<f64> = partials.collect();
    partials.into_iter().fold(0.0, |acc, p| acc + p)
}

/// `sum of term(v)` over one chunk of `x` in kern's lane order.
fn lane_sum(x: &[f64], term: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0f64; LANES];
    let gangs = x.chunks_exact(LANES);
    let tail = gangs.remainder();
    for gang in gangs {
        for (acc, &v) in lanes.iter_mut().zip(gang) {
            *acc += term(v);
        }
    }
    for (acc, &v) in lanes.iter_mut().zip(tail) {
        *acc += term(v);
    }
    combine(lanes)
}

fn scalar_f64(outputs: &kjit::api::ScalarOutputs, name: &str) -> f64 {
    match outputs.get(name) {
        Some(Scalar::F64(x)) => x,
        other => panic!("output `{name}`: {other:?}"),
    }
}

// ---- dot: d = sum of x[i] * y[i], f64 ----

pub struct Dot {
    x: Vec<f64>,
    y: Vec<f64>,
    kjit: f64,
    rust: f64,
}

pub fn dot() -> Box<dyn Case> {
    let n = 1 << 24;
    Box::new(Dot {
        x: uniform_f64(n, -1.0, 1.0, 9),
        y: uniform_f64(n, -1.0, 1.0, 10),
        kjit: f64::NAN,
        rust: f64::NAN,
    })
}

impl Case for Dot {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("dot").expect("dot.kern defines dot");
        let outputs = (kernel.bind().input("x", &self.x).input("y", &self.y))
            .run()
            .expect("dot runs");
        self.kjit = scalar_f64(&outputs, "d");
    }

    fn rust(&mut self) {
        let chunks = self.x.par_chunks(CHUNK).zip(self.y.par_chunks(CHUNK));
        self.rust = fold_chunks(chunks.map(|(x, y)| {
            let mut lanes = [0.0f64; LANES];
            let (xs, ys) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
            let tails = (xs.remainder().iter()).zip(ys.remainder());
            for (x, y) in xs.zip(ys) {
                for (acc, (&x, &y)) in lanes.iter_mut().zip(x.iter().zip(y)) {
                    *acc += x * y;
                }
            }
            for (acc, (&x, &y)) in lanes.iter_mut().zip(tails) {
                *acc += x * y;
            }
            combine(lanes)
        }));
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("dot d", &[self.kjit], &[self.rust])
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("x", &self.x, &[self.x.len()])?;
        npy.array("y", &self.y, &[self.y.len()])?;
        npy.scalar("d", self.kjit)
    }
}

// ---- logsumexp: m + log(sum of exp(x[i] - m)), m = max x, f64 ----

pub struct LogSumExp {
    x: Vec<f64>,
    kjit: f64,
    rust: f64,
}

pub fn logsumexp() -> Box<dyn Case> {
    Box::new(LogSumExp {
        x: uniform_f64(1 << 24, -50.0, 50.0, 11),
        kjit: f64::NAN,
        rust: f64::NAN,
    })
}

impl Case for LogSumExp {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("logsumexp").expect("defined");
        let outputs = kernel.bind().input("x", &self.x).run().expect("runs");
        self.kjit = scalar_f64(&outputs, "lse");
    }

    /// `max` is exact in any order; the sum follows kern's order. kjit's
    /// `exp` and `log` are Rust's (std, as the reference evaluator uses).
    fn rust(&mut self) {
        let x = &self.x;
        let m = x.par_iter().copied().reduce(|| f64::NEG_INFINITY, f64::max);
        let s = fold_chunks(x.par_chunks(CHUNK).map(|x| lane_sum(x, |v| (v - m).exp())));
        self.rust = m + s.ln();
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("logsumexp lse", &[self.kjit], &[self.rust])
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("x", &self.x, &[self.x.len()])?;
        npy.scalar("lse", self.kjit)
    }
}
