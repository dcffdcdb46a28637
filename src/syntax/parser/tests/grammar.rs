//! Well-formed input: every construct of the grammar, as an AST dump.

use super::check;

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

/// Type parameters after a kernel's or function's name, bounds joined by
/// `|`; `T(x)` is a call and `T::MAX` one name, resolved by the checker.
#[test]
fn generics() {
    check(
        "fn f<T: float, U: i8 | u8>(x: T, y: U) -> T { T(y) + T::MAX }",
        "
        fn f<T: float, U: i8 | u8> -> T @0..61
          param x: T @27..31
          param y: U @33..37
          block @44..61
            tail binary + @46..59
              call T @46..50
                name y @48..49
              name T::MAX @53..59
        ",
    );
}
