//! Malformed input: one diagnostic per mistake, and the tree the parser
//! recovers, as an AST dump followed by the errors.

use super::check;

/// One missing `;` is one error, pointing just after the statement; both statements survive.
#[test]
fn missing_semicolon() {
    check(
        concat!("kernel k() {\n", "  let x = 1\n", "  let y = 2;\n", "}",),
        "
        kernel k @0..39
          block @11..39
            let x @15..24
              int 1 @23..24
            let y @27..37
              int 2 @35..36
        error: expected `;`, found keyword `let` @24..24
        ",
    );
}

/// When the next token is on the same line, the rest of the statement is skipped.
#[test]
fn missing_semicolon_same_line() {
    check(
        "kernel k() { let x = a b c d; y = 2; }",
        "
        kernel k @0..38
          block @11..38
            let x @13..29
              name a @21..22
            assign = @30..36
              place y @30..31
              int 2 @34..35
        error: expected `;`, found `b` @22..22
        ",
    );
}

/// An expression without `;` that is not the last thing in the block.
#[test]
fn expression_not_last() {
    check(
        "fn f() -> i32 { a b }",
        "
        fn f -> i32 @0..21
          block @14..21
            expr @16..19
              name a @16..17
        error: expected `;`, found `b` @17..17
        ",
    );
}

/// A missing `)` is one error at the `;`; the next statement is fine.
#[test]
fn missing_close_paren() {
    check(
        "kernel k() { x = foo(a, b; y = 1; }",
        "
        kernel k @0..35
          block @11..35
            assign = @13..26
              place x @13..14
              call foo @17..25
                name a @21..22
                name b @24..25
            assign = @27..33
              place y @27..28
              int 1 @31..32
        error: expected `)`, found `;` @25..26
        ",
    );
}

/// A parameter list closed by `->`: the outputs are still read.
#[test]
fn missing_close_paren_in_params() {
    check(
        "kernel k(a: f32, b: f32 -> (out: f32) { }",
        "
        kernel k @0..41
          param a: f32 @9..15
          param b: f32 @17..23
          output out: f32 @28..36
          block @38..41
        error: expected `)`, found `->` @24..26
        ",
    );
}

/// Comparisons do not chain; the chain becomes one error expression.
#[test]
fn chained_comparison() {
    check(
        "kernel k() { if a < b < c { } let z = (a < b) == c; }",
        "
        kernel k @0..53
          block @11..53
            if @13..29
              error @16..25
              block @26..29
            let z @30..51
              binary == @38..50
                binary < @38..45
                  name a @39..40
                  name b @43..44
                name c @49..50
        error: comparison operators cannot be chained @22..23
        ",
    );
}

/// A missing `}` is reported where the next item starts, once.
#[test]
fn unclosed_block_before_next_item() {
    check(
        concat!(
            "kernel k() { foreach i in n { out[i] = 1; }\n",
            "kernel j() { }",
        ),
        "
        kernel k @0..43
          block @11..43
            foreach i in @13..43
              name n @26..27
              block @28..43
                assign = @30..41
                  place out[_] @30..36
                    name i @34..35
                  int 1 @39..40
        kernel j @44..58
          block @55..58
        error: expected `}`, found keyword `kernel` @44..50
        ",
    );
}

/// A missing `}` at the end of the file, reported once for two open blocks.
#[test]
fn unclosed_block_at_end() {
    check(
        "kernel k() { foreach i in n { out[i] = 1;",
        "
        kernel k @0..41
          block @11..41
            foreach i in @13..41
              name n @26..27
              block @28..41
                assign = @30..41
                  place out[_] @30..36
                    name i @34..35
                  int 1 @39..40
        error: expected `}`, found end of file @41..41
        ",
    );
}

/// An unterminated comment is one error, though it also hides the `}`.
#[test]
fn unterminated_comment() {
    check(
        "kernel k() { /* never closed }",
        "
        kernel k @0..12
          block @11..12
        error: unterminated block comment @13..15
        ",
    );
}

/// Bad numbers are reported by the lexer alone and read as error expressions.
#[test]
fn bad_numbers() {
    check(
        "kernel k() { let x = 0xZZ + 99999999999999999999999; let y = 12ab; }",
        "
        kernel k @0..68
          block @11..68
            let x @13..52
              binary + @21..51
                error @21..25
                error @28..51
            let y @53..66
              error @61..65
        error: invalid number literal `0xZZ` @21..25
        error: integer literal is too large @28..51
        error: invalid number literal `12ab` @61..65
        ",
    );
}

/// Unknown characters are reported and skipped; the expression around
/// them is an error, so nothing else is reported about it.
#[test]
fn unknown_character() {
    check(
        "kernel k() { x = a @# 1; }",
        "
        kernel k @0..26
          block @11..26
            assign = @13..24
              place x @13..14
              error @17..21
        error: unknown characters `@#` @19..21
        ",
    );
}

/// Text between items is skipped to the next item.
#[test]
fn stray_tokens_between_items() {
    check(
        "let x = 1; kernel k() { } } fn f() { }",
        "
        kernel k @11..25
          block @22..25
        fn f @28..38
          block @35..38
        error: expected `kernel` or `fn`, found keyword `let` @0..3
        error: unexpected closing delimiter `}` @26..27
        ",
    );
}

/// Independent mistakes in different statements are all reported.
#[test]
fn all_errors_in_one_run() {
    check(
        concat!(
            "kernel k() {\n",
            "  let = 1;\n",
            "  x = ;\n",
            "  y = a[];\n",
            "  z = f(x)[1];\n",
            "  a[i][j] = 1;\n",
            "  x + 1 = 2;\n",
            "  let w = if a { 1 } else { 2 };\n",
            "}",
        ),
        "
        kernel k @0..120
          block @11..120
            error @15..23
            assign = @26..31
              place x @26..27
              error @30..30
            assign = @34..42
              place y @34..35
              error @38..41
            assign = @45..57
              place z @45..46
              error @49..56
            error @60..72
            error @75..85
            let w @88..95
              error @96..96
            if @96..117
              name a @99..100
              block @101..106
                tail int 1 @103..104
              else block @112..117
                tail int 2 @114..115
        error: expected variable name, found `=` @19..20
        error: expected expression, found `;` @30..31
        error: missing index @39..41
        error: cannot index this expression @53..54
        error: cannot index this expression @64..65
        error: invalid left-hand side of assignment @75..80
        error: expected expression, found keyword `if` @96..98
        ",
    );
}

/// Type mistakes get hints; a parameter with no usable type keeps its name
/// and a stand-in type (`float[n]` reads as `f32[n]`). The number of
/// dimensions and of loop indices is the checker's business.
#[test]
fn bad_types() {
    check(
        "kernel k(x: float[n], y: f32[10], z: f32[a, b, c], w) -> (inout o: f32) { }",
        "
        kernel k @0..75
          param x: f32[n] @9..20
          param y: f32[10] @22..32
          param z: f32[a, b, c] @34..49
          param w: f32 @51..52
          output o: f32 @58..70
          block @72..75
        error: expected type, found `float` @12..17
        error: expected `:`, found `)` @52..53
        error: an output cannot be `inout` @58..63
        ",
    );
}

/// Kernel outputs are named, in parentheses.
#[test]
fn kernel_outputs_need_parens() {
    check(
        "kernel k() -> f32[n] { x = 1; }",
        "
        kernel k @0..31
          block @21..31
            assign = @23..29
              place x @23..24
              int 1 @27..28
        error: expected `(`, found keyword `f32` @14..17
        ",
    );
}

/// A function returns one unnamed value.
#[test]
fn function_returns_one_type() {
    check(
        "fn f() -> (o: f32) { 1 }",
        "
        fn f @0..24
          block @19..24
            tail int 1 @21..22
        error: expected type, found `(` @10..11
        ",
    );
}

/// Multi-byte characters in names' neighbourhood keep every span on a char
/// boundary.
#[test]
fn unicode_input() {
    check(
        "kernel k() { x = π + 1; } // ∑",
        "
        kernel k @0..26
          block @11..26
            assign = @13..24
              place x @13..14
              error @17..23
        error: unknown character `π` @17..19
        ",
    );
}

/// A broken last expression is still the tail, so the checker does not also
/// ask for a value; a known misspelt type name stands for its meaning.
#[test]
fn broken_tail() {
    check(
        "fn f() -> i32 { let x: float = 1; x + } fn g() -> i32 { 12ab }",
        "
        fn f -> i32 @0..39
          block @14..39
            let x: f32 @16..33
              int 1 @31..32
            tail binary + @34..37
              name x @34..35
              error @38..38
        fn g -> i32 @40..62
          block @54..62
            tail error @56..60
        error: expected type, found `float` @23..28
        error: expected expression, found `}` @38..39
        error: invalid number literal `12ab` @56..60
        ",
    );
}

/// `else cond { .. }` most likely lost its `if`.
#[test]
fn else_without_if() {
    check(
        "kernel k() { if a { } else b { } }",
        "
        kernel k @0..34
          block @11..34
            if @13..32
              name a @16..17
              block @18..21
              else block @27..32
                if @27..32
                  name b @27..28
                  block @29..32
        error: expected `{` or `if`, found `b` @27..28
        ",
    );
}

/// `return x;` is reported once and, when last, stands as the tail; a
/// variable named `return` is fine.
#[test]
fn return_is_not_a_keyword() {
    check(
        "fn f(x: i32) -> i32 { return x; } fn g() -> i32 { return = 1; return }",
        "
        fn f -> i32 @0..33
          param x: i32 @5..11
          block @20..33
            tail error @22..31
        fn g -> i32 @34..70
          block @48..70
            assign = @50..61
              place return @50..56
              int 1 @59..60
            tail name return @62..68
        error: kern has no `return`: a function's value is its last expression, without `;` @22..28
        ",
    );
}

/// A broken type parameter list: one error each, and the rest of the item
/// (parameters, body) is still read.
#[test]
fn generics_errors() {
    for (source, message) in [
        (
            "kernel k<f32: float>(x: f32[n]) -> (o: f32[n]) { }",
            "`f32` is a scalar type, not a type parameter name",
        ),
        (
            "kernel k<T>(x: T[n]) -> (o: T[n]) { }",
            "type parameter `T` has no bound",
        ),
        (
            "kernel k<T: >(x: T[n]) -> (o: T[n]) { }",
            "expected a bound",
        ),
        (
            "kernel k<T: float U: int>(x: T[n]) -> (o: T[n]) { }",
            "expected `,` or `>`",
        ),
        ("fn f<T: float(x: T) -> T { x }", "expected `,` or `>`"),
    ] {
        let (file, errors) = crate::syntax::parser::parse(source);
        assert_eq!(errors.len(), 1, "{source}: {errors:?}");
        assert!(
            errors[0].message.starts_with(message),
            "{source}: {}",
            errors[0].message
        );
        let params = match &file.items[..] {
            [crate::syntax::ast::Item::Kernel(k)] => k.params.len(),
            [crate::syntax::ast::Item::Function(f)] => f.params.len(),
            other => panic!("{source}: {other:?}"),
        };
        assert_eq!(params, 1, "{source}: the parameters are still read");
    }
}
