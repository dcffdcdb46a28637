//! The benchmark suite shared by `benches/jit.rs` (criterion) and
//! `benches/report.rs` (the report harness): each case's inputs, its kjit
//! call, its plain Rust + rayon reference, and the check that both agree.
//!
//! A case owns its inputs and two sets of outputs (kjit's and Rust's), so
//! either side can run any number of times and be compared at the end. The
//! Rust references are what a careful programmer writes without
//! intrinsics: iterators, `par_iter`/`par_chunks_mut`, and the kernel's
//! operations in the kernel's order wherever Rust can express it, so most
//! checks are bit for bit. Where they cannot be (a different `erf`), the
//! tolerance is stated in the check's text.

pub mod grids;
pub mod ints;
pub mod loops;
pub mod maps;
pub mod reductions;
pub mod stream;
pub mod values;

use kjit::api::Program;
use kjit::options::Options;
use kjit::value::{Array, ArrayData, Scalar, Value};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use stream::Op;

/// One benchmark: a kernel call and its Rust reference on shared inputs.
pub trait Case: Send {
    /// Runs the kernel; `program` was compiled for some thread count.
    fn kjit(&mut self, program: &Program);
    /// Runs the Rust reference on the current rayon pool.
    fn rust(&mut self);
    /// Compares the last outputs of both sides: `Ok` says how they agree
    /// ("bit-exact", or the largest difference and its bound).
    fn check(&self) -> Result<String, String>;
    /// Writes the kernel's arguments and kjit's outputs for the peers.
    fn save(&self, npy: &NpyDir) -> Result<(), String>;
}

/// What limits a case, which decides its target and its throughput unit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Bandwidth: reported in GB/s and against the STREAM floor.
    Memory,
    /// Arithmetic: reported in Gelem/s.
    Compute,
    /// The fixed cost of a call: reported as overhead over the Rust loop.
    Call,
}

/// A case as listed in the report.
pub struct Spec {
    /// Row name, criterion group and `.npy` prefix.
    pub name: &'static str,
    /// The file `kernels/NAME.kern` (its kernel has the same name).
    pub kernel: &'static str,
    pub size: &'static str,
    /// Elements (or pixels) per call.
    pub elements: u64,
    /// Bytes a call moves, counted as STREAM counts them (every array
    /// element read or written once, no write-allocate traffic), and the
    /// STREAM op with the same mix of reads and writes, which sets the
    /// floor. `None` where negligible (mandelbrot: 4 bytes per pixel).
    pub traffic: Option<(u64, Op)>,
    pub bound: Bound,
    /// The least speed-up over the Rust reference (Rust time / kjit time)
    /// issue 5 asks for; for `Bound::Call`, the most overhead in ns.
    pub target: f64,
    pub setup: fn() -> Box<dyn Case>,
}

/// Elements per rayon task in the references: kjit's chunk size, enough
/// to make task overhead vanish and to leave work for both threads.
pub const TASK: usize = 16 * 1024;

/// Every case, in report order: (bytes per element, STREAM op), bound,
/// target speed-up over Rust.
#[rustfmt::skip]
pub fn cases() -> Vec<Spec> {
    use Bound::*;
    use Op::*;
    let spec = |name, kernel, size, elements: usize, traffic: Option<(u64, Op)>, bound, target, setup| {
        let traffic = traffic.map(|(per, op)| (elements as u64 * per, op));
        Spec { name, kernel, size, elements: elements as u64, traffic, bound, target, setup }
    };
    let (n25, n24, n22) = (1 << 25, 1 << 24, 1 << 22);
    let (px, mandel) = (4096 * 4096, grids::MANDEL_SIZE * grids::MANDEL_SIZE);
    vec![
        spec("saxpy", "saxpy", "2^25 f32", n25, Some((12, Triad)), Memory, 0.9, maps::saxpy_large),
        spec("triad", "triad", "2^24 f64", n24, Some((24, Triad)), Memory, 0.9, maps::triad),
        spec("dot", "dot", "2^24 f64", n24, Some((16, Read)), Memory, 0.9, reductions::dot),
        spec("blur", "blur", "4096² f32", px, Some((8, Copy)), Memory, 0.9, grids::blur),
        // Two passes over x: the max, then the sum of exps.
        spec("logsumexp", "logsumexp", "2^24 f64", n24, Some((16, Read)), Memory, 0.9, reductions::logsumexp),
        spec("poly", "poly", "2^24 f32", n24, Some((8, Copy)), Compute, 0.6, maps::poly),
        spec("mandelbrot", "mandelbrot", "2048², 256 it", mandel, None, Compute, 3.0, grids::mandelbrot),
        spec("blackscholes", "blackscholes", "2^22 f32", n22, Some((20, Triad)), Compute, 1.5, maps::blackscholes),
        spec("saxpy_call", "saxpy", "1000 f32", 1000, None, Call, 1000.0, maps::saxpy_small),
        // Issue 11's kernels: target 0.8× Rust + rayon.
        spec("jacobi", "jacobi", "1024² f32, 50 sweeps", 50 * (1 << 20), Some((8, Copy)), Memory, 0.8, loops::jacobi),
        spec("stencil3d", "stencil3d", "256³ f32", 1 << 24, Some((8, Copy)), Memory, 0.8, loops::stencil3d),
        spec("ema", "ema", "4096² f32", 1 << 24, Some((8, Copy)), Memory, 0.8, loops::ema),
        spec("nbody", "nbody", "4096 bodies f64", 4096 * 4096, None, Compute, 0.8, loops::nbody),
        spec("binomial", "binomial", "2^18 options, 64 steps", loops::OPTIONS * 2145, None, Compute, 0.8, loops::binomial),
        // Issue 12: argmin near bandwidth, 0.8× Rust + rayon.
        spec("argmin", "argmin", "2^24 f32", n24, Some((4, Read)), Memory, 0.8, reductions::argmin),
        // Issue 12's integer kernels: target 0.8× Rust + rayon.
        spec("rgb_gray", "rgb_gray", "4096² u8 RGB", ints::GRAY_H * ints::GRAY_W, Some((4, Copy)), Memory, 0.8, ints::rgb_gray),
        spec("hash_u32", "hash_u32", "2^24 u32", n24, Some((12, Triad)), Compute, 0.8, ints::hash_u32),
        // Issue 12: structs and tuples cost nothing (the same kernel written
        // with scalars is the second case); 0.8× Rust + rayon.
        spec("ray_sphere", "ray_sphere", "2^20 rays × 8 spheres", values::RAYS, None, Compute, 0.8, values::structs),
        spec("ray_sphere_scalar", "ray_sphere", "2^20 rays × 8 spheres", values::RAYS, None, Compute, 0.8, values::scalars),
    ]
}

/// `kernels/`, and every `.kern` file in it, sorted.
pub fn kernel_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a kernels/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kern"))
        .collect();
    files.sort();
    files
}

pub fn kernel_source(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("kernels/{name}.kern"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `kernels/NAME.kern` compiled to run phases on `threads` threads (1: on
/// the calling thread; more: a pool of the program's own).
pub fn compile(name: &str, threads: usize) -> Program {
    let options = Options {
        threads: Some(threads),
        ..Options::default()
    };
    Program::compile(&kernel_source(name), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A rayon pool for the Rust references.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    pool.build().expect("a rayon pool")
}

// ---- inputs ----

/// splitmix64 of (seed, i): each element is a function of its index, so
/// inputs are generated in parallel and identical in every run.
pub fn mix(seed: u64, i: usize) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(i as u64)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `n` f32s uniform in [lo, hi): 24 random bits, so rounding to f32 never
/// reaches `hi` for the ranges used here.
pub fn uniform_f32(n: usize, lo: f32, hi: f32, seed: u64) -> Vec<f32> {
    let (lo, span) = (lo as f64, (hi - lo) as f64);
    let u = |i| (mix(seed, i) >> 40) as f64 / (1u64 << 24) as f64;
    (0..n)
        .into_par_iter()
        .map(|i| (lo + span * u(i)) as f32)
        .collect()
}

/// `n` f64s uniform in [lo, hi) (53 random bits).
pub fn uniform_f64(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let u = |i| (mix(seed, i) >> 11) as f64 / (1u64 << 53) as f64;
    (0..n)
        .into_par_iter()
        .map(|i| lo + (hi - lo) * u(i))
        .collect()
}

// ---- checks ----

/// Every element identical, bit for bit.
pub fn bit_exact<T: Copy + PartialEq + std::fmt::Debug>(
    what: &str,
    kjit: &[T],
    rust: &[T],
) -> Result<String, String> {
    assert_eq!(kjit.len(), rust.len(), "{what}: lengths");
    match (0..kjit.len()).find(|&i| kjit[i] != rust[i]) {
        None => Ok("bit-exact".into()),
        Some(i) => Err(format!(
            "{what}[{i}]: kjit {:?}, Rust {:?} (expected bit-exact)",
            kjit[i], rust[i]
        )),
    }
}

/// `|kjit - rust| <= bound(i)` everywhere; `Ok` gives the largest ratio of
/// difference to bound, and `how` (the bound, in words).
pub fn within<T: Copy + Into<f64>>(
    what: &str,
    kjit: &[T],
    rust: &[T],
    bound: impl Fn(usize) -> f64,
    how: &str,
) -> Result<String, String> {
    assert_eq!(kjit.len(), rust.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for i in 0..kjit.len() {
        let (k, r) = (kjit[i].into(), rust[i].into());
        let used = (k - r).abs() / bound(i);
        if !(used <= 1.0 || k == r) {
            return Err(format!("{what}[{i}]: kjit {k:e}, Rust {r:e}, bound {how}"));
        }
        worst = worst.max(if k == r { 0.0 } else { used });
    }
    Ok(format!("|Δ| ≤ {how}; worst |Δ| = {worst:.2} of the bound"))
}

// ---- .npy files for the peers ----

/// Where a case writes `CASE.ARG.npy` files (inputs, scalars included, and
/// kjit's outputs) for `benches/peers.py`.
pub struct NpyDir<'a> {
    pub dir: &'a Path,
    pub case: &'a str,
}

impl NpyDir<'_> {
    pub fn scalar(&self, name: &str, x: impl Into<Scalar>) -> Result<(), String> {
        self.write(name, Value::Scalar(x.into()))
    }

    /// A 1-D array, or a 2-D one with `shape`.
    pub fn array<T: Clone>(&self, name: &str, data: &[T], shape: &[usize]) -> Result<(), String>
    where
        Vec<T>: Into<ArrayData>,
    {
        let array = Array::new(shape.to_vec(), data.to_vec()).map_err(|e| format!("{e:?}"))?;
        self.write(name, Value::Array(array))
    }

    fn write(&self, name: &str, value: Value) -> Result<(), String> {
        let path = self.dir.join(format!("{}.{name}.npy", self.case));
        kjit::npy::write(&path, &value).map_err(|e| format!("{}: {e}", path.display()))
    }
}
