//! Checking and lowering statements: `let`, assignment, `if`, loops,
//! `break`/`continue`. Phases (`foreach`) and stores are in `phase.rs`.

use super::infer::Ty;
use super::lower::{ty_of, Lowerer};
use super::phase::ReductionHeader;
use super::scope::Binding;
use super::types::ValTy;
use super::values::Value;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Expr, LocalId, LocalKind, StmtKind};
use crate::span::Span;
use crate::syntax::ast::{self, Ident, PlaceKind, ReduceResult};
use crate::types::ScalarType;

impl Lowerer<'_> {
    /// Lowers a `{ ... }` statement block in its own scope. A trailing value
    /// expression is an error: statement blocks have no value.
    pub fn block(&mut self, block: &ast::Block) -> ir::Block {
        let top = std::mem::replace(&mut self.ctx.kernel_top_level, false);
        self.scopes.push();
        let mut out = Vec::new();
        for stmt in &block.stmts {
            self.stmt(stmt, &mut out);
        }
        if let Some(tail) = &block.tail {
            self.expr(tail);
            // The parser already reported a broken tail.
            if tail.kind != ast::ExprKind::Error {
                self.unused_value(tail.span);
            }
        }
        self.scopes.pop();
        self.ctx.kernel_top_level = top;
        out
    }

    fn read_only_table(&mut self, name: &Ident) {
        let d = Diagnostic::error(format!("cannot assign to constant `{}`", name.name))
            .primary(name.span, "constants are read-only")
            .help(format!(
                "copy it into a local first: `let v = {0};` (a table: `let v: T[len]; v[k] = {0}[k];`)",
                name.name
            ));
        self.error(d);
    }

    fn unused_value(&mut self, span: Span) {
        let d = Diagnostic::error("expression statement has no effect")
            .primary(span, "this value is computed and dropped")
            .note("kern expressions have no side effects")
            .help("assign it: `let name = ...;` or `out[i] = ...;`");
        self.error(d);
    }

    /// Lowers one statement into `out`, after the statements its
    /// expressions need first (its prelude: expanded function bodies).
    pub fn stmt(&mut self, stmt: &ast::Stmt, out: &mut ir::Block) {
        let mark = out.len();
        let outer = self.ctx.prelude.replace(Vec::new());
        let enclosing = std::mem::take(&mut self.ctx.enclosing_preludes);
        self.stmt_kind(stmt, out);
        self.ctx.enclosing_preludes = enclosing;
        let prelude = std::mem::replace(&mut self.ctx.prelude, outer).unwrap_or_default();
        if !prelude.is_empty() {
            out.splice(mark..mark, prelude);
        }
    }

    fn stmt_kind(&mut self, stmt: &ast::Stmt, out: &mut ir::Block) {
        use ast::StmtKind as S;
        match &stmt.kind {
            S::Let { name, ty, value } => self.let_stmt(name, ty.as_ref(), value, stmt.span, out),
            S::LetTuple {
                names,
                pattern_span,
                value,
            } => self.let_tuple(names, *pattern_span, value, stmt.span, out),
            S::ArrayDecl { name, ty } => self.array_decl(name, ty, stmt.span, out),
            S::Assign { place, op, value } => match &place.kind {
                PlaceKind::Var(name)
                    if matches!(self.scopes.lookup(&name.name), Some(Binding::Aggregate(_))) =>
                {
                    self.assign_parts(name, &[], *op, value, stmt.span, out)
                }
                PlaceKind::Var(name) => self.assign(name, *op, value, stmt.span, out),
                PlaceKind::Field { base, path } => {
                    self.assign_parts(base, path, *op, value, stmt.span, out)
                }
                PlaceKind::Index { array, indices } => {
                    let store = match self.scopes.lookup(&array.name) {
                        Some(Binding::LocalArray(local)) => self.nested(|l| {
                            l.local_store(local, array, indices, *op, value, place.span, stmt.span)
                        }),
                        None if self.globals.consts.by_name.contains_key(&array.name) => {
                            self.read_only_table(array);
                            None
                        }
                        _ => self
                            .nested(|l| l.store(array, indices, *op, value, place.span, stmt.span)),
                    };
                    out.extend(store);
                }
            },
            S::If {
                cond,
                then_block,
                else_block,
            } => self.if_stmt(cond, then_block, else_block.as_ref(), stmt.span, out),
            S::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => self.for_stmt(var, start, end, *inclusive, body, stmt.span, out),
            S::While { cond, body } => self.while_stmt(cond, body, stmt.span, out),
            S::Foreach {
                indices,
                domain,
                body,
            } => self.foreach(indices, domain, body, stmt.span, out),
            S::Break | S::Continue => self.jump(matches!(stmt.kind, S::Break), stmt.span, out),
            S::Expr(e) if super::arrays::is_swap(e) => self.swap(e, stmt.span, out),
            S::Expr(e) => {
                self.nested(|l| l.expr(e));
                if e.kind != ast::ExprKind::Error {
                    self.unused_value(e.span);
                }
            }
            S::Error => {}
        }
    }

    /// Lowers an expression a statement evaluates once before it runs (the
    /// value of a `let` or assignment, an `if` condition, `for` bounds). In
    /// a kernel's uniform code, reductions inside it become phase
    /// statements run first.
    pub fn value(&mut self, value: &ast::Expr) -> ir::ExprId {
        if !self.in_uniform_code() {
            return self.nested(|l| l.expr(value));
        }
        self.ctx.hoist_reductions = true;
        let id = self.expr(value);
        self.ctx.hoist_reductions = false;
        id
    }

    fn let_stmt(
        &mut self,
        name: &Ident,
        ty: Option<&ast::TypeExpr>,
        value: &ast::Expr,
        span: Span,
        out: &mut ir::Block,
    ) {
        let v = self.statement_value(value);
        if ty.is_some_and(|t| self.names_aggregate(t)) || !v.ty.is_scalar() {
            self.let_value(name, ty, v, span, out);
            return;
        }
        let value = self.leaf(v.leaves[0], v.span);
        let mut local_ty = self.b.expr_ty(value);
        if let Some(annotation) = ty {
            if !annotation.dims.is_empty() {
                let d = Diagnostic::error("locals are scalars").primary(
                    annotation.span,
                    "array types exist only for kernel parameters and outputs",
                );
                self.error(d);
            }
            let elem = self.elem(annotation);
            local_ty = self.expect_ty(value, ty_of(elem), "the value of this `let`");
            if local_ty == Ty::Error {
                local_ty = ty_of(elem);
            }
        }
        let local = self
            .b
            .local(&name.name, local_ty, name.span, LocalKind::Var);
        self.scopes.bind(&name.name, Binding::Local(local));
        out.push(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::Assign { local, value },
            span,
        });
    }

    /// `let (v, i) = min_at over ...;`: the reduction's value and index as
    /// two new locals. Nothing else has parts until kern has tuples.
    fn let_tuple(
        &mut self,
        names: &[Ident],
        pattern_span: Span,
        value: &ast::Expr,
        span: Span,
        out: &mut ir::Block,
    ) {
        let reduction = match &value.kind {
            ast::ExprKind::Reduce {
                op,
                result: result @ ReduceResult::ValueAndIndex,
                op_span,
                indices,
                domain,
                body,
            } => {
                let header = ReductionHeader {
                    op: *op,
                    result: *result,
                    op_span: *op_span,
                    indices,
                    domain,
                };
                if names.len() != 2 {
                    self.wrong_part_count(
                        op.surface_name(ReduceResult::ValueAndIndex),
                        names,
                        pattern_span,
                    );
                }
                if self.in_uniform_code() {
                    self.ctx.hoist_reductions = true;
                    let locals = self.reduction(header, body, value.span);
                    self.ctx.hoist_reductions = false;
                    locals
                } else {
                    self.nested(|l| l.reduction(header, body, value.span))
                }
            }
            _ => {
                let v = self.statement_value(value);
                self.let_parts(names, pattern_span, v, span, out);
                return;
            }
        };
        if let [first, second] = names {
            if first.name == second.name {
                let d =
                    Diagnostic::error(format!("`{}` is bound twice in this pattern", first.name))
                        .primary(second.span, "bound again here")
                        .secondary(first.span, "first bound here")
                        .help("give the value and the index different names");
                self.error(d);
            }
        }
        let parts = match reduction {
            Some((v, Some(i))) if names.len() == 2 => vec![Some(v), Some(i)],
            _ => vec![None; names.len()],
        };
        for (name, part) in names.iter().zip(parts) {
            let read = match part {
                Some(local) => self.local_read(local, name.span),
                None => self.error_expr(name.span),
            };
            let ty = self.b.expr_ty(read);
            let local = self.b.local(&name.name, ty, name.span, LocalKind::Var);
            self.scopes.bind(&name.name, Binding::Local(local));
            out.push(ir::Stmt {
                id: ir::StmtId::unset(),
                kind: StmtKind::Assign { local, value: read },
                span,
            });
        }
    }

    fn wrong_part_count(&mut self, name: &str, names: &[Ident], pattern_span: Span) {
        let d = Diagnostic::error(format!(
            "`{name}` gives two results, a value and an index; found {} name{}",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
        ))
        .primary(pattern_span, "expected two names")
        .help(format!("write `let (v, i) = {name} over ...;`"));
        self.error(d);
    }

    /// `let (a, b) = tuple;`: one local per part.
    fn let_parts(
        &mut self,
        names: &[Ident],
        pattern_span: Span,
        v: Value,
        span: Span,
        out: &mut ir::Block,
    ) {
        let ValTy::Tuple(parts) = &v.ty else {
            let found = self.structs().describe(&v.ty, &self.infer);
            let d = Diagnostic::error(format!("cannot destructure a `{found}`"))
                .primary(pattern_span, "a pattern of several names")
                .secondary(v.span, "not a tuple")
                .help("only tuples (`(a, b)`, a function returning `(bool, f32)`) and `min_at`/`max_at` reductions are destructured; read a struct's fields as `p.x`");
            self.error(d);
            for name in names {
                let e = self.error_value(name.span);
                self.bind_value(name, e, LocalKind::Var, span, out);
            }
            return;
        };
        if parts.len() != names.len() {
            let d = Diagnostic::error(format!(
                "this tuple has {} parts; the pattern names {}",
                parts.len(),
                names.len()
            ))
            .primary(pattern_span, format!("expected {} names", parts.len()))
            .secondary(v.span, "the tuple");
            self.error(d);
            return;
        }
        let mut offset = 0;
        for (name, part) in names.iter().zip(parts.clone()) {
            let count = self.structs().leaf_tys(&part).len();
            let leaves = v.leaves[offset..offset + count].to_vec();
            offset += count;
            let part = Value {
                ty: part,
                leaves,
                span: v.span,
            };
            self.bind_value(name, part, LocalKind::Var, span, out);
        }
    }

    fn assign(
        &mut self,
        name: &Ident,
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        span: Span,
        out: &mut ir::Block,
    ) {
        let value_id = self.value(value);
        let Some(local) = self.assignable_local(name) else {
            return;
        };
        let value_id = match op {
            Some(op) => {
                let current = self.local_read(local, name.span);
                self.compound(op, current, value_id, span)
            }
            None => value_id,
        };
        self.expect_ty(
            value_id,
            self.b.local_ty(local),
            &format!("the value assigned to `{}`", name.name),
        );
        if let LocalKind::Output(param) = self.b.body.locals[local].kind {
            if let Some(kernel) = self.kernel.as_mut() {
                kernel.written.insert(param);
            }
        }
        out.push(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::Assign {
                local,
                value: value_id,
            },
            span,
        });
    }

    /// `a op= b` as `a = a op b`, type-checked like the written-out form.
    pub fn compound(
        &mut self,
        op: ast::BinaryOp,
        current: ir::ExprId,
        value: ir::ExprId,
        span: Span,
    ) -> ir::ExprId {
        let ty = self.b.expr_ty(current);
        self.expect_ty(value, ty, &format!("the right side of `{}=`", op.symbol()));
        self.b.expr(
            Expr::Binary {
                op,
                lhs: current,
                rhs: value,
            },
            ty,
            span,
        )
    }

    /// The local a plain assignment writes, or `None` after reporting why the
    /// name cannot be assigned.
    fn assignable_local(&mut self, name: &Ident) -> Option<LocalId> {
        let local = match self.scopes.lookup(&name.name) {
            Some(Binding::Local(local)) => local,
            Some(Binding::Param(p)) => {
                let is_array = self.param(p).is_some_and(ir::Param::is_array);
                let d = if is_array {
                    Diagnostic::error(format!("cannot assign to array `{}`", name.name))
                        .primary(name.span, "a whole array cannot be assigned")
                        .help(format!(
                            "store one element inside a `foreach`: `{}[i] = ...;`",
                            name.name
                        ))
                } else {
                    Diagnostic::error(format!("cannot assign to parameter `{}`", name.name))
                        .primary(name.span, "kernel parameters are read-only")
                        .help(format!(
                            "copy it into a local: `let {0}2 = {0};`",
                            name.name
                        ))
                };
                self.error(d);
                return None;
            }
            Some(Binding::Const(_)) => {
                let d = Diagnostic::error(format!("cannot assign to size `{}`", name.name))
                    .primary(name.span, "sizes are read-only");
                self.error(d);
                return None;
            }
            // Handled by `assign_parts` before getting here.
            Some(Binding::Aggregate(_)) => return None,
            Some(Binding::LocalArray(_) | Binding::Table(_)) => {
                let d = Diagnostic::error(format!("cannot assign to array `{}`", name.name))
                    .primary(name.span, "a whole array cannot be assigned")
                    .help(format!(
                        "store one element at a time: `{}[k] = ...;`",
                        name.name
                    ));
                self.error(d);
                return None;
            }
            Some(Binding::Size(_)) => {
                let d = Diagnostic::error(format!("cannot assign to size `{}`", name.name))
                    .primary(name.span, "sizes are fixed by the call");
                self.error(d);
                return None;
            }
            None if self.globals.consts.by_name.contains_key(&name.name) => {
                self.read_only_table(name);
                return None;
            }
            None => {
                self.unknown_name(name, "variable");
                return None;
            }
        };
        self.check_writable(local, name).then_some(local)
    }

    /// As `check_writable`, for a part of a struct or tuple local.
    pub fn check_writable_part(&mut self, local: LocalId, name: &Ident) -> bool {
        self.check_writable(local, name)
    }

    fn check_writable(&mut self, local: LocalId, name: &Ident) -> bool {
        let kind = self.b.body.locals[local].kind;
        let declared = self.b.body.locals[local].span;
        let why = match kind {
            LocalKind::LoopCounter => Some((
                "cannot assign to loop counter",
                "a `for` counter is read-only",
                None,
            )),
            LocalKind::DomainIndex { .. } => Some((
                "cannot assign to index",
                "phase indices are read-only",
                None,
            )),
            LocalKind::FnParam => Some((
                "cannot assign to parameter",
                "function parameters are read-only",
                Some(format!(
                    "copy it into a local: `let {0}2 = {0};`",
                    name.name
                )),
            )),
            _ => None,
        };
        if let Some((message, label, help)) = why {
            let mut d = Diagnostic::error(format!("{message} `{}`", name.name))
                .primary(name.span, label)
                .secondary(declared, "declared here");
            if let Some(help) = help {
                d = d.help(help);
            }
            self.error(d);
            return false;
        }
        self.check_not_uniform_in_phase(local, name)
    }

    fn if_stmt(
        &mut self,
        cond: &ast::Expr,
        then_b: &ast::Block,
        else_b: Option<&ast::Block>,
        span: Span,
        out: &mut ir::Block,
    ) {
        let cond = self.value(cond);
        self.expect_ty(cond, ty_of(ScalarType::Bool), "an `if` condition");
        let then_block = self.nested(|l| l.block(then_b));
        let else_block = else_b
            .map(|b| self.nested(|l| l.block(b)))
            .unwrap_or_default();
        out.push(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::If {
                cond,
                then_block,
                else_block,
            },
            span,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn for_stmt(
        &mut self,
        var: &Ident,
        start: &ast::Expr,
        end: &ast::Expr,
        inclusive: bool,
        body: &ast::Block,
        span: Span,
        out: &mut ir::Block,
    ) {
        let (start, end) = (self.value(start), self.value(end));
        let ty = self.expect_ty(end, self.b.expr_ty(start), "the bounds of a `for` range");
        let bound_ty = self.resolve(start);
        if !bound_ty.is_int() && !bound_ty.is_error() && ty != Ty::Error {
            let d = Diagnostic::error(format!(
                "`for` ranges are over integers, found `{}`",
                bound_ty.describe()
            ))
            .primary(
                self.b.body.exprs[start]
                    .span
                    .to(self.b.body.exprs[end].span),
                "not an integer range",
            )
            .help("use a `while` loop for float steps");
            self.error(d);
        }
        self.scopes.push();
        let counter = self.b.local(
            &var.name,
            self.b.expr_ty(start),
            var.span,
            LocalKind::LoopCounter,
        );
        self.scopes.bind(&var.name, Binding::Local(counter));
        let body = self.in_loop(body);
        self.scopes.pop();
        out.push(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::For {
                counter,
                start,
                end,
                inclusive,
                body,
            },
            span,
        });
    }

    fn while_stmt(&mut self, cond: &ast::Expr, body: &ast::Block, span: Span, out: &mut ir::Block) {
        let (mut cond, prelude) = self.with_own_prelude(|s| s.nested(|l| l.expr(cond)));
        self.expect_ty(cond, ty_of(ScalarType::Bool), "a `while` condition");
        let mut body = self.in_loop(body);
        if !prelude.is_empty() {
            // The condition needs statements before each test: `while true
            // { prelude; if !cond { break; } body }` tests it as often.
            let bool_ty = ty_of(ScalarType::Bool);
            let stop = self.b.expr(
                Expr::Unary {
                    op: ir::UnaryOp::Not,
                    arg: cond,
                },
                bool_ty,
                span,
            );
            let mut looped = prelude;
            looped.push(ir::Stmt::new(
                StmtKind::If {
                    cond: stop,
                    then_block: vec![ir::Stmt::new(StmtKind::Break, span)],
                    else_block: Vec::new(),
                },
                span,
            ));
            looped.append(&mut body);
            body = looped;
            cond = self
                .b
                .expr(Expr::Const(ir::Scalar::Bool(true)), bool_ty, span);
        }
        out.push(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::While { cond, body },
            span,
        });
    }

    fn in_loop(&mut self, body: &ast::Block) -> ir::Block {
        self.ctx.loop_depth += 1;
        let block = self.nested(|l| l.block(body));
        self.ctx.loop_depth -= 1;
        block
    }

    fn jump(&mut self, is_break: bool, span: Span, out: &mut ir::Block) {
        let word = if is_break { "break" } else { "continue" };
        if self.ctx.loop_depth == 0 {
            let d = Diagnostic::error(format!("`{word}` outside of a loop")).primary(
                span,
                format!("`{word}` needs an enclosing `for` or `while`"),
            );
            self.error(d);
            return;
        }
        let kind = if is_break {
            StmtKind::Break
        } else {
            StmtKind::Continue
        };
        out.push(ir::Stmt::new(kind, span));
    }
}
