//! Statements: assignment, stores, `if`, loops, `break`/`continue`.
//!
//! Uniform conditions branch as in scalar code. A varying `if` runs each
//! side under a narrowed exec mask, skipping a side no lane takes. A
//! divergent loop keeps a *live* mask of lanes still looping: each
//! iteration runs under `live & cond`, `break` removes lanes from `live`,
//! `continue` from the current iteration's mask, and the loop ends when no
//! lane is left (mandelbrot's escape loop).

use super::emit::Emitter;
use super::lanes::{self, Val};
use crate::abi::GANG;
use crate::ir::{self, ExprId, LocalId, ParamId, StmtKind};
use crate::plan::{BranchForm, LoopForm};
use crate::types::ScalarType;
use cranelift_codegen::ir::{types, InstBuilder, Value};

impl Emitter<'_, '_> {
    pub fn block(&mut self, block: &[ir::Stmt]) {
        for stmt in block {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &ir::Stmt) {
        match &stmt.kind {
            StmtKind::Assign { local, value }
                if self.scope.plan.short_locals.contains_key(local) =>
            {
                self.declare_short_local(*local, *value);
            }
            StmtKind::Assign { local, value } => {
                let v = self.expr(*value);
                if self.scope.plan.is_declaration(stmt.id) && self.is_phase_local(*local) {
                    self.declare_local(*local, v);
                } else {
                    self.write_local(*local, v);
                }
            }
            StmtKind::Store {
                array,
                index,
                value,
            } if self.scope.plan.is_owner_store(stmt.id) => {
                self.owner_store(*array, index, *value, stmt.span)
            }
            StmtKind::Store {
                array,
                index,
                value,
            } => self.store(*array, index, *value),
            StmtKind::DeclareArray { array } => self.declare_array(*array),
            StmtKind::LocalStore {
                array,
                index,
                value,
            } => self.local_store(*array, index, *value, stmt.span),
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => self.if_stmt(stmt.id, *cond, then_block, else_block),
            StmtKind::While { cond, body } => self.loop_stmt(stmt, LoopHead::While(*cond), body),
            StmtKind::For {
                counter,
                start,
                end,
                inclusive,
                body,
            } => {
                let head = LoopHead::For {
                    counter: *counter,
                    start: *start,
                    end: *end,
                    inclusive: *inclusive,
                };
                self.loop_stmt(stmt, head, body)
            }
            StmtKind::Swap { a, b } => self.swap_arrays(*a, *b),
            StmtKind::Break => self.masks.jump_out(&mut self.b, true),
            StmtKind::Continue => self.masks.jump_out(&mut self.b, false),
            // The driver calls the phase's chunk function through the
            // runtime; chunk functions hold no phases.
            StmtKind::Foreach { domain, .. } | StmtKind::Reduce { domain, .. } => {
                self.run_phase(stmt.id, domain)
            }
        }
    }

    fn if_stmt(
        &mut self,
        id: ir::StmtId,
        cond: ExprId,
        then_block: &[ir::Stmt],
        else_block: &[ir::Stmt],
    ) {
        let c = self.expr(cond);
        match (self.scope.plan.branch(id), c) {
            (BranchForm::Uniform, Val::Uniform(c)) => self.uniform_if(c, then_block, else_block),
            (_, c) => {
                let mask = lanes::varying(&mut self.b, ScalarType::Bool, &c);
                self.varying_if(mask, then_block, else_block)
            }
        }
    }

    fn uniform_if(&mut self, c: Value, then_block: &[ir::Stmt], else_block: &[ir::Stmt]) {
        let (then_b, else_b, merge) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().brif(c, then_b, &[], else_b, &[]);
        for (blk, stmts) in [(then_b, then_block), (else_b, else_block)] {
            self.b.switch_to_block(blk);
            self.b.seal_block(blk);
            self.block(stmts);
            self.b.ins().jump(merge, &[]);
        }
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
    }

    /// A varying `if` in a full gang with no mask yet (a stencil's border
    /// test, most gangs of which go one way): when every lane takes one
    /// side it runs unmasked, as scalar code would (ISPC's coherent `if`);
    /// only a mixed gang takes the masked path. The copies are not nested
    /// (no fast path inside a fast path), so code grows at most threefold.
    fn coherent_if(&mut self, cond: Vec<Value>, then_block: &[ir::Stmt], else_block: &[ir::Stmt]) {
        let ones = lanes::mask_const(&mut self.b, true);
        let off = lanes::mask_and_not(&mut self.b, &ones, &cond);
        let not_all = lanes::any(&mut self.b, &off);
        let any = lanes::any(&mut self.b, &cond);
        let [all_b, check, none_b, mixed, merge] = [(); 5].map(|_| self.b.create_block());
        self.b.ins().brif(not_all, check, &[], all_b, &[]);
        self.b.switch_to_block(check);
        self.b.seal_block(check);
        self.b.ins().brif(any, mixed, &[], none_b, &[]);
        let outer = std::mem::replace(&mut self.in_coherent_copy, true);
        for (blk, stmts) in [(all_b, then_block), (none_b, else_block)] {
            self.b.switch_to_block(blk);
            self.b.seal_block(blk);
            self.block(stmts);
            self.b.ins().jump(merge, &[]);
        }
        self.b.switch_to_block(mixed);
        self.b.seal_block(mixed);
        self.masked_if(cond, then_block, else_block);
        self.in_coherent_copy = outer;
        self.b.ins().jump(merge, &[]);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
    }

    fn varying_if(&mut self, cond: Vec<Value>, then_block: &[ir::Stmt], else_block: &[ir::Stmt]) {
        let full = self.gang.as_ref().is_some_and(|g| g.full);
        if full && !self.in_coherent_copy && self.exec_mask().is_none() {
            return self.coherent_if(cond, then_block, else_block);
        }
        self.masked_if(cond, then_block, else_block)
    }

    fn masked_if(&mut self, cond: Vec<Value>, then_block: &[ir::Stmt], else_block: &[ir::Stmt]) {
        let sides = self.masks.open_branches(&mut self.b, &cond);
        let then_mask = sides.then_mask.clone();
        let after_then = self.masked(then_mask, |e| {
            e.block(then_block);
            e.exec_mask().unwrap_or_default()
        });
        let else_mask = sides.else_mask.clone();
        let after_else = self.masked(else_mask, |e| {
            e.block(else_block);
            e.exec_mask().unwrap_or_default()
        });
        self.masks
            .close_branches(&mut self.b, sides, &after_then, &after_else);
    }

    fn store(&mut self, array: ParamId, index: &[ExprId], value: ExprId) {
        let elem = self.ty(value);
        let Some(gang) = self.gang.clone() else {
            unreachable!("the verifier puts stores inside foreach phases")
        };
        // A short value goes straight to a narrow array in a full gang
        // with every lane on; elsewhere it is widened like any value.
        let short = self.scope.plan.short.contains_key(&value)
            && lanes::is_widened(elem)
            && gang.full
            && self.exec_mask().is_none();
        let v = match short {
            true => None,
            false => Some(self.expr(value)),
        };
        let desc = self.array(array);
        // Stores are at the current index (verified): the gang's rows and
        // its base along the last dimension.
        debug_assert_eq!(index.len(), gang.rows.len() + 1);
        let (start, linear) = self.current_place(array, &desc, 1);
        let bytes = lanes::byte_offset(&mut self.b, linear, elem.byte_size());
        let address = self.b.ins().iadd(start, bytes);
        let Some(v) = v else {
            return self.short_store(elem, value, address);
        };
        let regs = lanes::varying(&mut self.b, elem, &v);
        match (gang.full && elem != ScalarType::Bool, self.exec_mask()) {
            (true, None) => self.store_regs(elem, &regs, address),
            (true, Some(mask)) => {
                // The gang owns all its elements, so read-blend-write is safe.
                let old: Vec<Value> = if lanes::is_widened(elem) {
                    lanes::widening_load(&mut self.b, elem, address)
                } else {
                    (0..regs.len())
                        .map(|k| {
                            self.b.ins().load(
                                lanes::vector_type(elem),
                                lanes::trusted(),
                                address,
                                (k * 16) as i32,
                            )
                        })
                        .collect()
                };
                let blended = lanes::select(&mut self.b, elem, &mask, &regs, &old);
                self.store_regs(elem, &blended, address);
            }
            (_, mask) => self.store_lanes(elem, &regs, mask, address),
        }
    }

    fn store_regs(&mut self, elem: ScalarType, regs: &[Value], address: Value) {
        if lanes::is_widened(elem) {
            return lanes::narrow_store(&mut self.b, elem, regs, address);
        }
        for (k, &r) in regs.iter().enumerate() {
            self.b
                .ins()
                .store(lanes::trusted(), r, address, (k * 16) as i32);
        }
    }

    /// Lane by lane, only where the exec mask is on: the tail gang's lanes
    /// past the end have no memory behind them.
    fn store_lanes(
        &mut self,
        elem: ScalarType,
        regs: &[Value],
        mask: Option<Vec<Value>>,
        address: Value,
    ) {
        let mask = mask.unwrap_or_else(|| lanes::mask_const(&mut self.b, true));
        for lane in 0..GANG {
            let offset = (lane * elem.byte_size()) as i32;
            self.store_lane(elem, regs, lane, Some(&mask), address, offset);
        }
    }

    /// Stores lane `lane` of `regs` at `address + offset`, only where
    /// `mask`'s lane is on (always when `mask` is `None`); a `bool` is
    /// stored as 0 or 1.
    pub(super) fn store_lane(
        &mut self,
        elem: ScalarType,
        regs: &[Value],
        lane: usize,
        mask: Option<&[Value]>,
        address: Value,
        offset: i32,
    ) {
        let mut x = lanes::extract(&mut self.b, elem, regs, lane);
        if elem == ScalarType::Bool {
            x = self.b.ins().band_imm_s(x, 1);
        }
        let Some(mask) = mask else {
            self.b.ins().store(lanes::trusted(), x, address, offset);
            return;
        };
        let on = lanes::extract(&mut self.b, ScalarType::Bool, mask, lane);
        let (store, next) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(on, store, &[], next, &[]);
        self.b.switch_to_block(store);
        self.b.seal_block(store);
        self.b.ins().store(lanes::trusted(), x, address, offset);
        self.b.ins().jump(next, &[]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }
}

/// What controls a loop.
#[derive(Clone, Copy)]
enum LoopHead {
    While(ExprId),
    For {
        counter: LocalId,
        start: ExprId,
        end: ExprId,
        inclusive: bool,
    },
}

impl Emitter<'_, '_> {
    fn loop_stmt(&mut self, stmt: &ir::Stmt, head: LoopHead, body: &[ir::Stmt]) {
        match self.scope.plan.loop_form(stmt.id) {
            LoopForm::Divergent(_) => {
                let end = self.loop_init(head);
                self.divergent_loop(stmt, head, end, body)
            }
            LoopForm::Coherent => {
                let end = self.loop_init(head);
                self.coherent_loop(head, end, body)
            }
        }
    }

    /// Evaluates a `for` loop's bounds once and sets its counter.
    fn loop_init(&mut self, head: LoopHead) -> Option<Val> {
        let LoopHead::For {
            counter,
            start,
            end,
            ..
        } = head
        else {
            return None;
        };
        let s = self.expr(start);
        let e = self.expr(end);
        self.write_local(counter, s);
        Some(e)
    }

    /// The condition of one iteration: `cond`, or `counter < end`
    /// (`<=` for an inclusive range).
    fn loop_cond(&mut self, head: LoopHead, end: &Option<Val>) -> Val {
        match (head, end) {
            (LoopHead::While(cond), _) => self.expr(cond),
            (
                LoopHead::For {
                    counter, inclusive, ..
                },
                Some(end),
            ) => {
                let ty = self.scope.body.locals[counter].ty;
                let c = self.read_local(counter);
                let op = if inclusive {
                    ir::BinaryOp::Le
                } else {
                    ir::BinaryOp::Lt
                };
                self.apply_binary(op, ty, c, end.clone())
            }
            _ => Val::Uniform(self.b.ins().iconst(types::I8, 0)),
        }
    }

    /// After an iteration: step the counter, and for an inclusive range
    /// stop at `end` itself so the counter never overflows.
    fn loop_step(&mut self, head: LoopHead, end: &Option<Val>) -> Option<Val> {
        let LoopHead::For {
            counter, inclusive, ..
        } = head
        else {
            return None;
        };
        let ty = self.scope.body.locals[counter].ty;
        let c = self.read_local(counter);
        let at_end = if inclusive {
            Some(self.apply_binary(ir::BinaryOp::Eq, ty, c.clone(), end.clone()?))
        } else {
            None
        };
        let one = match ir::Scalar::of_int(ty, 1) {
            Some(one) => self.constant(one),
            None => unreachable!("the verifier gives `for` counters an integer type"),
        };
        let next = self.apply_binary(ir::BinaryOp::Add, ty, c, Val::Uniform(one));
        self.write_local(counter, next);
        at_end
    }

    fn coherent_loop(&mut self, head: LoopHead, end: Option<Val>, body: &[ir::Stmt]) {
        let (header, body_b, latch, exit) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let cond = match self.loop_cond(head, &end) {
            Val::Uniform(c) => c,
            // The analysis marks loops with varying conditions divergent.
            Val::Varying(m) => lanes::any(&mut self.b, &m),
        };
        self.b.ins().brif(cond, body_b, &[], exit, &[]);
        self.b.switch_to_block(body_b);
        self.b.seal_block(body_b);
        self.masks.enter_coherent_loop(latch, exit);
        self.block(body);
        self.masks.exit_loop_body();
        self.b.ins().jump(latch, &[]);
        self.b.switch_to_block(latch);
        self.b.seal_block(latch);
        match self.loop_step(head, &end) {
            Some(Val::Uniform(at_end)) => {
                self.b.ins().brif(at_end, exit, &[], header, &[]);
            }
            _ => {
                self.b.ins().jump(header, &[]);
            }
        }
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
    }

    /// Lanes leave on their own: the live mask holds the lanes still
    /// looping, and the loop ends when none is.
    fn divergent_loop(
        &mut self,
        stmt: &ir::Stmt,
        head: LoopHead,
        end: Option<Val>,
        body: &[ir::Stmt],
    ) {
        let live = self.masks.enter_divergent_loop(&mut self.b);
        let (header, body_b, exit) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let lanes_live = self.masks.live_lanes(&mut self.b, &live);
        let cond = self.loop_cond(head, &end);
        let cond = lanes::varying(&mut self.b, ScalarType::Bool, &cond);
        let iteration = lanes::mask_and(&mut self.b, &lanes_live, &cond);
        self.masks
            .retire_lanes(&mut self.b, &live, iteration.clone());
        let any = lanes::any(&mut self.b, &iteration);
        self.b.ins().brif(any, body_b, &[], exit, &[]);
        self.b.switch_to_block(body_b);
        self.b.seal_block(body_b);
        let private = self
            .scope
            .plan
            .loop_private(stmt.id)
            .iter()
            .copied()
            .collect();
        self.masks
            .enter_divergent_body(&mut self.b, &live, iteration, (header, exit), private);
        self.block(body);
        self.masks.exit_loop_body();
        // `continue` only paused lanes for this iteration: they are still
        // live. Step counters for the lanes still looping.
        let live_now = self.masks.live_lanes(&mut self.b, &live);
        if let Some(at_end) = self.loop_step(head, &end) {
            let at_end = lanes::varying(&mut self.b, ScalarType::Bool, &at_end);
            let remaining = lanes::mask_and_not(&mut self.b, &live_now, &at_end);
            self.masks.retire_lanes(&mut self.b, &live, remaining);
        }
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
        self.masks.exit_divergent_loop(&mut self.b, live);
    }
}
