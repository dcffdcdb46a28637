//! How kern values live in Cranelift: a uniform value is one scalar; a
//! varying value holds [`GANG`] lanes spread over 128-bit registers (the
//! only vector width Cranelift has on x86-64): 2 × `f32x4`/`i32x4`,
//! 4 × `f64x2`/`i64x2`. A varying `bool` is a mask: 2 × `i32x4` of 0 / -1,
//! whatever type was compared, so masks combine without conversion;
//! [`widen_mask`] adapts one to 64-bit lanes where a select needs it.
//!
//! Narrow integers (`i8 i16 u8 u16`) keep the gang of 8 lanes and live
//! **widened** in 2 × `i32x4`, each lane holding the value sign- or
//! zero-extended from its own width ([`normalize`] restores that after an
//! operation that can carry bits past the width). Memory holds them at
//! their own width: loads widen, stores narrow (`loads::vector_load`,
//! [`narrow_store`]). One layout for all 32-bit-or-less lanes means masks,
//! selects, compares and casts between them need no shuffles; x86 has no
//! 8-bit vector multiply, nor 8-bit shifts (a product the plan proves
//! below 2^16 takes the 16-bit multiply: `BodyPlan::short_products`).

use crate::abi::GANG;
use crate::types::{Kind, ScalarType};
use cranelift_codegen::ir::{
    types, ConstantData, InstBuilder, InstructionData, MemFlagsData, Opcode, Type, Value,
};
use cranelift_frontend::FunctionBuilder;

/// A value during emission. Which form a value takes is decided as it is
/// built: an operation on uniform operands stays uniform.
#[derive(Clone, Debug)]
pub enum Val {
    Uniform(Value),
    Varying(Vec<Value>),
}

impl Val {
    pub fn is_uniform(&self) -> bool {
        matches!(self, Val::Uniform(_))
    }
}

/// How values of one element type live in Cranelift, derived from the
/// type's kind and width (Cranelift's `Type::by`, Halide's `Type(code,
/// bits, lanes)`): nothing here is listed per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// A uniform value (`bool`: i8 0/1).
    pub scalar: Type,
    /// One element in memory, as an integer of its width (for copies).
    pub memory: Type,
    /// One register of a varying value (`bool`: an i32x4 mask).
    pub vector: Type,
    pub lanes_per_reg: usize,
    /// Registers per gang.
    pub regs: usize,
}

/// Bits of one vector register: Cranelift has only 128-bit vectors on
/// x86-64.
const REGISTER_BITS: u32 = 128;

impl Layout {
    pub fn of(ty: ScalarType) -> Layout {
        let bits = ty.bits();
        let memory = int_type(bits);
        let scalar = match ty.kind() {
            Kind::Float => float_type(bits),
            Kind::Bool | Kind::Int { .. } => memory,
        };
        // A varying bool is a mask of 32-bit lanes whatever was compared,
        // so masks combine without conversion (see `widen_mask`); narrow
        // integers are widened to 32-bit lanes (see the module doc).
        let lane = match ty.kind() {
            Kind::Bool => types::I32,
            Kind::Int { .. } if bits < 32 => types::I32,
            Kind::Int { .. } | Kind::Float => scalar,
        };
        let lanes_per_reg = (REGISTER_BITS / lane.bits()) as usize;
        Layout {
            scalar,
            memory,
            vector: match lane.by(lanes_per_reg as u32) {
                Some(vector) => vector,
                None => unreachable!("{lane} lanes fill a 128-bit register exactly"),
            },
            lanes_per_reg,
            regs: GANG / lanes_per_reg,
        }
    }
}

fn int_type(bits: u32) -> Type {
    match Type::int(bits as u16) {
        Some(ty) => ty,
        None => unreachable!("element widths are 8, 16, 32 or 64 bits, not {bits}"),
    }
}

fn float_type(bits: u32) -> Type {
    if bits == 32 {
        types::F32
    } else {
        types::F64
    }
}

pub fn scalar_type(ty: ScalarType) -> Type {
    Layout::of(ty).scalar
}

pub fn vector_type(ty: ScalarType) -> Type {
    Layout::of(ty).vector
}

pub fn lanes_per_reg(ty: ScalarType) -> usize {
    Layout::of(ty).lanes_per_reg
}

pub fn regs(ty: ScalarType) -> usize {
    Layout::of(ty).regs
}

/// Whether varying values of `ty` are integers held widened in 32-bit
/// lanes (`i8 i16 u8 u16`).
pub fn is_widened(ty: ScalarType) -> bool {
    ty.is_narrow_int()
}

/// A scalar of a widened type as its 32-bit lane (sign- or zero-extended).
fn widen_lane(b: &mut FunctionBuilder, ty: ScalarType, x: Value) -> Value {
    if ty.is_signed() {
        b.ins().sextend(types::I32, x)
    } else {
        b.ins().uextend(types::I32, x)
    }
}

/// Restores the widened form of `ty`'s registers after an operation that
/// may have set bits above the type's width (`+ - * << !`, `-`): each lane
/// becomes its low bits, sign- or zero-extended. Other types are returned
/// unchanged.
pub fn normalize(b: &mut FunctionBuilder, ty: ScalarType, regs: Vec<Value>) -> Vec<Value> {
    if !is_widened(ty) {
        return regs;
    }
    let spare = (32 - ty.bits()) as i64;
    regs.into_iter()
        .map(|r| {
            if ty.is_signed() {
                let up = b.ins().ishl_imm_s(r, spare);
                b.ins().sshr_imm_s(up, spare)
            } else {
                let low = int_constant(b, types::I32X4, (1i64 << ty.bits()) - 1);
                b.ins().band(r, low)
            }
        })
        .collect()
}

/// Stores the [`GANG`] lanes of a widened type at `address`, narrowed to
/// the type's width (8 or 16 bytes). The lanes are in range, so the
/// saturating packs are exact.
pub fn narrow_store(b: &mut FunctionBuilder, ty: ScalarType, regs: &[Value], address: Value) {
    let pack = |b: &mut FunctionBuilder, x: Value, y: Value| {
        if ty.is_signed() {
            b.ins().snarrow(x, y)
        } else {
            b.ins().unarrow(x, y)
        }
    };
    if ty.bits() == 16 {
        let packed = pack(b, regs[0], regs[1]);
        b.ins().store(trusted(), packed, address, 0);
        return;
    }
    // 8 bits: through i16 lanes, which hold every i8 and u8 value. The
    // bytes' high half is unused: packed from zero, not from `halves`
    // again, since a value used twice stops Cranelift folding the constant
    // loads of everything it is computed from (`codegen::pool`).
    let halves = b.ins().snarrow(regs[0], regs[1]);
    let zero = int_constant(b, types::I16X8, 0);
    let bytes = pack(b, halves, zero);
    store_low_half(b, bytes, address);
}

/// Stores the low 8 bytes of vector `x` at `address`: as an f64 lane 0,
/// one `movsd`/`movq` store, where an i64 lane is a two-uop `pextrq`.
pub fn store_low_half(b: &mut FunctionBuilder, x: Value, address: Value) {
    let doubles = bitcast(b, types::F64X2, x);
    let word = b.ins().extractlane(doubles, 0);
    b.ins().store(trusted(), word, address, 0);
}

/// Loads [`GANG`] elements of a widened type at `address` (8 or 16
/// bytes) into its two 32-bit-lane registers.
pub fn widening_load(b: &mut FunctionBuilder, ty: ScalarType, address: Value) -> Vec<Value> {
    let halves = match (ty.bits(), ty.is_signed()) {
        (8, true) => b.ins().sload8x8(trusted(), address, 0),
        (8, false) => b.ins().uload8x8(trusted(), address, 0),
        _ => b.ins().load(types::I16X8, trusted(), address, 0),
    };
    if ty.is_signed() {
        vec![b.ins().swiden_low(halves), b.ins().swiden_high(halves)]
    } else {
        vec![b.ins().uwiden_low(halves), b.ins().uwiden_high(halves)]
    }
}

/// `index * size` in bytes, for an element of `size` 1, 2, 4 or 8 bytes:
/// a shift, which Cranelift folds into an address (`[base + index * 4]`),
/// and nothing at all for bytes (an `imul` by 1 is not folded away at
/// `opt_level = "none"`).
pub fn byte_offset(b: &mut FunctionBuilder, index: Value, size: usize) -> Value {
    debug_assert!(size.is_power_of_two(), "element sizes are powers of two");
    match size.trailing_zeros() {
        0 => index,
        shift => b.ins().ishl_imm_s(index, i64::from(shift)),
    }
}

/// `lane` in every lane of the integer type `ty` (vector or scalar). A
/// vector constant comes from the constant pool (one load, folded into the
/// instruction that uses it, as Cranelift's own `fneg` does): a splat would
/// cost two instructions per use in every gang.
pub fn int_constant(b: &mut FunctionBuilder, ty: Type, lane: i64) -> Value {
    if !ty.is_vector() {
        return b.ins().iconst(ty, lane);
    }
    let bytes = ty.lane_bits() as usize / 8;
    let data: Vec<u8> = (0..ty.lane_count())
        .flat_map(|_| lane.to_le_bytes()[..bytes].to_vec())
        .collect();
    let handle = b.func.dfg.constants.insert(ConstantData::from(data));
    b.ins().vconst(ty, handle)
}

pub fn flags() -> MemFlagsData {
    MemFlagsData::new()
}

/// Loads and stores kjit proves in bounds before issuing them. Not
/// `aligned`: array data is only element-aligned, and an aligned vector
/// access to it would fault.
pub fn trusted() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// `bool` (i8 0/1) → i32 lane mask value (0 / -1).
fn bool_to_mask_lane(b: &mut FunctionBuilder, x: Value) -> Value {
    let wide = b.ins().uextend(types::I32, x);
    b.ins().ineg(wide)
}

/// A uniform value copied into every lane.
pub fn splat(b: &mut FunctionBuilder, ty: ScalarType, x: Value) -> Vec<Value> {
    if let Some(bits) = constant_lane(b, ty, x) {
        // A constant (a literal's splat: `77 * red`) comes from the
        // constant pool, one load, where a splat costs a move to a vector
        // register and a broadcast in every gang.
        let vector = vector_type(ty);
        let bytes = vector.lane_bits() as usize / 8;
        let data: Vec<u8> = (0..vector.lane_count())
            .flat_map(|_| bits.to_le_bytes()[..bytes].to_vec())
            .collect();
        let handle = b.func.dfg.constants.insert(ConstantData::from(data));
        let reg = b.ins().vconst(vector, handle);
        return vec![reg; regs(ty)];
    }
    let lane = if ty == ScalarType::Bool {
        bool_to_mask_lane(b, x)
    } else if is_widened(ty) {
        widen_lane(b, ty, x)
    } else {
        x
    };
    let reg = b.ins().splat(vector_type(ty), lane);
    vec![reg; regs(ty)]
}

/// The bytes of `x` when a `vconst` defines it.
fn vector_constant(b: &FunctionBuilder, x: Value) -> Option<ConstantData> {
    let inst = b.func.dfg.value_def(x).inst()?;
    match b.func.dfg.insts[inst] {
        InstructionData::UnaryConst {
            opcode: Opcode::Vconst,
            constant_handle,
        } => Some(b.func.dfg.constants.get(constant_handle).clone()),
        _ => None,
    }
}

/// The bits of one vector lane of `ty` holding `x`, when `x` is a
/// constant instruction: a mask lane for `bool`, the extended value for a
/// widened type, the value's own bits otherwise.
fn constant_lane(b: &FunctionBuilder, ty: ScalarType, x: Value) -> Option<u64> {
    let inst = b.func.dfg.value_def(x).inst()?;
    let raw = match b.func.dfg.insts[inst] {
        InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } => imm.bits() as u64,
        InstructionData::UnaryIeee32 {
            opcode: Opcode::F32const,
            imm,
        } => u64::from(imm.bits()),
        InstructionData::UnaryIeee64 {
            opcode: Opcode::F64const,
            imm,
        } => imm.bits(),
        _ => return None,
    };
    let bits = ty.bits();
    let lane = if ty == ScalarType::Bool {
        if raw & 1 == 1 {
            u64::MAX
        } else {
            0
        }
    } else if bits < 64 && ty.is_signed() {
        let shift = 64 - bits;
        (((raw << shift) as i64) >> shift) as u64
    } else if bits < 64 {
        raw & ((1u64 << bits) - 1)
    } else {
        raw
    };
    Some(lane)
}

/// The registers of `v`, splatting a uniform value.
pub fn varying(b: &mut FunctionBuilder, ty: ScalarType, v: &Val) -> Vec<Value> {
    match v {
        Val::Uniform(x) => splat(b, ty, *x),
        Val::Varying(regs) => regs.clone(),
    }
}

/// Lane `lane` of a varying value, as a scalar (`bool` as i8 0/1).
pub fn extract(b: &mut FunctionBuilder, ty: ScalarType, regs: &[Value], lane: usize) -> Value {
    let per = lanes_per_reg(ty);
    let x = b.ins().extractlane(regs[lane / per], (lane % per) as u8);
    if ty == ScalarType::Bool {
        b.ins()
            .icmp_imm_s(cranelift_codegen::ir::condcodes::IntCC::NotEqual, x, 0)
    } else if is_widened(ty) {
        b.ins().ireduce(scalar_type(ty), x)
    } else {
        x
    }
}

/// A varying value from one scalar per lane.
pub fn build(b: &mut FunctionBuilder, ty: ScalarType, lanes: &[Value]) -> Vec<Value> {
    let per = lanes_per_reg(ty);
    let lanes: Vec<Value> = if ty == ScalarType::Bool {
        lanes.iter().map(|&x| bool_to_mask_lane(b, x)).collect()
    } else if is_widened(ty) {
        lanes.iter().map(|&x| widen_lane(b, ty, x)).collect()
    } else {
        lanes.to_vec()
    };
    lanes
        .chunks(per)
        .map(|chunk| {
            let mut reg = b.ins().splat(vector_type(ty), chunk[0]);
            for (i, &x) in chunk.iter().enumerate().skip(1) {
                reg = b.ins().insertlane(reg, x, i as u8);
            }
            reg
        })
        .collect()
}

/// Applies a scalar operation lane by lane: the fallback for operations
/// with no vector instruction (integer division, 64-bit conversions, calls).
pub fn map_lanes(
    b: &mut FunctionBuilder,
    arg_tys: &[ScalarType],
    args: &[Vec<Value>],
    result: ScalarType,
    mut op: impl FnMut(&mut FunctionBuilder, &[Value]) -> Value,
) -> Vec<Value> {
    let lanes: Vec<Value> = (0..GANG)
        .map(|lane| {
            let scalars: Vec<Value> = arg_tys
                .iter()
                .zip(args)
                .map(|(&ty, regs)| extract(b, ty, regs, lane))
                .collect();
            op(b, &scalars)
        })
        .collect();
    build(b, result, &lanes)
}

pub fn bitcast(b: &mut FunctionBuilder, to: Type, x: Value) -> Value {
    if b.func.dfg.value_type(x) == to {
        x
    } else if let Some(data) = vector_constant(b, x) {
        // The same bytes as a constant of the new type, which stays a
        // memory operand (`codegen::pool`) where a bitcast would not.
        let handle = b.func.dfg.constants.insert(data);
        b.ins().vconst(to, handle)
    } else {
        // Lane-count-changing bitcasts need a byte order; x86-64 is
        // little-endian, and every bitcast here reinterprets in place.
        b.ins().bitcast(
            to,
            flags().with_endianness(cranelift_codegen::ir::Endianness::Little),
            x,
        )
    }
}

/// A mask (2 × i32x4) shaped for selecting values of type `ty`: bitcast to
/// `ty`'s vector type, widened to 64-bit lanes for `i64`/`f64`.
pub fn widen_mask(b: &mut FunctionBuilder, ty: ScalarType, mask: &[Value]) -> Vec<Value> {
    let to = vector_type(ty);
    if lanes_per_reg(ty) == 4 {
        return mask.iter().map(|&m| bitcast(b, to, m)).collect();
    }
    // Each 32-bit lane doubled: one `pshufd` per half, where sign-extending
    // the high half takes two instructions (a mask lane is 0 or all ones,
    // so doubling it is its sign extension).
    let mut out = Vec::with_capacity(4);
    for &m in mask {
        let bytes = bitcast(b, types::I8X16, m);
        for half in [0u8, 8] {
            let picks: Vec<u8> = [0u8, 0, 4, 4]
                .iter()
                .flat_map(|&lane| (0..4).map(move |k| half + lane + k))
                .collect();
            let picks = b.func.dfg.immediates.push(picks.into());
            let doubled = b.ins().shuffle(bytes, bytes, picks);
            out.push(bitcast(b, to, doubled));
        }
    }
    out
}

/// 64-bit lane masks (4 × i64x2, from comparing `i64`/`f64`) → the
/// canonical 2 × i32x4 mask. Also narrows `i64` lanes to `i32` (wrapping),
/// since it keeps the low half of each lane.
pub fn narrow_pairs(b: &mut FunctionBuilder, regs: &[Value]) -> Vec<Value> {
    regs.chunks(2)
        .map(|pair| {
            let lo = bitcast(b, types::I8X16, pair[0]);
            let hi = bitcast(b, types::I8X16, pair[1]);
            // Bytes 0-3 and 8-11 of each input: the low 32 bits of each lane.
            let picks: [u8; 16] = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
            let mask = b.func.dfg.immediates.push(picks.to_vec().into());
            let bytes = b.ins().shuffle(lo, hi, mask);
            bitcast(b, types::I32X4, bytes)
        })
        .collect()
}

/// Per-lane select: `mask ? a : b`, on registers of type `ty`.
pub fn select(
    b: &mut FunctionBuilder,
    ty: ScalarType,
    mask: &[Value],
    a: &[Value],
    c: &[Value],
) -> Vec<Value> {
    let shaped = widen_mask(b, ty, mask);
    shaped
        .iter()
        .zip(a.iter().zip(c))
        .map(|(&m, (&x, &y))| blend(b, m, x, y))
        .collect()
}

/// `m ? x : y` per lane, for a mask whose lanes are all ones or all zeros
/// (every kjit mask is). On x86-64 that is one `blendv` instruction, where
/// a general `bitselect` takes three.
pub fn blend(b: &mut FunctionBuilder, m: Value, x: Value, y: Value) -> Value {
    if !has_sse41() {
        return b.ins().bitselect(m, x, y);
    }
    // Cranelift lowers `blendv` for integer lanes only; the bitcasts are free.
    let ty = b.func.dfg.value_type(x);
    let int_ty = if ty.lane_bits() == 64 {
        types::I64X2
    } else {
        types::I32X4
    };
    let (m, xi, yi) = (
        bitcast(b, int_ty, m),
        bitcast(b, int_ty, x),
        bitcast(b, int_ty, y),
    );
    let r = b.ins().blendv(m, xi, yi);
    bitcast(b, ty, r)
}

/// Whether any lane of a mask is set (an i8 0/1).
pub fn any(b: &mut FunctionBuilder, mask: &[Value]) -> Value {
    let merged = mask
        .iter()
        .skip(1)
        .fold(mask[0], |acc, &m| b.ins().bor(acc, m));
    b.ins().vany_true(merged)
}

pub fn mask_and(b: &mut FunctionBuilder, x: &[Value], y: &[Value]) -> Vec<Value> {
    x.iter().zip(y).map(|(&p, &q)| b.ins().band(p, q)).collect()
}

pub fn mask_or(b: &mut FunctionBuilder, x: &[Value], y: &[Value]) -> Vec<Value> {
    x.iter().zip(y).map(|(&p, &q)| b.ins().bor(p, q)).collect()
}

pub fn mask_and_not(b: &mut FunctionBuilder, x: &[Value], y: &[Value]) -> Vec<Value> {
    x.iter()
        .zip(y)
        .map(|(&p, &q)| b.ins().band_not(p, q))
        .collect()
}

pub fn mask_const(b: &mut FunctionBuilder, on: bool) -> Vec<Value> {
    let lane = b.ins().iconst(types::I32, if on { -1 } else { 0 });
    let reg = b.ins().splat(types::I32X4, lane);
    vec![reg; regs(ScalarType::Bool)]
}

/// Whether the host (the JIT's target) has SSE4.1, which `blendv` needs.
#[cfg(target_arch = "x86_64")]
fn has_sse41() -> bool {
    std::arch::is_x86_feature_detected!("sse4.1")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_sse41() -> bool {
    false
}

/// `ty`'s registers of short register `x` (8 × 16-bit lanes,
/// `codegen::short`), whose lanes extend to their values as `ext` says.
pub fn widen_short(
    b: &mut FunctionBuilder,
    ty: ScalarType,
    ext: crate::plan::Extension,
    x: Value,
) -> Vec<Value> {
    use crate::plan::Extension;
    debug_assert_eq!(regs(ty), 2, "short values are of types of at most 32 bits");
    match ext {
        Extension::Zero => vec![b.ins().uwiden_low(x), b.ins().uwiden_high(x)],
        Extension::Sign => vec![b.ins().swiden_low(x), b.ins().swiden_high(x)],
    }
}
