//! The exec and live masks, behind one API (as ISPC's
//! `FunctionEmitContext`): no other file reads or assigns mask state.
//!
//! - The **exec mask** holds the lanes executing now. It is implicit (all
//!   lanes on) in a full gang outside divergent control and in uniform
//!   code, and explicit otherwise: the tail gang, either side of a varying
//!   `if`, the body of a divergent loop.
//! - The **mask depth** counts the narrowed regions around the code being
//!   emitted (sides of a varying `if`, divergent loop bodies, the right
//!   side of a varying `&&`). It decides which writes may skip their blend.
//! - Each divergent loop keeps a **live mask**, the lanes still looping:
//!   `break` removes the executing lanes from it, `continue` only from the
//!   current iteration's exec mask.
//!
//! **When a write skips its blend** (the rule, in one place): a varying
//! local written while some lanes are off keeps the old value in those
//! lanes (a blend), except where the old value cannot be observed by them:
//! at the mask depth of the local's `let` (lanes off there were off for the
//! local's whole scope), or at the top level of a divergent loop's body for
//! the loop's private locals (a lane that left never runs the body again,
//! and nothing reads its copy later; see `plan::scopes`).

use super::lanes;
use crate::ir::LocalId;
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_frontend::{FunctionBuilder, Variable};
use std::collections::HashSet;

/// Mask state of the function being emitted. Its fields are private to
/// this module; the emitter holds one and calls its operations, each of
/// which takes the function builder it emits into.
#[derive(Default)]
pub struct Masks {
    exec: Option<Vec<Variable>>,
    depth: usize,
    loops: Vec<LoopFrame>,
}

/// A loop being emitted, for `break`, `continue` and blend-free writes.
struct LoopFrame {
    /// Coherent loops: where `continue` and `break` jump.
    continue_block: Block,
    break_block: Block,
    /// Divergent loops: the lanes still looping.
    live: Option<Vec<Variable>>,
    /// Divergent loops: locals written without a blend at the body's top
    /// level, and the mask depth of that top level.
    private: HashSet<LocalId>,
    base_depth: usize,
}

/// The live mask of a divergent loop, as `enter_divergent_loop` made it.
pub struct LiveMask {
    vars: Vec<Variable>,
    saved: Option<Vec<Value>>,
}

/// A region narrowed by `enter_region`, to close with `exit_region`.
pub struct Region {
    saved: Option<Vec<Value>>,
    merge: Block,
}

/// A varying `if` opened by `open_branches`: the masks of its sides.
pub struct Branches {
    all_on: bool,
    pub then_mask: Vec<Value>,
    pub else_mask: Vec<Value>,
}

/// The enclosing loops of one body, set aside while another is inlined.
pub struct SavedLoops(Vec<LoopFrame>);

impl Masks {
    /// The lanes executing now as registers; `None` when all are on.
    pub fn exec(&self, b: &mut FunctionBuilder) -> Option<Vec<Value>> {
        let vars = self.exec.as_ref()?;
        Some(vars.iter().map(|&v| b.use_var(v)).collect())
    }

    /// The lanes executing now, all-ones where the mask is implicit.
    pub fn active(&self, b: &mut FunctionBuilder) -> Vec<Value> {
        self.exec(b).unwrap_or_else(|| lanes::mask_const(b, true))
    }

    fn set_exec(&mut self, b: &mut FunctionBuilder, mask: Vec<Value>) {
        let vars = match &self.exec {
            Some(vars) => vars.clone(),
            None => {
                let vars: Vec<Variable> =
                    mask.iter().map(|_| b.declare_var(types::I32X4)).collect();
                self.exec = Some(vars.clone());
                vars
            }
        };
        for (var, value) in vars.iter().zip(mask) {
            b.def_var(*var, value);
        }
    }

    fn restore_exec(&mut self, b: &mut FunctionBuilder, saved: Option<Vec<Value>>) {
        match saved {
            Some(mask) => self.set_exec(b, mask),
            None => self.exec = None,
        }
    }

    /// Starts a gang: all lanes on, or only `tail`'s in the tail gang.
    pub fn begin_gang(&mut self, b: &mut FunctionBuilder, tail: Option<Vec<Value>>) {
        self.exec = None;
        if let Some(mask) = tail {
            self.set_exec(b, mask);
        }
    }

    pub fn end_gang(&mut self) {
        self.exec = None;
    }

    /// Narrows the exec mask to `mask` and branches past the region when no
    /// lane is on; the caller emits the region, then calls `exit_region`.
    pub fn enter_region(&mut self, b: &mut FunctionBuilder, mask: Vec<Value>) -> Region {
        let saved = self.exec(b);
        let narrowed = match &saved {
            Some(exec) => lanes::mask_and(b, exec, &mask),
            None => mask,
        };
        let run = b.create_block();
        let merge = b.create_block();
        for _ in 0..lanes::regs(crate::types::ScalarType::Bool) {
            b.append_block_param(merge, types::I32X4);
        }
        let zero = lanes::mask_const(b, false);
        let any = lanes::any(b, &narrowed);
        let zero_args: Vec<_> = zero.iter().map(|&z| z.into()).collect();
        b.ins().brif(any, run, &[], merge, &zero_args);
        b.switch_to_block(run);
        b.seal_block(run);
        self.set_exec(b, narrowed);
        self.depth += 1;
        Region { saved, merge }
    }

    /// Closes a region with its result registers `out`; returns them, zero
    /// where the region did not run.
    pub fn exit_region(
        &mut self,
        b: &mut FunctionBuilder,
        region: Region,
        out: Vec<Value>,
    ) -> Vec<Value> {
        self.depth -= 1;
        let out_args: Vec<_> = out.iter().map(|&z| z.into()).collect();
        b.ins().jump(region.merge, &out_args);
        b.switch_to_block(region.merge);
        b.seal_block(region.merge);
        self.restore_exec(b, region.saved);
        b.block_params(region.merge).to_vec()
    }

    /// The masks of the two sides of a varying `if` on `cond`.
    pub fn open_branches(&mut self, b: &mut FunctionBuilder, cond: &[Value]) -> Branches {
        let all_on = self.exec.is_none();
        let entry = self.active(b);
        Branches {
            all_on,
            then_mask: lanes::mask_and(b, &entry, cond),
            else_mask: lanes::mask_and_not(b, &entry, cond),
        }
    }

    /// After both sides: the exec mask is the union of what each side left
    /// on (a `break` inside turns lanes off).
    pub fn close_branches(
        &mut self,
        b: &mut FunctionBuilder,
        branches: Branches,
        after_then: &[Value],
        after_else: &[Value],
    ) {
        // With every lane on at entry, no lane can have left: `break` and
        // `continue` only occur in divergent loops, which make the mask
        // explicit themselves. Keep "all on" implicit then: mask variables
        // created here would be defined on this path only, and an enclosing
        // uniform `if` would merge them with an undefined (zero) mask.
        if branches.all_on {
            self.exec = None;
            return;
        }
        let union = lanes::mask_or(b, after_then, after_else);
        self.set_exec(b, union);
    }

    /// Enters a coherent loop's body: `break` and `continue` jump.
    pub fn enter_coherent_loop(&mut self, continue_block: Block, break_block: Block) {
        self.loops.push(LoopFrame {
            continue_block,
            break_block,
            live: None,
            private: HashSet::new(),
            base_depth: 0,
        });
    }

    /// Leaves the innermost loop's body.
    pub fn exit_loop_body(&mut self) {
        self.loops.pop();
    }

    /// Starts a divergent loop: its live mask starts as the lanes active
    /// now, and its body is a narrower mask region (writes in it to locals
    /// declared outside blend, as in a side of a varying `if`).
    pub fn enter_divergent_loop(&mut self, b: &mut FunctionBuilder) -> LiveMask {
        let saved = self.exec(b);
        let entry = self.active(b);
        let vars: Vec<Variable> = entry.iter().map(|_| b.declare_var(types::I32X4)).collect();
        for (var, x) in vars.iter().zip(&entry) {
            b.def_var(*var, *x);
        }
        self.depth += 1;
        LiveMask { vars, saved }
    }

    /// At the loop header: the lanes still live, as the exec mask while the
    /// condition is evaluated.
    pub fn live_lanes(&mut self, b: &mut FunctionBuilder, live: &LiveMask) -> Vec<Value> {
        let lanes: Vec<Value> = live.vars.iter().map(|&v| b.use_var(v)).collect();
        self.set_exec(b, lanes.clone());
        lanes
    }

    /// Keeps in the live mask only `lanes`.
    pub fn retire_lanes(&mut self, b: &mut FunctionBuilder, live: &LiveMask, lanes: Vec<Value>) {
        for (var, x) in live.vars.iter().zip(lanes) {
            b.def_var(*var, x);
        }
    }

    /// Enters the body of one iteration, running `iteration`'s lanes;
    /// `private` locals are written there without a blend. `exits` are the
    /// blocks `continue` and `break` lead to.
    pub fn enter_divergent_body(
        &mut self,
        b: &mut FunctionBuilder,
        live: &LiveMask,
        iteration: Vec<Value>,
        exits: (Block, Block),
        private: HashSet<LocalId>,
    ) {
        self.set_exec(b, iteration);
        self.loops.push(LoopFrame {
            continue_block: exits.0,
            break_block: exits.1,
            live: Some(live.vars.clone()),
            private,
            base_depth: self.depth,
        });
    }

    /// Ends a divergent loop: the exec mask of its entry comes back.
    pub fn exit_divergent_loop(&mut self, b: &mut FunctionBuilder, live: LiveMask) {
        self.depth -= 1;
        self.restore_exec(b, live.saved);
    }

    /// `break` (`is_break`) or `continue` of the innermost loop. Coherent:
    /// a jump. Divergent: the executing lanes stop for this iteration and,
    /// for `break`, leave the live mask.
    pub fn jump_out(&mut self, b: &mut FunctionBuilder, is_break: bool) {
        let Some(frame) = self.loops.last() else {
            unreachable!("the verifier puts break and continue inside loops")
        };
        let target = if is_break {
            frame.break_block
        } else {
            frame.continue_block
        };
        let Some(live_vars) = frame.live.clone() else {
            b.ins().jump(target, &[]);
            // Code after a jump in the same block is unreachable; give it a
            // block of its own so emission can go on.
            let dead = b.create_block();
            b.switch_to_block(dead);
            b.seal_block(dead);
            return;
        };
        let exec = self.active(b);
        if is_break {
            let live: Vec<Value> = live_vars.iter().map(|&v| b.use_var(v)).collect();
            let remaining = lanes::mask_and_not(b, &live, &exec);
            for (var, x) in live_vars.iter().zip(remaining) {
                b.def_var(*var, x);
            }
        }
        let none = lanes::mask_const(b, false);
        self.set_exec(b, none);
    }

    /// The mask to blend a write of `local` with, or `None` when the write
    /// needs no blend (all lanes on, or the rule in the module doc);
    /// `declared_at` is the mask depth of the local's `let`.
    pub fn write_blend(
        &self,
        b: &mut FunctionBuilder,
        local: LocalId,
        declared_at: Option<usize>,
    ) -> Option<Vec<Value>> {
        let at_let = declared_at == Some(self.depth);
        let private = self.loops.last().is_some_and(|l| {
            l.live.is_some() && l.base_depth == self.depth && l.private.contains(&local)
        });
        if at_let || private {
            return None;
        }
        self.exec(b)
    }

    /// The current mask depth, recorded at each `let`.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Sets the enclosing loops aside while an inlined function body is
    /// emitted: the callee's `break`s are its own, and the caller's
    /// loop-private locals are not the callee's (their ids belong to
    /// another body).
    pub fn set_loops_aside(&mut self) -> SavedLoops {
        SavedLoops(std::mem::take(&mut self.loops))
    }

    pub fn restore_loops(&mut self, saved: SavedLoops) {
        self.loops = saved.0;
    }
}
