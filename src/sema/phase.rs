//! Phases and race freedom: `foreach` loops, reductions, stores to arrays,
//! and the rules that make every phase safe to run in parallel.
//!
//! Inside a phase: uniform locals and scalar outputs are read-only; stores go
//! only to output or `inout` arrays, at exactly the current index, and only
//! to arrays shaped like the domain (so stores need no bounds check); an
//! array stored in a phase is read in it only at the current index.

use super::lower::{ty_of, Lowerer, Phase, PhaseKind};
use super::scope::Binding;
use super::values::Value;
use crate::abi::MAX_RANK;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, Domain, Expr, LocalId, LocalKind, ParamRole, SizeId, StmtKind};
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind, Ident, ReduceOp, ReduceResult};
use crate::types::ScalarType;

/// What precedes a reduction's body: `argmin over (r, c) in (h, w)`.
#[derive(Clone, Copy)]
pub struct ReductionHeader<'e> {
    pub op: ReduceOp,
    pub result: ReduceResult,
    /// The span of the reduction's name.
    pub op_span: Span,
    pub indices: &'e [Ident],
    pub domain: &'e [ast::Expr],
}

impl ReductionHeader<'_> {
    fn name(&self) -> &'static str {
        self.op.surface_name(self.result)
    }
}

impl Lowerer<'_> {
    pub fn foreach(
        &mut self,
        indices: &[Ident],
        domain: &[ast::Expr],
        body: &ast::Block,
        span: Span,
        out: &mut ir::Block,
    ) {
        if !self.phase_allowed("`foreach`", span) {
            return;
        }
        let (domain, body) =
            self.lower_phase(PhaseKind::Foreach, (indices, domain, true), span, |l| {
                l.block(body)
            });
        out.push(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::Foreach { domain, body },
            span,
        });
    }

    /// Lowers a phase: the domain's extents (in the enclosing, uniform
    /// context), then `body` with the index locals in scope and the phase
    /// current, then the race check. Returns the domain and what `body`
    /// built.
    /// A `foreach` hoists reductions in its extents (`hoist`: they run
    /// before it); a reduction's extents cannot hold one.
    fn lower_phase<T>(
        &mut self,
        kind: PhaseKind,
        (indices, extents, hoist): (&[Ident], &[ast::Expr], bool),
        span: Span,
        body: impl FnOnce(&mut Self) -> T,
    ) -> (Domain, T) {
        let (lowered, extent_sizes) = self.domain(indices, extents, span, hoist);
        self.scopes.push();
        let (indices, outer) = self.enter_phase(kind, &lowered, extent_sizes);
        let built = self.nested(body);
        if let Some(phase) = std::mem::replace(&mut self.ctx.phase, outer) {
            self.check_phase_races(&phase);
        }
        self.scopes.pop();
        let domain = Domain {
            indices,
            extents: lowered.into_iter().map(|(_, id)| id).collect(),
        };
        (domain, built)
    }

    /// Reports and returns false when a phase appears outside a kernel's
    /// uniform code, or a reduction where it cannot be hoisted.
    fn phase_allowed(&mut self, what: &str, span: Span) -> bool {
        let is_foreach = what == "`foreach`";
        let (why, help) = if self.ctx.in_function {
            ("functions are scalar code and contain no phases", None)
        } else if self.ctx.phase.is_some() && !is_foreach {
            let d = Diagnostic::error("reductions may not nest")
                .primary(span, "a reduction inside another phase")
                .help("compute the inner reduction first: `let inner = sum over ...;`");
            self.error(d);
            return false;
        } else if self.ctx.phase.is_some() {
            (
                "phases do not nest",
                Some("end this phase first: one `foreach` after the other"),
            )
        } else if !is_foreach && !self.ctx.hoist_reductions {
            (
                "a reduction may appear only in the value of a `let` or assignment, an `if` \
                 condition or `for` bounds, outside phases",
                Some(
                    "compute it into a variable first: `let total = sum over i in n { ... };`; \
                     for a `while` condition, assign the variable before the loop and again at \
                     the end of its body",
                ),
            )
        } else {
            return true;
        };
        let mut d = Diagnostic::error(format!("{what} is not allowed here")).primary(span, why);
        if let Some(help) = help {
            d = d.help(help);
        }
        self.error(d);
        false
    }

    /// Lowers a domain's extents (in the enclosing, uniform context) and
    /// notes which extents are exactly a size.
    fn domain(
        &mut self,
        indices: &[Ident],
        extents: &[ast::Expr],
        span: Span,
        hoist: bool,
    ) -> (Vec<(Ident, ir::ExprId)>, Vec<Option<SizeId>>) {
        if indices.len() != extents.len() || !(1..=MAX_RANK).contains(&indices.len()) {
            let d = Diagnostic::error(format!("a domain has 1 to {MAX_RANK} dimensions, each with one index; found {} ind{} over {} extent{}",
                indices.len(), if indices.len() == 1 { "ex" } else { "ices" }, extents.len(), if extents.len() == 1 { "" } else { "s" }))
                .primary(span, "write `i in n` or `(r, c) in (h, w)`");
            self.error(d);
        }
        let mut lowered = Vec::new();
        let mut sizes = Vec::new();
        for (index, extent) in indices.iter().zip(extents) {
            // An extent that is exactly a size of the signature (`n`, or
            // `n - w + 1` when an array has that dimension) reads the size,
            // so arrays of that shape are domain-shaped: stores to them
            // need no check.
            let size = self.existing_size(extent);
            let id = match (size, hoist) {
                (Some(s), _) if !matches!(extent.kind, ExprKind::Literal(_)) => {
                    self.b
                        .expr(Expr::Size(s), ty_of(ScalarType::I64), extent.span)
                }
                (_, true) => self.value(extent),
                (_, false) => self.nested(|l| l.expr(extent)),
            };
            self.expect_ty(id, ty_of(ScalarType::I64), "a domain extent");
            sizes.push(size);
            lowered.push((index.clone(), id));
        }
        (lowered, sizes)
    }

    /// Declares the index locals and makes a new phase current; returns
    /// the index locals and the previous phase (always `None`, as phases do
    /// not nest).
    fn enter_phase(
        &mut self,
        kind: PhaseKind,
        domain: &[(Ident, ir::ExprId)],
        extent_sizes: Vec<Option<SizeId>>,
    ) -> (Vec<LocalId>, Option<Phase>) {
        let first_local = self.b.body.locals.len() as u32;
        let indices: Vec<LocalId> = domain
            .iter()
            .enumerate()
            .map(|(dim, (ident, _))| {
                let local = self.b.local(
                    &ident.name,
                    ty_of(ScalarType::I64),
                    ident.span,
                    LocalKind::DomainIndex { dim },
                );
                self.scopes.bind(&ident.name, Binding::Local(local));
                local
            })
            .collect();
        let phase = Phase {
            kind,
            indices: indices.clone(),
            extent_sizes,
            first_local,
            stores: Vec::new(),
            other_index_loads: Vec::new(),
        };
        (indices, self.ctx.phase.replace(phase))
    }

    /// Reports loads at another index of an array the phase stores. Only a
    /// `foreach` has stores: a store in a reduction is rejected unrecorded.
    fn check_phase_races(&mut self, phase: &Phase) {
        for &(array, load_span) in &phase.other_index_loads {
            let Some(&(_, store_span)) = phase.stores.iter().find(|(p, _)| *p == array) else {
                continue;
            };
            let name = self
                .param(array)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            let d = Diagnostic::error(format!("`{name}` is read at another index in the `foreach` that writes it"))
                .primary(load_span, "read at another index")
                .secondary(store_span, "written here")
                .note("all indices of a `foreach` run in parallel, so that element may or may not be written yet")
                .help("read it in a later `foreach`, or write the result to another output");
            self.error(d);
        }
    }

    /// Reports a write, inside a phase, to a local declared outside it.
    pub fn check_not_uniform_in_phase(&mut self, local: LocalId, name: &Ident) -> bool {
        let Some(phase) = &self.ctx.phase else {
            return true;
        };
        if local.as_u32() >= phase.first_local {
            return true;
        }
        let info = &self.b.body.locals[local];
        let (what, help) = match info.kind {
            LocalKind::Output(_) => (
                "scalar output",
                format!(
                    "compute it with a reduction: `{} = sum over i in n {{ ... }};`",
                    name.name
                ),
            ),
            _ => (
                "variable",
                "declare it inside the phase, or compute it with a reduction".to_string(),
            ),
        };
        let d = Diagnostic::error(format!(
            "cannot assign {what} `{}` inside a phase",
            name.name
        ))
        .primary(name.span, "every index of the phase would write it")
        .secondary(info.span, "declared outside the phase")
        .help(help);
        self.error(d);
        false
    }

    /// Records a load for the race check: loads at the current index of a
    /// domain-shaped array, or in the slice it owns, are always safe; the
    /// others are checked when the phase ends.
    pub fn note_load(&mut self, array: ir::ParamId, indices: &[ast::Expr], span: Span) {
        if self.ctx.phase.is_none() || self.is_owned_index(array, indices) {
            return;
        }
        let span = self.expansion_site.unwrap_or(span);
        if let Some(phase) = self.ctx.phase.as_mut() {
            phase.other_index_loads.push((array, span));
        }
    }

    /// Whether `array[indices]` lies in the slice the current index owns:
    /// the leading indices are the phase's own index variables, in order,
    /// over leading dimensions that are the domain's sizes. With no
    /// further index it is the current element; with more (`pos[i, k]` in
    /// `foreach i in n`), an element below it, which no other index of the
    /// phase can touch.
    fn is_owned_index(&self, array: ir::ParamId, indices: &[ast::Expr]) -> bool {
        let Some(phase) = &self.ctx.phase else {
            return false;
        };
        let dims = self
            .param(array)
            .map(|p| p.dims().to_vec())
            .unwrap_or_default();
        let rank = phase.indices.len();
        indices.len() == dims.len()
            && dims.len() >= rank
            && phase.is_shaped_like(&dims[..rank])
            && indices.iter().zip(&phase.indices).all(|(index, &local)| {
                matches!(&index.kind, ExprKind::Name(n) if self.scopes.lookup(&n.name) == Some(Binding::Local(local)))
            })
    }

    /// `array[indices] = value` or `array[indices] op= value`.
    pub fn store(
        &mut self,
        array: &Ident,
        indices: &[ast::Expr],
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        place_span: Span,
        span: Span,
    ) -> Option<ir::Stmt> {
        let value = self.expr(value);
        let (param, elem, dims) = self.array_param(array)?;
        // Counted as written even when the store is rejected below, so the
        // user is not also told the output is never stored.
        if let Some(kernel) = self.kernel.as_mut() {
            kernel.written.insert(param);
        }
        let index = self.indices(array, dims.len(), indices, place_span);
        if !self.check_store_target(param, array, indices, &dims, place_span)
            || index.len() != dims.len()
        {
            return None;
        }
        let value = self.stored_value(op, value, elem, array, span, |l| {
            let index = l.index_reads(place_span);
            let load = Expr::Load {
                array: param,
                index,
            };
            l.b.expr(load, ty_of(elem), place_span)
        });
        if let Some(phase) = self.ctx.phase.as_mut() {
            phase.stores.push((param, place_span));
        }
        Some(ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::Store {
                array: param,
                index,
                value,
            },
            span,
        })
    }

    /// What a store to `name` writes: `value`, or for `op=` the element
    /// read by `current` combined with it, typed as the element.
    pub fn stored_value(
        &mut self,
        op: Option<ast::BinaryOp>,
        value: ir::ExprId,
        elem: ScalarType,
        name: &Ident,
        span: Span,
        current: impl FnOnce(&mut Self) -> ir::ExprId,
    ) -> ir::ExprId {
        let value = match op {
            Some(op) => {
                let current = current(self);
                self.compound(op, current, value, span)
            }
            None => value,
        };
        let what = format!("a value stored to `{}`", name.name);
        self.expect_ty(value, ty_of(elem), &what);
        value
    }

    /// Fresh reads of the current phase's index locals.
    fn index_reads(&mut self, span: Span) -> Vec<ir::ExprId> {
        let locals = self
            .ctx
            .phase
            .as_ref()
            .map(|p| p.indices.clone())
            .unwrap_or_default();
        locals
            .into_iter()
            .map(|l| self.local_read(l, span))
            .collect()
    }

    fn check_store_target(
        &mut self,
        param: ir::ParamId,
        array: &Ident,
        indices: &[ast::Expr],
        dims: &[SizeId],
        span: Span,
    ) -> bool {
        let role = self.param(param).map(|p| p.role);
        let problem = match (&self.ctx.phase, role) {
            (_, Some(ParamRole::Input)) => Some(
                Diagnostic::error(format!("cannot write to input array `{}`", array.name))
                    .primary(span, "inputs are read-only")
                    .help(format!(
                        "declare it `inout {}: ...` or write to an output",
                        array.name
                    )),
            ),
            (None, _) => Some(
                Diagnostic::error(format!(
                    "cannot store to `{}` outside a `foreach`",
                    array.name
                ))
                .primary(span, "array elements are written only by `foreach` phases")
                .help("wrap the store in `foreach i in n { ... }`"),
            ),
            (Some(phase), _) if phase.kind == PhaseKind::Reduce => Some(
                Diagnostic::error(format!(
                    "cannot store to `{}` inside a reduction",
                    array.name
                ))
                .primary(span, "a reduction body only computes its value"),
            ),
            _ => None,
        };
        if let Some(d) = problem {
            self.error(d);
            return false;
        }
        self.check_store_index(param, array, indices, dims, span)
    }

    fn check_store_index(
        &mut self,
        param: ir::ParamId,
        array: &Ident,
        indices: &[ast::Expr],
        dims: &[SizeId],
        span: Span,
    ) -> bool {
        if self.is_owned_index(param, indices) {
            return true;
        }
        let Some(phase) = &self.ctx.phase else {
            return false;
        };
        let index_names: Vec<String> = phase
            .indices
            .iter()
            .map(|&l| self.b.body.locals[l].name.clone())
            .collect();
        let rank = phase.indices.len();
        let d = if dims.len() >= rank && phase.is_shaped_like(&dims[..rank]) {
            let below = if dims.len() > rank { ", ..." } else { "" };
            let at = format!("{}[{}{below}]", array.name, index_names.join(", "));
            Diagnostic::error(format!(
                "`{}` is written at an index other than the current one",
                array.name
            ))
            .primary(span, format!("stores go only to `{at}`"))
            .note(
                "each index of a `foreach` writes only its own element (and what lies below it), so the phase is race-free",
            )
            .help(format!(
                "have each index compute its own element: `{at} = ...`, reading the inputs at the other index (`x[{} - 1]`)",
                index_names.last().map_or("i", String::as_str)
            ))
        } else {
            let shape = |sizes: Vec<String>| format!("[{}]", sizes.join(", "));
            let kernel = self.kernel.as_ref();
            let size_name = |s: &SizeId| {
                let size = kernel.and_then(|k| k.sizes.get(*s));
                size.map(|size| size.name.clone()).unwrap_or_default()
            };
            let array_shape = shape(dims.iter().map(size_name).collect());
            let named: Option<Vec<String>> = phase
                .extent_sizes
                .iter()
                .map(|e| e.as_ref().map(size_name))
                .collect();
            let message = match named {
                Some(sizes) => format!("`{}` has shape {array_shape}, but this `foreach` runs over {}", array.name, shape(sizes)),
                None => format!("`{}` has shape {array_shape}, but this `foreach` does not run over {array_shape}", array.name),
            };
            Diagnostic::error(message)
                .primary(span, "stored in a phase of another shape")
                .note("a `foreach` stores only to arrays whose leading sizes are its domain, so no two indices write one element")
                .help(format!("run the `foreach` over `{}`'s shape, or over its leading dimensions and store below the current index: `foreach i in n {{ for k in 0..3 {{ pos[i, k] = ...; }} }}`", array.name))
        };
        self.error(d);
        false
    }

    /// `op over indices in domain { body }` as an expression: a read of
    /// the value (`sum`), or of the index (`argmin`). `min_at` gives two
    /// results, which only a `let (v, i)` can take apart.
    pub fn reduction_expr(
        &mut self,
        header: ReductionHeader,
        body: &ast::Block,
        span: Span,
    ) -> ir::ExprId {
        let (op, op_span, result) = (header.op, header.op_span, header.result);
        if result == ReduceResult::ValueAndIndex {
            let name = header.name();
            let d = Diagnostic::error(format!(
                "`{name}` gives a value and an index, which only `let (value, index) = ...` \
                 can take apart"
            ))
            .primary(op_span, "two results")
            .help(format!(
                "write `let (v, i) = {name} over ...;`, or `{} over ...` for the index alone",
                op.name()
            ));
            self.error(d);
            return self.error_expr(span);
        }
        match self.reduction(header, body, span) {
            Some((value, index)) => {
                let dst = match result {
                    ReduceResult::Index => index.unwrap_or(value),
                    ReduceResult::Value | ReduceResult::ValueAndIndex => value,
                };
                self.local_read(dst, span)
            }
            None => self.error_expr(span),
        }
    }

    /// `op over indices in domain { body }`: hoisted into a reduction phase
    /// that runs before the enclosing statement. Returns the locals of its
    /// value and (`argmin`, `min_at`) index, or `None` where no reduction
    /// is allowed (reported).
    pub fn reduction(
        &mut self,
        header: ReductionHeader,
        body: &ast::Block,
        span: Span,
    ) -> Option<(LocalId, Option<LocalId>)> {
        let (op, op_span) = (header.op, header.op_span);
        let (indices, domain) = (header.indices, header.domain);
        if !self.phase_allowed("a reduction", span) {
            return None;
        }
        let (domain, (block, value)) =
            self.lower_phase(PhaseKind::Reduce, (indices, domain, false), span, |l| {
                l.value_block(body, "a reduction body")
            });
        let ty = self.b.expr_ty(value);
        let resolved = self.infer.resolve(ty);
        if !resolved.is_numeric() && !resolved.is_error() {
            let d = Diagnostic::error(format!(
                "`{}` reduces numbers, found `{}`",
                header.name(),
                resolved.describe()
            ))
            .primary(self.b.body.exprs[value].span, "not a number")
            .secondary(op_span, "reduction");
            let d = match op.tracks_index() {
                true => d.help("to find the first `true`, reduce `select(c, 1, 0)` with `argmax`"),
                false => d,
            };
            self.error(d);
        }
        let dst = self.b.local(op.name(), ty, span, LocalKind::ReduceResult);
        let index = op.tracks_index().then(|| {
            let i64 = ty_of(ScalarType::I64);
            self.b.local("index", i64, span, LocalKind::ReduceResult)
        });
        let stmt = ir::Stmt {
            id: ir::StmtId::unset(),
            kind: StmtKind::Reduce {
                dst,
                index,
                op,
                domain,
                body: block,
                value,
            },
            span,
        };
        if self.ctx.hoist_reductions {
            // Before the whole statement, even inside the right side of
            // `&&` (docs/LANGUAGE.md), in evaluation order with the other
            // statements of its prelude.
            let statement_prelude = self
                .ctx
                .enclosing_preludes
                .iter_mut()
                .find_map(Option::as_mut);
            match statement_prelude {
                Some(prelude) => prelude.push(stmt),
                None => self.push_prelude(stmt.kind, stmt.span),
            }
        }
        Some((dst, index))
    }

    /// A block that ends in a scalar value: a reduction body.
    pub fn value_block(&mut self, body: &ast::Block, what: &str) -> (ir::Block, ir::ExprId) {
        let (block, value) = self.value_block_any(body, what);
        (block, self.scalar_of(value, what))
    }

    /// A block that ends in a value of any type: a function body.
    pub fn value_block_any(&mut self, body: &ast::Block, what: &str) -> (ir::Block, Value) {
        self.scopes.push();
        let mut stmts = Vec::new();
        for stmt in &body.stmts {
            self.stmt(stmt, &mut stmts);
        }
        let value = match &body.tail {
            Some(tail) => {
                let (value, prelude) = self.with_own_prelude(|l| l.value_of(tail));
                stmts.extend(prelude);
                value
            }
            None => {
                // Point at the closing `}`; a block recovery ended without
                // one gets an empty span at its end (always a character
                // boundary, unlike the byte before it).
                let end = body.span.end as usize;
                let (end, label) = if body.closed {
                    (Span::new(end - 1, end), "expected an expression before `}`")
                } else {
                    (Span::new(end, end), "expected an expression here")
                };
                let d = Diagnostic::error(format!("{what} must end with a value"))
                    .primary(end, label)
                    .note("the last expression of the block, without `;`, is its value");
                self.error(d);
                self.error_value(body.span)
            }
        };
        self.scopes.pop();
        (stmts, value)
    }
}
