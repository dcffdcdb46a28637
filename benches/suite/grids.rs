//! 2-D kernels: mandelbrot (divergent loops), blur (a 3 × 3 stencil).

use super::{bit_exact, uniform_f32, Case, NpyDir};
use kjit::api::Program;
use rayon::prelude::*;

// ---- mandelbrot: escape counts over re [-2, 1), im [-1.5, 1.5) ----

pub const MANDEL_SIZE: usize = 2048;
const MANDEL_ITER: i32 = 256;
const MANDEL_X0: f32 = -2.0;
const MANDEL_Y0: f32 = -1.5;
/// 3 / 2048, exact in f32.
const MANDEL_STEP: f32 = 3.0 / MANDEL_SIZE as f32;

pub struct Mandelbrot {
    kjit: Vec<i32>,
    rust: Vec<i32>,
}

pub fn mandelbrot() -> Box<dyn Case> {
    let pixels = MANDEL_SIZE * MANDEL_SIZE;
    Box::new(Mandelbrot {
        kjit: vec![0; pixels],
        rust: vec![0; pixels],
    })
}

impl Case for Mandelbrot {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("mandelbrot").expect("defined");
        let call = kernel
            .bind()
            .scalar("x0", MANDEL_X0)
            .scalar("y0", MANDEL_Y0);
        let call = call.scalar("dx", MANDEL_STEP).scalar("dy", MANDEL_STEP);
        let call = call.scalar("max_iter", MANDEL_ITER);
        let shape = [MANDEL_SIZE, MANDEL_SIZE];
        let call = call.output_2d("count", &mut self.kjit, shape);
        call.run().expect("mandelbrot runs");
    }

    /// The kernel's loop, one row per task; LLVM keeps it scalar (the trip
    /// count differs per pixel).
    fn rust(&mut self) {
        let rows = self.rust.par_chunks_mut(MANDEL_SIZE).enumerate();
        rows.for_each(|(row, line)| {
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

    fn check(&self) -> Result<String, String> {
        bit_exact("mandelbrot count", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.scalar("x0", MANDEL_X0)?;
        npy.scalar("y0", MANDEL_Y0)?;
        npy.scalar("dx", MANDEL_STEP)?;
        npy.scalar("dy", MANDEL_STEP)?;
        npy.scalar("max_iter", MANDEL_ITER)?;
        npy.array("count", &self.kjit, &[MANDEL_SIZE, MANDEL_SIZE])
    }
}

// ---- blur: 3 × 3 box blur, borders copied, f32 ----

const BLUR_SIZE: usize = 4096;

pub struct Blur {
    img: Vec<f32>,
    kjit: Vec<f32>,
    rust: Vec<f32>,
}

pub fn blur() -> Box<dyn Case> {
    let pixels = BLUR_SIZE * BLUR_SIZE;
    Box::new(Blur {
        img: uniform_f32(pixels, 0.0, 1.0, 12),
        kjit: vec![0.0; pixels],
        rust: vec![0.0; pixels],
    })
}

/// One output row: the mean of each 3 × 3 neighbourhood, summed row by
/// row as the kernel does (its sum starts at 0.0: adding it keeps the
/// order identical), the first and last pixels copied.
///
/// The form matters to LLVM: this one vectorizes (8 pixels per AVX
/// instruction). A loop over `windows(3)` chained was 6× slower, and
/// indexing `u[c + 2]` left a bounds check in the loop, which kept it
/// scalar (2× slower) in this crate, though not in a small test.
fn blur_row(out: &mut [f32], up: &[f32], mid: &[f32], down: &[f32]) {
    let w = out.len();
    out[0] = mid[0];
    out[w - 1] = mid[w - 1];
    let windows = up.windows(3).zip(mid.windows(3)).zip(down.windows(3));
    for (o, ((u, m), d)) in out[1..w - 1].iter_mut().zip(windows) {
        let s = 0.0 + u[0] + u[1] + u[2];
        let s = s + m[0] + m[1] + m[2];
        let s = s + d[0] + d[1] + d[2];
        *o = s / 9.0;
    }
}

impl Case for Blur {
    fn kjit(&mut self, program: &Program) {
        let kernel = program.kernel("blur").expect("blur.kern defines blur");
        let shape = [BLUR_SIZE, BLUR_SIZE];
        let call = kernel.bind().input_2d("img", &self.img, shape);
        call.output_2d("out", &mut self.kjit, shape)
            .run()
            .expect("runs");
    }

    fn rust(&mut self) {
        let (w, img) = (BLUR_SIZE, &self.img);
        let rows = self.rust.par_chunks_mut(w).enumerate();
        rows.for_each(|(r, out)| {
            let line = |r: usize| &img[r * w..(r + 1) * w];
            if r == 0 || r == BLUR_SIZE - 1 {
                out.copy_from_slice(line(r));
            } else {
                blur_row(out, line(r - 1), line(r), line(r + 1));
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("blur out", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let shape = [BLUR_SIZE, BLUR_SIZE];
        npy.array("img", &self.img, &shape)?;
        npy.array("out", &self.kjit, &shape)
    }
}
