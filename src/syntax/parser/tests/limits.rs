//! The nesting budget: deep input is an error, never a stack overflow.

use super::super::parse;
use crate::syntax::dump::dump_ast;

/// Every nesting construct, far past the limit, in a thread with a small
/// stack: the parser, the dump and dropping the tree must all survive.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 5000;
    let inputs = [
        format!("fn f() -> i32 {{ {}x{} }}", "(".repeat(n), ")".repeat(n)),
        format!("fn f() -> i32 {{ {}x }}", "-".repeat(n)),
        format!("fn f() -> i32 {{ {}x }}", "a + ".repeat(n)),
        format!(
            "fn f() -> i32 {{ {}1{} }}",
            "x * (".repeat(n),
            ")".repeat(n)
        ),
        format!("fn f() -> i32 {{ {}1{} }}", "g(".repeat(n), ")".repeat(n)),
        format!("fn f() -> i32 {{ {}i{} }}", "a[".repeat(n), "]".repeat(n)),
        format!("kernel k() {{ {}{} }}", "if a { ".repeat(n), "}".repeat(n)),
        format!("kernel k() {{ {} }}", "if a { } else ".repeat(n) + "{ }"),
        format!(
            "fn f() -> i32 {{ {}1{} }}",
            "sum over i in n { ".repeat(n),
            " }".repeat(n)
        ),
        format!(
            "kernel k() {{ {} }}",
            "foreach i in n { ".repeat(n) + &"}".repeat(n)
        ),
        // Operator chains whose first operand is already deep.
        chains_around("(", ")"),
        chains_around("g(", ")"),
        chains_around("-(", ")"),
        chains_around("sum over i in n { ", " }"),
    ];
    for source in inputs {
        let worker = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let (file, diagnostics) = parse(&source);
                let dump = dump_ast(&file);
                (
                    dump.len(),
                    diagnostics
                        .iter()
                        .any(|d| d.message.contains("nested too deeply")),
                )
            });
        let result = worker.map(|handle| handle.join());
        assert!(
            matches!(result, Ok(Ok((_, true)))),
            "failed or no nesting error: {result:?}"
        );
    }
}

/// Python habits that the parser reads as kern forms pay the budget like
/// those forms. The habit's own error comes first, and the nesting error
/// after it may be dropped as an echo (one mistake, one diagnostic), so
/// this asserts an error, not which.
#[test]
fn deep_habits_are_errors_not_crashes() {
    let n = 5000;
    let inputs = [
        format!("fn f() -> i32 {{ {}x }}", "x ** ".repeat(n)),
        format!("fn f() -> bool {{ {}x }}", "not ".repeat(n)),
        format!(
            "kernel k() {{ {}{} }}",
            "for i in range(n) { ".repeat(n),
            "}".repeat(n)
        ),
        format!("kernel k() {{ if a {{ }} {} }}", "elif a { } ".repeat(n)),
    ];
    for source in inputs {
        let worker = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let (file, diagnostics) = parse(&source);
                (dump_ast(&file).len(), diagnostics.len())
            });
        let result = worker.map(|handle| handle.join());
        assert!(
            matches!(result, Ok(Ok((_, errors))) if errors > 0),
            "failed or no error: {result:?}"
        );
    }
}

/// `open (open (a + a ...) + a ...) + a ...`, a few levels of long chains.
fn chains_around(open: &str, close: &str) -> String {
    let chain = " + a".repeat(900);
    let expr = (0..8).fold("a".to_string(), |inner, _| {
        format!("{open}{inner}{chain}{close}")
    });
    format!("fn f() -> i32 {{ {expr} }}")
}

/// Nesting well below the limit is fine.
#[test]
fn moderate_nesting_is_accepted() {
    let source = format!(
        "fn f() -> i32 {{ {}1{} }}",
        "x * (1 + ".repeat(60),
        ")".repeat(60)
    );
    let (_, diagnostics) = parse(&source);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

/// An expression cut short by the nesting limit is one error expression:
/// nothing else is reported about the statement.
#[test]
fn nesting_limit_makes_one_error() {
    let source = format!("fn f() -> i32 {{ {}a }}", "a + ".repeat(2000));
    let (file, diagnostics) = parse(&source);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let dump = dump_ast(&file);
    assert!(dump.contains("    tail error @"), "{dump}");
}

/// A flat chain of binary operators is not nesting: 600 terms parse clean
/// (they used to be refused as "nested too deeply"). Chains cost half a
/// unit per operator, so the longest admitted chain is about twice the
/// budget (less what the surrounding blocks spent).
#[test]
fn flat_chains_do_not_count_as_nesting() {
    for (terms, ok) in [(600, true), (900, true), (1002, false), (5000, false)] {
        let source = format!("fn f(a: i32) -> i32 {{ {} }}", vec!["a"; terms].join(" + "));
        let (_, diagnostics) = parse(&source);
        assert_eq!(diagnostics.is_empty(), ok, "{terms} terms: {diagnostics:?}");
    }
}

/// The longest chain the budget admits goes through the whole pipeline —
/// check, AST dump, reference evaluator, JIT — on a 2 MiB thread, even in
/// a debug build (where a chain of 1500 overflowed when this was written).
#[test]
fn the_longest_admitted_chain_survives_every_stage_on_a_small_stack() {
    let chain = vec!["x[i]"; 950].join(" + ");
    let source = format!(
        "kernel k(x: f64[m]) -> (y: f64[m], s: f64) {{ \
         foreach i in m {{ y[i] = {chain}; }} s = sum over i in m {{ {chain} }}; }}"
    );
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let checked = crate::check(&source);
            assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
            let module = checked.module.expect("module");
            let _ = dump_ast(&parse(&source).0);
            let args = crate::value::Args::new()
                .array("x", crate::value::Array::from_vec(vec![1.0f64; 20]));
            let expected = crate::eval::evaluate(&module, "k", &args).expect("eval");
            let program =
                crate::api::Program::compile(&source, Default::default()).expect("compile");
            let kernel = program.kernel("k").expect("k");
            let outputs = kernel.call(&args).expect("call");
            assert_eq!(outputs.scalar("s"), expected.scalar("s"));
            assert_eq!(
                expected.scalar("s"),
                Some(crate::value::Scalar::F64(19_000.0))
            );
        })
        .expect("spawn");
    worker.join().expect("no stack overflow, no panic");
}
