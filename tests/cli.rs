//! End-to-end tests of the `kjit` binary: each test writes `.kern` (and
//! sometimes `.npy`) files into a fresh temporary directory, runs the built
//! binary there, and checks the exit code, the text and the files written.
//!
//! Exit codes under test: 0 ok, 1 diagnostics, 2 usage, 3 runtime or input
//! error. The `.npy` fixtures in tests/data were written by numpy
//! (tests/data/make_npy_fixtures.py); no test needs Python.

use kjit::npy;
use kjit::value::{ArrayData, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

const SAXPY: &str = "\
// default: n=8 a=2 x=iota y=fill(1)
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n {
        out[i] = a * x[i] + y[i];
    }
}
";

/// saxpy without defaults.
const SAXPY_BARE: &str = "\
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n {
        out[i] = a * x[i] + y[i];
    }
}
";

const TWO_KERNELS: &str = "\
kernel first(x: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = x[i]; }
}
kernel second(x: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = -x[i]; }
}
";

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    fn expect(&self, code: i32) -> &Output {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    fn stdout_has(&self, text: &str) -> &Output {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
        self
    }

    fn stderr_has(&self, text: &str) -> &Output {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// A temporary working directory for one test.
struct Dir {
    temp: TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            temp: tempfile::Builder::new()
                .prefix("kjit-cli-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.temp.path().join(name)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, contents).expect("write test file");
        path
    }

    /// Copies a numpy-written fixture into the directory.
    fn fixture(&self, name: &str) -> PathBuf {
        self.write(name, fs::read(fixture(name)).expect("fixture"))
    }

    /// Runs `kjit ARGS` with this directory as the working directory.
    fn kjit(&self, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_kjit"))
            .args(args)
            .current_dir(self.temp.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run kjit");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.temp.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read_npy(path: &Path) -> kjit::value::Array {
    npy::read(path).unwrap_or_else(|e| panic!("{e}"))
}

// ----- check -----

#[test]
fn check_clean_file_exits_0() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["check", "saxpy.kern"])
        .expect(0)
        .stderr_has("saxpy.kern: 0 errors, 0 warnings");
}

#[test]
fn check_file_with_errors_exits_1_and_renders_them() {
    let dir = Dir::new();
    dir.write("bad.kern", SAXPY_BARE.replace("y[i];", "y[i] + nope;"));
    dir.kjit(&["check", "bad.kern"])
        .expect(1)
        .stderr_has("error")
        .stderr_has("nope")
        .stderr_has("bad.kern:")
        .stderr_has("1 error,");
}

#[test]
fn check_reports_a_bad_default_line() {
    let dir = Dir::new();
    dir.write("typo.kern", SAXPY.replace("n=8", "nn=8"));
    dir.kjit(&["check", "typo.kern"])
        .expect(1)
        .stderr_has("no parameter or size named `nn`")
        .stderr_has("typo.kern:1:");
}

#[test]
fn check_allows_warnings() {
    let dir = Dir::new();
    dir.write(
        "warn.kern",
        "kernel k(x: f32[n]) -> (out: f32[n], unused: f32[n]) {\n    foreach i in n { out[i] = x[i]; }\n}\n",
    );
    dir.kjit(&["check", "warn.kern"])
        .expect(0)
        .stderr_has("warning")
        .stderr_has("0 errors, 1 warning");
}

#[test]
fn check_missing_file_is_an_input_error() {
    Dir::new()
        .kjit(&["check", "nope.kern"])
        .expect(3)
        .stderr_has("cannot read `nope.kern`");
}

// ----- emit -----

#[test]
fn emit_ast_prints_the_tree() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["emit", "ast", "saxpy.kern"])
        .expect(0)
        .stdout_has("kernel saxpy");
}

#[test]
fn emit_ir_prints_the_kernel() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["emit", "ir", "saxpy.kern"])
        .expect(0)
        .stdout_has("kernel saxpy")
        .stdout_has("foreach");
}

#[test]
fn emit_kernel_filters_to_one_kernel() {
    let dir = Dir::new();
    dir.write("two.kern", TWO_KERNELS);
    for stage in ["ast", "ir"] {
        let out = dir.kjit(&["emit", stage, "two.kern", "--kernel", "second"]);
        out.expect(0).stdout_has("kernel second");
        assert!(
            !out.stdout.contains("kernel first"),
            "{stage}: {}",
            out.stdout
        );
        dir.kjit(&["emit", stage, "two.kern", "--kernel", "third"])
            .expect(2)
            .stderr_has("no kernel `third` (kernels: first, second)");
    }
}

#[test]
fn emit_backend_stages() {
    let dir = Dir::new();
    dir.write("two.kern", TWO_KERNELS);
    let vir = dir.kjit(&["emit", "vir", "two.kern"]);
    vir.expect(0)
        .stdout_has("vectorization of kernel first")
        .stdout_has("vectorization of kernel second");
    dir.kjit(&["emit", "vir", "two.kern", "--kernel", "second"])
        .expect(0)
        .stdout_has("phase 0 (foreach, 1-D)");
    dir.kjit(&["emit", "clif", "two.kern", "--kernel", "first"])
        .expect(0)
        .stdout_has("function ");
    dir.kjit(&["emit", "asm", "two.kern", "--kernel", "first"])
        .expect(0)
        .stdout_has("ret");
    for stage in ["vir", "clif", "asm"] {
        dir.kjit(&["emit", stage, "two.kern", "--kernel", "third"])
            .expect(2)
            .stderr_has("no kernel `third` (kernels: first, second)");
    }
    dir.write("bad.kern", SAXPY_BARE.replace("y[i];", "y[i] + nope;"));
    dir.kjit(&["emit", "clif", "bad.kern"])
        .expect(1)
        .stderr_has("nope");
}

#[test]
fn emit_ir_with_errors_exits_1() {
    let dir = Dir::new();
    dir.write("bad.kern", SAXPY_BARE.replace("y[i];", "y[i] + nope;"));
    dir.kjit(&["emit", "ir", "bad.kern"])
        .expect(1)
        .stderr_has("nope");
}

// ----- run: arguments -----

#[test]
fn run_with_defaults() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["run", "saxpy.kern"])
        .expect(0)
        .stdout_has("with n = 8")
        .stdout_has(
            "out: f32[8]  min 1.0  max 15.0  mean 8.0  [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0]",
        )
        .stdout_has("compile ")
        .stdout_has("elements in the largest domain")
        .stdout_has("engine jit\nthreads ");
}

#[test]
fn run_arguments_override_defaults() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["run", "saxpy.kern", "a=0.5", "n=3", "--threads", "4"])
        .expect(0)
        .stdout_has("out: f32[3]  min 1.0  max 2.0  mean 1.5  [1.0, 1.5, 2.0]")
        .stdout_has("engine jit\nthreads 4\n");
}

#[test]
fn run_with_array_literals_takes_sizes_from_them() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.kjit(&["run", "saxpy.kern", "a=-1", "x=[1, 2, 3]", "y=[10,20,30]"])
        .expect(0)
        .stdout_has("with n = 3")
        .stdout_has("[9.0, 18.0, 27.0]");
}

#[test]
fn run_reports_nans_separately() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.kjit(&["run", "saxpy.kern", "a=1", "x=[1, nan, 3]", "y=fill(0)"])
        .expect(0)
        .stdout_has("min 1.0  max 3.0  mean 2.0  nan 1");
}

#[test]
fn missing_arguments_are_named() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.kjit(&["run", "saxpy.kern", "a=1"])
        .expect(3)
        .stderr_has("missing arguments `x` (f32[n]), `y` (f32[n])");
}

#[test]
fn unknown_argument_is_named() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["run", "saxpy.kern", "z=1"])
        .expect(3)
        .stderr_has("argument `z`: kernel `saxpy` has no parameter or size named `z`");
}

#[test]
fn size_mismatch_between_arrays() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.kjit(&["run", "saxpy.kern", "a=1", "x=[1,2,3]", "y=[1,2]"])
        .expect(3)
        .stderr_has("argument `y`")
        .stderr_has("n = 3 from `x`");
    dir.kjit(&["run", "saxpy.kern", "a=1", "n=4", "x=[1,2,3]", "y=iota"])
        .expect(3)
        .stderr_has("size `n` is given as 4, but `x` has 3");
}

#[test]
fn literal_that_does_not_fit_the_type() {
    let dir = Dir::new();
    dir.write("scale.kern", "kernel scale(k: i32, x: i32[n]) -> (out: i32[n]) { foreach i in n { out[i] = k * x[i]; } }\n");
    dir.kjit(&["run", "scale.kern", "k=2.5", "x=iota", "n=4"])
        .expect(3)
        .stderr_has("argument `k`: `2.5` is not an integer, so it does not fit i32");
    dir.kjit(&["run", "scale.kern", "k=300000000000", "x=iota", "n=4"])
        .expect(3)
        .stderr_has("out of range for i32");
    dir.kjit(&["run", "scale.kern", "k=3", "x=iota", "n=4"])
        .expect(0)
        .stdout_has("out: i32[4]  min 0  max 9  mean 4.5  [0, 3, 6, 9]");
}

#[test]
fn bad_spec_syntax() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["run", "saxpy.kern", "x=[1, 2"])
        .expect(3)
        .stderr_has("argument `x`: cannot read `[1, 2`");
    dir.kjit(&["run", "saxpy.kern", "x=unifrm(0,1)"])
        .expect(3)
        .stderr_has("unknown generator `unifrm`");
    dir.kjit(&["run", "saxpy.kern", "justtext"])
        .expect(3)
        .stderr_has("expected NAME=SPEC");
}

#[test]
fn generator_without_a_size_names_it() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.kjit(&["run", "saxpy.kern", "a=1", "x=iota", "y=iota"])
        .expect(3)
        .stderr_has("size `n` is needed for `x`");
}

// ----- run: kernels and engines -----

#[test]
fn several_kernels_need_kernel_flag() {
    let dir = Dir::new();
    dir.write("two.kern", TWO_KERNELS);
    dir.kjit(&["run", "two.kern", "x=[1]"])
        .expect(2)
        .stderr_has("several kernels; choose one with --kernel (kernels: first, second)");
    dir.kjit(&["run", "two.kern", "--kernel", "second", "x=[1, 2]"])
        .expect(0)
        .stdout_has("[-1.0, -2.0]");
}

#[test]
fn unknown_kernel_exits_2() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["run", "saxpy.kern", "--kernel", "nope"])
        .expect(2)
        .stderr_has("no kernel `nope` (kernels: saxpy)");
}

#[test]
fn engines() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    let line =
        "out: f32[8]  min 1.0  max 15.0  mean 8.0  [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0]";
    dir.kjit(&["run", "saxpy.kern", "--engine", "jit"])
        .expect(0)
        .stdout_has(line)
        .stdout_has("engine jit");
    dir.kjit(&["run", "saxpy.kern", "--engine", "gpu"])
        .expect(2)
        .stderr_has("gpu");
    dir.kjit(&[
        "run",
        "saxpy.kern",
        "--engine",
        "reference",
        "--threads",
        "4",
    ])
    .expect(0)
    .stdout_has(line)
    .stdout_has("engine reference (--threads 4 recorded; this engine runs on one thread)");
}

/// A float sum over many chunks: every thread count and both engines print
/// the same bits, because the reduction order is fixed.
#[test]
fn engines_and_thread_counts_agree_on_a_big_reduction() {
    let dir = Dir::new();
    dir.write(
        "total.kern",
        "kernel total(x: f32[n]) -> (s: f32) {\n    s = sum over i in n { x[i] * x[i] };\n}\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "total.kern", "x=uniform(-1,1)", "n=100003"];
        args.extend_from_slice(extra);
        let out = dir.kjit(&args);
        out.expect(0);
        let line = out.stdout.lines().find(|l| l.contains("s: f32 = "));
        line.expect("a result line").to_string()
    };
    let reference = run(&["--engine", "reference"]);
    for threads in ["1", "2", "3"] {
        assert_eq!(
            run(&["--threads", threads]),
            reference,
            "--threads {threads}"
        );
    }
}

/// `--fast-math` reaches both engines: they agree with each other, and the
/// fused `a * a + b` gives the exact 2^-24 where the precise maths rounds
/// the square to 1 + 2^-11 first and gives 0.
#[test]
fn fast_math_reaches_both_engines() {
    let dir = Dir::new();
    dir.write(
        "fused.kern",
        "kernel fused(a: f32, b: f32, x: f32[n]) -> (s: f32, e: f32[n]) {\n\
         \x20   s = a * a + b;\n\
         \x20   foreach i in n { e[i] = exp(x[i]) * x[i] + 1.0; }\n}\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "fused.kern", "a=1.000244140625", "b=-1.00048828125"];
        args.extend_from_slice(&["x=uniform(-5,5)", "n=1000"]);
        args.extend_from_slice(extra);
        let out = dir.kjit(&args);
        out.expect(0);
        let line = out.stdout.lines().find(|l| l.contains("s: f32 = "));
        line.expect("a result line").to_string()
    };
    let fast = run(&["--fast-math"]);
    assert_eq!(fast, "  s: f32 = 5.9604645e-8");
    assert_eq!(run(&["--fast-math", "--engine", "reference"]), fast);
    assert_eq!(run(&[]), "  s: f32 = 0.0");
    assert_eq!(run(&["--engine", "reference"]), "  s: f32 = 0.0");
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new();
    dir.kjit(&[]).expect(2);
    dir.kjit(&["frobnicate"]).expect(2);
    dir.kjit(&["run", "x.kern", "--threads", "0"]).expect(2);
    dir.kjit(&["--help"]).expect(0).stdout_has("run");
}

#[test]
fn out_of_range_read_is_a_runtime_error() {
    let dir = Dir::new();
    dir.write(
        "shift.kern",
        "kernel shift(x: f32[n]) -> (out: f32[n]) {\n    foreach i in n { out[i] = x[i + 1]; }\n}\n",
    );
    // Both engines point at the read, in a code frame headed by the file.
    let frame = "\
error: kernel `shift`: index [3] is out of bounds for array `x` of shape [3]
  ┌─ shift.kern:2:31
  │
2 │     foreach i in n { out[i] = x[i + 1]; }
  │                               ^^^^^^^^ this access of `x` at [3] is out of bounds
";
    dir.kjit(&["run", "shift.kern", "x=[1,2,3]", "-o", "out=out.npy"])
        .expect(3)
        .stderr_has(frame);
    dir.kjit(&["run", "shift.kern", "x=[1,2,3]", "--engine", "reference"])
        .expect(3)
        .stderr_has(frame);
    assert_eq!(
        dir.files(),
        vec!["shift.kern"],
        "a failed run writes nothing"
    );
}

// ----- .npy in and out -----

#[test]
fn npy_round_trip() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.fixture("npy_saxpy_x.npy");
    dir.fixture("npy_saxpy_y.npy");
    dir.kjit(&[
        "run",
        "saxpy.kern",
        "a=3",
        "x=npy_saxpy_x.npy",
        "y=npy_saxpy_y.npy",
        "-o",
        "out=result.npy",
    ])
    .expect(0)
    .stdout_has("written to result.npy");
    let out = read_npy(&dir.path("result.npy"));
    assert_eq!(out.shape, vec![8]);
    let expected: Vec<f32> = (0..8).map(|i| 3.0 * i as f32 + 1.0).collect();
    assert_eq!(out.data, ArrayData::F32(expected));
}

/// Narrow integers through the whole CLI: generated inputs, the printed
/// summary, `.npy` out at their own width (`|u1`) and back in.
#[test]
fn narrow_integers_in_and_out() {
    let dir = Dir::new();
    dir.write(
        "bytes.kern",
        "kernel bytes(x: u8[n], k: u8) -> (y: u8[n], big: u16[n]) {\n\
         \x20   foreach i in n { y[i] = x[i] + k; big[i] = u16(x[i]) * 300; }\n}\n",
    );
    dir.kjit(&[
        "run",
        "bytes.kern",
        "x=iota",
        "n=4",
        "k=254",
        "-o",
        "y=y.npy",
        "-o",
        "big=big.npy",
    ])
    .expect(0)
    .stdout_has("y: u8[4]  min 0  max 255")
    .stdout_has("[254, 255, 0, 1]");
    let y = read_npy(&dir.path("y.npy"));
    assert_eq!(y.data, ArrayData::U8(vec![254, 255, 0, 1]));
    let header = std::fs::read(dir.path("y.npy")).expect("y.npy");
    assert!(String::from_utf8_lossy(&header).contains("'descr': '|u1'"));
    // 3 * 300 = 900; u16 wraps only past 65535.
    assert_eq!(
        read_npy(&dir.path("big.npy")).data,
        ArrayData::U16(vec![0, 300, 600, 900])
    );
    dir.kjit(&["run", "bytes.kern", "x=y.npy", "k=1"])
        .expect(0)
        .stdout_has("[255, 0, 1, 2]");
    dir.kjit(&["run", "bytes.kern", "x=uniform(0, 256)", "n=3", "k=256"])
        .expect(3)
        .stderr_has("argument `k`: `256` is out of range for u8");
}

#[test]
fn defaults_apply_per_kernel() {
    let dir = Dir::new();
    dir.write(
        "two.kern",
        "// default: n=3\n\
         kernel first(x: f32[n]) -> (out: f32[n]) {\n\
         \x20   // default: x=iota\n\
         \x20   foreach i in n { out[i] = x[i]; }\n}\n\
         // default(second): k=10\n\
         kernel second(x: f32[n], k: f32) -> (out: f32[n]) {\n\
         \x20   // default: x=fill(2)\n\
         \x20   foreach i in n { out[i] = k * x[i]; }\n}\n",
    );
    dir.kjit(&["run", "two.kern", "--kernel", "first"])
        .expect(0)
        .stdout_has("[0.0, 1.0, 2.0]");
    dir.kjit(&["run", "two.kern", "--kernel", "second", "n=2"])
        .expect(0)
        .stdout_has("[20.0, 20.0]");
    dir.kjit(&["run", "two.kern", "--kernel", "second", "k=1"])
        .expect(0)
        .stdout_has("[2.0, 2.0, 2.0]");
}

#[test]
fn default_npy_paths_are_relative_to_the_kern_file() {
    let dir = Dir::new();
    fs::create_dir(dir.path("sub")).expect("mkdir");
    fs::copy(fixture("npy_saxpy_x.npy"), dir.path("sub/x.npy")).expect("copy");
    let source = SAXPY_BARE.replace("kernel", "// default: a=1 x=x.npy y=fill(0)\nkernel");
    dir.write("sub/k.kern", source);
    dir.kjit(&["run", "sub/k.kern"])
        .expect(0)
        .stdout_has("[0.0, 1.0, 2.0");
}

#[test]
fn two_dimensional_arrays() {
    let dir = Dir::new();
    dir.write(
        "add2.kern",
        "kernel add2(a: f64[m, k], b: f64[m, k]) -> (c: f64[m, k]) {\n\
         \x20   foreach (i, j) in (m, k) { c[i, j] = a[i, j] + b[i, j]; }\n}\n",
    );
    dir.kjit(&[
        "run",
        "add2.kern",
        "a=[[1, 2, 3], [4, 5, 6]]",
        "b=iota",
        "-o",
        "c=c.npy",
    ])
    .expect(0)
    .stdout_has("with m = 2, k = 3")
    .stdout_has("c: f64[2, 3]");
    let c = read_npy(&dir.path("c.npy"));
    assert_eq!(c.shape, vec![2, 3]);
    assert_eq!(c.data, ArrayData::F64(vec![1.0, 3.0, 5.0, 7.0, 9.0, 11.0]));
    dir.fixture("npy_f64_2d.npy");
    dir.kjit(&["run", "add2.kern", "a=npy_f64_2d.npy", "b=fill(1)"])
        .expect(0)
        .stdout_has("[1.0, 1.5, 2.0, 2.5, 3.0, 3.5]");
}

#[test]
fn scalar_output_is_a_0d_npy() {
    let dir = Dir::new();
    dir.write(
        "total.kern",
        "kernel total(x: f64[n]) -> (s: f64) {\n    s = sum over i in n { x[i] };\n}\n",
    );
    dir.kjit(&["run", "total.kern", "x=[1.5, 2.5, 4]", "-o", "s=s.npy"])
        .expect(0)
        .stdout_has("s: f64 = 8.0");
    let s = read_npy(&dir.path("s.npy"));
    assert_eq!((s.shape.len(), s.data), (0, ArrayData::F64(vec![8.0])));
}

#[test]
fn npy_with_wrong_dtype() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.fixture("npy_i64_1d.npy");
    dir.kjit(&["run", "saxpy.kern", "x=npy_i64_1d.npy", "n=3"])
        .expect(3)
        .stderr_has("argument `x`: `npy_i64_1d.npy` holds int64 values but `x` is f32[n]");
}

#[test]
fn truncated_npy() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    let bytes = fs::read(fixture("npy_saxpy_x.npy")).expect("fixture");
    dir.write("short.npy", &bytes[..bytes.len() - 5]);
    dir.kjit(&["run", "saxpy.kern", "x=short.npy"])
        .expect(3)
        .stderr_has("`short.npy` is not a usable .npy file: the file is truncated");
    dir.write("header.npy", &bytes[..40]);
    dir.kjit(&["run", "saxpy.kern", "x=header.npy"])
        .expect(3)
        .stderr_has("truncated");
    dir.write("junk.npy", "not numpy at all");
    dir.kjit(&["run", "saxpy.kern", "x=junk.npy"])
        .expect(3)
        .stderr_has("magic string");
    dir.kjit(&["run", "saxpy.kern", "x=absent.npy"])
        .expect(3)
        .stderr_has("cannot open `absent.npy`");
}

#[test]
fn fortran_order_npy() {
    let dir = Dir::new();
    dir.write(
        "add2.kern",
        "kernel add2(a: f32[m, k]) -> (c: f32[m, k]) {\n    foreach (i, j) in (m, k) { c[i, j] = a[i, j]; }\n}\n",
    );
    dir.fixture("npy_f32_fortran.npy");
    dir.kjit(&["run", "add2.kern", "a=npy_f32_fortran.npy"])
        .expect(3)
        .stderr_has("Fortran order");
}

// ----- -o safety -----

#[test]
fn output_may_not_overwrite_an_input() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    let x = dir.fixture("npy_saxpy_x.npy");
    let before = fs::read(&x).expect("read");
    for target in ["npy_saxpy_x.npy", "./npy_saxpy_x.npy"] {
        dir.kjit(&[
            "run",
            "saxpy.kern",
            "a=1",
            "x=npy_saxpy_x.npy",
            "y=fill(0)",
            "-o",
            &format!("out={target}"),
            "--force",
        ])
        .expect(3)
        .stderr_has("it is the input file of `x`");
    }
    assert_eq!(fs::read(&x).expect("read"), before);
}

#[test]
fn existing_output_needs_force() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.write("out.npy", "old");
    dir.kjit(&["run", "saxpy.kern", "-o", "out=out.npy"])
        .expect(3)
        .stderr_has("`out.npy` exists; pass --force to overwrite it");
    assert_eq!(fs::read(dir.path("out.npy")).expect("read"), b"old");
    dir.kjit(&["run", "saxpy.kern", "-o", "out=out.npy", "--force"])
        .expect(0);
    assert_eq!(read_npy(&dir.path("out.npy")).shape, vec![8]);
    assert_eq!(
        dir.files(),
        vec!["out.npy", "saxpy.kern"],
        "no temporary file is left"
    );
}

#[test]
fn bad_output_requests() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY);
    dir.kjit(&["run", "saxpy.kern", "-o", "x=x.npy"])
        .expect(3)
        .stderr_has("kernel `saxpy` has no output `x` (outputs: out)");
    dir.kjit(&["run", "saxpy.kern", "-o", "out=out.csv"])
        .expect(3)
        .stderr_has("must end in .npy");
    dir.kjit(&["run", "saxpy.kern", "-o", "out=no/such/dir/out.npy"])
        .expect(3)
        .stderr_has("does not exist");
}

#[test]
fn written_npy_reads_back_as_a_value() {
    // Library-level round trip of what `-o` writes, for every dtype.
    let dir = Dir::new();
    for name in ["npy_i32_1d.npy", "npy_bool_1d.npy", "npy_f64_0d.npy"] {
        let original = read_npy(&fixture(name));
        let path = dir.path(name);
        npy::write(&path, &Value::Array(original.clone())).expect("write");
        assert_eq!(read_npy(&path), original, "{name}");
        assert_eq!(
            fs::read(&path).expect("read"),
            fs::read(fixture(name)).expect("read"),
            "{name}: bytes as numpy wrote them"
        );
    }
}

// ----- .npy inputs in place (JIT) against the reference engine -----

/// Reads `x` (1-D) and `m` (2-D) of type `ty`, each element combined with
/// its mirror, so a wrong offset, stride or element size shows.
fn mirror_kernel(ty: &str) -> String {
    let combine = |a: &str, b: &str| match ty {
        "bool" => format!("!{a} || {b}"),
        _ => format!("{a} + {a} + {b}"),
    };
    format!(
        "kernel mirror(x: {ty}[n], m: {ty}[r, c]) -> (o: {ty}[n], p: {ty}[r, c]) {{\n\
         \x20   foreach i in n {{ o[i] = {}; }}\n\
         \x20   foreach (i, j) in (r, c) {{ p[i, j] = {}; }}\n}}\n",
        combine("x[i]", "x[n - 1 - i]"),
        combine("m[i, j]", "m[r - 1 - i, c - 1 - j]"),
    )
}

/// Runs `args` with both engines, each writing `o` and `p` to its own
/// files; checks they print and write the same, and returns the JIT's run.
fn run_both_engines(dir: &Dir, args: &[&str]) -> Output {
    let mut runs = Vec::new();
    for engine in ["reference", "jit"] {
        let (o, p) = (format!("o={engine}_o.npy"), format!("p={engine}_p.npy"));
        let mut full = vec!["run", "--force", "--engine", engine, "-o", &o, "-o", &p];
        full.extend_from_slice(args);
        let out = dir.kjit(&full);
        out.expect(0);
        runs.push(out);
    }
    let results = |out: &Output| -> Vec<String> {
        (out.stdout.lines())
            .filter(|l| l.starts_with("  o:") || l.starts_with("  p:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(results(&runs[0]), results(&runs[1]), "{args:?}");
    for name in ["o", "p"] {
        let reference = fs::read(dir.path(&format!("reference_{name}.npy"))).expect("read");
        let jit = fs::read(dir.path(&format!("jit_{name}.npy"))).expect("read");
        assert_eq!(jit, reference, "{args:?}: {name}");
    }
    runs.pop().expect("the JIT run")
}

fn write_array(dir: &Dir, name: &str, array: kjit::value::Array) {
    npy::write(&dir.path(name), &Value::Array(array)).expect("write");
}

#[test]
fn npy_inputs_of_every_dtype_agree_with_the_reference_engine() {
    use kjit::value::Array;
    let dir = Dir::new();
    let matrix = |data: ArrayData| Array::new(vec![3, 5], data).expect("3 x 5");
    // 1-D: numpy's fixtures (NaN and infinity, integer extremes) where
    // there is one. 2-D: numpy's fixture for f64, 3 x 5 arrays otherwise.
    let f64s: Vec<f64> = vec![0.5, -1e300, 3.0, f64::NAN, 7.25];
    write_array(&dir, "f64_x.npy", Array::from_vec(f64s));
    fs::copy(fixture("npy_f64_2d.npy"), dir.path("f64_m.npy")).expect("copy");
    for (ty, fixture_1d) in [
        ("f32", "npy_f32_1d.npy"),
        ("i32", "npy_i32_1d.npy"),
        ("i64", "npy_i64_1d.npy"),
        ("bool", "npy_bool_1d.npy"),
    ] {
        fs::copy(fixture(fixture_1d), dir.path(&format!("{ty}_x.npy"))).expect("copy");
    }
    let ramp = || (0..15).map(|i| i - 7);
    write_array(
        &dir,
        "f32_m.npy",
        matrix(ArrayData::F32(ramp().map(|i| i as f32 * 0.75).collect())),
    );
    write_array(
        &dir,
        "i32_m.npy",
        matrix(ArrayData::I32(ramp().map(|i| i * (i32::MAX / 7)).collect())),
    );
    write_array(
        &dir,
        "i64_m.npy",
        matrix(ArrayData::I64(ramp().map(|i| i64::from(i) << 40).collect())),
    );
    write_array(
        &dir,
        "bool_m.npy",
        matrix(ArrayData::Bool(ramp().map(|i| i % 3 == 0).collect())),
    );
    for ty in ["f32", "f64", "i32", "i64", "bool"] {
        let kern = format!("{ty}.kern");
        dir.write(&kern, mirror_kernel(ty));
        let (x, m) = (format!("x={ty}_x.npy"), format!("m={ty}_m.npy"));
        let jit = run_both_engines(&dir, &[&kern, &x, &m]);
        // numpy's files are used in place: no note about a copy.
        assert_eq!(jit.stderr, "", "{ty}");
    }
}

#[test]
fn big_endian_npy_is_swapped_with_a_note_and_misaligned_npy_reads() {
    let dir = Dir::new();
    dir.write("saxpy.kern", SAXPY_BARE);
    dir.fixture("npy_f32_bigendian.npy");
    dir.kjit(&[
        "run",
        "saxpy.kern",
        "a=1",
        "x=npy_f32_bigendian.npy",
        "y=fill(0)",
    ])
    .expect(0)
    .stdout_has("[1.0, 2.0, -0.5]")
    .stderr_has("note: `npy_f32_bigendian.npy` is converted as it is read: its byte order");
    // A valid file numpy would not write: the header is not padded, so the
    // f64 data starts at byte 69.
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } \n";
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes.extend([1.5f64, -2.0, 0.25].iter().flat_map(|x| x.to_le_bytes()));
    dir.write("odd.npy", bytes);
    dir.write("odd.kern", mirror_kernel("f64"));
    fs::copy(fixture("npy_f64_2d.npy"), dir.path("m.npy")).expect("copy");
    let jit = run_both_engines(&dir, &["odd.kern", "x=odd.npy", "m=m.npy"]);
    jit.stdout_has("o: f64[3]  min -6.0  max 3.25  mean -0.25  [3.25, -6.0, 2.0]");
    assert_eq!(jit.stderr, "");
}

#[test]
fn bad_bool_npy_is_an_error_naming_the_file() {
    let dir = Dir::new();
    dir.write("mirror.kern", mirror_kernel("bool"));
    let mut bytes = fs::read(fixture("npy_bool_1d.npy")).expect("fixture");
    let last = bytes.len() - 1;
    bytes[last] = 7;
    dir.write("bad.npy", bytes);
    dir.fixture("npy_bool_1d.npy");
    for engine in ["jit", "reference"] {
        dir.kjit(&[
            "run",
            "mirror.kern",
            "x=bad.npy",
            "m=[[true]]",
            "--engine",
            engine,
        ])
        .expect(3)
        .stderr_has(
            "error: argument `x`: `bad.npy` is not a usable .npy file: \
                 bool element 2 is the byte 0x07, not 0 or 1",
        );
    }
}

#[test]
fn inout_npy_is_updated_in_a_copy_never_in_the_file() {
    let dir = Dir::new();
    dir.write(
        "acc.kern",
        "kernel acc(x: f32[n], inout y: f32[n]) {\n    foreach i in n { y[i] = y[i] + x[i]; }\n}\n",
    );
    dir.fixture("npy_saxpy_x.npy");
    let y = dir.fixture("npy_saxpy_y.npy");
    let before = fs::read(&y).expect("read");
    for engine in ["jit", "reference"] {
        let target = format!("y={engine}.npy");
        let args = [
            "run",
            "acc.kern",
            "x=npy_saxpy_x.npy",
            "y=npy_saxpy_y.npy",
            "-o",
            &target,
            "--engine",
            engine,
        ];
        dir.kjit(&args)
            .expect(0)
            .stdout_has("y: f32[8]  min 1.0  max 8.0");
        let expected: Vec<f32> = (0..8).map(|i| i as f32 + 1.0).collect();
        assert_eq!(
            read_npy(&dir.path(&format!("{engine}.npy"))).data,
            ArrayData::F32(expected)
        );
        assert_eq!(
            fs::read(&y).expect("read"),
            before,
            "{engine}: the input file is untouched"
        );
    }
}

// ----- hostile inputs (issue 10) -----

#[path = "cli/hostile.rs"]
mod hostile;
