//! The new builtins' varying forms are straight vector code: each phase
//! holds no call and exactly as many lane extractions and insertions as a
//! kernel with the same loads and stores and a plain vector operation
//! instead (those come from the masked tail gang's loads and stores).

use kjit::codegen;
use kjit::options::Options;

/// (parameters, output type, expression, baseline of the same type).
const CASES: &[(&str, &str, &str, &str)] = &[
    ("x: f32[n]", "f32", "rint(x[i])", "x[i] + x[i]"),
    ("x: f64[n]", "f64", "rint(x[i])", "x[i] + x[i]"),
    (
        "x: f32[n], y: f32[n]",
        "f32",
        "copysign(x[i], y[i])",
        "x[i] + y[i]",
    ),
    (
        "x: f64[n], y: f64[n]",
        "f64",
        "copysign(x[i], y[i])",
        "x[i] + y[i]",
    ),
    (
        "x: f32[n], y: f32[n]",
        "f32",
        "hypot(x[i], y[i])",
        "x[i] + y[i]",
    ),
    (
        "x: f64[n], y: f64[n]",
        "f64",
        "hypot(x[i], y[i])",
        "x[i] + y[i]",
    ),
    ("x: f32[n]", "bool", "is_nan(x[i])", "x[i] < x[i]"),
    ("x: f64[n]", "bool", "is_inf(x[i])", "x[i] < x[i]"),
    ("x: f64[n]", "bool", "is_finite(x[i])", "x[i] < x[i]"),
    ("a: i32[n]", "i32", "popcount(a[i])", "a[i] + a[i]"),
    ("a: i64[n]", "i64", "popcount(a[i])", "a[i] + a[i]"),
    ("a: i32[n]", "i32", "clz(a[i])", "a[i] + a[i]"),
    ("a: i64[n]", "i64", "clz(a[i])", "a[i] + a[i]"),
    ("a: i32[n]", "i32", "ctz(a[i])", "a[i] + a[i]"),
    ("a: i64[n]", "i64", "ctz(a[i])", "a[i] + a[i]"),
    (
        "x: f32[n]",
        "i32",
        "to_bits(x[i])",
        "select(x[i] < x[i], 1, 0)",
    ),
    (
        "x: f64[n]",
        "i64",
        "to_bits(x[i])",
        "select(x[i] < x[i], 1, 0)",
    ),
    (
        "a: i32[n]",
        "f32",
        "from_bits(a[i])",
        "select(a[i] < a[i], 1.0, 0.0)",
    ),
    (
        "a: i64[n]",
        "f64",
        "from_bits(a[i])",
        "select(a[i] < a[i], 1.0, 0.0)",
    ),
];

/// (calls, lane extractions and insertions) in the chunk functions.
fn phase_ops(params: &str, ty: &str, expr: &str) -> (usize, usize) {
    let source =
        format!("kernel k({params}) -> (r: {ty}[n]) {{ foreach i in n {{ r[i] = {expr}; }} }}");
    let module = kjit::compile(&source).unwrap_or_else(|d| panic!("{source}: {d:?}"));
    let clif = codegen::dump_clif(&module, "k", &Options::default()).expect("compiles");
    let mut in_phase = false;
    let (mut calls, mut lanes) = (0, 0);
    for line in clif.lines() {
        if let Some(name) = line.strip_prefix("; ") {
            in_phase = name.contains(".phase");
            continue;
        }
        if !in_phase {
            continue;
        }
        if line.contains(" call") || line.trim_start().starts_with("call ") {
            calls += 1;
        }
        if line.contains("extractlane") || line.contains("insertlane") {
            lanes += 1;
        }
    }
    (calls, lanes)
}

#[test]
fn varying_builtins_are_vector_code() {
    for &(params, ty, expr, baseline) in CASES {
        let (calls, lanes) = phase_ops(params, ty, expr);
        let (_, baseline_lanes) = phase_ops(params, ty, baseline);
        assert_eq!(calls, 0, "{expr} on {params}: calls in the phase");
        assert_eq!(
            lanes, baseline_lanes,
            "{expr} on {params}: per-lane code beyond the tail gang's"
        );
    }
}

/// Integer division runs lane by lane: the count above must see that, or
/// the test proves nothing.
#[test]
fn the_lane_counter_sees_per_lane_code() {
    let (_, division) = phase_ops("a: i32[n]", "i32", "a[i] / (a[i] + 1)");
    let (_, baseline) = phase_ops("a: i32[n]", "i32", "a[i] + a[i]");
    assert!(division > baseline, "{division} vs {baseline}");
}
