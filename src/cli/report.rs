//! The text `kjit run` prints: the call, one summary line per output, and
//! the timing.
//!
//! ```text
//! kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) with n = 8
//!   out: f32[8]  min 1.0  max 15.0  mean 8.0  [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0]
//!     written to out.npy
//! compile 1.204 ms, run 0.031 ms; 8 elements in the largest domain: 258.1 M elements/s
//! engine reference
//! ```
//! Statistics are NaN-aware: NaNs are counted (`nan 2`) and left out of min,
//! max and mean, so one NaN does not hide the range of the rest.

use super::Engine;
use kjit::ir::{Expr, Kernel, StmtKind};
use kjit::signature::{Bound, Signature};
use kjit::types::ScalarType;
use kjit::value::{Array, ArrayData, Outputs, Scalar, Value};
use std::fmt::Write;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

/// How many leading values an output line shows.
const SHOWN: usize = 8;

/// What the run cost and how it ran.
pub struct Timing {
    pub compile: Duration,
    pub run: Duration,
    /// Elements of the largest phase domain (or largest array).
    pub elements: u128,
    pub engine: Engine,
    pub threads: Option<NonZeroUsize>,
}

pub fn render(
    signature: &Signature,
    bound: &Bound,
    outputs: &Outputs,
    written: &[(String, PathBuf)],
    timing: &Timing,
) -> String {
    let mut out = call_line(signature, bound);
    for (name, value) in &outputs.values {
        let _ = writeln!(out, "  {}", output_line(name, value));
        for (_, path) in written.iter().filter(|(n, _)| n == name) {
            let _ = writeln!(out, "    written to {}", path.display());
        }
    }
    out.push_str(&timing_lines(timing));
    out
}

/// `kernel saxpy(...) -> (...) with n = 8, m = 3`; a generic kernel's
/// instance names its types first (`with T = f64, n = 8`).
fn call_line(signature: &Signature, bound: &Bound) -> String {
    let types = (signature.type_params.iter()).map(|t| format!("{} = {}", t.name, t.ty));
    let sizes: Vec<String> = types
        .chain(
            (signature.sizes.iter())
                .zip(&bound.sizes)
                .filter(|(size, _)| size.is_named())
                .map(|(size, value)| format!("{} = {value}", size.name)),
        )
        .collect();
    if sizes.is_empty() {
        format!("{signature}\n")
    } else {
        format!("{signature} with {}\n", sizes.join(", "))
    }
}

/// `out: f32[8]  min 1.0  max 15.0  mean 8.0  [1.0, 3.0, ...]`, or
/// `total: f64 = 3.5` for a scalar.
pub fn output_line(name: &str, value: &Value) -> String {
    match value {
        Value::Scalar(x) => format!("{name}: {} = {x}", x.ty()),
        Value::Array(array) => {
            let dims: Vec<String> = array.shape.iter().map(usize::to_string).collect();
            let head = format!("{name}: {}[{}]", array.elem(), dims.join(", "));
            format!(
                "{head}  {}  {}",
                statistics(&array.data),
                first_values(array)
            )
        }
    }
}

fn first_values(array: &Array) -> String {
    let shown: Vec<String> = array.data.iter().take(SHOWN).map(short).collect();
    let more = if array.data.len() > SHOWN {
        ", ..."
    } else {
        ""
    };
    format!("[{}{more}]", shown.join(", "))
}

/// `min .. max .. mean .. [nan N]`, `true N of M` for bools, `empty`.
fn statistics(data: &ArrayData) -> String {
    if data.is_empty() {
        return "empty".to_string();
    }
    match data {
        ArrayData::Bool(v) => format!("true {} of {}", v.iter().filter(|&&b| b).count(), v.len()),
        ArrayData::F32(v) => float_stats(v.iter().map(|&x| f64::from(x)), ScalarType::F32),
        ArrayData::F64(v) => float_stats(v.iter().copied(), ScalarType::F64),
        ints => integer_stats(ints),
    }
}

fn integer_stats(data: &ArrayData) -> String {
    let values = || data.iter().filter_map(|x| x.int_value());
    let (len, min, max) = (
        data.len(),
        values().min().unwrap_or(0),
        values().max().unwrap_or(0),
    );
    // An i128 sum of 64-bit values cannot overflow for fewer than 2^63
    // elements.
    let sum: i128 = values().sum();
    let mean = sum as f64 / len as f64;
    format!("min {min}  max {max}  mean {}", six_digits(mean))
}

fn float_stats(values: impl Iterator<Item = f64>, ty: ScalarType) -> String {
    let (mut min, mut max, mut sum, mut count, mut nans) =
        (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize, 0usize);
    for x in values {
        if x.is_nan() {
            nans += 1;
            continue;
        }
        min = min.min(x);
        max = max.max(x);
        sum += x;
        count += 1;
    }
    let nan_text = if nans > 0 {
        format!("  nan {nans}")
    } else {
        String::new()
    };
    if count == 0 {
        return format!("min -  max -  mean -{nan_text}");
    }
    let show = |x: f64| match ty {
        ScalarType::F32 => short(Scalar::F32(x as f32)),
        _ => short(Scalar::F64(x)),
    };
    let mean = sum / count as f64;
    format!(
        "min {}  max {}  mean {}{nan_text}",
        show(min),
        show(max),
        six_digits(mean)
    )
}

/// A value for a summary line: its exact shortest text when that is short
/// (`1.0`, `-2.25`, `1e-7`, `42`), else six significant digits.
fn short(x: Scalar) -> String {
    let exact = x.to_string();
    match x {
        Scalar::F32(v) if exact.len() > 9 => six_digits(f64::from(v)),
        Scalar::F64(v) if exact.len() > 9 => six_digits(v),
        _ => exact,
    }
}

/// Six significant digits: a summary, not a value to copy back.
fn six_digits(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x:?}");
    }
    let magnitude = x.abs().log10().floor();
    if (-4.0..6.0).contains(&magnitude) {
        let decimals = (5.0 - magnitude).max(0.0) as usize;
        trim_fraction(&format!("{x:.decimals$}"))
    } else {
        let text = format!("{x:.5e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim_fraction(mantissa)),
            None => text,
        }
    }
}

/// `2.50000` → `2.5`, `8.000` → `8.0`: trailing zeros say nothing, but one
/// digit after the point stays, so a float still reads as a float.
fn trim_fraction(text: &str) -> String {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            let fraction = if fraction.is_empty() { "0" } else { fraction };
            format!("{whole}.{fraction}")
        }
        None => format!("{text}.0"),
    }
}

fn timing_lines(timing: &Timing) -> String {
    let seconds = timing.run.as_secs_f64();
    let rate = if timing.elements == 0 {
        "nothing to run".to_string()
    } else if seconds > 0.0 {
        format!("{} elements/s", si(timing.elements as f64 / seconds))
    } else {
        "too fast to measure".to_string()
    };
    let noun = if timing.elements == 1 {
        "element"
    } else {
        "elements"
    };
    let mut out = format!(
        "compile {}, run {}; {} {noun} in the largest domain: {rate}\n",
        duration_text(timing.compile),
        duration_text(timing.run),
        timing.elements
    );
    match timing.threads {
        Some(n) => {
            let _ = writeln!(
                out,
                "engine {} (--threads {n} recorded; this engine runs on one thread)",
                engine_name(timing.engine)
            );
        }
        None => {
            let _ = writeln!(out, "engine {}", engine_name(timing.engine));
        }
    }
    out
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Reference => "reference",
        Engine::Jit => "jit",
    }
}

fn duration_text(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1000.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{:.3} s", ms / 1e3)
    }
}

/// `258.1 M` for 2.581e8.
fn si(x: f64) -> String {
    let units = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    match units.iter().find(|(scale, _)| x >= *scale) {
        Some((scale, unit)) => format!("{:.1} {unit}", x / scale),
        None => format!("{x:.1}"),
    }
}

/// The number of index points of the largest phase (`foreach` or
/// reduction) whose extents are sizes or constants; when no phase has such
/// extents, the largest parameter array. 0 for an empty domain; 1 for a
/// kernel with neither, which still did one unit of work.
pub fn largest_domain(kernel: &Kernel, bound: &Bound) -> u128 {
    let phases = kernel
        .body
        .block
        .iter()
        .filter_map(|stmt| match &stmt.kind {
            StmtKind::Foreach { domain, .. } | StmtKind::Reduce { domain, .. } => domain
                .extents
                .iter()
                .map(|&e| extent(kernel, bound, e))
                .product::<Option<u128>>(),
            _ => None,
        });
    let arrays = bound
        .shapes
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.iter().map(|&d| d as u128).product());
    let largest_phase = phases.max();
    largest_phase.or_else(|| arrays.max()).unwrap_or(1)
}

fn extent(kernel: &Kernel, bound: &Bound, expr: kjit::ir::ExprId) -> Option<u128> {
    let value = match kernel.body.exprs.get(expr)?.expr {
        Expr::Size(size) => *bound.sizes.get(size_index(kernel, size)?)?,
        Expr::Const(kjit::ir::Scalar::I64(n)) => n,
        _ => return None,
    };
    // A negative extent is an empty domain.
    Some(u128::try_from(value).unwrap_or(0))
}

/// The position of `size` in the kernel's size table, which is also its
/// index in [`Bound::sizes`].
fn size_index(kernel: &Kernel, size: kjit::ir::SizeId) -> Option<usize> {
    kernel.sizes.keys().position(|id| id == size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_short_and_nan_aware() {
        let data = ArrayData::F64(vec![0.10029761003871951, f64::NAN, 2.0, -1e-9]);
        assert_eq!(
            statistics(&data),
            "min -1e-9  max 2.0  mean 0.700099  nan 1"
        );
        assert_eq!(
            statistics(&ArrayData::F32(vec![f32::NAN])),
            "min -  max -  mean -  nan 1"
        );
        assert_eq!(
            statistics(&ArrayData::I32(vec![3, -1])),
            "min -1  max 3  mean 1.0"
        );
        assert_eq!(
            statistics(&ArrayData::Bool(vec![true, false, true])),
            "true 2 of 3"
        );
        assert_eq!(statistics(&ArrayData::F32(vec![])), "empty");
    }

    #[test]
    fn numbers_keep_six_digits() {
        assert_eq!(short(Scalar::F64(0.10029761003871951)), "0.100298");
        assert_eq!(short(Scalar::F32(1.2233007e-9)), "1.2233e-9");
        assert_eq!(short(Scalar::F64(123456789.0)), "1.23457e8");
        assert_eq!(short(Scalar::F32(-2.25)), "-2.25");
        assert_eq!(short(Scalar::I64(i64::MAX)), "9223372036854775807");
        assert_eq!(six_digits(8.0), "8.0");
    }

    #[test]
    fn throughput_units() {
        assert_eq!(si(2.581e8), "258.1 M");
        assert_eq!(si(12.0), "12.0");
    }
}
