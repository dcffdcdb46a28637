//! Unit tests of evaluation order and control flow: whole kernels, built by
//! hand with the test builder, run through `evaluate`.

use super::testkit::{module, saxpy, IrBuilder};
use super::{evaluate, EvalError};
use crate::ir::*;
use crate::span::Span;
use crate::types::ScalarType::{self, *};
use crate::value::{Args, Array, Outputs, Scalar, Value};
use ParamRole::{InOut, Input, Output};

fn run(kernel: Kernel, args: Args) -> Result<Outputs, EvalError> {
    run_with(kernel, Vec::new(), args)
}

fn run_with(kernel: Kernel, functions: Vec<Function>, args: Args) -> Result<Outputs, EvalError> {
    let name = kernel.name.clone();
    evaluate(&module(vec![kernel], functions), &name, &args)
}

#[test]
fn saxpy_computes_a_times_x_plus_y() {
    let args = Args::new()
        .scalar("a", 2.0f32)
        .array("x", Array::from_vec(vec![1.0f32, 2.0, 3.0]))
        .array("y", Array::from_vec(vec![0.5f32, 0.5, 0.5]));
    let out = run(saxpy(), args).unwrap();
    assert_eq!(
        out.array("out"),
        Some(&Array::from_vec(vec![2.5f32, 4.5, 6.5]))
    );
}

#[test]
fn empty_arrays_give_empty_outputs() {
    let args = Args::new()
        .scalar("a", 2.0f32)
        .array("x", Array::from_vec(Vec::<f32>::new()))
        .array("y", Array::from_vec(Vec::<f32>::new()));
    let out = run(saxpy(), args).unwrap();
    assert_eq!(out.array("out"), Some(&Array::from_vec(Vec::<f32>::new())));
}

/// `flag = i < n && x[i] > 0.0` for a scalar input `i` and `x: f32[n]`
/// (`&` instead of `&&` when `op` is `BitAnd`); for `||`, the guard is
/// `i >= n`.
fn guarded_load(op: BinaryOp) -> Kernel {
    let mut b = IrBuilder::new("guard");
    let n = b.size("n");
    let i = b.scalar("i", Input, I64);
    let x = b.array("x", Input, F32, &[n]);
    let (_, flag) = b.scalar_output("flag", Bool);
    let (iv, nv) = (b.param_ref(i), b.size_ref(n));
    let guard = if op == BinaryOp::Or {
        BinaryOp::Ge
    } else {
        BinaryOp::Lt
    };
    let in_range = b.binary(guard, iv, nv);
    b.at(30, 34);
    let iv = b.param_ref(i);
    let xi = b.load(x, vec![iv]);
    let zero = b.f32(0.0);
    let positive = b.binary(BinaryOp::Gt, xi, zero);
    let value = b.binary(op, in_range, positive);
    b.assign(flag, value);
    b.kernel()
}

fn guard_args(i: i64) -> Args {
    Args::new()
        .scalar("i", i)
        .array("x", Array::from_vec(vec![1.0f32, -1.0]))
}

#[test]
fn and_skips_its_right_side_when_the_left_is_false() {
    let out = run(guarded_load(BinaryOp::And), guard_args(5)).unwrap();
    assert_eq!(out.scalar("flag"), Some(Scalar::Bool(false)));
    let out = run(guarded_load(BinaryOp::And), guard_args(0)).unwrap();
    assert_eq!(out.scalar("flag"), Some(Scalar::Bool(true)));
}

#[test]
fn bitwise_and_on_bools_evaluates_both_sides() {
    let err = run(guarded_load(BinaryOp::BitAnd), guard_args(5)).unwrap_err();
    assert!(matches!(err, EvalError::OutOfBounds { .. }), "{err}");
}

#[test]
fn or_skips_its_right_side_when_the_left_is_true() {
    let out = run(guarded_load(BinaryOp::Or), guard_args(5)).unwrap();
    assert_eq!(out.scalar("flag"), Some(Scalar::Bool(true)));
    let out = run(guarded_load(BinaryOp::Or), guard_args(1)).unwrap();
    assert_eq!(out.scalar("flag"), Some(Scalar::Bool(false)));
}

#[test]
fn out_of_bounds_names_kernel_array_index_shape_and_position() {
    let err = run(guarded_load(BinaryOp::BitAnd), guard_args(-1)).unwrap_err();
    let EvalError::OutOfBounds {
        kernel,
        array,
        index,
        shape,
        span,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((kernel.as_str(), array.as_str()), ("guard", "x"));
    assert_eq!((index.clone(), shape.clone()), (vec![-1], vec![2]));
    assert_eq!(*span, Span::new(30, 34));
    let source = format!("{}\n    flag = x[i] > 0.0;\n", "k".repeat(24));
    assert_eq!(
        err.describe(&source),
        "kernel `guard`: index [-1] is out of bounds for array `x` of shape [2] at 2:6"
    );
}

/// `count = 0; for k in lo..(=)hi { count += 1 }` over `ty`.
fn counting_loop(ty: ScalarType, lo: i64, hi: i64, inclusive: bool) -> Kernel {
    let mut b = IrBuilder::new("count");
    let (_, count) = b.scalar_output("count", I64);
    let k = b.local("k", ty, LocalKind::LoopCounter);
    let konst = |b: &mut IrBuilder, v: i64| if ty == I32 { b.i32(v as i32) } else { b.i64(v) };
    let (start, end) = (konst(&mut b, lo), konst(&mut b, hi));
    b.for_(k, start, end, inclusive, |b| {
        let c = b.get(count);
        let one = b.i64(1);
        let next = b.binary(BinaryOp::Add, c, one);
        b.assign(count, next);
    });
    b.kernel()
}

fn count_result(kernel: Kernel) -> Scalar {
    run(kernel, Args::new()).unwrap().scalar("count").unwrap()
}

#[test]
fn for_loops_count_exclusive_and_inclusive_ranges() {
    assert_eq!(
        count_result(counting_loop(I32, 0, 5, false)),
        Scalar::I64(5)
    );
    assert_eq!(count_result(counting_loop(I32, 0, 5, true)), Scalar::I64(6));
    assert_eq!(
        count_result(counting_loop(I64, 5, 0, false)),
        Scalar::I64(0)
    );
    assert_eq!(count_result(counting_loop(I64, 5, 4, true)), Scalar::I64(0));
}

#[test]
fn inclusive_loops_up_to_max_terminate() {
    let max32 = i32::MAX as i64;
    assert_eq!(
        count_result(counting_loop(I32, max32 - 2, max32, true)),
        Scalar::I64(3)
    );
    assert_eq!(
        count_result(counting_loop(I64, i64::MAX - 1, i64::MAX, true)),
        Scalar::I64(2)
    );
    assert_eq!(
        count_result(counting_loop(I64, i64::MIN, i64::MIN, true)),
        Scalar::I64(1)
    );
}

#[test]
fn for_loop_bounds_are_evaluated_once() {
    // `n = 3; for k in 0..n { n = 10; count += 1 }` runs 3 times.
    let mut b = IrBuilder::new("count");
    let (_, count) = b.scalar_output("count", I64);
    let n = b.var("n", I64);
    let k = b.local("k", I64, LocalKind::LoopCounter);
    let three = b.i64(3);
    b.assign(n, three);
    let (zero, end) = (b.i64(0), b.get(n));
    b.for_(k, zero, end, false, |b| {
        let ten = b.i64(10);
        b.assign(n, ten);
        let (c, one) = (b.get(count), b.i64(1));
        let next = b.binary(BinaryOp::Add, c, one);
        b.assign(count, next);
    });
    assert_eq!(count_result(b.kernel()), Scalar::I64(3));
}

#[test]
fn while_with_break_and_continue_affects_the_innermost_loop() {
    // k = 0; while true { k += 1; if k > 7 { break } if k % 2 == 0 { continue } count += k }
    let mut b = IrBuilder::new("count");
    let (_, count) = b.scalar_output("count", I64);
    let k = b.var("k", I64);
    let yes = b.bool(true);
    b.while_(yes, |b| {
        let (kv, one) = (b.get(k), b.i64(1));
        let next = b.binary(BinaryOp::Add, kv, one);
        b.assign(k, next);
        let (kv, seven) = (b.get(k), b.i64(7));
        let done = b.binary(BinaryOp::Gt, kv, seven);
        b.if_(done, |b| b.push(StmtKind::Break), |_| {});
        let (kv, two) = (b.get(k), b.i64(2));
        let rem = b.binary(BinaryOp::Rem, kv, two);
        let zero = b.i64(0);
        let even = b.binary(BinaryOp::Eq, rem, zero);
        b.if_(even, |b| b.push(StmtKind::Continue), |_| {});
        let (c, kv) = (b.get(count), b.get(k));
        let sum = b.binary(BinaryOp::Add, c, kv);
        b.assign(count, sum);
    });
    assert_eq!(count_result(b.kernel()), Scalar::I64(1 + 3 + 5 + 7));
}

/// `total = OP over i in extent { x[i] }` for `x: f32[n]`... or over a
/// constant extent when `extent` is given.
fn reduce_kernel(op: ReduceOp, extent: Option<i64>) -> Kernel {
    let mut b = IrBuilder::new("red");
    let n = b.size("n");
    let x = b.array("x", Input, F32, &[n]);
    let (_, total) = b.scalar_output("total", F32);
    let ext = match extent {
        Some(e) => b.i64(e),
        None => b.size_ref(n),
    };
    b.reduce(total, op, vec![ext], |b, i| b.load_at(x, i));
    b.kernel()
}

fn reduce_f32(op: ReduceOp, extent: Option<i64>, x: Vec<f32>) -> Scalar {
    let out = run(
        reduce_kernel(op, extent),
        Args::new().array("x", Array::from_vec(x)),
    )
    .unwrap();
    out.scalar("total").unwrap()
}

#[test]
fn empty_and_negative_domains_reduce_to_the_identity() {
    assert_eq!(
        reduce_f32(ReduceOp::Sum, Some(-3), vec![1.0]),
        Scalar::F32(0.0)
    );
    assert_eq!(
        reduce_f32(ReduceOp::Min, Some(-3), vec![1.0]),
        Scalar::F32(f32::INFINITY)
    );
    assert_eq!(reduce_f32(ReduceOp::Prod, None, vec![]), Scalar::F32(1.0));
    assert_eq!(
        reduce_f32(ReduceOp::Max, None, vec![]),
        Scalar::F32(f32::NEG_INFINITY)
    );
}

#[test]
fn reductions_fold_in_the_canonical_lane_order() {
    // Element i goes to lane i % 8; lanes combine as
    // ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)) = (1e20 + -1e20) + (1 + 1) = 2,
    // where a sequential fold would give 1.
    assert_eq!(
        reduce_f32(ReduceOp::Sum, None, vec![1e20, 1.0, -1e20, 1.0]),
        Scalar::F32(2.0)
    );
    // Elements 0 and 8 share lane 0 and fold in order there:
    // (1e20 + 1) + -1e20 == 0 in f32, so the 1 is lost.
    let mut x = vec![0.0f32; 17];
    (x[0], x[8], x[16]) = (1e20, 1.0, -1e20);
    assert_eq!(reduce_f32(ReduceOp::Sum, None, x), Scalar::F32(0.0));
    assert_eq!(
        reduce_f32(ReduceOp::Max, None, vec![1.0, f32::NAN, 3.0]),
        Scalar::F32(3.0)
    );
    assert!(reduce_f32(ReduceOp::Max, None, vec![-0.0, 0.0]).same_bits(Scalar::F32(-0.0)));
}

#[test]
fn two_dimensional_domains_run_row_major() {
    // total = sum over (r, c) in (h, w) { m[r, c] }, m = [[1e20, 1], [-1e20, 1]]:
    // the lane of an element is its column, so lane 0 = 1e20 + -1e20 = 0 and
    // lane 1 = 1 + 1 = 2; a sequential row-major fold would give 1.
    let mut b = IrBuilder::new("red2");
    let (h, w) = (b.size("h"), b.size("w"));
    let m = b.array("m", Input, F32, &[h, w]);
    let (_, total) = b.scalar_output("total", F32);
    let extents = vec![b.size_ref(h), b.size_ref(w)];
    b.reduce(total, ReduceOp::Sum, extents, |b, rc| b.load_at(m, rc));
    let m_val = Array::new(vec![2, 2], vec![1e20f32, 1.0, -1e20, 1.0]).unwrap();
    let out = run(b.kernel(), Args::new().array("m", m_val)).unwrap();
    assert_eq!(out.scalar("total"), Some(Scalar::F32(2.0)));
}

#[test]
fn foreach_stores_a_two_dimensional_output() {
    // out[r, c] = r * 10 + c over (h, w), both sizes given by the caller.
    let mut b = IrBuilder::new("grid");
    let (h, w) = (b.size("h"), b.size("w"));
    let out = b.array("out", Output, I64, &[h, w]);
    b.foreach_sizes(&[h, w], |b, rc| {
        let (r, ten, c) = (b.get(rc[0]), b.i64(10), b.get(rc[1]));
        let r10 = b.binary(BinaryOp::Mul, r, ten);
        let v = b.binary(BinaryOp::Add, r10, c);
        b.store(out, rc, v);
    });
    let outs = run(b.kernel(), Args::new().size("h", 2).size("w", 3)).unwrap();
    let want = Array::new(vec![2, 3], vec![0i64, 1, 2, 10, 11, 12]).unwrap();
    assert_eq!(outs.array("out"), Some(&want));
}

#[test]
fn inout_arrays_come_back_updated_and_scalar_outputs_start_at_zero() {
    // y[i] = y[i] * 2; `unset` is never assigned.
    let mut b = IrBuilder::new("dbl");
    let n = b.size("n");
    let y = b.array("y", InOut, I32, &[n]);
    b.scalar_output("unset", F64);
    b.foreach_sizes(&[n], |b, i| {
        let (v, two) = (b.load_at(y, i), b.i32(2));
        let d = b.binary(BinaryOp::Mul, v, two);
        b.store(y, i, d);
    });
    let outs = run(
        b.kernel(),
        Args::new().array("y", Array::from_vec(vec![1i32, -3])),
    )
    .unwrap();
    let names: Vec<&str> = outs.values.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["y", "unset"]);
    assert_eq!(outs.array("y"), Some(&Array::from_vec(vec![2i32, -6])));
    assert_eq!(outs.get("unset"), Some(&Value::Scalar(Scalar::F64(0.0))));
}

/// `fn sq(x: f64) -> f64 { let t = x * x; t }` and
/// `fn quad(x: f64) -> f64 { sq(sq(x)) }`.
fn square_functions() -> Vec<Function> {
    let mut f = IrBuilder::new("sq");
    let x = f.local("x", F64, LocalKind::FnParam);
    let t = f.var("t", F64);
    let (a, bb) = (f.get(x), f.get(x));
    let prod = f.binary(BinaryOp::Mul, a, bb);
    f.assign(t, prod);
    let result = f.get(t);
    let sq = f.function(1, F64, result);
    let mut g = IrBuilder::new("quad");
    let x = g.local("x", F64, LocalKind::FnParam);
    let xv = g.get(x);
    let inner = g.call(FuncId::from_u32(0), F64, vec![xv]);
    let outer = g.call(FuncId::from_u32(0), F64, vec![inner]);
    vec![sq, g.function(1, F64, outer)]
}

#[test]
fn calls_run_the_function_in_a_fresh_frame() {
    let mut b = IrBuilder::new("calls");
    let x = b.scalar("x", Input, F64);
    let (_, r) = b.scalar_output("r", F64);
    let xv = b.param_ref(x);
    let v = b.call(FuncId::from_u32(1), F64, vec![xv]);
    b.assign(r, v);
    let out = run_with(
        b.kernel(),
        square_functions(),
        Args::new().scalar("x", 3.0f64),
    )
    .unwrap();
    assert_eq!(out.scalar("r"), Some(Scalar::F64(81.0)));
}

#[test]
fn unknown_kernels_and_bad_arguments_are_errors_before_running() {
    let m = module(vec![saxpy()], Vec::new());
    let err = evaluate(&m, "nope", &Args::new()).unwrap_err();
    assert_eq!(err.to_string(), "no kernel named `nope` (kernels: saxpy)");
    let err = evaluate(&m, "saxpy", &Args::new()).unwrap_err();
    assert!(matches!(err, EvalError::Args(_)), "{err}");
}

#[test]
fn invalid_ir_is_reported_as_a_compiler_bug() {
    let mut kernel = saxpy();
    kernel.body.exprs[ExprId::from_u32(0)].ty = I32;
    let err = run(kernel, Args::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("internal compiler error: IR verification failed"),
        "{err}"
    );
}

#[test]
fn a_million_element_kernel_runs_in_linear_time() {
    let n = 1 << 20;
    let args = Args::new()
        .scalar("a", 0.5f32)
        .array("x", Array::from_vec(vec![2.0f32; n]))
        .array("y", Array::from_vec(vec![1.0f32; n]));
    let start = std::time::Instant::now();
    let out = run(saxpy(), args).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(out.array("out").map(|a| a.data.len()), Some(n));
    // Generous: a debug build on a loaded machine, not a benchmark.
    assert!(elapsed.as_secs() < 10, "{elapsed:?}");
}
