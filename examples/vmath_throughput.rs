//! Throughput of each maths builtin as the JIT inlines it, beside the same
//! loop calling Rust std (libm for erf/erfc), one thread, 2^20 elements
//! (in cache: the maths, not memory, is measured). Best of 15 runs; prints
//! the markdown table of docs/MATH.md.
//!
//! ```text
//! RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native \
//!     cargo run --release --example vmath_throughput
//! ```

use kjit::api::Program;
use kjit::ir::Builtin;
use kjit::options::Options;
use std::time::Instant;

const N: usize = 1 << 20;
const RUNS: usize = 15;

/// Inputs where each function does its ordinary work (no special cases).
fn domain(fun: Builtin) -> (f64, f64) {
    use Builtin::*;
    match fun {
        Exp | Exp2 | Expm1 | Sinh | Cosh => (-20.0, 20.0),
        Log | Log2 | Log10 | Cbrt => (1e-3, 1e3),
        Log1p => (-0.5, 100.0),
        Pow => (0.1, 10.0),
        Asin | Acos => (-1.0, 1.0),
        Erf | Erfc | Tanh => (-4.0, 4.0),
        _ => (-100.0, 100.0),
    }
}

fn std_f64(fun: Builtin, x: f64, y: f64) -> f64 {
    use Builtin::*;
    match fun {
        Exp => x.exp(),
        Exp2 => x.exp2(),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log2 => x.log2(),
        Log10 => x.log10(),
        Log1p => x.ln_1p(),
        Pow => x.powf(y),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Atan2 => x.atan2(y),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Erf => libm::erf(x),
        Erfc => libm::erfc(x),
        Cbrt => x.cbrt(),
        Hypot => x.hypot(y),
        _ => f64::NAN,
    }
}

fn std_f32(fun: Builtin, x: f32, y: f32) -> f32 {
    use Builtin::*;
    match fun {
        Exp => x.exp(),
        Exp2 => x.exp2(),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log2 => x.log2(),
        Log10 => x.log10(),
        Log1p => x.ln_1p(),
        Pow => x.powf(y),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Atan2 => x.atan2(y),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Erf => libm::erff(x),
        Erfc => libm::erfcf(x),
        Cbrt => x.cbrt(),
        Hypot => x.hypot(y),
        _ => f32::NAN,
    }
}

fn best_ns(mut f: impl FnMut()) -> f64 {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1e9 / N as f64
        })
        .fold(f64::INFINITY, f64::min)
}

const FUNCTIONS: [Builtin; 22] = {
    use Builtin::*;
    [
        Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Pow, Sin, Cos, Tan, Asin, Acos, Atan, Atan2,
        Sinh, Cosh, Tanh, Erf, Erfc, Cbrt, Hypot,
    ]
};

fn source(ty: &str) -> String {
    FUNCTIONS
        .iter()
        .map(|f| {
            let call = if f.arity() == 2 { "(x[i], y[i])" } else { "(x[i])" };
            format!(
                "kernel k_{0}(x: {ty}[n], y: {ty}[n]) -> (out: {ty}[n]) {{ foreach i in n {{ out[i] = {0}{call}; }} }}\n",
                f.name()
            )
        })
        .collect()
}

fn compile(ty: &str, fast_math: bool) -> Program {
    let options = Options {
        threads: Some(1),
        fast_math,
        ..Options::default()
    };
    Program::compile(&source(ty), options).expect("the throughput kernels compile")
}

fn main() {
    let programs = [
        (compile("f32", false), compile("f32", true)),
        (compile("f64", false), compile("f64", true)),
    ];
    println!(
        "ns per element, 1 thread, 2^{} elements (in cache), best of {RUNS}\n",
        N.trailing_zeros()
    );
    println!("| function | f32 precise | f32 fast | f32 Rust std | f64 precise | f64 fast | f64 Rust std |");
    println!("|---|---|---|---|---|---|---|");
    for fun in FUNCTIONS {
        let (lo, hi) = domain(fun);
        let u = |i: usize, seed: u64| {
            let h = (i as u64 ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
            lo + (hi - lo) * h as f64 / (1u64 << 53) as f64
        };
        let x64: Vec<f64> = (0..N).map(|i| u(i, 1)).collect();
        let y64: Vec<f64> = (0..N)
            .map(|i| {
                if fun == Builtin::Pow {
                    u(i, 2) - 5.0
                } else {
                    u(i, 2)
                }
            })
            .collect();
        let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
        let y32: Vec<f32> = y64.iter().map(|&v| v as f32).collect();
        let name = format!("k_{}", fun.name());
        let mut row = format!("| {} |", fun.name());
        let mut out32 = vec![0f32; N];
        for program in [&programs[0].0, &programs[0].1] {
            let kernel = program.kernel(&name).expect("compiled");
            let ns = best_ns(|| {
                (kernel.bind().input("x", &x32).input("y", &y32))
                    .output("out", &mut out32)
                    .run()
                    .expect("runs");
            });
            row += &format!(" {ns:.2} |");
        }
        let ns = best_ns(|| {
            for i in 0..N {
                out32[i] = std_f32(fun, x32[i], y32[i]);
            }
        });
        row += &format!(" {ns:.2} |");
        let mut out64 = vec![0f64; N];
        for program in [&programs[1].0, &programs[1].1] {
            let kernel = program.kernel(&name).expect("compiled");
            let ns = best_ns(|| {
                (kernel.bind().input("x", &x64).input("y", &y64))
                    .output("out", &mut out64)
                    .run()
                    .expect("runs");
            });
            row += &format!(" {ns:.2} |");
        }
        let ns = best_ns(|| {
            for i in 0..N {
                out64[i] = std_f64(fun, x64[i], y64[i]);
            }
        });
        row += &format!(" {ns:.2} |");
        println!("{row}");
        std::hint::black_box((&out32, &out64));
    }
}
