//! STREAM-style bandwidth over f64 arrays far larger than the caches, in
//! plain Rust + rayon: copy (`a = b`) and triad (`a = b + s c`) as in
//! STREAM, and read (`sum of a`), which STREAM lacks, for kernels that only
//! read (dot, logsumexp): reading alone runs faster than any mix with
//! writes, so copy or triad would set their floor too low.
//!
//! Bytes are counted as STREAM counts them: 16 per element for copy, 24
//! for triad, 8 for read (each array element read or written once; the
//! cache line a store first reads, write-allocate, is not counted). The
//! kernels' bytes are counted the same way (`Spec::bytes`), and each
//! kernel's floor is its bytes at the rate of the op with its mix of reads
//! and writes (`Spec::pattern`).

use rayon::prelude::*;

/// Elements per rayon task: large enough that task overhead vanishes.
const TASK: usize = 1 << 16;

pub struct Stream {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Copy,
    Triad,
    Read,
}

impl Op {
    pub const ALL: [Op; 3] = [Op::Copy, Op::Triad, Op::Read];

    pub fn name(self) -> &'static str {
        match self {
            Op::Copy => "copy",
            Op::Triad => "triad",
            Op::Read => "read",
        }
    }

    pub fn bytes_per_element(self) -> usize {
        match self {
            Op::Copy => 16,
            Op::Triad => 24,
            Op::Read => 8,
        }
    }
}

impl Stream {
    /// Three arrays of `n` f64s, written once so every page is mapped.
    pub fn new(n: usize) -> Stream {
        let fill = |x: f64| (0..n).into_par_iter().map(|_| x).collect();
        Stream {
            a: fill(0.0),
            b: fill(1.0),
            c: fill(2.0),
        }
    }

    pub fn bytes(&self, op: Op) -> usize {
        self.a.len() * op.bytes_per_element()
    }

    /// One pass of `op` on the current rayon pool.
    pub fn run(&mut self, op: Op) {
        let (a, b, c) = (&mut self.a, &self.b, &self.c);
        match op {
            Op::Copy => (a.par_chunks_mut(TASK), b.par_chunks(TASK))
                .into_par_iter()
                .for_each(|(a, b)| a.copy_from_slice(b)),
            Op::Triad => {
                let s = std::hint::black_box(3.0);
                (
                    a.par_chunks_mut(TASK),
                    b.par_chunks(TASK),
                    c.par_chunks(TASK),
                )
                    .into_par_iter()
                    .for_each(|(a, b, c)| {
                        for (a, (&b, &c)) in a.iter_mut().zip(b.iter().zip(c)) {
                            *a = b + s * c;
                        }
                    })
            }
            Op::Read => {
                let sum: f64 = b.par_chunks(TASK).map(sum_lanes).sum();
                std::hint::black_box(sum);
            }
        }
    }
}

/// A sum in eight lanes, so that LLVM may vectorize it (a single
/// accumulator is a chain of dependent adds, slower than memory).
fn sum_lanes(x: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    for gang in x.chunks_exact(8) {
        for (acc, &v) in lanes.iter_mut().zip(gang) {
            *acc += v;
        }
    }
    lanes.iter().sum::<f64>() + x.chunks_exact(8).remainder().iter().sum::<f64>()
}
