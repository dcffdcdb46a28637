//! The IR body under construction: expressions and locals are appended with
//! provisional types ([`Ty`]), and [`BodyBuilder::finish`] writes the final
//! types once inference has seen the whole body.

use super::infer::{InferTable, Ty};
use crate::diagnostic::Diagnostic;
use crate::ir::{Body, Expr, ExprId, ExprNode, Local, LocalId, LocalKind};
use crate::span::Span;
use crate::types::ScalarType;
use crate::types::{Kind, Scalar};

/// A literal whose type is not known yet. Integers keep their sign here so
/// that `-2147483648` fits an `i32`.
#[derive(Clone, Copy, Debug)]
pub enum PendingLiteral {
    Int(i128),
    Float(f64),
}

#[derive(Default)]
pub struct BodyBuilder {
    pub body: Body,
    expr_tys: Vec<Ty>,
    local_tys: Vec<Ty>,
    literals: Vec<(ExprId, PendingLiteral)>,
}

impl BodyBuilder {
    pub fn expr(&mut self, expr: Expr, ty: Ty, span: Span) -> ExprId {
        self.expr_tys.push(ty);
        // The real type is written by `finish`; bool is a placeholder.
        self.body.exprs.push(ExprNode {
            expr,
            ty: ScalarType::Bool,
            span,
        })
    }

    pub fn literal(&mut self, value: PendingLiteral, ty: Ty, span: Span) -> ExprId {
        let id = self.expr(Expr::Const(Scalar::Bool(false)), ty, span);
        self.literals.push((id, value));
        id
    }

    pub fn expr_ty(&self, id: ExprId) -> Ty {
        self.expr_tys[id.as_u32() as usize]
    }

    pub fn local(&mut self, name: &str, ty: Ty, span: Span, kind: LocalKind) -> LocalId {
        self.local_tys.push(ty);
        self.body.locals.push(Local {
            name: name.to_string(),
            ty: ScalarType::Bool,
            span,
            kind,
        })
    }

    pub fn local_ty(&self, id: LocalId) -> Ty {
        self.local_tys[id.as_u32() as usize]
    }

    /// Writes final types into every node and gives each literal its typed
    /// value, reporting literals that do not fit their type.
    pub fn finish(mut self, infer: &InferTable, diags: &mut Vec<Diagnostic>) -> Body {
        for (id, node) in self.body.exprs.iter_mut() {
            node.ty = infer.finish(self.expr_tys[id.as_u32() as usize]);
        }
        for (id, local) in self.body.locals.iter_mut() {
            local.ty = infer.finish(self.local_tys[id.as_u32() as usize]);
        }
        for (id, value) in std::mem::take(&mut self.literals) {
            let node = &mut self.body.exprs[id];
            match typed_constant(value, node.ty) {
                Some(constant) => node.expr = Expr::Const(constant),
                None => diags.push(literal_out_of_range(value, node.ty, node.span)),
            }
        }
        self.body
    }
}

fn typed_constant(value: PendingLiteral, ty: ScalarType) -> Option<Scalar> {
    match (value, ty.kind()) {
        // `None` when out of the type's range: the caller reports it.
        (PendingLiteral::Int(v), Kind::Int { .. }) => Scalar::of_int_exact(ty, v),
        // Float literals are parsed as f64; rounding to f32 here is the one
        // rounding the program text implies.
        (PendingLiteral::Float(v), Kind::Float) => Scalar::of_float(ty, v),
        // Only reachable when the body already has a type error (the type
        // resolved to the `Error` placeholder); keep the node well-formed.
        (_, _) => Some(Scalar::zero(ty)),
    }
}

fn literal_out_of_range(value: PendingLiteral, ty: ScalarType, span: Span) -> Diagnostic {
    let shown = match value {
        PendingLiteral::Int(v) => v.to_string(),
        PendingLiteral::Float(v) => v.to_string(),
    };
    let (min, max) = ty.int_range().unwrap_or((i64::MIN.into(), i64::MAX.into()));
    Diagnostic::error(format!("literal out of range for `{ty}`"))
        .primary(span, format!("`{shown}` does not fit in `{ty}`"))
        .note(format!("the range of `{ty}` is {min}..={max}"))
        .help(format!(
            "write a value in that range, or cast a wider value to wrap it: `{ty}(i64({shown}))`"
        ))
}
