//! [`Arith`] on Cranelift values: the vector-maths routines of
//! [`crate::vmath`] emitted inline, one 128-bit register (or one uniform
//! scalar) at a time. Each method is the single instruction whose IEEE
//! result the scalar instantiation computes in Rust, so the JIT and the
//! evaluator agree bit for bit.
//!
//! Vector constants are loads from the constant pool (`codegen::pool`) marked read-only and
//! non-trapping, which Cranelift folds into the instruction that uses them
//! as a memory operand (`vfmadd213ps xmm, xmm, [mem]`): about a third of a
//! routine's instructions are constants, and a `vconst` costs one
//! instruction of its own. Masks are what `fcmp` and
//! `icmp` give: all-ones lanes of the float's width for vectors, a 0/1 `i8`
//! for scalars.

use super::emit::Emitter;
use super::lanes::{self, Val};
use super::pool::ConstTable;
use crate::abi::GANG;
use crate::ir::Builtin;
use crate::types::ScalarType;
use crate::vmath::{self, fallback, Arith, Slow};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::MemFlagsData;
use cranelift_codegen::ir::{
    types, AbiParam, ConstantData, InstBuilder, Signature, StackSlotData, StackSlotKind, Type,
    Value,
};
use cranelift_frontend::FunctionBuilder;

impl Emitter<'_, '_> {
    /// A vector-maths builtin (`vmath::is_vmath`) on `values` (one, or two
    /// for `pow`/`atan2`), inline.
    pub fn vmath_builtin(&mut self, fun: Builtin, ty: ScalarType, values: &[Val]) -> Val {
        let precision = self.module.precision;
        let f64 = ty == ScalarType::F64;
        let uniform = values.iter().all(Val::is_uniform);
        let regs: Vec<Vec<Value>> = values
            .iter()
            .map(|v| match (uniform, v) {
                (true, Val::Uniform(x)) => vec![*x],
                _ => lanes::varying(&mut self.b, ty, v),
            })
            .collect();
        // One register holds the table's address for the whole call, so
        // each constant is a displacement from it. It is loaded from
        // memory: an `iconst` base would be rematerialized (a 10-byte
        // `movabs`) at every constant.
        let cell = self
            .b
            .ins()
            .iconst(types::I64, ConstTable::base_cell() as i64);
        let flags = MemFlagsData::new()
            .with_notrap()
            .with_readonly()
            .with_aligned();
        let const_base = self.b.ins().load(types::I64, flags, cell, 0);
        let results: Vec<Value> = (0..regs[0].len())
            .map(|k| {
                let x = regs[0][k];
                let y = regs.get(1).map_or(x, |r| r[k]);
                let mut lanes = ClifLanes {
                    b: &mut self.b,
                    f64,
                    vector: !uniform,
                    const_base,
                };
                vmath::apply(&mut lanes, fun, precision, x, y)
            })
            .collect();
        if uniform {
            Val::Uniform(results[0])
        } else {
            Val::Varying(results)
        }
    }
}

/// One register of f32 or f64 lanes (or one uniform scalar) being built.
struct ClifLanes<'x, 'f> {
    b: &'x mut FunctionBuilder<'f>,
    f64: bool,
    vector: bool,
    /// `ConstTable::base()`, as an i64 value.
    const_base: Value,
}

impl ClifLanes<'_, '_> {
    fn float_type(&self) -> Type {
        match (self.f64, self.vector) {
            (false, false) => types::F32,
            (true, false) => types::F64,
            (false, true) => types::F32X4,
            (true, true) => types::F64X2,
        }
    }

    fn int_type(&self) -> Type {
        match (self.f64, self.vector) {
            (false, false) => types::I32,
            (true, false) => types::I64,
            (false, true) => types::I32X4,
            (true, true) => types::I64X2,
        }
    }

    /// A vector constant whose every lane holds `lane` (little-endian bytes).
    fn vconst(&mut self, ty: Type, lane: &[u8]) -> Value {
        let mut bytes = [0u8; 16];
        for (k, byte) in bytes.iter_mut().enumerate() {
            *byte = lane[k % lane.len()];
        }
        if let Some(offset) = ConstTable::offset(u128::from_le_bytes(bytes)) {
            let flags = MemFlagsData::new()
                .with_notrap()
                .with_readonly()
                .with_aligned();
            return self.b.ins().load(ty, flags, self.const_base, offset);
        }
        let handle = self
            .b
            .func
            .dfg
            .constants
            .insert(ConstantData::from(bytes.to_vec()));
        self.b.ins().vconst(ty, handle)
    }

    fn select(&mut self, m: Value, a: Value, c: Value) -> Value {
        if self.vector {
            lanes::blend(self.b, m, a, c)
        } else {
            self.b.ins().select(m, a, c)
        }
    }

    /// The out-of-line path of [`Arith::fallback`], reached only when some
    /// lane of `m` is set.
    fn slow_call(&mut self, m: Value, slow: Slow, x: Value, y: Value, fast: Value) -> Value {
        let code = self.b.ins().iconst(types::I32, i64::from(slow.code()));
        let call_conv = self.b.func.signature.call_conv;
        if !self.vector {
            let t = self.float_type();
            let mut sig = Signature::new(call_conv);
            sig.params.extend([
                AbiParam::new(types::I32),
                AbiParam::new(t),
                AbiParam::new(t),
            ]);
            sig.returns.push(AbiParam::new(t));
            let sig = self.b.import_signature(sig);
            let address = if self.f64 {
                slow_f64 as *const () as usize
            } else {
                slow_f32 as *const () as usize
            };
            let callee = self.b.ins().iconst(types::I64, address as i64);
            let inst = self.b.ins().call_indirect(sig, callee, &[code, x, y]);
            return self.b.inst_results(inst)[0];
        }
        // x, y, mask and the fast results go through a stack buffer; the
        // helper overwrites the masked lanes of the last.
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            64,
            4, // 16-byte aligned
        ));
        let buffer = self.b.ins().stack_addr(types::I64, slot, 0);
        let m = lanes::bitcast(self.b, self.int_type(), m);
        for (offset, value) in [(0, x), (16, y), (32, m), (48, fast)] {
            self.b.ins().store(lanes::trusted(), value, buffer, offset);
        }
        let mut sig = Signature::new(call_conv);
        sig.params
            .extend([AbiParam::new(types::I32), AbiParam::new(types::I64)]);
        let sig = self.b.import_signature(sig);
        let address = if self.f64 {
            slow_f64x2 as *const () as usize
        } else {
            slow_f32x4 as *const () as usize
        };
        let callee = self.b.ins().iconst(types::I64, address as i64);
        self.b.ins().call_indirect(sig, callee, &[code, buffer]);
        let ty = self.float_type();
        self.b.ins().load(ty, lanes::trusted(), buffer, 48)
    }
}

impl Arith for ClifLanes<'_, '_> {
    type F = Value;
    type I = Value;
    type M = Value;

    fn is_f64(&self) -> bool {
        self.f64
    }

    fn fconst(&mut self, c: f64) -> Value {
        match (self.f64, self.vector) {
            (false, false) => self.b.ins().f32const(c as f32),
            (true, false) => self.b.ins().f64const(c),
            (false, true) => self.vconst(types::F32X4, &(c as f32).to_le_bytes()),
            (true, true) => self.vconst(types::F64X2, &c.to_le_bytes()),
        }
    }

    fn iconst(&mut self, c: i64) -> Value {
        match (self.f64, self.vector) {
            (false, false) => self.b.ins().iconst(types::I32, i64::from(c as i32)),
            (true, false) => self.b.ins().iconst(types::I64, c),
            (false, true) => self.vconst(types::I32X4, &(c as i32).to_le_bytes()),
            (true, true) => self.vconst(types::I64X2, &c.to_le_bytes()),
        }
    }

    fn fadd(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fadd(a, c)
    }
    fn fsub(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fsub(a, c)
    }
    fn fmul(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fmul(a, c)
    }
    fn fdiv(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fdiv(a, c)
    }
    fn fma(&mut self, a: Value, c: Value, d: Value) -> Value {
        self.b.ins().fma(a, c, d)
    }
    fn fneg(&mut self, a: Value) -> Value {
        self.b.ins().fneg(a)
    }
    fn fabs(&mut self, a: Value) -> Value {
        self.b.ins().fabs(a)
    }
    fn sqrt(&mut self, a: Value) -> Value {
        self.b.ins().sqrt(a)
    }
    fn floor(&mut self, a: Value) -> Value {
        self.b.ins().floor(a)
    }
    fn trunc(&mut self, a: Value) -> Value {
        self.b.ins().trunc(a)
    }
    fn nearest(&mut self, a: Value) -> Value {
        self.b.ins().nearest(a)
    }

    fn flt(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fcmp(FloatCC::LessThan, a, c)
    }
    fn fle(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fcmp(FloatCC::LessThanOrEqual, a, c)
    }
    fn feq(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().fcmp(FloatCC::Equal, a, c)
    }
    fn is_nan(&mut self, a: Value) -> Value {
        self.b.ins().fcmp(FloatCC::Unordered, a, a)
    }

    fn fselect(&mut self, m: Value, a: Value, c: Value) -> Value {
        self.select(m, a, c)
    }
    fn iselect(&mut self, m: Value, a: Value, c: Value) -> Value {
        self.select(m, a, c)
    }
    fn mand(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().band(a, c)
    }
    fn mor(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().bor(a, c)
    }
    fn mnot(&mut self, a: Value) -> Value {
        if self.vector {
            self.b.ins().bnot(a)
        } else {
            // Scalar conditions are 0/1, not all-ones.
            self.b.ins().bxor_imm_u(a, 1)
        }
    }

    fn to_bits(&mut self, a: Value) -> Value {
        let ty = self.int_type();
        lanes::bitcast(self.b, ty, a)
    }
    fn bits_to_float(&mut self, a: Value) -> Value {
        let ty = self.float_type();
        lanes::bitcast(self.b, ty, a)
    }

    fn iadd(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().iadd(a, c)
    }
    fn isub(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().isub(a, c)
    }
    fn iand(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().band(a, c)
    }
    fn ior(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().bor(a, c)
    }
    fn ixor(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().bxor(a, c)
    }
    fn ishl(&mut self, a: Value, n: u32) -> Value {
        self.b.ins().ishl_imm_u(a, i64::from(n))
    }
    fn ishr_s(&mut self, a: Value, n: u32) -> Value {
        self.b.ins().sshr_imm_u(a, i64::from(n))
    }
    fn ishr_u(&mut self, a: Value, n: u32) -> Value {
        self.b.ins().ushr_imm_u(a, i64::from(n))
    }
    fn ieq(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().icmp(IntCC::Equal, a, c)
    }
    fn ilt(&mut self, a: Value, c: Value) -> Value {
        self.b.ins().icmp(IntCC::SignedLessThan, a, c)
    }

    /// Branches around the out-of-line call: lanes needing it are rare.
    fn fallback(&mut self, m: Value, slow: Slow, x: Value, y: Value, fast: Value) -> Value {
        let any = if self.vector {
            self.b.ins().vany_true(m)
        } else {
            m
        };
        let slow_block = self.b.create_block();
        let join = self.b.create_block();
        let result = self.b.append_block_param(join, self.float_type());
        self.b
            .ins()
            .brif(any, slow_block, &[], join, &[fast.into()]);
        self.b.seal_block(slow_block);
        self.b.switch_to_block(slow_block);
        let computed = self.slow_call(m, slow, x, y, fast);
        self.b.ins().jump(join, &[computed.into()]);
        self.b.seal_block(join);
        self.b.switch_to_block(join);
        result
    }
}

extern "C" fn slow_f32(code: u32, x: f32, y: f32) -> f32 {
    Slow::from_code(code).map_or(f32::NAN, |slow| fallback::slow_f32(slow, x, y))
}

extern "C" fn slow_f64(code: u32, x: f64, y: f64) -> f64 {
    Slow::from_code(code).map_or(f64::NAN, |slow| fallback::slow_f64(slow, x, y))
}

/// The buffer `slow_call` fills: x, y, mask and result lanes, 16 bytes each.
#[repr(C)]
struct Buffer<F, M, const N: usize> {
    x: [F; N],
    y: [F; N],
    mask: [M; N],
    out: [F; N],
}

/// # Safety
/// `buffer` points at the 64-byte, 16-aligned stack buffer of `slow_call`.
unsafe extern "C" fn slow_f32x4(code: u32, buffer: *mut Buffer<f32, u32, 4>) {
    // SAFETY: see the function's contract.
    let buffer = unsafe { &mut *buffer };
    for lane in 0..4 {
        if buffer.mask[lane] != 0 {
            buffer.out[lane] = slow_f32(code, buffer.x[lane], buffer.y[lane]);
        }
    }
}

/// # Safety
/// As for [`slow_f32x4`], with f64 lanes.
unsafe extern "C" fn slow_f64x2(code: u32, buffer: *mut Buffer<f64, u64, 2>) {
    // SAFETY: see the function's contract.
    let buffer = unsafe { &mut *buffer };
    for lane in 0..2 {
        if buffer.mask[lane] != 0 {
            buffer.out[lane] = slow_f64(code, buffer.x[lane], buffer.y[lane]);
        }
    }
}

const _: () = assert!(
    GANG.is_multiple_of(4),
    "registers hold 4 f32 or 2 f64 lanes"
);
