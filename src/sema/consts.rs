//! File-level constants: `const N: i64 = 64;` (a named value of its
//! declared type) and constant tables, `const PERM: i32[8] = [3, 1, ...];`
//! (read-only arrays every kernel and function may index).
//!
//! Values are computed here, when the file is checked, from literals,
//! named constants (`pi`, `i32::MAX`), constants declared above and
//! arithmetic on those, with the operators' meaning in `semantics` (the
//! one every engine uses). A constant is of its declared type throughout:
//! there is no inference across items.

use super::constants::{self, NamedConstant};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, TableId};
use crate::semantics::{self, BinaryOp, UnaryOp};
use crate::span::Span;
use crate::syntax::ast::{self, ConstValue, ExprKind, Literal};
use crate::types::{Kind, Scalar, ScalarType};
use cranelift_entity::PrimaryMap;
use std::collections::HashMap;

/// What a constant's name stands for in bodies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GlobalConst {
    Scalar(Scalar),
    Table(TableId),
}

/// The file's constants, in declaration order.
#[derive(Default)]
pub struct Consts {
    pub by_name: HashMap<String, GlobalConst>,
    pub tables: PrimaryMap<TableId, ir::Table>,
}

impl Consts {
    /// Checks and evaluates `decl`, adding it; an error leaves it out
    /// (uses of the name then say it is unknown, after this error).
    pub fn declare(&mut self, decl: &ast::ConstDecl, diags: &mut Vec<Diagnostic>) {
        let elem = super::types::elem_scalar(&decl.ty, &Default::default(), diags);
        let value = if decl.ty.dims.is_empty() {
            self.scalar(decl, elem).map(GlobalConst::Scalar)
        } else {
            self.table(decl, elem).map(GlobalConst::Table)
        };
        match value {
            Ok(value) => {
                self.by_name.insert(decl.name.name.clone(), value);
            }
            Err(d) => diags.push(d),
        }
    }

    /// The value of a dimension or integer constant expression (a literal,
    /// an integer constant, `+ - * /` of those); `None` otherwise or on
    /// overflow.
    pub fn dim(&self, e: &ast::Expr) -> Option<i64> {
        match self.expr(e, ScalarType::I64) {
            Ok(Scalar::I64(v)) => Some(v),
            _ => None,
        }
    }

    fn scalar(&self, decl: &ast::ConstDecl, elem: ScalarType) -> Result<Scalar, Diagnostic> {
        match &decl.value {
            ConstValue::Expr(e) => self.expr(e, elem),
            ConstValue::List { span, .. } => Err(Diagnostic::error("a list for a scalar constant")
                .primary(*span, format!("`{}` is a `{}`", decl.name.name, elem))
                .help(format!(
                    "give it an array type, e.g. `const {}: {}[3] = [...];`",
                    decl.name.name, elem
                ))),
        }
    }

    fn table(&mut self, decl: &ast::ConstDecl, elem: ScalarType) -> Result<TableId, Diagnostic> {
        let mut dims = Vec::new();
        for dim in &decl.ty.dims {
            match self.dim(dim) {
                Some(d) if d >= 1 => dims.push(d),
                _ => {
                    return Err(Diagnostic::error(
                        "the dimensions of a constant table are constants",
                    )
                    .primary(dim.span, "not a positive integer constant")
                    .help("write its length, e.g. `const T: f32[4] = [1.0, 2.0, 3.0, 4.0];`"))
                }
            }
        }
        if dims.len() > crate::abi::MAX_RANK {
            return Err(Diagnostic::error(format!(
                "a constant table has at most {} dimensions",
                crate::abi::MAX_RANK
            ))
            .primary(decl.ty.span, "too many dimensions"));
        }
        let len = dims
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d as usize));
        if len.is_none_or(|n| n > ir::MAX_TABLE_ELEMS) {
            return Err(Diagnostic::error(format!(
                "constant table `{}` is too large: at most {} elements",
                decl.name.name,
                ir::MAX_TABLE_ELEMS
            ))
            .primary(decl.ty.span, "too many elements")
            .help("pass large data as an input array"));
        }
        let mut data = Vec::with_capacity(len.unwrap_or(0));
        self.values(&decl.value, &dims, elem, &mut data)?;
        Ok(self.tables.push(ir::Table {
            name: decl.name.name.clone(),
            elem,
            dims,
            data,
            span: decl.name.span,
        }))
    }

    /// Appends the values of `value`, a list nested once per dimension of
    /// `dims`, in row-major order.
    fn values(
        &self,
        value: &ConstValue,
        dims: &[i64],
        elem: ScalarType,
        out: &mut Vec<Scalar>,
    ) -> Result<(), Diagnostic> {
        let Some((&len, inner)) = dims.split_first() else {
            return match value {
                ConstValue::Expr(e) => {
                    out.push(self.expr(e, elem)?);
                    Ok(())
                }
                ConstValue::List { span, .. } => {
                    Err(Diagnostic::error("a list where a value belongs")
                        .primary(*span, "the table has fewer dimensions than this nesting")
                        .help("nest lists once per dimension: `[[1, 2], [3, 4]]` for `i32[2, 2]`"))
                }
            };
        };
        let (items, span) = match value {
            ConstValue::List { items, span } => (items, *span),
            ConstValue::Expr(e) => {
                return Err(Diagnostic::error("a value where a list belongs")
                    .primary(e.span, format!("expected a list of {len} values"))
                    .help("nest lists once per dimension: `[[1, 2], [3, 4]]` for `i32[2, 2]`"))
            }
        };
        if items.len() as i64 != len {
            return Err(
                Diagnostic::error(format!("expected {len} values, found {}", items.len()))
                    .primary(span, format!("this list has {} values", items.len()))
                    .note("a table's lists have exactly its dimensions' lengths"),
            );
        }
        items
            .iter()
            .try_for_each(|item| self.values(item, inner, elem, out))
    }

    /// The value of `e` as a constant of type `ty`.
    fn expr(&self, e: &ast::Expr, ty: ScalarType) -> Result<Scalar, Diagnostic> {
        match &e.kind {
            ExprKind::Literal(lit) => literal(*lit, false, ty, e.span),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } if matches!(operand.kind, ExprKind::Literal(_)) => {
                let ExprKind::Literal(lit) = operand.kind else {
                    unreachable!("matched above")
                };
                literal(lit, true, ty, e.span)
            }
            ExprKind::Unary { op, operand } => {
                let x = self.expr(operand, ty)?;
                if op_fits(*op, ty) {
                    Ok(semantics::unary(*op, x))
                } else {
                    Err(not_for_type(e.span, op.symbol(), ty))
                }
            }
            ExprKind::Binary { op, lhs, rhs } if !op.is_comparison() && !is_logic(*op) => {
                let (a, b) = (self.expr(lhs, ty)?, self.expr(rhs, ty)?);
                if binary_fits(*op, ty) {
                    Ok(semantics::binary(*op, a, b))
                } else {
                    Err(not_for_type(e.span, op.symbol(), ty))
                }
            }
            ExprKind::Name(name) => self.name(name, ty),
            _ => Err(Diagnostic::error("not a constant expression")
                .primary(e.span, "computed when the kernel runs")
                .help("a constant is made of literals, named constants (`pi`, `i32::MAX`), constants declared above it and arithmetic on them")),
        }
    }

    fn name(&self, name: &ast::Ident, ty: ScalarType) -> Result<Scalar, Diagnostic> {
        let value = match self.by_name.get(&name.name) {
            Some(GlobalConst::Scalar(v)) => Some(*v),
            Some(GlobalConst::Table(_)) => {
                return Err(Diagnostic::error(format!("`{}` is a table, not a value", name.name))
                    .primary(name.span, "a whole table cannot be a constant's value"))
            }
            None => match constants::lookup(&name.name) {
                Some(NamedConstant::Float(v)) if ty.is_float() => Scalar::of_float(ty, v),
                Some(NamedConstant::Float(_)) => {
                    return Err(mismatch(name.span, ty, "a float constant"))
                }
                Some(NamedConstant::Typed(v)) => Some(v),
                None => {
                    return Err(Diagnostic::error(format!(
                        "cannot find constant `{}`",
                        name.name
                    ))
                    .primary(name.span, "not a constant declared above")
                    .help("constants may use constants declared before them, and `pi`, `e`, `inf`, `nan`, `T::MAX`..."))
                }
            },
        };
        match value {
            Some(v) if v.ty() == ty => Ok(v),
            Some(v) => Err(mismatch(name.span, ty, &format!("`{}`", v.ty()))),
            None => Err(mismatch(name.span, ty, "a float constant")),
        }
    }
}

/// A literal of type `ty`, negated first when `negative` (so `-2147483648`
/// is an `i32`).
fn literal(lit: Literal, negative: bool, ty: ScalarType, span: Span) -> Result<Scalar, Diagnostic> {
    let sign = if negative { -1 } else { 1 };
    let value = match (lit, ty.kind()) {
        (Literal::Int(v), Kind::Int { .. }) => Scalar::of_int_exact(ty, sign * i128::from(v)),
        (Literal::Float(v), Kind::Float) => Scalar::of_float(ty, sign as f64 * v),
        (Literal::Bool(b), Kind::Bool) if !negative => Some(Scalar::Bool(b)),
        (Literal::Int(_), _) => return Err(mismatch(span, ty, "an integer")),
        (Literal::Float(_), _) => return Err(mismatch(span, ty, "a float")),
        (Literal::Bool(_), _) => return Err(mismatch(span, ty, "`bool`")),
    };
    value.ok_or_else(|| {
        Diagnostic::error(format!("literal out of range for `{ty}`"))
            .primary(span, format!("does not fit in `{ty}`"))
    })
}

fn mismatch(span: Span, ty: ScalarType, found: &str) -> Diagnostic {
    Diagnostic::error("mismatched types")
        .primary(span, format!("expected `{ty}`, found {found}"))
        .help(match ty.kind() {
            Kind::Float => "write float values with a point: `1.0`",
            Kind::Int { .. } => "write integer values without a point: `1`",
            Kind::Bool => "write `true` or `false`",
        })
}

fn not_for_type(span: Span, op: &str, ty: ScalarType) -> Diagnostic {
    Diagnostic::error(format!("`{op}` does not apply to `{ty}`"))
        .primary(span, format!("not defined for `{ty}`"))
}

fn is_logic(op: BinaryOp) -> bool {
    matches!(op, BinaryOp::And | BinaryOp::Or)
}

/// Whether `op` on `ty` gives a `ty` (the IR's typing rule).
fn op_fits(op: UnaryOp, ty: ScalarType) -> bool {
    ir::unary_result(op, ty) == Some(ty)
}

fn binary_fits(op: BinaryOp, ty: ScalarType) -> bool {
    ir::binary_result(op, ty) == Some(ty)
}
