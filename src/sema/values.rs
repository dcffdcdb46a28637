//! Tuples and structs: values of several scalar parts, scalarised here.
//!
//! The IR knows only scalars. A struct or tuple value is checked as a tree
//! of parts ([`ValTy`]) and lowered as its *leaves*, the scalar parts in
//! declaration order (`ray.org.x, ray.org.y, ..., ray.dir.z`): a local of a
//! struct type is one IR local per leaf (`ray.org.x`), a parameter one
//! parameter per leaf, a field read one local read. So structs cost nothing
//! over the scalarised code a user would write by hand (the plan and the JIT
//! see exactly that code).
//!
//! A function that returns a struct or tuple, or takes an array, is
//! expanded at each call by `inline.rs`; its body runs as statements before
//! the statement that calls it (the *prelude*, see `Ctx::prelude`).

use super::infer::Ty;
use super::lower::{ty_of, Lowerer};
use super::scope::Binding;
use super::types::{Aggregate, StructId, Structs, ValTy};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, ExprId, LocalId, LocalKind, StmtKind};
use crate::span::Span;
use crate::syntax::ast::{self, ElemType, ExprKind, Ident, Member};
use crate::types::ScalarType;

/// One scalar part of a value: an expression not yet used, or a local
/// (read when the part is used, so a part that is never used leaves no
/// expression behind).
#[derive(Clone, Copy, Debug)]
pub enum Leaf {
    Expr(ExprId),
    Local(LocalId),
}

/// A checked value: its type and its leaves (one for a scalar).
#[derive(Clone, Debug)]
pub struct Value {
    pub ty: ValTy,
    pub leaves: Vec<Leaf>,
    pub span: Span,
}

impl Lowerer<'_> {
    pub fn structs(&self) -> &Structs {
        &self.globals.structs
    }

    pub fn scalar_value(&self, id: ExprId) -> Value {
        Value {
            ty: ValTy::Scalar(self.b.expr_ty(id)),
            leaves: vec![Leaf::Expr(id)],
            span: self.b.body.exprs[id].span,
        }
    }

    /// Any value: a scalar, a tuple, a struct.
    pub fn value_of(&mut self, e: &ast::Expr) -> Value {
        match &e.kind {
            ExprKind::Tuple(items) => {
                let parts: Vec<Value> = items.iter().map(|i| self.value_of(i)).collect();
                Value {
                    ty: ValTy::Tuple(parts.iter().map(|p| p.ty.clone()).collect()),
                    leaves: parts.into_iter().flat_map(|p| p.leaves).collect(),
                    span: e.span,
                }
            }
            ExprKind::Field { base, member } => self.field_value(base, member, e.span),
            ExprKind::Name(ident) => match self.scopes.lookup(&ident.name) {
                Some(Binding::Aggregate(a)) => self.aggregate_value(a, e.span),
                _ => {
                    let id = self.expr(e);
                    self.scalar_value(id)
                }
            },
            ExprKind::Call { callee, args } if self.is_value_call(callee, args) => {
                self.call_value(callee, args, e.span)
            }
            _ => {
                let id = self.expr(e);
                self.scalar_value(id)
            }
        }
    }

    /// The value of aggregate local `a`.
    pub fn aggregate_value(&mut self, a: u32, span: Span) -> Value {
        let agg = &self.aggregates[a as usize];
        Value {
            ty: agg.ty.clone(),
            leaves: agg.leaves.iter().map(|&l| Leaf::Local(l)).collect(),
            span,
        }
    }

    /// A call whose value may have parts: a struct constructor, a function
    /// expanded in place, `select` of two aggregates.
    pub fn is_value_call(&self, callee: &Ident, args: &[ast::Expr]) -> bool {
        let name = callee.name.as_str();
        self.structs().by_name.contains_key(name)
            || self
                .globals
                .fn_by_name
                .get(name)
                .is_some_and(|&f| self.globals.functions[f].inline)
            || (name == "select" && args.len() == 3)
    }

    fn call_value(&mut self, callee: &Ident, args: &[ast::Expr], span: Span) -> Value {
        if let Some(&id) = self.structs().by_name.get(&callee.name) {
            return self.construct(id, callee, args, span);
        }
        if callee.name == "select" {
            return self.select_value(callee, args, span);
        }
        let func = match self.globals.generic_fns.get(&callee.name) {
            Some(generic) => self.inline_instance(generic, callee, args),
            None => self.globals.fn_by_name.get(&callee.name).copied(),
        };
        match func {
            Some(func) => self.inline_call(func, callee, args, span),
            None => self.error_value(span),
        }
    }

    /// `select(c, a, b)`: of scalars, the builtin; of aggregates, one
    /// `select` per leaf (both sides are evaluated, as for scalars).
    fn select_value(&mut self, callee: &Ident, args: &[ast::Expr], span: Span) -> Value {
        let cond = self.expr(&args[0]);
        let (a, b) = (self.value_of(&args[1]), self.value_of(&args[2]));
        if a.ty.is_scalar() && b.ty.is_scalar() {
            let (a, b) = (
                self.leaf(a.leaves[0], a.span),
                self.leaf(b.leaves[0], b.span),
            );
            let id = self.builtin(ir::Builtin::Select, callee, vec![cond, a, b], span);
            return self.scalar_value(id);
        }
        if !self.expect_value(&b, &a.ty, "the two choices of `select`") {
            return self.error_value(span);
        }
        self.expect_ty(cond, ty_of(ScalarType::Bool), "the condition of `select`");
        let mut leaves = Vec::new();
        for (&x, &y) in a.leaves.iter().zip(&b.leaves) {
            // Each leaf reads the condition again: expressions are trees.
            let c = if leaves.is_empty() {
                cond
            } else {
                self.expr(&args[0])
            };
            let (x, y) = (self.leaf(x, a.span), self.leaf(y, b.span));
            let id = self.builtin(ir::Builtin::Select, callee, vec![c, x, y], span);
            leaves.push(Leaf::Expr(id));
        }
        Value {
            ty: a.ty,
            leaves,
            span,
        }
    }

    /// `Vec3(1.0, 2.0, 3.0)` or `Vec3(x = 1.0, y = 2.0, z = 3.0)`.
    fn construct(&mut self, id: StructId, callee: &Ident, args: &[ast::Expr], span: Span) -> Value {
        let fields: Vec<(String, ValTy)> = self.structs().parts(&ValTy::Struct(id));
        let mut given: Vec<Option<Value>> = vec![None; fields.len()];
        let keywords = args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Keyword { .. }));
        let errors = self.diags.len();
        for (k, arg) in args.iter().enumerate() {
            let (slot, value) = match &arg.kind {
                ExprKind::Keyword { name, value } => {
                    match fields.iter().position(|(n, _)| *n == name.name) {
                        Some(slot) => (slot, value.as_ref()),
                        None => {
                            self.no_such_field(&ValTy::Struct(id), &Member::Name(name.clone()));
                            continue;
                        }
                    }
                }
                _ if keywords => {
                    let d = Diagnostic::error("positional and named fields mixed")
                        .primary(arg.span, "a value without a field name")
                        .help(format!(
                            "name every field, e.g. `{}({} = ...)`",
                            callee.name,
                            fields.first().map_or("x", |f| f.0.as_str())
                        ));
                    self.error(d);
                    continue;
                }
                _ => (k, arg),
            };
            let value = self.value_of(value);
            if slot >= fields.len() {
                continue;
            }
            if given[slot].is_some() {
                let d = Diagnostic::error(format!("field `{}` given twice", fields[slot].0))
                    .primary(arg.span, "given again here");
                self.error(d);
                continue;
            }
            let what = format!("field `{}` of `{}`", fields[slot].0, callee.name);
            self.expect_value(&value, &fields[slot].1, &what);
            given[slot] = Some(value);
        }
        if !keywords && args.len() != fields.len() {
            let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
            let d = Diagnostic::error(format!(
                "`{}` has {} field{}, {} given",
                callee.name,
                fields.len(),
                if fields.len() == 1 { "" } else { "s" },
                args.len()
            ))
            .primary(span, "wrong number of fields")
            .help(format!(
                "give one value per field, in order: {}",
                names.join(", ")
            ));
            self.error(d);
            return self.error_value(span);
        }
        let missing: Vec<&str> = fields
            .iter()
            .zip(&given)
            .filter(|(_, g)| g.is_none())
            .map(|(f, _)| f.0.as_str())
            .collect();
        if self.diags.len() > errors {
            return self.error_value(span);
        }
        if !missing.is_empty() {
            let d = Diagnostic::error(format!(
                "missing field{} of `{}`: {}",
                if missing.len() == 1 { "" } else { "s" },
                callee.name,
                missing.join(", ")
            ))
            .primary(span, "every field needs a value");
            self.error(d);
            return self.error_value(span);
        }
        Value {
            ty: ValTy::Struct(id),
            leaves: given.into_iter().flatten().flat_map(|v| v.leaves).collect(),
            span,
        }
    }

    /// `base.member`.
    fn field_value(&mut self, base: &ast::Expr, member: &Member, span: Span) -> Value {
        if let ExprKind::Name(owner) = &base.kind {
            if let Some(d) = self.attribute_habit(owner, member, span) {
                self.error(d);
                return self.error_value(span);
            }
        }
        let base = self.value_of(base);
        if base.ty == ValTy::Scalar(Ty::Error) {
            return self.error_value(span);
        }
        let Some((offset, ty)) = self.structs().member(&base.ty, member) else {
            self.no_such_field(&base.ty, member);
            return self.error_value(span);
        };
        let count = self.structs().leaf_tys(&ty).len();
        // The parts not taken must not leave unused expressions behind.
        let base = if base.leaves.iter().any(|l| matches!(l, Leaf::Expr(_))) {
            self.materialize(base, false)
        } else {
            base
        };
        Value {
            ty,
            leaves: base.leaves[offset..offset + count].to_vec(),
            span,
        }
    }

    /// `x.shape` and other members of an array: the habit's diagnostic.
    fn attribute_habit(
        &mut self,
        owner: &Ident,
        member: &Member,
        span: Span,
    ) -> Option<Diagnostic> {
        let dims = match self.scopes.lookup(&owner.name)? {
            Binding::Param(p) => {
                let param = self.param(p)?;
                if !param.is_array() {
                    return None;
                }
                param.dims().to_vec()
            }
            Binding::LocalArray(_) => Vec::new(),
            _ => return None,
        };
        let sizes: Vec<String> = dims
            .iter()
            .filter_map(|&s| self.kernel.as_ref().map(|k| k.sizes[s].name.clone()))
            .collect();
        Some(crate::syntax::habits::attribute_diag(
            &owner.name,
            &member.to_string(),
            Some(&sizes),
            span,
        ))
    }

    fn no_such_field(&mut self, ty: &ValTy, member: &Member) {
        let described = self.structs().describe(ty, &self.infer);
        let parts = self.structs().parts(ty);
        let d = if parts.is_empty() {
            Diagnostic::error(format!("`{described}` has no fields"))
                .primary(member.span(), "not a struct or tuple")
                .note("only struct and tuple values have parts")
        } else {
            let names: Vec<String> = parts.iter().map(|p| format!("`{}`", p.0)).collect();
            Diagnostic::error(format!("`{described}` has no part `{member}`"))
                .primary(member.span(), "no such field")
                .help(format!("its parts are {}", names.join(", ")))
        };
        self.error(d);
    }

    /// Gives every expression leaf of `v` a hidden local, set in the
    /// prelude, so parts can be read separately or not at all; with
    /// `copy_locals`, local leaves too (their value now, before an
    /// assignment overwrites them).
    pub fn materialize(&mut self, v: Value, copy_locals: bool) -> Value {
        let mut leaves = Vec::with_capacity(v.leaves.len());
        for leaf in v.leaves {
            if matches!(leaf, Leaf::Local(_)) && !copy_locals {
                leaves.push(leaf);
                continue;
            }
            let id = self.leaf(leaf, v.span);
            let ty = self.b.expr_ty(id);
            let span = self.b.body.exprs[id].span;
            let local = self.b.local("_part", ty, span, LocalKind::Var);
            self.push_prelude(StmtKind::Assign { local, value: id }, span);
            leaves.push(Leaf::Local(local));
        }
        Value { leaves, ..v }
    }

    /// A statement run before the one being lowered.
    pub fn push_prelude(&mut self, kind: StmtKind, span: Span) {
        match self.ctx.prelude.as_mut() {
            Some(prelude) => prelude.push(ir::Stmt::new(kind, span)),
            None => {
                // Only the checker's own contexts lack a prelude; a dropped
                // statement would be a wrong answer, so say so loudly.
                let d = Diagnostic::error("internal: no statement to run this before")
                    .primary(span, "bind this value with `let` first");
                self.error(d);
            }
        }
    }

    pub fn leaf(&mut self, leaf: Leaf, span: Span) -> ExprId {
        match leaf {
            Leaf::Expr(id) => id,
            Leaf::Local(local) => self.local_read(local, span),
        }
    }

    /// The scalar a value must be here, or an error.
    pub fn scalar_of(&mut self, v: Value, what: &str) -> ExprId {
        if v.ty.is_scalar() {
            return self.leaf(v.leaves[0], v.span);
        }
        let described = self.structs().describe(&v.ty, &self.infer);
        let d = Diagnostic::error(format!("expected a scalar, found `{described}`"))
            .primary(v.span, format!("a `{described}` value"))
            .note(format!("{what} must be a scalar"))
            .help("use one of its parts, e.g. `p.x` or `t.0`");
        self.error(d);
        self.error_expr(v.span)
    }

    pub fn error_value(&mut self, span: Span) -> Value {
        let id = self.error_expr(span);
        self.scalar_value(id)
    }

    /// Checks that `v` has type `expected` part by part, unifying scalar
    /// leaves (so literals take the field's type); reports a mismatch.
    pub fn expect_value(&mut self, v: &Value, expected: &ValTy, what: &str) -> bool {
        if v.ty == ValTy::Scalar(Ty::Error) {
            // Already reported.
            return false;
        }
        if let (ValTy::Scalar(ty), ValTy::Scalar(_), [Leaf::Expr(id)]) =
            (expected, &v.ty, v.leaves.as_slice())
        {
            return self.expect_ty(*id, *ty, what) != Ty::Error;
        }
        if !self.same_shape(&v.ty, expected) {
            let found = self.structs().describe(&v.ty, &self.infer);
            let wanted = self.structs().describe(expected, &self.infer);
            let d = Diagnostic::error("mismatched types")
                .primary(v.span, format!("expected `{wanted}`, found `{found}`"))
                .note(format!("{what} must be `{wanted}`"));
            self.error(d);
            return false;
        }
        let tys = self.structs().leaf_tys(expected);
        let mut ok = true;
        for (leaf, ty) in v.leaves.clone().into_iter().zip(tys) {
            let found = match leaf {
                Leaf::Expr(id) => self.b.expr_ty(id),
                Leaf::Local(l) => self.b.local_ty(l),
            };
            if let Err(m) = self.infer.unify(ty, found) {
                let d = Diagnostic::error("mismatched types")
                    .primary(
                        v.span,
                        format!(
                            "expected `{}`, found `{}` in a part",
                            m.expected.describe(),
                            m.found.describe()
                        ),
                    )
                    .note(format!(
                        "{what} must be `{}`",
                        self.structs().describe(expected, &self.infer)
                    ));
                self.error(d);
                ok = false;
            }
        }
        ok
    }

    /// Whether two types have the same parts (scalar types aside).
    fn same_shape(&self, a: &ValTy, b: &ValTy) -> bool {
        match (a, b) {
            (ValTy::Scalar(_), ValTy::Scalar(_)) => true,
            (ValTy::Struct(x), ValTy::Struct(y)) => x == y,
            (ValTy::Tuple(x), ValTy::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.same_shape(p, q))
            }
            _ => false,
        }
    }

    /// A new local `name` holding `v` (one IR local per leaf), set by
    /// statements in `out`, bound in the current scope.
    pub fn bind_value(
        &mut self,
        name: &Ident,
        v: Value,
        kind: LocalKind,
        span: Span,
        out: &mut ir::Block,
    ) {
        if v.ty.is_scalar() {
            let id = self.leaf(v.leaves[0], v.span);
            let ty = self.b.expr_ty(id);
            let local = self.b.local(&name.name, ty, name.span, kind);
            self.scopes.bind(&name.name, Binding::Local(local));
            out.push(ir::Stmt::new(StmtKind::Assign { local, value: id }, span));
            return;
        }
        let paths = self.structs().leaf_paths(&v.ty);
        let tys = self.structs().leaf_tys(&v.ty);
        let mut leaves = Vec::with_capacity(paths.len());
        for ((path, ty), leaf) in paths.iter().zip(tys).zip(v.leaves) {
            let local = self
                .b
                .local(&format!("{}.{path}", name.name), ty, name.span, kind);
            let value = self.leaf(leaf, v.span);
            self.expect_ty(value, ty, "a part");
            out.push(ir::Stmt::new(StmtKind::Assign { local, value }, span));
            leaves.push(local);
        }
        let index = self.aggregates.len() as u32;
        self.aggregates.push(Aggregate { ty: v.ty, leaves });
        self.scopes.bind(&name.name, Binding::Aggregate(index));
    }

    /// `p = v`, `p.x = v`, `p.x += v`, `t.0 = v` into an aggregate local.
    pub fn assign_parts(
        &mut self,
        base: &Ident,
        path: &[Member],
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        span: Span,
        out: &mut ir::Block,
    ) {
        let v = self.statement_value(value);
        let Some(Binding::Aggregate(a)) = self.scopes.lookup(&base.name) else {
            if path.is_empty() {
                return;
            }
            let described = match self.scopes.lookup(&base.name) {
                Some(Binding::Local(l)) => self.infer.resolve(self.b.local_ty(l)).describe(),
                _ => "this name".to_string(),
            };
            let d = Diagnostic::error(format!("`{}` has no fields", base.name))
                .primary(base.span, format!("a `{described}`"))
                .note("only struct and tuple values have parts");
            self.error(d);
            return;
        };
        let agg = self.aggregates[a as usize].clone();
        let (mut offset, mut ty) = (0, agg.ty.clone());
        for member in path {
            let Some((o, t)) = self.structs().member(&ty, member) else {
                self.no_such_field(&ty, member);
                return;
            };
            offset += o;
            ty = t;
        }
        let count = self.structs().leaf_tys(&ty).len();
        let targets = agg.leaves[offset..offset + count].to_vec();
        if !targets.iter().all(|&l| self.check_writable_part(l, base)) {
            return;
        }
        let what = format!("the value assigned to `{}`", place_text(base, path));
        if let Some(op) = op {
            if !ty.is_scalar() {
                let d = Diagnostic::error(format!("`{}=` on a struct or tuple", op.symbol()))
                    .primary(span, "operators apply to scalars")
                    .help("update each part: `p.x += ...;`");
                self.error(d);
                return;
            }
            let current = self.local_read(targets[0], base.span);
            let rhs = self.scalar_of(v, &what);
            let value = self.compound(op, current, rhs, span);
            self.expect_ty(value, self.b.local_ty(targets[0]), &what);
            out.push(ir::Stmt::new(
                StmtKind::Assign {
                    local: targets[0],
                    value,
                },
                span,
            ));
            return;
        }
        if !self.expect_value(&v, &ty, &what) {
            return;
        }
        // Parts may read the place they replace (`p = Vec3(p.y, p.x, p.z)`):
        // every new value is computed before the first is written.
        let v = if targets.len() > 1 && self.reads_any(&v, &targets) {
            self.materialize(v, true)
        } else {
            v
        };
        for (&local, leaf) in targets.iter().zip(v.leaves) {
            let value = self.leaf(leaf, span);
            out.push(ir::Stmt::new(StmtKind::Assign { local, value }, span));
        }
    }

    /// Whether computing `v` reads one of `locals`.
    fn reads_any(&self, v: &Value, locals: &[LocalId]) -> bool {
        let mut stack: Vec<ExprId> = Vec::new();
        for leaf in &v.leaves {
            match *leaf {
                Leaf::Local(l) if locals.contains(&l) => return true,
                Leaf::Local(_) => {}
                Leaf::Expr(id) => stack.push(id),
            }
        }
        while let Some(id) = stack.pop() {
            let node = &self.b.body.exprs[id].expr;
            if matches!(node, ir::Expr::Local(l) if locals.contains(l)) {
                return true;
            }
            stack.extend(node.operands());
        }
        false
    }

    /// `let name: T = value;` when `T` is a struct or tuple, or the value is
    /// one.
    pub fn let_value(
        &mut self,
        name: &Ident,
        ty: Option<&ast::TypeExpr>,
        v: Value,
        span: Span,
        out: &mut ir::Block,
    ) {
        if let Some(annotation) = ty {
            let mut diags = Vec::new();
            let expected = self
                .structs()
                .resolve(annotation, &self.type_params, &mut diags);
            self.diags.extend(diags);
            if let Some(expected) = expected {
                self.expect_value(&v, &expected, "the value of this `let`");
            }
        }
        self.bind_value(name, v, LocalKind::Var, span, out);
    }

    /// Whether a type annotation names a struct or tuple.
    pub fn names_aggregate(&self, ty: &ast::TypeExpr) -> bool {
        match &ty.elem {
            ElemType::Tuple(_) => true,
            ElemType::Named(n) => self.structs().by_name.contains_key(&n.name),
            ElemType::Scalar(_) => false,
        }
    }
}

fn place_text(base: &Ident, path: &[Member]) -> String {
    let mut text = base.name.clone();
    for m in path {
        text.push('.');
        text.push_str(&m.to_string());
    }
    text
}
