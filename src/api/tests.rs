//! The API on hand-written kernels (`runtime::fakes`), so argument
//! checking, both call paths, errors and threading are tested without the
//! code generator. `tests/api.rs` repeats the user-facing cases on real
//! compiled kernels.

use super::*;
use crate::abi::CHUNK_ELEMS;
use crate::eval::{self, EvalError};
use crate::runtime::fakes;
use crate::types::ScalarType::*;
use crate::value::{Array, Scalar, Value};

fn program(threads: Option<usize>) -> Program {
    let options = Options {
        threads,
        ..Options::default()
    };
    Program::assemble(fakes::kernels(), None, &fakes::source(), options)
        .expect("the fakes validate")
}

fn evaluate(kernel: &str, args: &Args) -> Result<Outputs, EvalError> {
    let module = crate::compile(&fakes::source()).expect("the fakes check");
    eval::evaluate(&module, kernel, args)
}

fn arg_error<T: fmt::Debug>(result: Result<T, CallError>) -> ArgError {
    match result {
        Err(CallError::Args(error)) => error,
        other => panic!("expected an argument error, found {other:?}"),
    }
}

#[test]
fn borrowed_call_matches_the_evaluator() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let n = 2 * CHUNK_ELEMS + 3;
    let x: Vec<f32> = (0..n).map(|i| i as f32 * 0.25).collect();
    let y: Vec<f32> = (0..n).map(|i| 1.0 - i as f32).collect();
    let mut out = vec![f32::NAN; n];
    let scalars = (saxpy
        .bind()
        .scalar("a", 1.5f32)
        .input("x", &x)
        .input("y", &y))
    .output("out", &mut out)
    .run()
    .expect("saxpy runs");
    assert!(scalars.is_empty());
    let args = Args::new()
        .scalar("a", 1.5f32)
        .array("x", Array::from_vec(x.clone()))
        .array("y", Array::from_vec(y.clone()));
    let expected = evaluate("saxpy", &args).expect("evaluates");
    assert_eq!(expected.array("out"), Some(&Array::from_vec(out)));
    assert_eq!(saxpy.call(&args), Ok(expected));
}

#[test]
fn owned_call_copies_inout_arrays_and_takes_given_sizes() {
    let program = program(Some(2));
    let fill = program.kernel("fill").expect("fill");
    let acc = Array::from_vec(vec![1.0f32, 2.0]);
    let args = Args::new()
        .scalar("v", 0.5f32)
        .array("acc", acc.clone())
        .size("n", 3);
    let outputs = fill.call(&args).expect("fill runs");
    assert_eq!(Ok(&outputs), evaluate("fill", &args).as_ref());
    assert_eq!(
        args.values["acc"],
        Value::Array(acc),
        "the argument is untouched"
    );
    assert_eq!(
        arg_error(
            fill.call(
                &Args::new()
                    .scalar("v", 0.5f32)
                    .array("acc", Array::from_vec(vec![0.0f32]))
            )
        ),
        ArgError::MissingSize { size: "n".into() }
    );
    let negative = args.clone().size("n", -2);
    assert!(matches!(
        arg_error(fill.call(&negative)),
        ArgError::NegativeSize { value: -2, .. }
    ));
}

#[test]
fn borrowed_inout_and_scalar_outputs() {
    let program = program(Some(1));
    let fill = program.kernel("fill").expect("fill");
    let mut acc = [1.0f32, 2.0];
    let mut out = [0.0f32; 4];
    (fill.bind().scalar("v", 1.0f32).inout("acc", &mut acc))
        .output("out", &mut out)
        .run()
        .expect("fill runs");
    assert_eq!((acc, out), ([2.0, 3.0], [1.0; 4]));
    let total = program.kernel("total").expect("total");
    let x = [1.0f64, 2.0, 4.0];
    let scalars = total
        .bind()
        .input("x", &x)
        .scalar("k", 0i64)
        .run()
        .expect("total runs");
    assert_eq!(scalars.get("s"), Some(Scalar::F64(7.0)));
    assert_eq!(
        scalars.iter().collect::<Vec<_>>(),
        [("s", Scalar::F64(7.0))]
    );
}

#[test]
fn naming_mistakes_are_caught_as_arguments_are_given() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let (x, y) = ([1.0f32; 3], [2.0f32; 3]);
    let mut out = [f32::NAN; 3];
    let good = || {
        saxpy
            .bind()
            .scalar("a", 1.0f32)
            .input("x", &x)
            .input("y", &y)
    };
    let name = |s: &str| s.to_string();
    let check = |result, expected: ArgError| assert_eq!(arg_error(result), expected);
    check(
        good().input("x", &x).output("out", &mut out).run(),
        ArgError::DuplicateArgument { name: name("x") },
    );
    check(
        good().input("z", &x).output("out", &mut out).run(),
        ArgError::UnknownArgument { name: name("z") },
    );
    check(
        good().run(),
        ArgError::MissingArgument {
            name: name("out"),
            expected: name("f32[n]"),
        },
    );
    check(
        saxpy.bind().output("x", &mut out).run(),
        ArgError::WrongRole {
            name: name("x"),
            expected: Role::Input,
            found: Role::Output,
        },
    );
    check(
        good().output("out", &mut out).size("q", 1).run(),
        ArgError::UnknownSize { size: name("q") },
    );
    check(
        good()
            .output("out", &mut out)
            .size("n", 3)
            .size("n", 3)
            .run(),
        ArgError::DuplicateSize { size: name("n") },
    );
    assert!(out.iter().all(|v| v.is_nan()), "nothing ran");
}

#[test]
fn shape_mistakes_are_caught_before_anything_runs() {
    let program = program(None);
    let saxpy = program.kernel("saxpy").expect("saxpy");
    let (x, y, short, wrong_type) = ([1.0f32; 3], [2.0f32; 3], [0.0f32; 2], [0.0f64; 3]);
    let (mut out, mut long) = ([f32::NAN; 3], [f32::NAN; 4]);
    let bind = || saxpy.bind().scalar("a", 1.0f32);
    let name = |s: &str| s.to_string();
    assert_eq!(
        arg_error(
            bind()
                .input("x", &wrong_type)
                .input("y", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::WrongDtype {
            name: name("x"),
            expected: F32,
            found: F64,
        }
    );
    assert_eq!(
        arg_error(
            bind()
                .input_2d("x", &x, [1, 3])
                .input("y", &y)
                .output("out", &mut out)
                .run()
        ),
        ArgError::WrongRank {
            name: name("x"),
            expected: name("f32[n]"),
            found_shape: vec![1, 3],
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
            name: name("x"),
            expected: name("f32[n]"),
            found: F32,
        }
    );
    let good = || bind().input("x", &x);
    let mismatch = arg_error(good().input("y", &short).output("out", &mut out).run());
    assert!(
        matches!(&mismatch, ArgError::SizeMismatch { name, .. } if name == "y"),
        "{mismatch}"
    );
    let too_long = arg_error(good().input("y", &y).output("out", &mut long).run());
    assert_eq!(
        too_long.to_string(),
        "argument `out`: expected f32[n] (n = 3 from `x` dim 0), found f32 array of shape [4] (dim 0 is 4)"
    );
    let conflict = arg_error(
        good()
            .input("y", &y)
            .output("out", &mut out)
            .size("n", 4)
            .run(),
    );
    assert_eq!(
        conflict.to_string(),
        "size `n`: given as 4, but `x` dim 0 fixes it to 3"
    );
    assert!(out.iter().chain(&long).all(|v| v.is_nan()), "nothing ran");
}

#[test]
fn mistakes_specific_to_roles_and_2d_shapes() {
    let program = program(None);
    let fill = program.kernel("fill").expect("fill");
    let acc = [0.0f32; 2];
    let mut out = [0.0f32; 2];
    assert_eq!(
        arg_error(
            fill.bind()
                .scalar("v", 1.0f32)
                .input("acc", &acc)
                .output("out", &mut out)
                .run()
        ),
        ArgError::WrongRole {
            name: "acc".into(),
            expected: Role::InOut,
            found: Role::Input
        }
    );
    let total = program.kernel("total").expect("total");
    let x = [0.0f64; 2];
    assert_eq!(
        arg_error(
            total
                .bind()
                .input("x", &x)
                .scalar("k", 0i64)
                .scalar("s", 1.0f64)
                .run()
        ),
        ArgError::OutputGiven { name: "s".into() }
    );
    let positive = program.kernel("positive").expect("positive");
    let m = [1.0f32; 5];
    let mut grid = [0.0f32; 6];
    assert_eq!(
        arg_error(
            positive
                .bind()
                .input_2d("m", &m, [2, 3])
                .output_2d("out", &mut grid, [2, 3])
                .run()
        ),
        ArgError::InconsistentArray {
            name: "m".into(),
            shape: vec![2, 3],
            len: 5
        }
    );
}

#[test]
fn out_of_range_read_is_a_typed_error_like_the_evaluator_s() {
    let program = program(Some(2));
    let total = program.kernel("total").expect("total");
    let x = vec![1.0f64; 3 * CHUNK_ELEMS];
    let args = Args::new()
        .array("x", Array::from_vec(x.clone()))
        .scalar("k", 5i64);
    let Err(EvalError::OutOfBounds {
        array,
        index,
        shape,
        span,
        ..
    }) = evaluate("total", &args)
    else {
        panic!("the evaluator fails");
    };
    let expected = RunError::OutOfBounds {
        kernel: "total".into(),
        array,
        index,
        shape,
        span,
        line_col: None,
    }
    .located(program.source());
    let error = total
        .bind()
        .input("x", &x)
        .scalar("k", 5i64)
        .run()
        .unwrap_err();
    assert_eq!(error, CallError::Run(expected.clone()));
    assert_eq!(total.call(&args), Err(CallError::Run(expected)));
    let eval_error = evaluate("total", &args).unwrap_err();
    assert_eq!(
        error.describe(program.source()),
        eval_error.describe(program.source())
    );
    // Display says where, since the program located the error.
    let (line, col) = crate::span::line_col(program.source(), span.start);
    assert!(
        error.to_string().ends_with(&format!(" at {line}:{col}")),
        "{error}"
    );
    // The program renders its own errors as code frames.
    let rendered = program.render_error(&error, "total.kern");
    assert!(
        rendered.starts_with("error: kernel `total`: index ["),
        "{rendered}"
    );
    assert!(rendered.contains("┌─ total.kern:"), "{rendered}");
    assert!(rendered.contains("is out of bounds"), "{rendered}");
}

#[test]
fn reductions_are_bit_identical_for_any_thread_count() {
    let n = 6 * CHUNK_ELEMS + 11;
    let x: Vec<f64> = (0..n)
        .map(|i| ((i * 7919) % 1000) as f64 / 3.0 - 150.0)
        .collect();
    let results: Vec<Scalar> = [Some(1), Some(2), Some(4), None]
        .into_iter()
        .map(|threads| {
            let program = program(threads);
            let total = program.kernel("total").expect("total");
            let scalars = total
                .bind()
                .input("x", &x)
                .scalar("k", 0i64)
                .run()
                .expect("runs");
            scalars.get("s").expect("s")
        })
        .collect();
    assert!(
        results.iter().all(|r| r.same_bits(results[0])),
        "{results:?}"
    );
}

#[test]
fn one_program_serves_many_threads_at_once() {
    let program = program(Some(2));
    let n = 2 * CHUNK_ELEMS + 1;
    std::thread::scope(|scope| {
        for t in 0..4 {
            let program = &program;
            scope.spawn(move || {
                let saxpy = program.kernel("saxpy").expect("saxpy");
                let x: Vec<f32> = (0..n).map(|i| (i + t) as f32).collect();
                let mut out = vec![0.0f32; n];
                for _ in 0..10 {
                    let bound = saxpy
                        .bind()
                        .scalar("a", 2.0f32)
                        .input("x", &x)
                        .input("y", &x);
                    bound.output("out", &mut out).run().expect("saxpy runs");
                    assert!(out.iter().zip(&x).all(|(o, x)| *o == 3.0 * x));
                }
            });
        }
    });
}

#[test]
fn program_lists_kernels_and_compile_errors_render() {
    let program = program(None);
    assert_eq!(
        program.kernels().collect::<Vec<_>>(),
        ["saxpy", "total", "positive", "fill"]
    );
    assert!(program.kernel("nope").is_none());
    let sig = program
        .kernel("total")
        .expect("total")
        .signature()
        .to_string();
    assert_eq!(sig, "kernel total(x: f64[n], k: i64) -> (s: f64)");
    let source = "kernel k(x: f32[n]) -> (y: f32[n]) { foreach i in n { y[i] = x[i] + 1; } }";
    let error = Program::compile(source, Options::default()).unwrap_err();
    assert_eq!(error.to_string(), "mismatched types: `f32` + `{integer}`");
    let rendered = error.render("k.kern", source);
    assert!(rendered.contains("k.kern:1:"), "{rendered}");
}
