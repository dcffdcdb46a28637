//! The JIT's inline maths against the evaluator's, bit for bit: both run
//! the same `vmath` routine (as Cranelift vector code, as Rust scalars), so
//! any difference is a codegen bug. 10^6 inputs per function, type and
//! precision through the vector path, specials through the uniform
//! (scalar Cranelift) path. Accuracy itself is `vmath_accuracy.rs`'s job.

#[path = "vmath/inputs.rs"]
mod inputs;

use inputs::{inputs, specials, FUNCTIONS};
use kjit::api::Program;
use kjit::ir::Builtin;
use kjit::options::Options;
use kjit::vmath::{self, Precision};

const COUNT: usize = 1_000_000;

/// One vector kernel `v_<fun>` and one uniform kernel `u_<fun>` per
/// function, in type `ty`.
fn source(ty: &str) -> String {
    let mut s = String::new();
    for (fun, arity) in FUNCTIONS {
        let name = fun.name();
        let (call, ucall) = if arity == 2 {
            (format!("{name}(x[i], y[i])"), format!("{name}(s, t)"))
        } else {
            (format!("{name}(x[i])"), format!("{name}(s)"))
        };
        s += &format!(
            "kernel v_{name}(x: {ty}[n], y: {ty}[n]) -> (out: {ty}[n]) {{\n\
             foreach i in n {{ out[i] = {call}; }}\n}}\n\
             kernel u_{name}(s: {ty}, t: {ty}) -> (out: {ty}) {{ out = {ucall}; }}\n"
        );
    }
    s
}

fn program(ty: &str, precision: Precision) -> Program {
    let options = Options {
        verify_codegen: true,
        fast_math: precision == Precision::Fast,
        ..Options::default()
    };
    let src = source(ty);
    Program::compile(&src, options).unwrap_or_else(|e| panic!("{}", e.render("vmath.kern", &src)))
}

/// Same bits, or both NaN (NaN payloads are not specified).
fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn same_f32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check_f32(precision: Precision) {
    let program = program("f32", precision);
    for (fun, arity) in FUNCTIONS {
        let pairs = inputs(fun, arity, false, COUNT, 1);
        let x: Vec<f32> = pairs.iter().map(|p| p.0 as f32).collect();
        let y: Vec<f32> = pairs.iter().map(|p| p.1 as f32).collect();
        let mut out = vec![0f32; x.len()];
        let kernel = program
            .kernel(&format!("v_{}", fun.name()))
            .expect("kernel");
        (kernel.bind().input("x", &x).input("y", &y))
            .output("out", &mut out)
            .run()
            .expect("runs");
        for i in 0..x.len() {
            let want = vmath::eval_f32(fun, precision, x[i], y[i]);
            assert!(
                same_f32(out[i], want),
                "{fun:?} f32 {precision:?} ({:e}, {:e}): jit {:e}, evaluator {:e}",
                x[i],
                y[i],
                out[i],
                want
            );
        }
        check_uniform_f32(&program, fun, precision);
    }
}

fn check_uniform_f32(program: &Program, fun: Builtin, precision: Precision) {
    let kernel = program
        .kernel(&format!("u_{}", fun.name()))
        .expect("kernel");
    for &s in &specials(false) {
        for &t in &[1.0, -2.5, 0.5, f64::INFINITY] {
            let (s, t) = (s as f32, t as f32);
            let outputs = (kernel.bind().scalar("s", s).scalar("t", t))
                .run()
                .expect("runs");
            let got = match outputs.get("out") {
                Some(kjit::value::Scalar::F32(v)) => v,
                other => panic!("not an f32 output: {other:?}"),
            };
            let want = vmath::eval_f32(fun, precision, s, t);
            assert!(
                same_f32(got, want),
                "{fun:?} uniform f32 ({s:e}, {t:e}): jit {got:e}, evaluator {want:e}"
            );
        }
    }
}

fn check_f64(precision: Precision) {
    let program = program("f64", precision);
    for (fun, arity) in FUNCTIONS {
        let pairs = inputs(fun, arity, true, COUNT, 2);
        let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let mut out = vec![0f64; x.len()];
        let kernel = program
            .kernel(&format!("v_{}", fun.name()))
            .expect("kernel");
        (kernel.bind().input("x", &x).input("y", &y))
            .output("out", &mut out)
            .run()
            .expect("runs");
        for i in 0..x.len() {
            let want = vmath::eval_f64(fun, precision, x[i], y[i]);
            assert!(
                same_f64(out[i], want),
                "{fun:?} f64 {precision:?} ({:e}, {:e}): jit {:e}, evaluator {:e}",
                x[i],
                y[i],
                out[i],
                want
            );
        }
        let kernel = program
            .kernel(&format!("u_{}", fun.name()))
            .expect("kernel");
        for &s in &specials(true) {
            for &t in &[1.0, -2.5, 0.5, f64::INFINITY] {
                let outputs = (kernel.bind().scalar("s", s).scalar("t", t))
                    .run()
                    .expect("runs");
                let got = match outputs.get("out") {
                    Some(kjit::value::Scalar::F64(v)) => v,
                    other => panic!("not an f64 output: {other:?}"),
                };
                let want = vmath::eval_f64(fun, precision, s, t);
                assert!(
                    same_f64(got, want),
                    "{fun:?} uniform f64 ({s:e}, {t:e}): jit {got:e}, evaluator {want:e}"
                );
            }
        }
    }
}

#[test]
fn f32_precise_jit_matches_evaluator() {
    check_f32(Precision::Precise);
}

#[test]
fn f32_fast_jit_matches_evaluator() {
    check_f32(Precision::Fast);
}

#[test]
fn f64_precise_jit_matches_evaluator() {
    check_f64(Precision::Precise);
}

#[test]
fn f64_fast_jit_matches_evaluator() {
    check_f64(Precision::Fast);
}

/// `round` is inline too (not a vmath routine: it is exact): against the
/// evaluator's `f32::round`/`f64::round` on random bit patterns, halves and
/// the specials, in both widths.
#[test]
fn round_matches_evaluator() {
    let source = "kernel r32(x: f32[n]) -> (out: f32[n]) { foreach i in n { out[i] = round(x[i]); } }\n\
                  kernel r64(x: f64[n]) -> (out: f64[n]) { foreach i in n { out[i] = round(x[i]); } }\n\
                  kernel uniform64(s: f64) -> (out: f64) { out = round(s); }\n";
    let options = Options {
        verify_codegen: true,
        ..Options::default()
    };
    let program = Program::compile(source, options).expect("compiles");
    let mut rng = inputs::Rng::new(7);
    let halves = (-40..40).map(|k| k as f64 + 0.5);
    let mut x64: Vec<f64> = specials(true).into_iter().chain(halves).collect();
    x64.extend([
        0.49999999999999994,
        -0.49999999999999994,
        4503599627370495.5,
    ]);
    while x64.len() < COUNT {
        x64.push(if x64.len().is_multiple_of(2) {
            f64::from_bits(rng.next())
        } else {
            rng.spread((-3, 60), true)
        });
    }
    let mut out64 = vec![0f64; x64.len()];
    let kernel = program.kernel("r64").expect("kernel");
    (kernel.bind().input("x", &x64))
        .output("out", &mut out64)
        .run()
        .expect("runs");
    for (x, got) in x64.iter().zip(&out64) {
        assert!(same_f64(*got, x.round()), "round({x:e}) f64: jit {got:e}");
    }
    let uniform = program.kernel("uniform64").expect("kernel");
    for &x in &x64[..200] {
        let outputs = uniform.bind().scalar("s", x).run().expect("runs");
        let got = match outputs.get("out") {
            Some(kjit::value::Scalar::F64(v)) => v,
            other => panic!("not an f64 output: {other:?}"),
        };
        assert!(
            same_f64(got, x.round()),
            "uniform round({x:e}): jit {got:e}"
        );
    }
    let mut x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
    x32.extend([0.49999997f32, -0.49999997, 4194304.5, 8388607.5]);
    let mut out32 = vec![0f32; x32.len()];
    let kernel = program.kernel("r32").expect("kernel");
    (kernel.bind().input("x", &x32))
        .output("out", &mut out32)
        .run()
        .expect("runs");
    for (x, got) in x32.iter().zip(&out32) {
        assert!(same_f32(*got, x.round()), "round({x:e}) f32: jit {got:e}");
    }
}
