//! Differential tests: the JIT against the reference evaluator, which
//! defines the semantics. Two sources of programs:
//!
//! - every `// run:` line of the file tests (`tests/kern/**.kern`), run
//!   with the line's arguments;
//! - every example kernel in `kernels/`, at extents around the gang and
//!   chunk boundaries (see `jit_diff/cases.rs`) and with inputs that include
//!   huge values, NaN, infinities and signed zeros.
//!
//! Each JIT run happens at every thread count of `engine::THREADS`, and the
//! results must equal the evaluator's bit for bit (any NaN equals any NaN);
//! a failure must agree in kind and, for out-of-range reads, in the array.
//! A report names the file, the case (as argument text that `kjit run`
//! takes), the thread count and the first difference.

#[allow(dead_code)]
#[path = "filetests/format.rs"]
mod format;

#[allow(dead_code)]
mod jit_diff {
    pub mod cases;
    pub mod compare;
    pub mod engine;
    pub mod subject;
}

use format::Expect;
use jit_diff::cases::{self, VARIANTS};
use jit_diff::subject::Subject;
use kjit::inputs::{self, Defaults};
use kjit::ir::{Kernel, Module};
use kjit::signature::Signature;
use std::path::{Path, PathBuf};

/// Per-kernel arguments that keep the evaluator fast in a debug build.
const OVERRIDES: &[(&str, &str)] = &[("mandelbrot", "max_iter=32"), ("jacobi", "max_it=5")];

/// Kernels whose work grows faster than their data (nbody is O(n²)), or
/// whose 3-D arrays take the 2-D cases' extents to a cube: the cases whose
/// largest array has more elements than this are skipped, to keep the
/// evaluator fast.
const MAX_ELEMS: &[(&str, usize)] = &[("nbody", 200), ("stencil3d", 300_000), ("binomial", 5_000)];

/// Reports shown per failing test; the rest are counted.
const MAX_REPORTS: usize = 6;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    paths
}

fn file_stems(paths: &[PathBuf]) -> Vec<String> {
    let stem = |p: &PathBuf| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    paths.iter().map(stem).collect()
}

fn finish(what: &str, failures: Vec<String>) {
    if failures.is_empty() {
        return;
    }
    let shown = failures.len().min(MAX_REPORTS);
    let mut report = format!(
        "{} JIT/evaluator disagreement(s) in {what}:\n",
        failures.len()
    );
    for failure in &failures[..shown] {
        report.push_str(&format!("\n{failure}\n"));
    }
    if failures.len() > shown {
        report.push_str(&format!("\n... and {} more\n", failures.len() - shown));
    }
    panic!("{report}");
}

// ---- the file tests' run lines ----

/// One test per folder of `tests/kern`, so the folders run in parallel.
macro_rules! kern_folders {
    ($($dir:ident),* $(,)?) => {
        mod kern {
            $(#[test]
            fn $dir() {
                super::diff_folder(stringify!($dir));
            })*
        }
        const FOLDERS: &[&str] = &[$(stringify!($dir)),*];
    };
}

kern_folders!(
    builtins,
    calls,
    channels,
    constants,
    generics,
    habits,
    ints,
    items,
    local_arrays,
    phases,
    semantics,
    short,
    statements,
    syntax,
    types,
    values
);

#[test]
fn every_kern_folder_is_listed() {
    let entries = std::fs::read_dir(root().join("tests/kern")).expect("read tests/kern");
    let mut on_disk: Vec<String> = entries
        .map(|e| e.expect("tests/kern entry").path())
        .filter(|p| p.is_dir())
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk, FOLDERS,
        "jit_diff.rs must list every folder of tests/kern"
    );
}

fn diff_folder(dir: &str) {
    let mut failures = Vec::new();
    for path in files_in(&root().join("tests/kern").join(dir), "kern") {
        let rel = format!(
            "tests/kern/{dir}/{}",
            file_stems(std::slice::from_ref(&path))[0]
        );
        failures.extend(diff_file(&format!("{rel}.kern"), &read(&path)));
    }
    finish(&format!("tests/kern/{dir}"), failures);
}

/// Every run line of one file, on both engines. Lines whose arguments do
/// not even make `Args` and that expect an error are the file tests'
/// business, not a JIT matter.
fn diff_file(rel: &str, source: &str) -> Vec<String> {
    let file = format::TestFile::parse(source);
    if file.runs.is_empty() {
        return Vec::new();
    }
    let subject = match Subject::new(source) {
        Ok(subject) => subject,
        Err(message) => return vec![format!("{rel}: {message}")],
    };
    let mut failures = Vec::new();
    for run in &file.runs {
        let Some(kernel) = run_kernel(&subject.module, run) else {
            continue;
        };
        let words = format::split_args(&run.args);
        let (_, words) = inputs::instance::split_type_words(kernel, &words);
        let args = match materialize(kernel, &words) {
            Ok(args) => args,
            // The file test checks the error this run expects.
            Err(_)
                if run
                    .expects
                    .iter()
                    .any(|e| matches!(e, Expect::Error { .. })) =>
            {
                continue
            }
            Err(e) => {
                failures.push(format!("{rel}:{}: bad run arguments: {e}", run.line + 1));
                continue;
            }
        };
        if let Err(report) = subject.check(&kernel.name, &args) {
            let line = run.line + 1;
            failures.push(format!("{rel}:{line}: run: {}\n  {report}", run.args));
        }
    }
    failures
}

/// `KJIT_DIFF_FILE=FILE.kern cargo test --test jit_diff replay` diffs the
/// run lines of any file (a failing case of `jit_props` prints one); without
/// the variable there is nothing to do.
#[test]
fn replay() {
    let Some(path) = std::env::var_os("KJIT_DIFF_FILE") else {
        return;
    };
    let path = PathBuf::from(path);
    let failures = diff_file(&path.display().to_string(), &read(&path));
    finish(&path.display().to_string(), failures);
}

/// The kernel (for a generic one, the instance) a run line runs, chosen
/// as the file tests choose it.
fn run_kernel<'m>(module: &'m Module, run: &format::Run) -> Option<&'m Kernel> {
    use kjit::inputs::instance;
    let (name, types) = instance::parse_kernel_ref(run.kernel.as_deref()).ok()?;
    let kernel = instance::named_kernel(module, name.as_deref()).ok()?;
    let words = format::split_args(&run.args);
    let (word_types, words) = instance::split_type_words(kernel, &words);
    let specs: Vec<_> = (words.iter())
        .filter_map(|arg| inputs::parse_arg(arg).ok())
        .collect();
    let types: Vec<_> = types.into_iter().chain(word_types).collect();
    instance::choose(module, kernel, &specs, &types).ok()
}

fn materialize(kernel: &Kernel, words: &[&str]) -> Result<kjit::value::Args, String> {
    let specs: Result<Vec<_>, _> = words.iter().map(|w| inputs::parse_arg(w)).collect();
    let specs = specs.map_err(|e| e.to_string())?;
    inputs::materialize(kernel, &specs).map_err(|e| e.to_string())
}

// ---- the example kernels ----

macro_rules! example_kernels {
    ($($name:ident),* $(,)?) => {
        mod examples {
            $(#[test]
            fn $name() {
                super::diff_example(stringify!($name));
            })*
        }
        const EXAMPLES: &[&str] = &[$(stringify!($name)),*];
    };
}

example_kernels!(
    argmin,
    binomial,
    blackscholes,
    blur,
    dot,
    ema,
    hash_u32,
    heat,
    jacobi,
    logsumexp,
    mandelbrot,
    nbody,
    normalize,
    poly,
    ray_sphere,
    rgb_gray,
    saxpy,
    softmax,
    stencil3d,
    triad,
);

#[test]
fn every_example_kernel_is_listed() {
    let on_disk = file_stems(&files_in(&root().join("kernels"), "kern"));
    assert_eq!(
        on_disk, EXAMPLES,
        "jit_diff.rs must list every kernels/*.kern"
    );
}

/// Every kernel of `kernels/NAME.kern`, at every extent and input variant
/// of [`cases`].
fn diff_example(name: &str) {
    let source = read(&root().join(format!("kernels/{name}.kern")));
    let subject = Subject::new(&source).unwrap_or_else(|e| panic!("kernels/{name}.kern: {e}"));
    let defaults = Defaults::parse(&source).expect("the default lines parse");
    let mut failures = Vec::new();
    for kernel in &subject.module.kernels {
        let base = defaults
            .for_kernel(&subject.module, kernel)
            .expect("the default lines fit the kernel");
        let sig = Signature::of(kernel);
        let limit = MAX_ELEMS
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(usize::MAX, |l| l.1);
        let small = |e: &Vec<usize>| cases::largest_array(&sig, e) <= limit;
        for extents in cases::extents(cases::rank(&sig)).into_iter().filter(small) {
            for &variant in VARIANTS {
                let Some(text) = cases::args(&sig, variant, &extents) else {
                    continue;
                };
                let text = with_overrides(name, text);
                let words: Vec<&str> = inputs::split_args(&text);
                let specs = words
                    .iter()
                    .map(|w| inputs::parse_arg(w).expect("case text parses"));
                let specs = inputs::merge(base.clone(), specs.collect());
                let args = inputs::materialize(kernel, &specs)
                    .unwrap_or_else(|e| panic!("kernels/{name}.kern: case `{text}`: {e}"));
                if let Err(report) = subject.check(&kernel.name, &args) {
                    failures.push(format!(
                        "kernels/{name}.kern {variant:?}: {text}\n  {report}"
                    ));
                }
            }
        }
    }
    finish(&format!("kernels/{name}.kern"), failures);
}

fn with_overrides(name: &str, text: String) -> String {
    let extra = OVERRIDES.iter().filter(|(k, _)| *k == name);
    extra.fold(text, |text, (_, args)| format!("{text} {args}"))
}
