//! Lexer tests: tokens, spans and lexical diagnostics.

use super::*;
use TokenKind::*;

fn kinds(source: &str) -> Vec<TokenKind> {
    lex(source).tokens.iter().map(|t| t.kind).collect()
}

fn messages(source: &str) -> Vec<String> {
    lex(source)
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn keywords_names_and_reductions() {
    assert_eq!(
        kinds("kernel fn inout f32 bool sum over foreach_x"),
        [Kernel, Fn, Inout, F32, Bool, Ident, Over, Ident, Eof]
    );
}

#[test]
fn numbers() {
    assert_eq!(
        kinds("1_000 0xFF 1.5 1.5e-3 2e10 2E+1_0"),
        [Int, Int, Float, Float, Float, Float, Eof]
    );
    assert_eq!(int_value("1_000"), Some(1000));
    assert_eq!(int_value("0xff"), Some(255));
    assert_eq!(float_value("1.5e-3"), Some(1.5e-3));
}

#[test]
fn ranges_are_not_floats() {
    assert_eq!(kinds("0..n"), [Int, DotDot, Ident, Eof]);
    assert_eq!(kinds("-1..=1"), [Minus, Int, DotDotEq, Int, Eof]);
}

#[test]
fn operators_take_the_longest_match() {
    assert_eq!(
        kinds("<<= << <= < -> - >>="),
        [ShlEq, Shl, Le, Lt, Arrow, Minus, ShrEq, Eof]
    );
}

#[test]
fn comments_are_skipped() {
    assert_eq!(kinds("a // b\n/* c\n d */ e"), [Ident, Ident, Eof]);
    assert!(lex("a /* b */").diagnostics.is_empty());
}

#[test]
fn unterminated_comment_is_one_error_at_its_start() {
    let lexed = lex("a /* b\n c");
    assert_eq!(
        lexed.tokens.iter().map(|t| t.kind).collect::<Vec<_>>(),
        [Ident, Eof]
    );
    assert_eq!(lexed.diagnostics.len(), 1);
    assert_eq!(lexed.diagnostics[0].primary_span(), Some(Span::new(2, 4)));
    assert_eq!(lexed.skipped, [Span::new(2, 9)]);
}

#[test]
fn unknown_characters_are_reported_once_per_run_and_skipped() {
    let lexed = lex("a @#é b $");
    assert_eq!(
        lexed.tokens.iter().map(|t| t.kind).collect::<Vec<_>>(),
        [Ident, Ident, Eof]
    );
    let spans: Vec<_> = lexed
        .diagnostics
        .iter()
        .filter_map(|d| d.primary_span())
        .collect();
    assert_eq!(spans, [Span::new(2, 6), Span::new(9, 10)]);
    assert_eq!(lexed.skipped, spans);
}

#[test]
fn bad_numbers_stay_in_the_stream() {
    assert_eq!(
        kinds("0x 12ab 1.5q 99999999999999999999 1e999"),
        [InvalidNumber; 5]
            .into_iter()
            .chain([Eof])
            .collect::<Vec<_>>()
    );
    assert_eq!(
        messages("0x 99999999999999999999"),
        [
            "invalid number literal `0x`",
            "integer literal is too large"
        ]
    );
    assert_eq!(kinds("18446744073709551615"), [Int, Eof]);
}

#[test]
fn a_dot_is_a_token_the_parser_judges() {
    // `t.0` and `p.x` are fields; `1.` and `.5` are reported by the parser.
    let lexed = lex("1. + .5");
    assert_eq!(
        lexed.tokens.iter().map(|t| t.kind).collect::<Vec<_>>(),
        [Int, Dot, Plus, Dot, Int, Eof]
    );
    assert!(lexed.diagnostics.is_empty());
}
