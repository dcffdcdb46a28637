//! `kjit emit ir --after PASS`, `kjit emit plan` and `kjit explain` through
//! the real binary, on the example kernels.

use std::path::Path;
use std::process::Command;

/// Runs kjit in the crate root; returns (exit code, stdout, stderr).
fn kjit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kjit"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .output()
        .expect("run kjit");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn emit_ir_after_each_pass() {
    let (code, checked, _) = kjit(&["emit", "ir", "kernels/blur.kern"]);
    assert_eq!(code, 0);
    assert!(checked.contains("for "), "{checked}");
    let (code, unrolled, _) = kjit(&["emit", "ir", "kernels/blur.kern", "--after", "unroll"]);
    assert_eq!(code, 0);
    assert!(!unrolled.contains("for "), "{unrolled}");
    let (code, poly, _) = kjit(&["emit", "ir", "kernels/poly.kern", "--after", "lowered"]);
    assert_eq!(code, 0);
    assert!(!poly.contains("/ 16.0"), "{poly}");
    let (code, _, err) = kjit(&["emit", "ir", "kernels/poly.kern", "--after", "fast-math"]);
    assert_eq!(code, 2);
    assert!(err.contains("only with --fast-math"), "{err}");
    let (code, fast, _) = kjit(&[
        "emit",
        "ir",
        "kernels/poly.kern",
        "--after",
        "fast-math",
        "--fast-math",
    ]);
    assert_eq!(code, 0);
    assert!(fast.contains("fma"), "{fast}");
    let (code, _, err) = kjit(&["emit", "ir", "kernels/poly.kern", "--after", "nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no pass `nope` (passes: fast-math, unroll, fold, lowered)"),
        "{err}"
    );
    let (code, _, err) = kjit(&["emit", "clif", "kernels/poly.kern", "--after", "fold"]);
    assert_eq!(code, 2);
    assert!(err.contains("use it with `emit ir`"), "{err}");
}

#[test]
fn emit_plan_and_explain() {
    let (code, plan, _) = kjit(&["emit", "plan", "kernels/blur.kern"]);
    assert_eq!(code, 0);
    assert!(plan.contains("contiguous at index + "), "{plan}");
    assert!(
        plan.contains("footprint img: [d0-1..=d0+1, d1-1..=d1+1]"),
        "{plan}"
    );
    let (code, text, _) = kjit(&["explain", "kernels/mandelbrot.kern"]);
    assert_eq!(code, 0);
    assert!(text.contains("loop diverges"), "{text}");
    assert!(text.contains("help:"), "{text}");
    let (code, _, err) = kjit(&["explain", "kernels/blur.kern", "--kernel", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no kernel `nope`"), "{err}");
}
