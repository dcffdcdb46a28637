//! Unrolls short constant-bounds `for` loops: at most [`UNROLL_TRIPS`]
//! iterations, no `break`/`continue` and no phase in the body (stencil taps:
//! `for dr in -1..=1`). Each copy of the body reads its counter as a
//! constant, so the fold that follows simplifies `r + dr` and friends, the
//! vector plan sees constant offsets, and the loop's compare, branch and
//! step disappear from every gang.
//!
//! Such a loop never diverges (its bounds are constants and it has no
//! jumps), so unrolling it before the vector plan loses nothing. Locals
//! declared inside the body (its `let`s and inner loop counters) get fresh
//! copies in every copy of the body after the first, so each is still
//! declared and bound exactly once, as the verifier requires, and each
//! copy's `let` is a declaration again for the plan.

use crate::ir::rewrite::{blocks_mut, Rebuild, Rewriter};
use crate::ir::{Body, Expr, ExprId, ExprNode, LocalId, LocalKind, Module, Stmt, StmtId, StmtKind};
use crate::types::{Scalar, ScalarType};
use std::collections::{HashMap, HashSet};

/// The most iterations a constant-bounds `for` loop is unrolled to.
pub const UNROLL_TRIPS: i64 = 4;

pub fn unroll(module: &mut Module) {
    for kernel in &mut module.kernels {
        kernel.body = unroll_body(&kernel.body, None).0;
    }
    for function in module.functions.values_mut() {
        let (body, result) = unroll_body(&function.body, Some(function.result));
        function.body = body;
        if let Some(result) = result {
            function.result = result;
        }
    }
    module.number_statements();
}

fn unroll_body(body: &Body, result: Option<ExprId>) -> (Body, Option<ExprId>) {
    let mut decls = HashSet::new();
    declarations(&body.block, &mut HashSet::new(), &mut decls);
    let mut rebuild = Rebuild::new(body);
    let mut copy = Copy {
        decls,
        subst: Substitute::default(),
    };
    let block = copy.block(&mut rebuild, &body.block);
    let result = result.map(|r| rebuild.expr(r, &mut copy.subst));
    (rebuild.finish(block), result)
}

/// Replaces reads of unrolled counters with their value in this copy, and
/// reads of renamed locals with their fresh copy.
#[derive(Default)]
struct Substitute {
    values: HashMap<LocalId, Scalar>,
    renamed: HashMap<LocalId, LocalId>,
}

impl Substitute {
    fn local(&self, l: LocalId) -> LocalId {
        self.renamed.get(&l).copied().unwrap_or(l)
    }
}

impl Rewriter for Substitute {
    fn node(&mut self, _: &[ExprNode], node: ExprNode) -> ExprNode {
        let Expr::Local(l) = node.expr else {
            return node;
        };
        let expr = match self.values.get(&l) {
            Some(&value) => Expr::Const(value),
            None => Expr::Local(self.local(l)),
        };
        ExprNode { expr, ..node }
    }
}

struct Copy {
    /// The `let` of each local: its first assignment in program order.
    decls: HashSet<StmtId>,
    subst: Substitute,
}

impl Copy {
    fn block(&mut self, rebuild: &mut Rebuild, block: &[Stmt]) -> Vec<Stmt> {
        let mut out = Vec::new();
        for stmt in block {
            match unrollable(rebuild.old, stmt) {
                Some(plan) => self.unrolled(rebuild, stmt, plan, &mut out),
                None => out.push(self.stmt(rebuild, stmt)),
            }
        }
        out
    }

    fn stmt(&mut self, rebuild: &mut Rebuild, stmt: &Stmt) -> Stmt {
        let mut kind = rebuild.stmt_head(stmt, &mut self.subst);
        match &mut kind {
            StmtKind::Assign { local, .. } => *local = self.subst.local(*local),
            StmtKind::For { counter, .. } => *counter = self.subst.local(*counter),
            _ => {}
        }
        for child in blocks_mut(&mut kind) {
            *child = self.block(rebuild, child);
        }
        Stmt::new(kind, stmt.span)
    }

    fn unrolled(&mut self, rebuild: &mut Rebuild, stmt: &Stmt, plan: Unroll, out: &mut Vec<Stmt>) {
        let StmtKind::For { body, .. } = &stmt.kind else {
            return;
        };
        let mut inner = Vec::new();
        self.declared_in(rebuild.old, body, &mut inner);
        for (copy, k) in plan.trips.into_iter().enumerate() {
            let saved = self.subst.renamed.clone();
            if copy > 0 {
                for &l in &inner {
                    let fresh = rebuild.locals.push(rebuild.old.locals[l].clone());
                    self.subst.renamed.insert(l, fresh);
                }
            }
            let Some(value) = Scalar::of_int(plan.ty, k.into()) else {
                unreachable!("the verifier gives `for` counters an integer type")
            };
            self.subst.values.insert(plan.counter, value);
            out.extend(self.block(rebuild, body));
            self.subst.renamed = saved;
        }
        self.subst.values.remove(&plan.counter);
    }

    /// Locals declared in `block`: its `let`s and loop counters. (A `let`
    /// always assigns, so a `Var`'s first assignment is its `let`; scalar
    /// outputs and reduction results are declared by the kernel.)
    fn declared_in(&self, body: &Body, block: &[Stmt], out: &mut Vec<LocalId>) {
        for stmt in block {
            match &stmt.kind {
                StmtKind::Assign { local, .. }
                    if self.decls.contains(&stmt.id)
                        && body.locals[*local].kind == LocalKind::Var =>
                {
                    out.push(*local)
                }
                StmtKind::For { counter, .. } => out.push(*counter),
                _ => {}
            }
            for child in stmt.children() {
                self.declared_in(body, child, out);
            }
        }
    }
}

/// The first assignment of every local, in program order.
fn declarations(block: &[Stmt], seen: &mut HashSet<LocalId>, out: &mut HashSet<StmtId>) {
    for stmt in block {
        if let StmtKind::Assign { local, .. } = &stmt.kind {
            if seen.insert(*local) {
                out.insert(stmt.id);
            }
        }
        for child in stmt.children() {
            declarations(child, seen, out);
        }
    }
}

/// What unrolling one loop needs.
struct Unroll {
    counter: LocalId,
    ty: ScalarType,
    trips: Vec<i64>,
}

/// The plan for a loop worth unrolling, if it is one.
fn unrollable(body: &Body, stmt: &Stmt) -> Option<Unroll> {
    let StmtKind::For {
        counter,
        start,
        end,
        inclusive,
        body: inner,
    } = &stmt.kind
    else {
        return None;
    };
    let constant = |e: ExprId| match body.exprs[e].expr {
        Expr::Const(c) => c.int_value().and_then(|v| i64::try_from(v).ok()),
        _ => None,
    };
    let (first, last) = (constant(*start)?, constant(*end)?);
    let last = if *inclusive {
        last
    } else {
        last.checked_sub(1)?
    };
    let trips = last.checked_sub(first)?.checked_add(1)?;
    if !(1..=UNROLL_TRIPS).contains(&trips) || jumps_out(inner) || holds_phase(inner) {
        return None;
    }
    Some(Unroll {
        counter: *counter,
        ty: body.locals[*counter].ty,
        trips: (first..=last).collect(),
    })
}

/// Whether `block` holds a phase at any depth: a loop around phases in
/// uniform code stays a loop (a copy would be one more chunk function,
/// for nothing: the driver's loop costs nanoseconds per iteration).
fn holds_phase(block: &[Stmt]) -> bool {
    block
        .iter()
        .any(|stmt| stmt.is_phase() || stmt.children().any(|c| holds_phase(c)))
}

/// Whether `block` holds a `break` or `continue` at any depth (those of
/// nested loops included: unrolling only needs a cheap, safe answer).
fn jumps_out(block: &[Stmt]) -> bool {
    block.iter().any(|stmt| {
        matches!(stmt.kind, StmtKind::Break | StmtKind::Continue)
            || stmt.children().any(|c| jumps_out(c))
    })
}
