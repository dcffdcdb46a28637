//! Tests of `materialize` and `Defaults` on hand-built kernel signatures
//! (the bodies are empty: only parameters and sizes matter here).

use super::*;
use crate::ir::{Body, Kernel, Module, Param, ParamKind, ParamRole, SizeVar};
use crate::signature::{bind, Signature};
use crate::span::Span;
use crate::types::ScalarType::{self, Bool, F32, F64, I32, I64};
use crate::value::{Args, Array, ArrayData, Scalar, Value};
use cranelift_entity::{EntityRef, PrimaryMap};
use std::path::Path;
use ParamRole::{InOut, Input, Output};

/// A parameter: name, role, element type, dims as indices into the sizes.
type P<'a> = (&'a str, ParamRole, ScalarType, &'a [usize]);

fn kernel_at(name: &str, span: Span, sizes: &[&str], params: &[P]) -> Kernel {
    let mut size_map = PrimaryMap::new();
    for s in sizes {
        size_map.push(SizeVar {
            name: s.to_string(),
            span: Span::default(),
            fixed_by: None,
            definition: None,
        });
    }
    let mut param_map = PrimaryMap::new();
    for &(pname, role, elem, dims) in params {
        let dims: Vec<_> = dims.iter().map(|&d| crate::ir::SizeId::new(d)).collect();
        let kind = if dims.is_empty() {
            ParamKind::Scalar(elem)
        } else {
            ParamKind::Array {
                elem,
                dims: dims.clone(),
            }
        };
        let id = param_map.push(Param {
            name: pname.to_string(),
            span: Span::default(),
            role,
            kind,
        });
        if role != Output {
            for (d, &s) in dims.iter().enumerate() {
                let size: &mut SizeVar = &mut size_map[s];
                size.fixed_by.get_or_insert((id, d));
            }
        }
    }
    Kernel {
        name: name.to_string(),
        span,
        sizes: size_map,
        params: param_map,
        body: Body::default(),
        type_args: Vec::new(),
    }
}

fn kernel(name: &str, sizes: &[&str], params: &[P]) -> Kernel {
    kernel_at(name, Span::default(), sizes, params)
}

fn saxpy() -> Kernel {
    kernel(
        "saxpy",
        &["n"],
        &[
            ("a", Input, F32, &[]),
            ("x", Input, F32, &[0]),
            ("y", Input, F32, &[0]),
            ("out", Output, F32, &[0]),
        ],
    )
}

fn specs(text: &str) -> Vec<(String, Spec)> {
    text.split_whitespace()
        .map(|arg| parse_arg(arg).unwrap_or_else(|e| panic!("{arg}: {e}")))
        .collect()
}

fn args(kernel: &Kernel, text: &str) -> Args {
    let args = materialize(kernel, &specs(text)).unwrap_or_else(|e| panic!("{text}: {e}"));
    bind(&Signature::of(kernel), &args).unwrap_or_else(|e| panic!("{text}: bind: {e}"));
    args
}

fn error(kernel: &Kernel, text: &str) -> String {
    match materialize(kernel, &specs(text)) {
        Err(e) => e.to_string(),
        Ok(args) => panic!("{text} gave {args:?}"),
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn saxpy_from_generators() {
    let a = args(&saxpy(), "n=4 a=2 x=iota y=fill(1)");
    assert_eq!(a.values["a"], Value::Scalar(Scalar::F32(2.0)));
    assert_eq!(
        a.values["x"],
        Value::Array(Array::from_vec(vec![0.0f32, 1.0, 2.0, 3.0]))
    );
    assert_eq!(
        a.values["y"],
        Value::Array(Array::from_vec(vec![1.0f32; 4]))
    );
    assert_eq!(a.sizes["n"], 4);
}

#[test]
fn sizes_come_from_literal_arrays() {
    let a = args(&saxpy(), "a=-1 x=[1,2,3] y=uniform(0,1)");
    let y = a.values["y"].as_array().expect("array");
    assert_eq!(y.shape, vec![3]);
    assert!(a.sizes.is_empty(), "no size was given explicitly");
}

#[test]
fn two_dimensional_arrays() {
    let k = kernel(
        "mm",
        &["m", "k"],
        &[
            ("A", Input, I64, &[0, 1]),
            ("B", Input, F64, &[1, 0]),
            ("C", Output, F64, &[0, 0]),
        ],
    );
    let a = args(&k, "A=[[1,2,3],[4,5,6]] B=iota");
    assert_eq!(
        a.values["B"].as_array().map(|b| b.shape.clone()),
        Some(vec![3, 2])
    );
    assert_eq!(
        a.values["A"].as_array().map(|b| b.data.clone()),
        Some(ArrayData::I64(vec![1, 2, 3, 4, 5, 6]))
    );
    let message = error(&k, "A=[1,2] B=iota");
    assert!(
        message.contains("expected a 2-D array i64[m, k], found an array literal of shape [2]"),
        "{message}"
    );
}

#[test]
fn literals_must_fit_the_type() {
    let k = kernel("k", &[], &[("i", Input, I32, &[]), ("b", Input, Bool, &[])]);
    assert_eq!(
        error(&k, "i=2.5 b=true"),
        "argument `i`: `2.5` is not an integer, so it does not fit i32"
    );
    assert!(error(&k, "i=300000000000 b=true").contains("out of range for i32"));
    assert!(error(&k, "i=1 b=1").contains("`1` is not a bool"));
    let arr = kernel("k", &["n"], &[("x", Input, I32, &[0])]);
    assert!(error(&arr, "x=[1,2.5]").starts_with("argument `x[1]`: `2.5` is not an integer"));
}

#[test]
fn names_are_checked() {
    let k = saxpy();
    assert!(error(&k, "a=1 x=iota y=iota n=2 z=3")
        .contains("no parameter or size named `z` (it takes: a, x, y, n)"));
    assert!(error(&k, "out=[1]").contains("`out` is an output"));
    assert!(error(&k, "a=1 a=2").contains("`a` is given twice"));
}

#[test]
fn missing_parameters_are_listed_together() {
    assert_eq!(
        error(&saxpy(), "a=1"),
        "kernel `saxpy` is missing arguments `x` (f32[n]), `y` (f32[n]); give each as NAME=SPEC \
         (e.g. x=uniform(0,1), x=[1,2,3], x=data.npy) or in a `// default:` line"
    );
}

#[test]
fn sizes_must_be_known_and_consistent() {
    let k = saxpy();
    assert!(
        error(&k, "a=1 x=iota y=iota").contains("size `n` is needed for `x` but nothing gives it")
    );
    assert!(error(&k, "n=4 a=1 x=[1,2,3] y=iota")
        .contains("size `n` is given as 4, but `x` has 3 along dimension 0"));
    assert!(
        error(&k, "n=-1 a=1 x=iota y=iota").contains("size `n`: expected a non-negative integer")
    );
    assert!(error(&k, "n=2.5 a=1 x=iota y=iota").contains("found `2.5`"));
    assert!(error(&k, "n=iota a=1 x=iota y=iota").contains("found `iota`"));
    let outputs_only = kernel(
        "k",
        &["m"],
        &[("s", Input, F32, &[]), ("out", Output, F32, &[0])],
    );
    assert!(error(&outputs_only, "s=1").contains("size `m` is needed for `out`"));
    assert_eq!(args(&outputs_only, "s=1 m=5").sizes["m"], 5);
}

#[test]
fn scalars_and_arrays_do_not_mix() {
    let k = saxpy();
    assert!(error(&k, "a=[1] x=iota y=iota n=1")
        .contains("expected a scalar f32, found an array literal"));
    assert!(error(&k, "a=1 x=2 y=iota n=1")
        .contains("found the scalar `2` (fill(2) repeats one value)"));
}

#[test]
fn generators_report_type_problems() {
    let k = kernel("k", &["n"], &[("x", Input, I32, &[0])]);
    assert!(error(&k, "n=3 x=normal(0,1)")
        .contains("argument `x`: `normal(0.0, 1.0)` makes floats, not i32"));
    let scalar = kernel("k", &[], &[("s", Input, F64, &[])]);
    let a = args(&scalar, "s=uniform(5,6)");
    assert!(matches!(a.values["s"], Value::Scalar(Scalar::F64(x)) if (5.0..6.0).contains(&x)));
}

#[test]
fn npy_arrays_keep_their_dtype() {
    let k = kernel(
        "k",
        &["n"],
        &[("x", Input, F32, &[0]), ("y", InOut, F32, &[0])],
    );
    let a = args(&k, &format!("x={} y=fill(0)", fixture("npy_f32_1d.npy")));
    assert_eq!(
        a.values["y"].as_array().map(|y| y.shape.clone()),
        Some(vec![5])
    );
    let wrong = error(&k, &format!("x={} y=fill(0)", fixture("npy_i64_1d.npy")));
    assert!(
        wrong.contains("holds int64 values but `x` is f32[n]"),
        "{wrong}"
    );
    let rank = error(
        &k,
        &format!("x={} y=fill(0)", fixture("npy_f32_fortran.npy")),
    );
    assert!(rank.contains("Fortran order"), "{rank}");
    let scalar = kernel("k", &[], &[("s", Input, F64, &[])]);
    assert_eq!(
        args(&scalar, &format!("s={}", fixture("npy_f64_0d.npy"))).values["s"],
        Value::Scalar(Scalar::F64(2.5))
    );
    let not_0d = error(&scalar, &format!("s={}", fixture("npy_f64_2d.npy")));
    assert!(not_0d.contains("expected a scalar f64, found"), "{not_0d}");
}

fn module(kernels: Vec<Kernel>) -> Module {
    Module {
        kernels,
        ..Module::default()
    }
}

fn defaults_for(
    source: &str,
    module: &Module,
    name: &str,
) -> Result<Vec<(String, Spec)>, InputError> {
    let kernel = module.kernel(name).expect("kernel");
    Defaults::parse(source)?.for_kernel(module, kernel)
}

#[test]
fn default_lines_are_found_and_split() {
    let source = "// default: n=8 x=[1, 2, 3] y=uniform(0, 1)\n// defaults are nice\nkernel ...\n";
    let m = module(vec![saxpy()]);
    let names: Vec<String> = defaults_for(source, &m, "saxpy")
        .expect("ok")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, vec!["n", "x", "y"]);
    let bad = Defaults::parse("\n  // default: x=[1,\n")
        .unwrap_err()
        .to_string();
    assert!(
        bad.starts_with("in the `// default:` line 2: argument `x`"),
        "{bad}"
    );
}

#[test]
fn split_args_respects_brackets() {
    assert_eq!(
        split_args("  n=8 x=[1, 2,  3] y=uniform( 0 , 1 )\tz=[[1], [2]] "),
        vec!["n=8", "x=[1, 2,  3]", "y=uniform( 0 , 1 )", "z=[[1], [2]]"]
    );
    assert!(split_args("   ").is_empty());
}

#[test]
fn default_lines_apply_by_scope() {
    // Kernel `first` spans bytes 100..200, `second` 200..300.
    let first = kernel_at(
        "first",
        Span::new(100, 200),
        &["n"],
        &[("x", Input, F32, &[0]), ("a", Input, F32, &[])],
    );
    let second = kernel_at(
        "second",
        Span::new(200, 300),
        &[],
        &[("a", Input, F32, &[])],
    );
    let m = module(vec![first, second]);
    let mut source = String::from("// default: a=1 n=4\n");
    source.push_str(&" ".repeat(100 - source.len()));
    source.push_str("// default: a=2\n");
    source.push_str(&" ".repeat(250 - source.len()));
    source.push_str("// default: a=3\n// default(first): x=iota\n");
    let spec_of = |k: &str, name: &str| {
        let specs = defaults_for(&source, &m, k).expect("ok");
        specs.into_iter().find(|(n, _)| n == name).map(|(_, s)| s)
    };
    assert_eq!(spec_of("first", "a"), Some(Spec::Scalar(Literal::Int(2))));
    assert_eq!(
        spec_of("first", "x"),
        Some(Spec::Generator(Generator::Iota))
    );
    assert_eq!(spec_of("second", "a"), Some(Spec::Scalar(Literal::Int(3))));
    assert_eq!(
        spec_of("second", "n"),
        None,
        "file-wide names go only to kernels that have them"
    );
}

#[test]
fn default_lines_are_checked() {
    let m = module(vec![saxpy()]);
    let typo = defaults_for("// default: nn=8\n", &m, "saxpy")
        .unwrap_err()
        .to_string();
    assert!(
        typo.contains("line 1") && typo.contains("named `nn`"),
        "{typo}"
    );
    let target = defaults_for("// default(saxpi): n=8\n", &m, "saxpy")
        .unwrap_err()
        .to_string();
    assert!(
        target.contains("no kernel `saxpi` (it has: saxpy)"),
        "{target}"
    );
    let output = defaults_for("// default(saxpy): out=[1]\n", &m, "saxpy")
        .unwrap_err()
        .to_string();
    assert!(output.contains("`out` is an output"), "{output}");
}

#[test]
fn later_defaults_win_and_overrides_win_over_defaults() {
    let m = module(vec![saxpy()]);
    let defaults = defaults_for("// default: n=8 a=1\n// default: a=2\n", &m, "saxpy").expect("ok");
    assert_eq!(defaults, specs("n=8 a=2"));
    assert_eq!(
        merge(defaults, specs("a=3 x=iota")),
        specs("n=8 a=3 x=iota")
    );
}

#[test]
fn rebase_moves_only_relative_paths() {
    let mut d = Defaults::parse("// default: x=in/x.npy y=/abs/y.npy\n").expect("ok");
    d.rebase(Path::new("/data"));
    let m = module(vec![kernel(
        "k",
        &["n"],
        &[("x", Input, F32, &[0]), ("y", Input, F32, &[0])],
    )]);
    let specs = d.for_kernel(&m, &m.kernels[0]).expect("ok");
    assert_eq!(specs[0].1, Spec::Npy("/data/in/x.npy".into()));
    assert_eq!(specs[1].1, Spec::Npy("/abs/y.npy".into()));
}
