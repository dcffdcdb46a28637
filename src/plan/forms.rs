//! Uniform or varying, and why: the forms of a body's locals and
//! expressions, its loops and its branches.
//!
//! A local is varying if it is ever assigned a varying value, or assigned
//! under divergent control (inside an `if` with a varying condition or in a
//! divergent loop). A loop is divergent if its condition or bounds vary, or
//! if it holds a `break`/`continue` under a varying condition. Both feed
//! each other, so the analysis iterates to a fixed point; it only ever
//! adds, so it terminates. An expression is varying when it reads a
//! varying local, or calls a function whose result varies for the forms of
//! its arguments (each such call has a function plan of its own).

use super::{BodyPlan, BranchForm, Cause, Diverges, LoopForm, Planner, Source};
use crate::ir::{Body, Expr, ExprId, FuncId, LocalArrayId, LocalId, Stmt, StmtKind};
use std::collections::HashSet;

/// Fixed-point state while forms are computed.
pub(super) struct Forms<'p, 'm> {
    pub planner: &'p mut Planner<'m>,
    pub body: &'m Body,
    pub plan: BodyPlan,
}

impl<'p, 'm> Forms<'p, 'm> {
    pub fn new(planner: &'p mut Planner<'m>, body: &'m Body, seeds: Vec<(LocalId, Cause)>) -> Self {
        let mut plan = BodyPlan::default();
        plan.varying_locals.extend(seeds);
        Forms {
            planner,
            body,
            plan,
        }
    }

    /// Runs the fixed point over `block`, then records what codegen needs.
    /// `results` are read after the block (a reduction's value, a
    /// function's result).
    pub fn run(mut self, block: &'m [Stmt], results: &[ExprId]) -> BodyPlan {
        loop {
            let before = self.size();
            self.walk(block, None);
            if before == self.size() {
                break;
            }
        }
        self.finish(block, results)
    }

    /// How much the fixed point has found so far (it only grows).
    fn size(&self) -> [usize; 4] {
        [
            self.plan.varying_locals.len(),
            self.plan.varying_arrays.len(),
            self.plan.loops.len(),
            self.plan.calls.len(),
        ]
    }

    fn finish(mut self, block: &'m [Stmt], results: &[ExprId]) -> BodyPlan {
        let body = self.body;
        for root in results {
            self.expr(*root);
        }
        mark_coherent_loops(block, &mut self.plan);
        super::scopes::find_declarations(block, &mut HashSet::new(), &mut self.plan.declarations);
        let read_after = super::scopes::expr_reads(body, results.to_vec());
        super::scopes::find_loop_private(body, block, &read_after, &mut self.plan);
        self.plan
    }

    /// Whether `expr` varies; records the form of it and its operands.
    pub fn expr(&mut self, root: ExprId) -> bool {
        if let Some(form) = self.plan.exprs.get(&root) {
            return form.is_some();
        }
        let why = self.why_varying(root);
        self.plan.exprs.insert(root, why);
        why.is_some()
    }

    /// What makes `e` vary (its first varying read), if anything.
    fn why_varying(&mut self, e: ExprId) -> Option<Source> {
        let node = &self.body.exprs[e].expr;
        if let Expr::Local(local) = node {
            return self
                .plan
                .varying_locals
                .contains_key(local)
                .then_some(Source::Local(*local));
        }
        if let Expr::LocalLoad { array, .. } = node {
            if self.plan.varying_arrays.contains_key(array) {
                // Still visit the indices, so each gets its form.
                node.operands().for_each(|i| {
                    self.expr(i);
                });
                return Some(Source::Array(*array));
            }
        }
        let operands: Vec<ExprId> = node.operands().collect();
        let mut why = None;
        let mut varying_args = Vec::new();
        for op in operands {
            let v = self.expr(op);
            varying_args.push(v);
            if v && why.is_none() {
                why = self.plan.exprs[&op];
            }
        }
        if let Expr::Call { func, .. } = node {
            return self.call(e, *func, varying_args, why);
        }
        why
    }

    /// A call varies when the callee's result varies for these argument
    /// forms; the callee gets (or shares) a plan for exactly these forms.
    fn call(
        &mut self,
        e: ExprId,
        func: FuncId,
        varying_args: Vec<bool>,
        why: Option<Source>,
    ) -> Option<Source> {
        let id = self.planner.function(func, varying_args);
        self.plan.calls.insert(e, id);
        let result_varies = self.planner.functions[id.0].result_varying;
        // The cause of a varying result is a varying argument: a function
        // body alone is uniform.
        if result_varies {
            why
        } else {
            None
        }
    }

    fn varying_local(&mut self, local: LocalId, cause: Cause) {
        self.plan.varying_locals.entry(local).or_insert(cause);
    }

    fn varying_array(&mut self, array: LocalArrayId, cause: Cause) {
        self.plan.varying_arrays.entry(array).or_insert(cause);
    }

    /// One pass over `block`; `control` is the enclosing varying `if` or
    /// divergent loop, if any.
    fn walk(&mut self, block: &'m [Stmt], control: Option<crate::ir::StmtId>) {
        // Forms of expressions may change between passes (a local turned
        // varying): recompute them each pass.
        self.plan.exprs.clear();
        self.walk_block(block, control);
    }

    fn walk_block(&mut self, block: &'m [Stmt], control: Option<crate::ir::StmtId>) {
        for stmt in block {
            self.walk_stmt(stmt, control);
        }
    }

    fn walk_stmt(&mut self, stmt: &'m Stmt, control: Option<crate::ir::StmtId>) {
        match &stmt.kind {
            StmtKind::Assign { local, value } => {
                if self.expr(*value) {
                    self.varying_local(*local, Cause::Assigned(stmt.id));
                } else if let Some(c) = control {
                    self.varying_local(*local, Cause::Control(c));
                }
            }
            StmtKind::Store { index, value, .. } => {
                for &i in index {
                    self.expr(i);
                }
                self.expr(*value);
            }
            // A local array varies when a store gives lanes different
            // elements or values, or runs under varying control (then only
            // some lanes' copies change).
            StmtKind::LocalStore {
                array,
                index,
                value,
            } => {
                let mut varies = false;
                for &i in index {
                    varies |= self.expr(i);
                }
                varies |= self.expr(*value);
                if varies {
                    self.varying_array(*array, Cause::Assigned(stmt.id));
                } else if let Some(c) = control {
                    self.varying_array(*array, Cause::Control(c));
                }
            }
            StmtKind::DeclareArray { array } => {
                self.plan.arrays.insert(*array);
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                let varies = self.expr(*cond);
                if let Some(why) = self.plan.exprs[cond] {
                    self.plan.branches.insert(stmt.id, BranchForm::Varying(why));
                }
                let inner = if varies { Some(stmt.id) } else { control };
                self.walk_block(then_block, inner);
                self.walk_block(else_block, inner);
            }
            StmtKind::While { cond, body } => {
                let diverges = if self.expr(*cond) {
                    Some(Diverges::Condition(*cond))
                } else {
                    self.varying_jump(body, false).map(Diverges::Jump)
                };
                self.walk_loop(stmt, diverges, body, control);
            }
            StmtKind::For {
                counter,
                start,
                end,
                body,
                ..
            } => {
                let bounds = self.expr(*start) | self.expr(*end);
                if bounds {
                    self.varying_local(*counter, Cause::Bounds(stmt.id));
                }
                let diverges = if bounds {
                    Some(Diverges::Bounds)
                } else {
                    self.varying_jump(body, false).map(Diverges::Jump)
                };
                self.walk_loop(stmt, diverges, body, control);
            }
            // Phases are planned on their own; the driver does not see
            // inside them.
            StmtKind::Foreach { .. } | StmtKind::Reduce { .. } => {}
            StmtKind::Break | StmtKind::Continue | StmtKind::Swap { .. } => {}
        }
    }

    fn walk_loop(
        &mut self,
        stmt: &'m Stmt,
        diverges: Option<Diverges>,
        body: &'m [Stmt],
        control: Option<crate::ir::StmtId>,
    ) {
        if let Some(why) = diverges {
            self.plan.loops.insert(stmt.id, LoopForm::Divergent(why));
        }
        let inner = if self.plan.loops.contains_key(&stmt.id) {
            Some(stmt.id)
        } else {
            control
        };
        self.walk_block(body, inner);
    }

    /// The first `break` or `continue` of this loop under a varying
    /// condition, if any.
    fn varying_jump(
        &mut self,
        block: &'m [Stmt],
        under_varying: bool,
    ) -> Option<crate::ir::StmtId> {
        for stmt in block {
            let found = match &stmt.kind {
                StmtKind::Break | StmtKind::Continue => under_varying.then_some(stmt.id),
                StmtKind::Swap { .. } => None,
                StmtKind::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    let v = under_varying || self.expr(*cond);
                    self.varying_jump(then_block, v)
                        .or_else(|| self.varying_jump(else_block, v))
                }
                // Jumps inside an inner loop belong to that loop.
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// Every loop not found divergent is coherent. (Short constant-bounds
/// loops were unrolled by `passes::unroll` before the plan.)
fn mark_coherent_loops(block: &[Stmt], plan: &mut BodyPlan) {
    for stmt in block {
        let is_loop = matches!(stmt.kind, StmtKind::For { .. } | StmtKind::While { .. });
        if is_loop && !plan.loops.contains_key(&stmt.id) {
            plan.loops.insert(stmt.id, LoopForm::Coherent);
        }
        if !matches!(
            stmt.kind,
            StmtKind::Foreach { .. } | StmtKind::Reduce { .. }
        ) {
            for child in stmt.children() {
                mark_coherent_loops(child, plan);
            }
        }
    }
}
