//! A phase's footprint: per array read and per dimension, which offsets
//! around the current index it touches (`[-1, 1]` for a 3 × 3 stencil), or
//! that it reads at an index known only at run time. What a tiling, halo
//! exchange or out-of-core runtime needs to know about a phase.

use super::BodyPlan;
use crate::ir::{BinaryOp, Body, Domain, Expr, ExprId, LocalId, ParamId, Stmt, StmtKind, UnaryOp};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The offsets one dimension of an array is read at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offset {
    /// Domain index `dim` plus `lo..=hi`.
    Range { dim: usize, lo: i64, hi: i64 },
    /// Domain index `dim` plus a uniform value known only at run time.
    Shifted { dim: usize },
    /// The same index for the whole phase (it depends on no domain index).
    Fixed,
    /// Depends on values computed or read per index.
    DataDependent,
}

impl Offset {
    fn merge(self, other: Offset) -> Offset {
        use Offset::*;
        match (self, other) {
            (
                Range { dim, lo, hi },
                Range {
                    dim: d,
                    lo: l,
                    hi: h,
                },
            ) if dim == d => Range {
                dim,
                lo: lo.min(l),
                hi: hi.max(h),
            },
            (Shifted { dim }, Range { dim: d, .. } | Shifted { dim: d })
            | (Range { dim, .. }, Shifted { dim: d })
                if dim == d =>
            {
                Shifted { dim }
            }
            (Fixed, Fixed) => Fixed,
            _ => DataDependent,
        }
    }
}

/// The footprint of one array read in a phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrayFootprint {
    pub array: ParamId,
    /// One entry per array dimension.
    pub dims: Vec<Offset>,
}

/// The footprint of every array the phase reads, in parameter order.
pub fn of(body: &Body, domain: &Domain, block: &[Stmt], plan: &BodyPlan) -> Vec<ArrayFootprint> {
    let mut ranges = HashMap::new();
    counter_ranges(body, block, &mut ranges);
    let mut cx = Ranges {
        body,
        domain,
        counters: ranges,
        plan,
        dependent: HashSet::new(),
    };
    cx.find_dependent(block);
    let mut out: BTreeMap<ParamId, Vec<Offset>> = BTreeMap::new();
    for (&load, _) in plan.accesses.iter() {
        let Expr::Load { array, index } = &body.exprs[load].expr else {
            continue;
        };
        let dims: Vec<Offset> = index.iter().map(|&i| cx.offset(i)).collect();
        out.entry(*array)
            .and_modify(|old| {
                for (o, n) in old.iter_mut().zip(&dims) {
                    *o = o.merge(*n);
                }
            })
            .or_insert(dims);
    }
    out.into_iter()
        .map(|(array, dims)| ArrayFootprint { array, dims })
        .collect()
}

/// The value range of each `for` counter with constant bounds.
fn counter_ranges(body: &Body, block: &[Stmt], out: &mut HashMap<LocalId, (i64, i64)>) {
    for stmt in block {
        if let StmtKind::For {
            counter,
            start,
            end,
            inclusive,
            ..
        } = &stmt.kind
        {
            if let (Some(s), Some(e)) = (constant(body, *start), constant(body, *end)) {
                let last = if *inclusive {
                    Some(e)
                } else {
                    e.checked_sub(1)
                };
                if let Some(last) = last.filter(|&l| l >= s) {
                    out.insert(*counter, (s, last));
                }
            }
        }
        for child in stmt.children() {
            counter_ranges(body, child, out);
        }
    }
}

fn constant(body: &Body, e: ExprId) -> Option<i64> {
    match body.exprs[e].expr {
        Expr::Const(c) => c.int_value().and_then(|v| i64::try_from(v).ok()),
        _ => None,
    }
}

struct Ranges<'a> {
    body: &'a Body,
    domain: &'a Domain,
    counters: HashMap<LocalId, (i64, i64)>,
    plan: &'a BodyPlan,
    /// Locals of the phase whose value can differ between its indices.
    dependent: HashSet<LocalId>,
}

impl Ranges<'_> {
    /// Locals assigned a value that depends on the domain, or assigned
    /// under control that does (to a fixed point: it only adds).
    fn find_dependent(&mut self, block: &[Stmt]) {
        loop {
            let before = self.dependent.len();
            self.walk(block, false);
            if self.dependent.len() == before {
                return;
            }
        }
    }

    fn walk(&mut self, block: &[Stmt], under: bool) {
        for stmt in block {
            let (local, inputs): (Option<LocalId>, Vec<ExprId>) = match &stmt.kind {
                StmtKind::Assign { local, value } => (Some(*local), vec![*value]),
                StmtKind::For {
                    counter,
                    start,
                    end,
                    ..
                } => (Some(*counter), vec![*start, *end]),
                StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => (None, vec![*cond]),
                _ => (None, Vec::new()),
            };
            let depends = under || inputs.iter().any(|&e| self.depends_on_domain(e));
            if let (Some(l), true) = (local, depends) {
                self.dependent.insert(l);
            }
            for child in stmt.children() {
                self.walk(child, depends);
            }
        }
    }

    fn offset(&self, e: ExprId) -> Offset {
        if let Some((dim, range)) = self.relative(e) {
            return match range {
                Some((lo, hi)) => Offset::Range { dim, lo, hi },
                None => Offset::Shifted { dim },
            };
        }
        if self.depends_on_domain(e) {
            Offset::DataDependent
        } else {
            Offset::Fixed
        }
    }

    /// `e` as domain index `dim` plus an offset: the offset's range when it
    /// is known at compile time, `None` when it is only uniform.
    fn relative(&self, e: ExprId) -> Option<(usize, Option<(i64, i64)>)> {
        match &self.body.exprs[e].expr {
            Expr::Local(l) => {
                let dim = self.domain.indices.iter().position(|x| x == l)?;
                Some((dim, Some((0, 0))))
            }
            Expr::Binary { op, lhs, rhs } if matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
                let (base, shift, negate) = match self.relative(*lhs) {
                    Some(base) => (base, *rhs, *op == BinaryOp::Sub),
                    None if *op == BinaryOp::Add => (self.relative(*rhs)?, *lhs, false),
                    None => return None,
                };
                // A constant range holds whatever the control flow around
                // it; otherwise the shift must at least be the same for
                // every index.
                let range = self.range(shift);
                if range.is_none() && self.depends_on_domain(shift) {
                    return None;
                }
                let shift = range.map(|(lo, hi)| if negate { (-hi, -lo) } else { (lo, hi) });
                let combined = match (base.1, shift) {
                    (Some((a, b)), Some((c, d))) => Some((a.checked_add(c)?, b.checked_add(d)?)),
                    _ => None,
                };
                Some((base.0, combined))
            }
            _ => None,
        }
    }

    /// The compile-time range of a uniform integer expression.
    fn range(&self, e: ExprId) -> Option<(i64, i64)> {
        match &self.body.exprs[e].expr {
            Expr::Const(_) => constant(self.body, e).map(|v| (v, v)),
            Expr::Local(l) => self.counters.get(l).copied(),
            Expr::Cast { arg } => self.range(*arg),
            Expr::Unary {
                op: UnaryOp::Neg,
                arg,
            } => {
                let (lo, hi) = self.range(*arg)?;
                Some((hi.checked_neg()?, lo.checked_neg()?))
            }
            Expr::Binary { op, lhs, rhs } if matches!(op, BinaryOp::Add | BinaryOp::Sub) => {
                let (a, b) = self.range(*lhs)?;
                let (c, d) = self.range(*rhs)?;
                match op {
                    BinaryOp::Add => Some((a.checked_add(c)?, b.checked_add(d)?)),
                    _ => Some((a.checked_sub(d)?, b.checked_sub(c)?)),
                }
            }
            _ => None,
        }
    }

    /// Whether `e` can differ between indices of the phase: it varies
    /// across lanes, or reads a domain index (the rows of a 2-D phase) or a
    /// local computed from one.
    fn depends_on_domain(&self, e: ExprId) -> bool {
        if self.plan.is_varying(e) {
            return true;
        }
        let node = &self.body.exprs[e].expr;
        match node {
            Expr::Local(l) => self.domain.indices.contains(l) || self.dependent.contains(l),
            _ => node.operands().any(|o| self.depends_on_domain(o)),
        }
    }
}
