//! The driver function: a kernel body's uniform code, scalar, with each
//! phase replaced by a call back into the runtime (`run_phase`), which runs
//! the phase's chunk function over the domain.

use super::emit::{Emitter, Storage};
use super::lanes::{self, Val};
use crate::abi::{ArrayDesc, STATUS_OK};
use crate::ir::{self, Domain, ParamId, StmtId, StmtKind};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, Value};
use cranelift_entity::EntityRef;
use std::collections::HashSet;

impl Emitter<'_, '_> {
    /// Uniform locals of the kernel body live in frame slots.
    pub fn bind_frame_locals(&mut self) {
        for (&local, &slot) in &self.frame_slots.locals {
            self.scope.locals.insert(local, Storage::Frame(slot));
        }
    }

    pub fn driver(&mut self, runtime: Value, run_phase: Value) {
        self.phase_calls = Some((runtime, run_phase));
        let kernel = self.kernel;
        swapped_arrays(&kernel.body.block, &mut self.moving);
        self.block(&kernel.body.block);
        let ok = self.b.ins().iconst(types::I32, STATUS_OK as i64);
        self.b.ins().return_(&[ok]);
    }

    /// A phase statement in the driver: writes the domain's extents to the
    /// phase's frame slots and has the runtime run it to completion.
    pub fn run_phase(&mut self, stmt: StmtId, domain: &Domain) {
        let (Some((runtime, run_phase)), Some(plan)) = (self.phase_calls, self.vplan.phase(stmt))
        else {
            unreachable!(
                "phase {stmt} outside the driver or unplanned (the verifier and plan rule it out)"
            );
        };
        let phase = plan.index;
        let slots = self.frame_slots.extents[phase];
        for (d, &extent) in domain.extents.iter().enumerate() {
            if let Val::Uniform(x) = self.expr(extent) {
                self.frame_store(slots[d], x);
            }
        }
        self.call_run_phase(runtime, run_phase, phase);
    }

    fn call_run_phase(&mut self, runtime: Value, run_phase: Value, phase: usize) {
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.extend([
            AbiParam::new(types::I64),
            AbiParam::new(types::I32),
            AbiParam::new(types::I64),
            AbiParam::new(types::I64),
        ]);
        sig.returns.push(AbiParam::new(types::I32));
        let sig = self.b.import_signature(sig);
        let index = self.b.ins().iconst(types::I32, phase as i64);
        let call = self.b.ins().call_indirect(
            sig,
            run_phase,
            &[runtime, index, self.frame, self.error_ptr],
        );
        let status = self.b.inst_results(call)[0];
        let failed = self
            .b
            .ins()
            .icmp_imm_s(IntCC::NotEqual, status, STATUS_OK as i64);
        let (fail, next) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(fail);
        self.b.ins().brif(failed, fail, &[], next, &[]);
        self.b.switch_to_block(fail);
        self.b.seal_block(fail);
        self.b.ins().return_(&[status]);
        self.b.switch_to_block(next);
        self.b.seal_block(next);
    }
}

impl Emitter<'_, '_> {
    /// `swap(a, b)` in the driver: exchanges the two data pointers in the
    /// table (the arrays have one shape, so dims and strides agree), which
    /// every later phase and every later use in the driver reads.
    pub fn swap_arrays(&mut self, a: ParamId, b: ParamId) {
        let Some(table) = self.table else {
            unreachable!("swap outside the driver (the verifier allows it in uniform code only)")
        };
        let flags = lanes::trusted();
        let (at_a, at_b) = (
            ArrayDesc::table_offset(a.index()) + ArrayDesc::PTR_OFFSET,
            ArrayDesc::table_offset(b.index()) + ArrayDesc::PTR_OFFSET,
        );
        let pa = self.b.ins().load(types::I64, flags, table, at_a);
        let pb = self.b.ins().load(types::I64, flags, table, at_b);
        self.b.ins().store(flags, pb, table, at_a);
        self.b.ins().store(flags, pa, table, at_b);
    }
}

/// The arrays some `swap` of `block` exchanges.
pub fn swapped_arrays(block: &[ir::Stmt], out: &mut HashSet<ParamId>) {
    for stmt in block {
        if let StmtKind::Swap { a, b } = stmt.kind {
            out.extend([a, b]);
        }
        stmt.children().for_each(|child| swapped_arrays(child, out));
    }
}

/// Loads every array parameter's descriptor at function entry.
pub fn load_arrays(e: &mut Emitter, arrays: Value) {
    let kernel = e.kernel;
    e.table = Some(arrays);
    for (id, param) in kernel.params.iter() {
        if !param.is_array() {
            continue;
        }
        let base = ArrayDesc::table_offset(id.index());
        let flags = lanes::trusted().with_readonly();
        let mut field = |offset: usize| {
            e.b.ins()
                .load(types::I64, flags, arrays, base + offset as i32)
        };
        let ptr = field(std::mem::offset_of!(ArrayDesc, ptr));
        let rank = param.dims().len();
        let dims = (0..rank)
            .map(|d| field(std::mem::offset_of!(ArrayDesc, dims) + 8 * d))
            .collect();
        // The last stride is 1 (rows are contiguous): not loaded.
        let strides = (0..rank.saturating_sub(1))
            .map(|d| field(std::mem::offset_of!(ArrayDesc, strides) + 8 * d))
            .collect();
        e.arrays
            .insert(id, super::emit::ArrayRef { ptr, dims, strides });
    }
}
