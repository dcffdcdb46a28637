//! How each array read of a phase is done, decided from its index
//! expressions and the forms of their values (ISPC makes the same choice
//! in `ImproveMemoryOps`, naga in `proc::index`).

use super::scopes::stmt_operands;
use super::BodyPlan;
use crate::ir::{BinaryOp, Body, Domain, Expr, ExprId, ParamId, Stmt, StmtId, StmtKind};
use std::collections::BTreeMap;

/// The form of one array read in a phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Every index is uniform: one scalar check and one scalar load per
    /// gang, splatted where a vector is needed.
    Uniform,
    /// The current index of an array shaped like the domain: in bounds by
    /// construction, no check. Full gangs load whole vectors; the tail gang
    /// copies the lanes that exist.
    Current,
    /// The last index is the domain's last index plus or minus a uniform
    /// offset, the others are uniform: one range check per gang, then
    /// vector loads. A gang straddling the array's edge takes a per-lane
    /// check-and-copy loop.
    Contiguous { offset: Option<(BinaryOp, ExprId)> },
    /// `a[r, c, k]` with `(r, c)` the current index, `k` a constant below
    /// the array's last dimension, a constant `channels`: one channel of an
    /// interleaved narrow-integer array (an RGB image). In bounds by
    /// construction; full gangs load the gang's `8 * channels` elements
    /// (16 to 32 bytes) as vectors and pick the channel with a byte
    /// shuffle, the tail gang copies the elements that exist first.
    /// `shared`: the array's block is loaded once per gang, at its entry,
    /// for all its interleaved reads ([`BodyPlan::channel_blocks`]); else
    /// this read loads the block itself.
    Interleaved {
        channel: u32,
        channels: u32,
        shared: bool,
    },
    /// Anything else: the indices of all active lanes are checked with one
    /// vector test, then each lane loads on its own.
    Gather(GatherReason),
}

/// What the classifier knows of the phase's arrays' shapes.
pub struct Shapes<'a> {
    /// Arrays whose shape is exactly the domain's sizes.
    pub domain_shaped: &'a [ParamId],
    /// Arrays that take [`Access::Interleaved`] reads, with their number
    /// of channels.
    pub interleaved: &'a [(ParamId, u32)],
}

/// Why a read is a gather.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatherReason {
    /// An index depends on a value read from an array.
    Indirect,
    /// The last index is uniform but index `dim` varies: lanes read down a
    /// column, one row apart.
    Strided { dim: usize },
    /// The last index varies in a shape other than `i ± uniform` (a scaled
    /// index, or one computed through a local).
    Computed,
}

/// Where a read's bounds check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    None,
    /// One scalar test per gang.
    PerGang,
    /// One vector test of every active lane's index per gang.
    PerLane,
}

impl Access {
    pub fn check(&self) -> Check {
        match self {
            Access::Current | Access::Interleaved { .. } => Check::None,
            Access::Uniform | Access::Contiguous { .. } => Check::PerGang,
            Access::Gather(_) => Check::PerLane,
        }
    }
}

/// Records the access of every load that `block` and `results` evaluate.
pub fn classify(
    body: &Body,
    domain: &Domain,
    shapes: &Shapes,
    block: &[Stmt],
    results: &[ExprId],
    plan: &mut BodyPlan,
) {
    let mut roots: Vec<ExprId> = results.to_vec();
    collect_roots(block, &mut roots);
    owner_stores(block, domain.indices.len(), &mut plan.owner_stores);
    let cx = Classifier {
        body,
        domain,
        domain_shaped: shapes.domain_shaped,
        interleaved: shapes.interleaved,
    };
    while let Some(e) = roots.pop() {
        if let Expr::Load { array, index } = &body.exprs[e].expr {
            let access = cx.access(plan, *array, index);
            plan.accesses.insert(e, access);
        }
        roots.extend(body.exprs[e].expr.operands());
    }
}

/// Shares the gang's block of an interleaved array among its reads: an
/// array read through two or more interleaved accesses (`img[r, c, 0]`,
/// `img[r, c, 1]`...) and not written in the phase has its block loaded
/// once, at the gang's entry, and each read only picks its channel. Every
/// such read is at the gang's current pixels and in bounds by construction,
/// so the hoisted load reads the same bytes each read would have, cannot
/// fail, and (the array not being written) sees no store move past it; it
/// dominates every read, whatever `if` or loop the read sits in.
pub fn share_channel_blocks(body: &Body, writes: &[ParamId], plan: &mut BodyPlan) {
    let array = |e: ExprId| match body.exprs[e].expr {
        Expr::Load { array, .. } => array,
        _ => unreachable!("accesses are recorded for loads only"),
    };
    let mut reads: BTreeMap<ParamId, (u32, usize)> = BTreeMap::new();
    for (&load, access) in &plan.accesses {
        if let Access::Interleaved { channels, .. } = *access {
            reads.entry(array(load)).or_insert((channels, 0)).1 += 1;
        }
    }
    reads.retain(|a, (_, count)| *count >= 2 && !writes.contains(a));
    for (&load, access) in plan.accesses.iter_mut() {
        if let Access::Interleaved { shared, .. } = access {
            *shared = reads.contains_key(&array(load));
        }
    }
    plan.channel_blocks = reads.into_iter().map(|(a, (c, _))| (a, c)).collect();
}

/// Stores with more indices than the domain has dimensions.
fn owner_stores(block: &[Stmt], rank: usize, out: &mut std::collections::BTreeSet<StmtId>) {
    for stmt in block {
        if let StmtKind::Store { index, .. } = &stmt.kind {
            if index.len() > rank {
                out.insert(stmt.id);
            }
        }
        stmt.children()
            .for_each(|child| owner_stores(child, rank, out));
    }
}

fn collect_roots(block: &[Stmt], out: &mut Vec<ExprId>) {
    for stmt in block {
        out.extend(stmt_operands(stmt));
        for child in stmt.children() {
            collect_roots(child, out);
        }
    }
}

struct Classifier<'a> {
    body: &'a Body,
    domain: &'a Domain,
    domain_shaped: &'a [ParamId],
    interleaved: &'a [(ParamId, u32)],
}

impl Classifier<'_> {
    fn access(&self, plan: &BodyPlan, array: ParamId, index: &[ExprId]) -> Access {
        if index.iter().all(|&i| !plan.is_varying(i)) {
            return Access::Uniform;
        }
        if let Some(access) = self.interleaved_access(array, index) {
            return access;
        }
        let (last, rows) = match index.split_last() {
            Some(split) => split,
            None => return Access::Uniform,
        };
        let rows_uniform = rows.iter().all(|&i| !plan.is_varying(i));
        match self.affine_offset(plan, *last) {
            Some(None) if rows_uniform && self.at_domain_rows(array, rows) => Access::Current,
            Some(offset) if rows_uniform => Access::Contiguous { offset },
            _ => Access::Gather(self.gather_reason(plan, index)),
        }
    }

    /// The last index as `domain index ± uniform`: `Some(None)` for the
    /// index itself, `Some(Some((op, u)))` for an offset.
    fn affine_offset(&self, plan: &BodyPlan, e: ExprId) -> Option<Option<(BinaryOp, ExprId)>> {
        let last = *self.domain.indices.last()?;
        let is_index = |e: ExprId| matches!(self.body.exprs[e].expr, Expr::Local(l) if l == last);
        match &self.body.exprs[e].expr {
            Expr::Local(l) if *l == last => Some(None),
            Expr::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add if is_index(*lhs) && !plan.is_varying(*rhs) => {
                    Some(Some((BinaryOp::Add, *rhs)))
                }
                BinaryOp::Add if is_index(*rhs) && !plan.is_varying(*lhs) => {
                    Some(Some((BinaryOp::Add, *lhs)))
                }
                BinaryOp::Sub if is_index(*lhs) && !plan.is_varying(*rhs) => {
                    Some(Some((BinaryOp::Sub, *rhs)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the read is at exactly the current index of an array shaped
    /// like the domain (given that its last index is the current one).
    fn at_domain_rows(&self, array: ParamId, rows: &[ExprId]) -> bool {
        self.domain_shaped.contains(&array)
            && rows.len() + 1 == self.domain.indices.len()
            && rows
                .iter()
                .zip(&self.domain.indices)
                .all(|(&e, &l)| matches!(self.body.exprs[e].expr, Expr::Local(x) if x == l))
    }

    /// `a[i.., k]`: the domain's indices in order, then a constant channel
    /// `k` of an interleaved array.
    fn interleaved_access(&self, array: ParamId, index: &[ExprId]) -> Option<Access> {
        let &(_, channels) = self.interleaved.iter().find(|(a, _)| *a == array)?;
        let (last, lead) = index.split_last()?;
        let current = lead.len() == self.domain.indices.len()
            && lead
                .iter()
                .zip(&self.domain.indices)
                .all(|(&e, &l)| matches!(self.body.exprs[e].expr, Expr::Local(x) if x == l));
        let channel = match self.body.exprs[*last].expr {
            Expr::Const(crate::types::Scalar::I64(k)) => u32::try_from(k).ok()?,
            _ => return None,
        };
        (current && channel < channels).then_some(Access::Interleaved {
            channel,
            channels,
            shared: false,
        })
    }

    fn gather_reason(&self, plan: &BodyPlan, index: &[ExprId]) -> GatherReason {
        if index.iter().any(|&i| self.reads_array(i)) {
            return GatherReason::Indirect;
        }
        let last_uniform = index.last().is_some_and(|&l| !plan.is_varying(l));
        match index.iter().position(|&i| plan.is_varying(i)) {
            Some(dim) if last_uniform => GatherReason::Strided { dim },
            _ => GatherReason::Computed,
        }
    }

    fn reads_array(&self, e: ExprId) -> bool {
        self.body.reads_array(e)
    }
}
