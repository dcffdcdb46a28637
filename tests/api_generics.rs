//! Generic kernels through the library API: the instance a call picks from
//! its arguments' dtypes, compilation on first call and its cache (once per
//! instance, whatever the threads), scalar arguments that adapt, and the
//! errors of a dtype outside the bound. Results are compared with the
//! reference evaluator or with plain Rust, never with hard-coded JIT output.

use kjit::api::{ArgError, CallError, Program, Stage};
use kjit::eval;
use kjit::options::Options;
use kjit::types::ScalarType::{self, *};
use kjit::value::{Args, Array, ArrayData, Scalar};
use std::time::Instant;

const SOURCE: &str = "\
fn lerp<T: float>(a: T, b: T, t: T) -> T { a + (b - a) * t }
kernel saxpy<T: float>(a: T, x: T[n], y: T[n]) -> (out: T[n]) {
    foreach i in n { out[i] = lerp(y[i], a * x[i] + y[i], T(1)); }
}
kernel twice<T: num>(x: T[n]) -> (out: T[n], top: T) {
    foreach i in n { out[i] = x[i] + x[i]; }
    top = T::MAX;
}
kernel fill<T: num>(v: T) -> (out: T[m]) {
    foreach i in m { out[i] = v; }
}
kernel plain(x: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = x[i] * 2.0; }
}
";

fn program() -> Program {
    let options = Options {
        verify_codegen: true,
        ..Options::default()
    };
    Program::compile(SOURCE, options).unwrap_or_else(|e| panic!("{}", e.render("g.kern", SOURCE)))
}

fn arg_error<T: std::fmt::Debug>(result: Result<T, CallError>) -> ArgError {
    match result {
        Err(CallError::Args(error)) => error,
        other => panic!("expected an argument error, found {other:?}"),
    }
}

#[test]
fn a_call_picks_the_instance_of_its_arrays_dtype() {
    let program = program();
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let (x32, y32) = (vec![1.0f32, 2.0, 3.0], vec![0.5f32; 3]);
    let mut out32 = vec![0.0f32; 3];
    saxpy
        .bind()
        .scalar("a", 2.0f32)
        .input("x", &x32)
        .input("y", &y32)
        .output("out", &mut out32)
        .run()
        .expect("the f32 instance runs");
    assert_eq!(out32, [2.5, 4.5, 6.5]);
    let (x64, y64) = (vec![0.1f64, 0.2], vec![0.0f64; 2]);
    let mut out64 = vec![0.0f64; 2];
    saxpy
        .bind()
        .scalar("a", 3.0f64)
        .input("x", &x64)
        .input("y", &y64)
        .output("out", &mut out64)
        .run()
        .expect("the f64 instance runs");
    // f64 arithmetic, not f32: 3 * 0.1 is 0.30000000000000004 only in f64.
    assert_eq!(out64, [3.0 * 0.1, 3.0 * 0.2]);
}

#[test]
fn owned_calls_pick_the_instance_and_agree_with_the_evaluator() {
    let program = program();
    let module = kjit::compile(SOURCE).expect("the source checks");
    let twice = program.kernel("twice").expect("twice");
    let cases = [
        Array::from_vec(vec![100i8, -100, 3]),
        Array::from_vec(vec![200u8, 7]),
        Array::from_vec(vec![40000u16, 2]),
        Array::from_vec(vec![1.5f32, -0.25]),
        Array::from_vec(vec![u64::MAX, 1]),
    ];
    for x in cases {
        let args = Args::new().array("x", x.clone());
        let jit = twice.call(&args).expect("the instance runs");
        let reference = eval::evaluate(&module, "twice", &args).expect("the evaluator runs");
        assert_eq!(jit, reference, "x = {x:?}");
        let elem = x.data.elem();
        let out = jit.array("out").expect("out");
        assert_eq!(out.data.elem(), elem, "the output has the input's dtype");
        let top = jit.scalar("top").expect("top");
        assert_eq!(top.ty(), elem);
    }
    // i8 wraps: 100 + 100 == -56.
    let args = Args::new().array("x", Array::from_vec(vec![100i8]));
    let out = twice.call(&args).expect("runs");
    assert_eq!(
        out.array("out").map(|a| &a.data),
        Some(&ArrayData::I8(vec![-56]))
    );
}

#[test]
fn instances_compile_on_first_call_once() {
    let program = program();
    assert_eq!(
        program.instances_compiled(),
        0,
        "nothing generic compiles up front"
    );
    let twice = program.kernel("twice").expect("twice");
    assert_eq!(twice.instances().count(), 10, "T: num has ten instances");
    assert!(program.kernel("plain").expect("plain").is_compiled());
    let x = vec![1i32, 2, 3];
    let mut out = vec![0i32; 3];
    for _ in 0..3 {
        twice
            .bind()
            .input("x", &x)
            .output("out", &mut out)
            .run()
            .expect("runs");
    }
    assert_eq!(out, [2, 4, 6]);
    assert_eq!(
        program.instances_compiled(),
        1,
        "compiled once, then cached"
    );
    assert!(twice
        .instance(&[I32])
        .expect("an i32 instance")
        .is_compiled());
    assert!(!twice
        .instance(&[I64])
        .expect("an i64 instance")
        .is_compiled());
    let x = vec![1i64];
    let mut out = vec![0i64];
    twice
        .bind()
        .input("x", &x)
        .output("out", &mut out)
        .run()
        .expect("runs");
    assert_eq!(program.instances_compiled(), 2);
}

#[test]
fn concurrent_first_calls_compile_one_instance() {
    let program = program();
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let results: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                scope.spawn(move || {
                    let x: Vec<f64> = (0..1000).map(|i| f64::from(i + t)).collect();
                    let y = vec![1.0f64; 1000];
                    let mut out = vec![0.0f64; 1000];
                    (saxpy.bind().scalar("a", 0.5f64).input("x", &x))
                        .input("y", &y)
                        .output("out", &mut out)
                        .run()
                        .expect("runs");
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    assert_eq!(program.instances_compiled(), 1);
    for (t, out) in results.iter().enumerate() {
        let expected: Vec<f64> = (0..1000)
            .map(|i| 0.5 * f64::from(i + t as i32) + 1.0)
            .collect();
        assert_eq!(out, &expected);
    }
}

#[test]
fn a_dtype_outside_the_bound_names_the_argument_and_the_types() {
    let program = program();
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let x = vec![1i32, 2];
    let mut out = vec![0i32; 2];
    let error = arg_error(
        saxpy
            .bind()
            .scalar("a", 1i32)
            .input("x", &x)
            .input("y", &x)
            .output("out", &mut out)
            .run(),
    );
    match &error {
        ArgError::TypeOutsideBound {
            name,
            type_param,
            found,
            allowed,
            ..
        } => {
            assert_eq!(
                (name.as_str(), type_param.as_str(), *found),
                ("x", "T", I32)
            );
            assert_eq!(allowed, &[F32, F64]);
        }
        other => panic!("expected TypeOutsideBound, found {other:?}"),
    }
    let text = error.to_string();
    assert!(text.starts_with("argument `x`"), "{text}");
    assert!(text.contains("f32 (float32) or f64 (float64)"), "{text}");
    assert_eq!(
        program.instances_compiled(),
        0,
        "nothing compiled for a bad call"
    );
}

#[test]
fn arrays_of_two_dtypes_for_one_parameter_fail_at_the_second() {
    let program = program();
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let x = vec![1.0f32];
    let y = vec![1.0f64];
    let mut out = vec![0.0f32];
    let error = arg_error(
        (saxpy.bind().scalar("a", 1.0f32).input("x", &x))
            .input("y", &y)
            .output("out", &mut out)
            .run(),
    );
    assert_eq!(
        error,
        ArgError::WrongDtype {
            name: "y".into(),
            expected: F32,
            found: F64
        }
    );
}

#[test]
fn scalars_adapt_when_exact_and_decide_when_alone() {
    let program = program();
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let x = vec![1.0f32, 2.0];
    let mut out = vec![0.0f32; 2];
    // An f64 2.0 is exactly an f32: the f32 instance takes it.
    (saxpy.bind().scalar("a", 2.0f64).input("x", &x))
        .input("y", &x)
        .output("out", &mut out)
        .run()
        .expect("2.0 converts exactly");
    assert_eq!(out, [3.0, 6.0]);
    // 0.1 is not an f32: the dtype error names `a`.
    let error = arg_error(
        (saxpy.bind().scalar("a", 0.1f64).input("x", &x))
            .input("y", &x)
            .output("out", &mut out)
            .run(),
    );
    assert!(
        matches!(error, ArgError::WrongDtype { ref name, .. } if name == "a"),
        "{error:?}"
    );
    // No array names T in `fill`: the scalar's own type decides.
    let fill = program.kernel("fill").expect("fill");
    let args = Args::new().scalar("v", Scalar::I16(-7)).size("m", 3);
    let out = fill.call(&args).expect("the i16 instance runs");
    assert_eq!(
        out.array("out").map(|a| &a.data),
        Some(&ArrayData::I16(vec![-7; 3]))
    );
    let args = Args::new().scalar("v", true).size("m", 1);
    let error = arg_error(fill.call(&args));
    assert!(matches!(
        error,
        ArgError::TypeOutsideBound {
            found: ScalarType::Bool,
            ..
        }
    ));
}

#[test]
fn signatures_show_the_generic_form_and_instances_their_types() {
    let program = program();
    let saxpy = program.kernel("saxpy").expect("saxpy");
    assert!(saxpy.is_generic());
    assert_eq!(
        saxpy.signature().to_string(),
        "kernel saxpy<T: float>(a: T, x: T[n], y: T[n]) -> (out: T[n])"
    );
    let names: Vec<String> = saxpy.instances().map(|s| s.instance_name()).collect();
    assert_eq!(names, ["saxpy<T = f32>", "saxpy<T = f64>"]);
    let f64_instance = saxpy.instance(&[F64]).expect("f64");
    for name in ["saxpy<f64>", "saxpy<T = f64>", "saxpy< T=f64 >"] {
        let named = program.kernel(name).expect("an instance by name");
        assert_eq!(named.signature(), f64_instance.signature(), "{name}");
    }
    assert!(program.kernel("saxpy<i32>").is_none());
    assert!(program.kernel("saxpy<f64").is_none());
    assert_eq!(f64_instance.signature().params[1].elem, F64);
    assert!(saxpy.instance(&[I32]).is_none());
    let plain = program.kernel("plain").expect("plain");
    assert!(!plain.is_generic());
    assert_eq!(
        plain.signature().to_string(),
        "kernel plain(x: f32[n]) -> (out: f32[n])"
    );
    let ir = f64_instance.dump(Stage::Ir).expect("the IR dumps");
    assert!(ir.contains("kernel saxpy<T = f64>"), "{ir}");
    assert!(!ir.contains("saxpy<T = f32>"), "only the instance: {ir}");
}

#[test]
fn kernels_keep_source_order_among_ordinary_ones() {
    let program = program();
    let names: Vec<&str> = program.kernels().collect();
    assert_eq!(names, ["saxpy", "twice", "fill", "plain"]);
    let source = "
        kernel a(x: f32[n]) -> (o: f32[n]) { foreach i in n { o[i] = x[i]; } }
        kernel b<T: f32 | i8>(x: T[n]) -> (o: T[n]) { foreach i in n { o[i] = x[i]; } }
        kernel c(x: i8[n]) -> (o: i8[n]) { foreach i in n { o[i] = -x[i]; } }
    ";
    let program = Program::compile(source, Options::default()).expect("compiles");
    assert_eq!(program.kernels().collect::<Vec<_>>(), ["a", "b", "c"]);
    let x = vec![3i8, -4];
    let mut out = vec![0i8; 2];
    let c = program.kernel("c").expect("c");
    c.bind()
        .input("x", &x)
        .output("o", &mut out)
        .run()
        .expect("runs");
    assert_eq!(out, [-3, 4]);
    let b = program.kernel("b").expect("b");
    b.bind()
        .input("x", &x)
        .output("o", &mut out)
        .run()
        .expect("runs");
    assert_eq!(out, [3, -4]);
    assert_eq!(b.instances().count(), 2);
}

#[test]
fn a_pinned_instance_runs_whatever_the_arguments() {
    let program = program();
    let twice = program.kernel("twice").expect("twice");
    let pinned = twice.instance(&[U8]).expect("u8");
    let x = vec![200u8, 1];
    let mut out = vec![0u8; 2];
    pinned
        .bind()
        .input("x", &x)
        .output("out", &mut out)
        .run()
        .expect("runs");
    assert_eq!(out, [144, 2]);
    // Pinned to u8, an i8 array is a plain dtype error.
    let y = vec![1i8];
    let mut out = vec![0i8];
    let error = arg_error(pinned.bind().input("x", &y).output("out", &mut out).run());
    assert!(
        matches!(
            error,
            ArgError::WrongDtype {
                expected: U8,
                found: I8,
                ..
            }
        ),
        "{error:?}"
    );
}

/// First-call instantiation is code generation for one kernel: a few
/// milliseconds. `cargo test --release --test api_generics -- --nocapture
/// first_call` prints the time; the bound is loose (a shared CI machine).
#[test]
fn first_call_instantiation_takes_milliseconds() {
    let program = program();
    let twice = program.kernel("twice").expect("twice");
    let mut times = Vec::new();
    for ty in [F32, F64, I8, I16, I32, I64, U8, U16, U32, U64] {
        let instance = twice.instance(&[ty]).expect("an instance per type");
        let started = Instant::now();
        instance.compile().expect("compiles");
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let started = Instant::now();
    program
        .kernel("saxpy")
        .and_then(|k| k.instance(&[F32]))
        .expect("f32")
        .compile()
        .expect("ok");
    let saxpy_ms = started.elapsed().as_secs_f64() * 1e3;
    times.sort_by(f64::total_cmp);
    println!(
        "first-call instantiation: twice<T: num> median {:.2} ms (min {:.2}, max {:.2}); saxpy<f32> {saxpy_ms:.2} ms",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    assert_eq!(program.instances_compiled(), 11);
    assert!(times.iter().all(|&ms| ms < 2000.0), "{times:?}");
}
