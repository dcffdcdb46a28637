//! Arrays declared in a body (`let next: f64[h, w];`) and `swap(a, b)`.
//!
//! In a kernel's uniform code an array declaration is a kernel scratch
//! array: a parameter of role `Scratch` (after the outputs), which the
//! runtime allocates for each call. `swap` exchanges two writable arrays of
//! one type and shape, in uniform code, in O(1).

use super::lower::{ty_of, Lowerer};
use super::scope::Binding;
use super::sizes::dim_size;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, ParamKind, ParamRole, StmtKind};
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind, Ident};

/// Whether an expression statement is `swap(a, b)` (any arguments: the
/// checker reports bad ones).
pub fn is_swap(e: &ast::Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { callee, .. } if callee.name == "swap")
}

impl Lowerer<'_> {
    /// `let name: T[dims];`
    pub fn array_decl(
        &mut self,
        name: &Ident,
        ty: &ast::TypeExpr,
        span: Span,
        out: &mut ir::Block,
    ) {
        if !self.in_uniform_code() {
            self.local_array(name, ty, span, out);
            return;
        }
        if !self.ctx.kernel_top_level {
            let d = Diagnostic::error(format!(
                "scratch array `{}` must be declared at the top level of the kernel body",
                name.name
            ))
            .primary(span, "declared inside an `if` or a loop")
            .help("declare it before the loop: the runtime allocates it once per call");
            self.error(d);
            return;
        }
        self.scratch_array(name, ty, span);
    }

    fn scratch_array(&mut self, name: &Ident, ty: &ast::TypeExpr, span: Span) {
        if !self.check_rank(ty) {
            return;
        }
        let elem = self.elem(ty);
        let Some(sig) = self.kernel.as_mut() else {
            return;
        };
        let mut dims = Vec::new();
        let mut errors = Vec::new();
        for dim in &ty.dims {
            match dim_size(sig, dim, None, false) {
                Ok(size) => dims.push(size),
                Err(d) => errors.extend(d),
            }
        }
        let id = sig.params.push(ir::Param {
            name: name.name.clone(),
            span,
            role: ParamRole::Scratch,
            kind: ParamKind::Array { elem, dims },
        });
        self.diags.extend(errors);
        self.scopes.bind(&name.name, Binding::Param(id));
    }

    /// `let v: T[dims];` in a phase or function: a local array, one copy
    /// per lane in a phase, with constant dimensions.
    fn local_array(&mut self, name: &Ident, ty: &ast::TypeExpr, span: Span, out: &mut ir::Block) {
        if !self.check_rank(ty) {
            return;
        }
        let mut dims = Vec::new();
        for dim in &ty.dims {
            match self.globals.consts.dim(dim) {
                Some(d) if d >= 1 => dims.push(d),
                _ => {
                    let d = Diagnostic::error("the dimensions of a local array are constants")
                        .primary(dim.span, "not a positive integer constant")
                        .note("each lane of a phase holds its own copy, on the stack: its size is fixed when the kernel compiles")
                        .help("write a literal size, e.g. `let v: f32[64];`, or use a scratch array declared at the top of the kernel for sizes known at call time (`let tmp: f32[n, m];`)");
                    self.error(d);
                    return;
                }
            }
        }
        let len = dims.iter().try_fold(1i64, |n, &d| n.checked_mul(d));
        if len.is_none_or(|n| n > ir::MAX_LOCAL_ARRAY_ELEMS) {
            let d = Diagnostic::error(format!(
                "local array `{}` is too large: at most {} elements",
                name.name,
                ir::MAX_LOCAL_ARRAY_ELEMS
            ))
            .primary(ty.span, "each lane of a phase holds its own copy, on the stack")
            .help("keep large per-element data in a scratch array declared at the top of the kernel (`let tmp: f32[n, 8192];`)");
            self.error(d);
            return;
        }
        let elem = self.elem(ty);
        let array = self.b.body.arrays.push(ir::LocalArray {
            name: name.name.clone(),
            elem,
            dims,
            span: name.span,
        });
        self.scopes.bind(&name.name, Binding::LocalArray(array));
        out.push(ir::Stmt::new(StmtKind::DeclareArray { array }, span));
    }

    /// `v[index] = value` (or `v[index] op= value`) into a local array.
    #[allow(clippy::too_many_arguments)]
    pub fn local_store(
        &mut self,
        array: ir::LocalArrayId,
        name: &Ident,
        indices: &[ast::Expr],
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        place_span: Span,
        span: Span,
    ) -> Option<ir::Stmt> {
        let (elem, rank) = {
            let a = &self.b.body.arrays[array];
            (a.elem, a.dims.len())
        };
        let index = self.indices(name, rank, indices, place_span);
        let value = self.expr(value);
        if index.len() != rank {
            return None;
        }
        // For `op=` the place is read again: its indices are lowered a
        // second time (expressions are trees), pure, so the same values.
        let value = self.stored_value(op, value, elem, name, span, |l| {
            l.local_load(array, name, indices, place_span)
        });
        Some(ir::Stmt::new(
            StmtKind::LocalStore {
                array,
                index,
                value,
            },
            span,
        ))
    }

    /// `v[index]` of a local array.
    pub fn local_load(
        &mut self,
        array: ir::LocalArrayId,
        name: &Ident,
        indices: &[ast::Expr],
        span: Span,
    ) -> ir::ExprId {
        let (elem, rank) = {
            let a = &self.b.body.arrays[array];
            (a.elem, a.dims.len())
        };
        self.fixed_shape_read((name, indices, span), elem, rank, |index| {
            ir::Expr::LocalLoad { array, index }
        })
    }

    /// A read of a local array or table (`elem` elements, `rank`
    /// dimensions): one `i64` index per dimension, or an error node.
    pub fn fixed_shape_read(
        &mut self,
        (name, indices, span): (&Ident, &[ast::Expr], Span),
        elem: crate::types::ScalarType,
        rank: usize,
        read: impl FnOnce(Vec<ir::ExprId>) -> ir::Expr,
    ) -> ir::ExprId {
        let index = self.indices(name, rank, indices, span);
        if index.len() != rank {
            return self.error_expr(span);
        }
        self.b.expr(read(index), ty_of(elem), span)
    }

    /// `swap(a, b);`
    pub fn swap(&mut self, call: &ast::Expr, span: Span, out: &mut ir::Block) {
        let ExprKind::Call { args, .. } = &call.kind else {
            return;
        };
        let names: Vec<&Ident> = args
            .iter()
            .filter_map(|a| match &a.kind {
                ExprKind::Name(n) => Some(n),
                _ => None,
            })
            .collect();
        let [a, b] = names[..] else {
            let d = Diagnostic::error("`swap` takes two array names")
                .primary(call.span, "write `swap(a, b);`");
            self.error(d);
            return;
        };
        if !self.in_uniform_code() {
            let d = Diagnostic::error("`swap` is not allowed here")
                .primary(span, "inside a phase or function")
                .help("swap arrays between phases, in the kernel's uniform code");
            self.error(d);
            return;
        }
        let (Some(pa), Some(pb)) = (self.swappable(a), self.swappable(b)) else {
            return;
        };
        if let Some(d) = self.swap_mismatch(pa, pb, a, b) {
            self.error(d);
            return;
        }
        out.push(ir::Stmt::new(StmtKind::Swap { a: pa, b: pb }, span));
    }

    /// The array `name` if `swap` may move it: not an input.
    fn swappable(&mut self, name: &Ident) -> Option<ir::ParamId> {
        let (param, ..) = self.array_param(name)?;
        if self.param(param)?.role == ParamRole::Input {
            let d = Diagnostic::error(format!("cannot swap input array `{}`", name.name))
                .primary(name.span, "inputs are read-only")
                .help(format!(
                    "declare it `inout {}: ...`, or copy it into a scratch array first",
                    name.name
                ));
            self.error(d);
            return None;
        }
        if let Some(kernel) = self.kernel.as_mut() {
            kernel.written.insert(param);
        }
        Some(param)
    }

    fn swap_mismatch(
        &self,
        pa: ir::ParamId,
        pb: ir::ParamId,
        a: &Ident,
        b: &Ident,
    ) -> Option<Diagnostic> {
        let sig = self.kernel.as_ref()?;
        let (ka, kb) = (&sig.params[pa], &sig.params[pb]);
        if pa == pb {
            return Some(
                Diagnostic::error(format!("`swap` of `{}` with itself", a.name))
                    .primary(b.span, "the same array"),
            );
        }
        if ka.kind == kb.kind {
            return None;
        }
        let text = |p: &ir::Param| {
            let dims: Vec<&str> = p
                .dims()
                .iter()
                .map(|&s| sig.sizes[s].name.as_str())
                .collect();
            format!("{}[{}]", p.elem(), dims.join(", "))
        };
        Some(
            Diagnostic::error(format!(
                "`swap` needs two arrays of one type and shape: `{}` is `{}`, `{}` is `{}`",
                a.name,
                text(ka),
                b.name,
                text(kb)
            ))
            .primary(b.span, format!("`{}`", text(kb)))
            .secondary(a.span, format!("`{}`", text(ka)))
            .help("declare the scratch array with the other's type, e.g. `let next: f64[h, w];`"),
        )
    }
}
