//! Exact comparison of two engines' outcomes, and the report of the first
//! difference.
//!
//! Values must be bit-identical (so `-0.0 != 0.0`), except that any NaN
//! equals any NaN: the language fixes when a result is NaN, not which NaN
//! payload or sign it carries. Failures must agree in kind (and array, for
//! out-of-range reads; see `Failure::agrees_with`). Nothing here is
//! approximate: a difference is a bug in one engine.

use super::engine::Outcome;
use kjit::value::{Array, Outputs, Scalar, Value};
use std::fmt::Write;

/// Elements shown on each side of the first difference.
const CONTEXT: usize = 4;

/// Whether two scalars are the same value in the differential sense.
pub fn same(a: Scalar, b: Scalar) -> bool {
    let both_nan = |x: Scalar| match x {
        Scalar::F32(v) => v.is_nan(),
        Scalar::F64(v) => v.is_nan(),
        _ => false,
    };
    a.same_bits(b) || (both_nan(a) && both_nan(b))
}

/// `None` when the outcomes agree, else a description of the first
/// disagreement. `expected` is the reference evaluator's outcome.
pub fn diff(expected: &Outcome, actual: &Outcome) -> Option<String> {
    match (expected, actual) {
        (Ok(e), Ok(a)) => diff_outputs(e, a),
        (Err(e), Err(a)) if e.agrees_with(a) => None,
        (Err(e), Err(a)) => Some(format!(
            "different errors:\n  evaluator: {e}\n  JIT:       {a}"
        )),
        (Ok(e), Err(a)) => Some(format!(
            "the JIT failed where the evaluator succeeded:\n  JIT: {a}\n  evaluator outputs:\n{}",
            summary(e)
        )),
        (Err(e), Ok(a)) => Some(format!(
            "the JIT succeeded where the evaluator failed:\n  evaluator: {e}\n  JIT outputs:\n{}",
            summary(a)
        )),
    }
}

fn diff_outputs(expected: &Outputs, actual: &Outputs) -> Option<String> {
    let names = |o: &Outputs| o.values.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    if names(expected) != names(actual) {
        return Some(format!(
            "different outputs: evaluator {:?}, JIT {:?}",
            names(expected),
            names(actual)
        ));
    }
    let pairs = expected.values.iter().zip(&actual.values);
    pairs
        .filter_map(|((name, e), (_, a))| diff_value(name, e, a))
        .reduce(|a, b| a + "\n" + &b)
}

fn diff_value(name: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Scalar(e), Value::Scalar(a)) if same(*e, *a) => None,
        (Value::Scalar(e), Value::Scalar(a)) => Some(format!(
            "`{name}`: evaluator {}, JIT {}",
            show(*e),
            show(*a)
        )),
        (Value::Array(e), Value::Array(a)) => diff_array(name, e, a),
        _ => Some(format!(
            "`{name}`: evaluator {expected:?}, JIT {actual:?} (kinds differ)"
        )),
    }
}

fn diff_array(name: &str, expected: &Array, actual: &Array) -> Option<String> {
    if expected.shape != actual.shape || expected.elem() != actual.elem() {
        return Some(format!(
            "`{name}`: evaluator {}{:?}, JIT {}{:?}",
            expected.elem(),
            expected.shape,
            actual.elem(),
            actual.shape
        ));
    }
    let differs = |i: &usize| !pair(expected, actual, *i).is_some_and(|(e, a)| same(e, a));
    let first = (0..expected.data.len()).find(differs)?;
    let count = (first..expected.data.len()).filter(differs).count();
    let (e, a) = pair(expected, actual, first).expect("index below the length");
    let mut out = format!(
        "`{name}` (shape {:?}): first difference at index {} ({count} of {} elements differ): \
         evaluator {}, JIT {}",
        expected.shape,
        position(&expected.shape, first),
        expected.data.len(),
        show(e),
        show(a)
    );
    let window = first.saturating_sub(CONTEXT)..(first + CONTEXT + 1).min(expected.data.len());
    let _ = write!(
        out,
        "\n    evaluator [{}..]: {}\n    JIT       [{}..]: {}",
        window.start,
        elements(expected, window.clone()),
        window.start,
        elements(actual, window.clone())
    );
    Some(out)
}

fn pair(e: &Array, a: &Array, i: usize) -> Option<(Scalar, Scalar)> {
    Some((e.data.get(i)?, a.data.get(i)?))
}

/// `7` for a 1-D array, `[r, c]` for a 2-D one.
fn position(shape: &[usize], flat: usize) -> String {
    match shape {
        [_, w] if *w > 0 => format!("[{}, {}]", flat / w, flat % w),
        _ => flat.to_string(),
    }
}

/// A value with its bits, so `-0.0` and NaN payloads are visible.
fn show(x: Scalar) -> String {
    match x {
        Scalar::F32(v) => format!("{v:?} ({:#010x})", v.to_bits()),
        Scalar::F64(v) => format!("{v:?} ({:#018x})", v.to_bits()),
        other => other.to_string(),
    }
}

fn elements(array: &Array, range: std::ops::Range<usize>) -> String {
    let items: Vec<String> = range
        .filter_map(|i| array.data.get(i))
        .map(|x| x.to_string())
        .collect();
    format!("[{}]", items.join(", "))
}

/// Every output, arrays cut to their first elements.
pub fn summary(outputs: &Outputs) -> String {
    let mut out = String::new();
    for (name, value) in &outputs.values {
        let text = match value {
            Value::Scalar(x) => show(*x),
            Value::Array(a) => {
                let n = a.data.len();
                let more = if n > 2 * CONTEXT { ", ..." } else { "" };
                let head = elements(a, 0..n.min(2 * CONTEXT));
                format!(
                    "{}{:?} {}{more}",
                    a.elem(),
                    a.shape,
                    head.trim_end_matches(']')
                ) + "]"
            }
        };
        let _ = writeln!(out, "    {name} = {text}");
    }
    out
}

/// Every output as text, for reports on small cases.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(outputs) => summary(outputs),
        Err(failure) => format!("    {failure}\n"),
    }
}
