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

use super::emit::Emitter;
use super::lanes;
use crate::ir::LocalId;
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_frontend::Variable;
use std::collections::HashSet;

/// Mask state of the function being emitted; private to this module.
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

impl Emitter<'_, '_> {
    /// The lanes executing now as registers; `None` when all are on.
    pub fn exec_mask(&mut self) -> Option<Vec<Value>> {
        let vars = self.masks.exec.clone()?;
        Some(vars.iter().map(|&v| self.b.use_var(v)).collect())
    }

    /// The lanes executing now, all-ones where the mask is implicit.
    pub fn active_lanes(&mut self) -> Vec<Value> {
        self.exec_mask()
            .unwrap_or_else(|| lanes::mask_const(&mut self.b, true))
    }

    fn set_exec(&mut self, mask: Vec<Value>) {
        let vars = match self.masks.exec.clone() {
            Some(vars) => vars,
            None => {
                let vars: Vec<Variable> = mask.iter().map(|_| self.new_var(types::I32X4)).collect();
                self.masks.exec = Some(vars.clone());
                vars
            }
        };
        for (var, value) in vars.iter().zip(mask) {
            self.b.def_var(*var, value);
        }
    }

    fn restore_exec(&mut self, saved: Option<Vec<Value>>) {
        match saved {
            Some(mask) => self.set_exec(mask),
            None => self.masks.exec = None,
        }
    }

    /// Starts a gang: all lanes on, or only `tail`'s in the tail gang.
    pub fn begin_gang(&mut self, tail: Option<Vec<Value>>) {
        self.masks.exec = None;
        if let Some(mask) = tail {
            self.set_exec(mask);
        }
    }

    pub fn end_gang(&mut self) {
        self.masks.exec = None;
    }

    /// Runs `f` with the exec mask narrowed to `mask` (skipping it when no
    /// lane is on) and returns its registers, zero where it did not run.
    pub fn masked(
        &mut self,
        mask: Vec<Value>,
        f: impl FnOnce(&mut Self) -> Vec<Value>,
    ) -> Vec<Value> {
        let saved = self.exec_mask();
        let narrowed = match &saved {
            Some(exec) => lanes::mask_and(&mut self.b, exec, &mask),
            None => mask,
        };
        let run = self.b.create_block();
        let merge = self.b.create_block();
        for _ in 0..lanes::regs(crate::types::ScalarType::Bool) {
            self.b.append_block_param(merge, types::I32X4);
        }
        let zero = lanes::mask_const(&mut self.b, false);
        let any = lanes::any(&mut self.b, &narrowed);
        let zero_args: Vec<_> = zero.iter().map(|&z| z.into()).collect();
        self.b.ins().brif(any, run, &[], merge, &zero_args);
        self.b.switch_to_block(run);
        self.b.seal_block(run);
        self.set_exec(narrowed);
        self.masks.depth += 1;
        let out = f(self);
        self.masks.depth -= 1;
        let out_args: Vec<_> = out.iter().map(|&z| z.into()).collect();
        self.b.ins().jump(merge, &out_args);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        self.restore_exec(saved);
        self.b.block_params(merge).to_vec()
    }

    /// A varying `if`: each side under its own mask; afterwards the exec
    /// mask is the union of what each side left on (a `break` inside turns
    /// lanes off).
    pub fn varying_branches(
        &mut self,
        cond: Vec<Value>,
        then_side: impl FnOnce(&mut Self),
        else_side: impl FnOnce(&mut Self),
    ) {
        let all_on = self.masks.exec.is_none();
        let entry = self.active_lanes();
        let then_mask = lanes::mask_and(&mut self.b, &entry, &cond);
        let else_mask = lanes::mask_and_not(&mut self.b, &entry, &cond);
        let after_then = self.masked(then_mask, |e| {
            then_side(e);
            e.exec_mask().unwrap_or_default()
        });
        let after_else = self.masked(else_mask, |e| {
            else_side(e);
            e.exec_mask().unwrap_or_default()
        });
        // With every lane on at entry, no lane can have left: `break` and
        // `continue` only occur in divergent loops, which make the mask
        // explicit themselves. Keep "all on" implicit then: mask variables
        // created here would be defined on this path only, and an enclosing
        // uniform `if` would merge them with an undefined (zero) mask.
        if all_on {
            self.masks.exec = None;
            return;
        }
        let union = lanes::mask_or(&mut self.b, &after_then, &after_else);
        self.set_exec(union);
    }

    /// Enters a coherent loop's body: `break` and `continue` jump.
    pub fn enter_coherent_loop(&mut self, continue_block: Block, break_block: Block) {
        self.masks.loops.push(LoopFrame {
            continue_block,
            break_block,
            live: None,
            private: HashSet::new(),
            base_depth: 0,
        });
    }

    /// Leaves the innermost loop's body.
    pub fn exit_loop_body(&mut self) {
        self.masks.loops.pop();
    }

    /// Starts a divergent loop: its live mask starts as the lanes active
    /// now, and its body is a narrower mask region (writes in it to locals
    /// declared outside blend, as in a side of a varying `if`).
    pub fn enter_divergent_loop(&mut self) -> LiveMask {
        let saved = self.exec_mask();
        let entry = self.active_lanes();
        let vars: Vec<Variable> = entry.iter().map(|_| self.new_var(types::I32X4)).collect();
        for (var, x) in vars.iter().zip(&entry) {
            self.b.def_var(*var, *x);
        }
        self.masks.depth += 1;
        LiveMask { vars, saved }
    }

    /// At the loop header: the lanes still live, as the exec mask while the
    /// condition is evaluated.
    pub fn live_lanes(&mut self, live: &LiveMask) -> Vec<Value> {
        let lanes: Vec<Value> = live.vars.iter().map(|&v| self.b.use_var(v)).collect();
        self.set_exec(lanes.clone());
        lanes
    }

    /// Keeps in `live` only `lanes` (those whose condition held, or not at
    /// their end); returns the new live mask.
    pub fn retire_lanes(&mut self, live: &LiveMask, lanes: Vec<Value>) {
        for (var, x) in live.vars.iter().zip(lanes) {
            self.b.def_var(*var, x);
        }
    }

    /// Enters the body of one iteration, running `iteration`'s lanes;
    /// `private` locals are written there without a blend.
    pub fn enter_divergent_body(
        &mut self,
        live: &LiveMask,
        iteration: Vec<Value>,
        exits: (Block, Block),
        private: HashSet<LocalId>,
    ) {
        self.set_exec(iteration);
        self.masks.loops.push(LoopFrame {
            continue_block: exits.0,
            break_block: exits.1,
            live: Some(live.vars.clone()),
            private,
            base_depth: self.masks.depth,
        });
    }

    /// Ends a divergent loop: the exec mask of its entry comes back.
    pub fn exit_divergent_loop(&mut self, live: LiveMask) {
        self.masks.depth -= 1;
        self.restore_exec(live.saved);
    }

    /// `break` (`is_break`) or `continue` of the innermost loop. Coherent:
    /// a jump. Divergent: the executing lanes stop for this iteration and,
    /// for `break`, leave the live mask.
    pub fn jump_out(&mut self, is_break: bool) {
        let Some(frame) = self.masks.loops.last() else {
            unreachable!("the verifier puts break and continue inside loops")
        };
        let (live, target) = (
            frame.live.clone(),
            if is_break {
                frame.break_block
            } else {
                frame.continue_block
            },
        );
        let Some(live_vars) = live else {
            self.b.ins().jump(target, &[]);
            // Code after a jump in the same block is unreachable; give it a
            // block of its own so emission can go on.
            let dead = self.b.create_block();
            self.b.switch_to_block(dead);
            self.b.seal_block(dead);
            return;
        };
        let exec = self.active_lanes();
        if is_break {
            let live: Vec<Value> = live_vars.iter().map(|&v| self.b.use_var(v)).collect();
            let remaining = lanes::mask_and_not(&mut self.b, &live, &exec);
            for (var, x) in live_vars.iter().zip(remaining) {
                self.b.def_var(*var, x);
            }
        }
        let none = lanes::mask_const(&mut self.b, false);
        self.set_exec(none);
    }

    /// The mask to blend a write of `local` with, or `None` when the write
    /// needs no blend (all lanes on, or the rule in the module doc).
    pub fn write_blend(&mut self, local: LocalId) -> Option<Vec<Value>> {
        let depth = self.masks.depth;
        let at_let = self.scope.decl_depth.get(&local) == Some(&depth);
        let private = self.masks.loops.last().is_some_and(|l| {
            l.live.is_some() && l.base_depth == depth && l.private.contains(&local)
        });
        if at_let || private {
            return None;
        }
        self.exec_mask()
    }

    /// Records the mask depth of `local`'s `let`.
    pub fn note_declaration(&mut self, local: LocalId) {
        self.scope.decl_depth.insert(local, self.masks.depth);
    }

    /// Runs `f` (an inlined function body) with no enclosing loop: the
    /// callee's `break`s are its own, and the caller's loop-private locals
    /// are not the callee's (their ids belong to another body).
    pub fn without_loops<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let loops = std::mem::take(&mut self.masks.loops);
        let out = f(self);
        self.masks.loops = loops;
        out
    }
}
