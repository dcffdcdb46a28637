//! Python habits the parser meets: `x ** 2`, `a and b`, `not a`, `elif`,
//! `for i in range(n)`, `def f(..)`, `import`, and `a // b` (a comment in
//! kern). Each is reported once, with a help naming the kern form, and
//! read as its kern meaning where one is clear (`and` as `&&`, `elif` as
//! `else if`), so the rest of the file is still checked.

use super::{Parser, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, Literal, StmtKind};
use crate::syntax::habits;

impl Parser<'_> {
    /// The binary operator at the cursor, also `and` and `or` (reported
    /// when [`Parser::bump_binary_op`] consumes them).
    pub(super) fn peek_binary_op(&self) -> Option<BinaryOp> {
        super::exprs::binary_op(self.kind()).or_else(|| match self.word() {
            Some("and") => Some(BinaryOp::And),
            Some("or") => Some(BinaryOp::Or),
            _ => None,
        })
    }

    /// Consumes the operator [`Parser::peek_binary_op`] found; a word
    /// operator is reported, and read as the kern operator.
    pub(super) fn bump_binary_op(&mut self, op: BinaryOp) -> Span {
        let token = self.bump();
        if token.kind == TokenKind::Ident {
            let word = self.text(token);
            self.report(
                Diagnostic::error(format!("kern writes `{}`, not `{word}`", op.symbol()))
                    .primary(token.span, "a Python operator")
                    .help(format!("write `a {} b`", op.symbol())),
            );
        }
        token.span
    }

    /// `not x` (the word, then something that starts an operand): reported
    /// and read as `!x`. `not` alone stays a name, and `not(x)` a call.
    pub(super) fn at_word_not(&self) -> bool {
        use TokenKind::*;
        let next = self.nth(1).kind;
        self.word() == Some("not")
            && (matches!(next, Ident | Int | Float | True | False | Bang)
                || next.scalar_type().is_some())
    }

    pub(super) fn report_word_not(&mut self, span: Span) {
        self.report(
            Diagnostic::error("kern writes `!`, not `not`")
                .primary(span, "a Python operator")
                .help("write `!x` for logical not"),
        );
    }

    /// After an operand, `**` (two adjacent `*`): reported, the exponent
    /// read, and the whole an error expression. Anything else: `base`.
    pub(super) fn reject_power(&mut self, base: Expr) -> Expr {
        let (first, second) = (self.current(), self.nth(1));
        let adjacent = first.kind == TokenKind::Star
            && second.kind == TokenKind::Star
            && first.span.end == second.span.start;
        if !adjacent {
            return base;
        }
        self.bump();
        self.bump();
        let operator = first.span.to(second.span);
        // `a ** b ** c ...` recurses once per `**`: paid for like a unary
        // operator, so a long chain meets the nesting limit, not the stack's.
        if !self.enter(1) {
            return Expr {
                kind: ExprKind::Error,
                span: base.span.to(operator),
            };
        }
        let exponent = self.unary();
        self.leave(1);
        let help = power_help(
            self.span_text(base.span),
            &exponent,
            self.span_text(exponent.span),
        );
        self.report(
            Diagnostic::error("kern has no `**` operator")
                .primary(operator, "not an operator in kern")
                .help(help),
        );
        Expr {
            kind: ExprKind::Error,
            span: base.span.to(exponent.span),
        }
    }

    /// `elif` where `else` may follow an `if` block: reported and
    /// consumed; the caller reads it as `else if`.
    pub(super) fn eat_elif(&mut self) -> bool {
        if self.word() != Some("elif") {
            return false;
        }
        let token = self.bump();
        self.report(
            Diagnostic::error("kern writes `else if`, not `elif`")
                .primary(token.span, "a Python keyword")
                .help("write `} else if cond {`"),
        );
        true
    }

    /// `for i in range(n)`, `range(a, b)` or `prange(n)`, with the header
    /// otherwise sound: reported, and read as the kern loop it means
    /// (`for i in 0..n`, `for i in a..b`, `foreach i in n`), body included,
    /// so the body is checked as usual. `None` (nothing consumed) for any
    /// other header.
    pub(super) fn python_range_loop(
        &mut self,
        var: &Option<Ident>,
        start: &Expr,
        mark: usize,
    ) -> Option<StmtKind> {
        let ExprKind::Call { callee, args } = &start.kind else {
            return None;
        };
        let var = var.clone()?;
        let in_range_form = matches!(
            (callee.name.as_str(), args.len()),
            ("range", 1 | 2) | ("prange", 1)
        );
        if !in_range_form || self.errors_seen != mark || self.at_range_operator() {
            return None;
        }
        self.report(self.range_diag(&callee.name, &var.name, start.span, args));
        let body = self.stmt_block();
        let zero = Expr {
            kind: ExprKind::Literal(Literal::Int(0)),
            span: callee.span,
        };
        Some(match (callee.name.as_str(), args.as_slice()) {
            ("prange", [n]) => StmtKind::Foreach {
                indices: vec![var],
                domain: vec![n.clone()],
                body,
            },
            (_, [n]) => StmtKind::For {
                var,
                start: zero,
                end: n.clone(),
                inclusive: false,
                body,
            },
            (_, [a, b, ..]) => StmtKind::For {
                var,
                start: a.clone(),
                end: b.clone(),
                inclusive: false,
                body,
            },
            (_, []) => StmtKind::Error,
        })
    }

    fn at_range_operator(&self) -> bool {
        self.at(TokenKind::DotDot) || self.at(TokenKind::DotDotEq)
    }

    fn range_diag(&self, callee: &str, var: &str, span: Span, args: &[Expr]) -> Diagnostic {
        let text = |e: &Expr| self.span_text(e.span).to_string();
        let (message, help) = match args {
            [n] if callee == "prange" => (
                "kern has no `prange`: the parallel loop is `foreach`",
                format!(
                    "write `foreach {var} in {} {{ .. }}` (at the top level of a kernel)",
                    text(n)
                ),
            ),
            [a, b, ..] => (
                "kern has no `range`: a `for` loop counts through `a..b`",
                format!("write `for {var} in {}..{} {{ .. }}`", text(a), text(b)),
            ),
            _ => (
                "kern has no `range`: a `for` loop counts through `a..b`",
                format!(
                    "write `for {var} in 0..{} {{ .. }}` (`foreach` runs in parallel)",
                    args.first().map(text).unwrap_or_default()
                ),
            ),
        };
        Diagnostic::error(message)
            .primary(span, "not a range")
            .help(help)
    }

    /// A diagnostic for a Python word where an item should start (`def`,
    /// `import`, `from`).
    pub(super) fn item_habit(&self) -> Option<Diagnostic> {
        let span = self.current().span;
        let (message, help) = match self.word()? {
            "def" => (
                "kern declares functions with `fn`, not `def`",
                "write `fn name(x: f32) -> f32 { .. }`; entry points are `kernel name(..) -> (out: f32[n]) { .. }`",
            ),
            "import" | "from" => (
                "kern has no imports",
                "the builtins (`sqrt`, `exp`, ...) and constants (`pi`, `inf`) need none",
            ),
            _ => return None,
        };
        Some(
            Diagnostic::error(message)
                .primary(span, "not kern syntax")
                .help(help),
        )
    }

    /// For a statement or list that ended too early: the floor division
    /// `a // b` that a comment swallowed, if that is what happened.
    pub(super) fn floor_division_diag(&self) -> Option<Diagnostic> {
        habits::floor_division_comment(self.source, self.prev_end(), self.start())
    }

    /// The current token's text if it is an identifier.
    fn word(&self) -> Option<&str> {
        (self.kind() == TokenKind::Ident).then(|| self.text(self.current()))
    }

    fn span_text(&self, span: Span) -> &str {
        self.source.get(span.range()).unwrap_or("")
    }
}

/// `x * x` for a square, `pow(x, y)` otherwise (floats; an integer
/// exponent literal is written as a float one).
fn power_help(base: &str, exponent: &Expr, exponent_text: &str) -> String {
    match exponent.kind {
        ExprKind::Literal(Literal::Int(2)) => {
            format!("write `{base} * {base}`, or `pow({base}, 2.0)` for floats")
        }
        ExprKind::Literal(Literal::Int(k)) => {
            format!("write `pow({base}, {k}.0)` (floats; kern has no integer power)")
        }
        _ => format!("write `pow({base}, {exponent_text})` (floats; kern has no integer power)"),
    }
}
