//! Short lanes (`BodyPlan::short`): a varying integer value the plan
//! proved to fit 16 bits lives as 8 × 16-bit lanes in one `i16x8`
//! register, zero- or sign-extended to its value as the plan's
//! [`Extension`] says. Each operation is then one instruction where the
//! 32-bit form takes two, 8-bit elements load and store without widening
//! past 16 bits, and an interleaved channel is one shuffle of the gang's
//! block.
//!
//! [`Emitter::expr`] asks here for every short expression and widens the
//! result for its consumer; only short operations, short locals' `let`s and
//! narrow stores take the register as it is.

use super::channels;
use super::emit::Emitter;
use super::lanes;
use crate::abi::GANG;
use crate::ir::{BinaryOp, Expr, ExprId, LocalId, ParamId};
use crate::plan::{self, Access, Extension};
use crate::types::ScalarType;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::{FunctionBuilder, Variable};

impl Emitter<'_, '_> {
    /// The `i16x8` register of short expression `id`.
    pub(super) fn short_expr(&mut self, id: ExprId) -> Value {
        let body = self.scope.body;
        let ty = body.exprs[id].ty;
        match body.exprs[id].expr {
            Expr::Load { array, ref index } => self.short_load(id, array, index),
            Expr::Local(local) => self.short_local(local),
            Expr::Cast { arg } => {
                let x = self.short_operand(arg);
                self.short_cast(arg, id, x)
            }
            Expr::Binary { op, lhs, rhs } => self.short_binary(op, ty, lhs, rhs),
            _ => unreachable!("the plan makes only loads, locals, casts and operators short"),
        }
    }

    /// An operand of a short operation: short itself, or uniform (its low
    /// 16 bits in every lane, all that `+ - * & | ^` need of it).
    fn short_operand(&mut self, x: ExprId) -> Value {
        if self.scope.plan.short.contains_key(&x) {
            return self.short_expr(x);
        }
        let ty = self.ty(x);
        if let Expr::Const(c) = self.scope.body.exprs[x].expr {
            let bits = c.int_value().unwrap_or(0) as i64;
            return lanes::int_constant(&mut self.b, types::I16X8, bits);
        }
        match self.expr(x) {
            lanes::Val::Uniform(s) => {
                let s = low_16(&mut self.b, ty, s);
                self.b.ins().splat(types::I16X8, s)
            }
            lanes::Val::Varying(_) => {
                unreachable!("the plan gives short operations only short or uniform operands")
            }
        }
    }

    fn short_binary(&mut self, op: BinaryOp, ty: ScalarType, lhs: ExprId, rhs: ExprId) -> Value {
        if matches!(op, BinaryOp::Shl | BinaryOp::Shr) {
            return self.short_shift(op, ty, lhs, rhs);
        }
        // `77 * red`: a uniform operand second, where Cranelift takes a
        // constant as a memory operand (as `Emitter::apply_binary` does).
        let commutes = !matches!(op, BinaryOp::Sub);
        let (lhs, rhs) = match self.scope.plan.short.contains_key(&lhs) {
            false if commutes => (rhs, lhs),
            _ => (lhs, rhs),
        };
        let (x, y) = (self.short_operand(lhs), self.short_operand(rhs));
        let ins = self.b.ins();
        let r = match op {
            BinaryOp::Add => ins.iadd(x, y),
            BinaryOp::Sub => ins.isub(x, y),
            BinaryOp::Mul => ins.imul(x, y),
            BinaryOp::BitAnd => ins.band(x, y),
            BinaryOp::BitOr => ins.bor(x, y),
            BinaryOp::BitXor => ins.bxor(x, y),
            _ => unreachable!("the plan makes no short {op:?}"),
        };
        match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => self.wrap_to(ty, r),
            _ => r,
        }
    }

    /// An 8-bit type's `+ - * <<` wraps at 8 bits, which the 16-bit lane
    /// does not: its low byte is extended again by the type's sign (wider
    /// types wrap at 16 bits or more, or the plan proved they do not wrap).
    fn wrap_to(&mut self, ty: ScalarType, x: Value) -> Value {
        match (ty.bits(), ty.is_signed()) {
            (8, true) => {
                let up = self.b.ins().ishl_imm_s(x, 8);
                self.b.ins().sshr_imm_s(up, 8)
            }
            (8, false) => {
                let low = lanes::int_constant(&mut self.b, types::I16X8, 0xff);
                self.b.ins().band(x, low)
            }
            _ => x,
        }
    }

    /// `<<` and `>>` by a constant (taken modulo the type's width). Lanes
    /// shift modulo 16 in Cranelift, so amounts of 16 or more are spelt
    /// out: `<<` and a logical `>>` give 0, an arithmetic `>>` the sign.
    fn short_shift(&mut self, op: BinaryOp, ty: ScalarType, lhs: ExprId, rhs: ExprId) -> Value {
        let body = self.scope.body;
        let Some(k) = plan::shift_amount(body, ty, rhs) else {
            unreachable!("the plan makes only shifts by a constant short")
        };
        let x = self.short_operand(lhs);
        let k = i64::from(k);
        match (op, self.extension(lhs)) {
            (BinaryOp::Shl, _) | (BinaryOp::Shr, Extension::Zero) if k >= 16 => {
                lanes::int_constant(&mut self.b, types::I16X8, 0)
            }
            (BinaryOp::Shl, _) => {
                let r = self.b.ins().ishl_imm_s(x, k);
                self.wrap_to(ty, r)
            }
            (BinaryOp::Shr, Extension::Zero) => self.b.ins().ushr_imm_s(x, k),
            (BinaryOp::Shr, Extension::Sign) => self.b.ins().sshr_imm_s(x, k.min(15)),
            _ => unreachable!("a short shift is << or >>"),
        }
    }

    /// An integer cast of short `arg` to `id`'s type. The register holds
    /// the low 16 bits of the value, which are the cast's too unless the
    /// target is 8 bits wide and the value may not fit it (the plan's
    /// exact casts are those that fit): then the low 8 bits are extended
    /// by the target's sign.
    fn short_cast(&mut self, arg: ExprId, id: ExprId, x: Value) -> Value {
        let (from, to) = (self.ty(arg), self.ty(id));
        let exact = self.scope.plan.exact_casts.contains(&id);
        if to.bits() >= 16 || exact || !is_narrowing(from, to) {
            return x;
        }
        self.wrap_to(to, x)
    }

    fn extension(&self, e: ExprId) -> Extension {
        match self.scope.plan.short.get(&e) {
            Some(&ext) => ext,
            None => unreachable!("{e} is short in the plan"),
        }
    }

    /// The 8 elements of a short read: at the current index (copied first
    /// in the tail gang), or one channel of the gang's interleaved block.
    fn short_load(&mut self, id: ExprId, array: ParamId, index: &[ExprId]) -> Value {
        let elem = self.ty(id);
        let desc = self.array(array);
        let Some(gang) = self.gang.clone() else {
            unreachable!("short lanes exist only in phases")
        };
        match *self.scope.plan.access(id) {
            Access::Current => {
                let (start, linear) = self.current_place(array, &desc, 1);
                let (ptr, at) = match gang.rest {
                    None => (start, linear),
                    Some(rest) => {
                        let buffer = self.copy_to_buffer(start, linear, elem, rest, GANG);
                        (buffer, self.b.ins().iconst(types::I64, 0))
                    }
                };
                let bytes = lanes::byte_offset(&mut self.b, at, elem.byte_size());
                let address = self.b.ins().iadd(ptr, bytes);
                short_load(&mut self.b, elem, address)
            }
            Access::Interleaved {
                channel,
                channels,
                shared,
            } => {
                let block = self.channel_block_of(array, index, (channels, shared), elem, &desc);
                channels::pick_short(&mut self.b, self.target, block, (channel, channels), elem)
            }
            _ => unreachable!("the plan makes only current and interleaved reads short"),
        }
    }

    /// The `let` of a short local: its value's register, with no blend
    /// (see [`Emitter::declare_local`]); it has no other assignment.
    pub(super) fn declare_short_local(&mut self, local: LocalId, value: ExprId) {
        let x = self.short_expr(value);
        let var = self.short_var(local);
        self.b.def_var(var, x);
    }

    fn short_local(&mut self, local: LocalId) -> Value {
        let var = self.short_var(local);
        self.b.use_var(var)
    }

    /// A short local read where its type's lanes are needed.
    pub(super) fn widened_short_local(&mut self, local: LocalId) -> Vec<Value> {
        let x = self.short_local(local);
        let ty = self.scope.body.locals[local].ty;
        let ext = match self.scope.plan.short_locals.get(&local) {
            Some(&ext) => ext,
            None => unreachable!("{local} is a short local in the plan"),
        };
        lanes::widen_short(&mut self.b, ty, ext, x)
    }

    fn short_var(&mut self, local: LocalId) -> Variable {
        use super::emit::Storage;
        if let Some(Storage::Vars(vars)) = self.scope.locals.get(&local) {
            return vars[0];
        }
        let var = self.new_var(types::I16X8);
        self.scope.locals.insert(local, Storage::Vars(vec![var]));
        var
    }

    /// A whole-gang store of short `value` to an 8- or 16-bit array.
    pub(super) fn short_store(&mut self, elem: ScalarType, value: ExprId, address: Value) {
        let x = self.short_expr(value);
        if elem.bits() == 16 {
            self.b.ins().store(lanes::trusted(), x, address, 0);
            return;
        }
        // The value is `elem`'s, so it fits a byte: packing is exact. The
        // high half packs zero (see `lanes::narrow_store`).
        let zero = lanes::int_constant(&mut self.b, types::I16X8, 0);
        let bytes = if elem.is_signed() {
            self.b.ins().snarrow(x, zero)
        } else {
            self.b.ins().unarrow(x, zero)
        };
        lanes::store_low_half(&mut self.b, bytes, address);
    }
}

/// Whether a cast from `from` to `to` may drop bits.
fn is_narrowing(from: ScalarType, to: ScalarType) -> bool {
    to.bits() < from.bits() || (to.bits() == from.bits() && to.is_signed() != from.is_signed())
}

/// Loads [`GANG`] 8- or 16-bit elements at `address` as one `i16x8`.
fn short_load(b: &mut FunctionBuilder, elem: ScalarType, address: Value) -> Value {
    match (elem.bits(), elem.is_signed()) {
        (8, true) => b.ins().sload8x8(lanes::trusted(), address, 0),
        (8, false) => b.ins().uload8x8(lanes::trusted(), address, 0),
        _ => b.ins().load(types::I16X8, lanes::trusted(), address, 0),
    }
}

/// A uniform integer's low 16 bits (an 8-bit one extended by its sign).
fn low_16(b: &mut FunctionBuilder, ty: ScalarType, x: Value) -> Value {
    match ty.bits() {
        8 if ty.is_signed() => b.ins().sextend(types::I16, x),
        8 => b.ins().uextend(types::I16, x),
        16 => x,
        _ => b.ins().ireduce(types::I16, x),
    }
}
