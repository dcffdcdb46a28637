//! Builtins that work on a value's bits: `copysign`, `to_bits`/`from_bits`,
//! `is_nan`/`is_inf`/`is_finite`, `popcount`, `clz`, `ctz`.
//!
//! Uniform values use Cranelift's scalar instructions (`popcnt`, `clz` and
//! `ctz` give the bit width for 0, as kern defines). Varying values stay in
//! vector registers with no per-lane code: Cranelift 0.135 lowers `popcnt`
//! on x86-64 vectors only for `i8x16` and `clz`/`ctz` not at all, so the
//! counts are exact branch-free bit tricks over `i32x4`/`i64x2` (SWAR
//! popcount; `clz` as the popcount of the complement of the bits smeared
//! right; `ctz` as the popcount of the trailing-zero mask).

use super::emit::Emitter;
use super::lanes::{self, Val};
use super::ops::{self, int_constant, sign_bit};
use crate::ir::{BinaryOp, Builtin};
use crate::types::ScalarType;
use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_frontend::FunctionBuilder;

impl Emitter<'_, '_> {
    /// `copysign(x, y)`: `(x & !sign) | (y & sign)` on the bits, so a NaN
    /// keeps its payload, as `semantics` defines it.
    pub(super) fn copysign(&mut self, ty: ScalarType, values: &[Val]) -> Val {
        self.lanewise(ty, values, |b, x| {
            let float_ty = b.func.dfg.value_type(x[0]);
            let int_ty = float_ty.as_int();
            let sign = int_constant(b, int_ty, sign_bit(int_ty));
            let magnitude = lanes::bitcast(b, int_ty, x[0]);
            let signed = lanes::bitcast(b, int_ty, x[1]);
            let magnitude = b.ins().band_not(magnitude, sign);
            let sign = b.ins().band(signed, sign);
            let bits = b.ins().bor(magnitude, sign);
            lanes::bitcast(b, float_ty, bits)
        })
    }

    /// `to_bits` / `from_bits`: a reinterpretation, register by register
    /// (the two types have one width, so one layout).
    pub(super) fn bit_cast(&mut self, from: ScalarType, to: ScalarType, values: &[Val]) -> Val {
        let (scalar, vector) = (lanes::scalar_type(to), lanes::vector_type(to));
        self.lanewise(from, values, move |b, x| {
            let is_vector = b.func.dfg.value_type(x[0]).is_vector();
            lanes::bitcast(b, if is_vector { vector } else { scalar }, x[0])
        })
    }

    /// `is_nan(x)` is `x != x`; `is_inf(x)` is `|x| == inf`; `is_finite(x)`
    /// is `|x| < inf` (false for NaN). Built from kern's own comparisons,
    /// so a varying result is already the canonical mask.
    pub(super) fn float_test(&mut self, fun: Builtin, ty: ScalarType, values: &[Val]) -> Val {
        let x = &values[0];
        // The comparison, its left operand, and its right one when that is
        // not the left one again.
        let (op, lhs, rhs) = match fun {
            Builtin::IsNan => (BinaryOp::Ne, x.clone(), None),
            Builtin::IsInf => (BinaryOp::Eq, self.fabs(x), Some(self.infinity(ty))),
            Builtin::IsFinite => (BinaryOp::Lt, self.fabs(x), Some(self.infinity(ty))),
            other => unreachable!("{} is not a float test", other.name()),
        };
        match lhs {
            Val::Uniform(l) => {
                Val::Uniform(ops::scalar_binary(&mut self.b, op, ty, l, rhs.unwrap_or(l)))
            }
            Val::Varying(regs) => {
                let rhs = rhs.map_or_else(|| Val::Varying(regs.clone()), Val::Uniform);
                Val::Varying(ops::vector_binary(&mut self.b, op, ty, &regs, &rhs))
            }
        }
    }

    fn infinity(&mut self, ty: ScalarType) -> Value {
        if ty == ScalarType::F32 {
            self.b.ins().f32const(f32::INFINITY)
        } else {
            self.b.ins().f64const(f64::INFINITY)
        }
    }

    fn fabs(&mut self, x: &Val) -> Val {
        match x {
            Val::Uniform(v) => Val::Uniform(self.b.ins().fabs(*v)),
            Val::Varying(regs) => {
                Val::Varying(regs.iter().map(|&r| self.b.ins().fabs(r)).collect())
            }
        }
    }

    /// `popcount`, `clz`, `ctz` on `i32` or `i64`.
    pub(super) fn bit_count(&mut self, fun: Builtin, ty: ScalarType, values: &[Val]) -> Val {
        if lanes::is_widened(ty) {
            return self.narrow_bit_count(fun, ty, values);
        }
        self.lanewise(ty, values, move |b, x| {
            if b.func.dfg.value_type(x[0]).is_vector() {
                vector_bit_count(b, fun, x[0])
            } else {
                match fun {
                    Builtin::Popcount => b.ins().popcnt(x[0]),
                    Builtin::Clz => b.ins().clz(x[0]),
                    Builtin::Ctz => b.ins().ctz(x[0]),
                    other => unreachable!("{} is not a bit count", other.name()),
                }
            }
        })
    }
}

impl Emitter<'_, '_> {
    /// The counts of an 8- or 16-bit type, computed in 32-bit lanes (a
    /// scalar is extended first, since x86 has no 8-bit `popcnt`): the
    /// value's own bits are kept (a widened signed value has copies of its
    /// sign above them), `ctz` gets a stop bit at the width so that 0
    /// counts the width, and `clz` drops the 32 - width extra zeros.
    fn narrow_bit_count(&mut self, fun: Builtin, ty: ScalarType, values: &[Val]) -> Val {
        let width = ty.bits() as i64;
        let scalar = lanes::scalar_type(ty);
        self.lanewise(ty, values, move |b, x| {
            let vector = b.func.dfg.value_type(x[0]).is_vector();
            let x = if vector {
                x[0]
            } else {
                b.ins().uextend(types::I32, x[0])
            };
            let lane_ty = b.func.dfg.value_type(x);
            let own = int_constant(b, lane_ty, (1 << width) - 1);
            let x = if fun == Builtin::Ctz {
                let stop = int_constant(b, lane_ty, 1 << width);
                b.ins().bor(x, stop)
            } else {
                b.ins().band(x, own)
            };
            let count = match (vector, fun) {
                (true, _) => vector_bit_count(b, fun, x),
                (false, Builtin::Popcount) => b.ins().popcnt(x),
                (false, Builtin::Clz) => b.ins().clz(x),
                (false, _) => b.ins().ctz(x),
            };
            let count = if fun == Builtin::Clz {
                let extra = int_constant(b, lane_ty, 32 - width);
                b.ins().isub(count, extra)
            } else {
                count
            };
            if vector {
                count
            } else {
                b.ins().ireduce(scalar, count)
            }
        })
    }
}

fn vector_bit_count(b: &mut FunctionBuilder, fun: Builtin, x: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    match fun {
        Builtin::Popcount => popcount(b, x),
        Builtin::Clz => {
            // Every bit below the highest one set, then count the zeros
            // left above it: popcount(!smeared). 0 stays 0: the width.
            let mut smeared = x;
            let mut shift = 1;
            while shift < ty.lane_bits() {
                let moved = shift_right(b, smeared, shift);
                smeared = b.ins().bor(smeared, moved);
                shift *= 2;
            }
            let zeros = b.ins().bnot(smeared);
            popcount(b, zeros)
        }
        Builtin::Ctz => {
            // `(x - 1) & !x` has ones exactly at x's trailing zeros (all
            // ones for 0: the width).
            let one = int_constant(b, ty, 1);
            let below = b.ins().isub(x, one);
            let trailing = b.ins().band_not(below, x);
            popcount(b, trailing)
        }
        other => unreachable!("{} is not a bit count", other.name()),
    }
}

/// The number of one bits in each lane of an `i32x4` or `i64x2`: the
/// classic SWAR reduction (2-bit, 4-bit, then byte sums), then the bytes of
/// a lane added by shifts. Exact; 4 constants, about 15 instructions.
fn popcount(b: &mut FunctionBuilder, x: Value) -> Value {
    let ty = b.func.dfg.value_type(x);
    let pattern = |byte: u8| i64::from_le_bytes([byte; 8]);
    let fives = int_constant(b, ty, pattern(0x55));
    let threes = int_constant(b, ty, pattern(0x33));
    let nibbles = int_constant(b, ty, pattern(0x0f));
    // Pairs: x - ((x >> 1) & 0x55..) leaves each 2-bit field's count.
    let half = shift_right(b, x, 1);
    let half = b.ins().band(half, fives);
    let pairs = b.ins().isub(x, half);
    // Nibbles: add neighbouring 2-bit counts.
    let low = b.ins().band(pairs, threes);
    let high = shift_right(b, pairs, 2);
    let high = b.ins().band(high, threes);
    let quads = b.ins().iadd(low, high);
    // Bytes: add neighbouring nibbles (at most 8, so no carry out).
    let moved = shift_right(b, quads, 4);
    let sum = b.ins().iadd(quads, moved);
    let bytes = b.ins().band(sum, nibbles);
    sum_bytes(b, ty, bytes)
}

/// Adds the byte counts of each lane into its low byte (at most 64, so
/// every partial sum fits a byte) and clears the rest.
fn sum_bytes(b: &mut FunctionBuilder, ty: Type, bytes: Value) -> Value {
    let mut sum = bytes;
    let mut shift = 8;
    while shift < ty.lane_bits() {
        let moved = shift_right(b, sum, shift);
        sum = b.ins().iadd(sum, moved);
        shift *= 2;
    }
    let low = int_constant(b, ty, 0x7f);
    b.ins().band(sum, low)
}

/// Logical right shift of every lane by a constant (`psrld`/`psrlq` with
/// an immediate: the amount is a scalar, as vector shifts take it).
fn shift_right(b: &mut FunctionBuilder, x: Value, amount: u32) -> Value {
    let amount = b.ins().iconst(types::I32, i64::from(amount));
    b.ins().ushr(x, amount)
}
