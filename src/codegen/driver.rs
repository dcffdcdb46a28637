//! The driver function: a kernel body's uniform code, scalar, with each
//! phase replaced by a call back into the runtime (`run_phase`), which runs
//! the phase's chunk function over the domain.

use super::emit::{Emitter, Storage};
use super::lanes::{self, Val};
use crate::abi::{ArrayDesc, STATUS_OK};
use crate::ir::{Domain, StmtId};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, Value};

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

/// Loads every array parameter's descriptor at function entry.
pub fn load_arrays(e: &mut Emitter, arrays: Value) {
    let kernel = e.kernel;
    for (id, param) in kernel.params.iter() {
        if !param.is_array() {
            continue;
        }
        let base = (id.as_u32() as usize * std::mem::size_of::<ArrayDesc>()) as i32;
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
