//! The `kjit` binary on generic kernels: `kjit run` picks the instance
//! from `--type`, from a `.npy` input's dtype, or takes the first type of
//! the bound; bad `--type` values and dtypes outside the bound are errors
//! that say what is allowed. (The rest of the CLI: tests/cli.rs.)

use kjit::npy;
use kjit::value::ArrayData;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SAXPY: &str = "\
kernel saxpy<T: float>(a: T, x: T[n], y: T[n]) -> (out: T[n]) {
    foreach i in n {
        out[i] = a * x[i] + y[i];
    }
}
";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `kjit ARGS` in `dir`.
fn kjit(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kjit"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kjit");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kjit-cli-generic-")
        .tempdir()
        .expect("temp dir");
    fs::write(dir.path().join("saxpy.kern"), SAXPY).expect("write");
    dir
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn without_a_type_the_first_type_of_the_bound_runs() {
    let dir = setup();
    let run = kjit(
        dir.path(),
        &["run", "saxpy.kern", "a=2", "x=[1, 2]", "y=[0.5, 0.5]"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "kernel saxpy<T: float>(a: T, x: T[n], y: T[n]) -> (out: T[n]) with T = f32, n = 2"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("out: f32[2]"), "{}", run.stdout);
}

#[test]
fn type_chooses_the_instance_and_outputs_keep_its_dtype() {
    let dir = setup();
    let run = kjit(
        dir.path(),
        &[
            "run",
            "saxpy.kern",
            "--type",
            "T=f64",
            "a=0.1",
            "x=[3]",
            "y=[0]",
            "-o",
            "out=out.npy",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("with T = f64, n = 1"), "{}", run.stdout);
    let out = npy::read(&dir.path().join("out.npy")).expect("out.npy");
    // 0.1 * 3 in f64 arithmetic (f32 would give 0.3 rounded to f32).
    assert_eq!(out.data, ArrayData::F64(vec![0.1 * 3.0]));
}

#[test]
fn a_type_argument_may_be_written_among_the_arguments() {
    let dir = setup();
    let run = kjit(
        dir.path(),
        &["run", "saxpy.kern", "T=f64", "a=2", "x=[1]", "y=[0]"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("with T = f64, n = 1"), "{}", run.stdout);
}

#[test]
fn a_npy_input_decides_the_type() {
    let dir = setup();
    fs::copy(fixture("npy_f64_2d.npy"), dir.path().join("m.npy")).expect("copy");
    fs::write(
        dir.path().join("rows.kern"),
        "kernel rows<T: num>(m: T[h, w]) -> (out: T[h]) {\n    foreach r in h { out[r] = m[r, 0]; }\n}\n",
    )
    .expect("write");
    let run = kjit(dir.path(), &["run", "rows.kern", "m=m.npy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("with T = f64"), "{}", run.stdout);
    assert!(run.stdout.contains("out: f64["), "{}", run.stdout);
}

#[test]
fn a_npy_dtype_outside_the_bound_is_an_error_naming_the_types() {
    let dir = setup();
    fs::copy(fixture("npy_i32_1d.npy"), dir.path().join("x.npy")).expect("copy");
    let run = kjit(
        dir.path(),
        &["run", "saxpy.kern", "a=1", "x=x.npy", "y=fill(1)"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("argument `x`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("must be one of f32, f64"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_type_arguments_are_usage_errors() {
    let dir = setup();
    let args = ["run", "saxpy.kern", "a=1", "x=[1]", "y=[1]"];
    let cases = [
        ("T=i32", "must be one of f32, f64"),
        (
            "U=f32",
            "kernel `saxpy` has no type parameter `U` (type parameters: T)",
        ),
        ("T=float", "expected NAME=TYPE"),
        ("T", "expected NAME=TYPE"),
    ];
    for (flag, message) in cases {
        let mut with_flag = args.to_vec();
        with_flag.extend(["--type", flag]);
        let run = kjit(dir.path(), &with_flag);
        assert_eq!(run.code, 2, "--type {flag}: {}", run.stdout);
        assert!(
            run.stderr.contains(message),
            "--type {flag}: {}",
            run.stderr
        );
    }
    fs::write(
        dir.path().join("plain.kern"),
        SAXPY.replace("<T: float>", "").replace('T', "f32"),
    )
    .expect("write");
    let run = kjit(
        dir.path(),
        &[
            "run",
            "plain.kern",
            "a=1",
            "x=[1]",
            "y=[1]",
            "--type",
            "T=f32",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("it is not generic"), "{}", run.stderr);
}

#[test]
fn the_reference_engine_runs_the_same_instance() {
    let dir = setup();
    for engine in ["jit", "reference"] {
        let file = format!("{engine}.npy");
        let out = format!("out={file}");
        let run = kjit(
            dir.path(),
            &[
                "run",
                "saxpy.kern",
                "--engine",
                engine,
                "--type",
                "T=f64",
                "a=0.1",
                "x=[3]",
                "y=[0]",
                "-o",
                &out,
            ],
        );
        assert_eq!(run.code, 0, "{engine}: {}", run.stderr);
        assert!(
            run.stdout.contains("with T = f64"),
            "{engine}: {}",
            run.stdout
        );
        let out = npy::read(&dir.path().join(&file)).expect("written");
        assert_eq!(out.data, ArrayData::F64(vec![0.1 * 3.0]), "{engine}");
    }
}

#[test]
fn emit_and_check_accept_generic_kernels() {
    let dir = setup();
    let run = kjit(dir.path(), &["check", "saxpy.kern"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = kjit(dir.path(), &["emit", "ir", "saxpy.kern"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("kernel saxpy<T = f32>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("kernel saxpy<T = f64>"),
        "{}",
        run.stdout
    );
    let run = kjit(
        dir.path(),
        &["emit", "clif", "saxpy.kern", "--kernel", "saxpy"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("f64x2"),
        "the f64 instance is dumped too"
    );
    let run = kjit(dir.path(), &["emit", "ast", "saxpy.kern"]);
    assert!(
        run.stdout.contains("kernel saxpy<T: float>"),
        "{}",
        run.stdout
    );
}
