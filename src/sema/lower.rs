//! The state of checking one body (a kernel's or a function's): the IR
//! being built, the inference table, scopes, and where in the program the
//! checker stands (in a loop? in a phase? may a reduction appear here?).
//!
//! Expressions, statements and phases are lowered by `impl Lowerer` blocks
//! in `expr.rs`, `stmt.rs` and `phase.rs`.

use super::builder::BodyBuilder;
use super::infer::{InferTable, Resolved, Ty};
use super::scope::Scopes;
use super::Globals;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Expr, ExprId, FuncId, LocalId, ParamId, SizeId};
use crate::span::Span;
use crate::types::ScalarType;
use cranelift_entity::PrimaryMap;
use std::collections::HashSet;

/// The signature side of a kernel, known before its body is checked.
pub struct KernelSig {
    pub params: PrimaryMap<ParamId, ir::Param>,
    pub sizes: PrimaryMap<SizeId, ir::SizeVar>,
    /// Output arrays stored somewhere and scalar outputs assigned somewhere,
    /// for the "never written" warning.
    pub written: HashSet<ParamId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseKind {
    Foreach,
    Reduce,
}

/// What the checker tracks while inside a `foreach` or reduction body.
pub struct Phase {
    pub kind: PhaseKind,
    pub indices: Vec<LocalId>,
    /// The size each domain extent names, when it is exactly a size.
    pub extent_sizes: Vec<Option<SizeId>>,
    /// Locals numbered below this were declared outside the phase: uniform,
    /// so read-only inside it.
    pub first_local: u32,
    pub stores: Vec<(ParamId, Span)>,
    /// Loads that are not at the current index; checked against `stores`
    /// when the phase ends, because a load may come before the store.
    pub other_index_loads: Vec<(ParamId, Span)>,
}

impl Phase {
    /// Whether an array with these dims has exactly the domain's shape:
    /// each dim is the size its domain extent names.
    pub fn is_shaped_like(&self, dims: &[SizeId]) -> bool {
        dims.len() == self.extent_sizes.len()
            && dims
                .iter()
                .zip(&self.extent_sizes)
                .all(|(&d, &e)| e == Some(d))
    }
}

/// Where the checker stands in the body.
#[derive(Default)]
pub struct Ctx {
    pub in_function: bool,
    /// Lowering a statement directly in the kernel body's block (where
    /// scratch arrays may be declared).
    pub kernel_top_level: bool,
    pub loop_depth: u32,
    pub phase: Option<Phase>,
    /// Set while lowering the value of a `let` or assignment, an `if`
    /// condition, `for` bounds or `foreach` extents in a kernel's uniform
    /// code: a reduction found there becomes a phase statement in the
    /// prelude, so it runs before the statement, in evaluation order with
    /// the prelude's other statements (an expanded call's argument may
    /// read it).
    pub hoist_reductions: bool,
    /// Statements to run just before the statement being lowered: the
    /// bodies of functions expanded in it (see `inline.rs`) and values held
    /// for later parts. `Some` while a statement or a block's value is
    /// being lowered.
    pub prelude: Option<Vec<ir::Stmt>>,
    /// While a nested prelude is current (the right side of `&&`, which
    /// runs only when needed), the preludes it interrupts, the statement's
    /// own first: a hoisted reduction goes there, as a reduction runs
    /// before its whole statement.
    pub enclosing_preludes: Vec<Option<Vec<ir::Stmt>>>,
}

/// The user-function calls of a body.
#[derive(Default)]
pub struct Calls {
    /// Calls written in the body itself: its edges in the call graph (the
    /// recursion check).
    pub direct: Vec<(FuncId, Span)>,
    /// Calls made by the bodies of functions expanded into it: with the
    /// direct ones, every call its IR makes (the size and depth limits).
    pub expanded: Vec<(FuncId, Span)>,
}

/// What [`Ctx::enter_function`] changed, to put back.
pub struct SavedCtx {
    in_function: bool,
    kernel_top_level: bool,
    loop_depth: u32,
    hoist_reductions: bool,
}

impl Ctx {
    /// Enters the body of a function expanded at a call: a function's
    /// rules hold there (local arrays, no phases, no `break` out of it).
    pub fn enter_function(&mut self) -> SavedCtx {
        SavedCtx {
            in_function: std::mem::replace(&mut self.in_function, true),
            kernel_top_level: std::mem::replace(&mut self.kernel_top_level, false),
            loop_depth: std::mem::replace(&mut self.loop_depth, 0),
            hoist_reductions: std::mem::replace(&mut self.hoist_reductions, false),
        }
    }

    pub fn restore(&mut self, saved: SavedCtx) {
        self.in_function = saved.in_function;
        self.kernel_top_level = saved.kernel_top_level;
        self.loop_depth = saved.loop_depth;
        self.hoist_reductions = saved.hoist_reductions;
    }
}

pub struct Lowerer<'g> {
    pub globals: &'g Globals,
    pub diags: Vec<Diagnostic>,
    pub infer: InferTable,
    pub b: BodyBuilder,
    pub scopes: Scopes,
    pub kernel: Option<KernelSig>,
    pub ctx: Ctx,
    /// User-function calls made by this body, for the recursion check.
    pub calls: Calls,
    /// What the type parameters of the item being checked stand for.
    pub type_params: super::types::TypeParams,
    /// Locals of struct and tuple types (`Binding::Aggregate` indexes this).
    pub aggregates: Vec<super::types::Aggregate>,
    /// The functions being expanded here, innermost last.
    pub inline_stack: Vec<FuncId>,
    /// While expanding a call: the outermost call's span, where errors
    /// about the caller's arrays (races) point.
    pub expansion_site: Option<Span>,
}

impl<'g> Lowerer<'g> {
    pub fn new(globals: &'g Globals) -> Lowerer<'g> {
        Lowerer {
            globals,
            diags: Vec::new(),
            infer: InferTable::default(),
            b: BodyBuilder::default(),
            scopes: Scopes::default(),
            kernel: None,
            ctx: Ctx::default(),
            calls: Calls::default(),
            type_params: Default::default(),
            aggregates: Vec::new(),
            inline_stack: Vec::new(),
            expansion_site: None,
        }
    }

    /// This lowerer, for the instance of a generic item with these type
    /// arguments (none for an ordinary item).
    pub fn with_type_params(mut self, args: &[(String, ScalarType)]) -> Lowerer<'g> {
        self.type_params = args.iter().cloned().collect();
        self
    }

    /// The scalar type a written type names (see [`super::types::elem_scalar`]).
    pub fn elem(&mut self, ty: &crate::syntax::ast::TypeExpr) -> ScalarType {
        if self.names_aggregate(ty) {
            let d = Diagnostic::error(format!("`{}` is not a scalar type", ty.elem))
                .primary(ty.span, "a struct or tuple")
                .note("arrays, constants and kernel parameters hold scalars; structs and tuples are values of functions and locals")
                .help("keep one array per field (`xs: f32[n], ys: f32[n]`) and build the struct from them");
            self.error(d);
            return ScalarType::F32;
        }
        super::types::elem_scalar(ty, &self.type_params, &mut self.diags)
    }

    pub fn error(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    pub fn resolve(&self, id: ExprId) -> Resolved {
        self.infer.resolve(self.b.expr_ty(id))
    }

    /// A placeholder for an expression that already produced a diagnostic.
    pub fn error_expr(&mut self, span: Span) -> ExprId {
        self.b
            .expr(Expr::Const(ir::Scalar::Bool(false)), Ty::Error, span)
    }

    /// Unifies the type of `id` with `expected`, reporting a mismatch at the
    /// expression. Returns the common type.
    pub fn expect_ty(&mut self, id: ExprId, expected: Ty, what: &str) -> Ty {
        let found = self.b.expr_ty(id);
        match self.infer.unify(expected, found) {
            Ok(ty) => ty,
            Err(mismatch) => {
                let span = self.b.body.exprs[id].span;
                let found = mismatch.found.describe();
                let expected = mismatch.expected.describe();
                let mut d = Diagnostic::error("mismatched types")
                    .primary(span, format!("expected `{expected}`, found `{found}`"))
                    .note(format!("{what} must be `{expected}`"));
                if let Some(help) = conversion_help(mismatch.expected, mismatch.found) {
                    d = d.help(help);
                }
                self.error(d);
                Ty::Error
            }
        }
    }

    pub fn param(&self, id: ParamId) -> Option<&ir::Param> {
        self.kernel.as_ref().and_then(|k| k.params.get(id))
    }

    /// Lowers `f` where no reduction may be hoisted (a nested expression or
    /// block), restoring the context afterwards.
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let hoist = std::mem::replace(&mut self.ctx.hoist_reductions, false);
        let result = f(self);
        self.ctx.hoist_reductions = hoist;
        result
    }

    /// In a kernel's uniform code: outside every phase, not in a function.
    /// Phases may start here.
    pub fn in_uniform_code(&self) -> bool {
        !self.ctx.in_function && self.ctx.phase.is_none() && self.kernel.is_some()
    }

    /// Records a call of `func` at `span` made by the code being lowered.
    pub fn note_call(&mut self, func: FuncId, span: Span) {
        match self.expansion_site {
            None => self.calls.direct.push((func, span)),
            Some(_) => self.calls.expanded.push((func, span)),
        }
    }

    pub fn local_read(&mut self, local: LocalId, span: Span) -> ExprId {
        let ty = self.b.local_ty(local);
        self.b.expr(Expr::Local(local), ty, span)
    }
}

/// A `help:` line for a type mismatch that a cast or literal fixes.
pub fn conversion_help(expected: Resolved, found: Resolved) -> Option<String> {
    use super::infer::VarKind;
    match (expected, found) {
        (e, Resolved::Var(_, VarKind::Int)) | (Resolved::Var(_, VarKind::Int), e)
            if e.is_float() =>
        {
            Some("write a float literal, e.g. `1.0` instead of `1`".to_string())
        }
        (Resolved::Known(to), f) if f.is_numeric() && to.is_numeric() => Some(format!(
            "kern has no implicit conversions: convert with `{to}(...)`"
        )),
        _ => None,
    }
}

pub fn ty_of(scalar: ScalarType) -> Ty {
    Ty::Known(scalar)
}
