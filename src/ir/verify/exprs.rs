//! Verifier checks of the expression arena: handles, tree order, types.
//!
//! In: one body's expression arena. Out: per-expression operand use counts
//! (statement roots are counted later by the statement walk) or the first
//! ill-typed or ill-placed node. The typing rules live in the three pure
//! functions [`unary_result`], [`binary_result`] and [`builtin_result`].

use super::{Check, Checker, VerifyError};
use crate::ir::*;
use crate::types::ScalarType;
use cranelift_entity::EntityRef;

impl Checker<'_> {
    /// Checks every node on its own; returns how often each node is used as
    /// an operand. After this, every operand handle is in range and smaller
    /// than its user's, so walking a tree from any root terminates.
    pub(super) fn check_arena(&self) -> Result<Vec<u32>, VerifyError> {
        let mut uses = vec![0u32; self.body.exprs.len()];
        for (id, node) in self.body.exprs.iter() {
            if let Some(op) = node.expr.operands().find(|&op| op >= id) {
                return Err(self.err(
                    node.span,
                    format!("{id} uses {op}, which does not precede it"),
                ));
            }
            for op in node.expr.operands() {
                uses[op.index()] += 1;
            }
            self.check_node(id, node)?;
        }
        Ok(uses)
    }

    fn check_node(&self, id: ExprId, node: &ExprNode) -> Check {
        let ty = |e: ExprId| self.body.exprs[e].ty; // operands precede `id`, so they exist
        let span = node.span;
        let expected = match &node.expr {
            Expr::Const(c) => Some(c.ty()),
            Expr::Param(p) => {
                let param = self.param(*p, span)?;
                let readable = param.role == ParamRole::Input && !param.is_array();
                readable.then(|| param.elem())
            }
            Expr::Size(s) => {
                self.check_size(*s, span)?;
                Some(ScalarType::I64)
            }
            Expr::Local(l) => Some(self.local(*l, span)?.ty),
            Expr::Load { array, index } => {
                let param = self.param(*array, span)?;
                let ok = param.is_array()
                    && index.len() == param.dims().len()
                    && index.iter().all(|&i| ty(i) == ScalarType::I64);
                ok.then(|| param.elem())
            }
            Expr::LocalLoad { array, index } => {
                let a = self.local_array(*array, span)?;
                let ok =
                    index.len() == a.dims.len() && index.iter().all(|&i| ty(i) == ScalarType::I64);
                ok.then_some(a.elem)
            }
            Expr::TableLoad { table, index } => {
                let t = self.table(*table, span)?;
                let ok =
                    index.len() == t.dims.len() && index.iter().all(|&i| ty(i) == ScalarType::I64);
                ok.then_some(t.elem)
            }
            Expr::Unary { op, arg } => unary_result(*op, ty(*arg)),
            Expr::Binary { op, lhs, rhs } => (ty(*lhs) == ty(*rhs))
                .then(|| binary_result(*op, ty(*lhs)))
                .flatten(),
            Expr::Cast { .. } => Some(node.ty),
            Expr::Builtin { fun, args } => {
                builtin_result(*fun, &args.iter().map(|&a| ty(a)).collect::<Vec<_>>())
            }
            Expr::Call { func, args } => self.call_result(*func, args, span)?,
        };
        match expected {
            Some(t) if t == node.ty => Ok(()),
            Some(t) => Err(self.err(
                span,
                format!(
                    "{id} has type {} but {} gives {t}",
                    node.ty,
                    self.describe(node)
                ),
            )),
            None => Err(self.err(
                span,
                format!("{id}: ill-typed {} ({})", self.describe(node), node.ty),
            )),
        }
    }

    fn check_size(&self, s: SizeId, span: Span) -> Check {
        match self.kernel {
            None => Err(self.err(span, format!("{s} used in a function"))),
            Some(k) if k.sizes.get(s).is_none() => {
                Err(self.err(span, format!("{s} is out of range")))
            }
            Some(_) => Ok(()),
        }
    }

    /// The return type of a well-typed call, `None` for an ill-typed one.
    fn call_result(
        &self,
        func: FuncId,
        args: &[ExprId],
        span: Span,
    ) -> Result<Option<ScalarType>, VerifyError> {
        let callee = self
            .module
            .functions
            .get(func)
            .ok_or_else(|| self.err(span, format!("{func} is out of range")))?;
        let param_ty = |p: &LocalId| callee.body.locals.get(*p).map(|l| l.ty);
        let arg_ty = |a: &ExprId| Some(self.body.exprs[*a].ty);
        let agree = args.len() == callee.params.len()
            && args
                .iter()
                .map(arg_ty)
                .eq(callee.params.iter().map(param_ty));
        Ok(agree.then_some(callee.ret))
    }

    /// The node's operator and operand types, for messages.
    fn describe(&self, node: &ExprNode) -> String {
        let types: Vec<String> = node
            .expr
            .operands()
            .map(|op| self.body.exprs[op].ty.to_string())
            .collect();
        let what = match &node.expr {
            Expr::Const(_) => "constant".to_string(),
            Expr::Param(p) => format!("param {p}"),
            Expr::Size(s) => format!("size {s}"),
            Expr::Local(l) => format!("local {l}"),
            Expr::Load { array, .. } => format!("load of {array}"),
            Expr::LocalLoad { array, .. } => format!("load of {array}"),
            Expr::TableLoad { table, .. } => format!("load of {table}"),
            Expr::Unary { op, .. } => format!("unary {op:?}"),
            Expr::Binary { op, .. } => format!("binary {op:?}"),
            Expr::Cast { .. } => "cast".to_string(),
            Expr::Builtin { fun, .. } => format!("builtin {}", fun.name()),
            Expr::Call { func, .. } => format!("call of {func}"),
        };
        format!("{what}({})", types.join(", "))
    }

    /// Visits every node of the tree under `root` (root first). Relies on
    /// [`Checker::check_arena`] having passed, so operands exist and the
    /// walk ends.
    pub(super) fn visit_tree(
        &self,
        root: ExprId,
        mut visit: impl FnMut(ExprId, &ExprNode) -> Check,
    ) -> Check {
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            let node = &self.body.exprs[id];
            visit(id, node)?;
            stack.extend(node.expr.operands());
        }
        Ok(())
    }
}

/// The result type of `op` on an operand of type `t`, `None` if not allowed.
pub fn unary_result(op: UnaryOp, t: ScalarType) -> Option<ScalarType> {
    let ok = match op {
        UnaryOp::Neg => t.is_numeric(),
        UnaryOp::Not => t.is_int() || t == ScalarType::Bool,
    };
    ok.then_some(t)
}

/// The result type of `op` on two operands of type `t`, `None` if not
/// allowed. `Rem` is allowed on floats (fmod).
pub fn binary_result(op: BinaryOp, t: ScalarType) -> Option<ScalarType> {
    use BinaryOp::*;
    let ok = match op {
        Add | Sub | Mul | Div | Rem => t.is_numeric(),
        Eq | Ne | Lt | Le | Gt | Ge => return Some(ScalarType::Bool),
        And | Or => t == ScalarType::Bool,
        BitAnd | BitOr | BitXor => t.is_int() || t == ScalarType::Bool,
        Shl | Shr => t.is_int(),
    };
    ok.then_some(t)
}

/// The result type of `fun` on operands of types `args`, `None` if not
/// allowed (wrong count, mixed types, or a type outside the signature).
pub(super) fn builtin_result(fun: Builtin, args: &[ScalarType]) -> Option<ScalarType> {
    fun.signature().result(args)
}
