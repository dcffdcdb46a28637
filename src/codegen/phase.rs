//! A phase's chunk function: the gang loop over `begin..end` (rows, for an
//! N-D domain, each with a gang loop over its last dimension), a masked tail gang
//! for what is left, and for reductions the lane accumulators and their
//! fixed combine order.
//!
//! Reduction order (the reference evaluator follows it exactly): within a
//! chunk, element `j` of a row (of the 1-D range) goes to lane `j % GANG`,
//! each lane combining left to right from the identity; then lanes combine
//! as `((a0⊕a4)⊕(a2⊕a6))⊕((a1⊕a5)⊕(a3⊕a7))`. The runtime combines chunk
//! partials in chunk order, starting from the identity.

use super::emit::{Emitter, Gang};
use super::lanes::{self, Val};
use crate::abi::{GANG, MAX_RANK};
use crate::ir::{self, BinaryOp, Domain, ReduceOp};
use crate::semantics::builtins::reduce_identity;
use crate::types::ScalarType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::Variable;

/// What a phase computes per gang.
pub struct PhaseBody<'a> {
    pub domain: &'a Domain,
    pub block: &'a [ir::Stmt],
    /// For a reduction: operator, element type, value expression.
    pub reduce: Option<(ReduceOp, ScalarType, ir::ExprId)>,
    /// The phase statement's span, for diagnostics about its code.
    pub span: crate::span::Span,
}

impl Emitter<'_, '_> {
    /// Emits the chunk function body; `begin`, `end`, `partial` are its
    /// parameters.
    pub fn chunk(
        &mut self,
        phase: &PhaseBody,
        extent_slots: [usize; MAX_RANK],
        begin: Value,
        end: Value,
        partial: Value,
    ) {
        let iota = self.iota();
        let acc = phase.reduce.map(|(op, ty, _)| self.accumulators(op, ty));
        let rank = phase.domain.indices.len();
        if rank == 1 {
            self.gang_loop(phase, &iota, acc.as_deref(), Vec::new(), begin, end);
        } else {
            let width = self.frame_load(extent_slots[rank - 1], ScalarType::I64);
            // Extents of the outer dimensions past the first: the divisors
            // that turn a row number into its indices.
            let divisors: Vec<Value> = extent_slots[1..rank - 1]
                .iter()
                .map(|&s| self.frame_load(s, ScalarType::I64))
                .collect();
            let zero = self.b.ins().iconst(types::I64, 0);
            let row_var = self.new_var(types::I64);
            self.b.def_var(row_var, begin);
            let (header, body, exit) = (
                self.b.create_block(),
                self.b.create_block(),
                self.b.create_block(),
            );
            self.b.ins().jump(header, &[]);
            self.b.switch_to_block(header);
            let row = self.b.use_var(row_var);
            let more = self.b.ins().icmp(IntCC::SignedLessThan, row, end);
            self.b.ins().brif(more, body, &[], exit, &[]);
            self.b.switch_to_block(body);
            self.b.seal_block(body);
            let rows = self.outer_indices(row, &divisors);
            self.gang_loop(phase, &iota, acc.as_deref(), rows, zero, width);
            let next = self.b.ins().iadd_imm_s(row, 1);
            self.b.def_var(row_var, next);
            self.b.ins().jump(header, &[]);
            self.b.seal_block(header);
            self.b.switch_to_block(exit);
            self.b.seal_block(exit);
        }
        if let (Some((op, ty, _)), Some(acc)) = (phase.reduce, acc) {
            let result = self.combine_lanes(op, ty, &acc);
            self.b.ins().store(lanes::trusted(), result, partial, 0);
        }
    }

    /// The outer domain indices of row `row`, row-major; `divisors` are
    /// the extents of the outer dimensions past the first: none in 2-D (the
    /// row is the index), one division per further dimension. Rows of a
    /// non-empty domain are non-negative and its extents positive.
    fn outer_indices(&mut self, row: Value, divisors: &[Value]) -> Vec<Value> {
        let mut indices = vec![row; divisors.len() + 1];
        let mut rest = row;
        for (d, &extent) in divisors.iter().enumerate().rev() {
            indices[d + 1] = self.b.ins().urem(rest, extent);
            rest = self.b.ins().udiv(rest, extent);
        }
        indices[0] = rest;
        indices
    }

    /// i64 registers holding lane numbers 0..GANG.
    fn iota(&mut self) -> Vec<Value> {
        let lanes: Vec<Value> = (0..GANG)
            .map(|l| self.b.ins().iconst(types::I64, l as i64))
            .collect();
        lanes::build(&mut self.b, ScalarType::I64, &lanes)
    }

    fn accumulators(&mut self, op: ReduceOp, ty: ScalarType) -> Vec<Variable> {
        let identity = self.constant(reduce_identity(op, ty));
        let regs = lanes::splat(&mut self.b, ty, identity);
        regs.iter()
            .map(|&r| {
                let var = self.new_var(lanes::vector_type(ty));
                self.b.def_var(var, r);
                var
            })
            .collect()
    }

    /// Full gangs over `begin..end` of the last dimension, then a masked
    /// tail gang for the rest.
    fn gang_loop(
        &mut self,
        phase: &PhaseBody,
        iota: &[Value],
        acc: Option<&[Variable]>,
        rows: Vec<Value>,
        begin: Value,
        end: Value,
    ) {
        let len = self.b.ins().isub(end, begin);
        let whole = self.b.ins().band_imm_s(len, !(GANG as i64 - 1));
        let full_end = self.b.ins().iadd(begin, whole);
        let base_var = self.new_var(types::I64);
        self.b.def_var(base_var, begin);
        let (header, body, tail_check) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let base = self.b.use_var(base_var);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, base, full_end);
        self.b.ins().brif(more, body, &[], tail_check, &[]);
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        self.gang_body(phase, iota, acc, rows.clone(), base, None);
        let next = self.b.ins().iadd_imm_s(base, GANG as i64);
        self.b.def_var(base_var, next);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(tail_check);
        self.b.seal_block(tail_check);
        let (tail, done) = (self.b.create_block(), self.b.create_block());
        let has_tail = self.b.ins().icmp(IntCC::SignedLessThan, full_end, end);
        self.b.ins().brif(has_tail, tail, &[], done, &[]);
        self.b.switch_to_block(tail);
        self.b.seal_block(tail);
        let rest = self.b.ins().isub(end, full_end);
        let rest_lanes = self.b.ins().splat(types::I64X2, rest);
        let raw: Vec<Value> = iota
            .iter()
            .map(|&o| self.b.ins().icmp(IntCC::SignedLessThan, o, rest_lanes))
            .collect();
        let mask = lanes::narrow_pairs(&mut self.b, &raw);
        self.gang_body(phase, iota, acc, rows, full_end, Some((mask, rest)));
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    fn gang_body(
        &mut self,
        phase: &PhaseBody,
        iota: &[Value],
        acc: Option<&[Variable]>,
        rows: Vec<Value>,
        base: Value,
        tail: Option<(Vec<Value>, Value)>,
    ) {
        self.gang = Some(Gang {
            base,
            rows,
            indices: phase.domain.indices.clone(),
            iota: iota.to_vec(),
            full: tail.is_none(),
            rest: tail.as_ref().map(|t| t.1),
        });
        self.masks.begin_gang(&mut self.b, tail.map(|t| t.0));
        self.block(phase.block);
        if let (Some((op, ty, value)), Some(acc)) = (phase.reduce, acc) {
            let v = self.expr(value);
            self.accumulate(op, ty, acc, v);
        }
        self.gang = None;
        self.masks.end_gang();
    }

    /// `acc = acc ⊕ v` in the lanes that are on; lanes that are off keep
    /// their value exactly (not `acc ⊕ identity`, which can flip -0.0).
    fn accumulate(&mut self, op: ReduceOp, ty: ScalarType, acc: &[Variable], v: Val) {
        let old: Vec<Value> = acc.iter().map(|&a| self.b.use_var(a)).collect();
        let combined = match self.combine(op, ty, Val::Varying(old.clone()), v) {
            Val::Varying(regs) => regs,
            Val::Uniform(x) => lanes::splat(&mut self.b, ty, x),
        };
        let new = match self.exec_mask() {
            Some(mask) => lanes::select(&mut self.b, ty, &mask, &combined, &old),
            None => combined,
        };
        for (var, x) in acc.iter().zip(new) {
            self.b.def_var(*var, x);
        }
    }

    fn combine(&mut self, op: ReduceOp, ty: ScalarType, a: Val, c: Val) -> Val {
        match op {
            ReduceOp::Sum => self.apply_binary(BinaryOp::Add, ty, a, c),
            ReduceOp::Prod => self.apply_binary(BinaryOp::Mul, ty, a, c),
            ReduceOp::Min => self.min_max(true, ty, a, c),
            ReduceOp::Max => self.min_max(false, ty, a, c),
        }
    }

    /// The lane tree `((a0⊕a4)⊕(a2⊕a6))⊕((a1⊕a5)⊕(a3⊕a7))`.
    fn combine_lanes(&mut self, op: ReduceOp, ty: ScalarType, acc: &[Variable]) -> Value {
        let regs: Vec<Value> = acc.iter().map(|&a| self.b.use_var(a)).collect();
        let mut lane: Vec<Value> = (0..GANG)
            .map(|l| lanes::extract(&mut self.b, ty, &regs, l))
            .collect();
        let mut width = GANG / 2;
        while width > 0 {
            for l in 0..width {
                let (x, y) = (lane[l], lane[l + width]);
                lane[l] = match self.combine(op, ty, Val::Uniform(x), Val::Uniform(y)) {
                    Val::Uniform(r) => r,
                    Val::Varying(_) => x,
                };
            }
            width /= 2;
        }
        lane[0]
    }
}
