//! Kernels past what kjit compiles in seconds are refused at once, with a
//! diagnostic on the phase and a help, not after minutes in the register
//! allocator (issue 10: 8,000 varying `if`s took 39 s and 2.1 GB).

use kjit::api::{CompileError, Program};
use kjit::codegen::MAX_MASKED_REGIONS;
use kjit::options::Options;
use std::process::Command;

/// A phase with `n` varying `if`/`else` statements in a row.
fn chain(n: usize) -> String {
    let mut s = String::from(
        "kernel k(x: f32[m]) -> (o: f32[m]) {\n  foreach i in m {\n    let s = x[i];\n",
    );
    for j in 0..n {
        s.push_str(&format!(
            "    if s > {j}.5 {{ s = s * 0.5; }} else {{ s = s + 1.0; }}\n"
        ));
    }
    s.push_str("    o[i] = s;\n  }\n}\n");
    s
}

fn refused(source: &str) -> String {
    match Program::compile(source, Options::default()) {
        Err(CompileError::Diagnostics(d)) => {
            assert_eq!(d.len(), 1, "{d:?}");
            assert!(!d[0].help.is_empty(), "a help says what to do instead");
            d[0].message.clone()
        }
        Err(other) => panic!("refused, but not with a diagnostic: {other}"),
        Ok(_) => panic!("compiled"),
    }
}

#[test]
fn long_varying_if_chains_are_refused_with_a_diagnostic() {
    let message = refused(&chain(MAX_MASKED_REGIONS + 1));
    assert!(
        message.contains("phase 0 of kernel `k` is too complex to compile: 2049 varying branches"),
        "{message}"
    );
    // The example: refused at once instead of after 39 s.
    assert!(refused(&chain(8000)).contains("8000 varying branches"));
    assert!(Program::compile(&chain(50), Options::default()).is_ok());
}

#[test]
fn inlined_functions_count_once_per_call() {
    let mut source = String::from("fn f(v: f32) -> f32 {\n  let s = v;\n");
    for j in 0..30 {
        source.push_str(&format!(
            "  if s > {j}.5 {{ s = s * 0.5; }} else {{ s = s + 1.0; }}\n"
        ));
    }
    source.push_str(
        "  s\n}\nkernel k(x: f32[m]) -> (o: f32[m]) {\n  foreach i in m {\n    let t = x[i];\n",
    );
    for _ in 0..70 {
        source.push_str("    t = f(t);\n");
    }
    source.push_str("    o[i] = t;\n  }\n}\n");
    assert!(refused(&source).contains("2100 varying branches"));
}

#[test]
fn the_cli_prints_the_diagnostic_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.kern");
    std::fs::write(&path, chain(3000)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kjit"))
        .args(["run", path.to_str().unwrap(), "m=10", "x=iota"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("too complex to compile"), "{stderr}");
    assert!(stderr.contains("help: each varying `if`"), "{stderr}");
    assert!(stderr.contains("long.kern:2:"), "{stderr}");
}
