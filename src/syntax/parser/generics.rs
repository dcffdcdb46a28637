//! Type parameters of generic items: `<T: float, U: i32 | i64>` after a
//! kernel's or function's name. The parser only reads them; which types a
//! bound allows, and the instances, are the checker's (`sema::generics`).

use super::{Parser, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{BoundTerm, TypeParam};

impl Parser<'_> {
    /// `<T: bound, ...>`, or nothing when the name is not followed by `<`.
    pub(super) fn generics(&mut self) -> Vec<TypeParam> {
        if !self.at(TokenKind::Lt) {
            return Vec::new();
        }
        self.bump();
        let mut params = Vec::new();
        loop {
            if self.eat(TokenKind::Gt) {
                break;
            }
            match self.type_param() {
                Some(param) => params.push(param),
                None => {
                    self.skip_generics();
                    break;
                }
            }
            if !self.at(TokenKind::Gt) && !self.eat(TokenKind::Comma) {
                self.error_expected("`,` or `>`");
                self.skip_generics();
                break;
            }
        }
        params
    }

    /// `T: float | f64`; `None` (reported) when no name starts it.
    fn type_param(&mut self) -> Option<TypeParam> {
        let start = self.start();
        if let Some(ty) = self.kind().scalar_type() {
            let span = self.current().span;
            self.report(
                Diagnostic::error(format!(
                    "`{ty}` is a scalar type, not a type parameter name"
                ))
                .primary(span, "a type parameter needs a name of its own")
                .help("name it, e.g. `<T: float>`, and write `T` where the type varies"),
            );
            return None;
        }
        let name = self.expect_ident("type parameter name, e.g. `T`")?;
        let mut bound = Vec::new();
        if self.eat(TokenKind::Colon) {
            loop {
                bound.push(self.bound_term()?);
                if !self.eat(TokenKind::Pipe) {
                    break;
                }
            }
        } else {
            self.report(
                Diagnostic::error(format!("type parameter `{}` has no bound", name.name))
                    .primary(name.span, "expected `:` and the types it may be")
                    .help(format!(
                        "write `{0}: float`, `{0}: int`, `{0}: num` or a list such as `{0}: f32 | f64`",
                        name.name
                    )),
            );
        }
        let span = self.span_from(start);
        Some(TypeParam { name, bound, span })
    }

    /// A class name (`float`) or a scalar type (`f64`).
    fn bound_term(&mut self) -> Option<BoundTerm> {
        if let Some(ty) = self.kind().scalar_type() {
            let token = self.bump();
            return Some(BoundTerm::Scalar(ty, token.span));
        }
        if self.at(TokenKind::Ident) {
            return Some(BoundTerm::Class(self.ident()));
        }
        self.report(self.expected_diag("a bound").help(
            "bounds are `float`, `int`, `signed`, `unsigned`, `num` or scalar types joined by `|`",
        ));
        None
    }

    /// After an error: to the closing `>` (consumed) or where the
    /// parameter list or body starts (kept).
    fn skip_generics(&mut self) {
        while !matches!(
            self.kind(),
            TokenKind::LParen
                | TokenKind::LBrace
                | TokenKind::Kernel
                | TokenKind::Fn
                | TokenKind::Eof
        ) {
            if self.eat(TokenKind::Gt) {
                return;
            }
            self.bump();
        }
    }
}
