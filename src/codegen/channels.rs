//! Interleaved loads ([`Access::Interleaved`](crate::plan::Access)): one
//! channel of a narrow-integer array whose last dimension is a small
//! constant, `img[r, c, k]` of a `u8[h, w, 3]` image. The gang's pixels are
//! one block of `8 * channels` elements (16 to 32 bytes, the plan made
//! sure): two overlapping 16-byte loads cover it, `low` (its first 16
//! bytes) and `high` (its last 16). A read whose block the plan shares
//! (`BodyPlan::channel_blocks`) takes the two registers loaded at the
//! gang's entry ([`Emitter::load_channel_blocks`]); the others load them
//! themselves.
//!
//! Picking channel `k` needs no cross-register shuffle: lanes 0..4 lie in
//! the block's first half, all inside `low`, and lanes 4..8 in its second
//! half, all inside `high` (the block is at most 32 bytes). So each of the
//! two i32x4 registers of the widened result is one `pshufb` of one load,
//! which also zero-extends (a mask byte with its top bit set writes 0); a
//! signed type puts the element in the lane's top bytes and shifts it
//! down arithmetically. Three channels cost six `pshufb`s of the same two
//! loads, where a gather would make 24 scalar loads.

use super::emit::{ArrayRef, ChannelBlock, Emitter};
use super::jit::Target;
use super::lanes;
use crate::abi::GANG;
use crate::ir::{ExprId, ParamId};
use crate::types::ScalarType;
use cranelift_codegen::ir::{types, ConstantData, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;

impl Emitter<'_, '_> {
    /// At a gang's entry: the block of every array the plan shares among
    /// its interleaved reads, kept in the gang for them.
    pub(super) fn load_channel_blocks(&mut self) {
        let shared = self.scope.plan.channel_blocks.clone();
        for (array, channels) in shared {
            let elem = self.kernel.params[array].elem();
            let desc = self.array(array);
            let block = self.channel_block(array, channels, elem, &desc);
            if let Some(gang) = self.gang.as_mut() {
                gang.channel_blocks.push((array, block));
            }
        }
    }

    pub(super) fn interleaved_load(
        &mut self,
        (array, index): (ParamId, &[ExprId]),
        (channel, channels, shared): (u32, u32, bool),
        elem: ScalarType,
        desc: &ArrayRef,
    ) -> Vec<Value> {
        let block = self.channel_block_of(array, index, (channels, shared), elem, desc);
        pick_channel(&mut self.b, self.target, block, (channel, channels), elem)
    }

    /// The gang's block of an interleaved read: the shared one loaded at
    /// the gang's entry, or its own.
    pub(super) fn channel_block_of(
        &mut self,
        array: ParamId,
        index: &[ExprId],
        (channels, shared): (u32, bool),
        elem: ScalarType,
        desc: &ArrayRef,
    ) -> ChannelBlock {
        let Some(gang) = &self.gang else {
            unreachable!("the plan gives interleaved accesses only to phases")
        };
        debug_assert_eq!(index.len(), gang.rows.len() + 2);
        let loaded = gang.channel_blocks.iter().find(|(a, _)| *a == array);
        match (shared, loaded) {
            (true, Some(&(_, block))) => block,
            (true, None) => unreachable!("a shared block is loaded at the gang's entry"),
            (false, _) => self.channel_block(array, channels, elem, desc),
        }
    }

    /// Loads the gang's block of `8 * channels` elements of `desc`: in a
    /// full gang straight from the array; in the tail gang, the pixels
    /// that exist, copied into a zeroed buffer first.
    fn channel_block(
        &mut self,
        array: ParamId,
        channels: u32,
        elem: ScalarType,
        desc: &ArrayRef,
    ) -> ChannelBlock {
        let Some(gang) = self.gang.clone() else {
            unreachable!("the plan gives interleaved accesses only to phases")
        };
        // The pixel's channel 0: its offset is the pixel's times the
        // channel count.
        let (start, linear) = self.current_place(array, desc, i64::from(channels));
        let size = elem.byte_size();
        let block = GANG * channels as usize;
        let address = match gang.rest {
            None => {
                let bytes = lanes::byte_offset(&mut self.b, linear, size);
                self.b.ins().iadd(start, bytes)
            }
            Some(rest) => {
                let count = self.b.ins().imul_imm_s(rest, channels as i64);
                self.copy_to_buffer(start, linear, elem, count, block)
            }
        };
        let total = block * size;
        let flags = lanes::trusted();
        let low = self.b.ins().load(types::I8X16, flags, address, 0);
        let padded = self.target.vbmi && total < 32;
        let high = match total {
            _ if !padded => {
                let high_at = (total - 16) as i32;
                self.b.ins().load(types::I8X16, flags, address, high_at)
            }
            16 => lanes::int_constant(&mut self.b, types::I8X16, 0),
            _ => {
                debug_assert_eq!(total, 24, "blocks are 16, 24 or 32 bytes");
                // Bytes 16..24 as two u32 zero-extended to u64 lanes
                // (`pmovzxdq` from memory: one instruction, where a plain
                // 8-byte load into a vector register takes two or three).
                let words = self.b.ins().uload32x2(flags, address, 16);
                lanes::bitcast(&mut self.b, types::I8X16, words)
            }
        };
        ChannelBlock { low, high, padded }
    }
}

/// Channel `channel` of each lane of `block`, widened to the type's two
/// i32x4 registers.
fn pick_channel(
    b: &mut FunctionBuilder,
    target: Target,
    block: ChannelBlock,
    (channel, channels): (u32, u32),
    elem: ScalarType,
) -> Vec<Value> {
    let (channel, channels) = (channel as usize, channels as usize);
    let size = elem.byte_size();
    let total = GANG * channels * size;
    if block.padded {
        // One `vpermi2b` per i32x4 register, which also extends.
        return (0..2)
            .map(|h| {
                let lanes = h * GANG / 2..(h + 1) * GANG / 2;
                let spot = Spot::padded(4, 0);
                let picks = spot.picks(lanes, (channel, channels), size, elem.is_signed());
                let bytes = padded_shuffle(b, block, picks);
                let words = lanes::bitcast(b, types::I32X4, bytes);
                match elem.is_signed() {
                    true => b.ins().sshr_imm_s(words, 32 - elem.bits() as i64),
                    false => words,
                }
            })
            .collect();
    }
    if !target.ssse3 {
        let picks = channel_bytes(channel, channels, size, total);
        let mask = b.func.dfg.immediates.push(picks.to_vec().into());
        let bytes = b.ins().shuffle(block.low, block.high, mask);
        return widen_channel(b, elem, bytes);
    }
    let half = GANG / 2;
    [(block.low, 0), (block.high, total - 16)]
        .into_iter()
        .enumerate()
        .map(|(h, (reg, start))| {
            let lanes = h * half..(h + 1) * half;
            let spot = Spot::half(4, 0, start);
            let picks = spot.picks(lanes, (channel, channels), size, elem.is_signed());
            let handle = b.func.dfg.constants.insert(ConstantData::from(&picks[..]));
            let mask = b.ins().vconst(types::I8X16, handle);
            let bytes = b.ins().x86_pshufb(reg, mask);
            let lanes = lanes::bitcast(b, types::I32X4, bytes);
            if elem.is_signed() {
                b.ins().sshr_imm_s(lanes, 32 - elem.bits() as i64)
            } else {
                lanes
            }
        })
        .collect()
}

/// Channel `channel` of each lane of `block` as one `i16x8` of short lanes
/// (`codegen::short`), extended by the element's sign. With AVX-512 VBMI
/// one two-register byte permutation (`vpermi2b`) gathers the 8 elements;
/// else one `pshufb` per half places them, extending an unsigned one for
/// free, and an `or` joins the halves.
pub fn pick_short(
    b: &mut FunctionBuilder,
    target: Target,
    block: ChannelBlock,
    (channel, channels): (u32, u32),
    elem: ScalarType,
) -> Value {
    let (channel, channels) = (channel as usize, channels as usize);
    let size = elem.byte_size();
    let total = GANG * channels * size;
    if block.padded {
        // One `vpermi2b` that also extends.
        let spot = Spot::padded(2, 0);
        let picks = spot.picks(0..GANG, (channel, channels), size, elem.is_signed());
        let bytes = padded_shuffle(b, block, picks);
        let words = lanes::bitcast(b, types::I16X8, bytes);
        return match elem.is_signed() {
            true => b.ins().sshr_imm_s(words, 16 - elem.bits() as i64),
            false => words,
        };
    }
    if target.vbmi || !target.ssse3 {
        let picks = channel_bytes(channel, channels, size, total);
        let mask = b.func.dfg.immediates.push(picks.to_vec().into());
        let bytes = b.ins().shuffle(block.low, block.high, mask);
        return match (size, elem.is_signed()) {
            (1, true) => b.ins().swiden_low(bytes),
            (1, false) => b.ins().uwiden_low(bytes),
            _ => lanes::bitcast(b, types::I16X8, bytes),
        };
    }
    let half = GANG / 2;
    // Both halves fill one register: the high half's lanes start at slot 4.
    let halves: Vec<Value> = [(block.low, 0), (block.high, total - 16)]
        .into_iter()
        .enumerate()
        .map(|(h, (reg, start))| {
            let spot = Spot::half(2, h * half, start);
            let lanes = h * half..(h + 1) * half;
            let picks = spot.picks(lanes, (channel, channels), size, elem.is_signed());
            let handle = b.func.dfg.constants.insert(ConstantData::from(&picks[..]));
            let mask = b.ins().vconst(types::I8X16, handle);
            b.ins().x86_pshufb(reg, mask)
        })
        .collect();
    let joined = b.ins().bor(halves[0], halves[1]);
    let words = lanes::bitcast(b, types::I16X8, joined);
    match elem.is_signed() && size == 1 {
        true => b.ins().sshr_imm_s(words, 8),
        false => words,
    }
}

/// Where a channel's elements go in a byte shuffle's result, and how the
/// shuffle names the block's bytes.
struct Spot {
    /// Bytes per result lane (4 for i32x4, 2 for short lanes).
    width: usize,
    /// The result lane of the first lane picked.
    first_slot: usize,
    /// The index that writes a zero byte.
    zero: u8,
    /// The shuffle index of block byte `at`.
    index: fn(usize, usize) -> u8,
    /// Passed to `index`: where the shuffled register starts in the block.
    start: usize,
}

impl Spot {
    /// A `pshufb` of the register holding block bytes `start..start + 16`
    /// (a mask byte with its top bit set writes 0).
    fn half(width: usize, first_slot: usize, start: usize) -> Spot {
        let index = |at: usize, start: usize| {
            debug_assert!(at - start < 16, "each half of the block lies in one load");
            (at - start) as u8
        };
        Spot {
            width,
            first_slot,
            zero: 0x80,
            index,
            start,
        }
    }

    /// A two-register shuffle of a padded block (see [`ChannelBlock`]),
    /// whose index 31 is always a zero byte.
    fn padded(width: usize, first_slot: usize) -> Spot {
        Spot {
            width,
            first_slot,
            zero: 31,
            index: |at, _| padded_index(at),
            start: 0,
        }
    }

    /// The shuffle that moves the elements of `lanes` into result lanes
    /// of `width` bytes, from `first_slot` on: at the bottom with zeros
    /// above (unsigned), or at the top with zeros below, for an arithmetic
    /// shift to extend the sign (signed).
    fn picks(
        &self,
        lanes: std::ops::Range<usize>,
        (channel, channels): (usize, usize),
        size: usize,
        signed: bool,
    ) -> [u8; 16] {
        let mut picks = [self.zero; 16];
        let skip = if signed { self.width - size } else { 0 };
        for (k, lane) in lanes.enumerate() {
            let slot = self.first_slot + k;
            for byte in 0..size {
                let at = (lane * channels + channel) * size + byte;
                picks[slot * self.width + skip + byte] = (self.index)(at, self.start);
            }
        }
        picks
    }
}

/// The shuffle index of byte `at` of a padded block: `low` holds bytes
/// 0..16, `high` bytes 16..20 and 20..24 each followed by four zeros.
fn padded_index(at: usize) -> u8 {
    debug_assert!(at < 24, "a padded block holds at most 24 bytes");
    match at {
        0..16 => at as u8,
        16..20 => at as u8,
        _ => (at + 4) as u8,
    }
}

fn padded_shuffle(b: &mut FunctionBuilder, block: ChannelBlock, picks: [u8; 16]) -> Value {
    let mask = b.func.dfg.immediates.push(picks.to_vec().into());
    b.ins().shuffle(block.low, block.high, mask)
}

/// The two-register shuffle (`low` = bytes 0..16 of the block, `high` =
/// bytes `total - 16..total`) that puts lane `j`'s element, element
/// `j * channels + channel` of the block, at lane `j` of the result: the
/// form for a target without `pshufb`.
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
fn widen_channel(b: &mut FunctionBuilder, elem: ScalarType, bytes: Value) -> Vec<Value> {
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
