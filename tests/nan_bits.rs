//! NaN results agree bit for bit between the JIT and the evaluator (issue
//! 10): every float builtin and operator on every pair of special values
//! (NaNs of both signs and several payloads, infinities, zeros, normals),
//! in precise and fast maths, at 1 and 2 threads. And the rule itself: a
//! transcendental builtin's NaN result is the positive quiet NaN.

use kjit::api::Program;
use kjit::options::Options;
use kjit::value::{Args, Array, ArrayData, Outputs};

const UNARY: &[&str] = &[
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos",
    "atan", "sinh", "cosh", "tanh", "erf", "erfc", "cbrt", "sqrt", "floor", "ceil", "round",
    "trunc", "abs", "rint",
];
const BINARY: &[&str] = &["pow", "atan2", "min", "max", "hypot", "copysign"];
const TRANSCENDENTAL: &[&str] = &[
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos",
    "atan", "sinh", "cosh", "tanh", "erf", "erfc", "cbrt", "pow", "atan2", "hypot",
];

/// A kernel with one output per builtin, operator and fma form.
fn source(ty: &str) -> String {
    let mut outs = Vec::new();
    let mut body = Vec::new();
    for f in UNARY {
        outs.push(format!("u_{f}: {ty}[n]"));
        body.push(format!("u_{f}[i] = {f}(x[i]);"));
    }
    for f in BINARY {
        outs.push(format!("b_{f}: {ty}[n]"));
        body.push(format!("b_{f}[i] = {f}(x[i], y[i]);"));
    }
    let forms = [
        ("fma", "fma(x[i], y[i], z[i])"),
        ("fma_neg_a", "fma(-x[i], y[i], z[i])"),
        ("fma_neg_c", "fma(x[i], y[i], -z[i])"),
        ("add", "x[i] + y[i]"),
        ("sub", "x[i] - y[i]"),
        ("mul", "x[i] * y[i]"),
        ("div", "x[i] / y[i]"),
        ("rem", "x[i] % y[i]"),
        ("neg", "-x[i]"),
        ("muladd", "x[i] * y[i] + z[i]"),
    ];
    for (name, e) in forms {
        outs.push(format!("o_{name}: {ty}[n]"));
        body.push(format!("o_{name}[i] = {e};"));
    }
    format!(
        "kernel k(x: {ty}[n], y: {ty}[n], z: {ty}[n]) -> ({}) {{\n foreach i in n {{\n{}\n}}\n}}",
        outs.join(", "),
        body.join("\n")
    )
}

/// Every triple of special values, as f64 bit patterns.
fn specials_f64() -> Vec<f64> {
    [
        0x7ff8_0000_0000_0000u64,
        0xfff8_0000_0000_0000,
        0x7ff8_0000_0000_0123,
        0xfff4_0000_0000_0001,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0,
        0x8000_0000_0000_0000,
        0x3ff0_0000_0000_0000,
        0xc000_0000_0000_0000,
        0x7fef_ffff_ffff_ffff,
    ]
    .into_iter()
    .map(f64::from_bits)
    .collect()
}

fn specials_f32() -> Vec<f32> {
    [
        0x7fc0_0000u32,
        0xffc0_0000,
        0x7fc0_0123,
        0xffa0_0001,
        0x7f80_0000,
        0xff80_0000,
        0,
        0x8000_0000,
        0x3f80_0000,
        0xc000_0000,
        0x7f7f_ffff,
    ]
    .into_iter()
    .map(f32::from_bits)
    .collect()
}

fn triples<T: Copy>(v: &[T]) -> (Vec<T>, Vec<T>, Vec<T>) {
    let (mut x, mut y, mut z) = (Vec::new(), Vec::new(), Vec::new());
    for &a in v {
        for &b in v {
            for &c in v {
                x.push(a);
                y.push(b);
                z.push(c);
            }
        }
    }
    (x, y, z)
}

fn args(x: ArrayData, y: ArrayData, z: ArrayData) -> Args {
    let n = x.len();
    Args::new()
        .array("x", Array::new(vec![n], x).unwrap())
        .array("y", Array::new(vec![n], y).unwrap())
        .array("z", Array::new(vec![n], z).unwrap())
}

fn bits(data: &ArrayData) -> Vec<u64> {
    match data {
        ArrayData::F32(v) => v.iter().map(|x| x.to_bits() as u64).collect(),
        ArrayData::F64(v) => v.iter().map(|x| x.to_bits()).collect(),
        other => panic!("not a float array: {other:?}"),
    }
}

fn check(ty: &str, args: &Args) {
    let source = source(ty);
    let module = kjit::compile(&source).unwrap();
    for fast_math in [false, true] {
        let lowered = kjit::passes::lowered(
            &module,
            &Options {
                fast_math,
                ..Options::default()
            },
        );
        let reference = kjit::eval::evaluate(&lowered, "k", args).unwrap();
        for threads in [1, 2] {
            let options = Options {
                threads: Some(threads),
                fast_math,
                ..Options::default()
            };
            let program = Program::compile(&source, options).unwrap();
            let jit = program.kernel("k").unwrap().call(args).unwrap();
            compare(ty, fast_math, threads, &reference, &jit);
        }
        canonical(ty, &reference);
    }
}

fn compare(ty: &str, fast: bool, threads: usize, reference: &Outputs, jit: &Outputs) {
    let mut failures = Vec::new();
    for (name, value) in reference.values.iter() {
        let r = bits(&value.as_array().unwrap().data);
        let j = bits(&jit.array(name).unwrap().data);
        let bad: Vec<usize> = (0..r.len()).filter(|&i| r[i] != j[i]).collect();
        if let Some(&first) = bad.first() {
            failures.push(format!(
                "{name}: {} lanes differ, first at {first}: evaluator {:#x}, JIT {:#x}",
                bad.len(),
                r[first],
                j[first]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{ty} (fast {fast}, {threads} threads):\n{}",
        failures.join("\n")
    );
}

/// The rule: a transcendental's NaN is the positive quiet NaN.
fn canonical(ty: &str, outputs: &Outputs) {
    let quiet = if ty == "f32" {
        0x7fc0_0000u64
    } else {
        0x7ff8_0000_0000_0000
    };
    for f in TRANSCENDENTAL {
        let name = if BINARY.contains(f) {
            format!("b_{f}")
        } else {
            format!("u_{f}")
        };
        let data = &outputs.array(&name).unwrap().data;
        let nans: Vec<u64> = bits(data)
            .into_iter()
            .filter(|&b| {
                if ty == "f32" {
                    f32::from_bits(b as u32).is_nan()
                } else {
                    f64::from_bits(b).is_nan()
                }
            })
            .collect();
        assert!(!nans.is_empty(), "{f}: no NaN among the special values");
        assert!(nans.iter().all(|&b| b == quiet), "{ty} {f}: {nans:x?}");
    }
}

#[test]
fn nan_bits_agree_in_f32() {
    let (x, y, z) = triples(&specials_f32());
    check("f32", &args(x.into(), y.into(), z.into()));
}

#[test]
fn nan_bits_agree_in_f64() {
    let (x, y, z) = triples(&specials_f64());
    check("f64", &args(x.into(), y.into(), z.into()));
}
