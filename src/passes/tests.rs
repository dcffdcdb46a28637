//! The IR passes on small kernels: what each rewrites, what it must leave
//! alone, and that the IR verifies after each.

use super::{fold, lower, unroll, Pass};
use crate::ir::{self, Expr, Module, StmtKind};
use crate::options::Options;
use crate::types::Scalar;

fn checked(source: &str) -> Module {
    crate::compile(source).expect("checks")
}

fn verified(module: &Module) {
    ir::verify(module).expect("the pass keeps the IR valid");
}

/// The constants of the kernel's arena, in order.
fn constants(module: &Module) -> Vec<Scalar> {
    module.kernels[0]
        .body
        .exprs
        .values()
        .filter_map(|n| match n.expr {
            Expr::Const(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn count(module: &Module, pred: impl Fn(&Expr) -> bool) -> usize {
    module.kernels[0]
        .body
        .exprs
        .values()
        .filter(|n| pred(&n.expr))
        .count()
}

#[test]
fn fold_computes_constant_operations_with_the_language_semantics() {
    let mut m = checked(
        "kernel k(x: f32[n]) -> (out: f32[n], q: i32, c: i64) {
            q = 7 / 0 + (-2147483647 - 1) / -1;
            c = i64(3.9e30) + (1 << 65);
            foreach i in n { out[i] = x[i] * (1.0 / 16.0) + sqrt(4.0); }
        }",
    );
    fold(&mut m);
    verified(&m);
    let folded = constants(&m);
    // Integer division by zero gives 0, MIN / -1 wraps to MIN; float to int
    // saturates; shifts take the amount modulo the width.
    assert!(folded.contains(&Scalar::I32(i32::MIN)), "{folded:?}");
    assert!(
        folded.contains(&Scalar::I64(i64::MAX.wrapping_add(2))),
        "{folded:?}"
    );
    assert!(folded.contains(&Scalar::F32(0.0625)), "{folded:?}");
    assert!(folded.contains(&Scalar::F32(2.0)), "{folded:?}");
    assert_eq!(count(&m, |e| matches!(e, Expr::Builtin { .. })), 0);
}

#[test]
fn fold_leaves_loads_calls_and_locals_alone() {
    let mut m = checked(
        "fn one() -> f64 { 1.0 }
        kernel k(x: f64[n], s: f64) -> (out: f64[n]) {
            foreach i in n {
                let a = 2.0;
                out[i] = x[i] + a * 3.0 + one() + s * 0.0;
            }
        }",
    );
    let before = m.kernels[0].body.exprs.len();
    fold(&mut m);
    verified(&m);
    assert_eq!(m.kernels[0].body.exprs.len(), before);
}

#[test]
fn unroll_copies_short_constant_loops_with_their_counter_as_a_constant() {
    let mut m = checked(
        "kernel k(x: f32[h, w]) -> (out: f32[h, w]) {
            foreach (r, c) in (h, w) {
                let s = 0.0;
                for dr in -1..=1 { for dc in 0..2 { s += x[r + dr, c + dc]; } }
                out[r, c] = s;
            }
        }",
    );
    unroll(&mut m);
    verified(&m);
    let loops = count_stmts(&m, |k| matches!(k, StmtKind::For { .. }));
    assert_eq!(loops, 0);
    assert_eq!(count(&m, |e| matches!(e, Expr::Load { .. })), 6);
    let consts = constants(&m);
    for v in [-1, 0, 1] {
        assert!(consts.contains(&Scalar::I64(v)), "{consts:?}");
    }
}

#[test]
fn unroll_leaves_long_jumping_and_variable_loops() {
    let mut m = checked(
        "kernel k(n: i32) -> (t: i32) {
            for a in 0..5 { t += a; }
            for b in 0..3 { if t > 2 { break; } t += b; }
            for c in 0..n { t += c; }
        }",
    );
    unroll(&mut m);
    verified(&m);
    assert_eq!(count_stmts(&m, |k| matches!(k, StmtKind::For { .. })), 3);
}

#[test]
fn lower_logs_every_pass_in_order_and_fast_math_only_when_asked() {
    let source = "kernel k(x: f64[n]) -> (out: f64[n]) {
        foreach i in n { out[i] = x[i] * 2.0 + 1.0; }
    }";
    for fast_math in [false, true] {
        let mut m = checked(source);
        let mut seen = Vec::new();
        let options = Options {
            fast_math,
            ..Options::default()
        };
        lower(&mut m, &options, &mut |pass, module| {
            verified(module);
            seen.push(pass);
        });
        let mut expected = vec![Pass::Unroll, Pass::Fold];
        if fast_math {
            expected.insert(0, Pass::FastMath);
        }
        assert_eq!(seen, expected);
    }
}

fn count_stmts(module: &Module, pred: impl Fn(&StmtKind) -> bool + Copy) -> usize {
    fn walk(block: &[ir::Stmt], pred: impl Fn(&StmtKind) -> bool + Copy) -> usize {
        block
            .iter()
            .map(|s| pred(&s.kind) as usize + s.children().map(|c| walk(c, pred)).sum::<usize>())
            .sum()
    }
    walk(&module.kernels[0].body.block, pred)
}

#[test]
fn fold_reads_constant_tables_at_constant_indices_inside_them() {
    let mut m = checked(
        "const T: i32[2, 2] = [[5, 6], [7, 8]];
        kernel k(j: i64) -> (a: i32, b: i32, c: i32) {
            a = T[1, 0] + 1;
            b = T[2, 0];
            c = T[j, 1];
        }",
    );
    fold(&mut m);
    verified(&m);
    // T[1, 0] + 1 is 8; T[2, 0] must still fail when it runs, and T[j, 1]
    // is not known until then: both stay loads.
    assert!(
        constants(&m).contains(&Scalar::I32(8)),
        "{:?}",
        constants(&m)
    );
    assert_eq!(count(&m, |e| matches!(e, Expr::TableLoad { .. })), 2);
}
