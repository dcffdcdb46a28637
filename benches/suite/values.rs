//! Issue 12's struct-and-tuple cost check: `kernels/ray_sphere.kern`
//! written with structs and tuples (`ray_sphere`) and with scalars
//! (`ray_sphere_scalar`), against one Rust reference. The two kjit kernels
//! should take the same time: the checker scalarises structs.

use super::{bit_exact, uniform_f32, Case, NpyDir, TASK};
use kjit::api::Program;
use rayon::prelude::*;

pub const RAYS: usize = 1 << 20;

/// The scene of `ray_sphere.kern`: centre and radius of each sphere.
const SPHERES: [[f32; 4]; 8] = [
    [0.0, 0.0, 0.0, 1.0],
    [1.5, 0.5, 1.0, 0.5],
    [-1.5, -0.5, 0.5, 0.7],
    [0.0, 1.5, 2.0, 0.6],
    [0.5, -1.5, 1.5, 0.8],
    [-1.0, 1.0, -1.0, 0.4],
    [2.0, -1.0, 3.0, 1.2],
    [-2.0, 2.0, 4.0, 1.5],
];

pub struct RaySphere {
    kernel: &'static str,
    /// ox, oy, oz, dx, dy, dz.
    rays: [Vec<f32>; 6],
    kjit: (Vec<f32>, Vec<i32>),
    rust: (Vec<f32>, Vec<i32>),
}

fn setup(kernel: &'static str) -> Box<dyn Case> {
    let ranges = [
        (-1.0, 1.0),
        (-1.0, 1.0),
        (-6.0, -4.0),
        (-0.3, 0.3),
        (-0.3, 0.3),
        (0.5, 1.0),
    ];
    let rays = std::array::from_fn(|k| uniform_f32(RAYS, ranges[k].0, ranges[k].1, 40 + k as u64));
    Box::new(RaySphere {
        kernel,
        rays,
        kjit: (vec![0.0; RAYS], vec![0; RAYS]),
        rust: (vec![0.0; RAYS], vec![0; RAYS]),
    })
}

pub fn structs() -> Box<dyn Case> {
    setup("ray_sphere")
}

pub fn scalars() -> Box<dyn Case> {
    setup("ray_sphere_scalar")
}

/// The nearest sphere a ray hits in front of its origin, in the kernels'
/// order of operations: (distance or -1, index or -1).
pub fn trace(o: [f32; 3], d: [f32; 3]) -> (f32, i32) {
    let inv = 1.0 / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
    let r = [d[0] * inv, d[1] * inv, d[2] * inv];
    let (mut best_t, mut best_id) = (f32::INFINITY, -1);
    for (s, sphere) in SPHERES.iter().enumerate() {
        let oc = [o[0] - sphere[0], o[1] - sphere[1], o[2] - sphere[2]];
        let b = oc[0] * r[0] + oc[1] * r[1] + oc[2] * r[2];
        let c = oc[0] * oc[0] + oc[1] * oc[1] + oc[2] * oc[2] - sphere[3] * sphere[3];
        let disc = b * b - c;
        let root = disc.max(0.0).sqrt();
        let near = -b - root;
        let t = if near > 0.0 { near } else { -b + root };
        if disc >= 0.0 && t > 0.0 && t < best_t {
            (best_t, best_id) = (t, s as i32);
        }
    }
    (if best_id >= 0 { best_t } else { -1.0 }, best_id)
}

impl Case for RaySphere {
    fn kjit(&mut self, program: &Program) {
        let kernel = program
            .kernel(self.kernel)
            .expect("ray_sphere.kern defines it");
        let [ox, oy, oz, dx, dy, dz] = &self.rays;
        let (t, id) = (&mut self.kjit.0, &mut self.kjit.1);
        kernel
            .bind()
            .input("ox", ox)
            .input("oy", oy)
            .input("oz", oz)
            .input("dx", dx)
            .input("dy", dy)
            .input("dz", dz)
            .output("t", t)
            .output("id", id)
            .run()
            .expect("ray_sphere runs");
    }

    fn rust(&mut self) {
        let [ox, oy, oz, dx, dy, dz] = &self.rays;
        let (t, id) = (&mut self.rust.0, &mut self.rust.1);
        let tasks = (t.par_chunks_mut(TASK), id.par_chunks_mut(TASK));
        tasks
            .into_par_iter()
            .enumerate()
            .for_each(|(task, (t, id))| {
                let start = task * TASK;
                for (k, (t, id)) in t.iter_mut().zip(id.iter_mut()).enumerate() {
                    let i = start + k;
                    (*t, *id) = trace([ox[i], oy[i], oz[i]], [dx[i], dy[i], dz[i]]);
                }
            });
    }

    fn check(&self) -> Result<String, String> {
        bit_exact("ray_sphere t", &self.kjit.0, &self.rust.0)?;
        bit_exact("ray_sphere id", &self.kjit.1, &self.rust.1)
    }

    fn save(&self, npy: &NpyDir) -> Result<(), String> {
        let names = ["ox", "oy", "oz", "dx", "dy", "dz"];
        for (name, v) in names.iter().zip(&self.rays) {
            npy.array(name, v, &[RAYS])?;
        }
        npy.array("t", &self.kjit.0, &[RAYS])?;
        npy.array("id", &self.kjit.1, &[RAYS])
    }
}
