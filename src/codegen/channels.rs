//! Interleaved loads ([`Access::Interleaved`](crate::plan::Access)): one
//! channel of a narrow-integer array whose last dimension is a small
//! constant, `img[r, c, k]` of a `u8[h, w, 3]` image. The gang's pixels are
//! one block of `8 * channels` elements (16 to 32 bytes, the plan made
//! sure): two overlapping 16-byte loads cover it, one byte shuffle picks
//! channel `k` of each lane, and the result widens as any narrow load
//! does. Three channels cost three shuffles of the same two loads, where
//! a gather would make 24 scalar loads.

use super::emit::{ArrayRef, Emitter};
use super::lanes;
use crate::abi::GANG;
use crate::ir::ExprId;
use crate::types::ScalarType;
use cranelift_codegen::ir::{types, InstBuilder, Value};

impl Emitter<'_, '_> {
    pub(super) fn interleaved_load(
        &mut self,
        index: &[ExprId],
        channel: u32,
        channels: u32,
        elem: ScalarType,
        desc: &ArrayRef,
    ) -> Vec<Value> {
        let Some(gang) = self.gang.clone() else {
            unreachable!("the plan gives interleaved accesses only to phases")
        };
        debug_assert_eq!(index.len(), gang.rows.len() + 2);
        let zero = self.b.ins().iconst(types::I64, 0);
        let mut at = gang.rows.clone();
        at.extend([gang.base, zero]);
        let linear = self.linear_offset(desc, &at);
        let size = elem.byte_size();
        let block = GANG * channels as usize;
        let address = match gang.rest {
            None => {
                let bytes = self.b.ins().imul_imm_s(linear, size as i64);
                self.b.ins().iadd(desc.ptr, bytes)
            }
            // The tail gang's pixels that exist, into a zeroed block.
            Some(rest) => {
                let count = self.b.ins().imul_imm_s(rest, channels as i64);
                self.copy_to_buffer(desc.ptr, linear, elem, count, block)
            }
        };
        let total = block * size;
        let low = self
            .b
            .ins()
            .load(types::I8X16, lanes::trusted(), address, 0);
        let high_at = (total - 16) as i32;
        let high = self
            .b
            .ins()
            .load(types::I8X16, lanes::trusted(), address, high_at);
        let picks = channel_bytes(channel as usize, channels as usize, size, total);
        let mask = self.b.func.dfg.immediates.push(picks.to_vec().into());
        let bytes = self.b.ins().shuffle(low, high, mask);
        widen_channel(&mut self.b, elem, bytes)
    }
}

/// The shuffle of the two loads (`low` = bytes 0..16 of the block, `high`
/// = bytes `total - 16..total`) that puts lane `j`'s element, element
/// `j * channels + channel` of the block, at lane `j` of the result.
fn channel_bytes(channel: usize, channels: usize, size: usize, total: usize) -> [u8; 16] {
    let mut picks = [0u8; 16];
    for lane in 0..GANG {
        for byte in 0..size {
            let at = (lane * channels + channel) * size + byte;
            // From `low` when it holds the byte, else from `high`, whose
            // lanes are numbered 16..32 in a shuffle.
            let pick = if at < 16 { at } else { at - (total - 16) + 16 };
            picks[lane * size + byte] = pick as u8;
        }
    }
    picks
}

/// The 8 elements at the bottom of `bytes` (8 bytes of an 8-bit type, 16
/// of a 16-bit one), widened to the two i32x4 registers of the type.
fn widen_channel(
    b: &mut cranelift_frontend::FunctionBuilder,
    elem: ScalarType,
    bytes: Value,
) -> Vec<Value> {
    let signed = elem.is_signed();
    let halves = if elem.bits() == 8 {
        if signed {
            b.ins().swiden_low(bytes)
        } else {
            b.ins().uwiden_low(bytes)
        }
    } else {
        lanes::bitcast(b, types::I16X8, bytes)
    };
    if signed {
        vec![b.ins().swiden_low(halves), b.ins().swiden_high(halves)]
    } else {
        vec![b.ins().uwiden_low(halves), b.ins().uwiden_high(halves)]
    }
}
