//! Parser tests: each input with its AST dump and its errors as one
//! expected text (`check`), then properties no input may break.
//!
//! A `check` expectation is the `dump_ast` output followed by one line per
//! diagnostic, `error: message @start..end` (the primary span), indented
//! freely: common leading whitespace is removed before comparing.

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

/// A whole kernel: params, outputs, foreach, indexed assignment.
#[test]
fn saxpy() {
    check(
        concat!(
            "kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {\n",
            "    foreach i in n { out[i] = a * x[i] + y[i]; }\n",
            "}",
        ),
        "
        kernel saxpy @0..112
          param a: f32 @13..19
          param x: f32[n] @21..30
          param y: f32[n] @32..41
          output out: f32[n] @47..58
          block @60..112
            foreach i in @66..110
              name n @79..80
              block @81..110
                assign = @83..108
                  place out[_] @83..89
                    name i @87..88
                  binary + @92..107
                    binary * @92..100
                      name a @92..93
                      index x[_] @96..100
                        name i @98..99
                    index y[_] @103..107
                      name i @105..106
        ",
    );
}

/// A function body is statements then a tail expression.
#[test]
fn function_with_tail() {
    check(
        "fn cnd(x: f32) -> f32 { let h = 0.5; h * (1.0 + erf(x / sqrt(2.0))) }",
        "
        fn cnd -> f32 @0..69
          param x: f32 @7..13
          block @22..69
            let h @24..36
              float 0.5 @32..35
            tail binary * @37..67
              name h @37..38
              binary + @41..67
                float 1.0 @42..45
                call erf @48..66
                  binary / @52..65
                    name x @52..53
                    call sqrt @56..65
                      float 2.0 @61..64
        ",
    );
}

/// Each operator binds tighter than the one before it.
#[test]
fn precedence_ladder() {
    check(
        "fn f() -> i32 { a || b && c == d | e ^ f & g << h + i * -j }",
        "
        fn f -> i32 @0..60
          block @14..60
            tail binary || @16..58
              name a @16..17
              binary && @21..58
                name b @21..22
                binary == @26..58
                  name c @26..27
                  binary | @31..58
                    name d @31..32
                    binary ^ @35..58
                      name e @35..36
                      binary & @39..58
                        name f @39..40
                        binary << @43..58
                          name g @43..44
                          binary + @48..58
                            name h @48..49
                            binary * @52..58
                              name i @52..53
                              unary - @56..58
                                name j @57..58
        ",
    );
}

/// Same-level operators group to the left; parentheses widen spans.
#[test]
fn left_associative() {
    check(
        "fn f() -> i32 { a - b - c + (d - e) * !g % h }",
        "
        fn f -> i32 @0..46
          block @14..46
            tail binary + @16..44
              binary - @16..25
                binary - @16..21
                  name a @16..17
                  name b @20..21
                name c @24..25
              binary % @28..44
                binary * @28..40
                  binary - @28..35
                    name d @29..30
                    name e @33..34
                  unary ! @38..40
                    name g @39..40
                name h @43..44
        ",
    );
}

/// Every statement form, `else if` as a nested block, both ranges.
#[test]
fn statements() {
    check(
        concat!(
            "kernel k(inout acc: f64[h, w]) {\n",
            "  foreach (r, c) in (h, w) {\n",
            "    let k: i32 = 0;\n",
            "    while k < 10 { k += 1; if k == 3 { continue; } else if k > 5 { break; } else { acc[r, c] *= 2.0; } }\n",
            "    for d in -1..=1 { for e in 0..w { f(d); } }\n",
            "  }\n",
            "}",
        ),
        "
        kernel k @0..240
          param inout acc: f64[h, w] @9..29
          block @31..240
            foreach (r, c) in @35..238
              name h @54..55
              name w @57..58
              block @60..238
                let k: i32 @66..81
                  int 0 @79..80
                while @86..186
                  binary < @92..98
                    name k @92..93
                    int 10 @96..98
                  block @99..186
                    assign += @101..108
                      place k @101..102
                      int 1 @106..107
                    if @109..184
                      binary == @112..118
                        name k @112..113
                        int 3 @117..118
                      block @119..132
                        continue @121..130
                      else block @138..184
                        if @138..184
                          binary > @141..146
                            name k @141..142
                            int 5 @145..146
                          block @147..157
                            break @149..155
                          else block @163..184
                            assign *= @165..182
                              place acc[_, _] @165..174
                                name r @169..170
                                name c @172..173
                              float 2.0 @178..181
                for d in ..= @191..234
                  unary - @200..202
                    int 1 @201..202
                  int 1 @205..206
                  block @207..234
                    for e in .. @209..232
                      int 0 @218..219
                      name w @221..222
                      block @223..232
                        expr @225..230
                          call f @225..229
                            name d @227..228
        ",
    );
}

/// `min(a, b)` is a call; `min over` a reduction; a one-element parenthesised domain goes on as an expression.
#[test]
fn reductions_and_calls() {
    check(
        "fn f() -> f64 { min(a, b) + max over (r, c) in (h, w) { a[r, c] } + sum over i in (n + 1) / 2 { f64(i) } }",
        "
        fn f -> f64 @0..106
          block @14..106
            tail binary + @16..104
              binary + @16..65
                call min @16..25
                  name a @20..21
                  name b @23..24
                reduce max over (r, c) in @28..65
                  name h @48..49
                  name w @51..52
                  block @54..65
                    tail index a[_, _] @56..63
                      name r @58..59
                      name c @61..62
              reduce sum over i in @68..104
                binary / @82..93
                  binary + @82..89
                    name n @83..84
                    int 1 @87..88
                  int 2 @92..93
                block @94..104
                  tail cast f64 @96..102
                    name i @100..101
        ",
    );
}

/// Integer, hex, float and bool literals.
#[test]
fn literals() {
    check(
        "fn f() -> f64 { 1_000 + 0xFF + 2.5 + 1.5e-3 + 2e10 + true }",
        "
        fn f -> f64 @0..59
          block @14..59
            tail binary + @16..57
              binary + @16..50
                binary + @16..43
                  binary + @16..34
                    binary + @16..28
                      int 1000 @16..21
                      int 255 @24..28
                    float 2.5 @31..34
                  float 0.0015 @37..43
                float 20000000000.0 @46..50
              bool true @53..57
        ",
    );
}

/// No `->` clause: outputs are empty; trailing commas are fine.
#[test]
fn kernel_without_outputs() {
    check(
        "kernel k(inout a: f32[n], b: bool,) { }",
        "
        kernel k @0..39
          param inout a: f32[n] @9..24
          param b: bool @26..33
          block @36..39
        ",
    );
}

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
        error: expected dimension name, found `10` @29..31
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

/// A type name in an expression is a conversion with exactly one argument.
#[test]
fn casts() {
    check(
        "kernel k() { a = f32(1); b = f32(1, 2); c = i64; d = bool(); }",
        "
        kernel k @0..62
          block @11..62
            assign = @13..24
              place a @13..14
              cast f32 @17..23
                int 1 @21..22
            assign = @25..39
              place b @25..26
              error @29..38
            assign = @40..48
              place c @40..41
              error @44..47
            assign = @49..60
              place d @49..50
              error @53..59
        error: a conversion takes exactly one argument, found 2 @29..38
        error: expected `(`, found `;` @47..48
        error: a conversion takes exactly one argument, found 0 @53..59
        ",
    );
}

/// Broken loop headers: the body is still read; the statement is an error.
/// Index and extent counts are left to the checker.
#[test]
fn loop_headers() {
    check(
        "kernel k() { for i in n { x = ; } avg = avg over i in n { 1 }; foreach (r, c) in n { } foreach i in () { } }",
        "
        kernel k @0..108
          block @11..108
            error @13..33
            assign = @34..62
              place avg @34..37
              error @40..61
            foreach (r, c) in @63..86
              name n @81..82
              block @83..86
            foreach i in @87..106
              block @103..106
        error: expected `..` or `..=`, found `{` @24..25
        error: expected expression, found `;` @30..31
        error: unknown reduction `avg` @40..43
        ",
    );
}

#[test]
fn empty_and_comment_only_files() {
    check("", "");
    check("// nothing\n/* at all */", "");
}

/// A block ending in an expression statement has no tail; one ending in a
/// bare expression does.
#[test]
fn tail_versus_expression_statement() {
    check(
        "fn f() -> i32 { g(1); 2 } fn h() { 3; }",
        "
        fn f -> i32 @0..25
          block @14..25
            expr @16..21
              call g @16..20
                int 1 @18..19
            tail int 2 @22..23
        fn h @26..39
          block @33..39
            expr @35..37
              int 3 @35..36
        ",
    );
}

/// Every nesting construct, far past the limit, in a thread with a small
/// stack: the parser, the dump and dropping the tree must all survive.
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 5000;
    let inputs = [
        format!("fn f() -> i32 {{ {}x{} }}", "(".repeat(n), ")".repeat(n)),
        format!("fn f() -> i32 {{ {}x }}", "-".repeat(n)),
        format!("fn f() -> i32 {{ {}x }}", "a + ".repeat(n)),
        format!(
            "fn f() -> i32 {{ {}1{} }}",
            "x * (".repeat(n),
            ")".repeat(n)
        ),
        format!("fn f() -> i32 {{ {}1{} }}", "g(".repeat(n), ")".repeat(n)),
        format!("fn f() -> i32 {{ {}i{} }}", "a[".repeat(n), "]".repeat(n)),
        format!("kernel k() {{ {}{} }}", "if a { ".repeat(n), "}".repeat(n)),
        format!("kernel k() {{ {} }}", "if a { } else ".repeat(n) + "{ }"),
        format!(
            "fn f() -> i32 {{ {}1{} }}",
            "sum over i in n { ".repeat(n),
            " }".repeat(n)
        ),
        format!(
            "kernel k() {{ {} }}",
            "foreach i in n { ".repeat(n) + &"}".repeat(n)
        ),
        // Operator chains whose first operand is already deep.
        chains_around("(", ")"),
        chains_around("g(", ")"),
        chains_around("-(", ")"),
        chains_around("sum over i in n { ", " }"),
    ];
    for source in inputs {
        let worker = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let (file, diagnostics) = parse(&source);
                let dump = dump_ast(&file);
                (
                    dump.len(),
                    diagnostics
                        .iter()
                        .any(|d| d.message.contains("nested too deeply")),
                )
            });
        let result = worker.map(|handle| handle.join());
        assert!(
            matches!(result, Ok(Ok((_, true)))),
            "failed or no nesting error: {result:?}"
        );
    }
}

/// `open (open (a + a ...) + a ...) + a ...`, a few levels of long chains.
fn chains_around(open: &str, close: &str) -> String {
    let chain = " + a".repeat(900);
    let expr = (0..8).fold("a".to_string(), |inner, _| {
        format!("{open}{inner}{chain}{close}")
    });
    format!("fn f() -> i32 {{ {expr} }}")
}

/// Nesting well below the limit is fine.
#[test]
fn moderate_nesting_is_accepted() {
    let source = format!(
        "fn f() -> i32 {{ {}1{} }}",
        "x * (1 + ".repeat(60),
        ")".repeat(60)
    );
    let (_, diagnostics) = parse(&source);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
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

/// An expression cut short by the nesting limit is one error expression:
/// nothing else is reported about the statement.
#[test]
fn nesting_limit_makes_one_error() {
    let source = format!("fn f() -> i32 {{ {}a }}", "a + ".repeat(2000));
    let (file, diagnostics) = parse(&source);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let dump = dump_ast(&file);
    assert!(dump.contains("    tail error @"), "{dump}");
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
