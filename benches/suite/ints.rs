//! Integer kernels of issue 12: rgb_gray (u8 image → u8 gray) and hash_u32
//! (a murmur3 finalizer per element).

use super::{bit_exact, mix, Case, NpyDir, TASK};
use kjit::api::Program;
use rayon::prelude::*;

// ---- rgb_gray: u8[h, w, 3] → u8[h, w] ----

pub const GRAY_H: usize = 4096;
pub const GRAY_W: usize = 4096;

pub struct RgbGray {
    img: Vec<u8>,
    kjit: Vec<u8>,
    rust: Vec<u8>,
}

pub fn rgb_gray() -> Box<dyn Case> {
    let n = GRAY_H * GRAY_W;
    let img = (0..3 * n)
        .into_par_iter()
        .map(|i| mix(11, i) as u8)
        .collect();
    Box::new(RgbGray {
        img,
        kjit: vec![0; n],
        rust: vec![0; n],
    })
}

/// The kernel's formula, in u32 as the kernel computes it.
fn gray(rgb: &[u8]) -> u8 {
    let (r, g, b) = (rgb[0] as u32, rgb[1] as u32, rgb[2] as u32);
    ((77 * r + 150 * g + 29 * b + 128) >> 8) as u8
}

impl Case for RgbGray {
    fn kjit(&mut self, program: &Program) {
        let kernel = program
            .kernel("rgb_gray")
            .expect("rgb_gray.kern defines it");
        let call = kernel
            .bind()
            .input_nd("img", &self.img, &[GRAY_H, GRAY_W, 3]);
        call.output_nd("gray", &mut self.kjit, &[GRAY_H, GRAY_W])
            .run()
            .expect("rgb_gray runs");
    }

    fn rust(&mut self) {
        let tasks = self
            .rust
            .par_chunks_mut(TASK)
            .zip(self.img.par_chunks(3 * TASK));
        tasks.for_each(|(out, img)| {
            for (o, rgb) in out.iter_mut().zip(img.chunks_exact(3)) {
                *o = gray(rgb);
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("rgb_gray gray", &self.kjit, &self.rust)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("img", &self.img, &[GRAY_H, GRAY_W, 3])?;
        npy.array("gray", &self.kjit, &[GRAY_H, GRAY_W])
    }
}

// ---- hash_u32: fmix32(key ^ seed * golden) and a unit float ----

pub struct HashU32 {
    keys: Vec<u32>,
    seed: u32,
    kjit: (Vec<u32>, Vec<f32>),
    rust: (Vec<u32>, Vec<f32>),
}

pub fn hash_u32() -> Box<dyn Case> {
    let n = 1 << 24;
    Box::new(HashU32 {
        keys: (0..n as u32).collect(),
        seed: 42,
        kjit: (vec![0; n], vec![0.0; n]),
        rust: (vec![0; n], vec![0.0; n]),
    })
}

fn fmix32(k: u32) -> u32 {
    let h = k ^ (k >> 16);
    let h = h.wrapping_mul(0x85eb_ca6b);
    let h = h ^ (h >> 13);
    let h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

impl Case for HashU32 {
    fn kjit(&mut self, program: &Program) {
        let kernel = program
            .kernel("hash_u32")
            .expect("hash_u32.kern defines it");
        let call = kernel
            .bind()
            .input("keys", &self.keys)
            .scalar("seed", self.seed);
        let (h, u) = (&mut self.kjit.0, &mut self.kjit.1);
        call.output("hash", h)
            .output("unit", u)
            .run()
            .expect("hash_u32 runs");
    }

    fn rust(&mut self) {
        let salt = std::hint::black_box(self.seed).wrapping_mul(0x9e37_79b9);
        let (hash, unit) = (&mut self.rust.0, &mut self.rust.1);
        let tasks = (
            hash.par_chunks_mut(TASK),
            unit.par_chunks_mut(TASK),
            self.keys.par_chunks(TASK),
        );
        tasks.into_par_iter().for_each(|(hash, unit, keys)| {
            for ((h, u), &k) in hash.iter_mut().zip(unit.iter_mut()).zip(keys) {
                *h = fmix32(k ^ salt);
                *u = (*h >> 8) as f32 * 5.960_464_5e-8;
            }
        });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("hash_u32 hash", &self.kjit.0, &self.rust.0)?;
        bit_exact("hash_u32 unit", &self.kjit.1, &self.rust.1)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        npy.array("keys", &self.keys, &[self.keys.len()])?;
        npy.scalar("seed", self.seed)?;
        npy.array("hash", &self.kjit.0, &[self.keys.len()])?;
        npy.array("unit", &self.kjit.1, &[self.keys.len()])
    }
}
