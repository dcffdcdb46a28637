//! Reductions: dot, logsumexp, argmin.
//!
//! kern fixes the order of a float sum (docs/LANGUAGE.md, "Phases"):
//! chunks of 16384 elements; in a chunk, element j goes to lane j % 8; the
//! lanes combine in a fixed tree; chunk results fold in order. The Rust
//! references sum in that order too: eight accumulators are what one writes
//! anyway to let LLVM vectorize a float sum, and the fixed order makes the
//! results comparable bit for bit (and reproducible at any thread count).

use super::{bit_exact, uniform_f32, uniform_f64, Case, NpyDir};
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

// ---- argmin: the index of the first smallest element, f32 ----

pub struct ArgMin {
    x: Vec<f32>,
    kjit: i64,
    rust: i64,
}

pub fn argmin() -> Box<dyn Case> {
    Box::new(ArgMin {
        x: uniform_f32(1 << 24, -1.0, 1.0, 12),
        kjit: -2,
        rust: -2,
    })
}

/// The better of two (value, index) candidates: NaN first, then the
/// smaller value, then the smaller index (NumPy's `argmin`).
fn better_min(a: (f32, usize), b: (f32, usize)) -> (f32, usize) {
    let b_wins = if a.0.is_nan() || b.0.is_nan() {
        b.0.is_nan() && (!a.0.is_nan() || b.1 < a.1)
    } else {
        b.0 < a.0 || (b.0 == a.0 && b.1 < a.1)
    };
    if b_wins {
        b
    } else {
        a
    }
}

/// The first smallest element of a chunk starting at `offset`, with eight
/// lanes of (value, index) so that LLVM can vectorize the compare and the
/// blends, as one writes for a float sum; lanes only move on a strictly
/// better value (a NaN wins once and stays).
fn chunk_argmin(x: &[f32], offset: usize) -> (f32, usize) {
    let mut value = [f32::INFINITY; LANES];
    let mut index = [usize::MAX; LANES];
    let gangs = x.chunks_exact(LANES);
    let tail = gangs.remainder();
    for (g, gang) in gangs.enumerate() {
        for l in 0..LANES {
            let v = gang[l];
            let take = !value[l].is_nan() & (v.is_nan() | (v < value[l]));
            value[l] = if take { v } else { value[l] };
            index[l] = if take { g * LANES + l } else { index[l] };
        }
    }
    let base = x.len() - tail.len();
    let mut best = (f32::INFINITY, usize::MAX);
    for l in 0..LANES {
        // A lane still at +inf with no index holds no element.
        if index[l] != usize::MAX {
            best = better_min(best, (value[l], offset + index[l]));
        }
    }
    for (k, &v) in tail.iter().enumerate() {
        best = better_min(best, (v, offset + base + k));
    }
    if best.0 == f32::INFINITY && !x.is_empty() {
        // Nothing below +inf and no NaN: every element is +inf, so the
        // first one.
        best = (f32::INFINITY, offset);
    }
    best
}

impl Case for ArgMin {
    fn kjit(&mut self, program: &Program) {
        let kernel = program
            .kernel("argmin")
            .expect("argmin.kern defines argmin");
        let outputs = kernel
            .bind()
            .input("x", &self.x)
            .run()
            .expect("argmin runs");
        self.kjit = match outputs.get("i") {
            Some(Scalar::I64(i)) => i,
            other => panic!("output `i`: {other:?}"),
        };
    }

    fn rust(&mut self) {
        let chunks = self.x.par_chunks(CHUNK).enumerate();
        let best = chunks
            .map(|(c, x)| chunk_argmin(x, c * CHUNK))
            .reduce(|| (f32::INFINITY, usize::MAX), better_min);
        self.rust = if best.1 == usize::MAX {
            -1
        } else {
            best.1 as i64
        };
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("argmin i", &[self.kjit], &[self.rust])
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("x", &self.x, &[self.x.len()])?;
        npy.scalar("i", self.kjit)
    }
}
