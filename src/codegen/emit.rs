//! The emitter: one kern body (a driver, a phase, an inlined function)
//! turned into Cranelift instructions. This file holds the state and the
//! expressions; `loads`, `builtins`, `control` and `phase` extend it.
//!
//! Values are built in their cheapest form: uniform operands give a
//! uniform (scalar) result, and only a varying operand makes the result a
//! vector. Locals keep the form the vector plan ([`crate::plan`]) gives them,
//! so every assignment agrees with every read.

use super::frame::FrameSlots;
use super::jit::Target;
use super::lanes::{self, Val};
use super::mask::Masks;
use super::ops;
use crate::abi::{ArrayDesc, ErrorSite};
use crate::ir::{self, BinaryOp, Body, Expr, ExprId, LocalArrayId, LocalId, ParamId};
use crate::plan::{BodyPlan, VectorPlan};
use crate::types::{Kind, ScalarType};
use cranelift_codegen::ir::{types, Block, InstBuilder, SigRef, StackSlot, Value};
use cranelift_entity::EntityRef;
use cranelift_frontend::{FunctionBuilder, Variable};
use std::collections::{HashMap, HashSet};

/// Where a local lives.
#[derive(Clone)]
pub enum Storage {
    /// A frame slot: the kernel body's uniform locals, shared between the
    /// driver and the phases.
    Frame(usize),
    /// SSA variables: one scalar, or one per register of a varying value.
    Vars(Vec<Variable>),
}

/// The body being emitted and its locals.
pub struct Scope<'a> {
    pub body: &'a Body,
    /// Whether `body` is the kernel's (not an inlined function's): only
    /// then do its locals include the phase's domain indices.
    pub is_kernel: bool,
    pub locals: HashMap<LocalId, Storage>,
    /// The plan of `body`: every form and access decided before emission.
    pub plan: &'a BodyPlan,
    /// The mask depth (`Emitter::mask_depth`) of each `let`.
    pub decl_depth: HashMap<LocalId, usize>,
    /// The stack slot of each local array (see `local_arrays`).
    pub arrays: HashMap<LocalArrayId, StackSlot>,
}

/// The gang being emitted in a phase's chunk function.
#[derive(Clone)]
pub struct Gang {
    /// The last domain index of lane 0 (i64).
    pub base: Value,
    /// `base` as the loop step's base plus a constant number of lanes
    /// (the second gang of a step is 8 past the first): addresses add the
    /// constant as a displacement, which folds into the instruction.
    pub step: (Value, i64),
    /// The outer domain indices of an N-D phase, all but the last (i64,
    /// uniform within a gang: a gang never spans rows).
    pub rows: Vec<Value>,
    pub indices: Vec<LocalId>,
    /// Lane offsets 0..GANG as i64 registers, to add to `base`.
    pub iota: Vec<Value>,
    /// Full gang: every lane exists; tail gang: only lanes below the rest.
    pub full: bool,
    /// In the tail gang: how many lanes exist (i64, 1..GANG).
    pub rest: Option<Value>,
    /// Per array, the address of the gang's row (its start plus `rows`
    /// times the array's leading strides), computed once per row, before
    /// the row's gangs ([`Emitter::current_place`]); empty in 1-D.
    pub row_starts: Vec<(ParamId, Value)>,
    /// The blocks of the arrays whose interleaved reads share one load per
    /// gang (`BodyPlan::channel_blocks`), loaded at the gang's entry.
    pub channel_blocks: Vec<(ParamId, ChannelBlock)>,
}

/// The two registers that hold a gang's block of an interleaved array
/// (`codegen::channels`): its first 16 bytes (`low`), and either its last
/// 16 (`high` overlapping `low`), or, when `padded`, its bytes past the
/// 16th spread with zeros (a block of 16 or 24 bytes, on a target with a
/// two-register byte shuffle, which can then pick zeros too; see
/// `channels::padded_index`).
#[derive(Clone, Copy, Debug)]
pub struct ChannelBlock {
    pub low: Value,
    pub high: Value,
    pub padded: bool,
}

/// Descriptor of one array parameter, loaded at function entry: one
/// extent per dimension, and the strides of all but the last (which is 1).
#[derive(Clone)]
pub struct ArrayRef {
    pub ptr: Value,
    pub dims: Vec<Value>,
    pub strides: Vec<Value>,
}

pub struct Emitter<'a, 'f> {
    pub b: FunctionBuilder<'f>,
    pub module: &'a ir::Module,
    pub kernel: &'a ir::Kernel,
    /// The kernel's vector plan (function plans for inlined calls).
    pub vplan: &'a VectorPlan,
    pub frame_slots: &'a FrameSlots,
    pub frame: Value,
    pub arrays: HashMap<ParamId, ArrayRef>,
    pub error_ptr: Value,
    /// Returns `STATUS_ERROR`; every failed check jumps here after writing
    /// the error record.
    pub error_exit: Block,
    pub sites: &'a mut Vec<ErrorSite>,
    pub scope: Scope<'a>,
    /// The exec and live masks; only `mask.rs` reads or changes them.
    pub masks: Masks,
    pub gang: Option<Gang>,
    pub math_sigs: HashMap<ScalarType, SigRef>,
    /// In the driver: the runtime pointer and the `run_phase` callback, with
    /// which a phase statement runs (`None` in chunk functions, which hold
    /// no phases).
    pub phase_calls: Option<(Value, Value)>,
    /// The array descriptor table (`arrays` argument).
    pub table: Option<Value>,
    /// Emitting an unmasked copy of a coherent `if`'s side (see
    /// `control::coherent_if`), where no further copies are made.
    pub in_coherent_copy: bool,
    /// In the driver: arrays some `swap` exchanges. Their pointers change
    /// as the driver runs, so each use reloads them from the table (a
    /// chunk function loads them once: the table is fixed during a phase).
    pub moving: HashSet<ParamId>,
    /// The address of each constant table's bytes, by `TableId`.
    pub tables: Vec<i64>,
    /// The instructions the target has that kjit picks itself.
    pub target: Target,
}

impl<'a, 'f> Emitter<'a, 'f> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        b: FunctionBuilder<'f>,
        module: &'a ir::Module,
        kernel: &'a ir::Kernel,
        frame_slots: &'a FrameSlots,
        frame: Value,
        error_ptr: Value,
        error_exit: Block,
        sites: &'a mut Vec<ErrorSite>,
        (vplan, plan): (&'a VectorPlan, &'a BodyPlan),
    ) -> Emitter<'a, 'f> {
        Emitter {
            b,
            module,
            kernel,
            vplan,
            frame_slots,
            frame,
            arrays: HashMap::new(),
            error_ptr,
            error_exit,
            sites,
            scope: Scope {
                body: &kernel.body,
                is_kernel: true,
                locals: HashMap::new(),
                plan,
                decl_depth: HashMap::new(),
                arrays: HashMap::new(),
            },
            masks: Masks::default(),
            gang: None,
            math_sigs: HashMap::new(),
            phase_calls: None,
            table: None,
            in_coherent_copy: false,
            moving: HashSet::new(),
            tables: Vec::new(),
            target: Target::default(),
        }
    }

    /// The gang's current element of `array` as a pointer and an element
    /// offset from it: the start of the gang's row (computed once per row,
    /// [`Gang::row_starts`]; the array's start in 1-D) and the gang's base
    /// times `stride`, the elements per index along the last domain
    /// dimension (1 for an array shaped like the domain, the channel count
    /// of an interleaved one, whose row-major layout makes it a constant).
    pub fn current_place(
        &mut self,
        array: ParamId,
        desc: &ArrayRef,
        stride: i64,
    ) -> (Value, Value) {
        let Some(gang) = &self.gang else {
            unreachable!("current places exist only in phases")
        };
        let row = gang.row_starts.iter().find(|(a, _)| *a == array);
        let (rows, row) = (gang.rows.clone(), row.map(|&(_, v)| v));
        let (step_base, lanes) = gang.step;
        let scaled = match stride {
            1 => step_base,
            _ => self.b.ins().imul_imm_s(step_base, stride),
        };
        let offset = match lanes {
            0 => scaled,
            _ => self.b.ins().iadd_imm_s(scaled, lanes * stride),
        };
        let start = match row {
            Some(start) => start,
            None if rows.is_empty() => desc.ptr,
            None => {
                let elem = self.kernel.params[array].elem();
                row_start(&mut self.b, desc, &rows, elem.byte_size())
            }
        };
        (start, offset)
    }

    /// The descriptor of `array` as it stands at this point of the code.
    pub fn array(&mut self, array: ParamId) -> ArrayRef {
        let mut desc = self.arrays[&array].clone();
        if let (true, Some(table)) = (self.moving.contains(&array), self.table) {
            // Not `readonly`: `swap` writes the table.
            let at = ArrayDesc::table_offset(array.index()) + ArrayDesc::PTR_OFFSET;
            desc.ptr = self.b.ins().load(types::I64, lanes::trusted(), table, at);
        }
        desc
    }

    pub fn new_var(&mut self, ty: cranelift_codegen::ir::Type) -> Variable {
        self.b.declare_var(ty)
    }

    /// The lanes executing now as registers; `None` when all are on.
    pub fn exec_mask(&mut self) -> Option<Vec<Value>> {
        self.masks.exec(&mut self.b)
    }

    /// The lanes executing now, all-ones where the mask is implicit.
    pub fn active_lanes(&mut self) -> Vec<Value> {
        self.masks.active(&mut self.b)
    }

    /// Runs `f` with the exec mask narrowed to `mask` (skipping it when no
    /// lane is on) and returns its registers, zero where it did not run.
    pub fn masked(
        &mut self,
        mask: Vec<Value>,
        f: impl FnOnce(&mut Self) -> Vec<Value>,
    ) -> Vec<Value> {
        let region = self.masks.enter_region(&mut self.b, mask);
        let out = f(self);
        self.masks.exit_region(&mut self.b, region, out)
    }

    pub fn ty(&self, expr: ExprId) -> ScalarType {
        self.scope.body.exprs[expr].ty
    }

    pub fn expr_varying(&self, expr: ExprId) -> bool {
        self.scope.plan.is_varying(expr)
    }

    pub fn expr(&mut self, id: ExprId) -> Val {
        let body = self.scope.body;
        let ty = body.exprs[id].ty;
        if let Some(&ext) = self.scope.plan.short.get(&id) {
            let x = self.short_expr(id);
            return Val::Varying(lanes::widen_short(&mut self.b, ty, ext, x));
        }
        match &body.exprs[id].expr {
            Expr::Const(c) => Val::Uniform(self.constant(*c)),
            Expr::Param(p) => Val::Uniform(self.frame_load(self.frame_slots.param(*p), ty)),
            Expr::Size(s) => {
                Val::Uniform(self.frame_load(self.frame_slots.size(*s), ScalarType::I64))
            }
            Expr::Local(l) => self.read_local(*l),
            Expr::Load { array, index } => self.load(id, *array, index),
            Expr::LocalLoad { array, index } => self.local_load(id, *array, index),
            Expr::TableLoad { table, index } => self.table_load(id, *table, index),
            Expr::Unary { op, arg } => {
                let x = self.expr(*arg);
                ops::unary(&mut self.b, *op, ty, &x)
            }
            Expr::Binary { op, lhs, rhs } if self.scope.plan.short_products.contains(&id) => {
                let (x, y) = (self.expr(*lhs), self.expr(*rhs));
                self.short_product(*op, ty, x, y)
            }
            Expr::Binary { op, lhs, rhs } => self.binary(*op, *lhs, *rhs),
            Expr::Cast { arg } => {
                let from = self.ty(*arg);
                let exact = self.scope.plan.exact_casts.contains(&id);
                match self.expr(*arg) {
                    Val::Uniform(x) => Val::Uniform(ops::scalar_cast(&mut self.b, from, ty, x)),
                    Val::Varying(regs) => {
                        Val::Varying(ops::vector_cast(&mut self.b, from, ty, &regs, exact))
                    }
                }
            }
            Expr::Builtin { fun, args } => self.builtin(*fun, args, ty),
            Expr::Call { func, args } => self.call(id, *func, args),
        }
    }

    /// A constant, built from its type's layout and its slot bits.
    pub fn constant(&mut self, c: ir::Scalar) -> Value {
        let ty = c.ty();
        let bits = c.to_slot();
        match (ty.kind(), ty.bits()) {
            (Kind::Float, 32) => self.b.ins().f32const(f32::from_bits(bits as u32)),
            (Kind::Float, _) => self.b.ins().f64const(f64::from_bits(bits)),
            (Kind::Bool | Kind::Int { .. }, _) => {
                self.b.ins().iconst(lanes::scalar_type(ty), bits as i64)
            }
        }
    }

    pub fn frame_load(&mut self, slot: usize, ty: ScalarType) -> Value {
        // The frame is written only by uniform code (driver) and the
        // runtime between phases, never while a chunk runs, so loads in a
        // chunk may be hoisted out of its loops.
        let flags = lanes::trusted().with_readonly().with_can_move();
        let flags = if self.gang.is_some() {
            flags
        } else {
            lanes::trusted()
        };
        self.b
            .ins()
            .load(lanes::scalar_type(ty), flags, self.frame, (slot * 8) as i32)
    }

    pub fn frame_store(&mut self, slot: usize, x: Value) {
        self.b
            .ins()
            .store(lanes::trusted(), x, self.frame, (slot * 8) as i32);
    }

    pub fn read_local(&mut self, local: LocalId) -> Val {
        if let Some(val) = self.domain_index(local) {
            return val;
        }
        if self.scope.plan.short_locals.contains_key(&local) {
            return Val::Varying(self.widened_short_local(local));
        }
        let ty = self.scope.body.locals[local].ty;
        match self.scope.locals.get(&local).cloned() {
            Some(Storage::Frame(slot)) => Val::Uniform(self.frame_load(slot, ty)),
            Some(Storage::Vars(vars))
                if vars.len() == 1 && !self.scope.plan.is_varying_local(local) =>
            {
                Val::Uniform(self.b.use_var(vars[0]))
            }
            Some(Storage::Vars(vars)) => {
                Val::Varying(vars.iter().map(|&v| self.b.use_var(v)).collect())
            }
            // Sema guarantees a local is assigned before it is read.
            None => Val::Uniform(self.zero_of(ty)),
        }
    }

    fn domain_index(&mut self, local: LocalId) -> Option<Val> {
        if !self.scope.is_kernel {
            return None;
        }
        let gang = self.gang.as_ref()?;
        let dim = gang.indices.iter().position(|&l| l == local)?;
        if dim + 1 < gang.indices.len() {
            return gang.rows.get(dim).copied().map(Val::Uniform);
        }
        let (base, iota) = (gang.base, gang.iota.clone());
        let splat = self.b.ins().splat(types::I64X2, base);
        Some(Val::Varying(
            iota.iter().map(|&o| self.b.ins().iadd(splat, o)).collect(),
        ))
    }

    pub fn zero_of(&mut self, ty: ScalarType) -> Value {
        self.constant(ir::Scalar::zero(ty))
    }

    /// Writes a local, blending under the exec mask when lanes are off.
    pub fn write_local(&mut self, local: LocalId, value: Val) {
        let ty = self.scope.body.locals[local].ty;
        if let Some(Storage::Frame(slot)) = self.scope.locals.get(&local).cloned() {
            if let Val::Uniform(x) = value {
                self.frame_store(slot, x);
            }
            return;
        }
        let varying = self.scope.plan.is_varying_local(local);
        let vars = self.local_vars(local, ty, varying);
        if !varying {
            if let Val::Uniform(x) = value {
                self.b.def_var(vars[0], x);
            }
            return;
        }
        let new = lanes::varying(&mut self.b, ty, &value);
        let declared_at = self.scope.decl_depth.get(&local).copied();
        let blended = match self.masks.write_blend(&mut self.b, local, declared_at) {
            Some(mask) => {
                let old: Vec<Value> = vars.iter().map(|&v| self.b.use_var(v)).collect();
                lanes::select(&mut self.b, ty, &mask, &new, &old)
            }
            None => new,
        };
        for (var, x) in vars.iter().zip(blended) {
            self.b.def_var(*var, x);
        }
    }

    /// Whether a local lives in variables (not the frame).
    pub fn is_phase_local(&self, local: LocalId) -> bool {
        !matches!(self.scope.locals.get(&local), Some(Storage::Frame(_)))
    }

    /// A `let`: the new value in every lane, no blend. Lanes that are off
    /// hold garbage that nothing in the local's scope can observe: every
    /// later write blends, and stores and reductions are masked.
    pub fn declare_local(&mut self, local: LocalId, value: Val) {
        self.scope.decl_depth.insert(local, self.masks.depth());
        let ty = self.scope.body.locals[local].ty;
        let varying = self.scope.plan.is_varying_local(local);
        let vars = self.local_vars(local, ty, varying);
        let regs = if varying {
            lanes::varying(&mut self.b, ty, &value)
        } else {
            match value {
                Val::Uniform(x) => vec![x],
                Val::Varying(_) => return,
            }
        };
        for (var, x) in vars.iter().zip(regs) {
            self.b.def_var(*var, x);
        }
    }

    /// The variables of a local, declared on first use. A varying local
    /// declared under a partial mask starts at zero so its blend is defined.
    fn local_vars(&mut self, local: LocalId, ty: ScalarType, varying: bool) -> Vec<Variable> {
        if let Some(Storage::Vars(vars)) = self.scope.locals.get(&local) {
            return vars.clone();
        }
        let vars: Vec<Variable> = if varying {
            (0..lanes::regs(ty))
                .map(|_| self.new_var(lanes::vector_type(ty)))
                .collect()
        } else {
            vec![self.new_var(lanes::scalar_type(ty))]
        };
        if varying {
            let zero = self.zero_of(ty);
            for (var, reg) in vars.iter().zip(lanes::splat(&mut self.b, ty, zero)) {
                self.b.def_var(*var, reg);
            }
        }
        self.scope.locals.insert(local, Storage::Vars(vars.clone()));
        vars
    }

    fn binary(&mut self, op: BinaryOp, lhs: ExprId, rhs: ExprId) -> Val {
        if matches!(op, BinaryOp::And | BinaryOp::Or) && self.module.may_fail(self.scope.body, rhs)
        {
            return self.short_circuit(op, lhs, rhs);
        }
        let ty = self.ty(lhs);
        let (x, y) = (self.expr(lhs), self.expr(rhs));
        self.apply_binary(op, ty, x, y)
    }

    pub fn apply_binary(&mut self, op: BinaryOp, ty: ScalarType, x: Val, y: Val) -> Val {
        if op == BinaryOp::Rem && ty.is_float() {
            return self.remainder_call(ty, x, y);
        }
        match (&x, &y) {
            (Val::Uniform(a), Val::Uniform(c)) => {
                Val::Uniform(ops::scalar_binary(&mut self.b, op, ty, *a, *c))
            }
            // `77 * red`: the uniform operand second, where Cranelift can
            // take a constant as a memory operand (`codegen::pool`); exact
            // for integers, whose `+ * & | ^` commute bit for bit.
            (Val::Uniform(_), Val::Varying(ys)) if ty.is_int() && commutes(op) => {
                Val::Varying(ops::vector_binary(&mut self.b, op, ty, ys, &x))
            }
            _ => {
                let xs = lanes::varying(&mut self.b, ty, &x);
                Val::Varying(ops::vector_binary(&mut self.b, op, ty, &xs, &y))
            }
        }
    }

    /// A product the plan proved in `0..2^16` (`BodyPlan::short_products`):
    /// `pmullw` on the 32-bit lanes seen as 16-bit ones, exact, since each
    /// lane's high half is 0 in both operands; the uniform operand second.
    fn short_product(&mut self, op: BinaryOp, ty: ScalarType, x: Val, y: Val) -> Val {
        let (x, y) = match (&x, &y) {
            (Val::Uniform(_), Val::Uniform(_)) => return self.apply_binary(op, ty, x, y),
            (Val::Uniform(_), Val::Varying(_)) => (y, x),
            _ => (x, y),
        };
        let xs = lanes::varying(&mut self.b, ty, &x);
        let ys = lanes::varying(&mut self.b, ty, &y);
        let regs = xs
            .iter()
            .zip(&ys)
            .map(|(&a, &c)| {
                let a = lanes::bitcast(&mut self.b, types::I16X8, a);
                let c = lanes::bitcast(&mut self.b, types::I16X8, c);
                let product = self.b.ins().imul(a, c);
                lanes::bitcast(&mut self.b, lanes::vector_type(ty), product)
            })
            .collect();
        Val::Varying(regs)
    }

    /// `&&`/`||` whose right side reads arrays: the right side runs only in
    /// the lanes (or the uniform case) where the left side does not decide.
    fn short_circuit(&mut self, op: BinaryOp, lhs: ExprId, rhs: ExprId) -> Val {
        let x = self.expr(lhs);
        let uniform = !self.expr_varying(lhs) && !self.expr_varying(rhs);
        if let (true, Val::Uniform(cond)) = (uniform, &x) {
            let rhs_block = self.b.create_block();
            let merge = self.b.create_block();
            self.b.append_block_param(merge, types::I8);
            let decided = self.b.ins().iconst(types::I8, (op == BinaryOp::Or) as i64);
            let args = [decided.into()];
            if op == BinaryOp::And {
                self.b.ins().brif(*cond, rhs_block, &[], merge, &args);
            } else {
                self.b.ins().brif(*cond, merge, &args, rhs_block, &[]);
            }
            self.b.switch_to_block(rhs_block);
            self.b.seal_block(rhs_block);
            let y = match self.expr(rhs) {
                Val::Uniform(y) => y,
                Val::Varying(_) => decided,
            };
            self.b.ins().jump(merge, &[y.into()]);
            self.b.switch_to_block(merge);
            self.b.seal_block(merge);
            return Val::Uniform(self.b.block_params(merge)[0]);
        }
        let m = lanes::varying(&mut self.b, ScalarType::Bool, &x);
        let undecided = if op == BinaryOp::And {
            m.clone()
        } else {
            m.iter().map(|&r| self.b.ins().bnot(r)).collect()
        };
        let y = self.masked(undecided, |e| {
            let y = e.expr(rhs);
            lanes::varying(&mut e.b, ScalarType::Bool, &y)
        });
        let combined = if op == BinaryOp::And {
            lanes::mask_and(&mut self.b, &m, &y)
        } else {
            lanes::mask_or(&mut self.b, &m, &y)
        };
        Val::Varying(combined)
    }

    /// Inlines a user function: its parameters become variables bound to
    /// the arguments, its body is emitted in a scope of its own, under the
    /// function plan the vector plan chose for this call.
    fn call(&mut self, id: ExprId, func: ir::FuncId, args: &[ExprId]) -> Val {
        let values: Vec<Val> = args.iter().map(|&a| self.expr(a)).collect();
        let function = &self.module.functions[func];
        let vplan = self.vplan;
        let plan = match self.scope.plan.calls.get(&id) {
            Some(&fp) => &vplan.function(fp).body,
            None => unreachable!("the vector plan covers every call it can reach"),
        };
        let callee = Scope {
            body: &function.body,
            is_kernel: false,
            locals: HashMap::new(),
            plan,
            decl_depth: HashMap::new(),
            arrays: HashMap::new(),
        };
        let caller = std::mem::replace(&mut self.scope, callee);
        let loops = self.masks.set_loops_aside();
        for (&param, value) in function.params.iter().zip(values) {
            self.write_local(param, value);
        }
        self.block(&function.body.block);
        let result = self.expr(function.result);
        self.masks.restore_loops(loops);
        self.scope = caller;
        result
    }
}

/// Integer operators whose operands may swap without changing a bit.
fn commutes(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Add | Mul | BitAnd | BitOr | BitXor)
}

/// The address of row `rows` (the leading indices) of `desc`, whose
/// elements are `size` bytes.
pub fn row_start(b: &mut FunctionBuilder, desc: &ArrayRef, rows: &[Value], size: usize) -> Value {
    let mut offset = b.ins().imul(rows[0], desc.strides[0]);
    for (&i, &stride) in rows.iter().zip(&desc.strides).skip(1) {
        let part = b.ins().imul(i, stride);
        offset = b.ins().iadd(offset, part);
    }
    let bytes = lanes::byte_offset(b, offset, size);
    b.ins().iadd(desc.ptr, bytes)
}
