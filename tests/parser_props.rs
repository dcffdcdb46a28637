//! Properties of `kjit::syntax::parse` on arbitrary input: it never panics,
//! it returns, it is deterministic, and every span it hands out (in
//! diagnostics and in the tree) lies within the source on char boundaries.
//!
//! Two generators: soups of the language's own tokens (likely to get deep
//! into the grammar), and small mutations of well-formed kernels (likely to
//! hit the recovery paths a typo takes).

use kjit::syntax::dump::dump_ast;
use kjit::syntax::parse;
use proptest::prelude::*;

/// Well-formed kernels and functions covering the whole grammar.
const EXAMPLES: &[&str] = &[
    r#"// line comment, /* block comment */
fn cnd(x: f32) -> f32 { 0.5 * (1.0 + erf(x / sqrt(2.0))) }

kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = a * x[i] + y[i]; }
}
"#,
    r#"kernel k2(inout acc: f64[h, w], v: f64) -> (count: i32[h, w], total: f64) {
    foreach (r, c) in (h, w) {
        let zr = 0.0; let k: i32 = 0;
        while k < 10 && zr <= 4.0 { k += 1; if k == 3 { continue; } else if k > 5 { break; } else { zr = zr * 2.0; } }
        for dr in -1..=1 { for dc in 0..w { } }
        count[r, c] = k;
    }
    let m = max over i in n { x[i] };
    total = sum over (r, c) in (h, w) { let t = acc[r, c]; t * t };
    total += f64(m) + select(true, 1.0, 2.0);
}
"#,
    r#"/* bit tricks */
fn mix(a: i64, b: i64) -> i64 {
    let x = (a ^ b) << 3 | a >> 2 & 0xFF_FF;
    x % 7 - !b
}
kernel hist(v: i32[n], inout bins: i64[m], scale: f32) {
    foreach i in n {
        let b = i64(f32(v[i]) * scale);
        if b >= 0 && b < 16 || false { bins[i] -= mix(b, 1_000); }
        bins[i] <<= 1; bins[i] >>= 1; bins[i] &= 3; bins[i] |= 4; bins[i] ^= 5; bins[i] %= 6; bins[i] /= 2;
    }
}
"#,
    r#"kernel matvec(a: f64[r, c], x: f64[c]) -> (y: f64[r], norm: f64) {
    foreach i in r {
        y[i] = sum over j in c { a[i, j] * x[j] };
    }
    norm = sqrt(sum over i in r { y[i] * y[i] }) + prod over i in (r + 1) / 2 { 1.5e-3 } - min(1.0, 2e10);
}
"#,
    r#"kernel bits(x: f64[n], k: i64[n]) -> (out: f64[n], c: i64[n]) {
    foreach i in n {
        out[i] = select(is_nan(x[i]) || !is_finite(x[i]), pi, hypot(rint(x[i]), copysign(e, -inf)));
        c[i] = popcount(k[i]) + clz(k[i]) - ctz(to_bits(from_bits(k[i]))) + i64::MAX % 7;
    }
}
"#,
];

/// Token texts of the language, plus a few things it lacks.
const TOKENS: &[&str] = &[
    "kernel",
    "fn",
    "let",
    "if",
    "else",
    "for",
    "while",
    "foreach",
    "in",
    "over",
    "break",
    "continue",
    "inout",
    "true",
    "false",
    "f32",
    "f64",
    "i32",
    "i64",
    "bool",
    "sum",
    "prod",
    "min",
    "max",
    "x",
    "n",
    "acc",
    "_",
    "0",
    "1_000",
    "0xFF",
    "2.5",
    "1e-3",
    "99999999999999999999",
    "0x",
    "12ab",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    ":",
    "->",
    "..",
    "..=",
    "=",
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "&=",
    "|=",
    "^=",
    "<<=",
    ">>=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "!",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    "// c\n",
    "/* c */",
    "/*",
    "*/",
    "@",
    ".",
    "π",
    "\"",
    "\n",
    // Python habits the parser reads specially, and named constants.
    "and",
    "or",
    "not",
    "elif",
    "range",
    "prange",
    "def",
    "import",
    "return",
    "np.",
    "x.shape",
    "**",
    "::",
    "f32::MAX",
    "pi",
    "inf",
];

fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(TOKENS)
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&[" ", "", "\n"][..])
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec((token(), separator()), 0..80)
        .prop_map(|parts| parts.into_iter().flat_map(|(t, s)| [t, s]).collect())
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
    Swap { a: usize, b: usize },
    Insert { at: usize, text: &'static str },
    InsertChar { at: usize, c: char },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Positions are taken modulo the text length when applied.
    prop_oneof![
        (any::<usize>(), 1..8usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1..12usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap { a, b }),
        (any::<usize>(), token()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), any::<char>()).prop_map(|(at, c)| Mutation::InsertChar { at, c }),
    ]
}

/// Applies `mutation` to `chars` (chars, not bytes, so the text stays a
/// valid `&str`, as `parse` requires).
fn apply(chars: &mut Vec<char>, mutation: &Mutation) {
    let len = chars.len().max(1);
    match *mutation {
        Mutation::Delete { at, len: n } => {
            let at = at % len;
            let end = (at + n).min(chars.len());
            chars.drain(at.min(end)..end);
        }
        Mutation::Duplicate { at, len: n } => {
            let at = at % len;
            let end = (at + n).min(chars.len());
            let copy: Vec<char> = chars[at.min(end)..end].to_vec();
            chars.splice(end..end, copy);
        }
        Mutation::Swap { a, b } if !chars.is_empty() => chars.swap(a % len, b % len),
        Mutation::Swap { .. } => {}
        Mutation::Insert { at, text } => {
            let at = (at % len).min(chars.len());
            chars.splice(at..at, text.chars());
        }
        Mutation::InsertChar { at, c } => chars.insert((at % len).min(chars.len()), c),
    }
}

fn mutated_example() -> impl Strategy<Value = String> {
    (
        prop::sample::select(EXAMPLES),
        prop::collection::vec(mutation(), 1..6),
    )
        .prop_map(|(text, mutations)| {
            let mut chars: Vec<char> = text.chars().collect();
            for m in &mutations {
                apply(&mut chars, m);
            }
            chars.into_iter().collect()
        })
}

fn check_span(source: &str, start: usize, end: usize, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        start <= end && end <= source.len(),
        "{what} span {start}..{end} outside 0..{}",
        source.len()
    );
    prop_assert!(
        source.is_char_boundary(start) && source.is_char_boundary(end),
        "{what} span {start}..{end} splits a char"
    );
    Ok(())
}

/// The properties every input must have (see the module docs).
fn check_parse(source: &str) -> Result<(), TestCaseError> {
    let (file, diagnostics) = parse(source);
    for diagnostic in &diagnostics {
        prop_assert!(
            diagnostic.primary_span().is_some(),
            "no primary label: {diagnostic:?}"
        );
        for label in &diagnostic.labels {
            check_span(
                source,
                label.span.start as usize,
                label.span.end as usize,
                "diagnostic",
            )?;
        }
    }
    // Every node's span, read back from the dump's `@start..end`.
    let dump = dump_ast(&file);
    for line in dump.lines() {
        let span = line.rsplit_once(" @").and_then(|(_, s)| s.split_once(".."));
        let parsed =
            span.and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
        prop_assert!(parsed.is_some(), "dump line without a span: {line:?}");
        if let Some((start, end)) = parsed {
            check_span(source, start, end, "node")?;
        }
    }
    let (again, diagnostics_again) = parse(source);
    prop_assert_eq!(&again, &file);
    prop_assert_eq!(&diagnostics_again, &diagnostics);
    Ok(())
}

#[test]
fn examples_parse_without_errors() {
    for example in EXAMPLES {
        let (file, diagnostics) = parse(example);
        assert!(diagnostics.is_empty(), "{example}\n{diagnostics:#?}");
        assert!(!file.items.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    #[test]
    fn token_soup_never_breaks_the_parser(source in token_soup()) {
        check_parse(&source)?;
    }

    #[test]
    fn mutated_examples_never_break_the_parser(source in mutated_example()) {
        check_parse(&source)?;
    }
}
