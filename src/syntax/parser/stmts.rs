//! Blocks and statements.
//!
//! A block is `{ stmt* [tail] }`. A statement that goes wrong becomes
//! `StmtKind::Error` (or keeps the parts it had) and the parser skips to the
//! next `;` or `}` of its level. Statements that end in a block (`if`, `for`,
//! `while`, `foreach`) take no `;`.

use super::{starts_statement, Parser, TokenKind, BLOCK_COST};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{BinaryOp, Block, Expr, ExprKind, Place, PlaceKind, Stmt, StmtKind};

/// What one step of a block produced: a statement, or the tail expression
/// (an expression right before the closing `}`, without `;`).
// A short-lived return value, moved once into the block's list: boxing
// the statement would cost an allocation per statement for nothing.
#[allow(clippy::large_enum_variant)]
enum BlockItem {
    Stmt(Stmt),
    Tail(Expr),
}

impl Parser<'_> {
    /// `{ stmts [tail] }`; the cursor is at `{`.
    pub(super) fn block(&mut self) -> Block {
        let start = self.start();
        let open = self.bump();
        if !self.enter(BLOCK_COST) {
            self.skip_balanced_braces();
            return Block {
                stmts: Vec::new(),
                tail: None,
                span: self.span_from(start),
                closed: false,
            };
        }
        let mut stmts = Vec::new();
        let mut tail = None;
        let mut closed = false;
        loop {
            match self.kind() {
                TokenKind::RBrace => {
                    self.bump();
                    closed = true;
                    break;
                }
                TokenKind::Eof | TokenKind::Kernel | TokenKind::Fn => {
                    self.error_unclosed(open, TokenKind::RBrace);
                    break;
                }
                // A stray `;` (`if c { .. };`) is harmless: skip it.
                TokenKind::Semi => {
                    self.bump();
                    continue;
                }
                _ => {}
            }
            let before = self.pos;
            match self.block_item() {
                BlockItem::Stmt(stmt) => stmts.push(stmt),
                BlockItem::Tail(expr) => tail = Some(Box::new(expr)),
            }
            self.ensure_progress(before);
        }
        self.leave(BLOCK_COST);
        Block {
            stmts,
            tail,
            span: self.span_from(start),
            closed,
        }
    }

    /// Skips from just after a `{` to its matching `}` (or the end), without
    /// recursion: used only past the nesting limit.
    fn skip_balanced_braces(&mut self) {
        let mut depth = 1u32;
        while depth > 0 && !self.at(TokenKind::Eof) {
            match self.bump().kind {
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth -= 1,
                _ => {}
            }
        }
    }

    fn block_item(&mut self) -> BlockItem {
        self.sync();
        let start = self.start();
        let kind = match self.kind() {
            TokenKind::Let => self.let_stmt(),
            TokenKind::If => self.if_stmt(),
            TokenKind::For => self.for_stmt(),
            TokenKind::While => self.while_stmt(),
            TokenKind::Foreach => self.foreach_stmt(),
            TokenKind::Break | TokenKind::Continue => self.jump_stmt(),
            TokenKind::Ident if self.at_return() => return self.return_stmt(start),
            _ => return self.expr_or_assign(start),
        };
        BlockItem::Stmt(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    /// The block of `if`, `for`, `while`, `foreach` or a reduction. If the
    /// header before it went wrong, skip the rest of the header to the `{`,
    /// but not past the end of its line: a `{` further down belongs to
    /// something else.
    pub(super) fn stmt_block(&mut self) -> Block {
        if !self.at(TokenKind::LBrace) {
            self.error_expected("`{`");
            while !matches!(
                self.kind(),
                TokenKind::LBrace
                    | TokenKind::RBrace
                    | TokenKind::Eof
                    | TokenKind::Kernel
                    | TokenKind::Fn
            ) && !self.newline_before()
            {
                self.bump();
            }
        }
        if self.at(TokenKind::LBrace) {
            self.block()
        } else {
            self.empty_block()
        }
    }

    /// Consumes the `;` that ends a statement. When it is missing, report
    /// it; then, unless the next token plainly starts something new (a
    /// statement keyword, `}`, or anything on a new line), skip the rest.
    fn expect_semi(&mut self) {
        if self.eat(TokenKind::Semi) {
            return;
        }
        self.error_missing_semi();
        if !self.at_stmt_boundary() {
            self.recover_stmt();
        }
    }

    fn at_stmt_boundary(&self) -> bool {
        let kind = self.kind();
        matches!(
            kind,
            TokenKind::RBrace | TokenKind::Eof | TokenKind::Kernel | TokenKind::Fn
        ) || starts_statement(kind)
            || self.newline_before()
    }

    /// `let name [: type] = value;`, or `let (a, b) = value;`
    fn let_stmt(&mut self) -> StmtKind {
        self.bump();
        if self.at(TokenKind::LParen) {
            return self.let_tuple();
        }
        let Some(name) = self.expect_ident("variable name") else {
            self.recover_stmt();
            return StmtKind::Error;
        };
        let typed = self.eat(TokenKind::Colon);
        let ty = if typed { self.type_expr() } else { None };
        if let Some(ty) = ty.as_ref().filter(|t| !t.dims.is_empty()) {
            if self.at(TokenKind::Semi) {
                self.bump();
                return StmtKind::ArrayDecl {
                    name,
                    ty: ty.clone(),
                };
            }
        }
        if !self.eat(TokenKind::Eq) {
            self.error_expected(if typed { "`=`" } else { "`:` or `=`" });
            self.recover_stmt();
            return StmtKind::Error;
        }
        let value = self.expr();
        self.expect_semi();
        StmtKind::Let { name, ty, value }
    }

    /// `let (a, b) = value;`; the cursor is at `(`.
    fn let_tuple(&mut self) -> StmtKind {
        let start = self.start();
        let names = self.indices();
        let pattern_span = self.span_from(start);
        if !self.eat(TokenKind::Eq) {
            self.error_expected("`=`");
            self.recover_stmt();
            return StmtKind::Error;
        }
        let value = self.expr();
        self.expect_semi();
        StmtKind::LetTuple {
            names,
            pattern_span,
            value,
        }
    }

    /// `if c { } else if d { } else { }`. The chain is read in a loop and
    /// nested afterwards, so a long `else if` chain cannot overflow the stack.
    fn if_stmt(&mut self) -> StmtKind {
        let mut arms = Vec::new();
        let mut else_block = None;
        let mut chain = 0;
        let mut start = self.start();
        self.bump();
        loop {
            let cond = self.expr();
            let then_block = self.stmt_block();
            arms.push((start, cond, then_block));
            // Python's `elif`, reported, reads as `else if`.
            let elif = self.eat_elif();
            if !elif && !self.eat(TokenKind::Else) {
                break;
            }
            if !elif && self.at(TokenKind::LBrace) {
                else_block = Some(self.block());
                break;
            }
            // Each `else if` nests the tree two levels deeper (a block
            // holding an `if`), without recursing. Past the limit, the rest
            // of the chain is read as a new statement.
            if !self.enter(2) {
                break;
            }
            chain += 2;
            start = self.start();
            // `else x > 1 { .. }` most likely lost its `if`.
            if !elif && !self.eat(TokenKind::If) {
                self.error_expected("`{` or `if`");
            }
        }
        self.leave(chain);
        nest_if_chain(arms, else_block, self.prev_end())
    }

    /// `for var in start..end { }` or `start..=end`. A broken header still
    /// reads the body, so errors inside it are found, but yields `Error`.
    fn for_stmt(&mut self) -> StmtKind {
        self.bump();
        let mark = self.errors_seen;
        let var = self.expect_ident("loop variable");
        self.expect_token(TokenKind::In);
        let start = self.expr();
        if let Some(kind) = self.python_range_loop(&var, &start, mark) {
            return kind;
        }
        let inclusive = self.at(TokenKind::DotDotEq);
        let end = if self.eat(TokenKind::DotDot) || self.eat(TokenKind::DotDotEq) {
            self.expr()
        } else {
            self.error_missing_range();
            self.error_expr()
        };
        let header_ok = self.errors_seen == mark;
        let body = self.stmt_block();
        match var {
            Some(var) if header_ok => StmtKind::For {
                var,
                start,
                end,
                inclusive,
                body,
            },
            _ => StmtKind::Error,
        }
    }

    fn error_missing_range(&mut self) {
        let diagnostic = self
            .expected_diag("`..` or `..=`")
            .help("`for` counts through a range, e.g. `for i in 0..n`; `foreach` runs in parallel");
        self.report(diagnostic);
    }

    /// `while cond { }`
    fn while_stmt(&mut self) -> StmtKind {
        self.bump();
        let cond = self.expr();
        let body = self.stmt_block();
        StmtKind::While { cond, body }
    }

    /// `foreach i in n { }` or `foreach (r, c) in (h, w) { }`.
    fn foreach_stmt(&mut self) -> StmtKind {
        self.bump();
        let mark = self.errors_seen;
        let (indices, domain) = self.indices_in_domain();
        let header_ok = self.errors_seen == mark;
        let body = self.stmt_block();
        if !header_ok {
            return StmtKind::Error;
        }
        StmtKind::Foreach {
            indices,
            domain,
            body,
        }
    }

    /// `break;` or `continue;`
    fn jump_stmt(&mut self) -> StmtKind {
        let keyword = self.bump();
        self.expect_semi();
        if keyword.kind == TokenKind::Break {
            StmtKind::Break
        } else {
            StmtKind::Continue
        }
    }

    /// Whether the statement starts with `return` used as in Rust or C.
    /// `return` is an ordinary name in kern; followed by `=` it is a
    /// variable.
    fn at_return(&self) -> bool {
        use TokenKind::*;
        let next = self.nth(1).kind;
        self.text(self.current()) == "return"
            && (matches!(
                next,
                Ident | Int | Float | InvalidNumber | True | False | LParen | Minus | Bang | Semi
            ) || next.scalar_type().is_some())
    }

    /// `return value;`: reported, and read as the block's tail when it is
    /// last (an error expression, so the checker asks for nothing more).
    fn return_stmt(&mut self, start: usize) -> BlockItem {
        let keyword = self.bump();
        self.report(
            Diagnostic::error(
                "kern has no `return`: a function's value is its last expression, without `;`",
            )
            .primary(keyword.span, "not a keyword in kern")
            .help("end a function's body with the value itself: `x` rather than `return x;`; a kernel assigns its named outputs instead (`out[i] = x;`)"),
        );
        if !self.at(TokenKind::Semi) {
            self.expr();
        }
        self.expect_semi();
        let span = self.span_from(start);
        if self.at(TokenKind::RBrace) {
            let kind = ExprKind::Error;
            return BlockItem::Tail(Expr { kind, span });
        }
        BlockItem::Stmt(Stmt {
            kind: StmtKind::Error,
            span,
        })
    }

    /// A statement that starts with an expression: an assignment, an
    /// expression statement, or the block's tail.
    fn expr_or_assign(&mut self, start: usize) -> BlockItem {
        let expr = self.expr();
        let kind = if let Some(op) = assign_op(self.kind()) {
            self.assign(expr, op)
        } else if self.at(TokenKind::RBrace) {
            // Even an error expression: the block does have a tail.
            return BlockItem::Tail(expr);
        } else if matches!(expr.kind, ExprKind::Error) {
            // Reported; whatever follows on the line is no new statement.
            if !self.eat(TokenKind::Semi) {
                self.recover_stmt();
            }
            // A broken last expression is still the block's tail.
            if self.at(TokenKind::RBrace) && !self.prev_is(TokenKind::Semi) {
                let span = self.span_from(start);
                return BlockItem::Tail(Expr {
                    kind: ExprKind::Error,
                    span,
                });
            }
            StmtKind::Error
        } else {
            self.expect_semi();
            StmtKind::Expr(expr)
        };
        BlockItem::Stmt(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    /// `place = value;` or `place op= value;`; the cursor is at the operator.
    fn assign(&mut self, target: Expr, op: Option<BinaryOp>) -> StmtKind {
        self.bump();
        let place = self.place(target);
        let value = self.expr();
        self.expect_semi();
        match place {
            Some(place) => StmtKind::Assign { place, op, value },
            None => StmtKind::Error,
        }
    }

    /// The assignable form of `target`, or `None` after an error.
    fn place(&mut self, target: Expr) -> Option<Place> {
        let span = target.span;
        let field = field_place(&target);
        let kind = match target.kind {
            ExprKind::Name(name) => PlaceKind::Var(name),
            ExprKind::Index { array, indices } => PlaceKind::Index { array, indices },
            ExprKind::Field { .. } if field.is_some() => field?,
            ExprKind::Error => return None,
            _ => {
                self.report(
                    Diagnostic::error("invalid left-hand side of assignment")
                        .primary(span, "cannot assign to this expression")
                        .help(
                            "assign to a variable (`x = ..`), a field (`p.x = ..`) or an array element (`out[i] = ..`)",
                        ),
                );
                return None;
            }
        };
        Some(Place { kind, span })
    }
}

/// `p.x` or `ray.dir.y` as a place: a local and the path into it; `None`
/// unless the chain starts at a name.
fn field_place(mut target: &Expr) -> Option<PlaceKind> {
    let mut path = Vec::new();
    loop {
        match &target.kind {
            ExprKind::Field { base, member } => {
                path.push(member.clone());
                target = base;
            }
            ExprKind::Name(base) if !path.is_empty() => {
                path.reverse();
                let base = base.clone();
                return Some(PlaceKind::Field { base, path });
            }
            _ => return None,
        }
    }
}

/// One `if` or `else if` of a chain: where it starts, its condition, its
/// block.
type IfArm = (usize, Expr, Block);

/// Nests a chain read by `if_stmt` from the back: each `else if` becomes an
/// else block holding a single `If` statement, ending where the chain ends.
fn nest_if_chain(mut arms: Vec<IfArm>, mut else_block: Option<Block>, end: usize) -> StmtKind {
    while let Some((start, cond, then_block)) = arms.pop() {
        let kind = StmtKind::If {
            cond,
            then_block,
            else_block,
        };
        if arms.is_empty() {
            return kind;
        }
        let span = Span::new(start, end.max(start));
        else_block = Some(Block {
            stmts: vec![Stmt { kind, span }],
            tail: None,
            span,
            closed: false,
        });
    }
    // `if_stmt` always reads at least one arm.
    StmtKind::Error
}

/// `=` is `Some(None)`; `+=` is `Some(Some(Add))`; other tokens `None`.
fn assign_op(kind: TokenKind) -> Option<Option<BinaryOp>> {
    use TokenKind::*;
    let op = match kind {
        Eq => return Some(None),
        PlusEq => BinaryOp::Add,
        MinusEq => BinaryOp::Sub,
        StarEq => BinaryOp::Mul,
        SlashEq => BinaryOp::Div,
        PercentEq => BinaryOp::Rem,
        AmpEq => BinaryOp::BitAnd,
        PipeEq => BinaryOp::BitOr,
        CaretEq => BinaryOp::BitXor,
        ShlEq => BinaryOp::Shl,
        ShrEq => BinaryOp::Shr,
        _ => return None,
    };
    Some(Some(op))
}
