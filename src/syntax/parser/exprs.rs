//! Expressions: precedence climbing over binary operators, then unary
//! operators, then primaries (literals, names, calls, indexing, casts,
//! reductions, parentheses).
//!
//! Precedence, loosest first; all left-associative except comparisons,
//! which do not chain (`a < b < c` is an error):
//! `||` < `&&` < `== != < <= > >=` < `|` < `^` < `&` < `<< >>` < `+ -` <
//! `* / %` < unary `- !`.
//!
//! An expression that cannot be read is `ExprKind::Error`, after one
//! diagnostic; the caller's recovery takes it from there.

use super::height::height;
use super::{Parser, TokenKind, CHAIN_HALVES};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, BinaryOp, Expr, ExprKind, Ident, Literal, ReduceOp, UnaryOp};
use crate::syntax::habits;
use crate::syntax::lexer;

impl Parser<'_> {
    /// A full expression. If the lexer dropped text in it or next to it
    /// (`1.`, `a @ b`), or the nesting limit cut it short, its meaning is
    /// unknown: it becomes an error expression, so the checker does not
    /// report a second error about what is left.
    pub(super) fn expr(&mut self) -> Expr {
        let before = self.prev_end();
        let too_deep = self.too_deep;
        let expr = self.binary(0);
        let broken = match self.skipped_between(before, self.start()) {
            Some(skipped) => expr.span.to(skipped),
            None if self.too_deep != too_deep => expr.span,
            None => return expr,
        };
        Expr {
            kind: ExprKind::Error,
            span: broken,
        }
    }

    /// An expression whose binary operators all bind at least as tightly
    /// as `min_prec`. (Recursion through here is paid for where it turns:
    /// per operator, unary operator, parenthesis, list or reduction.)
    fn binary(&mut self, min_prec: u8) -> Expr {
        let lhs = self.unary();
        self.binary_rest(lhs, min_prec)
    }

    /// Continues a binary expression after its first operand `lhs`.
    fn binary_rest(&mut self, mut lhs: Expr, min_prec: u8) -> Expr {
        if self
            .peek_binary_op()
            .is_none_or(|op| precedence(op) < min_prec)
        {
            return lhs;
        }
        // Each operator of the chain puts `lhs` one level deeper (`a + b +
        // c` is `(a + b) + c`), without recursing. So the nesting budget
        // pays for the height of `lhs` beyond a leaf (see `height`), and
        // half a unit per operator (see `CHAIN_HALVES`).
        let charged = height(&lhs) - 1;
        if !self.enter(charged) {
            return lhs;
        }
        let mut operators = 0;
        // Whether `lhs` is a comparison built by this loop (not one in
        // parentheses), so that another comparison would chain.
        let mut lhs_compares = false;
        while let Some(op) = self.peek_binary_op() {
            let prec = precedence(op);
            if prec < min_prec || !self.enter_chain_operator() {
                break;
            }
            operators += 1;
            let op_span = self.bump_binary_op(op);
            let rhs = self.binary(prec + 1);
            let span = Span::new(
                lhs.span.start as usize,
                self.prev_end().max(lhs.span.end as usize),
            );
            let kind = if op.is_comparison() && lhs_compares {
                self.error_chained_comparison(op_span, &lhs);
                ExprKind::Error
            } else {
                ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            };
            lhs_compares = op.is_comparison();
            lhs = Expr { kind, span };
        }
        self.leave_halves(operators * CHAIN_HALVES);
        self.leave(charged);
        lhs
    }

    fn error_chained_comparison(&mut self, op: Span, lhs: &Expr) {
        self.report(
            Diagnostic::error("comparison operators cannot be chained")
                .primary(op, "second comparison")
                .secondary(lhs.span, "first comparison")
                .help("combine two comparisons with `&&`, e.g. `a < b && b < c`"),
        );
    }

    /// `-x`, `!x`, or a primary expression (and `not x` or `x ** y`,
    /// reported).
    pub(super) fn unary(&mut self) -> Expr {
        let op = match self.kind() {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Bang => UnaryOp::Not,
            TokenKind::Ident if self.at_word_not() => UnaryOp::Not,
            _ => {
                let operand = self.primary();
                return self.reject_power(operand);
            }
        };
        let start = self.start();
        let token = self.bump();
        if token.kind == TokenKind::Ident {
            self.report_word_not(token.span);
        }
        if !self.enter(1) {
            return self.error_expr();
        }
        let operand = self.unary();
        self.leave(1);
        let kind = ExprKind::Unary {
            op,
            operand: Box::new(operand),
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    fn primary(&mut self) -> Expr {
        let start = self.start();
        let kind = match self.kind() {
            TokenKind::Int => self.int_literal(),
            TokenKind::Float => self.float_literal(),
            TokenKind::True | TokenKind::False => {
                let value = self.bump().kind == TokenKind::True;
                ExprKind::Literal(Literal::Bool(value))
            }
            TokenKind::InvalidNumber => {
                self.bump_reported();
                ExprKind::Error
            }
            TokenKind::Ident => self.name_expr(),
            TokenKind::LParen => return self.paren_expr(),
            TokenKind::Dot => {
                // `.5`: a float missing its leading digit.
                let dot = self.bump();
                self.report(habits::lone_dot(dot.span));
                if matches!(self.kind(), TokenKind::Int | TokenKind::Float) {
                    self.bump();
                }
                ExprKind::Error
            }
            kind if kind.scalar_type().is_some() => self.cast(),
            _ => {
                self.error_no_expr();
                return self.error_expr();
            }
        };
        let expr = Expr {
            kind,
            span: self.span_from(start),
        };
        let expr = self.members(expr);
        self.reject_postfix_index(expr)
    }

    /// `.name` and `.0` after a primary expression, any number of them.
    /// `np.sqrt`-style module prefixes and method calls (`x.sum()`) are
    /// reported here, as is a `.` after a number (`1.e5`).
    fn members(&mut self, mut expr: Expr) -> Expr {
        while self.at(TokenKind::Dot) {
            let dot = self.bump();
            if let ExprKind::Literal(_) = expr.kind {
                self.report(habits::lone_dot(dot.span));
                return self.error_from(expr.span);
            }
            let mut members = self.member();
            let Some(member) = members.pop() else {
                return self.error_from(expr.span);
            };
            // `t.0.1`: the first position of the pair.
            for first in members {
                let span = expr.span.to(first.span());
                let base = Box::new(expr);
                expr = Expr {
                    kind: ExprKind::Field {
                        base,
                        member: first,
                    },
                    span,
                };
            }
            if let ExprKind::Name(owner) = &expr.kind {
                if let Some(d) = habits::module_member(&owner.name, &member, owner.span) {
                    self.report(d);
                    self.skip_member_chain();
                    return self.error_from(expr.span);
                }
            }
            if self.at(TokenKind::LParen) {
                let span = expr.span.to(member.span());
                self.report(habits::method_call(&expr, &member, span));
                self.delimited(TokenKind::RParen, |p| Some(p.expr()));
                return self.error_from(expr.span);
            }
            let span = expr.span.to(member.span());
            expr = Expr {
                kind: ExprKind::Field {
                    base: Box::new(expr),
                    member,
                },
                span,
            };
            if self.at(TokenKind::LBracket) && habits::is_shape_member(&expr) {
                // `x.shape[0]`: the checker names the size; the brackets
                // add nothing to that error.
                self.delimited(TokenKind::RBracket, |p| Some(p.expr()));
            }
        }
        expr
    }

    /// The name or position after a `.` (empty after an error); two
    /// positions for `t.0.1`, whose `0.1` lexes as a float.
    fn member(&mut self) -> Vec<ast::Member> {
        let token = self.current();
        let position = |text: &str, start: usize| {
            let k = text.parse().ok()?;
            Some(ast::Member::Index(k, Span::new(start, start + text.len())))
        };
        match token.kind {
            TokenKind::Ident => vec![ast::Member::Name(self.ident())],
            TokenKind::Int | TokenKind::Float if self.is_tuple_path(token) => {
                self.bump();
                let mut start = token.span.start as usize;
                let mut parts = Vec::new();
                for text in self.text(token).split('.') {
                    let Some(part) = position(text, start) else {
                        let span = Span::new(start, start + text.len());
                        self.report(
                            Diagnostic::error(format!("tuple position `{text}` is out of range"))
                                .primary(span, "no tuple has this many parts")
                                .help("tuple positions count from 0: `t.0`, `t.1`"),
                        );
                        return Vec::new();
                    };
                    parts.push(part);
                    start += text.len() + 1;
                }
                parts
            }
            _ => {
                let d = self
                    .expected_diag("field name or tuple position")
                    .help("write `p.x` for a struct field, `t.0` for a tuple's first part");
                self.report(d);
                Vec::new()
            }
        }
    }

    /// Whether a number after `.` is tuple positions (`0`, or `0.1`).
    fn is_tuple_path(&self, token: super::Token) -> bool {
        self.text(token)
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
    }

    /// After a reported `np.`, the rest of its chain (`np.random.rand(..)`).
    fn skip_member_chain(&mut self) {
        while self.eat(TokenKind::Dot) {
            if matches!(self.kind(), TokenKind::Ident | TokenKind::Int) {
                self.bump();
            }
        }
        if self.at(TokenKind::LParen) {
            self.delimited(TokenKind::RParen, |p| Some(p.expr()));
        }
    }

    /// An error expression covering `from` up to here.
    fn error_from(&self, from: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: self.span_from(from.start as usize),
        }
    }

    /// An error expression at the current token, consuming nothing.
    pub(super) fn error_expr(&self) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: Span::new(self.start(), self.start()),
        }
    }

    fn error_no_expr(&mut self) {
        let mut diagnostic = self.expected_diag("expression");
        if self.at(TokenKind::If) {
            diagnostic = diagnostic.help(
                "`if` is a statement in kern; to choose between values use `select(cond, a, b)`",
            );
        }
        self.report(diagnostic);
    }

    fn int_literal(&mut self) -> ExprKind {
        let token = self.bump();
        match lexer::int_value(self.text(token)) {
            Some(value) => ExprKind::Literal(Literal::Int(value)),
            None => ExprKind::Error,
        }
    }

    fn float_literal(&mut self) -> ExprKind {
        let token = self.bump();
        match lexer::float_value(self.text(token)) {
            Some(value) => ExprKind::Literal(Literal::Float(value)),
            None => ExprKind::Error,
        }
    }

    /// A name, call, index or reduction; the cursor is at the identifier.
    fn name_expr(&mut self) -> ExprKind {
        match self.nth(1).kind {
            TokenKind::Over => self.reduce(),
            TokenKind::LParen => {
                let callee = self.ident();
                let args = self.delimited(TokenKind::RParen, |p| Some(p.argument()));
                ExprKind::Call { callee, args }
            }
            TokenKind::LBracket => {
                let array = self.ident();
                let start = self.start();
                let indices = self.delimited(TokenKind::RBracket, |p| Some(p.expr()));
                if indices.is_empty() {
                    self.error_empty_index(start);
                    return ExprKind::Error;
                }
                ExprKind::Index { array, indices }
            }
            // `T::MAX` of a type parameter `T`: one name, as `f32::MAX`.
            TokenKind::Colon if self.path_separator_at(1) => {
                let ty = self.ident();
                self.type_constant(ty.span, &ty.name)
            }
            _ => ExprKind::Name(self.ident()),
        }
    }

    /// A call argument: an expression, or `name = value`.
    fn argument(&mut self) -> Expr {
        if self.at(TokenKind::Ident) && self.nth(1).kind == TokenKind::Eq {
            let start = self.start();
            let name = self.ident();
            self.bump();
            let value = self.expr();
            return Expr {
                kind: ExprKind::Keyword {
                    name,
                    value: Box::new(value),
                },
                span: self.span_from(start),
            };
        }
        self.expr()
    }

    fn error_empty_index(&mut self, start: usize) {
        let span = self.span_from(start);
        self.report(
            Diagnostic::error("missing index")
                .primary(span, "expected an index expression")
                .help("index a 1-D array as `a[i]`, a 2-D array as `a[r, c]`"),
        );
    }

    /// Indexing is allowed only directly on an array name (`a[i]`, which
    /// `name_expr` reads). `a[i][j]` or `f(x)[i]` are reported, and the
    /// brackets consumed, so the error is not seen again.
    fn reject_postfix_index(&mut self, expr: Expr) -> Expr {
        if !self.at(TokenKind::LBracket) {
            return expr;
        }
        let help = if matches!(expr.kind, ExprKind::Index { .. }) {
            "index a 2-D array with one pair of brackets: `a[r, c]`"
        } else {
            "only array names can be indexed, e.g. `a[i]`"
        };
        let bracket = self.current().span;
        self.report(
            Diagnostic::error("cannot index this expression")
                .primary(bracket, "unexpected `[`")
                .secondary(expr.span, "not an array name")
                .help(help),
        );
        self.delimited(TokenKind::RBracket, |p| Some(p.expr()));
        Expr {
            kind: ExprKind::Error,
            span: self.span_from(expr.span.start as usize),
        }
    }

    /// `( expr )`: the expression itself, its span widened to the parens;
    /// `(a, b, ...)`: a tuple.
    fn paren_expr(&mut self) -> Expr {
        if self.nth(1).kind == TokenKind::RParen {
            let start = self.start();
            self.bump();
            self.bump();
            let span = self.span_from(start);
            self.report(
                Diagnostic::error("empty parentheses")
                    .primary(span, "expected an expression")
                    .help("kern has no empty tuple; a tuple has two or more parts, `(a, b)`"),
            );
            return self.error_from(span);
        }
        let open = self.bump();
        if !self.enter(1) {
            return self.error_expr();
        }
        let first = self.expr();
        let mut items = vec![first];
        while self.eat(TokenKind::Comma) && !self.at(TokenKind::RParen) {
            items.push(self.expr());
        }
        self.leave(1);
        if !self.eat(TokenKind::RParen) {
            self.error_unclosed(open, TokenKind::RParen);
        }
        let span = self.span_from(open.span.start as usize);
        let expr = if items.len() == 1 {
            let mut inner = items.pop().unwrap_or_else(|| self.error_expr());
            inner.span = span;
            inner
        } else {
            Expr {
                kind: ExprKind::Tuple(items),
                span,
            }
        };
        let expr = self.members(expr);
        self.reject_postfix_index(expr)
    }

    /// `f32(x)`, or a type's constant `f32::MAX`; the cursor is at the
    /// type keyword.
    fn cast(&mut self) -> ExprKind {
        let ty_token = self.bump();
        let Some(ty) = ty_token.kind.scalar_type() else {
            return ExprKind::Error;
        };
        if self.at_path_separator() {
            return self.type_constant(ty_token.span, &ty.to_string());
        }
        if !self.at(TokenKind::LParen) {
            let diagnostic = self
                .expected_diag("`(`")
                .secondary(
                    ty_token.span,
                    "a type name in an expression is a conversion",
                )
                .help(format!("to convert a value, write `{ty}(x)`"));
            self.report(diagnostic);
            return ExprKind::Error;
        }
        let mark = self.errors_seen;
        let mut args = self.delimited(TokenKind::RParen, |p| Some(p.expr()));
        if args.len() != 1 || self.errors_seen != mark {
            self.error_cast_arity(ty_token.span, args.len(), mark);
            return ExprKind::Error;
        }
        match args.pop() {
            Some(arg) => ExprKind::Cast {
                ty,
                ty_span: ty_token.span,
                arg: Box::new(arg),
            },
            None => ExprKind::Error,
        }
    }

    /// `::`: two adjacent `:`.
    fn at_path_separator(&self) -> bool {
        self.path_separator_at(0)
    }

    /// `::` starting `n` tokens ahead.
    fn path_separator_at(&self, n: usize) -> bool {
        let (first, second) = (self.nth(n), self.nth(n + 1));
        first.kind == TokenKind::Colon
            && second.kind == TokenKind::Colon
            && first.span.end == second.span.start
    }

    /// `T::NAME`, after `T`: one name, `"f32::MAX"` (see `ExprKind::Name`),
    /// that the checker resolves.
    fn type_constant(&mut self, ty_span: Span, ty: &str) -> ExprKind {
        self.bump();
        self.bump();
        match self.expect_ident("constant name, e.g. `MAX`") {
            Some(member) => ExprKind::Name(Ident {
                name: format!("{ty}::{}", member.name),
                span: ty_span.to(member.span),
            }),
            None => ExprKind::Error,
        }
    }

    fn error_cast_arity(&mut self, ty_span: Span, count: usize, mark: usize) {
        if self.errors_seen != mark {
            return;
        }
        let span = self.span_from(ty_span.start as usize);
        self.report(
            Diagnostic::error(format!(
                "a conversion takes exactly one argument, found {count}"
            ))
            .primary(span, "expected one argument"),
        );
    }

    /// `sum over i in n { body }`; the cursor is at the operator name,
    /// followed by `over`.
    fn reduce(&mut self) -> ExprKind {
        let op_name = self.ident();
        self.bump();
        if !self.enter(1) {
            return ExprKind::Error;
        }
        let kind = self.reduce_rest(op_name);
        self.leave(1);
        kind
    }

    /// `sum over` is read; the indices, domain and body follow.
    fn reduce_rest(&mut self, op_name: Ident) -> ExprKind {
        let mark = self.errors_seen;
        let op = ReduceOp::from_name(&op_name.name);
        if op.is_none() {
            self.error_unknown_reduction(&op_name);
        }
        let (indices, domain) = self.indices_in_domain();
        let header_ok = self.errors_seen == mark;
        let body = self.stmt_block();
        match op {
            Some((op, result)) if header_ok => ExprKind::Reduce {
                op,
                result,
                op_span: op_name.span,
                indices,
                domain,
                body,
            },
            _ => ExprKind::Error,
        }
    }

    fn error_unknown_reduction(&mut self, name: &Ident) {
        self.report(
            Diagnostic::error(format!("unknown reduction `{}`", name.name))
                .primary(name.span, "not a reduction")
                .help(
                    "the reductions are `sum`, `prod`, `min`, `max`, `argmin`, `argmax`, \
                     `min_at` and `max_at`",
                ),
        );
    }

    /// `i in n` or `(r, c) in (h, w)`: the header shared by `foreach` and
    /// reductions. After a missing `in`, the domain is empty (and reported).
    pub(super) fn indices_in_domain(&mut self) -> (Vec<Ident>, Vec<Expr>) {
        let indices = self.indices();
        let domain = if self.expect_token(TokenKind::In) {
            self.domain()
        } else {
            Vec::new()
        };
        (indices, domain)
    }

    /// The indices after `foreach` or `over`: `i` or `(r, c)`.
    pub(super) fn indices(&mut self) -> Vec<Ident> {
        if self.at(TokenKind::LParen) {
            return self.delimited(TokenKind::RParen, |p| p.expect_ident("index name"));
        }
        self.expect_ident("index name").into_iter().collect()
    }

    /// The domain after `in`: an extent `n`, or a list `(h, w)`. A list of
    /// one is a parenthesised expression and may go on: `(n + 1) / 2`.
    fn domain(&mut self) -> Vec<Expr> {
        if !self.at(TokenKind::LParen) {
            return vec![self.expr()];
        }
        let start = self.start();
        let mut extents = self.delimited(TokenKind::RParen, |p| Some(p.expr()));
        if extents.len() != 1 {
            return extents;
        }
        match extents.pop() {
            Some(mut only) => {
                only.span = self.span_from(start);
                vec![self.binary_rest(only, 0)]
            }
            None => Vec::new(),
        }
    }
}

pub(super) fn binary_op(kind: TokenKind) -> Option<BinaryOp> {
    use TokenKind::*;
    Some(match kind {
        PipePipe => BinaryOp::Or,
        AmpAmp => BinaryOp::And,
        EqEq => BinaryOp::Eq,
        Ne => BinaryOp::Ne,
        Lt => BinaryOp::Lt,
        Le => BinaryOp::Le,
        Gt => BinaryOp::Gt,
        Ge => BinaryOp::Ge,
        Pipe => BinaryOp::BitOr,
        Caret => BinaryOp::BitXor,
        Amp => BinaryOp::BitAnd,
        Shl => BinaryOp::Shl,
        Shr => BinaryOp::Shr,
        Plus => BinaryOp::Add,
        Minus => BinaryOp::Sub,
        Star => BinaryOp::Mul,
        Slash => BinaryOp::Div,
        Percent => BinaryOp::Rem,
        _ => return None,
    })
}

/// Binding strength: higher binds tighter. Operators of one level share it.
fn precedence(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Or => 1,
        And => 2,
        Eq | Ne | Lt | Le | Gt | Ge => 3,
        BitOr => 4,
        BitXor => 5,
        BitAnd => 6,
        Shl | Shr => 7,
        Add | Sub => 8,
        Mul | Div | Rem => 9,
    }
}
