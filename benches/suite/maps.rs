//! Elementwise maps: saxpy, triad, poly, blackscholes.
//!
//! The references hand rayon slices of `TASK` elements and loop over each
//! with plain iterators: the loop body then sits in one function LLVM can
//! vectorize, whether or not it inlines rayon's per-item closure calls
//! (with `(&mut out, &x).into_par_iter().for_each(..)` it did not, in this
//! bench crate: poly ran 2× slower than kjit, one call per element).

use super::{bit_exact, uniform_f32, uniform_f64, within, Case, NpyDir, TASK};
use kjit::api::Program;
use rayon::prelude::*;

// ---- saxpy: out = a * x + y, f32 ----

pub struct Saxpy {
    a: f32,
    x: Vec<f32>,
    y: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
    /// The reference for small calls is a plain loop: nobody spawns tasks
    /// for 1,000 elements.
    parallel: bool,
}

pub fn saxpy_large() -> Box<dyn Case> {
    Box::new(Saxpy::new(1 << 25, true))
}

pub fn saxpy_small() -> Box<dyn Case> {
    Box::new(Saxpy::new(1000, false))
}

impl Saxpy {
    fn new(n: usize, parallel: bool) -> Saxpy {
        Saxpy {
            a: 2.5,
            x: uniform_f32(n, -1.0, 1.0, 1),
            y: uniform_f32(n, -1.0, 1.0, 2),
            kjit: vec![0.0; n],
            rust: vec![0.0; n],
            parallel,
        }
    }
}

impl Case for Saxpy {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("saxpy").expect("saxpy.kern defines saxpy");
        let call = kernel.bind().scalar("a", self.a);
        let call = call.input("x", &self.x).input("y", &self.y);
        call.output("out", &mut self.kjit)
            .run()
            .expect("saxpy runs");
    }

    fn rust(&mut self) {
        let a = std::hint::black_box(self.a);
        let saxpy = |out: &mut [f32], x: &[f32], y: &[f32]| {
            for (o, (&x, &y)) in out.iter_mut().zip(x.iter().zip(y)) {
                *o = a * x + y;
            }
        };
        if self.parallel {
            let (out, x, y) = (&mut self.rust, &self.x, &self.y);
            (
                out.par_chunks_mut(TASK),
                x.par_chunks(TASK),
                y.par_chunks(TASK),
            )
                .into_par_iter()
                .for_each(|(out, x, y)| saxpy(out, x, y));
        } else {
            saxpy(&mut self.rust, &self.x, &self.y);
        }
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("saxpy out", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.scalar("a", self.a)?;
        npy.array("x", &self.x, &[self.x.len()])?;
        npy.array("y", &self.y, &[self.y.len()])?;
        npy.array("out", &self.kjit, &[self.kjit.len()])
    }
}

// ---- triad: a = b + s * c, f64 ----

pub struct Triad {
    s: f64,
    b: Vec<f64>,
    c: Vec<f64>,
    kjit: Vec<f64>,
    rust: Vec<f64>,
}

pub fn triad() -> Box<dyn Case> {
    let n = 1 << 24;
    Box::new(Triad {
        s: 3.0,
        b: uniform_f64(n, 0.0, 1.0, 3),
        c: uniform_f64(n, 0.0, 1.0, 4),
        kjit: vec![0.0; n],
        rust: vec![0.0; n],
    })
}

impl Case for Triad {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("triad").expect("triad.kern defines triad");
        let call = kernel.bind().scalar("s", self.s);
        let call = call.input("b", &self.b).input("c", &self.c);
        call.output("a", &mut self.kjit).run().expect("triad runs");
    }

    fn rust(&mut self) {
        let (s, a, b, c) = (self.s, &mut self.rust, &self.b, &self.c);
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
            });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("triad a", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.scalar("s", self.s)?;
        npy.array("b", &self.b, &[self.b.len()])?;
        npy.array("c", &self.c, &[self.c.len()])?;
        npy.array("a", &self.kjit, &[self.kjit.len()])
    }
}

// ---- poly: degree-16 Horner, c_k = 1 / (k + 1), f32 ----

pub struct Poly {
    x: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
}

pub fn poly() -> Box<dyn Case> {
    let n = 1 << 24;
    Box::new(Poly {
        x: uniform_f32(n, -1.0, 1.0, 5),
        kjit: vec![0.0; n],
        rust: vec![0.0; n],
    })
}

/// The kernel's Horner loop; rustc folds the coefficients as kern does
/// (f32 division of two literals) and, like kern, never contracts to FMA.
fn horner(x: f32) -> f32 {
    let mut acc = 1.0f32 / 17.0;
    for k in (0..16).rev() {
        acc = acc * x + 1.0 / (k + 1) as f32;
    }
    acc
}

impl Case for Poly {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("poly").expect("poly.kern defines poly");
        let call = kernel.bind().input("x", &self.x);
        call.output("y", &mut self.kjit).run().expect("poly runs");
    }

    fn rust(&mut self) {
        let tasks = self.rust.par_chunks_mut(TASK).zip(self.x.par_chunks(TASK));
        tasks.for_each(|(y, x)| {
            for (y, &x) in y.iter_mut().zip(x) {
                *y = horner(x);
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("poly y", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("x", &self.x, &[self.x.len()])?;
        npy.array("y", &self.kjit, &[self.kjit.len()])
    }
}

// ---- blackscholes: European call and put prices, f32 ----

pub struct BlackScholes {
    s: Vec<f32>,
    k: Vec<f32>,
    t: Vec<f32>,
    r: f32,
    v: f32,
    /// (call, put) of each side.
    kjit: (Vec<f32>, Vec<f32>),
    rust: (Vec<f32>, Vec<f32>),
}

pub fn blackscholes() -> Box<dyn Case> {
    let n = 1 << 22;
    Box::new(BlackScholes {
        s: uniform_f32(n, 10.0, 100.0, 6),
        k: uniform_f32(n, 10.0, 100.0, 7),
        t: uniform_f32(n, 0.25, 2.0, 8),
        r: 0.02,
        v: 0.3,
        kjit: (vec![0.0; n], vec![0.0; n]),
        rust: (vec![0.0; n], vec![0.0; n]),
    })
}

/// The standard normal CDF as the kernel writes it. Rust's std has no
/// `erf`; the `libm` crate's `erff` is what a Rust programmer reaches for.
fn cnd(x: f32) -> f32 {
    0.5 * (1.0 + libm::erff(x * 0.70710677))
}

impl Case for BlackScholes {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("blackscholes").expect("defined");
        let call = kernel.bind().input("s", &self.s).input("k", &self.k);
        let call = call
            .input("t", &self.t)
            .scalar("r", self.r)
            .scalar("v", self.v);
        let (c, p) = (&mut self.kjit.0, &mut self.kjit.1);
        call.output("call", c).output("put", p).run().expect("runs");
    }

    fn rust(&mut self) {
        let (r, v) = (self.r, self.v);
        let price = |s: f32, k: f32, t: f32| {
            let sqrt_t = t.sqrt();
            let d1 = ((s / k).ln() + (r + 0.5 * v * v) * t) / (v * sqrt_t);
            let d2 = d1 - v * sqrt_t;
            let discounted = k * (-r * t).exp();
            let call = s * cnd(d1) - discounted * cnd(d2);
            (call, discounted * cnd(-d2) - s * cnd(-d1))
        };
        let (call, put) = (&mut self.rust.0, &mut self.rust.1);
        let outputs = (call.par_chunks_mut(TASK), put.par_chunks_mut(TASK));
        let inputs = (
            self.s.par_chunks(TASK),
            self.k.par_chunks(TASK),
            self.t.par_chunks(TASK),
        );
        (outputs, inputs)
            .into_par_iter()
            .for_each(|((call, put), (s, k, t))| {
                for i in 0..call.len() {
                    (call[i], put[i]) = price(s[i], k[i], t[i]);
                }
            });
    }

    /// kjit computes f32 transcendentals in f64 and rounds once; Rust calls
    /// f32 `logf`, `expf` and libm's `erff` (about 1 ulp each). Prices are
    /// differences of terms as large as s and k, so the bound is relative
    /// to s + k: 2^-20 (s + k), 8 f32 ulps of s + k.
    fn check(&self) -> Result<String, String> {
        let bound = |i: usize| (self.s[i] + self.k[i]) as f64 / (1u64 << 20) as f64;
        let how = "2^-20 (s + k)";
        within("call", &self.kjit.0, &self.rust.0, bound, how)?;
        within("put", &self.kjit.1, &self.rust.1, bound, how)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let n = [self.s.len()];
        npy.array("s", &self.s, &n)?;
        npy.array("k", &self.k, &n)?;
        npy.array("t", &self.t, &n)?;
        npy.scalar("r", self.r)?;
        npy.scalar("v", self.v)?;
        npy.array("call", &self.kjit.0, &n)?;
        npy.array("put", &self.kjit.1, &n)
    }
}
