//! The vector plan: every SPMD decision about a kernel, made once, before
//! code generation, and kept in side tables keyed by IR ids.
//!
//! In: a verified kernel of an [`ir::Module`]. Out: a [`VectorPlan`]: for
//! the driver (the kernel's uniform code), each phase and each inlined
//! function body (one plan per function and argument forms), the form of
//! every local and expression (uniform or varying, and the id of the cause),
//! of every loop (coherent, unrolled, divergent) and branch (uniform,
//! varying), which writes may skip their blend, and for phases the kind of
//! every array access, the footprint of every array read, the reduction and
//! the chunking. Codegen consumes the plan and decides nothing itself;
//! `kjit emit plan` prints it ([`dump`]) and `kjit explain` reads it to the
//! user ([`explain`]).
//!
//! Holds: the plan is a pure function of the IR, so two compilations of one
//! module make the same decisions. Within a phase, a gang is [`GANG`](crate::abi::GANG)
//! consecutive indices of the last domain dimension; the other domain
//! indices are uniform within a gang.

mod access;
pub mod dump;
pub mod explain;
mod footprint;
mod forms;
mod ranges;
mod scopes;
mod short;

pub use access::{Access, Check, GatherReason};
pub use footprint::{ArrayFootprint, Offset};
pub use short::{shift_amount, Extension};

use crate::ir::{
    self, Body, Domain, ExprId, FuncId, LocalArrayId, LocalId, ParamId, StmtId, StmtKind,
};
use crate::semantics::ReduceOp;
use crate::types::ScalarType;
use forms::Forms;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Why a local varies across the lanes of a gang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The phase's last domain index: lanes hold consecutive indices.
    Lanes,
    /// A function parameter bound to a varying argument.
    Argument,
    /// Assigned a varying value by this statement.
    Assigned(StmtId),
    /// Assigned under varying control: this `if` or divergent loop.
    Control(StmtId),
    /// The counter of this `for` loop, whose bounds vary.
    Bounds(StmtId),
}

/// What a varying value reads that makes it vary: a varying local, or a
/// varying local array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Local(LocalId),
    Array(LocalArrayId),
}

/// How a `for` or `while` loop runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopForm {
    /// Every lane runs the same iterations: plain compare and branch.
    Coherent,
    /// Lanes leave at different iterations: a live mask, and the loop ends
    /// when no lane is live.
    Divergent(Diverges),
}

/// Why a loop diverges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diverges {
    /// Its `while` condition varies.
    Condition(ExprId),
    /// Its `for` bounds vary.
    Bounds,
    /// This `break` or `continue` sits under a varying condition.
    Jump(StmtId),
}

/// How an `if` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchForm {
    /// One side runs, as in scalar code (the default for an absent entry).
    Uniform,
    /// Each side under a narrowed exec mask, skipped when no lane takes it;
    /// the condition varies because it reads this.
    Varying(Source),
}

/// The plan of one body: the driver, a phase, or an inlined function.
#[derive(Clone, Debug, Default)]
pub struct BodyPlan {
    /// Varying locals and why; every other local is uniform.
    pub varying_locals: BTreeMap<LocalId, Cause>,
    /// The local arrays this body declares.
    pub arrays: BTreeSet<LocalArrayId>,
    /// Varying local arrays (one copy per lane) and why; every other
    /// local array is uniform (one copy for the gang).
    pub varying_arrays: BTreeMap<LocalArrayId, Cause>,
    /// Every expression the body evaluates: `Some(source)` when it varies
    /// (reading that varying local or local array), `None` when uniform.
    pub exprs: HashMap<ExprId, Option<Source>>,
    /// Every loop of the body.
    pub loops: BTreeMap<StmtId, LoopForm>,
    /// The varying `if`s; the others are uniform.
    pub branches: BTreeMap<StmtId, BranchForm>,
    /// The `let` of each local (its first assignment): written without a
    /// blend at the mask depth where it stands.
    pub declarations: HashSet<StmtId>,
    /// Per loop: locals written without a blend at its body's top level
    /// when it diverges (see `scopes`).
    pub loop_private: BTreeMap<StmtId, Vec<LocalId>>,
    /// The function plan each call expression inlines.
    pub calls: HashMap<ExprId, FnPlanId>,
    /// Array reads of a phase by load expression (empty elsewhere: the
    /// driver's loads are all uniform, functions read no arrays).
    pub accesses: BTreeMap<ExprId, Access>,
    /// Owner stores: stores below the current index (`pos[i, k]` in
    /// `foreach i in n`), a per-lane scatter with a check of the further
    /// indices. Every other store is at the current index: whole-gang
    /// vector stores, in bounds by construction.
    pub owner_stores: BTreeSet<StmtId>,
    /// Interleaved arrays (with their number of channels) whose gang block
    /// a phase loads once at the gang's entry, for every read marked
    /// `shared` ([`Access::Interleaved`], `access::share_channel_blocks`).
    pub channel_blocks: Vec<(ParamId, u32)>,
    /// Integer products (`Mul` of a type of at most 32 bits) whose operands
    /// and result are proven in `0..2^16` (`ranges`): a 16-bit multiply of
    /// the 32-bit lanes computes them exactly (its high halves are 0 * 0).
    pub short_products: BTreeSet<ExprId>,
    /// Narrowing integer casts whose operand is proven to fit the target
    /// type (`ranges`): the lanes need no renormalization.
    pub exact_casts: BTreeSet<ExprId>,
    /// Varying integer expressions computed as 8 × 16-bit lanes in one
    /// register (`short`), with how their 16 bits extend to the value.
    pub short: BTreeMap<ExprId, Extension>,
    /// Varying locals held as 8 × 16-bit lanes: each has one assignment,
    /// its `let`, whose value is in `short`.
    pub short_locals: BTreeMap<LocalId, Extension>,
}

impl BodyPlan {
    pub fn is_varying(&self, expr: ExprId) -> bool {
        matches!(self.exprs.get(&expr), Some(Some(_)))
    }

    pub fn is_varying_local(&self, local: LocalId) -> bool {
        self.varying_locals.contains_key(&local)
    }

    pub fn is_varying_array(&self, array: LocalArrayId) -> bool {
        self.varying_arrays.contains_key(&array)
    }

    pub fn is_declaration(&self, stmt: StmtId) -> bool {
        self.declarations.contains(&stmt)
    }

    /// A loop's form (coherent if the plan never saw it).
    pub fn loop_form(&self, stmt: StmtId) -> &LoopForm {
        self.loops.get(&stmt).unwrap_or(&LoopForm::Coherent)
    }

    pub fn branch(&self, stmt: StmtId) -> BranchForm {
        self.branches
            .get(&stmt)
            .copied()
            .unwrap_or(BranchForm::Uniform)
    }

    pub fn is_owner_store(&self, stmt: StmtId) -> bool {
        self.owner_stores.contains(&stmt)
    }

    pub fn loop_private(&self, stmt: StmtId) -> &[LocalId] {
        self.loop_private.get(&stmt).map_or(&[], Vec::as_slice)
    }

    /// How a load reads (uniform if the plan holds no entry: driver code).
    pub fn access(&self, load: ExprId) -> &Access {
        self.accesses.get(&load).unwrap_or(&Access::Uniform)
    }
}

/// A function plan: index into [`VectorPlan::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FnPlanId(pub usize);

/// One inlined function body, for one combination of argument forms.
#[derive(Clone, Debug)]
pub struct FunctionPlan {
    pub func: FuncId,
    /// Which parameters are bound to varying arguments.
    pub varying_params: Vec<bool>,
    pub body: BodyPlan,
    pub result_varying: bool,
}

/// What a phase computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseKind {
    Foreach,
    /// `dst = op over domain { value }`; lane accumulators combine in a
    /// fixed tree, chunk partials in chunk order ([`COMBINE_ORDER`]).
    /// `argmin`/`argmax` also keep each lane's index and write the chosen
    /// element's flat index to `index`.
    Reduce {
        op: ReduceOp,
        ty: ScalarType,
        dst: LocalId,
        index: Option<LocalId>,
        value: ExprId,
    },
}

/// The combine order of every reduction, which the evaluator follows too.
pub const COMBINE_ORDER: &str = "element j of a row to lane j % 8; lanes \
    ((a0+a4)+(a2+a6))+((a1+a5)+(a3+a7)); chunk partials in chunk order";

/// An extent of a phase's domain, as far as it is known before a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extent {
    Const(i64),
    Size(String),
    /// Computed by uniform code at run time.
    Computed,
}

/// How the runtime splits a phase over threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunking {
    /// Every extent is known: this many chunks (1 runs on one thread).
    Known(usize),
    /// Depends on sizes given at call time.
    AtCallTime,
}

/// The plan of one phase.
#[derive(Clone, Debug)]
pub struct PhasePlan {
    pub index: usize,
    pub stmt: StmtId,
    pub kind: PhaseKind,
    pub extents: Vec<Extent>,
    pub body: BodyPlan,
    /// Arrays whose shape is exactly the domain: reads at the current index
    /// need no check.
    pub domain_shaped: Vec<ParamId>,
    /// Arrays read and written, in parameter order.
    pub reads: Vec<ParamId>,
    pub writes: Vec<ParamId>,
    /// Per array read: the offsets read around the current index.
    pub footprint: Vec<ArrayFootprint>,
    pub chunking: Chunking,
    /// About how many elements a chunk holds (`abi::Chunking::sized`):
    /// fewer for a 1-D `foreach` whose body runs a loop of unknown trip
    /// count, where each element is heavy (a row scan, an O(n) sum).
    pub chunk_elems: usize,
    /// Full gangs run two per loop step, halving the loop's own
    /// instructions: a short body with no loop, call or checked read,
    /// whose loop overhead is a large share of each gang (see [`unrolls`]).
    pub unrolled: bool,
}

/// Expressions a phase body may have and still be unrolled: a copy of a
/// body of this size costs little compile time, and its loop's three
/// instructions per step are a tenth of its work or more.
pub const UNROLL_MAX_EXPRS: usize = 64;

/// Whether the full gangs of a phase run two per step: its body (`plan`)
/// has no loop (whose control flow dwarfs the gang loop's), no call (code
/// of unknown size once inlined, or a call into Rust), no read with an
/// inline slow path (a checked contiguous read or a gather: copying those
/// doubled jacobi's compile time), no owner store, and at most
/// [`UNROLL_MAX_EXPRS`] expressions.
fn unrolls(body: &ir::Body, plan: &BodyPlan) -> bool {
    let plain = |a: &Access| {
        matches!(
            a,
            Access::Uniform | Access::Current | Access::Interleaved { .. }
        )
    };
    if !plan.accesses.values().all(plain) || !plan.owner_stores.is_empty() {
        return false;
    }
    // A float `%` is a call into Rust per gang as well.
    let call = |e: &ExprId| match body.exprs[*e].expr {
        ir::Expr::Call { .. } => true,
        ir::Expr::Binary { op, .. } => op == ir::BinaryOp::Rem && body.exprs[*e].ty.is_float(),
        _ => false,
    };
    plan.loops.is_empty() && plan.exprs.len() <= UNROLL_MAX_EXPRS && !plan.exprs.keys().any(call)
}

impl PhasePlan {
    pub fn rank(&self) -> usize {
        self.extents.len()
    }
}

/// Every decision about one kernel.
#[derive(Clone, Debug)]
pub struct VectorPlan {
    pub kernel: String,
    pub driver: BodyPlan,
    pub phases: Vec<PhasePlan>,
    pub functions: Vec<FunctionPlan>,
}

impl VectorPlan {
    pub fn function(&self, id: FnPlanId) -> &FunctionPlan {
        &self.functions[id.0]
    }

    /// Masked regions `body` compiles to: its varying `if`s and divergent
    /// loops, and those of every function it inlines (once per call). The
    /// cost that grows fastest in code generation, bounded by codegen.
    pub fn masked_regions(&self, body: &BodyPlan) -> usize {
        let own = own_regions(body);
        // Function plans only call functions planned before them (the call
        // graph is acyclic), so one pass in order counts each once.
        let mut per_function = vec![0usize; self.functions.len()];
        for (k, f) in self.functions.iter().enumerate() {
            let inner: usize = f.body.calls.values().map(|c| per_function[c.0]).sum();
            per_function[k] = own_regions(&f.body).saturating_add(inner);
        }
        let calls: usize = body.calls.values().map(|c| per_function[c.0]).sum();
        own.saturating_add(calls)
    }

    /// The phase planned for statement `stmt` of the kernel body.
    pub fn phase(&self, stmt: StmtId) -> Option<&PhasePlan> {
        self.phases.iter().find(|p| p.stmt == stmt)
    }
}

/// Plans `kernel` of `module`.
pub fn plan_kernel<'m>(module: &'m ir::Module, kernel: &'m ir::Kernel) -> VectorPlan {
    let mut planner = Planner {
        module,
        functions: Vec::new(),
        memo: HashMap::new(),
    };
    let driver = Forms::new(&mut planner, &kernel.body, Vec::new()).run(&kernel.body.block, &[]);
    let mut phases = Vec::new();
    for stmt in kernel.body.phases() {
        if let Some(phase) = plan_phase(&mut planner, kernel, stmt, phases.len()) {
            phases.push(phase);
        }
    }
    VectorPlan {
        kernel: kernel.name.clone(),
        driver,
        phases,
        functions: planner.functions,
    }
}

fn own_regions(body: &BodyPlan) -> usize {
    body.branches.len()
        + body
            .loops
            .values()
            .filter(|f| matches!(f, LoopForm::Divergent(_)))
            .count()
}

/// Builds plans, sharing function plans between call sites.
pub(crate) struct Planner<'m> {
    module: &'m ir::Module,
    pub functions: Vec<FunctionPlan>,
    memo: HashMap<(FuncId, Vec<bool>), FnPlanId>,
}

impl<'m> Planner<'m> {
    /// The plan of `func` with these parameters varying.
    fn function(&mut self, func: FuncId, varying_params: Vec<bool>) -> FnPlanId {
        let key = (func, varying_params);
        if let Some(&id) = self.memo.get(&key) {
            return id;
        }
        let function = &self.module.functions[func];
        let seeds = function
            .params
            .iter()
            .zip(&key.1)
            .filter(|(_, &v)| v)
            .map(|(&p, _)| (p, Cause::Argument))
            .collect();
        let body =
            Forms::new(self, &function.body, seeds).run(&function.body.block, &[function.result]);
        let result_varying = body.is_varying(function.result);
        let id = FnPlanId(self.functions.len());
        self.functions.push(FunctionPlan {
            func,
            varying_params: key.1.clone(),
            body,
            result_varying,
        });
        self.memo.insert(key, id);
        id
    }
}

fn plan_phase<'m>(
    planner: &mut Planner<'m>,
    kernel: &'m ir::Kernel,
    stmt: &'m ir::Stmt,
    index: usize,
) -> Option<PhasePlan> {
    let (domain, block, kind) = match &stmt.kind {
        StmtKind::Foreach { domain, body } => (domain, body, PhaseKind::Foreach),
        StmtKind::Reduce {
            dst,
            index,
            op,
            domain,
            body,
            value,
        } => (
            domain,
            body,
            PhaseKind::Reduce {
                op: *op,
                ty: kernel.body.exprs[*value].ty,
                dst: *dst,
                index: *index,
                value: *value,
            },
        ),
        _ => return None,
    };
    let seeds = domain
        .indices
        .last()
        .map(|&l| (l, Cause::Lanes))
        .into_iter()
        .collect();
    let results: Vec<ExprId> = match kind {
        PhaseKind::Reduce { value, .. } => vec![value],
        PhaseKind::Foreach => Vec::new(),
    };
    let mut body = Forms::new(planner, &kernel.body, seeds).run(block, &results);
    let domain_shaped = domain_shaped(kernel, domain);
    let interleaved = interleaved(kernel, domain);
    let shapes = access::Shapes {
        domain_shaped: &domain_shaped,
        interleaved: &interleaved,
    };
    access::classify(&kernel.body, domain, &shapes, block, &results, &mut body);
    let extents = extents(kernel, domain);
    let (reads, writes) = arrays(&kernel.body, block, &results);
    access::share_channel_blocks(&kernel.body, &writes, &mut body);
    let evaluated: Vec<ExprId> = body.exprs.keys().copied().collect();
    let mut ranges = ranges::Ranges::new(&kernel.body);
    ranges::classify(&mut ranges, evaluated.into_iter(), &mut body);
    short::classify(&mut ranges, block, &mut body);
    let heavy =
        kind == PhaseKind::Foreach && extents.len() == 1 && has_open_loop(&kernel.body, block);
    let chunk_elems = if heavy {
        crate::abi::LOOPY_CHUNK_ELEMS
    } else {
        crate::abi::CHUNK_ELEMS
    };
    Some(PhasePlan {
        index,
        stmt: stmt.id,
        kind,
        chunking: chunking(&extents, chunk_elems),
        chunk_elems,
        unrolled: unrolls(&kernel.body, &body),
        footprint: footprint::of(&kernel.body, domain, block, &body),
        extents,
        body,
        domain_shaped,
        reads,
        writes,
    })
}

/// Arrays whose shape is exactly the domain's sizes.
fn domain_shaped(kernel: &ir::Kernel, domain: &Domain) -> Vec<ParamId> {
    let sizes: Vec<Option<ir::SizeId>> = domain
        .extents
        .iter()
        .map(|&e| kernel.extent_size(e))
        .collect();
    kernel
        .params
        .iter()
        .filter(|(_, p)| {
            p.dims().len() == sizes.len()
                && p.dims().iter().zip(&sizes).all(|(d, s)| Some(*d) == *s)
        })
        .map(|(id, _)| id)
        .collect()
}

/// Arrays of a narrow integer type shaped like the domain plus one last
/// dimension of a constant `channels` (`u8[h, w, 3]` in `foreach (r, c) in
/// (h, w)`) whose gang's block of `8 * channels` elements is 16 to 32
/// bytes: what one or two vector loads and a byte shuffle can split into
/// channels ([`Access::Interleaved`]).
fn interleaved(kernel: &ir::Kernel, domain: &Domain) -> Vec<(ParamId, u32)> {
    let sizes: Vec<Option<ir::SizeId>> = domain
        .extents
        .iter()
        .map(|&e| kernel.extent_size(e))
        .collect();
    let constant = |s: ir::SizeId| kernel.sizes[s].definition.and_then(|d| d.eval(|_| None));
    kernel
        .params
        .iter()
        .filter_map(|(id, p)| {
            let (last, lead) = p.dims().split_last()?;
            let shaped =
                lead.len() == sizes.len() && lead.iter().zip(&sizes).all(|(d, s)| Some(*d) == *s);
            let channels = constant(*last)?;
            let bytes = crate::abi::GANG as i64 * channels * p.elem().byte_size() as i64;
            let narrow = p.elem().is_narrow_int();
            (shaped && narrow && (16..=32).contains(&bytes)).then_some((id, channels as u32))
        })
        .collect()
}

fn extents(kernel: &ir::Kernel, domain: &Domain) -> Vec<Extent> {
    domain
        .extents
        .iter()
        .map(|&e| match kernel.body.exprs[e].expr {
            ir::Expr::Const(crate::types::Scalar::I64(n)) => Extent::Const(n),
            ir::Expr::Size(s) => Extent::Size(kernel.sizes[s].name.clone()),
            _ => Extent::Computed,
        })
        .collect()
}

/// Whether `block` runs a `while` or a `for` whose bounds are not both
/// constants (constant ones of a few iterations were unrolled already).
fn has_open_loop(body: &Body, block: &[ir::Stmt]) -> bool {
    let constant = |e: ExprId| matches!(body.exprs[e].expr, ir::Expr::Const(_));
    block.iter().any(|stmt| {
        let open = match &stmt.kind {
            StmtKind::While { .. } => true,
            StmtKind::For { start, end, .. } => !(constant(*start) && constant(*end)),
            _ => false,
        };
        open || stmt.children().any(|child| has_open_loop(body, child))
    })
}

fn chunking(extents: &[Extent], chunk_elems: usize) -> Chunking {
    let known: Option<Vec<i64>> = extents
        .iter()
        .map(|e| match e {
            Extent::Const(n) => Some(*n),
            _ => None,
        })
        .collect();
    match known {
        Some(extents) => {
            let chunks = crate::abi::Chunking::sized(extents.len(), &extents, chunk_elems).count();
            Chunking::Known(usize::try_from(chunks).unwrap_or(usize::MAX))
        }
        None => Chunking::AtCallTime,
    }
}

/// Arrays the phase loads and stores, each once, in parameter order.
fn arrays(body: &Body, block: &[ir::Stmt], results: &[ExprId]) -> (Vec<ParamId>, Vec<ParamId>) {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut exprs: Vec<ExprId> = results.to_vec();
    let mut stack: Vec<&ir::Stmt> = block.iter().collect();
    while let Some(stmt) = stack.pop() {
        if let StmtKind::Store { array, .. } = &stmt.kind {
            writes.push(*array);
        }
        exprs.extend(scopes::stmt_operands(stmt));
        for child in stmt.children() {
            stack.extend(child.iter());
        }
    }
    while let Some(e) = exprs.pop() {
        if let ir::Expr::Load { array, .. } = &body.exprs[e].expr {
            reads.push(*array);
        }
        exprs.extend(body.exprs[e].expr.operands());
    }
    for list in [&mut reads, &mut writes] {
        list.sort();
        list.dedup();
    }
    (reads, writes)
}
