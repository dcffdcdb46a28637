//! Where a write to a varying local may skip its blend with the old value:
//! the `let` of each local, and the locals private to a divergent loop.
//!
//! A `let` under a partial mask needs no blend: no code in its scope can
//! see the old value. Inside a divergent loop, a lane that has left never
//! runs the body again, and nothing reads its copy of a loop-private local
//! later, so writes to it at the body's top level need no blend either
//! (mandelbrot's `zr`, `zi`).

use super::BodyPlan;
use crate::ir::{Body, Expr, ExprId, LocalId, Stmt, StmtId, StmtKind};
use std::collections::HashSet;

/// The `let` of each local: its first assignment in program order.
pub fn find_declarations(block: &[Stmt], seen: &mut HashSet<LocalId>, out: &mut HashSet<StmtId>) {
    for stmt in block {
        match &stmt.kind {
            StmtKind::Assign { local, .. } => {
                if seen.insert(*local) {
                    out.insert(stmt.id);
                }
            }
            // Phase bodies are planned on their own.
            StmtKind::Foreach { .. } | StmtKind::Reduce { .. } => {}
            _ => {
                for child in stmt.children() {
                    find_declarations(child, seen, out);
                }
            }
        }
    }
}

/// For each loop with no `break`/`continue`: the locals declared just
/// before it in the same block and never read after it. `after` holds the
/// locals read after `block` ends, by code that can still see its locals.
pub fn find_loop_private(
    body: &Body,
    block: &[Stmt],
    after: &HashSet<LocalId>,
    plan: &mut BodyPlan,
) {
    let mut declared = HashSet::new();
    for (j, stmt) in block.iter().enumerate() {
        match &stmt.kind {
            StmtKind::Assign { local, .. } if plan.declarations.contains(&stmt.id) => {
                declared.insert(*local);
            }
            StmtKind::While { body: inner, .. } | StmtKind::For { body: inner, .. }
                if !has_jump(inner) =>
            {
                let mut later = reads(body, &block[j + 1..]);
                later.extend(after);
                let mut private: Vec<LocalId> = declared
                    .iter()
                    .copied()
                    .filter(|l| !later.contains(l))
                    .collect();
                private.sort();
                plan.loop_private.insert(stmt.id, private);
            }
            _ => {}
        }
        if matches!(
            stmt.kind,
            StmtKind::Foreach { .. } | StmtKind::Reduce { .. }
        ) {
            continue;
        }
        // Locals declared in a nested block are out of scope after it.
        for inner in stmt.children() {
            find_loop_private(body, inner, &HashSet::new(), plan);
        }
    }
}

/// Whether a loop body has a `break` or `continue` of that loop.
fn has_jump(block: &[Stmt]) -> bool {
    block.iter().any(|s| match &s.kind {
        StmtKind::Break | StmtKind::Continue => true,
        StmtKind::If { .. } => s.children().any(|c| has_jump(c)),
        _ => false,
    })
}

/// Every local read by `block` (and what it contains).
fn reads(body: &Body, block: &[Stmt]) -> HashSet<LocalId> {
    let mut exprs: Vec<ExprId> = Vec::new();
    let mut stack: Vec<&Stmt> = block.iter().collect();
    while let Some(stmt) = stack.pop() {
        exprs.extend(stmt_operands(stmt));
        for inner in stmt.children() {
            stack.extend(inner.iter());
        }
    }
    expr_reads(body, exprs)
}

/// The expressions a statement evaluates itself (not those of its blocks).
pub fn stmt_operands(stmt: &Stmt) -> Vec<ExprId> {
    match &stmt.kind {
        StmtKind::Assign { value, .. } => vec![*value],
        StmtKind::Store { index, value, .. } | StmtKind::LocalStore { index, value, .. } => {
            let mut v = index.clone();
            v.push(*value);
            v
        }
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => vec![*cond],
        StmtKind::For { start, end, .. } => vec![*start, *end],
        StmtKind::Reduce { value, domain, .. } => {
            let mut v = domain.extents.clone();
            v.push(*value);
            v
        }
        StmtKind::Foreach { domain, .. } => domain.extents.clone(),
        StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Swap { .. }
        | StmtKind::DeclareArray { .. } => Vec::new(),
    }
}

/// Every local read by the expressions `exprs`.
pub fn expr_reads(body: &Body, mut exprs: Vec<ExprId>) -> HashSet<LocalId> {
    let mut out = HashSet::new();
    while let Some(e) = exprs.pop() {
        if let Expr::Local(l) = body.exprs[e].expr {
            out.insert(l);
        }
        exprs.extend(body.exprs[e].expr.operands());
    }
    out
}
