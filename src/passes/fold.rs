//! Constant folding: an operator, cast or builtin whose operands are all
//! constants becomes the constant it evaluates to, computed by
//! [`crate::semantics`] (the evaluator's own definitions, in the module's
//! maths precision), so folding cannot change a result. Spares every gang
//! `1.0 / 16.0`-style work; Cranelift at opt_level "none" does not fold.
//!
//! A constant table read at constant indices inside the table becomes
//! the element (an index outside stays a load: it must fail when it runs).
//! Other loads, calls, parameters, sizes and locals are never folded; `&&`
//! and `||` fold only when both sides are constants (nothing is skipped
//! that could fail).

use crate::ir::rewrite::{rewrite_module, Rewriter};
use crate::ir::{Expr, ExprNode, Module, Table, TableId};
use crate::semantics::{self, Precision};
use crate::types::Scalar;
use cranelift_entity::{EntityRef, PrimaryMap};

pub fn fold(module: &mut Module) {
    // The folder reads the tables while the bodies are rebuilt: lend them
    // out for the rewrite (they may be large) and put them back.
    let mut folder = Fold {
        precision: module.precision,
        tables: std::mem::take(&mut module.tables),
    };
    rewrite_module(module, &mut folder);
    module.tables = folder.tables;
}

struct Fold {
    precision: Precision,
    tables: PrimaryMap<TableId, Table>,
}

impl Fold {
    /// `table[index]` when every index is a constant inside the table.
    fn table_element(&self, table: TableId, index: &[Option<Scalar>]) -> Option<Scalar> {
        let t = &self.tables[table];
        let mut flat = 0i64;
        for (i, &dim) in index.iter().zip(&t.dims) {
            let i = (*i)?.int_value().and_then(|v| i64::try_from(v).ok())?;
            if !(0..dim).contains(&i) {
                return None;
            }
            flat = flat * dim + i;
        }
        t.data.get(usize::try_from(flat).ok()?).copied()
    }
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
            Expr::TableLoad { table, index } => {
                let index: Vec<Option<Scalar>> = index.iter().map(constant).collect();
                self.table_element(*table, &index)
            }
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
