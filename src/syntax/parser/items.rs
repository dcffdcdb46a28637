//! Items: `kernel` and `fn` declarations, their parameters and types.
//!
//! An item that goes wrong still yields an item, with what could be read, so
//! the checker sees its name and body; text between items that is not an
//! item is skipped to the next `kernel` or `fn`.

use super::{Parser, TokenKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ident, Param, ParamMode, TypeExpr};
use crate::types::ScalarType;

impl Parser<'_> {
    /// One item, or `None` after skipping text that is not one.
    pub(super) fn item(&mut self) -> Option<ast::Item> {
        self.sync();
        match self.kind() {
            TokenKind::Kernel => Some(ast::Item::Kernel(self.kernel())),
            TokenKind::Fn => Some(ast::Item::Function(self.function())),
            TokenKind::Const => Some(ast::Item::Const(self.const_item())),
            TokenKind::Struct => Some(ast::Item::Struct(self.struct_item())),
            _ => {
                self.skip_stray_tokens();
                None
            }
        }
    }

    fn skip_stray_tokens(&mut self) {
        let diagnostic = if self.at(TokenKind::RBrace) {
            Diagnostic::error("unexpected closing delimiter `}`")
                .primary(self.current().span, "no `{` to close")
        } else if let Some(habit) = self.item_habit() {
            habit
        } else {
            self.expected_diag("`kernel` or `fn`")
                .help("statements belong inside the body of a kernel or function")
        };
        self.report(diagnostic);
        self.bump();
        while !matches!(
            self.kind(),
            TokenKind::Kernel
                | TokenKind::Fn
                | TokenKind::Const
                | TokenKind::Struct
                | TokenKind::Eof
        ) && !self.at_item_habit()
        {
            self.bump();
        }
    }

    /// A `def` or `import` starting a line: a new mistake, where skipping
    /// stray tokens stops.
    fn at_item_habit(&self) -> bool {
        self.newline_before() && self.item_habit().is_some()
    }

    /// `kernel name(params) [-> (outputs)] { body }`
    fn kernel(&mut self) -> ast::KernelDecl {
        let start = self.start();
        self.bump();
        let name = self.item_name("kernel name");
        let generics = self.generics();
        let params = self.param_list();
        // A broken parameter list says nothing about the outputs.
        self.sync();
        let outputs = if self.eat(TokenKind::Arrow) {
            self.outputs()
        } else {
            Vec::new()
        };
        let body = self.item_body();
        let span = self.span_from(start);
        ast::KernelDecl {
            name,
            generics,
            params,
            outputs,
            body,
            span,
        }
    }

    /// `const NAME: type = value;`
    fn const_item(&mut self) -> ast::ConstDecl {
        let start = self.start();
        self.bump();
        let name = self.item_name("constant name");
        let ty = if self.eat(TokenKind::Colon) {
            self.type_expr()
        } else {
            self.report(self.expected_diag("`:` and a type").help(
                "constants are typed: `const N: i64 = 64;`, `const T: f32[3] = [1.0, 2.0, 3.0];`",
            ));
            None
        };
        let value = if self.eat(TokenKind::Eq) {
            self.const_value()
        } else {
            self.error_expected("`=`");
            ast::ConstValue::Expr(ast::Expr {
                kind: ast::ExprKind::Error,
                span: self.current().span,
            })
        };
        if !self.eat(TokenKind::Semi) {
            self.error_expected("`;`");
        }
        let span = self.span_from(start);
        let ty = ty.unwrap_or(TypeExpr {
            elem: ast::ElemType::Scalar(ScalarType::I64),
            dims: Vec::new(),
            span,
        });
        ast::ConstDecl {
            name,
            ty,
            value,
            span,
        }
    }

    /// An expression, or `[v, v, ...]` of constant values.
    fn const_value(&mut self) -> ast::ConstValue {
        if !self.at(TokenKind::LBracket) {
            return ast::ConstValue::Expr(self.expr());
        }
        let start = self.start();
        let items = self.delimited(TokenKind::RBracket, |p| Some(p.const_value()));
        ast::ConstValue::List {
            items,
            span: self.span_from(start),
        }
    }

    /// `struct Name { field: type, ... }`
    fn struct_item(&mut self) -> ast::StructDecl {
        let start = self.start();
        self.bump();
        let name = self.item_name("struct name");
        let fields = if self.at(TokenKind::LBrace) {
            self.delimited(TokenKind::RBrace, |p| p.field_decl())
        } else {
            self.error_expected("`{`");
            Vec::new()
        };
        ast::StructDecl {
            name,
            fields,
            span: self.span_from(start),
        }
    }

    /// `name: type` of a struct.
    fn field_decl(&mut self) -> Option<ast::FieldDecl> {
        let start = self.start();
        let name = self.expect_ident("field name")?;
        let ty = self.param_type();
        Some(ast::FieldDecl {
            name,
            ty,
            span: self.span_from(start),
        })
    }

    /// `fn name(params) [-> type] { body }`
    fn function(&mut self) -> ast::FunctionDecl {
        let start = self.start();
        self.bump();
        let name = self.item_name("function name");
        let generics = self.generics();
        let params = self.param_list();
        let ret = if self.eat(TokenKind::Arrow) {
            self.return_type()
        } else {
            None
        };
        let body = self.item_body();
        let span = self.span_from(start);
        ast::FunctionDecl {
            name,
            generics,
            params,
            ret,
            body,
            span,
        }
    }

    /// The item's name; a nameless item gets an empty name at the place the
    /// name should be, so the rest of it can still be checked.
    fn item_name(&mut self, what: &str) -> Ident {
        self.expect_ident(what).unwrap_or_else(|| Ident {
            name: String::new(),
            span: Span::new(self.start(), self.start()),
        })
    }

    fn param_list(&mut self) -> Vec<Param> {
        if !self.at(TokenKind::LParen) {
            self.error_expected("`(`");
            return Vec::new();
        }
        self.delimited(TokenKind::RParen, |p| p.param(true))
    }

    /// `-> (name: type, ...)` after the arrow.
    fn outputs(&mut self) -> Vec<Param> {
        if self.at(TokenKind::LParen) {
            return self.delimited(TokenKind::RParen, |p| p.param(false));
        }
        let diagnostic = self
            .expected_diag("`(`")
            .help("kernel outputs are named, e.g. `-> (out: f32[n])`");
        self.report(diagnostic);
        Vec::new()
    }

    /// `-> type` of a function (a tuple type `(bool, f32)` included).
    fn return_type(&mut self) -> Option<TypeExpr> {
        let named_outputs =
            self.nth(1).kind == TokenKind::Ident && self.nth(2).kind == TokenKind::Colon;
        if self.at(TokenKind::LParen) && named_outputs {
            let diagnostic = self
                .expected_diag("type")
                .help("a function returns one unnamed value, e.g. `-> f32` or `-> (bool, f32)`; named outputs are for kernels");
            self.report(diagnostic);
            return None;
        }
        self.type_expr()
    }

    /// The `{ body }` of an item. If it does not start where expected, the
    /// header went wrong: skip to the body rather than lose it.
    fn item_body(&mut self) -> Block {
        if !self.at(TokenKind::LBrace) {
            self.error_expected("`{`");
            while !matches!(
                self.kind(),
                TokenKind::LBrace | TokenKind::Kernel | TokenKind::Fn | TokenKind::Eof
            ) {
                self.bump();
            }
        }
        if self.at(TokenKind::LBrace) {
            self.block()
        } else {
            self.empty_block()
        }
    }

    /// `[inout] name: type`; `inout` is an error among outputs.
    fn param(&mut self, allow_inout: bool) -> Option<Param> {
        let start = self.start();
        let mode = self.param_mode(allow_inout);
        let name = self.expect_ident("parameter name")?;
        let ty = self.param_type();
        let span = self.span_from(start);
        Some(Param {
            mode,
            name,
            ty,
            span,
        })
    }

    fn param_mode(&mut self, allow_inout: bool) -> ParamMode {
        if !self.at(TokenKind::Inout) {
            return ParamMode::In;
        }
        if allow_inout {
            self.bump();
            return ParamMode::InOut;
        }
        let span = self.current().span;
        self.report(
            Diagnostic::error("an output cannot be `inout`")
                .primary(span, "not allowed here")
                .help("an array the kernel reads and writes is a parameter: `(inout acc: f64[n])`"),
        );
        self.bump();
        ParamMode::In
    }

    /// `: type` of a parameter. The AST has no error type, so a missing or
    /// unknown type (already reported) is replaced by a stand-in: the type
    /// the user most likely meant (`float[n]` is `f32[n]`), else `f32` with
    /// the dimensions written. Keeping the parameter spares the checker an
    /// error at every use of it, and such a file never gets past the front
    /// end.
    fn param_type(&mut self) -> TypeExpr {
        let colon = self.expect_token(TokenKind::Colon);
        let ty = if colon || self.kind().scalar_type().is_some() {
            self.read_type(Some(ScalarType::F32))
        } else {
            None
        };
        ty.unwrap_or(TypeExpr {
            elem: ast::ElemType::Scalar(ScalarType::F32),
            dims: Vec::new(),
            span: Span::new(self.prev_end(), self.prev_end()),
        })
    }

    /// `f32`, `f32[n]`, `i32[h, w]`; after an error, the type a known
    /// misspelling stands for (`float`), else `None`.
    pub(super) fn type_expr(&mut self) -> Option<TypeExpr> {
        self.read_type(None)
    }

    /// A type. In place of an unknown type name, reports it and uses its
    /// known meaning or else `fallback`; `None` if no type is here at all.
    fn read_type(&mut self, fallback: Option<ScalarType>) -> Option<TypeExpr> {
        let start = self.start();
        if self.at(TokenKind::LParen) {
            let parts = self.delimited(TokenKind::RParen, |p| p.type_expr());
            let span = self.span_from(start);
            return Some(TypeExpr {
                elem: ast::ElemType::Tuple(parts),
                dims: Vec::new(),
                span,
            });
        }
        let elem = match self.kind().scalar_type() {
            Some(elem) => {
                self.bump();
                ast::ElemType::Scalar(elem)
            }
            // Any other name is resolved by the checker (a struct, a type
            // parameter), except the other languages' spellings of scalars.
            None if self.at(TokenKind::Ident)
                && scalar_alias(self.text(self.current())).is_none() =>
            {
                ast::ElemType::Named(self.ident())
            }
            None => ast::ElemType::Scalar(self.bad_type_name(fallback)?),
        };
        let dims = if self.at(TokenKind::LBracket) {
            self.dims()
        } else {
            Vec::new()
        };
        let span = self.span_from(start);
        Some(TypeExpr { elem, dims, span })
    }

    /// Reports a missing type. A name in its place is consumed; the result
    /// is what that name means in other languages (`float`), or `fallback`.
    fn bad_type_name(&mut self, fallback: Option<ScalarType>) -> Option<ScalarType> {
        let name = self.at(TokenKind::Ident).then(|| self.text(self.current()));
        let alias = name.and_then(scalar_alias);
        let diagnostic = self.expected_diag("type");
        self.report(match alias {
            Some(ty) => diagnostic.help(format!("kern spells this type `{ty}`")),
            None => diagnostic.help(
                "the scalar types are `f32`, `f64`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `u64` and `bool`",
            ),
        });
        name?;
        self.bump();
        alias.or(fallback)
    }

    /// `[n]` or `[h, w]`. The checker limits the number of dimensions;
    /// only `[]` is reported here, since it would read as a scalar.
    fn dims(&mut self) -> Vec<ast::Expr> {
        let start = self.start();
        let mark = self.errors_seen;
        let dims = self.delimited(TokenKind::RBracket, |p| p.dim());
        if self.errors_seen == mark && dims.is_empty() {
            let span = self.span_from(start);
            self.report(
                Diagnostic::error("an array type needs a dimension")
                    .primary(span, "no dimension named")
                    .help("give each dimension, e.g. `f32[n]`, `f32[h, w]` or `f32[n, 3]`"),
            );
        }
        dims
    }

    fn dim(&mut self) -> Option<ast::Expr> {
        Some(self.expr())
    }

    /// An empty block where a body is missing; its span is the empty span
    /// at the current token.
    pub(super) fn empty_block(&self) -> Block {
        Block {
            stmts: Vec::new(),
            tail: None,
            span: Span::new(self.start(), self.start()),
            closed: false,
        }
    }
}

/// Type names from other languages, for a "did you mean" hint.
fn scalar_alias(name: &str) -> Option<ScalarType> {
    match name {
        "float" => Some(ScalarType::F32),
        "double" => Some(ScalarType::F64),
        "int" => Some(ScalarType::I32),
        "long" => Some(ScalarType::I64),
        "uint8" | "byte" => Some(ScalarType::U8),
        "int8" => Some(ScalarType::I8),
        "int16" | "short" => Some(ScalarType::I16),
        "uint16" => Some(ScalarType::U16),
        "uint32" | "uint" | "unsigned" => Some(ScalarType::U32),
        "uint64" => Some(ScalarType::U64),
        "boolean" => Some(ScalarType::Bool),
        _ => None,
    }
}
