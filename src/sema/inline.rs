//! Functions expanded at their call sites: those returning a struct or a
//! tuple, and those taking arrays.
//!
//! The IR's functions take and return scalars, so such a function has no
//! IR function of its own: at each call its body is checked again in the
//! caller, with its parameters bound to the arguments, and becomes
//! statements that run just before the calling statement (the *prelude*,
//! [`super::lower::Ctx::prelude`]). Array parameters are bound to the
//! caller's arrays themselves, so a read inside the function is a read of
//! the kernel's array: the plan sees its real index (a contiguous load
//! stays one), and race checks see it. The JIT inlines every call anyway,
//! so the expansion costs nothing at run time.
//!
//! The body is also checked once on its own (`Lowerer::function`), which
//! reports its errors; expansions report only what depends on the call.

use super::lower::Lowerer;
use super::scope::{Binding, Scopes};
use super::types::ValTy;
use super::values::Value;
use super::{limits, FnSig, ParamTy};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Expr, FuncId, LocalKind, SizeDef, StmtKind};
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind, Ident};
use crate::types::ScalarType;
use std::collections::HashMap;

/// A dimension of a function's array parameter, as declared.
#[derive(Clone, Debug, PartialEq)]
pub enum Dim {
    /// A size name, bound at each call to the argument's extent.
    Name(String),
    /// A constant the argument's extent must equal.
    Const(i64),
}

impl Lowerer<'_> {
    /// Expands a call of `func` (a function with an aggregate result or an
    /// array parameter): its body runs in the prelude, its value is returned.
    pub fn inline_call(
        &mut self,
        func: FuncId,
        callee: &Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Value {
        let sig = &self.globals.functions[func];
        if !self.check_arity(&callee.name, sig.params.len(), args.len(), callee.span) {
            return self.error_value(span);
        }
        // Recorded first: a recursive call is reported by the recursion
        // check, with its cycle.
        self.note_call(func, callee.span);
        if self.inline_stack.contains(&func) {
            return self.error_value(span);
        }
        if let Some(d) = self.inline_refused(sig, span) {
            self.error(d);
            return self.error_value(span);
        }
        let params = sig.params.clone();
        let ret = sig.ret.clone();
        let mut scope = Scopes::default();
        scope.push();
        let mut sizes: HashMap<String, (Binding, Span)> = HashMap::new();
        let decl = self.globals.fn_decls[func.as_u32() as usize].clone();
        let mut ok = true;
        for ((param, arg), pdecl) in params.iter().zip(args).zip(decl.params.iter()) {
            ok &= match param {
                ParamTy::Value(ty) => self.bind_value_arg(&pdecl.name, ty, arg, callee, &mut scope),
                ParamTy::Array { elem, dims } => {
                    self.bind_array_arg(&pdecl.name, *elem, dims, arg, &mut sizes, &mut scope)
                }
            };
        }
        if !ok || ret.is_none() {
            return self.error_value(span);
        }
        for (name, (binding, _)) in sizes {
            scope.bind(&name, binding);
        }
        let outer_site = self
            .expansion_site
            .replace(self.expansion_site.unwrap_or(span));
        let type_args = self.globals.functions[func]
            .type_args
            .iter()
            .cloned()
            .collect();
        let outer_types = std::mem::replace(&mut self.type_params, type_args);
        let value = self.expand_body(func, &decl, scope);
        self.type_params = outer_types;
        self.expansion_site = outer_site;
        let ret = ret.unwrap_or(ValTy::Scalar(super::infer::Ty::Error));
        if !self.expect_value(&value, &ret, &format!("the value of `{}`", callee.name)) {
            return self.error_value(span);
        }
        Value { span, ..value }
    }

    /// The instance of a generic expanded function a call takes: each type
    /// parameter from the first argument that names it and whose type is
    /// plain to see (an array's element type, a typed name); `None` after
    /// an error.
    pub fn inline_instance(
        &mut self,
        generic: &super::generics::GenericFn,
        callee: &Ident,
        args: &[ast::Expr],
    ) -> Option<FuncId> {
        let mut chosen: Vec<Option<ScalarType>> = vec![None; generic.type_params.len()];
        for (arg, link) in args.iter().zip(&generic.params) {
            if let Some(t) = *link {
                chosen[t] = chosen[t].or_else(|| self.plain_type(arg));
            }
        }
        let mut types = Vec::new();
        for (t, choice) in chosen.iter().enumerate() {
            match choice {
                Some(ty) => types.push(*ty),
                None => {
                    let d = super::generics::undecided_call(callee, &generic.type_params[t])
                        .note("a function expanded at its calls takes its types from array arguments or named values");
                    self.error(d);
                    return None;
                }
            }
        }
        match generic.instances.iter().find(|(tys, _)| *tys == types) {
            Some(&(_, func)) => Some(func),
            None => {
                let shown: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                let d = Diagnostic::error(format!(
                    "`{}` has no instance for ({})",
                    callee.name,
                    shown.join(", ")
                ))
                .primary(
                    callee.span,
                    "a type outside the bound of its type parameters",
                );
                self.error(d);
                None
            }
        }
    }

    /// The type of an argument that shows it without being lowered: an
    /// array name's element type, or a typed local, parameter or size.
    fn plain_type(&self, arg: &ast::Expr) -> Option<ScalarType> {
        if let Some((_, elem, _)) = self.array_arg(arg) {
            return Some(elem);
        }
        let ExprKind::Name(name) = &arg.kind else {
            return None;
        };
        match self.scopes.lookup(&name.name)? {
            Binding::Local(l) => match self.infer.resolve(self.b.local_ty(l)) {
                super::infer::Resolved::Known(ty) => Some(ty),
                _ => None,
            },
            Binding::Param(p) => Some(self.param(p)?.elem()),
            Binding::Size(_) | Binding::Const(_) => Some(ScalarType::I64),
            _ => None,
        }
    }

    /// Why this call cannot be expanded (depth, size), if so.
    fn inline_refused(&self, sig: &FnSig, span: Span) -> Option<Diagnostic> {
        if self.inline_stack.len() >= limits::MAX_CALL_DEPTH
            || self.b.body.exprs.len() > limits::MAX_INLINED_EXPRS
        {
            return Some(
                Diagnostic::error(format!("expanding `{}` here makes this body too large", sig.name))
                    .primary(span, "this call")
                    .note(format!(
                        "calls nest at most {} deep, and a body holds at most {} expressions once expanded",
                        limits::MAX_CALL_DEPTH,
                        limits::MAX_INLINED_EXPRS
                    )),
            );
        }
        None
    }

    /// A struct, tuple or scalar argument, copied into fresh locals; a
    /// name is bound as it is (parameters are read-only), so the body reads
    /// the caller's index `i` itself and the plan still sees `x[i]` as a
    /// contiguous load.
    fn bind_value_arg(
        &mut self,
        name: &Ident,
        ty: &ValTy,
        arg: &ast::Expr,
        callee: &Ident,
        scope: &mut Scopes,
    ) -> bool {
        if let Some(binding) = self.alias_arg(arg, ty) {
            scope.bind(&name.name, binding);
            return true;
        }
        let v = self.value_of(arg);
        let what = format!("this argument of `{}`", callee.name);
        if !self.expect_value(&v, ty, &what) {
            return false;
        }
        let mut prelude = Vec::new();
        let saved = std::mem::replace(&mut self.scopes, std::mem::take(scope));
        self.bind_value(name, v, LocalKind::Var, arg.span, &mut prelude);
        *scope = std::mem::replace(&mut self.scopes, saved);
        for stmt in prelude {
            self.push_prelude(stmt.kind, stmt.span);
        }
        true
    }

    /// The binding a name argument shares with the parameter, when its type
    /// fits (checked here).
    fn alias_arg(&mut self, arg: &ast::Expr, ty: &ValTy) -> Option<Binding> {
        let binding = match &arg.kind {
            ExprKind::Name(name) => self.scopes.lookup(&name.name)?,
            ExprKind::Field { .. } => self.part_binding(arg)?,
            _ => return None,
        };
        let fits = match (binding, ty) {
            (Binding::Local(l), ValTy::Scalar(t)) => {
                self.infer.unify(*t, self.b.local_ty(l)).is_ok()
            }
            (Binding::Size(_) | Binding::Const(_), ValTy::Scalar(t)) => {
                let i64_ty = super::lower::ty_of(ScalarType::I64);
                self.infer.unify(*t, i64_ty).is_ok()
            }
            (Binding::Aggregate(a), _) => self.aggregates[a as usize].ty == *ty,
            _ => false,
        };
        // A mismatch is reported by the general path.
        fits.then_some(binding)
    }

    /// `r.org` or `p.x` of a struct or tuple local, as a binding of its
    /// own (the same IR locals, no copy).
    fn part_binding(&mut self, arg: &ast::Expr) -> Option<Binding> {
        let mut path = Vec::new();
        let mut base = arg;
        while let ExprKind::Field { base: b, member } = &base.kind {
            path.push(member);
            base = b;
        }
        let ExprKind::Name(name) = &base.kind else {
            return None;
        };
        let Binding::Aggregate(a) = self.scopes.lookup(&name.name)? else {
            return None;
        };
        let agg = &self.aggregates[a as usize];
        let (mut offset, mut ty) = (0, agg.ty.clone());
        for member in path.into_iter().rev() {
            let (o, t) = self.structs().member(&ty, member)?;
            offset += o;
            ty = t;
        }
        let count = self.structs().leaf_tys(&ty).len();
        let leaves = agg.leaves[offset..offset + count].to_vec();
        if ty.is_scalar() {
            return Some(Binding::Local(leaves[0]));
        }
        self.aggregates.push(super::types::Aggregate { ty, leaves });
        Some(Binding::Aggregate(self.aggregates.len() as u32 - 1))
    }

    /// An array argument: the parameter names the caller's array, each size
    /// name the caller's extent.
    fn bind_array_arg(
        &mut self,
        name: &Ident,
        elem: ScalarType,
        dims: &[Dim],
        arg: &ast::Expr,
        sizes: &mut HashMap<String, (Binding, Span)>,
        scope: &mut Scopes,
    ) -> bool {
        let Some((binding, found_elem, extents)) = self.array_arg(arg) else {
            let d = Diagnostic::error(format!("`{}` takes an array", name.name))
                .primary(arg.span, "not an array name")
                .help(format!(
                    "pass an array by its name, e.g. `f(x, ...)` for `{}: {elem}[...]`",
                    name.name
                ));
            self.error(d);
            return false;
        };
        if found_elem != elem || extents.len() != dims.len() {
            let d = Diagnostic::error("mismatched array types")
                .primary(
                    arg.span,
                    format!(
                        "a `{found_elem}` array of {} dimension{}",
                        extents.len(),
                        if extents.len() == 1 { "" } else { "s" }
                    ),
                )
                .note(format!(
                    "`{}` is a `{elem}` array of {} dimension{}",
                    name.name,
                    dims.len(),
                    if dims.len() == 1 { "" } else { "s" }
                ));
            self.error(d);
            return false;
        }
        for (dim, extent) in dims.iter().zip(extents) {
            if !self.bind_dim(dim, extent, arg.span, sizes) {
                return false;
            }
        }
        scope.bind(&name.name, binding);
        true
    }

    /// Checks or binds one declared dimension against the argument's.
    fn bind_dim(
        &mut self,
        dim: &Dim,
        extent: Extent,
        span: Span,
        sizes: &mut HashMap<String, (Binding, Span)>,
    ) -> bool {
        let binding = match extent {
            Extent::Size(s) => Binding::Size(s),
            Extent::Const(c) => Binding::Const(c),
        };
        match dim {
            Dim::Const(c) => {
                if self.extent_const(extent) == Some(*c) {
                    return true;
                }
                let d = Diagnostic::error(format!("expected an array whose extent here is {c}"))
                    .primary(span, "an extent that is not known to be this constant");
                self.error(d);
                false
            }
            Dim::Name(n) => {
                match sizes.get(n) {
                    Some((earlier, _)) if *earlier != binding => {
                        let d = Diagnostic::error(format!("size `{n}` differs between two array arguments"))
                        .primary(span, format!("here `{n}` would be a different extent"))
                        .note("the parameters name the same size, so the arrays must share that extent");
                        self.error(d);
                        false
                    }
                    _ => {
                        sizes.insert(n.clone(), (binding, span));
                        true
                    }
                }
            }
        }
    }

    fn extent_const(&self, extent: Extent) -> Option<i64> {
        match extent {
            Extent::Const(c) => Some(c),
            Extent::Size(s) => match self.kernel.as_ref()?.sizes[s].definition {
                Some(SizeDef::Const(c)) => Some(c),
                _ => None,
            },
        }
    }

    /// The array a name argument denotes: its binding, element type and
    /// extents.
    fn array_arg(&self, arg: &ast::Expr) -> Option<(Binding, ScalarType, Vec<Extent>)> {
        let ExprKind::Name(name) = &arg.kind else {
            return None;
        };
        let binding = match self.scopes.lookup(&name.name) {
            Some(b) => b,
            None => match self.globals.consts.by_name.get(&name.name)? {
                super::consts::GlobalConst::Table(t) => Binding::Table(*t),
                super::consts::GlobalConst::Scalar(_) => return None,
            },
        };
        match binding {
            Binding::Param(p) => {
                let param = self.param(p)?;
                let extents = param.dims().iter().map(|&s| Extent::Size(s)).collect();
                param.is_array().then_some((binding, param.elem(), extents))
            }
            Binding::LocalArray(a) => {
                let array = &self.b.body.arrays[a];
                Some((
                    binding,
                    array.elem,
                    array.dims.iter().map(|&d| Extent::Const(d)).collect(),
                ))
            }
            Binding::Table(t) => {
                let table = &self.globals.consts.tables[t];
                Some((
                    binding,
                    table.elem,
                    table.dims.iter().map(|&d| Extent::Const(d)).collect(),
                ))
            }
            _ => None,
        }
    }

    /// Checks `decl`'s body in the caller with `scope` as its only names;
    /// its statements go to the prelude, its value is returned. Errors the
    /// body alone causes were reported when it was checked on its own.
    fn expand_body(&mut self, func: FuncId, decl: &ast::FunctionDecl, scope: Scopes) -> Value {
        let saved_scopes = std::mem::replace(&mut self.scopes, scope);
        let saved_diags = std::mem::take(&mut self.diags);
        let saved_ctx = self.ctx.enter_function();
        let outer_prelude = self.ctx.prelude.take();
        self.inline_stack.push(func);
        let (block, value) = self.value_block_any(&decl.body, "a function body");
        self.inline_stack.pop();
        self.ctx.prelude = outer_prelude;
        self.ctx.restore(saved_ctx);
        let own_errors = std::mem::replace(&mut self.diags, saved_diags);
        self.scopes = saved_scopes;
        let (limits, others): (Vec<Diagnostic>, Vec<Diagnostic>) = own_errors
            .into_iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .partition(|d| d.message.starts_with("expanding"));
        if !limits.is_empty() || !others.is_empty() {
            // The body's own errors were reported where it is defined;
            // the call says it could not be expanded, so no error is ever
            // silent (and the first cause is named).
            self.diags.extend(limits);
            if let (Some(first), Some(site)) = (others.first(), self.expansion_site) {
                let d = Diagnostic::error(format!(
                    "`{}` has an error, so this call cannot be expanded",
                    decl.name.name
                ))
                .primary(site, "called here")
                .note(format!("in `{}`: {}", decl.name.name, first.message));
                self.error(d);
            }
            return self.error_value(value.span);
        }
        for stmt in block {
            self.push_prelude(stmt.kind, stmt.span);
        }
        value
    }

    /// A value needed by a statement that runs once (a `let` or assignment
    /// value, a condition, bounds): as [`Self::value`], for any value.
    pub fn statement_value(&mut self, e: &ast::Expr) -> Value {
        if !self.in_uniform_code() {
            return self.nested(|l| l.value_of(e));
        }
        self.ctx.hoist_reductions = true;
        let v = self.value_of(e);
        self.ctx.hoist_reductions = false;
        v
    }

    /// `a && b` or `a || b` whose right side `r` needs the statements
    /// `prelude` first: they run only where the left side does not decide,
    /// as `&&` promises: `t = a; if t { prelude; t = r; }` (`!t` for `||`).
    pub fn short_circuit(
        &mut self,
        op: ir::BinaryOp,
        lhs: ir::ExprId,
        r: ir::ExprId,
        prelude: Vec<ir::Stmt>,
        span: Span,
    ) -> ir::ExprId {
        let bool_ty = super::lower::ty_of(ScalarType::Bool);
        let what = format!("the operands of `{}`", op.symbol());
        self.expect_ty(lhs, bool_ty, &what);
        self.expect_ty(r, bool_ty, &what);
        let t = self.b.local("_cond", bool_ty, span, LocalKind::Var);
        self.push_prelude(
            StmtKind::Assign {
                local: t,
                value: lhs,
            },
            span,
        );
        let read = self.local_read(t, span);
        let cond = match op {
            ir::BinaryOp::And => read,
            _ => self.b.expr(
                Expr::Unary {
                    op: ir::UnaryOp::Not,
                    arg: read,
                },
                bool_ty,
                span,
            ),
        };
        let mut then_block = prelude;
        then_block.push(ir::Stmt::new(StmtKind::Assign { local: t, value: r }, span));
        self.push_prelude(
            StmtKind::If {
                cond,
                then_block,
                else_block: Vec::new(),
            },
            span,
        );
        self.local_read(t, span)
    }
}

/// An extent of an array argument.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Extent {
    Size(ir::SizeId),
    Const(i64),
}
