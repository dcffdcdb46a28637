//! The vectorizer's analysis: in a phase (or a function inlined into one),
//! which locals are *varying* (differ between the lanes of a gang) and
//! which loops are *divergent* (lanes leave them at different iterations).
//!
//! In: a body and the locals known to vary on entry (the phase's last
//! domain index; a function's parameters bound to varying arguments).
//! Out: [`Uniformity`], read by codegen to choose between scalar and
//! vector code, plain branches and masks. Everything else about a value's
//! form (uniform or varying) is decided as codegen builds it.
//!
//! A local is varying if it is ever assigned a varying value, or assigned
//! under divergent control (inside an `if` with a varying condition or in a
//! divergent loop). A loop is divergent if its condition or bounds vary, or
//! if it holds a `break`/`continue` under a varying condition. Both feed
//! each other, so the analysis iterates to a fixed point; it only ever
//! adds, so it terminates.

use crate::ir::{self, Body, Expr, ExprId, LocalId, StmtKind};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

#[derive(Clone, Debug, Default)]
pub struct Uniformity {
    pub varying_locals: HashSet<LocalId>,
    /// Divergent `while`/`for` statements, by address (the IR is not
    /// mutated while codegen runs, so addresses are stable identities).
    pub divergent_loops: HashSet<*const ir::Stmt>,
    /// The `let` of each local: its first assignment in program order. A
    /// `let` under a partial mask needs no blend with the old value, since
    /// no code in its scope can see the old value.
    pub declarations: HashSet<*const ir::Stmt>,
    /// For each loop: locals declared just before it in the same block and
    /// never read after it, in a loop body with no `break`/`continue`.
    /// Inside a divergent loop a lane that has left never runs again and
    /// nothing reads its copy of such a local later, so writes to it at the
    /// body's top level need no blend (mandelbrot's `zr`, `zi`).
    pub loop_private: HashMap<*const ir::Stmt, HashSet<LocalId>>,
}

impl Uniformity {
    pub fn is_varying_local(&self, local: LocalId) -> bool {
        self.varying_locals.contains(&local)
    }

    pub fn is_declaration(&self, stmt: &ir::Stmt) -> bool {
        self.declarations.contains(&(stmt as *const ir::Stmt))
    }

    pub fn is_divergent(&self, stmt: &ir::Stmt) -> bool {
        self.divergent_loops.contains(&(stmt as *const ir::Stmt))
    }

    /// Whether `expr` can differ between lanes.
    pub fn is_varying(&self, body: &Body, expr: ExprId) -> bool {
        match &body.exprs[expr].expr {
            Expr::Const(_) | Expr::Param(_) | Expr::Size(_) => false,
            Expr::Local(local) => self.is_varying_local(*local),
            Expr::Load { index, .. } => index.iter().any(|&i| self.is_varying(body, i)),
            Expr::Unary { arg, .. } | Expr::Cast { arg } => self.is_varying(body, *arg),
            Expr::Binary { lhs, rhs, .. } => {
                self.is_varying(body, *lhs) || self.is_varying(body, *rhs)
            }
            Expr::Builtin { args, .. } | Expr::Call { args, .. } => {
                args.iter().any(|&a| self.is_varying(body, a))
            }
        }
    }
}

/// Analyses `block` of `body`, with `seeds` varying on entry. `results`
/// are expressions evaluated after the block that can read its top-level
/// locals: a reduction's value, a function's result.
pub fn analyze(
    body: &Body,
    block: &[ir::Stmt],
    results: &[ExprId],
    seeds: impl IntoIterator<Item = LocalId>,
) -> Uniformity {
    let mut u = Uniformity {
        varying_locals: seeds.into_iter().collect(),
        ..Uniformity::default()
    };
    find_declarations(block, &mut HashSet::new(), &mut u.declarations);
    let read_by_results = expr_reads(body, results.to_vec());
    find_loop_private(
        body,
        block,
        &read_by_results,
        &u.declarations,
        &mut u.loop_private,
    );
    loop {
        let before = (u.varying_locals.len(), u.divergent_loops.len());
        walk(body, block, false, &mut u);
        if (u.varying_locals.len(), u.divergent_loops.len()) == before {
            return u;
        }
    }
}

fn walk(body: &Body, block: &[ir::Stmt], divergent: bool, u: &mut Uniformity) {
    for stmt in block {
        match &stmt.kind {
            StmtKind::Assign { local, value } => {
                if divergent || u.is_varying(body, *value) {
                    u.varying_locals.insert(*local);
                }
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                let d = divergent || u.is_varying(body, *cond);
                walk(body, then_block, d, u);
                walk(body, else_block, d, u);
            }
            StmtKind::While { cond, body: inner } => {
                let d = u.is_varying(body, *cond) || has_varying_jump(body, inner, false, u);
                mark_loop(stmt, d, u);
                walk(body, inner, divergent || d, u);
            }
            StmtKind::For {
                counter,
                start,
                end,
                body: inner,
                ..
            } => {
                let bounds = u.is_varying(body, *start) || u.is_varying(body, *end);
                if bounds {
                    u.varying_locals.insert(*counter);
                }
                let d = bounds || has_varying_jump(body, inner, false, u);
                mark_loop(stmt, d, u);
                walk(body, inner, divergent || d, u);
            }
            StmtKind::Foreach { body: inner, .. } => walk(body, inner, divergent, u),
            StmtKind::Reduce { body: inner, .. } => walk(body, inner, divergent, u),
            StmtKind::Store { .. } | StmtKind::Break | StmtKind::Continue => {}
        }
    }
}

fn find_declarations(
    block: &[ir::Stmt],
    seen: &mut HashSet<LocalId>,
    out: &mut HashSet<*const ir::Stmt>,
) {
    for stmt in block {
        match &stmt.kind {
            StmtKind::Assign { local, .. } if seen.insert(*local) => {
                out.insert(stmt as *const ir::Stmt);
            }
            StmtKind::If {
                then_block,
                else_block,
                ..
            } => {
                find_declarations(then_block, seen, out);
                find_declarations(else_block, seen, out);
            }
            StmtKind::While { body, .. } | StmtKind::For { body, .. } => {
                find_declarations(body, seen, out)
            }
            StmtKind::Foreach { body, .. } | StmtKind::Reduce { body, .. } => {
                find_declarations(body, seen, out)
            }
            _ => {}
        }
    }
}

/// `after` holds the locals read after `block` ends, by code that can
/// still see the block's locals.
fn find_loop_private(
    body: &Body,
    block: &[ir::Stmt],
    after: &HashSet<LocalId>,
    decls: &HashSet<*const ir::Stmt>,
    out: &mut HashMap<*const ir::Stmt, HashSet<LocalId>>,
) {
    let mut declared = HashSet::new();
    for (j, stmt) in block.iter().enumerate() {
        match &stmt.kind {
            StmtKind::Assign { local, .. } if decls.contains(&(stmt as *const ir::Stmt)) => {
                declared.insert(*local);
            }
            StmtKind::While { body: inner, .. } | StmtKind::For { body: inner, .. }
                if !has_jump(inner) =>
            {
                let mut later = reads(body, &block[j + 1..]);
                later.extend(after);
                let private = declared
                    .iter()
                    .copied()
                    .filter(|l| !later.contains(l))
                    .collect();
                out.insert(stmt as *const ir::Stmt, private);
            }
            _ => {}
        }
        // Locals declared in a nested block are out of scope after it.
        for inner in child_blocks(stmt) {
            find_loop_private(body, inner, &HashSet::new(), decls, out);
        }
    }
}

fn child_blocks(stmt: &ir::Stmt) -> Vec<&[ir::Stmt]> {
    match &stmt.kind {
        StmtKind::If {
            then_block,
            else_block,
            ..
        } => vec![then_block, else_block],
        StmtKind::While { body, .. } | StmtKind::For { body, .. } => vec![body],
        StmtKind::Foreach { body, .. } | StmtKind::Reduce { body, .. } => vec![body],
        _ => Vec::new(),
    }
}

/// Whether a loop body has a `break` or `continue` of that loop.
fn has_jump(block: &[ir::Stmt]) -> bool {
    block.iter().any(|s| match &s.kind {
        StmtKind::Break | StmtKind::Continue => true,
        StmtKind::If {
            then_block,
            else_block,
            ..
        } => has_jump(then_block) || has_jump(else_block),
        _ => false,
    })
}

/// Every local read by `block` (and what it contains).
fn reads(body: &Body, block: &[ir::Stmt]) -> HashSet<LocalId> {
    let mut out = HashSet::new();
    let mut exprs: Vec<ExprId> = Vec::new();
    let mut stack: Vec<&ir::Stmt> = block.iter().collect();
    while let Some(stmt) = stack.pop() {
        match &stmt.kind {
            StmtKind::Assign { value, .. } => exprs.push(*value),
            StmtKind::Store { index, value, .. } => {
                exprs.extend(index);
                exprs.push(*value);
            }
            StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => exprs.push(*cond),
            StmtKind::For { start, end, .. } => exprs.extend([*start, *end]),
            StmtKind::Reduce { value, domain, .. } => {
                exprs.push(*value);
                exprs.extend(&domain.extents);
            }
            StmtKind::Foreach { domain, .. } => exprs.extend(&domain.extents),
            StmtKind::Break | StmtKind::Continue => {}
        }
        for inner in child_blocks(stmt) {
            stack.extend(inner.iter());
        }
    }
    out.extend(expr_reads(body, exprs));
    out
}

/// Every local read by the expressions `exprs`.
fn expr_reads(body: &Body, mut exprs: Vec<ExprId>) -> HashSet<LocalId> {
    let mut out = HashSet::new();
    while let Some(e) = exprs.pop() {
        if let Expr::Local(l) = body.exprs[e].expr {
            out.insert(l);
        }
        exprs.extend(body.exprs[e].expr.operands());
    }
    out
}

fn mark_loop(stmt: &ir::Stmt, divergent: bool, u: &mut Uniformity) {
    if divergent {
        u.divergent_loops.insert(stmt as *const ir::Stmt);
    }
}

/// Whether `block` (a loop body) has a `break` or `continue` of this loop
/// under a varying condition.
fn has_varying_jump(body: &Body, block: &[ir::Stmt], under_varying: bool, u: &Uniformity) -> bool {
    block.iter().any(|stmt| match &stmt.kind {
        StmtKind::Break | StmtKind::Continue => under_varying,
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            let v = under_varying || u.is_varying(body, *cond);
            has_varying_jump(body, then_block, v, u) || has_varying_jump(body, else_block, v, u)
        }
        // Jumps inside an inner loop belong to that loop.
        _ => false,
    })
}

/// The seeds of a phase: its last domain index varies across a gang; a 2-D
/// phase's row index is uniform (a gang never spans rows).
pub fn phase_seeds(domain: &ir::Domain) -> Vec<LocalId> {
    domain.indices.last().copied().into_iter().collect()
}

/// `kjit emit vir`: the kernel IR of each phase with the vectorizer's
/// decisions: varying locals and divergent loops.
pub fn dump_vir(module: &ir::Module, kernel: &str) -> Option<String> {
    let k = module.kernel(kernel)?;
    let mut out = ir::dump_module(&ir::Module {
        kernels: vec![k.clone()],
        functions: module.functions.clone(),
        precision: module.precision,
    });
    let _ = writeln!(
        out,
        "\nvectorization of kernel {} (gang of {} lanes):",
        k.name,
        crate::abi::GANG
    );
    let mut phase = 0;
    for stmt in &k.body.block {
        let (kind, domain, block) = match &stmt.kind {
            StmtKind::Foreach { domain, body } => ("foreach", domain, body),
            StmtKind::Reduce { domain, body, .. } => ("reduce", domain, body),
            _ => continue,
        };
        let results: Vec<ExprId> = match &stmt.kind {
            StmtKind::Reduce { value, .. } => vec![*value],
            _ => Vec::new(),
        };
        let u = analyze(&k.body, block, &results, phase_seeds(domain));
        let mut varying: Vec<String> = u
            .varying_locals
            .iter()
            .map(|l| format!("{l} {}", k.body.locals[*l].name))
            .collect();
        varying.sort();
        let _ = writeln!(
            out,
            "  phase {phase} ({kind}, {}-D): varying locals: {}",
            domain.indices.len(),
            varying.join(", ")
        );
        let _ = writeln!(out, "    divergent loops: {}", u.divergent_loops.len());
        phase += 1;
    }
    Some(out)
}
