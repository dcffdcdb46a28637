//! Sizes in types: a dimension is a size name, an integer or `+ - * /` of
//! those. Named sizes are created on first mention in the signature;
//! derived ones (`3`, `n - w + 1`) once per distinct definition, numbered
//! after their operands so the runtime computes them in order.

use super::lower::{KernelSig, Lowerer};
use super::scope::Binding;
use crate::abi::MAX_RANK;
use crate::diagnostic::Diagnostic;
use crate::ir::{ParamId, SizeDef, SizeId, SizeOp, SizeVar};
use crate::span::Span;
use crate::syntax::ast;
use cranelift_entity::PrimaryMap;

impl Lowerer<'_> {
    /// Reports an array type of more than [`MAX_RANK`] dimensions; returns
    /// whether the rank is allowed.
    pub fn check_rank(&mut self, ty: &ast::TypeExpr) -> bool {
        if ty.dims.len() <= MAX_RANK {
            return true;
        }
        let d = Diagnostic::error(format!(
            "arrays have 1 to {MAX_RANK} dimensions, found {}",
            ty.dims.len()
        ))
        .primary(ty.span, "too many dimensions");
        self.error(d);
        false
    }

    /// The signature's size that `expr` is exactly (see
    /// [`super::items::existing_size`]); `None` outside a kernel.
    pub fn existing_size(&self, expr: &crate::syntax::ast::Expr) -> Option<SizeId> {
        if !self.names_only_sizes(expr) {
            return None;
        }
        existing_size(self.kernel.as_ref()?, expr)
    }

    /// Whether every name in `expr` resolves to a size (a local or parameter
    /// named like a size shadows it).
    fn names_only_sizes(&self, expr: &crate::syntax::ast::Expr) -> bool {
        use crate::syntax::ast::ExprKind;
        match &expr.kind {
            ExprKind::Name(ident) => {
                matches!(self.scopes.lookup(&ident.name), Some(Binding::Size(_)))
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.names_only_sizes(lhs) && self.names_only_sizes(rhs)
            }
            _ => true,
        }
    }
}

/// The size a dimension expression stands for: a named size (created on
/// first mention when `create`, else it must exist), or a derived one
/// (`3`, `n - w + 1`), created once per distinct definition. `fixed_by` is
/// the input array dimension the whole expression gives, if any. The error
/// is `None` when the parser already reported the expression.
pub fn dim_size(
    sig: &mut KernelSig,
    expr: &ast::Expr,
    fixed_by: Option<(ParamId, usize)>,
    create: bool,
) -> Result<SizeId, Option<Diagnostic>> {
    let definition = match &expr.kind {
        ast::ExprKind::Name(ident) => {
            return named_size(sig, ident, fixed_by, create).map_err(Some)
        }
        ast::ExprKind::Literal(ast::Literal::Int(n)) => {
            let n = i64::try_from(*n).map_err(|_| {
                Diagnostic::error("this dimension does not fit in an `i64`")
                    .primary(expr.span, "too large")
            })?;
            SizeDef::Const(n)
        }
        ast::ExprKind::Binary { op, lhs, rhs } => {
            let op = size_op(*op).ok_or_else(|| bad_dim(expr.span))?;
            let lhs = dim_size(sig, lhs, None, create)?;
            let rhs = dim_size(sig, rhs, None, create)?;
            SizeDef::Binary { op, lhs, rhs }
        }
        ast::ExprKind::Error => return Err(None),
        _ => return Err(Some(bad_dim(expr.span))),
    };
    Ok(derived_size(sig, definition, expr.span, fixed_by))
}

/// The size `expr` is exactly, if the signature has it: a named size or a
/// derived one with the same definition. Creates nothing.
pub fn existing_size(sig: &KernelSig, expr: &ast::Expr) -> Option<SizeId> {
    let find = |def: SizeDef| {
        sig.sizes
            .iter()
            .find(|(_, s)| s.definition == Some(def))
            .map(|(id, _)| id)
    };
    match &expr.kind {
        ast::ExprKind::Name(ident) => sig
            .sizes
            .iter()
            .find(|(_, s)| s.definition.is_none() && s.name == ident.name)
            .map(|(id, _)| id),
        ast::ExprKind::Literal(ast::Literal::Int(n)) => {
            find(SizeDef::Const(i64::try_from(*n).ok()?))
        }
        ast::ExprKind::Binary { op, lhs, rhs } => find(SizeDef::Binary {
            op: size_op(*op)?,
            lhs: existing_size(sig, lhs)?,
            rhs: existing_size(sig, rhs)?,
        }),
        _ => None,
    }
}

fn size_op(op: ast::BinaryOp) -> Option<SizeOp> {
    match op {
        ast::BinaryOp::Add => Some(SizeOp::Add),
        ast::BinaryOp::Sub => Some(SizeOp::Sub),
        ast::BinaryOp::Mul => Some(SizeOp::Mul),
        ast::BinaryOp::Div => Some(SizeOp::Div),
        _ => None,
    }
}

fn bad_dim(span: Span) -> Diagnostic {
    Diagnostic::error("a dimension is a size name, an integer, or `+ - * /` of those")
        .primary(span, "not a dimension")
        .help("e.g. `f32[n]`, `f32[n, 3]`, `i32[h, 3 * w]` or `f32[n - w + 1]`")
}

fn named_size(
    sig: &mut KernelSig,
    ident: &ast::Ident,
    fixed_by: Option<(ParamId, usize)>,
    create: bool,
) -> Result<SizeId, Diagnostic> {
    let named = |s: &SizeVar| s.definition.is_none() && s.name == ident.name;
    if let Some((id, size)) = sig.sizes.iter_mut().find(|(_, s)| named(s)) {
        if size.fixed_by.is_none() {
            size.fixed_by = fixed_by;
        }
        return Ok(id);
    }
    if !create {
        let d = Diagnostic::error(format!("`{}` is not a size of this kernel", ident.name))
            .primary(ident.span, "unknown size")
            .help("dimensions here use the sizes named in the kernel's parameters and outputs");
        return Err(d);
    }
    Ok(sig.sizes.push(SizeVar {
        name: ident.name.clone(),
        span: ident.span,
        fixed_by,
        definition: None,
    }))
}

fn derived_size(
    sig: &mut KernelSig,
    definition: SizeDef,
    span: Span,
    fixed_by: Option<(ParamId, usize)>,
) -> SizeId {
    if let Some((id, size)) = sig
        .sizes
        .iter_mut()
        .find(|(_, s)| s.definition == Some(definition))
    {
        if size.fixed_by.is_none() {
            size.fixed_by = fixed_by;
        }
        return id;
    }
    let name = size_text(&sig.sizes, definition);
    sig.sizes.push(SizeVar {
        name,
        span,
        fixed_by,
        definition: Some(definition),
    })
}

/// A derived size as the user would write it: `n - w + 1`, `3 * (w + 1)`.
fn size_text(sizes: &PrimaryMap<SizeId, SizeVar>, definition: SizeDef) -> String {
    match definition {
        SizeDef::Const(n) => n.to_string(),
        SizeDef::Binary { op, lhs, rhs } => {
            // Parenthesize an operand that binds looser than `op`, and a
            // right operand of equal strength (`n - (w - 1)`).
            let side = |s: SizeId, right: bool| {
                let text = &sizes[s].name;
                match sizes[s].definition {
                    Some(SizeDef::Binary { op: inner, .. })
                        if inner.precedence() < op.precedence()
                            || (right && inner.precedence() == op.precedence()) =>
                    {
                        format!("({text})")
                    }
                    _ => text.clone(),
                }
            };
            format!("{} {} {}", side(lhs, false), op.symbol(), side(rhs, true))
        }
    }
}

/// A stand-in for a dimension already reported as wrong, so the array
/// keeps its rank.
pub fn error_size(sig: &mut KernelSig, span: Span) -> SizeId {
    derived_size(sig, SizeDef::Const(0), span, None)
}
