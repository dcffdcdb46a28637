//! A phase's chunk function: the gang loop over `begin..end` (rows, for an
//! N-D domain, each with a gang loop over its last dimension), a masked tail gang
//! for what is left, and for reductions the lane accumulators and their
//! fixed combine order.
//!
//! Reduction order (the reference evaluator follows it exactly): within a
//! chunk, element `j` of a row (of the 1-D range) goes to lane `j % GANG`,
//! each lane combining left to right from its start
//! (`semantics::reduce::lane_start`). The chunk writes its lanes to the
//! runtime ([`crate::abi::LanePartials`]), which combines them with the
//! lane tree `((a0⊕a4)⊕(a2⊕a6))⊕((a1⊕a5)⊕(a3⊕a7))` and the chunk partials
//! in chunk order, with `semantics::reduce`'s functions.
//!
//! `argmin`/`argmax` keep beside each lane's value the flat index of its
//! element (4 × i64x2) and, per gang, compare the new values with the
//! lanes' and blend values and indices under that mask: no lane-by-lane
//! code. That in-lane step is `semantics::reduce::combine` for an element
//! of a later index than the lane's, where a tie keeps the lane's.

use super::emit::{self, ArrayRef, Emitter, Gang};
use super::lanes::{self, Val};
use crate::abi::{LanePartials, CHUNK_ELEMS, GANG, MAX_RANK};
use crate::ir::{self, BinaryOp, Domain, ParamId, ReduceOp};
use crate::semantics::reduce::lane_start;
use crate::types::ScalarType;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::Variable;

/// A reduction's lane state in a chunk function.
struct Lanes {
    /// Each lane's value (the registers of one varying value).
    values: Vec<Variable>,
    /// For `argmin`/`argmax`: where the element each lane holds came from,
    /// as the flat index of lane 0 of its gang (lane `l`'s own index is
    /// that plus `l`, added once when the chunk writes its lanes, which
    /// saves the per-gang adds); empty for the other reductions.
    gangs: Vec<Variable>,
    /// How `gangs` count: see [`GangIndex`].
    index: GangIndex,
}

/// The form of the lanes' gang indices. A 1-D chunk spans at most
/// `abi::CHUNK_ELEMS` (16384) indices, so there they are `i32` offsets
/// from the chunk's first index: two registers, selected by the value
/// compare's mask as it is (it has 32-bit lanes), where `i64` indices take
/// four and a widened mask (6 of 22 instructions per f32 gang). An N-D
/// chunk holds whole rows, and one row may be longer than any `i32`, so
/// there they are flat `i64` indices.
#[derive(Clone, Copy)]
enum GangIndex {
    /// `i32` offsets from this (`i64`) index.
    Offset(Value),
    Flat,
}

// The `i32` offsets of a 1-D chunk (reductions always use CHUNK_ELEMS).
const _: () = assert!(CHUNK_ELEMS < i32::MAX as usize);

impl GangIndex {
    fn lane_type(self) -> ScalarType {
        match self {
            GangIndex::Offset(_) => ScalarType::I32,
            GangIndex::Flat => ScalarType::I64,
        }
    }
}

/// What a phase computes per gang.
pub struct PhaseBody<'a> {
    pub domain: &'a Domain,
    pub block: &'a [ir::Stmt],
    /// For a reduction: operator, element type, value expression.
    pub reduce: Option<(ReduceOp, ScalarType, ir::ExprId)>,
    /// The phase statement's span, for diagnostics about its code.
    pub span: crate::span::Span,
    /// Full gangs run two per loop step (`PhasePlan::unrolled`).
    pub unrolled: bool,
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
        let rank = phase.domain.indices.len();
        let width = (rank > 1).then(|| self.frame_load(extent_slots[rank - 1], ScalarType::I64));
        let acc = phase
            .reduce
            .map(|(op, ty, _)| self.lane_state(op, ty, (begin, width)));
        match width {
            None => self.gang_loop(phase, &iota, acc.as_ref(), (Vec::new(), None), begin, end),
            Some(width) => self.row_loop(
                phase,
                &iota,
                acc.as_ref(),
                extent_slots,
                width,
                (begin, end),
            ),
        }
        if let (Some((_, ty, _)), Some(acc)) = (phase.reduce, acc) {
            self.write_partials(ty, &acc, partial);
        }
    }

    /// The rows `begin..end` of an N-D phase, each a gang loop over
    /// `0..width`.
    fn row_loop(
        &mut self,
        phase: &PhaseBody,
        iota: &[Value],
        acc: Option<&Lanes>,
        extent_slots: [usize; MAX_RANK],
        width: Value,
        (begin, end): (Value, Value),
    ) {
        let rank = phase.domain.indices.len();
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
        let row_start = acc
            .filter(|a| !a.gangs.is_empty())
            .map(|_| self.b.ins().imul(row, width));
        self.gang_loop(phase, iota, acc, (rows, row_start), zero, width);
        let next = self.b.ins().iadd_imm_s(row, 1);
        self.b.def_var(row_var, next);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(exit);
        self.b.seal_block(exit);
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

    /// Every lane at its start (`semantics::reduce::lane_start`): the
    /// identity, and for `argmin`/`argmax` the flat index `first + l`,
    /// `first` being the chunk's first element: `begin`, or row `begin`
    /// times the row `width` (N-D).
    fn lane_state(
        &mut self,
        op: ReduceOp,
        ty: ScalarType,
        (begin, width): (Value, Option<Value>),
    ) -> Lanes {
        let identity = self.constant(lane_start(op, ty, 0).value);
        let regs = lanes::splat(&mut self.b, ty, identity);
        let values = self.vars(ty, &regs);
        let (index, start) = match width {
            // Every lane starts at offset 0 (lane `l` at `begin + l`).
            None => (GangIndex::Offset(begin), self.b.ins().iconst(types::I32, 0)),
            Some(w) => (GangIndex::Flat, self.b.ins().imul(begin, w)),
        };
        let gangs = if op.tracks_index() {
            let start = lanes::splat(&mut self.b, index.lane_type(), start);
            self.vars(index.lane_type(), &start)
        } else {
            Vec::new()
        };
        Lanes {
            values,
            gangs,
            index,
        }
    }

    fn vars(&mut self, ty: ScalarType, regs: &[Value]) -> Vec<Variable> {
        regs.iter()
            .map(|&r| {
                let var = self.new_var(lanes::vector_type(ty));
                self.b.def_var(var, r);
                var
            })
            .collect()
    }

    /// Full gangs over `begin..end` of the last dimension (two per step
    /// first when the plan unrolls the phase), then a masked tail gang for
    /// the rest.
    /// `row_start` is the flat index of the row's first element, for an
    /// N-D `argmin`/`argmax` (a 1-D index is already flat).
    fn gang_loop(
        &mut self,
        phase: &PhaseBody,
        iota: &[Value],
        acc: Option<&Lanes>,
        (rows, row_start): (Vec<Value>, Option<Value>),
        begin: Value,
        end: Value,
    ) {
        let len = self.b.ins().isub(end, begin);
        let whole = self.b.ins().band_imm_s(len, !(GANG as i64 - 1));
        let full_end = self.b.ins().iadd(begin, whole);
        let row_starts = self.row_starts(&rows);
        let row = (rows.clone(), row_start, row_starts.clone());
        let singles_from = match phase.unrolled {
            true => {
                let pairs = self.b.ins().band_imm_s(len, !(2 * GANG as i64 - 1));
                let pair_end = self.b.ins().iadd(begin, pairs);
                self.full_gangs(phase, iota, acc, &row, (begin, pair_end), 2);
                pair_end
            }
            false => begin,
        };
        self.full_gangs(phase, iota, acc, &row, (singles_from, full_end), 1);
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
        self.gang_body(
            phase,
            iota,
            acc,
            (rows, row_start, row_starts),
            (full_end, 0),
            Some((mask, rest)),
        );
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// Full gangs over `from..to` (a multiple of `per_step` gangs), `per_step`
    /// of them per loop step, tested at the bottom (one branch per step,
    /// where a test at the top needs a jump back to it too). Emission goes
    /// on after the loop.
    fn full_gangs(
        &mut self,
        phase: &PhaseBody,
        iota: &[Value],
        acc: Option<&Lanes>,
        row: &(Vec<Value>, Option<Value>, Vec<(ParamId, Value)>),
        (from, to): (Value, Value),
        per_step: usize,
    ) {
        let base_var = self.new_var(types::I64);
        self.b.def_var(base_var, from);
        let (body, done) = (self.b.create_block(), self.b.create_block());
        let any = self.b.ins().icmp(IntCC::SignedLessThan, from, to);
        self.b.ins().brif(any, body, &[], done, &[]);
        self.b.switch_to_block(body);
        let base = self.b.use_var(base_var);
        for k in 0..per_step {
            let lanes = (k * GANG) as i64;
            self.gang_body(phase, iota, acc, row.clone(), (base, lanes), None);
        }
        let next = self.b.ins().iadd_imm_s(base, (per_step * GANG) as i64);
        self.b.def_var(base_var, next);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, next, to);
        self.b.ins().brif(more, body, &[], done, &[]);
        self.b.seal_block(body);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// The address of the row `rows` in every array with at least as many
    /// leading dimensions, in parameter order: per row, not per gang, and
    /// an address no access uses is never emitted (Cranelift drops unused
    /// pure values). None in 1-D.
    fn row_starts(&mut self, rows: &[Value]) -> Vec<(ParamId, Value)> {
        if rows.is_empty() {
            return Vec::new();
        }
        let mut arrays: Vec<(ParamId, ArrayRef)> =
            self.arrays.iter().map(|(&a, d)| (a, d.clone())).collect();
        arrays.sort_by_key(|(a, _)| *a);
        arrays
            .into_iter()
            .filter(|(_, desc)| desc.strides.len() >= rows.len())
            .map(|(array, desc)| {
                let size = self.kernel.params[array].elem().byte_size();
                (array, emit::row_start(&mut self.b, &desc, rows, size))
            })
            .collect()
    }

    fn gang_body(
        &mut self,
        phase: &PhaseBody,
        iota: &[Value],
        acc: Option<&Lanes>,
        (rows, row_start, row_starts): (Vec<Value>, Option<Value>, Vec<(ParamId, Value)>),
        (step_base, lanes): (Value, i64),
        tail: Option<(Vec<Value>, Value)>,
    ) {
        let base = match lanes {
            0 => step_base,
            _ => self.b.ins().iadd_imm_s(step_base, lanes),
        };
        self.gang = Some(Gang {
            base,
            step: (step_base, lanes),
            rows,
            row_starts,
            indices: phase.domain.indices.clone(),
            iota: iota.to_vec(),
            full: tail.is_none(),
            rest: tail.as_ref().map(|t| t.1),
            channel_blocks: Vec::new(),
        });
        self.masks.begin_gang(&mut self.b, tail.map(|t| t.0));
        self.load_channel_blocks();
        self.block(phase.block);
        if let (Some((op, ty, value)), Some(acc)) = (phase.reduce, acc) {
            let v = self.expr(value);
            if op.tracks_index() {
                let flat = match row_start {
                    Some(r) => self.b.ins().iadd(r, base),
                    None => base,
                };
                self.accumulate_arg(op, ty, acc, v, flat);
            } else {
                self.accumulate(op, ty, &acc.values, v);
            }
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
            // Their step is `accumulate_arg`, which blends indices too.
            ReduceOp::ArgMin | ReduceOp::ArgMax => {
                unreachable!("argmin/argmax accumulate through accumulate_arg")
            }
        }
    }

    /// The `argmin`/`argmax` step for the gang whose lane 0 is at flat
    /// index `flat`: lanes whose new value beats theirs
    /// (`semantics::reduce::beats`) take the value and `flat`.
    fn accumulate_arg(&mut self, op: ReduceOp, ty: ScalarType, acc: &Lanes, v: Val, flat: Value) {
        let old: Vec<Value> = acc.values.iter().map(|&a| self.b.use_var(a)).collect();
        let new = lanes::varying(&mut self.b, ty, &v);
        let per_reg: Vec<Value> = old
            .iter()
            .zip(&new)
            .map(|(&o, &n)| self.beats(op, ty, n, o))
            .collect();
        // The canonical mask (2 × i32x4), so that it can select both the
        // values and the i64 indices.
        let mut mask = if lanes::lanes_per_reg(ty) == 2 {
            lanes::narrow_pairs(&mut self.b, &per_reg)
        } else {
            per_reg
                .iter()
                .map(|&m| lanes::bitcast(&mut self.b, types::I32X4, m))
                .collect()
        };
        if let Some(exec) = self.exec_mask() {
            mask = lanes::mask_and(&mut self.b, &mask, &exec);
        }
        let values = lanes::select(&mut self.b, ty, &mask, &new, &old);
        let old_gangs: Vec<Value> = acc.gangs.iter().map(|&a| self.b.use_var(a)).collect();
        let here = match acc.index {
            GangIndex::Offset(base) => {
                let offset = self.b.ins().isub(flat, base);
                self.b.ins().ireduce(types::I32, offset)
            }
            GangIndex::Flat => flat,
        };
        let lane_type = acc.index.lane_type();
        let here = lanes::splat(&mut self.b, lane_type, here);
        let gangs = lanes::select(&mut self.b, lane_type, &mask, &here, &old_gangs);
        for (var, x) in acc.values.iter().zip(values) {
            self.b.def_var(*var, x);
        }
        for (var, x) in acc.gangs.iter().zip(gangs) {
            self.b.def_var(*var, x);
        }
    }

    /// Lanes where `new` beats `old` for `op` (one register of each): for
    /// floats `!(old <= new) && old == old` (`>=` for argmax), so a NaN
    /// beats a number, nothing beats a NaN and equal values tie; for
    /// integers `new < old` (`>`).
    fn beats(&mut self, op: ReduceOp, ty: ScalarType, new: Value, old: Value) -> Value {
        let is_min = op == ReduceOp::ArgMin;
        if ty.is_float() {
            let cc = if is_min {
                FloatCC::UnorderedOrGreaterThan
            } else {
                FloatCC::UnorderedOrLessThan
            };
            let better = self.b.ins().fcmp(cc, old, new);
            let old_is_number = self.b.ins().fcmp(FloatCC::Ordered, old, old);
            return self.b.ins().band(better, old_is_number);
        }
        let cmp = if is_min { BinaryOp::Lt } else { BinaryOp::Gt };
        let cc = super::ops::int_cc(cmp, ty.is_signed());
        self.b.ins().icmp(cc, new, old)
    }

    /// Writes every lane's value (in the frame's slot encoding: the value
    /// in the low bytes of a zeroed slot) and index to `*partial`.
    fn write_partials(&mut self, ty: ScalarType, acc: &Lanes, partial: Value) {
        let regs: Vec<Value> = acc.values.iter().map(|&a| self.b.use_var(a)).collect();
        for l in 0..GANG {
            let x = lanes::extract(&mut self.b, ty, &regs, l);
            self.b
                .ins()
                .store(lanes::trusted(), x, partial, (8 * l) as i32);
        }
        if acc.gangs.is_empty() {
            return;
        }
        // Lane numbers made here rather than kept from the chunk's start:
        // live across the gang loop, they cost a spill reload per gang.
        let iota = self.iota();
        let gangs: Vec<Value> = acc.gangs.iter().map(|&g| self.b.use_var(g)).collect();
        let flat = match acc.index {
            GangIndex::Offset(base) => {
                let base = lanes::splat(&mut self.b, ScalarType::I64, base);
                let mut wide = Vec::with_capacity(iota.len());
                for &g in &gangs {
                    let lo = self.b.ins().swiden_low(g);
                    let hi = self.b.ins().swiden_high(g);
                    wide.extend([lo, hi]);
                }
                wide.iter()
                    .zip(&base)
                    .map(|(&w, &b)| self.b.ins().iadd(w, b))
                    .collect()
            }
            GangIndex::Flat => gangs,
        };
        for (k, (&gang, &lane)) in flat.iter().zip(&iota).enumerate() {
            let reg = self.b.ins().iadd(gang, lane);
            let offset = LanePartials::INDICES_OFFSET + 16 * k as i32;
            self.b.ins().store(lanes::trusted(), reg, partial, offset);
        }
    }
}
