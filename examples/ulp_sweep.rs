//! Sweeps every one of the 2^32 f32 inputs through each unary f32 maths
//! builtin, as the JIT computes it, and prints the largest error in ulps
//! and where it occurs. Not part of the test suite (about half a minute per
//! function on 2 cores).
//!
//! ```text
//! cargo run --release --example ulp_sweep [-- [--fast] [exp,log,...]]
//! ```
//!
//! The reference is the f64 function (Rust std, `libm` for erf/erfc)
//! evaluated on the f32 input: its own error is below 2^-28 f32 ulp, so the
//! measured error is exact to about 1e-8 ulp. The error of a result is
//! |result - reference| / ulp(reference), where ulp is the spacing of f32
//! at the reference (2^-149 in the subnormals); a wrong infinity, zero or
//! NaN counts as an infinite error.

use kjit::api::Program;
use kjit::ir::Builtin;
use kjit::options::Options;
use rayon::prelude::*;

const BLOCK: u64 = 1 << 24;

fn reference(fun: Builtin, x: f64) -> f64 {
    use Builtin::*;
    match fun {
        Exp => x.exp(),
        Exp2 => x.exp2(),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log2 => x.log2(),
        Log10 => x.log10(),
        Log1p => x.ln_1p(),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Erf => libm::erf(x),
        Erfc => libm::erfc(x),
        Cbrt => x.cbrt(),
        _ => f64::NAN,
    }
}

/// Spacing of f32 values at |v| (an f64), 2^-149 below the normals.
fn ulp32(v: f64) -> f64 {
    let v = v.abs();
    if v < f32::MIN_POSITIVE as f64 {
        return 2f64.powi(-149);
    }
    // The f64 exponent of v is the f32 exponent of any f32 in its binade.
    let e = ((v.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    2f64.powi(e - 23)
}

fn error(got: f32, reference: f64) -> f64 {
    let rounded = reference as f32;
    if got.is_nan() || reference.is_nan() {
        return if got.is_nan() && reference.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if got.is_infinite() || rounded.is_infinite() {
        if got == rounded {
            return 0.0;
        }
        if got.is_infinite() {
            return f64::INFINITY;
        }
    }
    (got as f64 - reference).abs() / ulp32(reference)
}

const UNARY: [Builtin; 19] = {
    use Builtin::*;
    [
        Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh,
        Tanh, Erf, Erfc, Cbrt,
    ]
};

struct Worst {
    ulps: f64,
    input: f32,
    got: f32,
    reference: f64,
}

fn sweep(program: &Program, fun: Builtin) -> Worst {
    let kernel = program
        .kernel(&format!("k_{}", fun.name()))
        .expect("kernel compiled");
    let mut worst = Worst {
        ulps: -1.0,
        input: 0.0,
        got: 0.0,
        reference: 0.0,
    };
    let mut x = vec![0f32; BLOCK as usize];
    let mut out = vec![0f32; BLOCK as usize];
    for block in 0..(1u64 << 32) / BLOCK {
        for (k, v) in x.iter_mut().enumerate() {
            *v = f32::from_bits((block * BLOCK + k as u64) as u32);
        }
        (kernel.bind().input("x", &x))
            .output("out", &mut out)
            .run()
            .expect("the sweep kernel runs");
        let (ulps, k) = x
            .par_iter()
            .zip(&out)
            .enumerate()
            .map(|(k, (&xi, &got))| (error(got, reference(fun, xi as f64)), k))
            .reduce(|| (-1.0, 0), |a, b| if b.0 > a.0 { b } else { a });
        if ulps > worst.ulps {
            worst = Worst {
                ulps,
                input: x[k],
                got: out[k],
                reference: reference(fun, x[k] as f64),
            };
        }
    }
    worst
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fast = args.iter().any(|a| a == "--fast");
    let only: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .flat_map(|a| a.split(','))
        .collect();
    let functions: Vec<Builtin> = UNARY
        .into_iter()
        .filter(|f| only.is_empty() || only.contains(&f.name()))
        .collect();
    let source: String = functions
        .iter()
        .map(|f| {
            format!(
                "kernel k_{0}(x: f32[n]) -> (out: f32[n]) {{ foreach i in n {{ out[i] = {0}(x[i]); }} }}\n",
                f.name()
            )
        })
        .collect();
    let options = Options {
        fast_math: fast,
        ..Options::default()
    };
    let program = match Program::compile(&source, options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.render("sweep.kern", &source));
            std::process::exit(1);
        }
    };
    println!(
        "all 2^32 f32 inputs, {} mode: max error in ulp (f64 reference)\n",
        if fast { "fast" } else { "precise" }
    );
    println!("| function | max ulp | at x | kjit | reference |");
    println!("|---|---|---|---|---|");
    for fun in functions {
        let started = std::time::Instant::now();
        let w = sweep(&program, fun);
        println!(
            "| {} | {:.3} | {:e} ({:#010x}) | {:e} | {:e} |",
            fun.name(),
            w.ulps,
            w.input,
            w.input.to_bits(),
            w.got,
            w.reference
        );
        eprintln!(
            "{} swept in {:.1} s",
            fun.name(),
            started.elapsed().as_secs_f64()
        );
    }
}
