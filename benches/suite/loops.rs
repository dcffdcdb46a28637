//! Kernels of issue 11: loops around phases (jacobi), a 3-D stencil
//! (stencil3d), row scans with owner stores (ema), an `[n, 3]` n-body step
//! (nbody), a per-lane local array (binomial). Each Rust reference is what a careful programmer writes with
//! rayon, with the kernel's operations in its order, so checks are exact.

use super::{bit_exact, uniform_f32, uniform_f64, within, Case, NpyDir};
use kjit::api::Program;
use rayon::prelude::*;

// ---- jacobi: fixed sweeps (tol = 0) of a 2-D Jacobi relaxation ----

pub const JACOBI_SIZE: usize = 1024;
pub const JACOBI_SWEEPS: i32 = 50;

pub struct Jacobi {
    start: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
    rust_next: Vec<f32>,
    errs: (f32, f32),
}

pub fn jacobi() -> Box<dyn Case> {
    let n = JACOBI_SIZE * JACOBI_SIZE;
    let start = uniform_f32(n, 0.0, 1.0, 21);
    Box::new(Jacobi {
        kjit: start.clone(),
        rust: start.clone(),
        rust_next: start.clone(),
        start,
        errs: (0.0, 0.0),
    })
}

impl Case for Jacobi {
    fn kjit(&mut self, program: &Program) {
        self.kjit.copy_from_slice(&self.start);
        let kernel = program.kernel("jacobi").expect("defined");
        let shape = [JACOBI_SIZE, JACOBI_SIZE];
        let call = kernel.bind().inout_nd("u", &mut self.kjit, &shape);
        let call = call.scalar("tol", 0.0f32).scalar("max_it", JACOBI_SWEEPS);
        let out = call.run().expect("jacobi runs");
        self.errs.0 = match out.get("err") {
            Some(kjit::value::Scalar::F32(e)) => e,
            _ => f32::NAN,
        };
    }

    /// Each sweep one parallel pass over rows computing the new row and its
    /// largest change (fused, as a careful programmer would), then a swap.
    fn rust(&mut self) {
        let w = JACOBI_SIZE;
        self.rust.copy_from_slice(&self.start);
        self.rust_next.copy_from_slice(&self.start);
        let mut err = 0.0f32;
        for _ in 0..JACOBI_SWEEPS {
            let u = &self.rust;
            err = self
                .rust_next
                .par_chunks_mut(w)
                .enumerate()
                .map(|(r, out)| {
                    let row = |r: usize| &u[r * w..(r + 1) * w];
                    if r == 0 || r == w - 1 {
                        out.copy_from_slice(row(r));
                        return 0.0f32;
                    }
                    let (up, mid, down) = (row(r - 1), row(r), row(r + 1));
                    out[0] = mid[0];
                    out[w - 1] = mid[w - 1];
                    let mut m = 0.0f32;
                    for c in 1..w - 1 {
                        let v = 0.25 * (up[c] + down[c] + mid[c - 1] + mid[c + 1]);
                        out[c] = v;
                        m = m.max((v - mid[c]).abs());
                    }
                    m
                })
                .reduce(|| 0.0f32, f32::max);
            std::mem::swap(&mut self.rust, &mut self.rust_next);
        }
        self.errs.1 = err;
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("jacobi err", &[self.errs.0], &[self.errs.1])?;
        bit_exact("jacobi u", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let shape = [JACOBI_SIZE, JACOBI_SIZE];
        npy.array("start", &self.start, &shape)?;
        npy.scalar("max_it", JACOBI_SWEEPS)?;
        npy.array("u", &self.kjit, &shape)
    }
}

// ---- stencil3d: one 7-point heat step on a 256³ f32 volume ----

pub const VOLUME: usize = 256;
const HEAT_K: f32 = 0.1;

pub struct Stencil3d {
    a: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
}

pub fn stencil3d() -> Box<dyn Case> {
    let n = VOLUME * VOLUME * VOLUME;
    Box::new(Stencil3d {
        a: uniform_f32(n, 0.0, 1.0, 22),
        kjit: vec![0.0; n],
        rust: vec![0.0; n],
    })
}

impl Case for Stencil3d {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("stencil3d").expect("defined");
        let shape = [VOLUME; 3];
        let call = kernel.bind().input_nd("a", &self.a, &shape);
        let call = call
            .scalar("k", HEAT_K)
            .output_nd("b", &mut self.kjit, &shape);
        call.run().expect("stencil3d runs");
    }

    /// One task per (z, y) row; the kernel's sum order.
    fn rust(&mut self) {
        let (n, a) = (VOLUME, &self.a);
        let rows = self.rust.par_chunks_mut(n).enumerate();
        rows.for_each(|(row, out)| {
            let (z, y) = (row / n, row % n);
            let line = |z: usize, y: usize| &a[(z * n + y) * n..(z * n + y + 1) * n];
            let mid = line(z, y);
            if z == 0 || y == 0 || z == n - 1 || y == n - 1 {
                out.copy_from_slice(mid);
                return;
            }
            let (zm, zp, ym, yp) = (
                line(z - 1, y),
                line(z + 1, y),
                line(z, y - 1),
                line(z, y + 1),
            );
            out[0] = mid[0];
            out[n - 1] = mid[n - 1];
            for x in 1..n - 1 {
                let lap = zm[x] + zp[x] + ym[x] + yp[x] + mid[x - 1] + mid[x + 1] - 6.0 * mid[x];
                out[x] = mid[x] + HEAT_K * lap;
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("stencil3d b", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let shape = [VOLUME; 3];
        npy.array("a", &self.a, &shape)?;
        npy.scalar("k", HEAT_K)?;
        npy.array("b", &self.kjit, &shape)
    }
}

// ---- ema: a running average along each row of a 4096² f32 matrix ----

pub const EMA_SIZE: usize = 4096;
const EMA_A: f32 = 0.1;

pub struct Ema {
    x: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
}

pub fn ema() -> Box<dyn Case> {
    let n = EMA_SIZE * EMA_SIZE;
    Box::new(Ema {
        x: uniform_f32(n, 0.0, 1.0, 23),
        kjit: vec![0.0; n],
        rust: vec![0.0; n],
    })
}

impl Case for Ema {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("ema").expect("defined");
        let shape = [EMA_SIZE, EMA_SIZE];
        let call = kernel.bind().input_nd("x", &self.x, &shape);
        let call = call
            .scalar("a", EMA_A)
            .output_nd("y", &mut self.kjit, &shape);
        call.run().expect("ema runs");
    }

    /// One task per row, a sequential scan along it.
    fn rust(&mut self) {
        let (w, x) = (EMA_SIZE, &self.x);
        let rows = self.rust.par_chunks_mut(w).enumerate();
        rows.for_each(|(r, out)| {
            let mut acc = 0.0f32;
            for (o, &v) in out.iter_mut().zip(&x[r * w..(r + 1) * w]) {
                acc = EMA_A * v + (1.0 - EMA_A) * acc;
                *o = acc;
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("ema y", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let shape = [EMA_SIZE, EMA_SIZE];
        npy.array("x", &self.x, &shape)?;
        npy.scalar("a", EMA_A)?;
        npy.array("y", &self.kjit, &shape)
    }
}

// ---- nbody: one step of 4096 bodies, f64 ----

pub const BODIES: usize = 4096;
const DT: f64 = 0.01;
const EPS: f64 = 0.01;

pub struct Nbody {
    pos: Vec<f64>,
    vel: Vec<f64>,
    mass: Vec<f64>,
    kjit: (Vec<f64>, Vec<f64>),
    rust: (Vec<f64>, Vec<f64>),
}

pub fn nbody() -> Box<dyn Case> {
    let n = BODIES;
    Box::new(Nbody {
        pos: uniform_f64(3 * n, -1.0, 1.0, 24),
        vel: uniform_f64(3 * n, -0.1, 0.1, 25),
        mass: uniform_f64(n, 0.5, 1.0, 26),
        kjit: (vec![0.0; 3 * n], vec![0.0; 3 * n]),
        rust: (vec![0.0; 3 * n], vec![0.0; 3 * n]),
    })
}

impl Case for Nbody {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("nbody").expect("defined");
        let shape = [BODIES, 3];
        let call = kernel.bind().input_nd("pos", &self.pos, &shape);
        let call = call
            .input_nd("vel", &self.vel, &shape)
            .input("mass", &self.mass);
        let call = call.scalar("dt", DT).scalar("eps", EPS);
        let (pos2, vel2) = (&mut self.kjit.0, &mut self.kjit.1);
        let call = call
            .output_nd("pos2", pos2, &shape)
            .output_nd("vel2", vel2, &shape);
        call.run().expect("nbody runs");
    }

    /// One task per body (rayon splits the range); the kernel's order of
    /// operations, so the sums agree bit for bit.
    fn rust(&mut self) {
        let (pos, vel, mass) = (&self.pos, &self.vel, &self.mass);
        let (pos2, vel2) = (&mut self.rust.0, &mut self.rust.1);
        let bodies = pos2
            .par_chunks_mut(3)
            .zip(vel2.par_chunks_mut(3))
            .enumerate();
        bodies.for_each(|(i, (p2, v2))| {
            let (xi, yi, zi) = (pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]);
            let (mut ax, mut ay, mut az) = (0.0f64, 0.0f64, 0.0f64);
            for j in 0..BODIES {
                let dx = pos[3 * j] - xi;
                let dy = pos[3 * j + 1] - yi;
                let dz = pos[3 * j + 2] - zi;
                let r2 = dx * dx + dy * dy + dz * dz + EPS * EPS;
                let s = mass[j] / (r2 * r2.sqrt());
                ax += s * dx;
                ay += s * dy;
                az += s * dz;
            }
            let acc = [ax, ay, az];
            for k in 0..3 {
                v2[k] = vel[3 * i + k] + DT * acc[k];
                p2[k] = pos[3 * i + k] + DT * v2[k];
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("nbody vel2", &self.kjit.1, &self.rust.1)?;
        bit_exact("nbody pos2", &self.kjit.0, &self.rust.0)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let shape = [BODIES, 3];
        npy.array("pos", &self.pos, &shape)?;
        npy.array("vel", &self.vel, &shape)?;
        npy.array("mass", &self.mass, &[BODIES])?;
        npy.array("pos2", &self.kjit.0, &shape)?;
        npy.array("vel2", &self.kjit.1, &shape)
    }
}

// ---- binomial: 64-step CRR put prices of 2^18 options, f32 ----

pub const OPTIONS: usize = 1 << 18;
const STEPS: usize = 64;

pub struct Binomial {
    s: Vec<f32>,
    k: Vec<f32>,
    t: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
}

pub fn binomial() -> Box<dyn Case> {
    Box::new(Binomial {
        s: uniform_f32(OPTIONS, 10.0, 100.0, 24),
        k: uniform_f32(OPTIONS, 10.0, 100.0, 25),
        t: uniform_f32(OPTIONS, 0.25, 2.0, 26),
        kjit: vec![0.0; OPTIONS],
        rust: vec![0.0; OPTIONS],
    })
}

const BINOMIAL_R: f32 = 0.02;
const BINOMIAL_V: f32 = 0.3;

/// One option's tree, as the kernel writes it, on a stack array: the
/// fold over `j` is what LLVM vectorizes (within one option).
fn binomial_put(s: f32, k: f32, t: f32) -> f32 {
    let dt = t / STEPS as f32;
    let u = (BINOMIAL_V * dt.sqrt()).exp();
    let d = 1.0 / u;
    let disc = (BINOMIAL_R * dt).exp();
    let pu = (disc - d) / (u - d);
    let mut values = [0.0f32; STEPS + 1];
    for (j, value) in values.iter_mut().enumerate() {
        *value = (k - s * u.powf(2.0 * j as f32 - STEPS as f32)).max(0.0);
    }
    for step in 0..STEPS {
        for j in 0..STEPS - step {
            values[j] = ((1.0 - pu) * values[j] + pu * values[j + 1]) / disc;
        }
    }
    values[0]
}

impl Case for Binomial {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("binomial").expect("defined");
        let call = kernel.bind().input("s", &self.s).input("k", &self.k);
        let call = call
            .input("t", &self.t)
            .scalar("r", BINOMIAL_R)
            .scalar("v", BINOMIAL_V);
        call.output("put", &mut self.kjit)
            .run()
            .expect("binomial runs");
    }

    fn rust(&mut self) {
        let (s, k, t) = (&self.s, &self.k, &self.t);
        self.rust
            .par_iter_mut()
            .enumerate()
            .with_min_len(256)
            .for_each(|(i, out)| *out = binomial_put(s[i], k[i], t[i]));
    }

    /// Rust's `exp` and `powf` are not kjit's (each within an ulp or so),
    /// and u^64 amplifies the difference: within 1e-5 (s + k), as the
    /// test of the kernel against an f64 tree.
    fn check(&self) -> Result<String, String> {
        let bound = |i: usize| 1e-5 * f64::from(self.s[i] + self.k[i]);
        let how = "1e-5 (s + k) (f32 exp/pow of two libraries, amplified by u^64)";
        within("binomial put", &self.kjit, &self.rust, bound, how)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("s", &self.s, &[OPTIONS])?;
        npy.array("k", &self.k, &[OPTIONS])?;
        npy.array("t", &self.t, &[OPTIONS])?;
        npy.scalar("r", BINOMIAL_R)?;
        npy.scalar("v", BINOMIAL_V)?;
        npy.array("put", &self.kjit, &[OPTIONS])
    }
}
