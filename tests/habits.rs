//! Python, NumPy and Numba habits: each probe is one statement (or item)
//! in an otherwise correct kernel, and must give exactly one error whose
//! primary span covers the given text and whose help names the kern form.
//! The file tests in `tests/kern/habits/` hold the same probes in context
//! (positions, recovery); this table pins the help texts.

/// (body statement, text the error points at, a phrase of its help).
const PROBES: &[(&str, &str, &str)] = &[
    ("r = x[0] ** 2.0;", "**", "pow(x[0], 2.0)"),
    ("r = x[0] ** 2;", "**", "x[0] * x[0]"),
    (
        "q = a // b;",
        "//",
        "integer `/` already truncates toward zero",
    ),
    ("t = c and c;", "and", "a && b"),
    ("t = c or c;", "or", "a || b"),
    ("t = not c;", "not", "!x"),
    ("if c { q = 1; } elif c { q = 2; }", "elif", "else if"),
    ("q = i32(len(x));", "len", "its length is `n`"),
    ("for j in range(n) { q += 1; }", "range(n)", "for j in 0..n"),
    (
        "for j in range(2, n) { q += 1; }",
        "range(2, n)",
        "for j in 2..n",
    ),
    (
        "for i in prange(n) { y[i] = x[i]; }",
        "prange(n)",
        "foreach i in n",
    ),
    ("r = x.shape[0];", "x.shape", "`x.shape[0]` is `n`"),
    (
        "r = f32(z.shape[1]);",
        "z.shape",
        "`[h, w]`: `z.shape[0]` is `h`, `z.shape[1]` is `w`",
    ),
    ("r = f32(z.size);", "z.size", "`h * w`"),
    ("r = np.inf;", "np.inf", "write `inf`"),
    ("r = math.sqrt(x[0]);", "math.sqrt", "`sqrt(..)`"),
    (
        "q = i32(np.uint8(q));",
        "np.uint8",
        "the type is `u8`; convert with `u8(x)`",
    ),
    ("r = np.float32(q);", "np.float32", "the type is `f32`"),
    (
        "r = np.round(x[0]);",
        "np.round",
        "`rint(x)` rounds half to even",
    ),
    ("return r;", "return", "assigns its named outputs"),
    ("t = True;", "True", "write `true`"),
    ("t = False;", "False", "write `false`"),
    ("t = None;", "None", "outputs start at zero"),
    ("q = int(r);", "int", "i32(x)"),
    ("r = f32::MAXIMUM;", "f32::MAXIMUM", "`f32::MAX`"),
    (
        "q = i32(x.argmin());",
        "x.argmin",
        "`argmin over i in n { x[i] }`",
    ),
    (
        "q = i32(np.argmax(x));",
        "np.argmax",
        "`argmax over i in n { x[i] }`",
    ),
    (
        "q = i32(argmin(x));",
        "argmin",
        "`argmin over i in n { x[i] }`",
    ),
];

/// A kernel that checks clean around one probe statement.
fn kernel(statement: &str) -> String {
    format!(
        "kernel k(x: f32[n], inout z: f64[h, w], a: i32, b: i32, c: bool) -> (y: f32[n], r: f32, q: i32, t: bool) {{\n\
         \x20   foreach i in n {{ y[i] = x[i]; }}\n\
         \x20   r = 1.0; q = 1; t = true;\n\
         \x20   {statement}\n\
         }}\n"
    )
}

#[test]
fn the_kernel_around_the_probes_checks_clean() {
    let checked = kjit::check(&kernel("r = 2.0;"));
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
}

#[test]
fn every_habit_gets_one_error_naming_the_kern_form() {
    for &(statement, points_at, help) in PROBES {
        let source = kernel(statement);
        let checked = kjit::check(&source);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert_eq!(errors.len(), 1, "{statement}: {errors:#?}");
        let d = errors[0];
        let span = d.primary_span().expect("a habit error has a span");
        assert_eq!(&source[span.range()], points_at, "{statement}: {d:#?}");
        assert!(
            d.help.iter().any(|h| h.contains(help)),
            "{statement}: no help containing `{help}`: {d:#?}"
        );
    }
}

#[test]
fn items_def_and_import() {
    let source = "import math\n\ndef f(x):\n    return x\n\nfn g(x: f32) -> f32 { x }\n";
    let checked = kjit::check(source);
    let messages: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "kern has no imports",
            "kern declares functions with `fn`, not `def`"
        ]
    );
    assert!(checked.diagnostics[1].help[0].contains("fn name(x: f32) -> f32"));
}
