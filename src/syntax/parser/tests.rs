//! Parser tests: each input with its AST dump and its errors as one
//! expected text (`check`): well-formed input in `grammar`, malformed input
//! in `recovery`, the nesting budget in `limits`.
//!
//! A `check` expectation is the `dump_ast` output followed by one line per
//! diagnostic, `error: message @start..end` (the primary span), indented
//! freely: common leading whitespace is removed before comparing.

mod grammar;
mod limits;
mod recovery;

use super::parse;
use crate::syntax::dump::dump_ast;

fn check(source: &str, expected: &str) {
    let actual = render(source);
    let expected = dedent(expected);
    assert!(
        actual == expected,
        "source:\n{source}\n\nexpected:\n{expected}\nactual:\n{actual}"
    );
}

fn render(source: &str) -> String {
    let (file, diagnostics) = parse(source);
    let mut out = dump_ast(&file);
    for diagnostic in &diagnostics {
        let span = diagnostic.primary_span().unwrap_or_default();
        out.push_str(&format!(
            "error: {} @{}..{}\n",
            diagnostic.message, span.start, span.end
        ));
    }
    out
}

/// Drops blank first/last lines and the indentation common to all lines.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().skip_while(|l| l.trim().is_empty()).collect();
    let lines = match lines.iter().rposition(|l| !l.trim().is_empty()) {
        Some(last) => &lines[..=last],
        None => &[][..],
    };
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| format!("{}\n", l.get(indent..).unwrap_or("")))
        .collect()
}
