//! Architecture invariants that a grep can check (rust-analyzer's "tidy"
//! tests): which modules may import which, and no import cycles.

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, except unit-test files.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "tests" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs")
                && !name.starts_with("tests")
                && !matches!(name.as_str(), "fakes.rs" | "testkit.rs")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Lines of `file` outside `#[cfg(test)]` modules that use `path`.
fn uses(file: &Path, path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let product = text.split("#[cfg(test)]").next().unwrap_or("");
    product
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && l.contains(path))
        .map(|l| format!("{}: {}", file.display(), l.trim()))
        .collect()
}

fn assert_none_use(dirs: &[&str], path: &str, why: &str) {
    let mut found = Vec::new();
    for dir in dirs {
        let root = src().join(dir);
        let files = if root.is_dir() {
            sources(&root)
        } else {
            vec![root.with_extension("rs")]
        };
        for file in files {
            found.extend(uses(&file, path));
        }
    }
    assert!(found.is_empty(), "{why}:\n{}", found.join("\n"));
}

#[test]
fn the_runtime_and_the_abi_know_no_ir_and_no_syntax() {
    // `crate::sema::`, not `crate::sema`: `crate::semantics` is below all.
    for path in ["crate::ir", "crate::syntax", "crate::sema::", "crate::plan"] {
        assert_none_use(
            &["runtime", "abi"],
            path,
            "the runtime sees kernels through the ABI only",
        );
    }
}

#[test]
fn no_product_path_runs_the_evaluator() {
    assert_none_use(
        &[
            "codegen",
            "runtime",
            "plan",
            "passes",
            "semantics",
            "api",
            "ir",
            "abi",
        ],
        "crate::eval",
        "the evaluator is the oracle: products use `semantics`",
    );
}

#[test]
fn no_import_cycles() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/import_cycles.py");
    if !script.exists() {
        eprintln!("skipped: {} is not beside the repository", script.display());
        return;
    }
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(src())
        .output();
    let Ok(out) = out else {
        eprintln!("skipped: python3 is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "import cycles:\n{text}");
}
