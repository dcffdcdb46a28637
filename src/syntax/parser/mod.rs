//! Tokens → AST, with error recovery.
//!
//! In: the text of one `.kern` file. Out: an [`ast::SourceFile`] and every
//! lexical and syntax error, sorted by position. [`parse`] never fails and
//! never panics; text it cannot read becomes `Error` nodes.
//!
//! The parser is hand-written recursive descent over the token vector from
//! [`lexer::lex`], one file per grammar area: `items` (kernels, functions,
//! parameters, types), `stmts` (blocks and statements), `exprs`
//! (precedence climbing, calls, reductions). This file holds the cursor,
//! error reporting and recovery they share.
//!
//! Recovery rules, which together keep one mistake to one diagnostic:
//! - A statement that goes wrong skips to the next `;` (consumed) or `}`
//!   (kept) of its own nesting level, or to a keyword that starts a
//!   statement or item ([`Parser::recover_stmt`]).
//! - Lists stop at the first token that cannot belong to them.
//! - After an error the parser is in panic mode until the next statement
//!   or item starts (a list element starts fresh too, unless the construct
//!   around the list was already broken), and at most one diagnostic is
//!   reported per token position, so constructs that trip over the same
//!   mistake stay quiet.
//! - Text the lexer dropped makes the expression around it an error, with
//!   no second diagnostic ([`Parser::skipped_between`]).
//! - Every loop consumes a token per iteration or ends; recursion is capped
//!   at [`MAX_DEPTH`] so deeply nested input cannot overflow the stack.

mod exprs;
mod generics;
mod habits;
mod height;
mod items;
mod stmts;
#[cfg(test)]
mod tests;

use super::ast;
use super::lexer::{self, Token, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Nesting budget, so that neither the parser nor a later recursive walk of
/// the tree can overflow the stack, even on a 2 MiB thread in a debug build
/// (`tests::deep_nesting_is_an_error_not_a_crash`). A parenthesis, unary
/// operator, reduction or operator of a chain costs one unit, an `else if`
/// two, a block [`BLOCK_COST`], a list [`LIST_COST`]. Every unit stands for
/// at most one level of the tree, so no tree the parser returns is much
/// deeper than this. The dump needs about 1 KiB of stack per level in a
/// debug build; real kernels stay far below the limit.
const MAX_DEPTH: u32 = 500;

/// What one operator of a binary chain (`a + b + c ...`) costs, in halves
/// of a unit. A chain makes the parser loop, not recurse, so a flat sum of
/// 600 terms is ordinary code, not deep nesting, and should not be refused
/// as such. It still builds a left-deep tree that later stages walk
/// recursively, one level per operator, so it cannot be free: at half a
/// unit, the deepest tree the budget admits is `2 * MAX_DEPTH` = 1000
/// levels of operators. Measured: a 1200-operator chain goes through the
/// whole pipeline (check, AST dump, evaluator, JIT) on a 2 MiB thread in a
/// debug build, and 1500 overflows (`tests::limits`).
const CHAIN_HALVES: u32 = 1;

/// A nested block takes about four times the stack of an expression level
/// in a debug build (measured with the deep-nesting test).
const BLOCK_COST: u32 = 4;

/// The same for a delimited list (call arguments, indices, parameters).
const LIST_COST: u32 = 2;

/// Parses one file; see the module docs.
pub fn parse(source: &str) -> (ast::SourceFile, Vec<Diagnostic>) {
    // Spans are u32 offsets (see `Span::new`): refuse what they cannot
    // address rather than point at wrong places.
    if u32::try_from(source.len()).is_err() {
        let too_large = Diagnostic::error(format!(
            "the source is {} bytes; kern files are limited to 4 GiB",
            source.len()
        ));
        return (ast::SourceFile { items: Vec::new() }, vec![too_large]);
    }
    let lexed = lexer::lex(source);
    let mut parser = Parser {
        source,
        tokens: lexed.tokens,
        pos: 0,
        diagnostics: Vec::new(),
        last_error_pos: None,
        recovering: false,
        errors_seen: 0,
        too_deep: 0,
        skipped: lexed.skipped,
        depth: 0,
    };
    let file = parser.source_file();
    let mut diagnostics = lexed.diagnostics;
    diagnostics.append(&mut parser.diagnostics);
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| s.start));
    (file, diagnostics)
}

pub(super) struct Parser<'src> {
    source: &'src str,
    /// Never empty: the lexer ends it with `Eof`.
    tokens: Vec<Token>,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
    /// Token index of the last reported error; a second error there is a
    /// consequence of the first and is dropped.
    last_error_pos: Option<usize>,
    /// Panic mode: set by every error, cleared where a new statement or
    /// item starts ([`Parser::sync`]) and, if it was clear around a list,
    /// at each list element. While set, errors are dropped: they are almost
    /// always the first error seen again.
    recovering: bool,
    /// Errors reported so far, dropped ones included, so a construct can
    /// tell whether its parts were already found broken.
    errors_seen: usize,
    /// How often the nesting limit was hit, so that an expression cut short
    /// by it can become an error as a whole (see `Parser::expr`).
    too_deep: usize,
    /// Text the lexer reported and dropped; see [`Parser::after_skipped`].
    skipped: Vec<Span>,
    /// Budget spent, in halves of a unit (see [`CHAIN_HALVES`]).
    depth: u32,
}

impl<'src> Parser<'src> {
    fn source_file(&mut self) -> ast::SourceFile {
        let mut items = Vec::new();
        while !self.at(TokenKind::Eof) {
            let before = self.pos;
            if let Some(item) = self.item() {
                items.push(item);
            }
            self.ensure_progress(before);
        }
        ast::SourceFile { items }
    }

    // ---- Cursor -------------------------------------------------------

    fn current(&self) -> Token {
        self.nth(0)
    }

    /// The token `n` ahead of the cursor; `Eof` past the end.
    fn nth(&self, n: usize) -> Token {
        let last = self.tokens.len().saturating_sub(1);
        self.tokens
            .get((self.pos + n).min(last))
            .copied()
            .unwrap_or(Token {
                kind: TokenKind::Eof,
                span: Span::default(),
            })
    }

    fn kind(&self) -> TokenKind {
        self.current().kind
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.kind() == kind
    }

    /// Consumes and returns the current token; at `Eof` it stays put.
    fn bump(&mut self) -> Token {
        let token = self.current();
        if token.kind != TokenKind::Eof {
            self.pos += 1;
        }
        token
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        let found = self.at(kind);
        if found {
            self.bump();
        }
        found
    }

    /// Consumes `kind` or reports "expected `kind`, found ...".
    fn expect_token(&mut self, kind: TokenKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(&kind.describe());
        false
    }

    fn text(&self, token: Token) -> &'src str {
        self.source.get(token.span.range()).unwrap_or("")
    }

    /// Where the current node starts.
    fn start(&self) -> usize {
        self.current().span.start as usize
    }

    /// End of the last consumed token.
    fn prev_end(&self) -> usize {
        match self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some(token) => token.span.end as usize,
            None => 0,
        }
    }

    /// The span from `start` to the end of the last consumed token; empty at
    /// `start` when nothing was consumed.
    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.prev_end().max(start))
    }

    /// Whether the last consumed token is a `kind`.
    fn prev_is(&self, kind: TokenKind) -> bool {
        let prev = self.pos.checked_sub(1).and_then(|i| self.tokens.get(i));
        prev.is_some_and(|token| token.kind == kind)
    }

    /// Whether a line break separates the current token from the previous.
    fn newline_before(&self) -> bool {
        let gap = self.prev_end()..self.start();
        self.source.get(gap).is_some_and(|text| text.contains('\n'))
    }

    // ---- Errors -------------------------------------------------------

    /// Records `diagnostic`, unless it is most likely an echo of an error
    /// already reported: the parser is recovering (see [`Parser::sync`]),
    /// an error was already reported at this token, or the lexer already
    /// reported this token or the text right before it.
    fn report(&mut self, diagnostic: Diagnostic) {
        let quiet = self.recovering
            || self.last_error_pos == Some(self.pos)
            || self.at(TokenKind::InvalidNumber)
            || self.after_skipped();
        if !quiet {
            self.diagnostics.push(diagnostic);
        }
        self.last_error_pos = Some(self.pos);
        self.recovering = true;
        self.errors_seen += 1;
    }

    /// Whether the lexer dropped text (an unknown character, an unterminated
    /// comment) right before the current token. An error here is most
    /// likely that one, already reported: `x = a @ b` is missing an
    /// operator, not a `;`.
    fn after_skipped(&self) -> bool {
        self.skipped_between(self.prev_end(), self.start())
            .is_some()
    }

    /// The first text the lexer dropped within `start..end`, if any.
    fn skipped_between(&self, start: usize, end: usize) -> Option<Span> {
        let first = self.skipped.partition_point(|s| (s.start as usize) < start);
        self.skipped
            .get(first)
            .filter(|s| s.end as usize <= end)
            .copied()
    }

    /// Consumes a token the lexer already reported (a bad number): the rest
    /// of the statement is as suspect as after a reported error.
    fn bump_reported(&mut self) {
        self.bump();
        self.recovering = true;
        self.errors_seen += 1;
    }

    /// Marks the start of a new statement or item: an error from here on
    /// is a new mistake, not an echo of the last one.
    fn sync(&mut self) {
        self.recovering = false;
    }

    /// How messages name the current token: "`x`", "keyword `let`", ...
    fn found(&self) -> String {
        let token = self.current();
        match token.kind {
            TokenKind::Eof => "end of file".to_string(),
            kind if kind.is_keyword() => format!("keyword `{}`", self.text(token)),
            _ => format!("`{}`", self.text(token)),
        }
    }

    /// Reports "expected {what}, found {current}" at the current token.
    fn error_expected(&mut self, what: &str) {
        let diagnostic = self.expected_diag(what);
        self.report(diagnostic);
    }

    fn expected_diag(&self, what: &str) -> Diagnostic {
        let label = if self.at(TokenKind::Eof) {
            format!("expected {what}")
        } else {
            "unexpected token".to_string()
        };
        Diagnostic::error(format!("expected {what}, found {}", self.found()))
            .primary(self.current().span, label)
    }

    /// A missing `;`: points just past the previous token, where it belongs.
    fn error_missing_semi(&mut self) {
        if let Some(diagnostic) = self.floor_division_diag() {
            return self.report(diagnostic);
        }
        let here = Span::new(self.prev_end(), self.prev_end());
        let mut diagnostic = Diagnostic::error(format!("expected `;`, found {}", self.found()))
            .primary(here, "add `;` here");
        if !self.at(TokenKind::Eof) {
            diagnostic = diagnostic.secondary(self.current().span, "unexpected token");
        }
        self.report(diagnostic);
    }

    // ---- Recovery -----------------------------------------------------

    /// Skips the rest of a broken statement: up to and including the next
    /// `;` at this brace level or a `{ .. }` group outside parentheses (the
    /// statement's block), or up to (not including) a `}` closing this
    /// level or a keyword that can only start a statement or item.
    fn recover_stmt(&mut self) {
        let (mut braces, mut parens) = (0u32, 0u32);
        loop {
            match self.kind() {
                TokenKind::Eof
                | TokenKind::Kernel
                | TokenKind::Fn
                | TokenKind::Const
                | TokenKind::Struct => return,
                TokenKind::Semi if braces == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::RBrace if braces == 0 => return,
                TokenKind::RBrace if braces == 1 && parens == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::RBrace => braces -= 1,
                TokenKind::LBrace => braces += 1,
                TokenKind::LParen | TokenKind::LBracket => parens += 1,
                TokenKind::RParen | TokenKind::RBracket => parens = parens.saturating_sub(1),
                kind if braces == 0 && starts_statement(kind) => return,
                _ => {}
            }
            self.bump();
        }
    }

    /// Parses `open elem, elem, ... close` (trailing comma allowed); the
    /// cursor is at `open`. `elem` returns `None` after reporting an error.
    /// The list ends early, with one error, at a token that cannot be inside
    /// it (see [`ends_list`]).
    fn delimited<T>(
        &mut self,
        close: TokenKind,
        mut elem: impl FnMut(&mut Self) -> Option<T>,
    ) -> Vec<T> {
        let open = self.bump();
        let mut items = Vec::new();
        if !self.enter(LIST_COST) {
            return items;
        }
        // Each element is a fresh start for error reporting, unless the
        // enclosing construct was already broken; after the list, an error
        // inside it makes what follows suspect.
        let outer_recovering = self.recovering;
        let mark = self.errors_seen;
        loop {
            if self.eat(close) {
                break;
            }
            if ends_list(self.kind()) {
                self.error_unclosed(open, close);
                break;
            }
            let before = self.pos;
            self.recovering = outer_recovering;
            items.extend(elem(self));
            if !self.at(close)
                && !self.eat(TokenKind::Comma)
                && !self.skip_bad_list_tail(open, close)
            {
                break;
            }
            self.ensure_progress(before);
        }
        self.recovering = outer_recovering || self.errors_seen != mark;
        self.leave(LIST_COST);
        items
    }

    /// After a list element that is not followed by `,` or `close`: reports
    /// once and skips to the next `,` (consumed) or `close`. Returns whether
    /// the list goes on.
    fn skip_bad_list_tail(&mut self, open: Token, close: TokenKind) -> bool {
        if ends_list(self.kind()) {
            self.error_unclosed(open, close);
            return false;
        }
        self.error_expected(&format!("`,` or {}", close.describe()));
        let mut depth = 0u32;
        loop {
            let kind = self.kind();
            let closes_inner = matches!(kind, TokenKind::RParen | TokenKind::RBracket) && depth > 0;
            let at_end = depth == 0 && (kind == close || kind == TokenKind::Comma);
            if at_end || (ends_list(kind) && !closes_inner) {
                break;
            }
            match kind {
                TokenKind::LParen | TokenKind::LBracket => depth += 1,
                TokenKind::RParen | TokenKind::RBracket => depth -= 1,
                _ => {}
            }
            self.bump();
        }
        self.eat(TokenKind::Comma) || self.at(close)
    }

    /// "expected `)`, found `;`", pointing back at the unclosed `(`.
    fn error_unclosed(&mut self, open: Token, close: TokenKind) {
        if let Some(diagnostic) = self.floor_division_diag() {
            return self.report(diagnostic);
        }
        let opener = self.text(open);
        let diagnostic = self
            .expected_diag(&close.describe())
            .secondary(open.span, format!("unclosed `{opener}`"));
        self.report(diagnostic);
    }

    /// The guard behind "every loop iteration consumes a token": if an
    /// iteration that began at `before` consumed nothing, skip one token.
    fn ensure_progress(&mut self, before: usize) {
        if self.pos == before {
            self.bump();
        }
    }

    /// Spends `cost` of the nesting budget; `false` (after one diagnostic)
    /// when the input is nested too deeply to parse safely. Every `true` is
    /// paired with a `leave(cost)`.
    fn enter(&mut self, cost: u32) -> bool {
        self.enter_halves(cost.saturating_mul(2))
    }

    fn leave(&mut self, cost: u32) {
        self.leave_halves(cost.saturating_mul(2));
    }

    /// Spends the budget of one operator of a binary chain; paired with
    /// `leave_halves` of the chain's total.
    fn enter_chain_operator(&mut self) -> bool {
        self.enter_halves(CHAIN_HALVES)
    }

    fn enter_halves(&mut self, halves: u32) -> bool {
        if self.depth.saturating_add(halves) > 2 * MAX_DEPTH {
            self.too_deep += 1;
            self.report(
                Diagnostic::error("expression or block nested too deeply")
                    .primary(self.current().span, "nesting limit reached here")
                    .help("split the computation with `let` or a helper function"),
            );
            return false;
        }
        self.depth += halves;
        true
    }

    fn leave_halves(&mut self, halves: u32) {
        self.depth = self.depth.saturating_sub(halves);
    }

    /// Consumes the current token as a name: an identifier, or a literal
    /// standing in for one after an error.
    fn ident(&mut self) -> ast::Ident {
        let token = self.bump();
        ast::Ident {
            name: self.text(token).to_string(),
            span: token.span,
        }
    }

    /// An identifier, or `None` after "expected {what}, found ...".
    fn expect_ident(&mut self, what: &str) -> Option<ast::Ident> {
        if self.at(TokenKind::Ident) {
            return Some(self.ident());
        }
        self.error_expected(what);
        None
    }
}

/// Keywords after which a statement, not the middle of one, must follow.
fn starts_statement(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(kind, Let | If | For | While | Foreach | Break | Continue)
}

/// Tokens that cannot occur inside a parenthesised or bracketed list (other
/// than as its closing delimiter, which callers check first): reaching one
/// means the list was never closed.
fn ends_list(kind: TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Semi | LBrace | RBrace | RParen | RBracket | Arrow | Eof | Kernel | Fn
    ) || starts_statement(kind)
}
