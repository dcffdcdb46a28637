//! Checker tests on whole programs. Rule-by-rule coverage (every diagnostic)
//! lives in the file tests under `tests/kern/`; these pin the examples the
//! language was designed around and the IR shape the JIT relies on.

use crate::diagnostic::Diagnostic;
use crate::ir::{self, LocalKind, StmtKind};

const EXAMPLES: &str = r#"
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n {
        out[i] = a * x[i] + y[i];
    }
}

fn cnd(x: f32) -> f32 { 0.5 * (1.0 + erf(x / sqrt(2.0))) }

kernel blackscholes(s: f32[n], k: f32[n], t: f32[n], r: f32, v: f32) -> (call: f32[n]) {
    foreach i in n {
        let sq = v * sqrt(t[i]);
        let d1 = (log(s[i] / k[i]) + (r + 0.5 * v * v) * t[i]) / sq;
        call[i] = s[i] * cnd(d1) - k[i] * exp(-r * t[i]) * cnd(d1 - sq);
    }
}

kernel mandelbrot(x0: f32, y0: f32, dx: f32, dy: f32, max_iter: i32) -> (count: i32[h, w]) {
    foreach (r, c) in (h, w) {
        let cr = x0 + f32(c) * dx;
        let ci = y0 + f32(r) * dy;
        let zr = 0.0; let zi = 0.0; let k = 0;
        while k < max_iter && zr * zr + zi * zi <= 4.0 {
            let t = zr * zr - zi * zi + cr;
            zi = 2.0 * zr * zi + ci;
            zr = t;
            k += 1;
        }
        count[r, c] = k;
    }
}

kernel blur(img: f32[h, w]) -> (out: f32[h, w]) {
    foreach (r, c) in (h, w) {
        if r == 0 || c == 0 || r == h - 1 || c == w - 1 {
            out[r, c] = img[r, c];
        } else {
            let s = 0.0;
            for dr in -1..=1 { for dc in -1..=1 { s += img[r + dr, c + dc]; } }
            out[r, c] = s / 9.0;
        }
    }
}

kernel logsumexp(x: f64[n]) -> (out: f64) {
    let m = max over i in n { x[i] };
    let s = sum over i in n { exp(x[i] - m) };
    out = m + log(s);
}
"#;

fn check(source: &str) -> (Option<ir::Module>, Vec<Diagnostic>) {
    let checked = crate::check(source);
    if let Some(module) = &checked.module {
        if let Err(err) = ir::verify(module) {
            panic!(
                "checker produced invalid IR: {err}\n{}",
                ir::dump_module(module)
            );
        }
    }
    (checked.module, checked.diagnostics)
}

fn messages(source: &str) -> Vec<String> {
    check(source).1.into_iter().map(|d| d.message).collect()
}

#[test]
fn the_design_examples_check_clean() {
    let (module, diags) = check(EXAMPLES);
    assert!(
        diags.is_empty(),
        "{}",
        crate::diagnostic::render(&diags, "examples", EXAMPLES, false)
    );
    let module = module.expect("no errors, so a module");
    assert_eq!(module.kernels.len(), 5);
}

#[test]
fn literals_take_their_type_from_use() {
    let (module, _) = check(EXAMPLES);
    let module = module.expect("module");
    let mandel = module.kernel("mandelbrot").expect("kernel");
    let ty_of = |name: &str| {
        mandel
            .body
            .locals
            .values()
            .find(|l| l.name == name)
            .map(|l| l.ty)
    };
    use crate::types::ScalarType::*;
    assert_eq!(ty_of("zr"), Some(F32));
    assert_eq!(ty_of("k"), Some(I32));
    let blur = module.kernel("blur").expect("kernel");
    let dr = blur
        .body
        .locals
        .values()
        .find(|l| l.name == "dr")
        .expect("dr");
    assert_eq!((dr.ty, dr.kind), (I64, LocalKind::LoopCounter));
}

#[test]
fn reductions_become_phases_before_their_statement() {
    let (module, _) = check(EXAMPLES);
    let module = module.expect("module");
    let kinds: Vec<&str> = module
        .kernel("logsumexp")
        .expect("kernel")
        .body
        .block
        .iter()
        .map(|s| match s.kind {
            StmtKind::Reduce { .. } => "reduce",
            StmtKind::Assign { .. } => "assign",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["reduce", "assign", "reduce", "assign", "assign"]);
}

#[test]
fn races_are_rejected() {
    let src = "kernel k(x: f32[n]) -> (out: f32[n], total: f32) {
        let s = 0.0;
        foreach i in n { out[i] = x[i]; s += x[i]; total = x[i]; }
        foreach i in n { out[i] = out[(i + 1) % n]; }
    }";
    let got = messages(src);
    assert!(
        got.iter()
            .any(|m| m.contains("cannot assign variable `s` inside a phase")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|m| m.contains("scalar output `total`")),
        "{got:?}"
    );
    assert!(
        got.iter().any(|m| m.contains("read at another index")),
        "{got:?}"
    );
}

#[test]
fn one_mistake_one_diagnostic() {
    let got = messages("kernel k(x: f32[n]) -> (out: f32[n]) { foreach i in n { out[i] = x[i] + 1.0 + undefined + 2.0; } }");
    assert_eq!(got, ["cannot find value `undefined` in this scope"]);
    let got = messages("kernel k(x: f32[n], y: f64[n]) -> (out: f32[n]) { foreach i in n { out[i] = (x[i] + y[i]) * 2.0; } }");
    assert_eq!(got, ["mismatched types: `f32` + `f64`"]);
}

#[test]
fn recursion_is_rejected() {
    let got = messages("fn f(x: f32) -> f32 { g(x) } fn g(x: f32) -> f32 { f(x) + 1.0 }");
    assert_eq!(got, ["recursive call: f → g → f"]);
}

#[test]
fn literal_ranges_follow_the_inferred_type() {
    assert!(messages("fn f() -> i32 { -2147483648 }").is_empty());
    assert_eq!(
        messages("fn f() -> i32 { 2147483648 }"),
        ["literal out of range for `i32`"]
    );
    assert!(messages("fn f() -> i64 { 2147483648 }").is_empty());
}

/// The call graph is searched without recursion: a chain of many functions
/// must not overflow even a small stack, and a cycle at its far end is
/// still found.
#[test]
fn long_call_chains_do_not_overflow_the_stack() {
    let n = 50_000;
    let mut src: String = (0..n)
        .map(|i| format!("fn g{i}(x: f32) -> f32 {{ g{}(x) }}\n", i + 1))
        .collect();
    src.push_str(&format!("fn g{n}(x: f32) -> f32 {{ g{}(x) }}\n", n - 1));
    // A recursive search needs far more than 256 KiB for 50,000 levels.
    let small_stack = std::thread::Builder::new().stack_size(256 * 1024);
    let got = small_stack.spawn(move || messages(&src));
    let got = got.map(|thread| thread.join());
    let cycle = format!("recursive call: g{} → g{n} → g{}", n - 1, n - 1);
    assert!(
        matches!(&got, Ok(Ok(m)) if *m == [cycle.clone()]),
        "{got:?}"
    );
}

#[test]
fn a_missing_value_points_at_the_brace_or_at_a_character_boundary() {
    // Closed: the label is the `}` itself.
    let source = "fn f(x: f64) -> f64 { let y = x; }";
    let (_, diags) = check(source);
    let label = diags
        .iter()
        .find(|d| d.message.contains("must end with a value"))
        .and_then(|d| d.labels.first())
        .expect("diagnosed");
    assert_eq!(&source[label.span.range()], "}");
    // Unclosed, ending in a multi-byte character: never a span inside it.
    let source = "fn f(x: f64) -> f64 {\n    let y = x; é";
    let (_, diags) = check(source);
    for d in &diags {
        for l in &d.labels {
            let r = l.span.range();
            assert!(
                source.is_char_boundary(r.start) && source.is_char_boundary(r.end),
                "{}: {r:?}",
                d.message
            );
        }
    }
    assert!(diags
        .iter()
        .any(|d| d.message.contains("must end with a value")));
}
