//! `prepare` hands the JIT views of `.npy` inputs (no copy) and leaves
//! everything else, errors included, to `materialize`.

use super::*;
use crate::cli::call::call;
use kjit::api::Program;
use kjit::ir::Module;
use kjit::npy;
use kjit::options::Options;
use kjit::value::{Array, ArrayData, Value};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const SAXPY: &str = "\
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = a * x[i] + y[i]; }
}";

fn module(source: &str) -> Module {
    let checked = kjit::check(source);
    checked.module.expect("the test kernel checks")
}

fn write_npy(dir: &TempDir, name: &str, array: Array) -> PathBuf {
    let path = dir.path().join(name);
    npy::write(&path, &Value::Array(array)).expect("write");
    path
}

fn spec(name: &str, text: &str) -> (String, Spec) {
    (name.to_string(), inputs::parse_spec(text).expect("spec"))
}

fn npy_spec(name: &str, path: &Path) -> (String, Spec) {
    (name.to_string(), Spec::Npy(path.to_path_buf()))
}

fn prepare_jit(module: &Module, specs: &[(String, Spec)]) -> Result<Prepared, InputError> {
    prepare(&module.kernels[0], specs, Engine::Jit)
}

#[test]
fn a_large_npy_input_is_a_view_with_no_owned_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = 1 << 20;
    let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let x_path = write_npy(&dir, "x.npy", Array::from_vec(x));
    let module = module(SAXPY);
    let specs = [spec("a", "2"), npy_spec("x", &x_path), spec("y", "fill(1)")];
    let prepared = prepare_jit(&module, &specs).expect("prepare");
    let view = &prepared.views["x"];
    assert_eq!(view.copy_reason(), None);
    assert_eq!(view.shape(), [n]);
    assert!(!prepared.owned.values.contains_key("x"), "no owned copy");
    assert!(prepared.owned.values.contains_key("y"));
    assert_eq!(prepared.copy_notes(), "");
    let bound = prepared
        .bind(&Signature::of(&module.kernels[0]))
        .expect("bind");
    assert_eq!(bound.sizes, [n as i64]);

    // The in-place call computes what the copying `Kernel::call` does.
    let program = Program::from_module(&module, SAXPY, Options::default()).expect("compile");
    let kernel = program.kernel("saxpy").expect("saxpy");
    let outputs = call(kernel, prepared, &bound, Path::new("saxpy.kern"), SAXPY).expect("call");
    let owned = prepare(&module.kernels[0], &specs, Engine::Reference).expect("prepare");
    assert!(owned.views.is_empty());
    assert_eq!(outputs, kernel.call(&owned.owned).expect("call"));
}

#[test]
fn inout_and_scalar_npy_arguments_are_owned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = "kernel k(s: f64, inout y: f64[n]) { foreach i in n { y[i] = y[i] + s; } }";
    let module = module(source);
    let y = write_npy(&dir, "y.npy", Array::from_vec(vec![1.0f64, 2.0]));
    let s = write_npy(&dir, "s.npy", npy::scalar_array(2.5f64.into()));
    let prepared = prepare_jit(&module, &[npy_spec("s", &s), npy_spec("y", &y)]).expect("prepare");
    assert!(prepared.views.is_empty());
    assert!(prepared.owned.values.contains_key("y"));
    let bound = prepared
        .bind(&Signature::of(&module.kernels[0]))
        .expect("bind");
    let program = Program::from_module(&module, source, Options::default()).expect("compile");
    let kernel = program.kernel("k").expect("k");
    let outputs = call(kernel, prepared, &bound, Path::new("k.kern"), source).expect("call");
    let updated = outputs.array("y").expect("y").data.clone();
    assert_eq!(updated, ArrayData::F64(vec![3.5, 4.5]));
    assert_eq!(
        npy::read(&y).expect("read").data,
        ArrayData::F64(vec![1.0, 2.0]),
        "the input file is untouched"
    );
}

#[test]
fn views_give_sizes_to_generators_and_conflicts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let x = write_npy(&dir, "x.npy", Array::from_vec(vec![1.0f32; 5]));
    let module = module(SAXPY);
    let prepared = prepare_jit(
        &module,
        &[spec("a", "1"), npy_spec("x", &x), spec("y", "iota")],
    )
    .expect("prepare");
    let y = prepared.owned.values["y"].as_array().expect("array");
    assert_eq!(y.shape, [5], "iota got n from the file");
    let conflict = [
        spec("a", "1"),
        spec("n", "4"),
        npy_spec("x", &x),
        spec("y", "iota"),
    ];
    let error = prepare_jit(&module, &conflict).map(|_| ()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "size `n` is given as 4, but `x` has 5 along dimension 0"
    );
}

#[test]
fn files_that_do_not_fit_are_reported_as_without_views() {
    let dir = tempfile::tempdir().expect("temp dir");
    let saxpy = module(SAXPY);
    let ints = write_npy(&dir, "ints.npy", Array::from_vec(vec![1i32, 2]));
    let matrix = Array::new(vec![1, 2], vec![1.0f32, 2.0]).expect("array");
    let matrix = write_npy(&dir, "m.npy", matrix);
    let copy = module("kernel k(b: bool[n]) -> (o: bool[n]) { foreach i in n { o[i] = b[i]; } }");
    let mut bytes = npy::encode(&Array::from_vec(vec![true, false]));
    let last = bytes.len() - 1;
    bytes[last] = 9;
    let bad_bool = dir.path().join("b.npy");
    std::fs::write(&bad_bool, bytes).expect("write");
    let saxpy_with = |x: &Path| [spec("a", "1"), npy_spec("x", x), spec("y", "fill(0)")].to_vec();
    let cases = [
        (
            &saxpy,
            saxpy_with(&ints),
            "holds int32 values but `x` is f32[n]",
        ),
        (&saxpy, saxpy_with(&matrix), "expected a 1-D array f32[n]"),
        (
            &copy,
            vec![npy_spec("b", &bad_bool)],
            "bool element 1 is the byte 0x09, not 0 or 1",
        ),
    ];
    for (module, specs, expected) in cases {
        let with_views = prepare_jit(module, &specs).map(|_| ()).unwrap_err();
        let without = prepare(&module.kernels[0], &specs, Engine::Reference)
            .map(|_| ())
            .unwrap_err();
        assert!(with_views.to_string().contains(expected), "{with_views}");
        assert_eq!(with_views.to_string(), without.to_string());
    }
}

#[test]
fn a_misaligned_file_reads_without_a_note() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A valid version 1.0 file, but with a 59-byte header: the data starts
    // at byte 69, where numpy would have padded it to 128.
    let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } \n";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes.extend([1.5f32, 2.5].iter().flat_map(|x| x.to_le_bytes()));
    let path = dir.path().join("odd.npy");
    std::fs::write(&path, bytes).expect("write");
    let module = module(SAXPY);
    let specs = [spec("a", "1"), npy_spec("x", &path), spec("y", "fill(0)")];
    let prepared = prepare_jit(&module, &specs).expect("prepare");
    let view = &prepared.views["x"];
    assert_eq!(view.as_slice::<f32>().expect("f32"), &[1.5, 2.5]);
    assert_eq!(prepared.copy_notes(), "");
}
