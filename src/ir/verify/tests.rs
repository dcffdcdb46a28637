//! One test per verifier invariant: a hand-built IR that breaks exactly
//! that invariant, and the message it must produce. Valid IR built the same
//! way must pass, so each test checks that its base passes first.

use super::*;
use crate::eval::testkit::{module, saxpy, IrBuilder};
use crate::types::ScalarType::{self, *};
use ParamRole::{InOut, Input, Output};

mod phases;

#[track_caller]
pub(super) fn rejects(m: &Module, needle: &str) {
    match verify(m) {
        Ok(()) => panic!(
            "verifier accepted IR that breaks: {needle}\n{}",
            dump_module(m)
        ),
        Err(err) => assert!(
            err.message.contains(needle),
            "expected `{needle}`, got: {err}"
        ),
    }
}

#[track_caller]
pub(super) fn rejects_kernel(k: Kernel, needle: &str) {
    rejects(&module(vec![k], Vec::new()), needle);
}

#[track_caller]
pub(super) fn accepts_kernel(k: Kernel) {
    let m = module(vec![k], Vec::new());
    if let Err(err) = verify(&m) {
        panic!("{err}\n{}", dump_module(&m));
    }
}

/// `n`, `x: f32[n]` (input), `out: f32[n]` (output).
pub(super) fn base() -> (IrBuilder, SizeId, ParamId, ParamId) {
    let mut b = IrBuilder::new("k");
    let n = b.size("n");
    let x = b.array("x", Input, F32, &[n]);
    let out = b.array("out", Output, F32, &[n]);
    (b, n, x, out)
}

#[test]
fn valid_kernels_pass() {
    accepts_kernel(saxpy());
    let (mut b, n, x, _) = base();
    let (_, total) = b.scalar_output("total", F32);
    let ext = b.size_ref(n);
    b.reduce(total, ReduceOp::Sum, vec![ext], |b, i| b.load_at(x, i));
    accepts_kernel(b.kernel());
}

#[test]
fn rejects_out_of_range_handles() {
    let (mut b, ..) = base();
    let v = b.var("v", F32);
    let bad = b.expr(Expr::Local(LocalId::from_u32(9)), F32);
    b.assign(v, bad);
    rejects_kernel(b.kernel(), "v9 is out of range");

    let (mut b, ..) = base();
    let v = b.var("v", F32);
    let bad = b.expr(Expr::Param(ParamId::from_u32(7)), F32);
    b.assign(v, bad);
    rejects_kernel(b.kernel(), "p7 is out of range");

    let (mut b, ..) = base();
    let v = b.var("v", I64);
    let bad = b.expr(Expr::Size(SizeId::from_u32(3)), I64);
    b.assign(v, bad);
    rejects_kernel(b.kernel(), "size3 is out of range");

    let (mut b, ..) = base();
    let v = b.var("v", F32);
    let bad = b.call(FuncId::from_u32(0), F32, vec![]);
    b.assign(v, bad);
    rejects_kernel(b.kernel(), "fn0 is out of range");
}

#[test]
fn rejects_bad_signatures() {
    let mut b = IrBuilder::new("k");
    let n = b.size("n");
    b.array("x", Input, F32, &[n, n, n, n, n]);
    rejects_kernel(b.kernel(), "has rank 5");

    let mut b = IrBuilder::new("k");
    b.array("x", Input, F32, &[SizeId::from_u32(4)]);
    rejects_kernel(b.kernel(), "names size4, which is out of range");

    let (mut b, ..) = base();
    b.scalar("late", Input, F32);
    rejects_kernel(b.kernel(), "is an input after an output");

    let mut b = IrBuilder::new("k");
    b.scalar("s", InOut, F32);
    rejects_kernel(b.kernel(), "is not an array");

    let (mut b, n, ..) = base();
    b.sizes[n].fixed_by = None;
    rejects_kernel(b.kernel(), "first input dim naming it is Some((p0, 0))");
}

#[test]
fn rejects_scalar_outputs_without_exactly_one_local_of_their_type() {
    let (mut b, ..) = base();
    b.scalar("s", Output, F32);
    rejects_kernel(b.kernel(), "has 0 Output locals");

    let (mut b, ..) = base();
    let (s, _) = b.scalar_output("s", F32);
    b.local("s2", F32, LocalKind::Output(s));
    rejects_kernel(b.kernel(), "has 2 Output locals");

    let (mut b, ..) = base();
    let s = b.scalar("s", Output, F32);
    b.local("s", F64, LocalKind::Output(s));
    rejects_kernel(b.kernel(), "cannot hold p2");
}

#[test]
fn rejects_an_expression_used_twice() {
    let (mut b, ..) = base();
    let v = b.var("v", F32);
    let one = b.f32(1.0);
    let twice = b.binary(BinaryOp::Add, one, one);
    b.assign(v, twice);
    rejects_kernel(b.kernel(), "e0 is used 2 times");
}

#[test]
fn rejects_an_unused_expression() {
    let (mut b, ..) = base();
    b.f32(1.0);
    rejects_kernel(b.kernel(), "e0 is never used");
}

#[test]
fn rejects_an_operand_after_its_user() {
    let (mut b, ..) = base();
    let v = b.var("v", F32);
    let neg = b.expr(
        Expr::Unary {
            op: UnaryOp::Neg,
            arg: ExprId::from_u32(1),
        },
        F32,
    );
    b.f32(1.0);
    b.assign(v, neg);
    rejects_kernel(b.kernel(), "e0 uses e1, which does not precede it");
}

/// A kernel assigning `expr` (built from operands of the given types) to
/// a local of type `ty`.
fn assign_expr(ty: ScalarType, build: impl FnOnce(&mut IrBuilder) -> ExprId) -> Kernel {
    let mut b = IrBuilder::new("k");
    let v = b.var("v", ty);
    let e = build(&mut b);
    b.assign(v, e);
    b.kernel()
}

#[test]
fn rejects_ill_typed_operators() {
    use BinaryOp::*;
    let cases: Vec<(&str, Kernel)> = vec![
        (
            "binary Add(f32, i32)",
            assign_expr(F32, |b| {
                let (f, i) = (b.f32(1.0), b.i32(1));
                b.binary(Add, f, i)
            }),
        ),
        (
            "has type f32 but binary Lt(f32, f32) gives bool",
            assign_expr(F32, |b| {
                let (x, y) = (b.f32(1.0), b.f32(2.0));
                b.expr(
                    Expr::Binary {
                        op: Lt,
                        lhs: x,
                        rhs: y,
                    },
                    F32,
                )
            }),
        ),
        (
            "binary And(i32, i32)",
            assign_expr(I32, |b| {
                let (x, y) = (b.i32(1), b.i32(2));
                b.binary(And, x, y)
            }),
        ),
        (
            "binary Shl(f64, f64)",
            assign_expr(F64, |b| {
                let (x, y) = (b.f64(1.0), b.f64(2.0));
                b.binary(Shl, x, y)
            }),
        ),
        (
            "binary BitXor(f32, f32)",
            assign_expr(F32, |b| {
                let (x, y) = (b.f32(1.0), b.f32(2.0));
                b.binary(BitXor, x, y)
            }),
        ),
        (
            "binary Add(bool, bool)",
            assign_expr(Bool, |b| {
                let (x, y) = (b.bool(true), b.bool(false));
                b.binary(Add, x, y)
            }),
        ),
        (
            "unary Neg(bool)",
            assign_expr(Bool, |b| {
                let x = b.bool(true);
                b.unary(UnaryOp::Neg, x)
            }),
        ),
        (
            "unary Not(f32)",
            assign_expr(F32, |b| {
                let x = b.f32(1.0);
                b.unary(UnaryOp::Not, x)
            }),
        ),
        (
            "has type i32 but constant() gives i64",
            assign_expr(I32, |b| b.expr(Expr::Const(Scalar::I64(1)), I32)),
        ),
    ];
    for (needle, kernel) in cases {
        rejects_kernel(kernel, needle);
    }
}

#[test]
fn accepts_float_remainder_bool_bit_ops_and_any_cast() {
    accepts_kernel(assign_expr(F32, |b| {
        let (x, y) = (b.f32(5.0), b.f32(2.0));
        b.binary(BinaryOp::Rem, x, y)
    }));
    accepts_kernel(assign_expr(Bool, |b| {
        let (x, y) = (b.bool(true), b.bool(false));
        b.binary(BinaryOp::BitXor, x, y)
    }));
    accepts_kernel(assign_expr(I32, |b| {
        let x = b.bool(true);
        b.cast(x, I32)
    }));
}

#[test]
fn rejects_builtins_outside_their_signature() {
    let cases: Vec<(&str, Kernel)> = vec![
        (
            "builtin sqrt(i32)",
            assign_expr(I32, |b| {
                let x = b.i32(4);
                b.builtin(Builtin::Sqrt, vec![x])
            }),
        ),
        (
            "builtin min(f32)",
            assign_expr(F32, |b| {
                let x = b.f32(4.0);
                b.builtin(Builtin::Min, vec![x])
            }),
        ),
        (
            "builtin max(f32, f64)",
            assign_expr(F32, |b| {
                let (x, y) = (b.f32(4.0), b.f64(1.0));
                b.builtin(Builtin::Max, vec![x, y])
            }),
        ),
        (
            "builtin select(i32, f32, f32)",
            assign_expr(F32, |b| {
                let (c, x, y) = (b.i32(1), b.f32(4.0), b.f32(1.0));
                b.builtin(Builtin::Select, vec![c, x, y])
            }),
        ),
        (
            "builtin abs(bool)",
            assign_expr(Bool, |b| {
                let x = b.bool(true);
                b.builtin(Builtin::Abs, vec![x])
            }),
        ),
    ];
    for (needle, kernel) in cases {
        rejects_kernel(kernel, needle);
    }
    accepts_kernel(assign_expr(I64, |b| {
        let (c, x, y) = (b.bool(true), b.i64(4), b.i64(1));
        b.builtin(Builtin::Select, vec![c, x, y])
    }));
}

#[test]
fn rejects_bad_loads() {
    let (mut b, _, x, _) = base();
    let v = b.var("v", F32);
    let i = b.i32(0);
    let load = b.load(x, vec![i]);
    b.assign(v, load);
    rejects_kernel(b.kernel(), "load of p0(i32)");

    let (mut b, _, x, _) = base();
    let v = b.var("v", F32);
    let (i, j) = (b.i64(0), b.i64(0));
    let load = b.load(x, vec![i, j]);
    b.assign(v, load);
    rejects_kernel(b.kernel(), "load of p0(i64, i64)");
}

#[test]
fn rejects_param_reads_of_non_scalar_inputs() {
    let (mut b, _, x, _) = base();
    let v = b.var("v", F32);
    let read = b.param_ref(x);
    b.assign(v, read);
    rejects_kernel(b.kernel(), "ill-typed param p0");
}

#[test]
fn rejects_ill_typed_statements() {
    let k = assign_expr(F64, |b| b.f32(1.0));
    rejects_kernel(k, "assigns a f32 to v0 of type f64");

    let mut b = IrBuilder::new("k");
    let c = b.i32(1);
    b.if_(c, |_| {}, |_| {});
    rejects_kernel(b.kernel(), "if condition e0 has type i32");

    let mut b = IrBuilder::new("k");
    let c = b.f32(1.0);
    b.while_(c, |_| {});
    rejects_kernel(b.kernel(), "while condition e0 has type f32");

    let mut b = IrBuilder::new("k");
    let k = b.local("k", I32, LocalKind::LoopCounter);
    let (s, e) = (b.i32(0), b.i64(3));
    b.for_(k, s, e, false, |_| {});
    rejects_kernel(b.kernel(), "for v0 (LoopCounter i32) in i32..i64");

    let mut b = IrBuilder::new("k");
    let k = b.var("k", I64);
    let (s, e) = (b.i64(0), b.i64(3));
    b.for_(k, s, e, false, |_| {});
    rejects_kernel(b.kernel(), "for v0 (Var i64)");
}

/// A function `f(p: f32) -> f32` whose body is built by `build`, returning
/// the result expression.
fn function(name: &str, build: impl FnOnce(&mut IrBuilder, LocalId) -> ExprId) -> Function {
    let mut f = IrBuilder::new(name);
    let p = f.local("p", F32, LocalKind::FnParam);
    let result = build(&mut f, p);
    f.function(1, F32, result)
}

#[test]
fn rejects_kernel_only_constructs_in_functions() {
    let f = function("f", |f, _| f.expr(Expr::Size(SizeId::from_u32(0)), I64));
    rejects(&module(Vec::new(), vec![f]), "size0 used in a function");

    let f = function("f", |f, _| {
        let i = f.i64(0);
        f.expr(
            Expr::Load {
                array: ParamId::from_u32(0),
                index: vec![i],
            },
            F32,
        )
    });
    rejects(&module(Vec::new(), vec![f]), "p0 used in a function");

    let mut f = IrBuilder::new("f");
    f.local("p", F32, LocalKind::FnParam);
    let ext = f.i64(3);
    f.foreach(vec![ext], |_, _| {});
    let r = f.f32(0.0);
    let func = f.function(1, F32, r);
    rejects(&module(Vec::new(), vec![func]), "has kind DomainIndex");
}

#[test]
fn rejects_bad_function_results_and_params() {
    let f = function("f", |f, _| f.f64(1.0));
    rejects(
        &module(Vec::new(), vec![f]),
        "fn0 returns f32 but its result e0 is f64",
    );

    let mut f = function("f", |f, p| f.get(p));
    f.params.clear();
    rejects(
        &module(Vec::new(), vec![f]),
        "1 FnParam locals but 0 parameters",
    );

    let mut b = IrBuilder::new("k");
    b.local("p", F32, LocalKind::FnParam);
    rejects_kernel(b.kernel(), "has kind FnParam");
}

#[test]
fn rejects_ill_typed_calls() {
    let f = function("f", |f, p| f.get(p));
    let k = assign_expr(F32, |b| {
        let arg = b.f64(1.0);
        b.call(FuncId::from_u32(0), F32, vec![arg])
    });
    rejects(&module(vec![k], vec![f.clone()]), "call of fn0(f64)");

    let k = assign_expr(F64, |b| {
        let arg = b.f32(1.0);
        b.call(FuncId::from_u32(0), F64, vec![arg])
    });
    rejects(
        &module(vec![k], vec![f.clone()]),
        "has type f64 but call of fn0(f32) gives f32",
    );

    let k = assign_expr(F32, |b| b.call(FuncId::from_u32(0), F32, vec![]));
    rejects(&module(vec![k], vec![f]), "call of fn0()");
}

#[test]
fn rejects_call_cycles() {
    let call_self = |f: &mut IrBuilder, p: LocalId, callee: u32| {
        let arg = f.get(p);
        f.call(FuncId::from_u32(callee), F32, vec![arg])
    };
    let f = function("f", |f, p| call_self(f, p, 0));
    rejects(&module(Vec::new(), vec![f]), "call cycle: fn0 -> fn0");

    let f = function("f", |f, p| call_self(f, p, 1));
    let g = function("g", |g, p| call_self(g, p, 0));
    let m = module(Vec::new(), vec![f, g]);
    rejects(&m, "call cycle: fn0 -> fn1 -> fn0");

    // A diamond is not a cycle.
    let leaf = function("leaf", |f, p| f.get(p));
    let left = function("left", |f, p| call_self(f, p, 0));
    let right = function("right", |f, p| call_self(f, p, 0));
    let top = function("top", |f, p| {
        let l = call_self(f, p, 1);
        let r = {
            let arg = f.get(p);
            f.call(FuncId::from_u32(2), F32, vec![arg])
        };
        f.binary(BinaryOp::Add, l, r)
    });
    assert_eq!(
        verify(&module(Vec::new(), vec![leaf, left, right, top])),
        Ok(())
    );
}

#[test]
fn errors_name_the_context_and_span() {
    let mut b = IrBuilder::new("ctx");
    let v = b.var("v", F32);
    b.at(4, 9);
    let bad = b.i32(1);
    b.assign(v, bad);
    let err = verify(&module(vec![b.kernel()], Vec::new())).unwrap_err();
    assert_eq!(err.context, "kernel ctx");
    assert_eq!(err.span, Span::new(4, 9));
    assert_eq!(
        err.to_string(),
        "IR verification failed in kernel ctx at 4..9: assigns a i32 to v0 of type f32"
    );
}
