//! Checking and lowering expressions: names, operators, calls, casts and
//! array reads. Reductions are in `phase.rs`.

use super::builder::PendingLiteral;
use super::constants::{self, NamedConstant};
use super::consts::GlobalConst;
use super::habits;
use super::infer::{Resolved, Ty, VarKind};
use super::lower::{ty_of, Lowerer};
use super::phase::ReductionHeader;
use super::scope::{suggest, Binding};
use super::types::ValTy;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, BinaryOp, Builtin, BuiltinSignature, Expr, ExprId, ParamKind, UnaryOp};
use crate::semantics::ops::bits_twin;
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind, Ident, Literal};
use crate::types::ScalarType;

/// The operand types an operator or builtin accepts.
#[derive(Clone, Copy)]
enum Class {
    Numeric,
    Float,
    Int,
    IntOrBool,
    Bool,
}

impl Class {
    fn accepts(self, ty: Resolved) -> bool {
        ty.is_error()
            || match self {
                Class::Numeric => ty.is_numeric(),
                Class::Float => ty.is_float(),
                Class::Int => ty.is_int(),
                Class::IntOrBool => ty.is_int() || ty.is_bool(),
                Class::Bool => ty.is_bool(),
            }
    }

    fn describe(self) -> &'static str {
        match self {
            Class::Numeric => "a number",
            Class::Float => "a float (`f32` or `f64`)",
            Class::Int => "an integer (`i32` or `i64`)",
            Class::IntOrBool => "an integer or `bool`",
            Class::Bool => "`bool`",
        }
    }
}

impl Lowerer<'_> {
    pub fn expr(&mut self, e: &ast::Expr) -> ExprId {
        match &e.kind {
            ExprKind::Literal(lit) => self.literal(*lit, false, e.span),
            ExprKind::Name(ident) => self.name(ident),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Call { callee, args } => {
                if self.is_value_call(callee, args) && callee.name != "select" {
                    let v = self.value_of(e);
                    return self.scalar_of(v, "this expression");
                }
                self.call(callee, args, e.span)
            }
            ExprKind::Cast { ty, arg, .. } => {
                let arg = self.expr(arg);
                self.b.expr(Expr::Cast { arg }, ty_of(*ty), e.span)
            }
            ExprKind::Index { array, indices } => self.load(array, indices, e.span),
            ExprKind::Field { .. } | ExprKind::Tuple(_) => {
                let v = self.value_of(e);
                self.scalar_of(v, "this expression")
            }
            ExprKind::Keyword { name, value } => {
                self.expr(value);
                let d = Diagnostic::error(format!("named argument `{}` outside a struct constructor", name.name))
                    .primary(name.span, "functions and builtins take arguments by position")
                    .help("pass the value alone; only struct constructors name fields, `Vec3(x = 1.0, y = 0.0, z = 0.0)`");
                self.error(d);
                self.error_expr(e.span)
            }
            ExprKind::Reduce {
                op,
                result,
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
                self.reduction_expr(header, body, e.span)
            }
            ExprKind::Error => self.error_expr(e.span),
        }
    }

    fn literal(&mut self, lit: Literal, negated: bool, span: Span) -> ExprId {
        let sign = if negated { -1 } else { 1 };
        match lit {
            Literal::Bool(v) => self.b.expr(
                Expr::Const(ir::Scalar::Bool(v)),
                ty_of(ScalarType::Bool),
                span,
            ),
            Literal::Int(v) => {
                let ty = self.infer.fresh(VarKind::Int);
                self.b
                    .literal(PendingLiteral::Int(sign * i128::from(v)), ty, span)
            }
            Literal::Float(v) => {
                let ty = self.infer.fresh(VarKind::Float);
                self.b
                    .literal(PendingLiteral::Float(sign as f64 * v), ty, span)
            }
        }
    }

    fn name(&mut self, ident: &Ident) -> ExprId {
        match self.scopes.lookup(&ident.name) {
            Some(Binding::Local(local)) => self.local_read(local, ident.span),
            Some(Binding::Size(size)) => {
                self.b
                    .expr(Expr::Size(size), ty_of(ScalarType::I64), ident.span)
            }
            Some(Binding::Param(param)) => self.param_value(param, ident),
            Some(Binding::Aggregate(a)) => {
                let v = self.aggregate_value(a, ident.span);
                self.scalar_of(v, &format!("`{}` here", ident.name))
            }
            Some(Binding::Const(c)) => self.b.expr(
                Expr::Const(ir::Scalar::I64(c)),
                ty_of(ScalarType::I64),
                ident.span,
            ),
            Some(Binding::LocalArray(_) | Binding::Table(_)) => {
                let d = Diagnostic::error(format!("`{}` is an array, not a value", ident.name))
                    .primary(ident.span, "a whole array cannot be used as a value")
                    .help(format!("read one element: `{}[k]`", ident.name));
                self.error(d);
                self.error_expr(ident.span)
            }
            None if self.globals.consts.by_name.contains_key(&ident.name) => {
                self.global_const(ident)
            }
            // `T::MAX` of a type parameter is its type's (`f64::MAX`).
            None => match constants::lookup(&self.type_path(&ident.name).unwrap_or_default())
                .or_else(|| constants::lookup(&ident.name))
            {
                Some(NamedConstant::Float(v)) => {
                    let ty = self.infer.fresh(VarKind::Float);
                    self.b.literal(PendingLiteral::Float(v), ty, ident.span)
                }
                Some(NamedConstant::Typed(v)) => {
                    self.b.expr(Expr::Const(v), ty_of(v.ty()), ident.span)
                }
                None => {
                    self.unknown_name(ident, "value");
                    self.error_expr(ident.span)
                }
            },
        }
    }

    /// A `const` item's name: its value, or an error for a table.
    fn global_const(&mut self, ident: &Ident) -> ExprId {
        match self.globals.consts.by_name.get(&ident.name) {
            Some(GlobalConst::Scalar(v)) => {
                let v = *v;
                self.b.expr(Expr::Const(v), ty_of(v.ty()), ident.span)
            }
            _ => {
                let d = Diagnostic::error(format!("`{}` is a table, not a value", ident.name))
                    .primary(ident.span, "a whole table cannot be used as a value")
                    .help(format!("read one element: `{}[k]`", ident.name));
                self.error(d);
                self.error_expr(ident.span)
            }
        }
    }

    /// `TABLE[index]` of a constant table.
    fn table_load(
        &mut self,
        table: ir::TableId,
        name: &Ident,
        indices: &[ast::Expr],
        span: Span,
    ) -> ExprId {
        let (elem, rank) = {
            let t = &self.globals.consts.tables[table];
            (t.elem, t.dims.len())
        };
        self.fixed_shape_read((name, indices, span), elem, rank, |index| Expr::TableLoad {
            table,
            index,
        })
    }

    fn param_value(&mut self, param: ir::ParamId, ident: &Ident) -> ExprId {
        match self.param(param).map(|p| p.kind.clone()) {
            Some(ParamKind::Scalar(ty)) => self.b.expr(Expr::Param(param), ty_of(ty), ident.span),
            _ => {
                let d = Diagnostic::error(format!("array `{}` used as a value", ident.name))
                    .primary(ident.span, "an array, not a scalar")
                    .help(format!("read one element: `{}[i]`", ident.name));
                self.error(d);
                self.error_expr(ident.span)
            }
        }
    }

    pub fn unknown_name(&mut self, ident: &Ident, what: &str) {
        let mut d = Diagnostic::error(format!("cannot find {what} `{}` in this scope", ident.name))
            .primary(ident.span, "not found in this scope");
        let candidates: Vec<&str> = self.scopes.visible_names().collect();
        if let Some(help) = habits::name_help(&ident.name) {
            d = d.help(help);
        } else if let Some(close) = suggest(&ident.name, candidates) {
            d = d.help(format!("a name with a similar spelling exists: `{close}`"));
        }
        self.error(d);
    }

    fn unary(&mut self, op: UnaryOp, operand: &ast::Expr, span: Span) -> ExprId {
        // `-2147483648` must be one literal: its magnitude alone does not fit.
        if let (UnaryOp::Neg, ExprKind::Literal(lit @ (Literal::Int(_) | Literal::Float(_)))) =
            (op, &operand.kind)
        {
            return self.literal(*lit, true, span);
        }
        let arg = self.expr(operand);
        let class = match op {
            UnaryOp::Neg => Class::Numeric,
            UnaryOp::Not => Class::IntOrBool,
        };
        self.require(
            arg,
            class,
            &format!("the operand of unary `{}`", op.symbol()),
        );
        let ty = self.b.expr_ty(arg);
        self.b.expr(Expr::Unary { op, arg }, ty, span)
    }

    fn binary(&mut self, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span) -> ExprId {
        let l = self.expr(lhs);
        let r = if matches!(op, BinaryOp::And | BinaryOp::Or) && self.ctx.prelude.is_some() {
            // The right side's prelude may run only where it is evaluated.
            let (r, prelude) = self.with_own_prelude(|s| s.expr(rhs));
            if !prelude.is_empty() {
                return self.short_circuit(op, l, r, prelude, span);
            }
            r
        } else {
            self.expr(rhs)
        };
        let what = format!("the operands of `{}`", op.symbol());
        let ty = self.same_type(l, r, op, span);
        let class = match op {
            BinaryOp::And | BinaryOp::Or => Class::Bool,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                Class::Numeric
            }
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => Class::IntOrBool,
            BinaryOp::Shl | BinaryOp::Shr => Class::Int,
            _ => {
                return self.b.expr(
                    Expr::Binary { op, lhs: l, rhs: r },
                    ty_of(ScalarType::Bool),
                    span,
                )
            }
        };
        self.require(l, class, &what);
        self.b.expr(Expr::Binary { op, lhs: l, rhs: r }, ty, span)
    }

    /// Runs `f` with a fresh prelude, returned beside its result.
    pub fn with_own_prelude<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (T, Vec<ir::Stmt>) {
        let outer = self.ctx.prelude.replace(Vec::new());
        self.ctx.enclosing_preludes.push(outer);
        let result = f(self);
        let outer = self.ctx.enclosing_preludes.pop().flatten();
        let prelude = std::mem::replace(&mut self.ctx.prelude, outer).unwrap_or_default();
        (result, prelude)
    }

    /// Unifies the operand types of a binary operator; a mismatch is
    /// reported once, with both operands labelled.
    fn same_type(&mut self, l: ExprId, r: ExprId, op: BinaryOp, span: Span) -> Ty {
        match self.infer.unify(self.b.expr_ty(l), self.b.expr_ty(r)) {
            Ok(ty) => ty,
            Err(mismatch) => {
                let (ls, rs) = (self.b.body.exprs[l].span, self.b.body.exprs[r].span);
                let mut d = Diagnostic::error(format!(
                    "mismatched types: `{}` {} `{}`",
                    mismatch.expected.describe(),
                    op.symbol(),
                    mismatch.found.describe()
                ))
                .primary(rs, format!("this is `{}`", mismatch.found.describe()))
                .secondary(ls, format!("this is `{}`", mismatch.expected.describe()))
                .note("both operands must have the same type");
                if let Some(help) = super::lower::conversion_help(mismatch.expected, mismatch.found)
                {
                    d = d.help(help);
                }
                let _ = span;
                self.error(d);
                Ty::Error
            }
        }
    }

    /// Reports unless `id`'s type is in `class`; whether it is.
    fn require(&mut self, id: ExprId, class: Class, what: &str) -> bool {
        let ty = self.resolve(id);
        if class.accepts(ty) {
            return true;
        }
        let span = self.b.body.exprs[id].span;
        let d = Diagnostic::error(format!(
            "expected {}, found `{}`",
            class.describe(),
            ty.describe()
        ))
        .primary(span, format!("this is `{}`", ty.describe()))
        .note(format!("{what} must be {}", class.describe()));
        self.error(d);
        false
    }

    fn call(&mut self, callee: &Ident, args: &[ast::Expr], span: Span) -> ExprId {
        if let Some(d) = self.habit_call(callee, args) {
            // The arguments are not checked: `len(x)` would add "array used
            // as a value" to the one mistake.
            self.error(d);
            return self.error_expr(span);
        }
        let lowered: Vec<ExprId> = args.iter().map(|a| self.expr(a)).collect();
        if let Some(&ty) = self.type_params.get(&callee.name) {
            return self.type_param_cast(ty, callee, lowered, span);
        }
        if let Some(builtin) = Builtin::from_name(&callee.name) {
            return self.builtin(builtin, callee, lowered, span);
        }
        if let Some(generic) = self.globals.generic_fns.get(&callee.name) {
            return self.generic_call(generic, callee, lowered, span);
        }
        if let Some(&func) = self.globals.fn_by_name.get(&callee.name) {
            return self.user_call(func, callee, lowered, span);
        }
        if self.globals.kernel_names.contains_key(&callee.name) {
            let d = Diagnostic::error(format!("cannot call kernel `{}`", callee.name))
                .primary(callee.span, "a kernel, not a function")
                .help("kernels are entry points for the host; move shared code into a `fn`");
            self.error(d);
        } else {
            let mut d = Diagnostic::error(format!("cannot find function `{}`", callee.name))
                .primary(callee.span, "not a builtin or a function of this file");
            let names = Builtin::ALL
                .iter()
                .map(|b| b.name())
                .chain(self.globals.fn_by_name.keys().map(String::as_str));
            if let Some(close) = suggest(&callee.name, names) {
                d = d.help(format!("a function with a similar name exists: `{close}`"));
            }
            self.error(d);
        }
        self.error_expr(span)
    }

    /// "cannot find function" with a help, for a call of a function kern
    /// does not have but another array language does (`len`, `range`, ...).
    fn habit_call(&self, callee: &Ident, args: &[ast::Expr]) -> Option<Diagnostic> {
        let known = Builtin::from_name(&callee.name).is_some()
            || self.globals.fn_by_name.contains_key(&callee.name)
            || self.globals.kernel_names.contains_key(&callee.name);
        if known {
            return None;
        }
        let help = self.call_help(&callee.name, args)?;
        Some(
            Diagnostic::error(format!("cannot find function `{}`", callee.name))
                .primary(callee.span, "not a builtin or a function of this file")
                .help(help),
        )
    }

    pub fn check_arity(
        &mut self,
        name: &str,
        expected: usize,
        found: usize,
        callee_span: Span,
    ) -> bool {
        if expected == found {
            return true;
        }
        let plural = if expected == 1 { "" } else { "s" };
        let d = Diagnostic::error(format!(
            "`{name}` takes {expected} argument{plural} but {found} {} supplied",
            if found == 1 { "was" } else { "were" }
        ))
        .primary(callee_span, format!("expected {expected} argument{plural}"));
        self.error(d);
        false
    }

    pub fn builtin(
        &mut self,
        fun: Builtin,
        callee: &Ident,
        args: Vec<ExprId>,
        span: Span,
    ) -> ExprId {
        if !self.check_arity(fun.name(), fun.arity(), args.len(), callee.span) {
            return self.error_expr(span);
        }
        let what = format!("the arguments of `{}`", fun.name());
        let signature = fun.signature();
        let (operands, class) = match (signature, args.split_first()) {
            (BuiltinSignature::Numeric { .. }, _) => (&args[..], Some(Class::Numeric)),
            (
                BuiltinSignature::Float { .. }
                | BuiltinSignature::FloatTest
                | BuiltinSignature::ToBits,
                _,
            ) => (&args[..], Some(Class::Float)),
            (BuiltinSignature::Int { .. } | BuiltinSignature::FromBits, _) => {
                (&args[..], Some(Class::Int))
            }
            (BuiltinSignature::Select, Some((&cond, values))) => {
                self.expect_ty(cond, ty_of(ScalarType::Bool), "the condition of `select`");
                (values, None)
            }
            // Not taken: `check_arity` passed, and `select` takes three.
            (BuiltinSignature::Select, None) => return self.error_expr(span),
        };
        // Not taken either: every builtin takes at least one argument.
        let Some((&first, rest)) = operands.split_first() else {
            return self.error_expr(span);
        };
        let mut ty = self.b.expr_ty(first);
        for &operand in rest {
            ty = self.expect_ty(operand, ty, &what);
        }
        if let Some(class) = class {
            if !self.require(first, class, &what) {
                ty = Ty::Error;
            }
        }
        let result = self.builtin_result(signature, ty);
        self.b.expr(Expr::Builtin { fun, args }, result, span)
    }

    /// The result type of a builtin whose operands have type `operand`.
    /// `to_bits` and `from_bits` change the type but keep the width, so the
    /// operand's type must be known here: a literal that nothing has
    /// decided yet takes its default type now (`to_bits(1.0)` is an
    /// `i64`), as Rust needs `1.0f64.to_bits()`.
    fn builtin_result(&mut self, signature: BuiltinSignature, operand: Ty) -> Ty {
        match signature {
            BuiltinSignature::FloatTest => ty_of(ScalarType::Bool),
            BuiltinSignature::ToBits | BuiltinSignature::FromBits => {
                if self.infer.resolve(operand).is_error() {
                    return Ty::Error;
                }
                let decided = self.infer.finish(operand);
                // Cannot fail: an undecided variable takes its own default.
                let _ = self.infer.unify(operand, ty_of(decided));
                bits_twin(decided).map_or(Ty::Error, ty_of)
            }
            BuiltinSignature::Numeric { .. }
            | BuiltinSignature::Float { .. }
            | BuiltinSignature::Int { .. }
            | BuiltinSignature::Select => operand,
        }
    }

    pub(super) fn user_call(
        &mut self,
        func: ir::FuncId,
        callee: &Ident,
        args: Vec<ExprId>,
        span: Span,
    ) -> ExprId {
        let sig = &self.globals.functions[func];
        let (params, ret, ir_func) = (sig.params.clone(), sig.ret.clone(), sig.ir);
        if !self.check_arity(&callee.name, params.len(), args.len(), callee.span) {
            return self.error_expr(span);
        }
        for (&arg, param_ty) in args.iter().zip(&params) {
            // Functions with other parameters are expanded (`inline.rs`).
            if let super::ParamTy::Value(ValTy::Scalar(ty)) = param_ty {
                self.expect_ty(arg, *ty, &format!("this argument of `{}`", callee.name));
            }
        }
        self.note_call(func, callee.span);
        match (ret, ir_func) {
            (Some(ValTy::Scalar(ret)), Some(func)) => {
                self.b.expr(Expr::Call { func, args }, ret, span)
            }
            _ => self.error_expr(span),
        }
    }

    /// Lowers the index list of an array access: one `i64` per dimension.
    pub fn indices(
        &mut self,
        array: &Ident,
        rank: usize,
        indices: &[ast::Expr],
        span: Span,
    ) -> Vec<ExprId> {
        if indices.len() != rank {
            let d = Diagnostic::error(format!(
                "`{}` has {rank} dimension{} but {} ind{} given",
                array.name,
                if rank == 1 { "" } else { "s" },
                indices.len(),
                if indices.len() == 1 {
                    "ex was"
                } else {
                    "ices were"
                }
            ))
            .primary(
                span,
                format!(
                    "expected {rank} ind{}",
                    if rank == 1 { "ex" } else { "ices" }
                ),
            );
            self.error(d);
        }
        indices
            .iter()
            .map(|index| {
                let id = self.expr(index);
                self.expect_ty(id, ty_of(ScalarType::I64), "an array index");
                id
            })
            .collect()
    }

    /// Resolves a name used as an array; reports and returns `None` if it is
    /// not one.
    pub fn array_param(
        &mut self,
        array: &Ident,
    ) -> Option<(ir::ParamId, ScalarType, Vec<ir::SizeId>)> {
        match self.scopes.lookup(&array.name) {
            Some(Binding::Param(p)) => match self.param(p).map(|p| p.kind.clone()) {
                Some(ParamKind::Array { elem, dims }) => return Some((p, elem, dims)),
                _ => self.not_an_array(array),
            },
            Some(_) => self.not_an_array(array),
            None => self.unknown_name(array, "array"),
        }
        None
    }

    fn not_an_array(&mut self, array: &Ident) {
        let d = Diagnostic::error(format!("`{}` is not an array", array.name))
            .primary(array.span, "cannot be indexed");
        self.error(d);
    }

    fn load(&mut self, array: &Ident, indices: &[ast::Expr], span: Span) -> ExprId {
        match self.scopes.lookup(&array.name) {
            Some(Binding::LocalArray(local)) => {
                return self.local_load(local, array, indices, span);
            }
            Some(Binding::Table(t)) => return self.table_load(t, array, indices, span),
            None => {
                if let Some(GlobalConst::Table(t)) = self.globals.consts.by_name.get(&array.name) {
                    return self.table_load(*t, array, indices, span);
                }
            }
            Some(_) => {}
        }
        let Some((param, elem, dims)) = self.array_param(array) else {
            indices.iter().for_each(|i| {
                self.expr(i);
            });
            return self.error_expr(span);
        };
        self.note_load(param, indices, span);
        let index = self.indices(array, dims.len(), indices, span);
        if index.len() != dims.len() {
            return self.error_expr(span);
        }
        self.b.expr(
            Expr::Load {
                array: param,
                index,
            },
            ty_of(elem),
            span,
        )
    }
}
