//! Array reads and their bounds checks, emitted in the form the vector
//! plan chose for each ([`crate::plan::Access`]):
//! - uniform: one scalar check, one scalar load (splat if needed);
//! - current index: plain vector loads in a full gang, no check (in bounds
//!   by construction), an inline copy of the existing lanes in the tail;
//! - contiguous (`i ± u`, uniform rows): one scalar range check for the
//!   whole gang, then vector loads; a gang straddling the array's edge takes
//!   an inline per-lane check-and-copy loop;
//! - gather: per-lane indices, a vector check of the active lanes, then one
//!   scalar load per lane from a clamped index.
//!
//! A failed check writes the error record (site, index) and leaves through
//! the function's error exit; no load ever touches memory outside the array.

use super::emit::{ArrayRef, Emitter};
use super::lanes::{self, Val};
use crate::abi::{ErrorRecord, ErrorSite, SiteArray, ERROR_OUT_OF_BOUNDS, GANG, MAX_RANK};
use crate::ir::{BinaryOp, ExprId, ParamId};
use crate::plan::Access;
use crate::types::ScalarType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, StackSlotData, StackSlotKind, Value};

impl Emitter<'_, '_> {
    pub fn load(&mut self, id: ExprId, array: ParamId, index: &[ExprId]) -> Val {
        let elem = self.ty(id);
        let site = self.site(array, id);
        let desc = self.array(array);
        let access = self.scope.plan.access(id).clone();
        match access {
            Access::Current => self.contiguous_load((array, index), None, true, elem, &desc, site),
            Access::Contiguous { offset } => {
                self.contiguous_load((array, index), offset, false, elem, &desc, site)
            }
            Access::Uniform => {
                let scalars: Vec<Value> = index.iter().map(|&i| self.uniform_expr(i)).collect();
                let offset = self.checked_offset(&scalars, &desc, site);
                Val::Uniform(self.scalar_load(desc.ptr, offset, elem))
            }
            Access::Gather(_) => {
                let idx: Vec<Val> = index.iter().map(|&i| self.expr(i)).collect();
                Val::Varying(self.gather(&idx, elem, &desc, site))
            }
            Access::Interleaved {
                channel,
                channels,
                shared,
            } => Val::Varying(self.interleaved_load(
                (array, index),
                (channel, channels, shared),
                elem,
                &desc,
            )),
        }
    }

    fn site(&mut self, array: ParamId, id: ExprId) -> u32 {
        self.sites.push(ErrorSite {
            array: SiteArray::Param(array.as_u32() as usize),
            span: self.scope.body.exprs[id].span,
        });
        (self.sites.len() - 1) as u32
    }

    /// Linear offset of a uniform index, after checking every dimension.
    pub(super) fn checked_offset(&mut self, index: &[Value], desc: &ArrayRef, site: u32) -> Value {
        let mut ok = self.b.ins().iconst(types::I8, 1);
        for (&i, &dim) in index.iter().zip(&desc.dims) {
            let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, i, dim);
            ok = self.b.ins().band(ok, inside);
        }
        let fail = self.b.ins().bxor_imm_s(ok, 1);
        self.fail_if(fail, site, index);
        self.linear_offset(desc, index)
    }

    /// The element offset of `index` (one value per dimension) in `desc`:
    /// `i0 * strides[0] + .. + ik`, the one place an index becomes a
    /// position.
    pub fn linear_offset(&mut self, desc: &ArrayRef, index: &[Value]) -> Value {
        let Some((&last, outer)) = index.split_last() else {
            unreachable!("arrays have at least one dimension")
        };
        let mut linear = last;
        for (&i, &stride) in outer.iter().zip(&desc.strides).rev() {
            let part = self.b.ins().imul(i, stride);
            linear = self.b.ins().iadd(part, linear);
        }
        linear
    }

    /// Branches to a cold block that records the error, with the offending
    /// `index` (one value per dimension), when `fail` is set.
    pub fn fail_if(&mut self, fail: Value, site: u32, index: &[Value]) {
        let cold = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(fail, cold, &[], next, &[]);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        let kind = self.b.ins().iconst(types::I32, ERROR_OUT_OF_BOUNDS as i64);
        let site = self.b.ins().iconst(types::I32, site as i64);
        let flags = lanes::trusted();
        self.b.ins().store(flags, kind, self.error_ptr, 0);
        self.b.ins().store(flags, site, self.error_ptr, 4);
        let at = std::mem::offset_of!(ErrorRecord, index);
        let zero = self.b.ins().iconst(types::I64, 0);
        for d in 0..MAX_RANK {
            let value = index.get(d).copied().unwrap_or(zero);
            self.b
                .ins()
                .store(flags, value, self.error_ptr, (at + 8 * d) as i32);
        }
        self.b.ins().jump(self.error_exit, &[]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }

    fn scalar_load(&mut self, ptr: Value, offset: Value, elem: ScalarType) -> Value {
        let bytes = lanes::byte_offset(&mut self.b, offset, elem.byte_size());
        let address = self.b.ins().iadd(ptr, bytes);
        self.b
            .ins()
            .load(lanes::scalar_type(elem), lanes::trusted(), address, 0)
    }

    /// Vector loads of `GANG` consecutive elements starting at `offset`.
    fn vector_load(&mut self, ptr: Value, offset: Value, elem: ScalarType) -> Vec<Value> {
        let bytes = lanes::byte_offset(&mut self.b, offset, elem.byte_size());
        let address = self.b.ins().iadd(ptr, bytes);
        let ty = elem;
        if lanes::is_widened(elem) {
            // One byte (two) per element: the type's own width in memory.
            return lanes::widening_load(&mut self.b, elem, address);
        }
        if elem == ScalarType::Bool {
            // Bytes 0/1 → mask lanes 0/-1.
            let lanes: Vec<Value> = (0..GANG)
                .map(|l| {
                    self.b
                        .ins()
                        .load(types::I8, lanes::trusted(), address, l as i32)
                })
                .collect();
            return lanes::build(&mut self.b, ScalarType::Bool, &lanes);
        }
        (0..lanes::regs(ty))
            .map(|k| {
                self.b.ins().load(
                    lanes::vector_type(ty),
                    lanes::trusted(),
                    address,
                    (k * 16) as i32,
                )
            })
            .collect()
    }

    /// Vector loads at the gang's last index plus `offset` (uniform), in
    /// rows given by the other, uniform, indices. `current`: the plan
    /// proved the read in bounds (the current index of a domain-shaped
    /// array).
    fn contiguous_load(
        &mut self,
        (array, index): (ParamId, &[ExprId]),
        offset: Option<(BinaryOp, ExprId)>,
        current: bool,
        elem: ScalarType,
        desc: &ArrayRef,
        site: u32,
    ) -> Val {
        let Some(gang) = self.gang.clone() else {
            unreachable!("the plan gives contiguous accesses only to phases")
        };
        let rows: Vec<Value> = index[..index.len() - 1]
            .iter()
            .map(|&i| self.uniform_expr(i))
            .collect();
        let column = match offset {
            None => gang.base,
            Some((op, u)) => {
                let u = self.uniform_expr(u);
                if op == BinaryOp::Add {
                    self.b.ins().iadd(gang.base, u)
                } else {
                    self.b.ins().isub(gang.base, u)
                }
            }
        };
        if !current {
            let mut at = rows.clone();
            at.push(column);
            let linear = self.linear_offset(desc, &at);
            return self.guarded_contiguous(&rows, column, linear, elem, desc, site);
        }
        let (start, linear) = self.current_place(array, desc, 1);
        match gang.rest {
            None => Val::Varying(self.vector_load(start, linear, elem)),
            Some(rest) => Val::Varying(self.tail_copy_load(start, linear, elem, rest)),
        }
    }

    /// An expression the plan found uniform, as a scalar.
    fn uniform_expr(&mut self, e: ExprId) -> Value {
        match self.expr(e) {
            Val::Uniform(x) => x,
            Val::Varying(_) => unreachable!("the plan found {e} uniform"),
        }
    }

    /// One range check for the gang; vector loads when it passes, the
    /// per-lane path (which only faults on active lanes) when it does not.
    fn guarded_contiguous(
        &mut self,
        rows: &[Value],
        column: Value,
        linear: Value,
        elem: ScalarType,
        desc: &ArrayRef,
        site: u32,
    ) -> Val {
        let width = desc.dims[rows.len()];
        let mut ok = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, column, 0);
        let end = self.b.ins().iadd_imm_s(column, GANG as i64);
        let fits = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, end, width);
        ok = self.b.ins().band(ok, fits);
        for (&r, &dim) in rows.iter().zip(&desc.dims) {
            let row_ok = self.b.ins().icmp(IntCC::UnsignedLessThan, r, dim);
            ok = self.b.ins().band(ok, row_ok);
        }
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let merge = self.b.create_block();
        let reg_ty = if elem == ScalarType::Bool {
            types::I32X4
        } else {
            lanes::vector_type(elem)
        };
        for _ in 0..lanes::regs(elem) {
            self.b.append_block_param(merge, reg_ty);
        }
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        self.b.seal_block(fast);
        let regs = self.vector_load(desc.ptr, linear, elem);
        let args: Vec<_> = regs.iter().map(|&r| r.into()).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        let regs = self.edge_load(rows, column, elem, desc, site);
        let args: Vec<_> = regs.iter().map(|&r| r.into()).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        Val::Varying(self.b.block_params(merge).to_vec())
    }

    /// A load at the current index in the tail gang: the `rest` existing
    /// lanes are inside the array by construction, the others are off. An
    /// inline loop copies them into a zeroed stack buffer, which is then
    /// loaded as vectors: no per-lane checks, unlike [`Self::edge_load`].
    fn tail_copy_load(
        &mut self,
        ptr: Value,
        linear: Value,
        elem: ScalarType,
        rest: Value,
    ) -> Vec<Value> {
        let buffer = self.copy_to_buffer(ptr, linear, elem, rest, GANG);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.vector_load(buffer, zero, elem)
    }

    /// A zeroed stack buffer of `slots` elements holding the `count`
    /// elements at `ptr[linear..]` (an inline copy loop; `count <= slots`).
    pub(super) fn copy_to_buffer(
        &mut self,
        ptr: Value,
        linear: Value,
        elem: ScalarType,
        count: Value,
        slots: usize,
    ) -> Value {
        let rest = count;
        let size = elem.byte_size();
        let buffer = self.stack_buffer(slots * size);
        let zero = self.b.ins().iconst(types::I64, 0);
        for offset in (0..slots * size).step_by(8) {
            self.b
                .ins()
                .store(lanes::trusted(), zero, buffer, offset as i32);
        }
        let element = lanes::Layout::of(elem).memory;
        let bytes = lanes::byte_offset(&mut self.b, linear, size);
        let source = self.b.ins().iadd(ptr, bytes);
        let lane = self.new_var(types::I64);
        self.b.def_var(lane, zero);
        let (header, body, done) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let k = self.b.use_var(lane);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, k, rest);
        self.b.ins().brif(more, body, &[], done, &[]);
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        let at = lanes::byte_offset(&mut self.b, k, size);
        let from = self.b.ins().iadd(source, at);
        let to = self.b.ins().iadd(buffer, at);
        let value = self.b.ins().load(element, lanes::trusted(), from, 0);
        self.b.ins().store(lanes::trusted(), value, to, 0);
        let next = self.b.ins().iadd_imm_s(k, 1);
        self.b.def_var(lane, next);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        buffer
    }

    /// The slow path of a contiguous load (a gang straddling the array's
    /// edge, a masked tail): an inline loop over the lanes that checks and
    /// copies each active one into a zeroed stack buffer, then loads the
    /// buffer as vectors. The first active lane outside the array fails the
    /// kernel. A loop, not straight-line code, keeps it small (compile
    /// time); inline, not a call, because any call in a phase makes every
    /// value live across it (accumulators, pointers) spill inside the hot
    /// loop.
    fn edge_load(
        &mut self,
        rows: &[Value],
        column: Value,
        elem: ScalarType,
        desc: &ArrayRef,
        site: u32,
    ) -> Vec<Value> {
        let mask = self.active_lanes();
        let mask_slot = self.stack_buffer(GANG * 4);
        for (k, &m) in mask.iter().enumerate() {
            self.b
                .ins()
                .store(lanes::trusted(), m, mask_slot, (k * 16) as i32);
        }
        let size = elem.byte_size();
        let buffer = self.stack_buffer(GANG * size);
        let zero = self.b.ins().iconst(types::I64, 0);
        for offset in (0..GANG * size).step_by(8) {
            self.b
                .ins()
                .store(lanes::trusted(), zero, buffer, offset as i32);
        }
        let cols = desc.dims[rows.len()];
        // Whether the gang's rows are inside the array (one test for all
        // lanes, done per lane below only so that an off lane never fails).
        let mut rows_inside = self.b.ins().iconst(types::I8, 1);
        for (&r, &dim) in rows.iter().zip(&desc.dims) {
            let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, r, dim);
            rows_inside = self.b.ins().band(rows_inside, inside);
        }
        let lane = self.new_var(types::I64);
        self.b.def_var(lane, zero);
        let (header, body, check, latch, done) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let k = self.b.use_var(lane);
        let more = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThan, k, GANG as i64);
        self.b.ins().brif(more, body, &[], done, &[]);
        self.b.switch_to_block(body);
        self.b.seal_block(body);
        let mask_at = self.b.ins().imul_imm_s(k, 4);
        let mask_at = self.b.ins().iadd(mask_slot, mask_at);
        let on = self.b.ins().load(types::I32, lanes::trusted(), mask_at, 0);
        self.b.ins().brif(on, check, &[], latch, &[]);
        self.b.switch_to_block(check);
        self.b.seal_block(check);
        let col = self.b.ins().iadd(column, k);
        let col_inside = self.b.ins().icmp(IntCC::UnsignedLessThan, col, cols);
        let inside = self.b.ins().band(col_inside, rows_inside);
        let outside = self.b.ins().bxor_imm_u(inside, 1);
        let mut bad = rows.to_vec();
        bad.push(col);
        self.fail_if(outside, site, &bad);
        let linear = self.linear_offset(desc, &bad);
        let element = lanes::Layout::of(elem).memory;
        let from = lanes::byte_offset(&mut self.b, linear, size);
        let from = self.b.ins().iadd(desc.ptr, from);
        let value = self.b.ins().load(element, lanes::trusted(), from, 0);
        let to = lanes::byte_offset(&mut self.b, k, size);
        let to = self.b.ins().iadd(buffer, to);
        self.b.ins().store(lanes::trusted(), value, to, 0);
        self.b.ins().jump(latch, &[]);
        self.b.switch_to_block(latch);
        self.b.seal_block(latch);
        let next = self.b.ins().iadd_imm_s(k, 1);
        self.b.def_var(lane, next);
        self.b.ins().jump(header, &[]);
        self.b.seal_block(header);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        self.vector_load(buffer, zero, elem)
    }

    /// The address of a fresh 16-byte-aligned stack buffer of `bytes`.
    fn stack_buffer(&mut self, bytes: usize) -> Value {
        let data = StackSlotData::new(StackSlotKind::ExplicitSlot, bytes as u32, 4);
        let slot = self.b.create_sized_stack_slot(data);
        self.b.ins().stack_addr(types::I64, slot, 0)
    }

    /// Per-lane loads: every active lane's index is checked (one vector
    /// test), then each lane loads from its index, clamped to 0 when the
    /// lane is off so that no load leaves the array.
    fn gather(
        &mut self,
        index: &[Val],
        elem: ScalarType,
        desc: &ArrayRef,
        site: u32,
    ) -> Vec<Value> {
        let idx: Vec<Vec<Value>> = index
            .iter()
            .map(|v| lanes::varying(&mut self.b, ScalarType::I64, v))
            .collect();
        let inside = self.check_lanes(&idx, desc, site);
        // An empty array has no element 0 to clamp to: it gets one branch
        // here, so the per-lane loads below need none.
        let mut empty = self.b.ins().iconst(types::I8, 0);
        for &dim in &desc.dims {
            let zero_dim = self.b.ins().icmp_imm_s(IntCC::Equal, dim, 0);
            empty = self.b.ins().bor(empty, zero_dim);
        }
        let (load_block, empty_block, merge) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        let reg_ty = lanes::vector_type(elem);
        for _ in 0..lanes::regs(elem) {
            self.b.append_block_param(merge, reg_ty);
        }
        self.b.ins().brif(empty, empty_block, &[], load_block, &[]);
        self.b.switch_to_block(empty_block);
        self.b.seal_block(empty_block);
        let zero = self.zero_of(elem);
        let zeros = lanes::splat(&mut self.b, elem, zero);
        let args: Vec<_> = zeros.iter().map(|&r| r.into()).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(load_block);
        self.b.seal_block(load_block);
        // Lanes outside the array (off lanes; on lanes were checked above)
        // read element 0 instead and then take zero: clamping and zeroing
        // are one blend per register, not work per lane.
        let inside64 = lanes::widen_mask(&mut self.b, ScalarType::I64, &inside);
        let zero_index = self.b.ins().iconst(types::I64, 0);
        let zero_regs = lanes::splat(&mut self.b, ScalarType::I64, zero_index);
        let safe: Vec<Vec<Value>> = idx
            .iter()
            .map(|regs| {
                regs.iter()
                    .zip(&inside64)
                    .zip(&zero_regs)
                    .map(|((&r, &m), &z)| lanes::blend(&mut self.b, m, r, z))
                    .collect()
            })
            .collect();
        let lanes_out: Vec<Value> = (0..GANG)
            .map(|lane| {
                let coords: Vec<Value> = safe
                    .iter()
                    .map(|regs| lanes::extract(&mut self.b, ScalarType::I64, regs, lane))
                    .collect();
                let linear = self.linear_offset(desc, &coords);
                self.scalar_load(desc.ptr, linear, elem)
            })
            .collect();
        let loaded = lanes::build(&mut self.b, elem, &lanes_out);
        let zero = self.zero_of(elem);
        let zeros = lanes::splat(&mut self.b, elem, zero);
        let lanes_out = lanes::select(&mut self.b, elem, &inside, &loaded, &zeros);
        let regs = lanes_out;
        let args: Vec<_> = regs.iter().map(|&r| r.into()).collect();
        self.b.ins().jump(merge, &args);
        self.b.switch_to_block(merge);
        self.b.seal_block(merge);
        self.b.block_params(merge).to_vec()
    }

    /// Checks every active lane's index (one vector test per dimension),
    /// failing with the first bad lane's; returns which lanes are inside.
    pub(super) fn check_lanes(
        &mut self,
        idx: &[Vec<Value>],
        desc: &ArrayRef,
        site: u32,
    ) -> Vec<Value> {
        let mut inside = lanes::mask_const(&mut self.b, true);
        for (d, regs) in idx.iter().enumerate() {
            let dim = self.b.ins().splat(types::I64X2, desc.dims[d]);
            let raw: Vec<Value> = regs
                .iter()
                .map(|&r| self.b.ins().icmp(IntCC::UnsignedLessThan, r, dim))
                .collect();
            let narrowed = lanes::narrow_pairs(&mut self.b, &raw);
            inside = lanes::mask_and(&mut self.b, &inside, &narrowed);
        }
        let active = self.active_lanes();
        let bad = lanes::mask_and_not(&mut self.b, &active, &inside);
        let any_bad = lanes::any(&mut self.b, &bad);
        self.fail_lanes(any_bad, &bad, idx, site);
        inside
    }

    /// When `any_bad`, records the first bad lane's index and fails.
    fn fail_lanes(&mut self, any_bad: Value, bad: &[Value], idx: &[Vec<Value>], site: u32) {
        let cold = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(any_bad, cold, &[], next, &[]);
        self.b.switch_to_block(cold);
        self.b.seal_block(cold);
        // Scan lanes from the last to the first so the first bad lane wins.
        let zero = self.b.ins().iconst(types::I64, 0);
        let mut chosen = vec![zero; idx.len()];
        for lane in (0..GANG).rev() {
            let is_bad = lanes::extract(&mut self.b, ScalarType::Bool, bad, lane);
            for (d, regs) in idx.iter().enumerate() {
                let coord = lanes::extract(&mut self.b, ScalarType::I64, regs, lane);
                chosen[d] = self.b.ins().select(is_bad, coord, chosen[d]);
            }
        }
        let one = self.b.ins().iconst(types::I8, 1);
        self.fail_if(one, site, &chosen);
        self.b.ins().jump(next, &[]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }
}
