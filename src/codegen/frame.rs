//! Frame layout: which `u64` slot holds each uniform value of a kernel,
//! and which output arrays need zero-filling before the kernel runs.

use crate::abi::FrameLayout;
use crate::abi::MAX_RANK;
use crate::ir::{self, Expr, LocalId, LocalKind, ParamId, ParamRole, SizeId, StmtKind};
use std::collections::{HashMap, HashSet};

pub struct FrameSlots {
    pub layout: FrameLayout,
    params: HashMap<ParamId, usize>,
    sizes: HashMap<SizeId, usize>,
    /// Uniform locals of the kernel body (declared outside every phase).
    pub locals: HashMap<LocalId, usize>,
    /// Per phase, in phase order: one slot per domain dimension for its
    /// extents (entries past the domain's rank unused, 0).
    pub extents: Vec<[usize; MAX_RANK]>,
}

impl FrameSlots {
    pub fn param(&self, p: ParamId) -> usize {
        self.params.get(&p).copied().unwrap_or(0)
    }

    pub fn size(&self, s: SizeId) -> usize {
        self.sizes.get(&s).copied().unwrap_or(0)
    }
}

pub fn layout(kernel: &ir::Kernel) -> FrameSlots {
    let mut next = 0;
    let mut slot = || {
        next += 1;
        next - 1
    };
    let phase_locals = phase_locals(kernel);
    let mut locals = HashMap::new();
    for (id, local) in kernel.body.locals.iter() {
        if !phase_locals.contains(&id) && !matches!(local.kind, LocalKind::DomainIndex { .. }) {
            locals.insert(id, slot());
        }
    }
    let mut params = HashMap::new();
    let mut param_slots = Vec::new();
    for (id, param) in kernel.params.iter() {
        let s = match (&param.kind, param.role) {
            (ir::ParamKind::Scalar(_), ParamRole::Output) => kernel
                .output_local(id)
                .and_then(|l| locals.get(&l).copied()),
            (ir::ParamKind::Scalar(_), _) => Some(slot()),
            _ => None,
        };
        if let Some(s) = s {
            params.insert(id, s);
        }
        param_slots.push(s);
    }
    let mut sizes = HashMap::new();
    let mut size_slots = Vec::new();
    for (id, _) in kernel.sizes.iter() {
        let s = slot();
        sizes.insert(id, s);
        size_slots.push(s);
    }
    let extents = kernel
        .body
        .phases()
        .into_iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Foreach { domain, .. } | StmtKind::Reduce { domain, .. } => {
                let mut slots = [0; MAX_RANK];
                for s in slots.iter_mut().take(domain.extents.len()) {
                    *s = slot();
                }
                Some(slots)
            }
            _ => None,
        })
        .collect();
    FrameSlots {
        layout: FrameLayout {
            slots: next,
            param_slots,
            size_slots,
        },
        params,
        sizes,
        locals,
        extents,
    }
}

/// Locals assigned or declared inside a phase body (they live in the chunk
/// function's variables, not the frame).
fn phase_locals(kernel: &ir::Kernel) -> HashSet<LocalId> {
    fn collect(block: &[ir::Stmt], out: &mut HashSet<LocalId>) {
        for stmt in block {
            match &stmt.kind {
                StmtKind::Assign { local, .. } => {
                    out.insert(*local);
                }
                StmtKind::For { counter, body, .. } => {
                    out.insert(*counter);
                    collect(body, out);
                }
                StmtKind::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    collect(then_block, out);
                    collect(else_block, out);
                }
                StmtKind::While { body, .. } => collect(body, out),
                _ => {}
            }
        }
    }
    let mut out = HashSet::new();
    for stmt in kernel.body.phases() {
        match &stmt.kind {
            StmtKind::Foreach { domain, body } | StmtKind::Reduce { domain, body, .. } => {
                out.extend(domain.indices.iter().copied());
                collect(body, &mut out);
            }
            _ => {}
        }
    }
    out
}

/// By parameter: whether an output array must start zero-filled. Not when
/// the first statement touching it is a `foreach` that stores it at its top
/// level (so every element is written) before any read of it.
pub fn zero_init(kernel: &ir::Kernel) -> Vec<bool> {
    kernel
        .params
        .iter()
        .map(|(id, param)| {
            matches!(param.role, ParamRole::Output | ParamRole::Scratch)
                && param.is_array()
                && !written_before_read(kernel, id)
        })
        .collect()
}

fn written_before_read(kernel: &ir::Kernel, array: ParamId) -> bool {
    let body = &kernel.body;
    for stmt in &body.block {
        match &stmt.kind {
            StmtKind::Foreach {
                body: inner,
                domain,
            } => {
                for s in inner {
                    if let StmtKind::Store {
                        array: a,
                        value,
                        index,
                    } = &s.kind
                    {
                        let reads = reads_array(body, *value, array)
                            || index.iter().any(|&i| reads_array(body, i, array));
                        // An owner store (more indices than the domain)
                        // writes one element of a slice, not all of it.
                        let whole = index.len() == domain.indices.len();
                        if *a == array && !reads && whole {
                            return true;
                        }
                    }
                    if stmt_reads(body, s, array) {
                        return false;
                    }
                    // Both sides of an `if` store it (a stencil's border
                    // copy and interior formula): every element written.
                    if stores_on_every_path(s, array, domain.indices.len()) {
                        return true;
                    }
                }
                // Stored only conditionally (or read): some elements may
                // never be written, so they must start at zero.
                if stmt_reads_block(body, inner, array) || block_stores(inner, array) {
                    return false;
                }
            }
            _ if stmt_reads(body, stmt, array) => return false,
            _ => {}
        }
    }
    false
}

/// Whether every path through `stmt` stores `array` at the current index
/// (an `if` whose two sides each do, directly or in a nested `if`). Reads
/// are checked by the caller.
fn stores_on_every_path(stmt: &ir::Stmt, array: ParamId, rank: usize) -> bool {
    let block_does = |block: &[ir::Stmt]| {
        block.iter().any(|s| match &s.kind {
            StmtKind::Store {
                array: a, index, ..
            } => *a == array && index.len() == rank,
            _ => stores_on_every_path(s, array, rank),
        })
    };
    match &stmt.kind {
        StmtKind::If {
            then_block,
            else_block,
            ..
        } => block_does(then_block) && block_does(else_block),
        _ => false,
    }
}

fn block_stores(block: &[ir::Stmt], array: ParamId) -> bool {
    block.iter().any(|s| match &s.kind {
        StmtKind::Store { array: a, .. } => *a == array,
        StmtKind::If {
            then_block,
            else_block,
            ..
        } => block_stores(then_block, array) || block_stores(else_block, array),
        StmtKind::For { body, .. } | StmtKind::While { body, .. } => block_stores(body, array),
        _ => false,
    })
}

fn stmt_reads_block(body: &ir::Body, block: &[ir::Stmt], array: ParamId) -> bool {
    block.iter().any(|s| stmt_reads(body, s, array))
}

fn stmt_reads(body: &ir::Body, stmt: &ir::Stmt, array: ParamId) -> bool {
    let r = |e: &ir::ExprId| reads_array(body, *e, array);
    match &stmt.kind {
        StmtKind::Assign { value, .. } => r(value),
        StmtKind::Store { index, value, .. } | StmtKind::LocalStore { index, value, .. } => {
            r(value) || index.iter().any(r)
        }
        StmtKind::DeclareArray { .. } => false,
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            r(cond)
                || stmt_reads_block(body, then_block, array)
                || stmt_reads_block(body, else_block, array)
        }
        StmtKind::For {
            start,
            end,
            body: inner,
            ..
        } => r(start) || r(end) || stmt_reads_block(body, inner, array),
        StmtKind::While { cond, body: inner } => r(cond) || stmt_reads_block(body, inner, array),
        StmtKind::Foreach {
            domain,
            body: inner,
        } => domain.extents.iter().any(r) || stmt_reads_block(body, inner, array),
        StmtKind::Reduce {
            domain,
            body: inner,
            value,
            ..
        } => domain.extents.iter().any(r) || r(value) || stmt_reads_block(body, inner, array),
        StmtKind::Break | StmtKind::Continue => false,
        // From here on the name means another buffer: count it as a read,
        // so the array is zero-filled unless fully written before.
        StmtKind::Swap { a, b } => *a == array || *b == array,
    }
}

fn reads_array(body: &ir::Body, expr: ir::ExprId, array: ParamId) -> bool {
    match &body.exprs[expr].expr {
        Expr::Load { array: a, index } => {
            *a == array || index.iter().any(|&i| reads_array(body, i, array))
        }
        // A call's body reads no kernel array, only its arguments.
        other => other.operands().any(|e| reads_array(body, e, array)),
    }
}
