//! Verifier checks of the statement tree: statement types, where phases,
//! stores and loop exits may appear, and which locals a phase may touch.
//!
//! In: one body whose expression arena passed `check_arena`. Out: the
//! statement roots counted into `uses`, or the first broken invariant.
//!
//! Locals get an *owner*: the phase they are assigned in, or `Uniform` for
//! code outside every phase. A local assigned under two owners breaks "uniform
//! locals are read-only in phases"; a read of a phase-owned local under
//! another owner would see a per-iteration value from outside the phase.

use super::{Check, Checker, VerifyError};
use crate::ir::*;
use crate::types::ScalarType;
use cranelift_entity::EntityRef;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Owner {
    Uniform,
    Phase(usize),
}

/// Where a statement sits.
#[derive(Clone, Copy)]
struct Scope<'s> {
    /// In a kernel's uniform code (outside phases): phases may start here.
    uniform: bool,
    loops: u32,
    phase: Option<Phase<'s>>,
}

/// The phase a statement is in.
#[derive(Clone, Copy)]
struct Phase<'s> {
    /// Phases are numbered in kernel order.
    number: usize,
    domain: &'s Domain,
    /// A `Foreach` (stores allowed) rather than a `Reduce`.
    foreach: bool,
}

impl Scope<'_> {
    fn owner(&self) -> Owner {
        self.phase
            .map_or(Owner::Uniform, |p| Owner::Phase(p.number))
    }
}

struct Walk<'c, 'a> {
    cx: &'c Checker<'a>,
    uses: &'c mut Vec<u32>,
    owners: Vec<Option<Owner>>,
    /// Loop counters and domain indices already bound by a `For` or domain.
    bound: Vec<bool>,
    reads: Vec<(LocalId, Owner, Span)>,
    phases: usize,
    /// In the current phase: arrays stored, and every load as (node, array).
    stored: Vec<ParamId>,
    loads: Vec<(ExprId, ParamId)>,
    /// Statement ids seen so far: each must be set and unique.
    stmt_ids: std::collections::HashSet<StmtId>,
    /// The phase (or function) each local array is declared and used in.
    array_owners: std::collections::HashMap<LocalArrayId, Owner>,
}

impl Checker<'_> {
    pub(super) fn check_kernel_block(&self, uses: &mut Vec<u32>) -> Check {
        let mut walk = Walk::new(self, uses);
        for (id, local) in self.body.locals.iter() {
            if let LocalKind::Output(_) = local.kind {
                walk.owners[id.index()] = Some(Owner::Uniform); // set to zero before the body
            }
        }
        let scope = Scope {
            uniform: true,
            loops: 0,
            phase: None,
        };
        walk.block(&self.body.block, scope)?;
        walk.check_reads()
    }

    pub(super) fn check_function_block(&self, uses: &mut Vec<u32>) -> Check {
        let scope = Scope {
            uniform: false,
            loops: 0,
            phase: None,
        };
        Walk::new(self, uses).block(&self.body.block, scope)
    }
}

impl<'c, 'a> Walk<'c, 'a> {
    fn new(cx: &'c Checker<'a>, uses: &'c mut Vec<u32>) -> Self {
        let n = cx.body.locals.len();
        Walk {
            cx,
            uses,
            owners: vec![None; n],
            bound: vec![false; n],
            reads: Vec::new(),
            phases: 0,
            stored: Vec::new(),
            loads: Vec::new(),
            stmt_ids: std::collections::HashSet::new(),
            array_owners: std::collections::HashMap::new(),
        }
    }

    fn block(&mut self, block: &Block, scope: Scope) -> Check {
        block.iter().try_for_each(|stmt| self.stmt(stmt, scope))
    }

    fn stmt(&mut self, stmt: &Stmt, scope: Scope) -> Check {
        let span = stmt.span;
        if stmt.id == StmtId::unset() || !self.stmt_ids.insert(stmt.id) {
            let msg = format!("statement id {} unset or repeated", stmt.id);
            return Err(self.cx.err(span, &msg));
        }
        let inner = scope;
        let in_loop = Scope {
            loops: scope.loops + 1,
            ..inner
        };
        match &stmt.kind {
            StmtKind::Assign { local, value } => {
                let ty = self.expr(*value, span, scope)?;
                self.assign(*local, ty, span, scope)
            }
            StmtKind::Store {
                array,
                index,
                value,
            } => self.store(*array, index, *value, span, scope),
            StmtKind::DeclareArray { array } => self.declare_array(*array, span, scope),
            StmtKind::LocalStore {
                array,
                index,
                value,
            } => self.local_store(*array, index, *value, span, scope),
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                self.expect_type(*cond, ScalarType::Bool, "if condition", span, scope)?;
                self.block(then_block, inner)?;
                self.block(else_block, inner)
            }
            StmtKind::For {
                counter,
                start,
                end,
                body,
                ..
            } => {
                self.for_header(*counter, *start, *end, span, scope)?;
                self.block(body, in_loop)
            }
            StmtKind::While { cond, body } => {
                self.expect_type(*cond, ScalarType::Bool, "while condition", span, scope)?;
                self.block(body, in_loop)
            }
            StmtKind::Break | StmtKind::Continue if scope.loops == 0 => {
                Err(self.cx.err(span, "break or continue outside a loop"))
            }
            StmtKind::Break | StmtKind::Continue => Ok(()),
            StmtKind::Swap { a, b } => self.swap(*a, *b, span, scope),
            StmtKind::Foreach { domain, body } => self.phase(domain, body, None, span, scope),
            StmtKind::Reduce {
                dst,
                index,
                op,
                domain,
                body,
                value,
            } => {
                self.phase(domain, body, Some((*dst, *value)), span, scope)?;
                self.reduce_index(*op, *dst, *index, span)
            }
        }
    }

    /// Counts a statement root, records its local reads and phase loads,
    /// and returns its type.
    fn expr(&mut self, root: ExprId, span: Span, scope: Scope) -> Result<ScalarType, VerifyError> {
        let ty = self.cx.use_root(self.uses, root, span)?.ty;
        let owner = scope.owner();
        let (reads, loads) = (&mut self.reads, &mut self.loads);
        let mut array_reads = Vec::new();
        self.cx.visit_tree(root, |id, node| {
            match &node.expr {
                Expr::Local(l) => reads.push((*l, owner, node.span)),
                Expr::Load { array, .. } if scope.phase.is_some() => loads.push((id, *array)),
                Expr::LocalLoad { array, .. } => array_reads.push((*array, owner, node.span)),
                _ => {}
            }
            Ok(())
        })?;
        for (array, owner, span) in array_reads {
            self.own_array(array, owner, span)?;
        }
        Ok(ty)
    }

    fn expect_type(
        &mut self,
        e: ExprId,
        want: ScalarType,
        what: &str,
        span: Span,
        scope: Scope,
    ) -> Check {
        match self.expr(e, span, scope)? {
            ty if ty == want => Ok(()),
            ty => Err(self
                .cx
                .err(span, format!("{what} {e} has type {ty}, expected {want}"))),
        }
    }

    fn assign(&mut self, local: LocalId, ty: ScalarType, span: Span, scope: Scope) -> Check {
        let l = self.cx.local(local, span)?;
        if l.ty != ty {
            return Err(self
                .cx
                .err(span, format!("assigns a {ty} to {local} of type {}", l.ty)));
        }
        if matches!(
            l.kind,
            LocalKind::LoopCounter | LocalKind::DomainIndex { .. } | LocalKind::FnParam
        ) {
            return Err(self
                .cx
                .err(span, format!("assigns read-only {local} ({:?})", l.kind)));
        }
        self.own(local, scope.owner(), span)
    }

    fn own(&mut self, local: LocalId, owner: Owner, span: Span) -> Check {
        match self.owners[local.index()] {
            Some(old) if old != owner => {
                let msg = format!("{local} is assigned both in {old:?} and {owner:?} code (uniform locals are read-only in phases)");
                Err(self.cx.err(span, msg))
            }
            _ => {
                self.owners[local.index()] = Some(owner);
                Ok(())
            }
        }
    }

    /// Marks a loop counter or domain index as bound; each is bound once.
    fn bind(&mut self, local: LocalId, owner: Owner, span: Span) -> Check {
        if std::mem::replace(&mut self.bound[local.index()], true) {
            return Err(self
                .cx
                .err(span, format!("{local} is bound by two loops or domains")));
        }
        self.own(local, owner, span)
    }

    fn for_header(
        &mut self,
        counter: LocalId,
        start: ExprId,
        end: ExprId,
        span: Span,
        scope: Scope,
    ) -> Check {
        let c = self.cx.local(counter, span)?;
        let start_ty = self.expr(start, span, scope)?;
        let end_ty = self.expr(end, span, scope)?;
        if c.kind != LocalKind::LoopCounter || !c.ty.is_int() || start_ty != c.ty || end_ty != c.ty
        {
            let msg = format!(
                "for {counter} ({:?} {}) in {start_ty}..{end_ty}",
                c.kind, c.ty
            );
            return Err(self.cx.err(span, msg));
        }
        self.bind(counter, scope.owner(), span)
    }

    fn store(
        &mut self,
        array: ParamId,
        index: &[ExprId],
        value: ExprId,
        span: Span,
        scope: Scope,
    ) -> Check {
        let Some(Phase {
            domain,
            foreach: true,
            ..
        }) = scope.phase
        else {
            return Err(self
                .cx
                .err(span, format!("store to {array} outside a foreach")));
        };
        // `store_target` checked at least one index per domain dimension;
        // the leading ones are the domain's (an owner store writes below).
        let elem = self.store_target(array, index.len(), domain, span)?;
        for (d, &i) in index.iter().enumerate() {
            self.expr(i, span, scope)?;
            let at = domain.indices.get(d);
            if at.is_some_and(|&at| self.cx.body.exprs[i].expr != Expr::Local(at)) {
                let msg = format!("store to {array} is not at the domain index (dim {d})");
                return Err(self.cx.err(span, msg));
            }
        }
        let ty = self.expr(value, span, scope)?;
        if ty != elem {
            let msg = format!("stores a {ty} into {array} of {elem}");
            return Err(self.cx.err(span, msg));
        }
        self.stored.push(array);
        Ok(())
    }

    /// Each local array belongs to one phase, or to the uniform code
    /// (where the checker puts only those of functions expanded there: an
    /// array declared in the kernel's own uniform code is a scratch
    /// parameter).
    fn declare_array(&mut self, array: LocalArrayId, span: Span, scope: Scope) -> Check {
        self.cx.local_array(array, span)?;
        self.own_array(array, scope.owner(), span)
    }

    fn local_store(
        &mut self,
        array: LocalArrayId,
        index: &[ExprId],
        value: ExprId,
        span: Span,
        scope: Scope,
    ) -> Check {
        let elem = self.cx.local_array(array, span)?.elem;
        let rank = self.cx.body.arrays[array].dims.len();
        for &i in index {
            self.expect_type(i, ScalarType::I64, "local array index", span, scope)?;
        }
        let ty = self.expr(value, span, scope)?;
        if index.len() != rank || ty != elem {
            let msg = format!(
                "store of {ty} at {} indices into {array} of {elem} (rank {rank})",
                index.len()
            );
            return Err(self.cx.err(span, msg));
        }
        self.own_array(array, scope.owner(), span)
    }

    fn own_array(&mut self, array: LocalArrayId, owner: Owner, span: Span) -> Check {
        match self.array_owners.insert(array, owner) {
            Some(old) if old != owner => {
                let msg = format!("local array {array} used both in {old:?} and {owner:?}");
                Err(self.cx.err(span, msg))
            }
            _ => Ok(()),
        }
    }

    /// Both arrays writable, of one element type and shape, in uniform code.
    fn swap(&self, a: ParamId, b: ParamId, span: Span, scope: Scope) -> Check {
        let (pa, pb) = (self.cx.param(a, span)?, self.cx.param(b, span)?);
        let same = pa.kind == pb.kind;
        if !scope.uniform || !pa.is_writable_array() || !pb.is_writable_array() || !same || a == b {
            let msg = format!(
                "swap of {a} and {b}: not two distinct writable arrays of one type in uniform code"
            );
            return Err(self.cx.err(span, msg));
        }
        Ok(())
    }

    /// Checks that `array` is a writable array whose shape is `domain` (each
    /// extent being `Size(dims[d])`) and that the store has one index per
    /// dimension; returns the element type.
    fn store_target(
        &self,
        array: ParamId,
        indices: usize,
        domain: &Domain,
        span: Span,
    ) -> Result<ScalarType, VerifyError> {
        let param = self.cx.param(array, span)?;
        if !param.is_writable_array() {
            let msg = format!("store to {array}, which is not an output or inout array");
            return Err(self.cx.err(span, msg));
        }
        let dims = param.dims();
        let kernel = self
            .cx
            .kernel
            .ok_or_else(|| self.cx.err(span, "store outside a kernel"))?;
        let extent = |e: ExprId| self.cx.body.exprs.get(e).and(kernel.extent_size(e));
        // Leading dimensions are the domain's: equal (a store at the
        // current index) or more (an owner store).
        let shaped = dims.len() >= domain.extents.len()
            && (dims.iter().zip(&domain.extents)).all(|(&s, &e)| extent(e) == Some(s));
        if indices != dims.len() || !shaped {
            let msg = format!(
                "store to {array} with {indices} indices, or over a domain that is not its shape"
            );
            return Err(self.cx.err(span, msg));
        }
        Ok(param.elem())
    }

    fn phase(
        &mut self,
        domain: &Domain,
        body: &Block,
        reduce: Option<(LocalId, ExprId)>,
        span: Span,
        scope: Scope,
    ) -> Check {
        if !scope.uniform || self.cx.kernel.is_none() {
            return Err(self.cx.err(
                span,
                "phase (foreach or reduce) outside a kernel's uniform code",
            ));
        }
        let k = self.phases;
        self.phases += 1;
        self.domain(domain, k, span)?;
        let inner = Scope {
            uniform: false,
            loops: 0,
            phase: Some(Phase {
                number: k,
                domain,
                foreach: reduce.is_none(),
            }),
        };
        self.block(body, inner)?;
        if let Some((dst, value)) = reduce {
            let ty = self.expr(value, span, inner)?;
            self.reduce_dst(dst, ty, span)?;
        }
        self.check_phase_loads(domain)
    }

    fn domain(&mut self, domain: &Domain, k: usize, span: Span) -> Check {
        if domain.indices.is_empty() || domain.indices.len() != domain.extents.len() {
            return Err(self.cx.err(
                span,
                "domain with no dimension or mismatched indices and extents",
            ));
        }
        let uniform = Scope {
            uniform: false,
            loops: 0,
            phase: None,
        };
        for (dim, (&index, &extent)) in domain.indices.iter().zip(&domain.extents).enumerate() {
            let ty = self.expr(extent, span, uniform)?;
            let local = self.cx.local(index, span)?;
            if ty != ScalarType::I64
                || local.ty != ScalarType::I64
                || local.kind != (LocalKind::DomainIndex { dim })
            {
                let msg = format!(
                    "domain dim {dim}: index {index} ({:?} {}), extent of type {ty}",
                    local.kind, local.ty
                );
                return Err(self.cx.err(span, msg));
            }
            self.bind(index, Owner::Phase(k), span)?;
        }
        Ok(())
    }

    /// `argmin`/`argmax` write their index to an `i64` local besides `dst`;
    /// the other reductions have no index.
    fn reduce_index(
        &mut self,
        op: ReduceOp,
        dst: LocalId,
        index: Option<LocalId>,
        span: Span,
    ) -> Check {
        match (op.tracks_index(), index) {
            (false, None) => Ok(()),
            (true, Some(index)) if index != dst => self.reduce_dst(index, ScalarType::I64, span),
            _ => Err(self.cx.err(
                span,
                format!("{} reduction with index {index:?}", op.name()),
            )),
        }
    }

    fn reduce_dst(&mut self, dst: LocalId, ty: ScalarType, span: Span) -> Check {
        let local = self.cx.local(dst, span)?;
        let kind_ok = matches!(
            local.kind,
            LocalKind::Var | LocalKind::Output(_) | LocalKind::ReduceResult
        );
        if !kind_ok || local.ty != ty || !ty.is_numeric() {
            let msg = format!(
                "reduce into {dst} ({:?} {}) of a {ty} value",
                local.kind, local.ty
            );
            return Err(self.cx.err(span, msg));
        }
        self.own(dst, Owner::Uniform, span)
    }

    /// An array stored in this phase is loaded only at the domain index (in
    /// its leading dimensions: the slice the current index owns).
    fn check_phase_loads(&mut self, domain: &Domain) -> Check {
        let stored = std::mem::take(&mut self.stored);
        for (id, array) in std::mem::take(&mut self.loads) {
            let node = &self.cx.body.exprs[id];
            let Expr::Load { index, .. } = &node.expr else {
                continue;
            };
            let at_index = index.len() >= domain.indices.len()
                && index
                    .iter()
                    .zip(&domain.indices)
                    .all(|(&i, &l)| self.cx.body.exprs[i].expr == Expr::Local(l));
            if stored.contains(&array) && !at_index {
                return Err(self.cx.err(
                    node.span,
                    format!("{id} loads {array}, stored in this phase, away from the domain index"),
                ));
            }
        }
        Ok(())
    }

    /// A phase-owned local is read only inside its phase.
    fn check_reads(&self) -> Check {
        for &(local, owner, span) in &self.reads {
            match self.owners.get(local.index()).copied().flatten() {
                Some(Owner::Phase(k)) if owner != Owner::Phase(k) => {
                    return Err(self.cx.err(
                        span,
                        format!("{local} belongs to phase {k} but is read in {owner:?} code"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}
