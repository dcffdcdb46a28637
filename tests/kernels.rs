//! The example kernels in `kernels/`: each checks clean, its IR verifies,
//! and on the reference evaluator it matches an independent computation in
//! plain Rust at several lengths (0, 1, around a vector width, not a
//! multiple of 8, a few thousand). Every file also runs with its own
//! `// default:` inputs, sizes shrunk so the debug build stays fast.
//!
//! Comparisons are exact where the Rust code performs the same IEEE
//! operations in the same order (kern never reorders or contracts float
//! operations); elsewhere the tolerance is stated next to the check.

use kjit::inputs::{self, Literal, Spec};
use kjit::ir::Module;
use kjit::value::{Args, Array, ArrayData, Outputs, Scalar, Value};
use std::path::{Path, PathBuf};

/// Every file in `kernels/`, each with a test below.
const KERNELS: &[&str] = &[
    "argmin",
    "binomial",
    "blackscholes",
    "blur",
    "dot",
    "ema",
    "hash_u32",
    "heat",
    "jacobi",
    "logsumexp",
    "mandelbrot",
    "nbody",
    "normalize",
    "poly",
    "ray_sphere",
    "rgb_gray",
    "saxpy",
    "softmax",
    "stencil3d",
    "triad",
];

/// 1-D lengths: empty, one, W-1 and W+1 for 8 lanes, not a multiple of 8.
const LENGTHS: &[usize] = &[0, 1, 7, 9, 1000, 4099];

/// 2-D shapes, including empty, single-pixel and no-interior ones.
const SHAPES: &[(usize, usize)] = &[(0, 0), (0, 5), (1, 1), (2, 5), (3, 3), (17, 23), (64, 70)];

fn kernel_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels")
}

struct Kern {
    name: &'static str,
    source: String,
    module: Module,
}

/// Reads `kernels/NAME.kern`; it must check without any diagnostic and its
/// IR must verify.
fn load(name: &'static str) -> Kern {
    let path = kernel_dir().join(format!("{name}.kern"));
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let checked = kjit::check(&source);
    assert!(
        checked.diagnostics.is_empty(),
        "kernels/{name}.kern does not check clean:\n{}",
        kjit::diagnostic::render(
            &checked.diagnostics,
            &format!("{name}.kern"),
            &source,
            false
        )
    );
    let module = checked
        .module
        .expect("a file without diagnostics has a module");
    if let Err(err) = kjit::ir::verify(&module) {
        panic!("kernels/{name}.kern: IR does not verify: {err}");
    }
    Kern {
        name,
        source,
        module,
    }
}

impl Kern {
    fn run(&self, args: &Args) -> Outputs {
        kjit::eval::evaluate(&self.module, self.name, args)
            .unwrap_or_else(|e| panic!("kernels/{}.kern: {}", self.name, e.describe(&self.source)))
    }
}

/// Deterministic inputs from xorshift64*, independent of kjit's generators.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// Uniform in `[lo, hi)`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        lo + (hi - lo) * (bits as f64 / (1u64 << 53) as f64)
    }

    fn f64s(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }

    fn f32s(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi) as f32).collect()
    }
}

fn array_2d(h: usize, w: usize, data: impl Into<ArrayData>) -> Array {
    Array::new(vec![h, w], data).expect("data length matches the shape")
}

fn get<'a>(out: &'a Outputs, name: &str) -> &'a Value {
    out.get(name)
        .unwrap_or_else(|| panic!("no output `{name}`"))
}

fn f32s(out: &Outputs, name: &str) -> Vec<f32> {
    match get(out, name) {
        Value::Array(Array {
            data: ArrayData::F32(v),
            ..
        }) => v.clone(),
        other => panic!("`{name}` is not an f32 array: {other:?}"),
    }
}

fn f64s(out: &Outputs, name: &str) -> Vec<f64> {
    match get(out, name) {
        Value::Array(Array {
            data: ArrayData::F64(v),
            ..
        }) => v.clone(),
        other => panic!("`{name}` is not an f64 array: {other:?}"),
    }
}

fn f64_scalar(out: &Outputs, name: &str) -> f64 {
    match get(out, name) {
        Value::Scalar(Scalar::F64(x)) => *x,
        other => panic!("`{name}` is not an f64 scalar: {other:?}"),
    }
}

/// Bit-for-bit equality, except that every NaN equals every NaN.
trait Same: Copy + std::fmt::Debug {
    fn same(self, other: Self) -> bool;
}

impl Same for f32 {
    fn same(self, other: f32) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan())
    }
}

impl Same for f64 {
    fn same(self, other: f64) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan())
    }
}

impl Same for i32 {
    fn same(self, other: i32) -> bool {
        self == other
    }
}

/// Every element the same (see [`Same`]), naming the first difference.
fn assert_same<T: Same>(what: &str, actual: &[T], expected: &[T]) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    if let Some(i) = (0..actual.len()).find(|&i| !actual[i].same(expected[i])) {
        panic!(
            "{what}[{i}]: actual {:?}, expected {:?}",
            actual[i], expected[i]
        );
    }
}

/// `|actual - expected| <= tol(i)` for every element.
fn assert_within(what: &str, actual: &[f64], expected: &[f64], tol: impl Fn(usize) -> f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for i in 0..actual.len() {
        let (a, e) = (actual[i], expected[i]);
        assert!(
            (a - e).abs() <= tol(i) || a == e,
            "{what}[{i}]: actual {a:?}, expected {e:?} (tolerance {:e})",
            tol(i)
        );
    }
}

#[test]
fn every_kernel_file_is_tested() {
    let mut on_disk: Vec<String> = std::fs::read_dir(kernel_dir())
        .expect("read kernels/")
        .map(|e| e.expect("read kernels/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kern"))
        .map(|p| {
            p.file_stem()
                .expect("file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk, KERNELS,
        "tests/kernels.rs must list (and test) every kernels/*.kern file"
    );
}

/// Every kernel runs on the inputs its `// default:` lines give, with each
/// size shrunk to 37 so the debug build stays fast; float outputs hold no
/// NaN (the defaults must make sense).
#[test]
fn defaults_run() {
    for &name in KERNELS {
        let kern = load(name);
        let defaults = inputs::Defaults::parse(&kern.source)
            .unwrap_or_else(|e| panic!("kernels/{name}.kern: {e}"));
        for kernel in &kern.module.kernels {
            let specs = defaults
                .for_kernel(&kern.module, kernel)
                .unwrap_or_else(|e| panic!("kernels/{name}.kern: {e}"));
            let small = kernel
                .sizes
                .values()
                .filter(|s| s.definition.is_none())
                .map(|s| (s.name.clone(), Spec::Scalar(Literal::Int(37))))
                .collect();
            let args = inputs::materialize(kernel, &inputs::merge(specs, small))
                .unwrap_or_else(|e| panic!("kernels/{name}.kern, kernel `{}`: {e}", kernel.name));
            let out = kjit::eval::evaluate(&kern.module, &kernel.name, &args)
                .unwrap_or_else(|e| panic!("kernels/{name}.kern: {}", e.describe(&kern.source)));
            for (output, value) in &out.values {
                let has_nan = match value {
                    Value::Scalar(s) => s.to_string() == "NaN",
                    Value::Array(a) => a.data.iter().any(|s| s.to_string() == "NaN"),
                };
                assert!(
                    !has_nan,
                    "kernels/{name}.kern: output `{output}` has NaN on the default inputs"
                );
            }
        }
    }
}

#[test]
fn rgb_gray() {
    let kern = load("rgb_gray");
    let mut rng = Rng::new(21);
    for &(h, w) in SHAPES {
        let img: Vec<u8> = (0..h * w * 3)
            .map(|_| rng.uniform(0.0, 256.0) as u8)
            .collect();
        let args = Args::new().array("img", Array::new(vec![h, w, 3], img.clone()).unwrap());
        // BT.601 in 1/256ths, rounded: computed in u32, never overflowing.
        let expected: Vec<u8> = img
            .chunks_exact(3)
            .map(|p| {
                let (r, g, b) = (p[0] as u32, p[1] as u32, p[2] as u32);
                ((77 * r + 150 * g + 29 * b + 128) >> 8) as u8
            })
            .collect();
        match get(&kern.run(&args), "gray") {
            Value::Array(a) => assert_eq!(a.data, ArrayData::U8(expected), "{h}x{w}"),
            other => panic!("gray is not an array: {other:?}"),
        }
    }
}

#[test]
fn hash_u32() {
    let kern = load("hash_u32");
    // MurmurHash3's fmix32, with wrapping multiplies.
    let fmix32 = |k: u32| {
        let h = (k ^ (k >> 16)).wrapping_mul(0x85eb_ca6b);
        let h = (h ^ (h >> 13)).wrapping_mul(0xc2b2_ae35);
        h ^ (h >> 16)
    };
    let mut rng = Rng::new(22);
    for &n in LENGTHS {
        let keys: Vec<u32> = (0..n)
            .map(|_| rng.uniform(0.0, 4294967296.0) as u32)
            .collect();
        let seed = u32::MAX - 6;
        let args = Args::new()
            .array("keys", Array::from_vec(keys.clone()))
            .scalar("seed", seed);
        let out = kern.run(&args);
        let hashes: Vec<u32> = keys
            .iter()
            .map(|&k| fmix32(k ^ seed.wrapping_mul(0x9e37_79b9)))
            .collect();
        let units: Vec<f32> = hashes
            .iter()
            .map(|&h| (h >> 8) as f32 / 16_777_216.0)
            .collect();
        match get(&out, "hash") {
            Value::Array(a) => assert_eq!(a.data, ArrayData::U32(hashes), "n={n}"),
            other => panic!("hash is not an array: {other:?}"),
        }
        assert_same(&format!("hash_u32 unit n={n}"), &f32s(&out, "unit"), &units);
        assert!(units.iter().all(|&u| (0.0..1.0).contains(&u)));
    }
}

/// The scene of `ray_sphere.kern`.
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

/// The nearest sphere in front of a ray, in the kernel's order of
/// operations: (distance or -1, index or -1).
fn trace(o: [f32; 3], d: [f32; 3]) -> (f32, i32) {
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

#[test]
fn ray_sphere() {
    let kern = load("ray_sphere");
    let mut rng = Rng::new(12);
    let ranges = [
        (-1.0, 1.0),
        (-1.0, 1.0),
        (-6.0, -4.0),
        (-0.3, 0.3),
        (-0.3, 0.3),
        (0.5, 1.0),
    ];
    let names = ["ox", "oy", "oz", "dx", "dy", "dz"];
    for &n in LENGTHS {
        let mut rays: Vec<Vec<f32>> = ranges.iter().map(|&(lo, hi)| rng.f32s(n, lo, hi)).collect();
        if n > 0 {
            // By hand: along the z axis from z = -5, sphere 0 (radius 1 at
            // the origin) is hit at its surface z = -1, distance 4.
            for (k, v) in [0.0, 0.0, -5.0, 0.0, 0.0, 1.0].into_iter().enumerate() {
                rays[k][0] = v;
            }
        }
        let args = names
            .iter()
            .zip(&rays)
            .fold(Args::new(), |args, (name, v)| {
                args.array(name, Array::from_vec(v.clone()))
            });
        let expected: Vec<(f32, i32)> = (0..n)
            .map(|i| {
                trace(
                    [rays[0][i], rays[1][i], rays[2][i]],
                    [rays[3][i], rays[4][i], rays[5][i]],
                )
            })
            .collect();
        let want_t: Vec<f32> = expected.iter().map(|e| e.0).collect();
        let want_id: Vec<i32> = expected.iter().map(|e| e.1).collect();
        if n > 0 {
            assert_eq!(expected[0], (4.0, 0), "the hand-computed ray");
        }
        for kernel in ["ray_sphere", "ray_sphere_scalar"] {
            let out = kjit::eval::evaluate(&kern.module, kernel, &args)
                .unwrap_or_else(|e| panic!("{kernel}: {}", e.describe(&kern.source)));
            assert_same(&format!("{kernel} t n={n}"), &f32s(&out, "t"), &want_t);
            match get(&out, "id") {
                Value::Array(a) => {
                    assert_eq!(a.data, ArrayData::I32(want_id.clone()), "{kernel} n={n}")
                }
                other => panic!("id is not an array: {other:?}"),
            }
        }
        if n >= 1000 {
            // The scene is seen: some rays hit, some miss.
            assert!(want_id.iter().any(|&id| id >= 0) && want_id.contains(&-1));
        }
    }
}

#[test]
fn saxpy() {
    let kern = load("saxpy");
    let mut rng = Rng::new(1);
    for &n in LENGTHS {
        let (a, x, y) = (2.5f32, rng.f32s(n, -1.0, 1.0), rng.f32s(n, -1.0, 1.0));
        let args = Args::new()
            .scalar("a", a)
            .array("x", Array::from_vec(x.clone()))
            .array("y", Array::from_vec(y.clone()));
        let expected: Vec<f32> = (0..n).map(|i| a * x[i] + y[i]).collect();
        assert_same(
            &format!("saxpy n={n}"),
            &f32s(&kern.run(&args), "out"),
            &expected,
        );
    }
}

#[test]
fn triad() {
    let kern = load("triad");
    let mut rng = Rng::new(2);
    for &n in LENGTHS {
        let (s, b, c) = (3.0f64, rng.f64s(n, 0.0, 1.0), rng.f64s(n, 0.0, 1.0));
        let args = Args::new()
            .scalar("s", s)
            .array("b", Array::from_vec(b.clone()))
            .array("c", Array::from_vec(c.clone()));
        let expected: Vec<f64> = (0..n).map(|i| b[i] + s * c[i]).collect();
        assert_same(
            &format!("triad n={n}"),
            &f64s(&kern.run(&args), "a"),
            &expected,
        );
    }
}

/// The first smallest element by a plain scan (NumPy's `argmin`: a NaN
/// wins, the first of equals); with NaNs, repeated minima and +inf.
#[test]
fn argmin() {
    let kern = load("argmin");
    let mut rng = Rng::new(4);
    for &n in LENGTHS {
        let mut x = rng.f32s(n, -1.0, 1.0);
        let variants: Vec<Vec<f32>> = vec![
            x.clone(),
            x.iter().map(|v| (v * 4.0).round()).collect(),
            vec![f32::INFINITY; n],
            {
                if n > 3 {
                    x[n / 2] = f32::NAN;
                    x[n - 1] = f32::NAN;
                }
                x.clone()
            },
        ];
        for x in variants {
            let mut expected = -1i64;
            for (k, &v) in x.iter().enumerate() {
                let best = if expected < 0 {
                    None
                } else {
                    Some(x[expected as usize])
                };
                let take = match best {
                    None => true,
                    Some(b) => !b.is_nan() && (v.is_nan() || v < b),
                };
                if take {
                    expected = k as i64;
                }
            }
            let out = kern.run(&Args::new().array("x", Array::from_vec(x.clone())));
            assert_eq!(
                get(&out, "i"),
                &Value::Scalar(Scalar::I64(expected)),
                "argmin n={n}"
            );
        }
    }
}

#[test]
fn dot() {
    let kern = load("dot");
    let mut rng = Rng::new(3);
    for &n in LENGTHS {
        let (x, y) = (rng.f64s(n, -1.0, 1.0), rng.f64s(n, -1.0, 1.0));
        let args = Args::new()
            .array("x", Array::from_vec(x.clone()))
            .array("y", Array::from_vec(y.clone()));
        let d = f64_scalar(&kern.run(&args), "d");
        // Any summation order is within (n + 1) eps of the sum of |x y|.
        let expected: f64 = (0..n).map(|i| x[i] * y[i]).sum();
        let bound =
            (n as f64 + 1.0) * f64::EPSILON * (0..n).map(|i| (x[i] * y[i]).abs()).sum::<f64>();
        assert_within(&format!("dot n={n}"), &[d], &[expected], |_| bound);
        // Closed form, exact: sum of i * 1 for i < n is n (n - 1) / 2.
        let iota: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let args = Args::new()
            .array("x", Array::from_vec(iota))
            .array("y", Array::from_vec(vec![1.0f64; n]));
        let exact = (n * n.saturating_sub(1) / 2) as f64;
        assert_eq!(
            f64_scalar(&kern.run(&args), "d"),
            exact,
            "dot of iota and ones, n={n}"
        );
    }
}

/// erfc for x >= 0 (Numerical Recipes' `erfcc`, relative error < 1.2e-7),
/// written here so the oracle shares no code with kjit's math.
fn erfc_nr(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The standard normal CDF.
fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc_nr(-x / std::f64::consts::SQRT_2)
}

#[test]
fn blackscholes() {
    let kern = load("blackscholes");
    let mut rng = Rng::new(4);
    let (r, v) = (0.02f32, 0.3f32);
    for &n in LENGTHS {
        let s = rng.f32s(n, 10.0, 100.0);
        let k = rng.f32s(n, 10.0, 100.0);
        let t = rng.f32s(n, 0.25, 2.0);
        let args = Args::new()
            .array("s", Array::from_vec(s.clone()))
            .array("k", Array::from_vec(k.clone()))
            .array("t", Array::from_vec(t.clone()))
            .scalar("r", r)
            .scalar("v", v);
        let out = kern.run(&args);
        let widen = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
        let (call, put) = (widen(f32s(&out, "call")), widen(f32s(&out, "put")));
        let (mut call_ref, mut put_ref, mut parity) = (vec![], vec![], vec![]);
        for i in 0..n {
            let (s, k, t, r, v) = (s[i] as f64, k[i] as f64, t[i] as f64, r as f64, v as f64);
            let d1 = ((s / k).ln() + (r + 0.5 * v * v) * t) / (v * t.sqrt());
            let d2 = d1 - v * t.sqrt();
            let disc = k * (-r * t).exp();
            call_ref.push(s * normal_cdf(d1) - disc * normal_cdf(d2));
            put_ref.push(disc * normal_cdf(-d2) - s * normal_cdf(-d1));
            parity.push(s - disc);
        }
        // f32 arithmetic on prices of size s + k: about 8 f32 ulps of s + k
        // (the worst seen is 1.4e-7 (s + k)); the reference erfc adds 1.2e-7
        // relative. Tight enough to catch sqrt(1/2) written as 0.7071.
        let tol = |i: usize| 5e-7 * (s[i] + k[i]) as f64;
        assert_within(&format!("call n={n}"), &call, &call_ref, tol);
        assert_within(&format!("put n={n}"), &put, &put_ref, tol);
        // Put-call parity, independent of any erf: call - put = s - k e^(-rt).
        let diff: Vec<f64> = (0..n).map(|i| call[i] - put[i]).collect();
        assert_within(&format!("parity n={n}"), &diff, &parity, tol);
    }
}

/// The Cox-Ross-Rubinstein tree in f64, as the kernel's comment states it.
fn binomial_put(s: f64, k: f64, t: f64, r: f64, v: f64) -> f64 {
    const STEPS: usize = 64;
    let dt = t / STEPS as f64;
    let u = (v * dt.sqrt()).exp();
    let d = 1.0 / u;
    let disc = (r * dt).exp();
    let pu = (disc - d) / (u - d);
    let mut values: Vec<f64> = (0..=STEPS)
        .map(|j| (k - s * u.powi(2 * j as i32 - STEPS as i32)).max(0.0))
        .collect();
    for step in 0..STEPS {
        for j in 0..STEPS - step {
            values[j] = ((1.0 - pu) * values[j] + pu * values[j + 1]) / disc;
        }
    }
    values[0]
}

#[test]
fn binomial() {
    let kern = load("binomial");
    let mut rng = Rng::new(5);
    let (r, v) = (0.02f32, 0.3f32);
    for &n in LENGTHS {
        let s = rng.f32s(n, 10.0, 100.0);
        let k = rng.f32s(n, 10.0, 100.0);
        let t = rng.f32s(n, 0.25, 2.0);
        let args = Args::new()
            .array("s", Array::from_vec(s.clone()))
            .array("k", Array::from_vec(k.clone()))
            .array("t", Array::from_vec(t.clone()))
            .scalar("r", r)
            .scalar("v", v);
        let out = kern.run(&args);
        let put: Vec<f64> = f32s(&out, "put").into_iter().map(f64::from).collect();
        let (mut tree, mut bs) = (vec![], vec![]);
        for i in 0..n {
            let (s, k, t, r, v) = (s[i] as f64, k[i] as f64, t[i] as f64, r as f64, v as f64);
            tree.push(binomial_put(s, k, t, r, v));
            let d1 = ((s / k).ln() + (r + 0.5 * v * v) * t) / (v * t.sqrt());
            let d2 = d1 - v * t.sqrt();
            bs.push(k * (-r * t).exp() * normal_cdf(-d2) - s * normal_cdf(-d1));
        }
        // The same tree in f64. The f32 kernel's u carries a rounding of
        // about 1e-7 that u^64 amplifies 64 times, so leaves are off by up
        // to about 1e-5 s: a tolerance of 1e-5 (s + k) (the worst seen is
        // 2.8e-6 (s + k)).
        let tol = |i: usize| 1e-5 * (s[i] + k[i]) as f64;
        assert_within(&format!("tree n={n}"), &put, &tree, tol);
        // And independently of the tree: 64 steps price within 0.5% of
        // s + k of Black-Scholes (CRR converges as 1/steps).
        let loose = |i: usize| 5e-3 * (s[i] + k[i]) as f64;
        assert_within(&format!("black-scholes n={n}"), &put, &bs, loose);
    }
}

#[test]
fn mandelbrot() {
    let kern = load("mandelbrot");
    let (x0, y0, max_iter) = (-2.0f32, -1.5f32, 64);
    for &(h, w) in SHAPES {
        let (dx, dy) = (3.0 / w.max(1) as f32, 3.0 / h.max(1) as f32);
        let args = Args::new()
            .scalar("x0", x0)
            .scalar("y0", y0)
            .scalar("dx", dx)
            .scalar("dy", dy)
            .scalar("max_iter", max_iter)
            .size("h", h as i64)
            .size("w", w as i64);
        let mut expected = Vec::new();
        for row in 0..h {
            for col in 0..w {
                let (cr, ci) = (x0 + col as f32 * dx, y0 + row as f32 * dy);
                let (mut zr, mut zi, mut k) = (0.0f32, 0.0f32, 0);
                while k < max_iter && zr * zr + zi * zi <= 4.0 {
                    let t = zr * zr - zi * zi + cr;
                    zi = 2.0 * zr * zi + ci;
                    zr = t;
                    k += 1;
                }
                expected.push(k);
            }
        }
        let out = kern.run(&args);
        let Value::Array(Array {
            shape,
            data: ArrayData::I32(count),
        }) = get(&out, "count")
        else {
            panic!("count is not an i32 array");
        };
        assert_eq!(shape, &vec![h, w]);
        assert_same(&format!("mandelbrot {h}x{w}"), count, &expected);
    }
    // Closed-form points: c = 0 never escapes; c = 2 + 2i escapes after one step.
    let args = Args::new()
        .scalar("x0", 0.0f32)
        .scalar("y0", 0.0f32)
        .scalar("dx", 2.0f32)
        .scalar("dy", 2.0f32)
        .scalar("max_iter", 100)
        .size("h", 2)
        .size("w", 2);
    let out = kern.run(&args);
    let Value::Array(Array {
        data: ArrayData::I32(count),
        ..
    }) = get(&out, "count")
    else {
        panic!("count is not an i32 array");
    };
    assert_eq!((count[0], count[3]), (100, 1), "c = 0 and c = 2 + 2i");
}

#[test]
fn poly() {
    let kern = load("poly");
    let mut rng = Rng::new(5);
    for &n in LENGTHS {
        let x = rng.f32s(n, -1.0, 1.0);
        let args = Args::new().array("x", Array::from_vec(x.clone()));
        let expected: Vec<f32> = x
            .iter()
            .map(|&x| {
                let mut acc = 1.0f32 / 17.0;
                for k in (0..16).rev() {
                    acc = acc * x + 1.0 / (k + 1) as f32;
                }
                acc
            })
            .collect();
        assert_same(
            &format!("poly n={n}"),
            &f32s(&kern.run(&args), "y"),
            &expected,
        );
    }
    // p(0) = 1 exactly; p(1) is the harmonic number H_17 (f32 rounding).
    let out = kern.run(&Args::new().array("x", Array::from_vec(vec![0.0f32, 1.0])));
    let y = f32s(&out, "y");
    let h17: f64 = (1..=17).map(|k| 1.0 / k as f64).sum();
    assert_eq!(y[0], 1.0);
    assert!(
        (y[1] as f64 - h17).abs() < 1e-5 * h17,
        "p(1) = {}, H_17 = {h17}",
        y[1]
    );
}

#[test]
fn blur() {
    let kern = load("blur");
    let mut rng = Rng::new(6);
    for &(h, w) in SHAPES {
        let img = rng.f32s(h * w, 0.0, 1.0);
        let args = Args::new().array("img", array_2d(h, w, img.clone()));
        let mut expected = img.clone();
        for r in 1..h.saturating_sub(1) {
            for c in 1..w.saturating_sub(1) {
                let mut s = 0.0f32;
                for rr in r - 1..=r + 1 {
                    for cc in c - 1..=c + 1 {
                        s += img[rr * w + cc];
                    }
                }
                expected[r * w + c] = s / 9.0;
            }
        }
        assert_same(
            &format!("blur {h}x{w}"),
            &f32s(&kern.run(&args), "out"),
            &expected,
        );
    }
}

#[test]
fn logsumexp() {
    let kern = load("logsumexp");
    let mut rng = Rng::new(7);
    for &n in LENGTHS {
        let x = rng.f64s(n, -50.0, 50.0);
        let lse = f64_scalar(
            &kern.run(&Args::new().array("x", Array::from_vec(x.clone()))),
            "lse",
        );
        let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let expected = m + x.iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
        match n {
            0 => assert_eq!(lse, f64::NEG_INFINITY, "the log of an empty sum"),
            1 => assert_eq!(lse, x[0], "one element: x[0] + log(exp(0))"),
            // Rounding of n exps and one log: a few ulps, relative.
            _ => assert_within(&format!("logsumexp n={n}"), &[lse], &[expected], |_| {
                1e-13 * expected.abs().max(1.0)
            }),
        }
        // Closed form: n copies of c give c + ln(n).
        if n > 0 {
            let c = 3.25;
            let lse = f64_scalar(
                &kern.run(&Args::new().array("x", Array::from_vec(vec![c; n]))),
                "lse",
            );
            assert_within(
                &format!("logsumexp of {n} equal values"),
                &[lse],
                &[c + (n as f64).ln()],
                |_| 1e-12,
            );
        }
    }
}

#[test]
fn softmax() {
    let kern = load("softmax");
    let mut rng = Rng::new(8);
    for &n in LENGTHS {
        let x = rng.f32s(n, -10.0, 10.0);
        let y = f32s(
            &kern.run(&Args::new().array("x", Array::from_vec(x.clone()))),
            "y",
        );
        let m = x.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let total: f64 = x.iter().map(|&v| (v as f64 - m).exp()).sum();
        let expected: Vec<f64> = x.iter().map(|&v| (v as f64 - m).exp() / total).collect();
        let y: Vec<f64> = y.into_iter().map(f64::from).collect();
        // f32: exp, a sum of n terms and a division, each within a few ulps.
        assert_within(&format!("softmax n={n}"), &y, &expected, |i| {
            1e-5 * expected[i] + 1e-12
        });
        if n > 0 {
            let sum: f64 = y.iter().sum();
            assert!((sum - 1.0).abs() < 1e-4, "softmax n={n} sums to {sum}");
        }
    }
}

#[test]
fn heat() {
    let kern = load("heat");
    let mut rng = Rng::new(9);
    let alpha = 0.2;
    for &(h, w) in SHAPES {
        let u = rng.f64s(h * w, 0.0, 1.0);
        let args = Args::new()
            .array("u", array_2d(h, w, u.clone()))
            .scalar("alpha", alpha);
        let mut next = u.clone();
        for r in 1..h.saturating_sub(1) {
            for c in 1..w.saturating_sub(1) {
                let at = |r: usize, c: usize| u[r * w + c];
                let lap =
                    at(r - 1, c) + at(r + 1, c) + at(r, c - 1) + at(r, c + 1) - 4.0 * at(r, c);
                next[r * w + c] = at(r, c) + alpha * lap;
            }
        }
        let change = (0..h * w)
            .map(|i| (next[i] - u[i]).abs())
            .fold(f64::NEG_INFINITY, f64::max);
        let out = kern.run(&args);
        assert_same(&format!("heat next {h}x{w}"), &f64s(&out, "next"), &next);
        assert_same(&format!("heat u {h}x{w}"), &f64s(&out, "u"), &next);
        assert_same(
            &format!("heat change {h}x{w}"),
            &[f64_scalar(&out, "change")],
            &[change],
        );
    }
}

#[test]
fn normalize() {
    let kern = load("normalize");
    let mut rng = Rng::new(10);
    let limit = 1.5;
    for &n in LENGTHS {
        let x = rng.f64s(n, -4.0, 6.0);
        let args = Args::new()
            .array("x", Array::from_vec(x.clone()))
            .scalar("limit", limit);
        let out = kern.run(&args);
        let mean = canonical_sum(&x) / n as f64;
        let squares: Vec<f64> = x.iter().map(|v| (v - mean) * (v - mean)).collect();
        let std = (canonical_sum(&squares) / n as f64).sqrt();
        let scale = if std > 0.0 { 1.0 / std } else { 0.0 };
        let y: Vec<f64> = x
            .iter()
            .map(|v| ((v - mean) * scale).clamp(-limit, limit))
            .collect();
        // Same operations in the same order as the kernel (the documented
        // reduction order): exact.
        assert_same(
            &format!("normalize mean n={n}"),
            &[f64_scalar(&out, "mean")],
            &[mean],
        );
        assert_same(
            &format!("normalize std n={n}"),
            &[f64_scalar(&out, "std")],
            &[std],
        );
        assert_same(&format!("normalize y n={n}"), &f64s(&out, "y"), &y);
        // Independent of the formula: every value is within the limits.
        assert!(f64s(&out, "y").iter().all(|v| v.abs() <= limit));
    }
    // A constant input has std 0 and standardizes to zeros.
    let out = kern.run(
        &Args::new()
            .array("x", Array::from_vec(vec![2.5f64; 9]))
            .scalar("limit", limit),
    );
    assert_eq!(
        (f64_scalar(&out, "mean"), f64_scalar(&out, "std")),
        (2.5, 0.0)
    );
    assert_same("normalize constant", &f64s(&out, "y"), &[0.0; 9]);
}

/// A float sum in kjit's documented reduction order (docs/LANGUAGE.md):
/// chunks of 16384 elements; in a chunk, element `i` goes to lane `i % 8`;
/// lanes combine as ((a0+a4)+(a2+a6))+((a1+a5)+(a3+a7)); chunks fold in
/// order from 0.
fn canonical_sum(values: &[f64]) -> f64 {
    values.chunks(16384).fold(0.0, |total, chunk| {
        let mut lanes = [0.0f64; 8];
        for (i, v) in chunk.iter().enumerate() {
            lanes[i % 8] += v;
        }
        let b: Vec<f64> = (0..4).map(|l| lanes[l] + lanes[l + 4]).collect();
        total + ((b[0] + b[2]) + (b[1] + b[3]))
    })
}

fn i32_scalar(out: &Outputs, name: &str) -> i32 {
    match get(out, name) {
        Value::Scalar(Scalar::I32(x)) => *x,
        other => panic!("`{name}` is not an i32 scalar: {other:?}"),
    }
}

fn f32_scalar(out: &Outputs, name: &str) -> f32 {
    match get(out, name) {
        Value::Scalar(Scalar::F32(x)) => *x,
        other => panic!("`{name}` is not an f32 scalar: {other:?}"),
    }
}

/// Sweeps of Jacobi relaxation in plain Rust, with the kernel's stopping
/// rule: the grid, the sweeps run and the last largest change.
fn jacobi_reference(
    mut u: Vec<f32>,
    h: usize,
    w: usize,
    tol: f32,
    max_it: i32,
) -> (Vec<f32>, i32, f32) {
    let (mut it, mut err) = (0, tol + 1.0);
    while err > tol && it < max_it {
        let mut next = u.clone();
        for r in 1..h.saturating_sub(1) {
            for c in 1..w.saturating_sub(1) {
                let at = |r: usize, c: usize| u[r * w + c];
                next[r * w + c] =
                    0.25 * (at(r - 1, c) + at(r + 1, c) + at(r, c - 1) + at(r, c + 1));
            }
        }
        // max over |next - u|, NaN-free inputs, so the order is irrelevant.
        err = (0..h * w)
            .map(|i| (next[i] - u[i]).abs())
            .fold(f32::NEG_INFINITY, f32::max);
        u = next;
        it += 1;
    }
    (u, it, err)
}

#[test]
fn jacobi() {
    let kern = load("jacobi");
    let mut rng = Rng::new(11);
    for &(h, w) in SHAPES {
        for (tol, max_it) in [(0.0f32, 0), (0.0, 1), (0.0, 4), (0.01, 1000)] {
            let u = rng.f32s(h * w, 0.0, 1.0);
            let args = Args::new()
                .array("u", array_2d(h, w, u.clone()))
                .scalar("tol", tol)
                .scalar("max_it", max_it);
            let (want, it, err) = jacobi_reference(u, h, w, tol, max_it);
            let out = kern.run(&args);
            let what = format!("jacobi {h}x{w} tol {tol} max_it {max_it}");
            assert_same(&format!("{what}: u"), &f32s(&out, "u"), &want);
            assert_eq!(i32_scalar(&out, "it"), it, "{what}: it");
            assert_same(&format!("{what}: err"), &[f32_scalar(&out, "err")], &[err]);
            // Independent of the formula: it stopped for a reason.
            assert!(it == max_it || err <= tol, "{what}: stopped early");
        }
    }
}

#[test]
fn stencil3d() {
    let kern = load("stencil3d");
    let mut rng = Rng::new(12);
    let k = 0.1f32;
    for (d, h, w) in [
        (0, 0, 0),
        (1, 1, 1),
        (3, 3, 3),
        (2, 5, 9),
        (4, 6, 17),
        (9, 8, 33),
    ] {
        let a = rng.f32s(d * h * w, 0.0, 1.0);
        let shape = vec![d, h, w];
        let args = Args::new()
            .array(
                "a",
                Array::new(shape, a.clone()).expect("a consistent array"),
            )
            .scalar("k", k);
        let at = |z: usize, y: usize, x: usize| a[(z * h + y) * w + x];
        let mut b = a.clone();
        for z in 1..d.saturating_sub(1) {
            for y in 1..h.saturating_sub(1) {
                for x in 1..w.saturating_sub(1) {
                    let lap = at(z - 1, y, x)
                        + at(z + 1, y, x)
                        + at(z, y - 1, x)
                        + at(z, y + 1, x)
                        + at(z, y, x - 1)
                        + at(z, y, x + 1)
                        - 6.0 * at(z, y, x);
                    b[(z * h + y) * w + x] = at(z, y, x) + k * lap;
                }
            }
        }
        let out = kern.run(&args);
        assert_same(&format!("stencil3d {d}x{h}x{w}"), &f32s(&out, "b"), &b);
    }
}

#[test]
fn ema() {
    let kern = load("ema");
    let mut rng = Rng::new(13);
    let a = 0.1f32;
    for &(h, w) in SHAPES {
        let x = rng.f32s(h * w, 0.0, 1.0);
        let args = Args::new()
            .array("x", array_2d(h, w, x.clone()))
            .scalar("a", a);
        let mut y = vec![0.0f32; h * w];
        for r in 0..h {
            let mut acc = 0.0f32;
            for c in 0..w {
                acc = a * x[r * w + c] + (1.0 - a) * acc;
                y[r * w + c] = acc;
            }
        }
        let out = kern.run(&args);
        assert_same(&format!("ema {h}x{w}"), &f32s(&out, "y"), &y);
    }
}

#[test]
fn nbody() {
    let kern = load("nbody");
    let mut rng = Rng::new(14);
    let (dt, eps) = (0.01f64, 0.01f64);
    for &n in &[0usize, 1, 7, 9, 40] {
        let pos = rng.f64s(3 * n, -1.0, 1.0);
        let vel = rng.f64s(3 * n, -0.1, 0.1);
        let mass = rng.f64s(n, 0.5, 1.0);
        let args = Args::new()
            .array("pos", Array::new(vec![n, 3], pos.clone()).expect("pos"))
            .array("vel", Array::new(vec![n, 3], vel.clone()).expect("vel"))
            .array("mass", Array::from_vec(mass.clone()))
            .scalar("dt", dt)
            .scalar("eps", eps);
        let (mut pos2, mut vel2) = (vec![0.0; 3 * n], vec![0.0; 3 * n]);
        for i in 0..n {
            let mut acc = [0.0f64; 3];
            for j in 0..n {
                let d: Vec<f64> = (0..3).map(|k| pos[3 * j + k] - pos[3 * i + k]).collect();
                let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + eps * eps;
                let s = mass[j] / (r2 * r2.sqrt());
                for k in 0..3 {
                    acc[k] += s * d[k];
                }
            }
            for k in 0..3 {
                vel2[3 * i + k] = vel[3 * i + k] + dt * acc[k];
                pos2[3 * i + k] = pos[3 * i + k] + dt * vel2[3 * i + k];
            }
        }
        let out = kern.run(&args);
        assert_same(&format!("nbody n={n}: vel2"), &f64s(&out, "vel2"), &vel2);
        assert_same(&format!("nbody n={n}: pos2"), &f64s(&out, "pos2"), &pos2);
    }
}
