//! Builtin functions: native instructions where one gives the evaluator's
//! exact result (`sqrt`, `floor`, `fma`, min/max with kern's NaN rule, ...),
//! the inline routines of [`crate::vmath`] for transcendentals (`vmath.rs`),
//! and `round` as a short inline sequence. Builtins on bits are in
//! `bits.rs`.

use super::emit::Emitter;
use super::lanes::{self, Val};
use super::math;
use crate::ir::BinaryOp;
use crate::ir::{Builtin, ExprId};
use crate::types::ScalarType;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{
    types, AbiParam, InstBuilder, Signature, StackSlot, StackSlotData, StackSlotKind, Value,
};

impl Emitter<'_, '_> {
    pub fn builtin(&mut self, fun: Builtin, args: &[ExprId], ty: ScalarType) -> Val {
        let values: Vec<Val> = args.iter().map(|&a| self.expr(a)).collect();
        let operand_ty = args.last().map(|&a| self.ty(a)).unwrap_or(ty);
        use Builtin::*;
        match fun {
            Select => self.select_builtin(&values, ty),
            Min | Max => self.min_max(fun == Min, operand_ty, values[0].clone(), values[1].clone()),
            Clamp => {
                let low = self.min_max(false, ty, values[0].clone(), values[1].clone());
                self.min_max(true, ty, low, values[2].clone())
            }
            // `abs` is the identity on unsigned types (`iabs` would
            // negate values with the top bit set).
            Abs if ty.is_int() && !ty.is_signed() => values[0].clone(),
            Abs if lanes::is_widened(ty) => match self.native(fun, ty, &values) {
                // `abs(MIN)` is MIN again: renormalize the widened lanes.
                Val::Varying(regs) => Val::Varying(lanes::normalize(&mut self.b, ty, regs)),
                uniform => uniform,
            },
            Abs | Sqrt | Floor | Ceil | Trunc | Rint | Fma => self.native(fun, ty, &values),
            Round => self.round(ty, &values),
            Copysign => self.copysign(ty, &values),
            IsNan | IsInf | IsFinite => self.float_test(fun, operand_ty, &values),
            Popcount | Clz | Ctz => self.bit_count(fun, ty, &values),
            ToBits | FromBits => self.bit_cast(operand_ty, ty, &values),
            Exp | Exp2 | Expm1 | Log | Log2 | Log10 | Log1p | Pow | Sin | Cos | Tan | Asin
            | Acos | Atan | Atan2 | Sinh | Cosh | Tanh | Erf | Erfc | Cbrt | Hypot => {
                self.vmath_builtin(fun, ty, &values)
            }
        }
    }

    /// Applies `op` to scalars, or lane-wise to registers, keeping the
    /// result uniform when every operand is.
    pub(super) fn lanewise(
        &mut self,
        ty: ScalarType,
        values: &[Val],
        op: impl Fn(&mut cranelift_frontend::FunctionBuilder, &[Value]) -> Value,
    ) -> Val {
        if let Some(scalars) = uniform_scalars(values) {
            return Val::Uniform(op(&mut self.b, &scalars));
        }
        let regs: Vec<Vec<Value>> = values
            .iter()
            .map(|v| lanes::varying(&mut self.b, ty, v))
            .collect();
        Val::Varying(
            (0..lanes::regs(ty))
                .map(|k| {
                    let operands: Vec<Value> = regs.iter().map(|r| r[k]).collect();
                    op(&mut self.b, &operands)
                })
                .collect(),
        )
    }

    fn native(&mut self, fun: Builtin, ty: ScalarType, values: &[Val]) -> Val {
        let float = ty.is_float();
        self.lanewise(ty, values, |b, x| match fun {
            Builtin::Abs if float => b.ins().fabs(x[0]),
            Builtin::Abs => b.ins().iabs(x[0]),
            Builtin::Sqrt => b.ins().sqrt(x[0]),
            Builtin::Floor => b.ins().floor(x[0]),
            Builtin::Ceil => b.ins().ceil(x[0]),
            Builtin::Trunc => b.ins().trunc(x[0]),
            // Ties to even: x86's `roundss`/`roundps` in mode 0.
            Builtin::Rint => b.ins().nearest(x[0]),
            Builtin::Fma => b.ins().fma(x[0], x[1], x[2]),
            other => unreachable!("{} is not a native builtin", other.name()),
        })
    }

    /// `round`, half away from zero, inline (a call would make every value
    /// live across it spill in the hot loop): t = trunc(x), and t ± 1 when
    /// the dropped fraction x - t (exact) is at least one half. NaN and ±inf
    /// give a NaN fraction, so they keep t; -0.4 keeps trunc's -0.0.
    fn round(&mut self, ty: ScalarType, values: &[Val]) -> Val {
        let vector = lanes::vector_type(ty);
        let f64 = ty == ScalarType::F64;
        self.lanewise(ty, values, move |b, x| {
            let x = x[0];
            let is_vector = b.func.dfg.value_type(x).is_vector();
            let constant = |b: &mut cranelift_frontend::FunctionBuilder, c: f64| {
                let scalar = if f64 {
                    b.ins().f64const(c)
                } else {
                    b.ins().f32const(c as f32)
                };
                if is_vector {
                    b.ins().splat(vector, scalar)
                } else {
                    scalar
                }
            };
            let pick =
                |b: &mut cranelift_frontend::FunctionBuilder, m: Value, p: Value, q: Value| {
                    if is_vector {
                        let m = lanes::bitcast(b, vector, m);
                        lanes::blend(b, m, p, q)
                    } else {
                        b.ins().select(m, p, q)
                    }
                };
            let t = b.ins().trunc(x);
            let fraction = b.ins().fsub(x, t);
            let size = b.ins().fabs(fraction);
            let half = constant(b, 0.5);
            let up = b.ins().fcmp(FloatCC::GreaterThanOrEqual, size, half);
            let zero = constant(b, 0.0);
            let negative = b.ins().fcmp(FloatCC::LessThan, x, zero);
            let one = constant(b, 1.0);
            let minus_one = constant(b, -1.0);
            let step = pick(b, negative, minus_one, one);
            let stepped = b.ins().fadd(t, step);
            pick(b, up, stepped, t)
        })
    }

    /// kern's `min`/`max`: a NaN operand is ignored, and on ties the first
    /// operand wins: `min(a, b) = isnan(a) ? b : (b < a ? b : a)`.
    pub fn min_max(&mut self, is_min: bool, ty: ScalarType, a: Val, c: Val) -> Val {
        if !ty.is_float() {
            let op = if is_min { BinaryOp::Lt } else { BinaryOp::Gt };
            let cc = super::ops::int_cc(op, ty.is_signed());
            return self.lanewise(ty, &[a, c], |b, x| {
                let better = b.ins().icmp(cc, x[1], x[0]);
                if b.func.dfg.value_type(x[0]).is_vector() {
                    lanes::blend(b, better, x[1], x[0])
                } else {
                    b.ins().select(better, x[1], x[0])
                }
            });
        }
        let cc = if is_min {
            FloatCC::LessThan
        } else {
            FloatCC::GreaterThan
        };
        let vector = lanes::vector_type(ty);
        self.lanewise(ty, &[a, c], move |b, x| {
            let scalar = !b.func.dfg.value_type(x[0]).is_vector();
            let better = b.ins().fcmp(cc, x[1], x[0]);
            let nan = b.ins().fcmp(FloatCC::Unordered, x[0], x[0]);
            if scalar {
                let pick = b.ins().select(better, x[1], x[0]);
                b.ins().select(nan, x[1], pick)
            } else {
                let better = lanes::bitcast(b, vector, better);
                let nan = lanes::bitcast(b, vector, nan);
                let pick = lanes::blend(b, better, x[1], x[0]);
                lanes::blend(b, nan, x[1], pick)
            }
        })
    }

    fn select_builtin(&mut self, values: &[Val], ty: ScalarType) -> Val {
        match (&values[0], &values[1], &values[2]) {
            (Val::Uniform(c), Val::Uniform(a), Val::Uniform(d)) => {
                Val::Uniform(self.b.ins().select(*c, *a, *d))
            }
            (Val::Uniform(c), _, _) => {
                let a = lanes::varying(&mut self.b, ty, &values[1]);
                let d = lanes::varying(&mut self.b, ty, &values[2]);
                Val::Varying(
                    a.iter()
                        .zip(&d)
                        .map(|(&x, &y)| self.b.ins().select(*c, x, y))
                        .collect(),
                )
            }
            (Val::Varying(mask), _, _) => {
                let a = lanes::varying(&mut self.b, ty, &values[1]);
                let d = lanes::varying(&mut self.b, ty, &values[2]);
                Val::Varying(lanes::select(&mut self.b, ty, mask, &a, &d))
            }
        }
    }

    /// The float remainder `x % y` through `math::rem_*`: one call if both
    /// operands are uniform, else one per gang.
    pub fn remainder_call(&mut self, ty: ScalarType, x: Val, y: Val) -> Val {
        let values = [x, y];
        if let Some(scalars) = uniform_scalars(&values) {
            let sig = self.remainder_signature(ty);
            let address = if ty == ScalarType::F32 {
                math::rem_f32 as *const () as usize
            } else {
                math::rem_f64 as *const () as usize
            };
            let callee = self.b.ins().iconst(types::I64, address as i64);
            let inst = self.b.ins().call_indirect(sig, callee, &scalars);
            return Val::Uniform(self.b.inst_results(inst)[0]);
        }
        self.remainder_call_gang(ty, &values)
    }

    /// The varying case: lanes go through stack buffers to one call of
    /// `rem_*_gang`, which loops over them in Rust.
    fn remainder_call_gang(&mut self, ty: ScalarType, values: &[Val]) -> Val {
        let bytes = (crate::abi::GANG * ty.byte_size()) as u32;
        let slot_data = StackSlotData::new(StackSlotKind::ExplicitSlot, bytes, 4);
        let slots: Vec<StackSlot> = (0..3)
            .map(|_| self.b.create_sized_stack_slot(slot_data.clone()))
            .collect();
        let addrs: Vec<Value> = slots
            .iter()
            .map(|&s| self.b.ins().stack_addr(types::I64, s, 0))
            .collect();
        for (value, &addr) in values.iter().zip(&addrs) {
            let regs = lanes::varying(&mut self.b, ty, value);
            for (r, &reg) in regs.iter().enumerate() {
                self.b
                    .ins()
                    .store(lanes::trusted(), reg, addr, (r * 16) as i32);
            }
        }
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.extend((0..3).map(|_| AbiParam::new(types::I64)));
        let sig = self.b.import_signature(sig);
        let address = if ty == ScalarType::F32 {
            math::rem_f32_gang as *const () as usize
        } else {
            math::rem_f64_gang as *const () as usize
        };
        let callee = self.b.ins().iconst(types::I64, address as i64);
        self.b.ins().call_indirect(sig, callee, &addrs);
        let vector = lanes::vector_type(ty);
        let out = addrs[2];
        Val::Varying(
            (0..lanes::regs(ty))
                .map(|r| {
                    self.b
                        .ins()
                        .load(vector, lanes::trusted(), out, (r * 16) as i32)
                })
                .collect(),
        )
    }

    fn remainder_signature(&mut self, ty: ScalarType) -> cranelift_codegen::ir::SigRef {
        if let Some(sig) = self.math_sigs.get(&ty) {
            return *sig;
        }
        let t = lanes::scalar_type(ty);
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.extend([AbiParam::new(t), AbiParam::new(t)]);
        sig.returns.push(AbiParam::new(t));
        let sig = self.b.import_signature(sig);
        self.math_sigs.insert(ty, sig);
        sig
    }
}

/// The scalars of `values` when every one is uniform.
fn uniform_scalars(values: &[Val]) -> Option<Vec<Value>> {
    values
        .iter()
        .map(|v| match v {
            Val::Uniform(x) => Some(*x),
            Val::Varying(_) => None,
        })
        .collect()
}
