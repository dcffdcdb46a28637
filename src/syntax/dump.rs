//! Deterministic text dump of the AST, for `kjit emit ast` and snapshots.
//!
//! In: a [`SourceFile`]. Out: one line per node, indented two spaces per
//! level, children below their parent in source order, each line ending
//! in the node's span as `@start..end`. For example:
//!
//! ```text
//! kernel scale @0..58
//!   param a: f32 @13..19
//!   output out: f32[n] @25..36
//!   block @38..58
//!     foreach i in @40..56
//!       name n @53..54
//!       ...
//! ```
//!
//! A role that position alone would not show is a prefix on the child's
//! line: `tail` (a block's tail expression) and `else` (an else block).
//! Places and index expressions show their arity as `a[_, _]`, with the
//! index expressions as children.

use super::ast::*;
use crate::span::Span;
use std::fmt::Write;

/// Renders `file` as described in the module docs.
pub fn dump_ast(file: &SourceFile) -> String {
    let mut dumper = Dumper {
        out: String::new(),
        indent: 0,
    };
    for item in &file.items {
        match item {
            Item::Kernel(kernel) => dumper.kernel(kernel),
            Item::Function(function) => dumper.function(function),
            Item::Const(c) => dumper.constant(c),
            Item::Struct(s) => dumper.structure(s),
        }
    }
    dumper.out
}

struct Dumper {
    out: String,
    indent: usize,
}

impl Dumper {
    fn line(&mut self, text: &str, span: Span) {
        // Writing into a String cannot fail.
        let _ = writeln!(
            self.out,
            "{:indent$}{text} @{}..{}",
            "",
            span.start,
            span.end,
            indent = self.indent
        );
    }

    fn nested(&mut self, body: impl FnOnce(&mut Self)) {
        self.indent += 2;
        body(self);
        self.indent -= 2;
    }

    fn kernel(&mut self, kernel: &KernelDecl) {
        let head = format!(
            "kernel {}{}",
            kernel.name.name,
            generics_text(&kernel.generics)
        );
        self.line(&head, kernel.span);
        self.nested(|d| {
            for param in &kernel.params {
                d.param("param", param);
            }
            for output in &kernel.outputs {
                d.param("output", output);
            }
            d.block("", &kernel.body);
        });
    }

    fn structure(&mut self, s: &StructDecl) {
        self.line(&format!("struct {}", s.name.name), s.span);
        self.nested(|d| {
            for field in &s.fields {
                let text = format!("field {}: {}", field.name.name, type_text(&field.ty));
                d.line(&text, field.span);
            }
        });
    }

    fn constant(&mut self, c: &ConstDecl) {
        let head = format!("const {}: {}", c.name.name, type_text(&c.ty));
        self.line(&head, c.span);
        self.nested(|d| d.const_value(&c.value));
    }

    fn const_value(&mut self, value: &ConstValue) {
        match value {
            ConstValue::Expr(e) => self.expr("", e),
            ConstValue::List { items, span } => {
                self.line("list", *span);
                self.nested(|d| items.iter().for_each(|v| d.const_value(v)));
            }
        }
    }

    fn function(&mut self, function: &FunctionDecl) {
        let ret = match &function.ret {
            Some(ty) => format!(" -> {}", type_text(ty)),
            None => String::new(),
        };
        let generics = generics_text(&function.generics);
        self.line(
            &format!("fn {}{generics}{ret}", function.name.name),
            function.span,
        );
        self.nested(|d| {
            for param in &function.params {
                d.param("param", param);
            }
            d.block("", &function.body);
        });
    }

    fn param(&mut self, role: &str, param: &Param) {
        let mode = match param.mode {
            ParamMode::In => "",
            ParamMode::InOut => "inout ",
        };
        let text = format!("{role} {mode}{}: {}", param.name.name, type_text(&param.ty));
        self.line(&text, param.span);
    }

    fn block(&mut self, prefix: &str, block: &Block) {
        self.line(&format!("{prefix}block"), block.span);
        self.nested(|d| {
            for stmt in &block.stmts {
                d.stmt(stmt);
            }
            if let Some(tail) = &block.tail {
                d.expr("tail ", tail);
            }
        });
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { name, ty, value } => {
                let ty = ty
                    .as_ref()
                    .map(|t| format!(": {}", type_text(t)))
                    .unwrap_or_default();
                self.line(&format!("let {}{ty}", name.name), stmt.span);
                self.nested(|d| d.expr("", value));
            }
            StmtKind::LetTuple { names, value, .. } => {
                self.line(&format!("let {}", indices_text(names)), stmt.span);
                self.nested(|d| d.expr("", value));
            }
            StmtKind::Assign { place, op, value } => {
                let op = op.map_or("", |op| op.symbol());
                self.line(&format!("assign {op}="), stmt.span);
                self.nested(|d| {
                    d.place(place);
                    d.expr("", value);
                });
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.line("if", stmt.span);
                self.nested(|d| {
                    d.expr("", cond);
                    d.block("", then_block);
                    if let Some(else_block) = else_block {
                        d.block("else ", else_block);
                    }
                });
            }
            _ => self.loop_or_simple_stmt(stmt),
        }
    }

    fn loop_or_simple_stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::ArrayDecl { name, ty } => {
                let text = format!("let {}: {}", name.name, type_text(ty));
                self.line(&text, stmt.span);
            }
            StmtKind::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let range = if *inclusive { "..=" } else { ".." };
                self.line(&format!("for {} in {range}", var.name), stmt.span);
                self.nested(|d| {
                    d.expr("", start);
                    d.expr("", end);
                    d.block("", body);
                });
            }
            StmtKind::While { cond, body } => {
                self.line("while", stmt.span);
                self.nested(|d| {
                    d.expr("", cond);
                    d.block("", body);
                });
            }
            StmtKind::Foreach {
                indices,
                domain,
                body,
            } => {
                self.line(&format!("foreach {} in", indices_text(indices)), stmt.span);
                self.nested(|d| d.domain_and_body(domain, body));
            }
            StmtKind::Expr(expr) => {
                self.line("expr", stmt.span);
                self.nested(|d| d.expr("", expr));
            }
            StmtKind::Break => self.line("break", stmt.span),
            StmtKind::Continue => self.line("continue", stmt.span),
            StmtKind::Error => self.line("error", stmt.span),
            // Handled by `stmt`.
            StmtKind::Let { .. }
            | StmtKind::LetTuple { .. }
            | StmtKind::Assign { .. }
            | StmtKind::If { .. } => {}
        }
    }

    fn domain_and_body(&mut self, domain: &[Expr], body: &Block) {
        for extent in domain {
            self.expr("", extent);
        }
        self.block("", body);
    }

    fn place(&mut self, place: &Place) {
        match &place.kind {
            PlaceKind::Var(name) => self.line(&format!("place {}", name.name), place.span),
            PlaceKind::Index { array, indices } => {
                self.line(&format!("place {}", index_text(array, indices)), place.span);
                self.nested(|d| d.exprs(indices));
            }
            PlaceKind::Field { base, path } => {
                let path: Vec<String> = path.iter().map(|m| m.to_string()).collect();
                let text = format!("place {}.{}", base.name, path.join("."));
                self.line(&text, place.span);
            }
        }
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for expr in exprs {
            self.expr("", expr);
        }
    }

    fn expr(&mut self, prefix: &str, expr: &Expr) {
        let head = match &expr.kind {
            ExprKind::Literal(Literal::Int(value)) => format!("int {value}"),
            ExprKind::Literal(Literal::Float(value)) => format!("float {value:?}"),
            ExprKind::Literal(Literal::Bool(value)) => format!("bool {value}"),
            ExprKind::Name(name) => format!("name {}", name.name),
            ExprKind::Unary { op, .. } => format!("unary {}", op.symbol()),
            ExprKind::Binary { op, .. } => format!("binary {}", op.symbol()),
            ExprKind::Call { callee, .. } => format!("call {}", callee.name),
            ExprKind::Cast { ty, .. } => format!("cast {ty}"),
            ExprKind::Index { array, indices } => format!("index {}", index_text(array, indices)),
            ExprKind::Reduce {
                op,
                result,
                indices,
                ..
            } => format!(
                "reduce {} over {} in",
                op.surface_name(*result),
                indices_text(indices)
            ),
            ExprKind::Field { member, .. } => format!("field .{member}"),
            ExprKind::Tuple(_) => "tuple".to_string(),
            ExprKind::Keyword { name, .. } => format!("keyword {}", name.name),
            ExprKind::Error => "error".to_string(),
        };
        self.line(&format!("{prefix}{head}"), expr.span);
        self.nested(|d| d.expr_children(expr));
    }

    fn expr_children(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Unary { operand, .. } => self.expr("", operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr("", lhs);
                self.expr("", rhs);
            }
            ExprKind::Call { args, .. } => self.exprs(args),
            ExprKind::Cast { arg, .. } => self.expr("", arg),
            ExprKind::Field { base, .. } => self.expr("", base),
            ExprKind::Tuple(items) => self.exprs(items),
            ExprKind::Keyword { value, .. } => self.expr("", value),
            ExprKind::Index { indices, .. } => self.exprs(indices),
            ExprKind::Reduce { domain, body, .. } => self.domain_and_body(domain, body),
            ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Error => {}
        }
    }
}

fn type_text(ty: &TypeExpr) -> String {
    if let ElemType::Tuple(parts) = &ty.elem {
        let parts: Vec<String> = parts.iter().map(type_text).collect();
        return format!("({})", parts.join(", "));
    }
    if ty.dims.is_empty() {
        return ty.elem.to_string();
    }
    let dims: Vec<String> = ty.dims.iter().map(dim_text).collect();
    format!("{}[{}]", ty.elem, dims.join(", "))
}

/// A dimension as written, parenthesizing nested operators.
fn dim_text(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Literal(Literal::Int(n)) => n.to_string(),
        ExprKind::Binary { op, lhs, rhs } => {
            let side = |e: &Expr| match e.kind {
                ExprKind::Binary { .. } => format!("({})", dim_text(e)),
                _ => dim_text(e),
            };
            format!("{} {} {}", side(lhs), op.symbol(), side(rhs))
        }
        _ => "?".to_string(),
    }
}

/// `i` or `(r, c)`.
fn indices_text(indices: &[Ident]) -> String {
    match indices {
        [one] => one.name.clone(),
        _ => {
            let names: Vec<&str> = indices.iter().map(|i| i.name.as_str()).collect();
            format!("({})", names.join(", "))
        }
    }
}

/// `a[_]` or `a[_, _]`: the array and the number of indices.
fn index_text(array: &Ident, indices: &[Expr]) -> String {
    let holes = vec!["_"; indices.len()];
    format!("{}[{}]", array.name, holes.join(", "))
}

/// `<T: float, U: i32 | i64>` as written, or nothing.
pub fn generics_text(generics: &[TypeParam]) -> String {
    if generics.is_empty() {
        return String::new();
    }
    let params: Vec<String> = generics
        .iter()
        .map(|p| {
            let terms: Vec<String> = p
                .bound
                .iter()
                .map(|term| match term {
                    BoundTerm::Class(class) => class.name.clone(),
                    BoundTerm::Scalar(ty, _) => ty.to_string(),
                })
                .collect();
            format!("{}: {}", p.name.name, terms.join(" | "))
        })
        .collect();
    format!("<{}>", params.join(", "))
}
