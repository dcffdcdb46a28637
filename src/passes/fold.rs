//! Constant folding: an operator, cast or builtin whose operands are all
//! constants becomes the constant it evaluates to, computed by
//! [`crate::semantics`] (the evaluator's own definitions, in the module's
//! maths precision), so folding cannot change a result. Spares every gang
//! `1.0 / 16.0`-style work; Cranelift at opt_level "none" does not fold.
//!
//! Loads, calls, parameters, sizes and locals are never folded; `&&` and
//! `||` fold only when both sides are constants (nothing is skipped that
//! could fail).

use crate::ir::rewrite::{rewrite_module, Rewriter};
use crate::ir::{Expr, ExprNode, Module};
use crate::semantics::{self, Precision};
use crate::types::Scalar;
use cranelift_entity::EntityRef;

pub fn fold(module: &mut Module) {
    let mut folder = Fold {
        precision: module.precision,
    };
    rewrite_module(module, &mut folder);
}

struct Fold {
    precision: Precision,
}

impl Rewriter for Fold {
    fn node(&mut self, built: &[ExprNode], node: ExprNode) -> ExprNode {
        let constant = |e: &crate::ir::ExprId| match built[e.index()].expr {
            Expr::Const(c) => Some(c),
            _ => None,
        };
        let folded: Option<Scalar> = match &node.expr {
            Expr::Unary { op, arg } => constant(arg).map(|a| semantics::unary(*op, a)),
            Expr::Binary { op, lhs, rhs } => match (constant(lhs), constant(rhs)) {
                (Some(a), Some(b)) => Some(semantics::binary(*op, a, b)),
                _ => None,
            },
            Expr::Cast { arg } => constant(arg).map(|a| semantics::cast(a, node.ty)),
            Expr::Builtin { fun, args } => args
                .iter()
                .map(constant)
                .collect::<Option<Vec<Scalar>>>()
                .map(|values| semantics::builtin(*fun, self.precision, &values)),
            Expr::Const(_)
            | Expr::Param(_)
            | Expr::Size(_)
            | Expr::Local(_)
            | Expr::Load { .. }
            | Expr::LocalLoad { .. }
            | Expr::TableLoad { .. }
            | Expr::Call { .. } => None,
        };
        match folded {
            Some(value) => ExprNode {
                expr: Expr::Const(value),
                ..node
            },
            None => node,
        }
    }
}
