//! The public library API (`kjit::api`) on real compiled kernels: both call
//! paths, every bad-input path, run-time errors, and threading. Results are
//! compared with the reference evaluator (`kjit::eval::evaluate`), never
//! with hard-coded JIT output.

use kjit::api::{ArgError, CallError, CompileError, Program, Role, RunError};
use kjit::eval::{self, EvalError};
use kjit::options::Options;
use kjit::types::ScalarType;
use kjit::value::{Args, Array, ArrayData, Outputs, Scalar, Value};
use std::sync::Arc;

const SOURCE: &str = "\
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = a * x[i] + y[i]; }
}
kernel shift(x: f64[n], k: i64) -> (out: f64[n]) {
    foreach i in n { out[i] = x[i + k]; }
}
kernel dot(x: f32[n], y: f32[n]) -> (d: f32, big: bool) {
    d = sum over i in n { x[i] * y[i] };
    big = d > 100.0;
}
kernel blur(img: f32[h, w]) -> (out: f32[h, w]) {
    foreach (r, c) in (h, w) {
        let up = img[max(r - 1, 0), c];
        let down = img[min(r + 1, h - 1), c];
        out[r, c] = (up + img[r, c] + down) / 3.0;
    }
}
kernel decay(rate: f64, inout v: f64[n]) -> (hot: bool[n]) {
    foreach i in n { v[i] = v[i] * rate; hot[i] = v[i] > 1.0; }
}
kernel ramp(start: i64) -> (out: i64[m]) {
    foreach i in m { out[i] = start + i; }
}
";

fn program(threads: Option<usize>) -> Program {
    let options = Options {
        threads,
        verify_codegen: true,
        ..Options::default()
    };
    Program::compile(SOURCE, options).unwrap_or_else(|e| panic!("{}", e.render("api.kern", SOURCE)))
}

fn reference(kernel: &str, args: &Args) -> Result<Outputs, EvalError> {
    let module = kjit::compile(SOURCE).expect("the source checks");
    eval::evaluate(&module, kernel, args)
}

fn f32s(array: Option<&Array>) -> Vec<f32> {
    match array.map(|a| &a.data) {
        Some(ArrayData::F32(v)) => v.clone(),
        other => panic!("not an f32 array: {other:?}"),
    }
}

fn arg_error<T: std::fmt::Debug>(result: Result<T, CallError>) -> ArgError {
    match result {
        Err(CallError::Args(error)) => error,
        other => panic!("expected an argument error, found {other:?}"),
    }
}

/// Reproducible values in [-2, 2).
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2654435761).wrapping_add(12345);
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 8) as f32 / (1u32 << 22) as f32 - 2.0
        })
        .collect()
}

#[test]
fn program_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Program>();
    assert_send_sync::<CallError>();
}

#[test]
fn both_call_paths_match_the_evaluator_at_awkward_lengths() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    for n in [0, 1, 7, 8, 9, 16 * 1024 + 3, 3 * 16 * 1024] {
        let (x, y) = (values(n, 1), values(n, 2));
        let args = Args::new()
            .scalar("a", -1.5f32)
            .array("x", Array::from_vec(x.clone()))
            .array("y", Array::from_vec(y.clone()));
        let expected = reference("saxpy", &args).expect("evaluates");
        assert_eq!(saxpy.call(&args).as_ref(), Ok(&expected), "n = {n}");
        let mut out = vec![f32::NAN; n];
        let scalars = (saxpy
            .bind()
            .scalar("a", -1.5f32)
            .input("x", &x)
            .input("y", &y))
        .output("out", &mut out)
        .run()
        .expect("saxpy runs");
        assert!(scalars.is_empty());
        assert_eq!(out, f32s(expected.array("out")), "n = {n}");
    }
}

#[test]
fn two_dimensional_arrays_through_the_builder() {
    let program = program(Some(2));
    let blur = program.kernel("blur").expect("blur");
    for (h, w) in [(1, 1), (3, 5), (700, 33)] {
        let img = values(h * w, 3);
        let mut out = vec![0.0f32; h * w];
        (blur.bind().input_2d("img", &img, [h, w]))
            .output_2d("out", &mut out, [h, w])
            .run()
            .expect("blur runs");
        let args = Args::new().array("img", Array::new(vec![h, w], img).expect("shape"));
        let expected = reference("blur", &args).expect("evaluates");
        assert_eq!(out, f32s(expected.array("out")), "{h}x{w}");
    }
}

#[test]
fn inout_and_bool_arrays_and_scalar_outputs() {
    let program = program(None);
    let decay = program.kernel("decay").expect("decay");
    let start: Vec<f64> = (0..37).map(|i| i as f64 * 0.1).collect();
    let args = Args::new()
        .scalar("rate", 0.5f64)
        .array("v", Array::from_vec(start.clone()));
    let expected = reference("decay", &args).expect("evaluates");
    assert_eq!(decay.call(&args).as_ref(), Ok(&expected));
    let mut v = start.clone();
    let mut hot = vec![true; v.len()];
    (decay.bind().scalar("rate", 0.5f64).inout("v", &mut v))
        .output("hot", &mut hot)
        .run()
        .expect("decay runs");
    assert_eq!(Some(&Value::Array(Array::from_vec(v))), expected.get("v"));
    assert_eq!(
        Some(&Value::Array(Array::from_vec(hot))),
        expected.get("hot")
    );

    let dot = program.kernel("dot").expect("dot");
    let (x, y) = (values(1000, 4), values(1000, 5));
    let scalars = dot
        .bind()
        .input("x", &x)
        .input("y", &y)
        .run()
        .expect("dot runs");
    let args = Args::new()
        .array("x", Array::from_vec(x.clone()))
        .array("y", Array::from_vec(y.clone()));
    let expected = reference("dot", &args).expect("evaluates");
    let d = scalars.get("d").expect("d");
    assert!(d.same_bits(expected.scalar("d").expect("d")), "{d}");
    assert_eq!(scalars.get("big"), expected.scalar("big"));
    assert_eq!(
        scalars.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["d", "big"]
    );
}

#[test]
fn caller_given_sizes() {
    let program = program(None);
    let ramp = program.kernel("ramp").expect("ramp");
    let args = Args::new().scalar("start", 10i64).size("m", 20);
    assert_eq!(
        ramp.call(&args),
        Ok(reference("ramp", &args).expect("evaluates"))
    );
    let mut out = vec![0i64; 20];
    (ramp.bind().scalar("start", 10i64).size("m", 20))
        .output("out", &mut out)
        .run()
        .expect("ramp runs");
    assert_eq!(out, (10..30).collect::<Vec<i64>>());
    // An output slice fixes its size too.
    let mut out = vec![0i64; 5];
    (ramp.bind().scalar("start", 0i64).output("out", &mut out))
        .run()
        .expect("ramp runs");
    assert_eq!(out, [0, 1, 2, 3, 4]);
    let missing = Args::new().scalar("start", 1i64);
    assert_eq!(
        arg_error(ramp.call(&missing)),
        ArgError::MissingSize { size: "m".into() }
    );
    let negative = missing.clone().size("m", -3);
    assert_eq!(
        arg_error(ramp.call(&negative)),
        ArgError::NegativeSize {
            size: "m".into(),
            value: -3
        }
    );
    let huge = missing.size("m", i64::MAX);
    assert!(matches!(
        ramp.call(&huge),
        Err(CallError::Args(ArgError::OutputTooLarge { .. }) | CallError::OutOfMemory { .. })
    ));
}

fn saxpy_data() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    (vec![1.0f32; 4], vec![2.0f32; 4], vec![f32::NAN; 4])
}

#[test]
fn argument_kind_dtype_and_rank_mistakes() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let (x, y, mut out) = saxpy_data();
    let x64 = vec![1.0f64; 4];
    let bind = || saxpy.bind().scalar("a", 2.0f32);
    assert_eq!(
        arg_error(
            bind()
                .input("x", &x64)
                .input("y", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::WrongDtype {
            name: "x".into(),
            expected: ScalarType::F32,
            found: ScalarType::F64
        }
    );
    assert_eq!(
        arg_error(
            bind()
                .scalar("x", 1.0f32)
                .input("y", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::ExpectedArray {
            name: "x".into(),
            expected: "f32[n]".into(),
            found: ScalarType::F32
        }
    );
    assert_eq!(
        arg_error(
            bind()
                .input_2d("x", &x, [2, 2])
                .input("y", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::WrongRank {
            name: "x".into(),
            expected: "f32[n]".into(),
            found_shape: vec![2, 2]
        }
    );
    assert_eq!(
        arg_error(
            bind()
                .input("x", &x)
                .input("y", &y)
                .inout("out", &mut out)
                .run()
        ),
        ArgError::WrongRole {
            name: "out".into(),
            expected: Role::Output,
            found: Role::InOut
        }
    );
    assert!(out.iter().all(|v| v.is_nan()), "nothing ran");
}

#[test]
fn size_and_length_mistakes() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let (x, y, mut out) = saxpy_data();
    let (short, mut long) = (vec![0.0f32; 3], vec![f32::NAN; 5]);
    let bind = || saxpy.bind().scalar("a", 2.0f32).input("x", &x);
    let mismatch = arg_error(bind().input("y", &short).output("out", &mut out).run());
    assert_eq!(
        mismatch.to_string(),
        "argument `y`: expected f32[n] (n = 4 from `x` dim 0), found f32 array of shape [3] (dim 0 is 3)"
    );
    let wrong_length = arg_error(bind().input("y", &y).output("out", &mut long).run());
    assert!(matches!(&wrong_length, ArgError::SizeMismatch { name, .. } if name == "out"));
    let given = |n| bind().input("y", &y).size("n", n);
    let conflict = arg_error(given(5).output("out", &mut out).run());
    assert_eq!(
        conflict.to_string(),
        "size `n`: given as 5, but `x` dim 0 fixes it to 4"
    );
    assert_eq!(
        arg_error(given(4).size("n", 4).output("out", &mut out).run()),
        ArgError::DuplicateSize { size: "n".into() }
    );
    assert_eq!(
        arg_error(given(4).size("k", 1).output("out", &mut out).run()),
        ArgError::UnknownSize { size: "k".into() }
    );
    assert!(out.iter().chain(&long).all(|v| v.is_nan()), "nothing ran");
}

#[test]
fn missing_unknown_and_duplicate_arguments() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let (x, y, mut out) = saxpy_data();
    let bind = || saxpy.bind().scalar("a", 2.0f32).input("x", &x);
    let missing = |name: &str| ArgError::MissingArgument {
        name: name.into(),
        expected: "f32[n]".into(),
    };
    assert_eq!(
        arg_error(bind().output("out", &mut out).run()),
        missing("y")
    );
    assert_eq!(arg_error(bind().input("y", &y).run()), missing("out"));
    assert_eq!(
        arg_error(
            bind()
                .input("y", &y)
                .input("z", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::UnknownArgument { name: "z".into() }
    );
    assert_eq!(
        arg_error(
            bind()
                .input("x", &x)
                .input("y", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::DuplicateArgument { name: "x".into() }
    );
    assert!(out.iter().all(|v| v.is_nan()), "nothing ran");
}

#[test]
fn argument_mistakes_on_the_owned_path() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let good = Args::new()
        .scalar("a", 1.0f32)
        .array("x", Array::from_vec(vec![1.0f32; 3]))
        .array("y", Array::from_vec(vec![1.0f32; 3]));
    let check = |args: Args| {
        let expected = match reference("saxpy", &args) {
            Err(EvalError::Args(error)) => error,
            other => panic!("the evaluator accepts it: {other:?}"),
        };
        assert_eq!(arg_error(saxpy.call(&args)), expected);
    };
    check(good.clone().array("y", Array::from_vec(vec![1.0f32; 2])));
    check(good.clone().array("x", Array::from_vec(vec![1i32; 3])));
    check(good.clone().scalar("a", 1.0f64));
    check(good.clone().scalar("z", 1.0f32));
    check(good.clone().array("out", Array::from_vec(vec![0.0f32; 3])));
    let mut missing = good.clone();
    missing.values.remove("x");
    check(missing);
    check(good.size("n", 4));
}

#[test]
fn out_of_range_read_is_a_typed_error_naming_array_index_and_line() {
    let program = program(Some(2));
    let shift = program.kernel("shift").expect("shift");
    let x: Vec<f64> = (0..40_000).map(f64::from).collect();
    for k in [1i64, -3, 50_000] {
        let args = Args::new()
            .array("x", Array::from_vec(x.clone()))
            .scalar("k", k);
        let Err(EvalError::OutOfBounds {
            kernel,
            array,
            index,
            shape,
            span,
        }) = reference("shift", &args)
        else {
            panic!("the evaluator fails for k = {k}");
        };
        let expected = RunError::OutOfBounds {
            kernel,
            array,
            index,
            shape,
            span,
            line_col: None,
        }
        .located(program.source());
        let mut out = vec![0.0f64; x.len()];
        let error = (shift.bind().input("x", &x).scalar("k", k))
            .output("out", &mut out)
            .run()
            .unwrap_err();
        assert_eq!(error, CallError::Run(expected.clone()), "k = {k}");
        assert_eq!(shift.call(&args), Err(CallError::Run(expected)));
        let text = error.describe(program.source());
        assert!(
            text.contains("array `x`") && text.ends_with("at 5:31"),
            "{text}"
        );
    }
}

#[test]
fn one_program_called_from_many_threads_at_once() {
    let program = Arc::new(program(Some(2)));
    let n = 40_000;
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let program = Arc::clone(&program);
            std::thread::spawn(move || {
                let (x, y) = (values(n, 10 + t), values(n, 20 + t));
                let saxpy = program.kernel("saxpy").expect("saxpy");
                let dot = program.kernel("dot").expect("dot");
                let args = Args::new()
                    .array("x", Array::from_vec(x.clone()))
                    .array("y", Array::from_vec(y.clone()));
                let expected = reference("dot", &args).expect("evaluates");
                for _ in 0..5 {
                    let mut out = vec![0.0f32; n];
                    (saxpy
                        .bind()
                        .scalar("a", 3.0f32)
                        .input("x", &x)
                        .input("y", &y))
                    .output("out", &mut out)
                    .run()
                    .expect("saxpy runs");
                    assert!(out
                        .iter()
                        .zip(&x)
                        .zip(&y)
                        .all(|((o, x), y)| *o == 3.0 * x + y));
                    assert_eq!(dot.call(&args), Ok(expected.clone()));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("no thread panicked");
    }
}

#[test]
fn reductions_are_bit_identical_for_one_and_two_threads() {
    let n = 5 * 16 * 1024 + 77;
    let (x, y) = (values(n, 30), values(n, 31));
    let args = Args::new()
        .array("x", Array::from_vec(x.clone()))
        .array("y", Array::from_vec(y.clone()));
    let expected = reference("dot", &args)
        .expect("evaluates")
        .scalar("d")
        .expect("d");
    for threads in [Some(1), Some(2), None] {
        let program = program(threads);
        let dot = program.kernel("dot").expect("dot");
        let d = dot
            .bind()
            .input("x", &x)
            .input("y", &y)
            .run()
            .expect("dot runs");
        let d = d.get("d").expect("d");
        assert!(
            d.same_bits(expected),
            "threads {threads:?}: {d} vs {expected}"
        );
        let owned = dot.call(&args).expect("dot runs").scalar("d").expect("d");
        assert!(owned.same_bits(expected));
    }
    assert!(matches!(expected, Scalar::F32(_)));
}

#[test]
fn compile_errors_are_typed() {
    let source = "kernel k(x: f32[n]) -> (y: f32[n]) { foreach i in n { y[i] = x[i] + 1; } }";
    let error = Program::compile(source, Options::default()).unwrap_err();
    let CompileError::Diagnostics(diagnostics) = &error else {
        panic!("not diagnostics: {error}");
    };
    assert_eq!(
        diagnostics[0].message,
        "mismatched types: `f32` + `{integer}`"
    );
    assert!(error.render("k.kern", source).contains("k.kern:1:"));
    let program = program(None);
    assert!(program.kernel("nope").is_none());
    let names: Vec<&str> = program.kernels().collect();
    assert_eq!(names, ["saxpy", "shift", "dot", "blur", "decay", "ramp"]);
    assert_eq!(
        program
            .kernel("decay")
            .expect("decay")
            .signature()
            .to_string(),
        "kernel decay(rate: f64, inout v: f64[n]) -> (hot: bool[n])"
    );
}

/// Options out of range are an options error naming the setting, found
/// before anything compiles (an unknown Cranelift opt level used to be an
/// internal compiler error, and 10,000 threads were started).
#[test]
fn options_out_of_range_are_refused_up_front() {
    let source = "kernel k(x: f32[n]) -> (y: f32[n]) { foreach i in n { y[i] = x[i]; } }";
    let cases = [
        (
            Options {
                threads: Some(10_000),
                ..Options::default()
            },
            "invalid options: 10000 threads asked for; at most 1024 are allowed",
        ),
        (
            Options {
                cranelift_opt_level: "fastest",
                ..Options::default()
            },
            "invalid options: unknown Cranelift opt level \"fastest\" (expected one of none, speed, speed_and_size)",
        ),
    ];
    for (options, message) in cases {
        let error = Program::compile(source, options).map(|_| ()).unwrap_err();
        assert!(matches!(error, CompileError::Options(_)), "{error:?}");
        assert_eq!(error.to_string(), message);
    }
    let at_the_cap = Options {
        threads: Some(kjit::options::MAX_THREADS),
        ..Options::default()
    };
    assert!(Program::compile(source, at_the_cap).is_ok());
}
