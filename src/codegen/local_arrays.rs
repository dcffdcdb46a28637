//! Local arrays (`let v: f32[64];` in a phase or function): stack slots of
//! the function being emitted, in the form the vector plan chose; and
//! constant tables (`const PERM: i32[256] = [...];`), read-only arrays in
//! the compiled module's memory, read as a uniform local array is.
//!
//! - A *uniform* array (every store uniform, none under varying control)
//!   is one copy for the gang: `len` scalars.
//! - A *varying* array is one copy per lane, laid out element-major: the
//!   `GANG` lanes of element `k` are the registers of one varying value
//!   (`regs(T)` × 16 bytes at `k * 16 * regs(T)`). An element at a uniform
//!   index (`v[k]` in a loop over `k`, the common case) is then plain
//!   vector loads and stores, blended under a mask; a varying index is a
//!   per-lane access after one vector check of the active lanes.
//!
//! Every index is checked against the constant shape, as for kernel
//! arrays; a failure names the local array.

use super::emit::{ArrayRef, Emitter};
use super::lanes::{self, Val};
use crate::abi::{ErrorSite, SiteArray, GANG};
use crate::ir::{ExprId, LocalArrayId, Table, TableId};
use crate::span::Span;
use crate::types::ScalarType;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, InstBuilder, MemFlagsData, StackSlot, StackSlotData, StackSlotKind, Value,
};
use cranelift_entity::EntityRef;

/// Bytes zeroed per store when a local array is declared.
const ZERO_STEP: usize = 16;

/// Up to this many 16-byte stores, a declaration zeroes inline; larger
/// arrays zero in a loop (code size stays independent of the length).
const UNROLLED_ZERO_STORES: usize = 16;

/// Where a store goes, its indices checked.
enum Place {
    /// One element's offset, the same in every lane.
    Element(Value),
    /// Each lane's indices (`i64` registers per dimension), 0 in lanes off.
    Lanes(Vec<Vec<Value>>),
}

/// The indices of one access, evaluated.
enum Index {
    /// Every lane indexes the same element.
    Uniform(Vec<Value>),
    /// One `i64` register set per dimension.
    Varying(Vec<Vec<Value>>),
}

impl Emitter<'_, '_> {
    /// `let v: T[dims];`: the array's slot (made on first use) zero-filled.
    pub fn declare_array(&mut self, array: LocalArrayId) {
        let (slot, bytes) = self.array_slot(array);
        let base = self.b.ins().stack_addr(types::I64, slot, 0);
        let zero = self.b.ins().iconst(types::I32, 0);
        let zero = self.b.ins().splat(types::I32X4, zero);
        let stores = bytes / ZERO_STEP;
        if stores <= UNROLLED_ZERO_STORES {
            for k in 0..stores {
                let at = (k * ZERO_STEP) as i32;
                self.b.ins().store(lanes::trusted(), zero, base, at);
            }
            return;
        }
        let (body, done) = (self.b.create_block(), self.b.create_block());
        self.b.append_block_param(body, types::I64);
        self.b.ins().jump(body, &[base.into()]);
        self.b.switch_to_block(body);
        let at = self.b.block_params(body)[0];
        self.b.ins().store(lanes::trusted(), zero, at, 0);
        let next = self.b.ins().iadd_imm_s(at, ZERO_STEP as i64);
        let end = self.b.ins().iadd_imm_s(base, bytes as i64);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, end);
        self.b.ins().brif(more, body, &[next.into()], done, &[]);
        self.b.seal_block(body);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// `v[index]`.
    pub fn local_load(&mut self, id: ExprId, array: LocalArrayId, index: &[ExprId]) -> Val {
        let elem = self.scope.body.arrays[array].elem;
        let span = self.scope.body.exprs[id].span;
        let index = self.local_index(index);
        let (base, desc, site) = self.local_access(array, span);
        if !self.scope.plan.is_varying_array(array) {
            return self.shared_read(index, (base, &desc, site), elem, lanes::trusted());
        }
        match index {
            Index::Uniform(at) => {
                let offset = self.checked_offset(&at, &desc, site);
                let address = self.element_address(base, offset, elem, true);
                Val::Varying(self.element_regs(address, elem))
            }
            Index::Varying(idx) => {
                let safe = self.checked_lanes(&idx, &desc, site);
                Val::Varying(self.lane_loads(base, &desc, &safe, elem, true))
            }
        }
    }

    /// `TABLE[index]` of a constant table.
    pub fn table_load(&mut self, id: ExprId, table: TableId, index: &[ExprId]) -> Val {
        let t = &self.module.tables[table];
        let (elem, name, dims) = (t.elem, t.name.clone(), t.dims.clone());
        let span = self.scope.body.exprs[id].span;
        let index = self.local_index(index);
        let base = self.b.ins().iconst(types::I64, self.tables[table.index()]);
        let (desc, site) = self.fixed_shape(base, name, &dims, span);
        // Nothing ever writes a table, so its loads may move freely.
        let flags = lanes::trusted().with_readonly().with_can_move();
        self.shared_read(index, (base, &desc, site), elem, flags)
    }

    /// An element of an array all lanes share (a uniform local array or a
    /// table): one checked scalar load at a uniform index, else one
    /// vector check and a load per lane.
    fn shared_read(
        &mut self,
        index: Index,
        (base, desc, site): (Value, &ArrayRef, u32),
        elem: ScalarType,
        flags: MemFlagsData,
    ) -> Val {
        match index {
            Index::Uniform(at) => {
                let offset = self.checked_offset(&at, desc, site);
                let address = self.element_address(base, offset, elem, false);
                let ty = lanes::scalar_type(elem);
                Val::Uniform(self.b.ins().load(ty, flags, address, 0))
            }
            Index::Varying(idx) => {
                let safe = self.checked_lanes(&idx, desc, site);
                Val::Varying(self.lane_loads(base, desc, &safe, elem, false))
            }
        }
    }

    /// `v[index] = value`: indices first (evaluated and checked), then the
    /// value, in the evaluator's order.
    pub fn local_store(
        &mut self,
        array: LocalArrayId,
        index: &[ExprId],
        value: ExprId,
        span: Span,
    ) {
        let elem = self.scope.body.arrays[array].elem;
        let index = self.local_index(index);
        let (base, desc, site) = self.local_access(array, span);
        // Checked before the value is computed, in the evaluator's order.
        let place = match &index {
            Index::Uniform(at) => Place::Element(self.checked_offset(at, &desc, site)),
            Index::Varying(idx) => Place::Lanes(self.checked_lanes(idx, &desc, site)),
        };
        let v = self.expr(value);
        if !self.scope.plan.is_varying_array(array) {
            // The plan keeps an array uniform only if every store to it is
            // uniform and under uniform control.
            let (Place::Element(offset), Val::Uniform(x)) = (place, v) else {
                unreachable!("a uniform local array gets uniform stores only")
            };
            let address = self.element_address(base, offset, elem, false);
            self.b.ins().store(lanes::trusted(), x, address, 0);
            return;
        }
        let regs = lanes::varying(&mut self.b, elem, &v);
        match place {
            Place::Element(offset) => {
                let address = self.element_address(base, offset, elem, true);
                let regs = match self.exec_mask() {
                    Some(mask) => {
                        let old = self.element_regs(address, elem);
                        lanes::select(&mut self.b, elem, &mask, &regs, &old)
                    }
                    None => regs,
                };
                for (k, &r) in regs.iter().enumerate() {
                    let at = (k * 16) as i32;
                    self.b.ins().store(lanes::trusted(), r, address, at);
                }
            }
            Place::Lanes(safe) => self.lane_stores(base, &desc, &safe, elem, &regs),
        }
    }

    fn local_index(&mut self, index: &[ExprId]) -> Index {
        let vals: Vec<Val> = index.iter().map(|&i| self.expr(i)).collect();
        let uniform: Option<Vec<Value>> = (vals.iter())
            .map(|v| match v {
                Val::Uniform(x) => Some(*x),
                Val::Varying(_) => None,
            })
            .collect();
        if let Some(scalars) = uniform {
            return Index::Uniform(scalars);
        }
        Index::Varying(
            vals.iter()
                .map(|v| lanes::varying(&mut self.b, ScalarType::I64, v))
                .collect(),
        )
    }

    /// The array's base address, its shape as a descriptor (constant
    /// extents and strides, for the shared checks) and a new error site.
    fn local_access(&mut self, array: LocalArrayId, span: Span) -> (Value, ArrayRef, u32) {
        let (slot, _) = self.array_slot(array);
        let base = self.b.ins().stack_addr(types::I64, slot, 0);
        let a = &self.scope.body.arrays[array];
        let (name, dims) = (a.name.clone(), a.dims.clone());
        let (desc, site) = self.fixed_shape(base, name, &dims, span);
        (base, desc, site)
    }

    /// A descriptor of an array of constant shape at `base`, and an error
    /// site naming it.
    fn fixed_shape(
        &mut self,
        base: Value,
        name: String,
        dims: &[i64],
        span: Span,
    ) -> (ArrayRef, u32) {
        let consts = |e: &mut Self, v: i64| e.b.ins().iconst(types::I64, v);
        let strides: Vec<i64> = (1..dims.len())
            .map(|d| dims[d..].iter().product())
            .collect();
        let desc = ArrayRef {
            ptr: base,
            dims: dims.iter().map(|&d| consts(self, d)).collect(),
            strides: strides.iter().map(|&s| consts(self, s)).collect(),
        };
        self.sites.push(ErrorSite {
            array: SiteArray::Local {
                name,
                shape: dims.iter().map(|&d| d as usize).collect(),
            },
            span,
        });
        (desc, (self.sites.len() - 1) as u32)
    }

    /// The stack slot of `array` in this scope, and its size in bytes.
    fn array_slot(&mut self, array: LocalArrayId) -> (StackSlot, usize) {
        let a = &self.scope.body.arrays[array];
        let bytes = (a.len() as usize * element_bytes(a.elem, self.varying(array)))
            .next_multiple_of(ZERO_STEP);
        if let Some(&slot) = self.scope.arrays.get(&array) {
            return (slot, bytes);
        }
        let data = StackSlotData::new(StackSlotKind::ExplicitSlot, bytes as u32, 4);
        let slot = self.b.create_sized_stack_slot(data);
        self.scope.arrays.insert(array, slot);
        (slot, bytes)
    }

    fn varying(&self, array: LocalArrayId) -> bool {
        self.scope.plan.is_varying_array(array)
    }

    fn element_address(
        &mut self,
        base: Value,
        offset: Value,
        elem: ScalarType,
        varying: bool,
    ) -> Value {
        let bytes = element_bytes(elem, varying) as i64;
        let at = self.b.ins().imul_imm_s(offset, bytes);
        self.b.ins().iadd(base, at)
    }

    /// The registers of one element of a varying array.
    fn element_regs(&mut self, address: Value, elem: ScalarType) -> Vec<Value> {
        let ty = lanes::vector_type(elem);
        (0..lanes::regs(elem))
            .map(|k| {
                self.b
                    .ins()
                    .load(ty, lanes::trusted(), address, (k * 16) as i32)
            })
            .collect()
    }

    /// Checks the active lanes' indices and returns them with every other
    /// lane's index replaced by 0, so that each lane may touch memory.
    fn checked_lanes(&mut self, idx: &[Vec<Value>], desc: &ArrayRef, site: u32) -> Vec<Vec<Value>> {
        let inside = self.check_lanes(idx, desc, site);
        let inside64 = lanes::widen_mask(&mut self.b, ScalarType::I64, &inside);
        let zero = self.b.ins().iconst(types::I64, 0);
        let zero = self.b.ins().splat(types::I64X2, zero);
        idx.iter()
            .map(|regs| {
                regs.iter()
                    .zip(&inside64)
                    .map(|(&r, &m)| lanes::blend(&mut self.b, m, r, zero))
                    .collect()
            })
            .collect()
    }

    /// Lane `lane`'s address of the element at its (safe) index.
    fn lane_address(
        &mut self,
        base: Value,
        desc: &ArrayRef,
        idx: &[Vec<Value>],
        lane: usize,
        elem: ScalarType,
        varying: bool,
    ) -> Value {
        let coords: Vec<Value> = idx
            .iter()
            .map(|regs| lanes::extract(&mut self.b, ScalarType::I64, regs, lane))
            .collect();
        let linear = self.linear_offset(desc, &coords);
        let address = self.element_address(base, linear, elem, varying);
        if !varying {
            return address;
        }
        self.b
            .ins()
            .iadd_imm_s(address, (lane * lane_bytes(elem)) as i64)
    }

    /// Each lane reads its element: its own copy's lane of a varying
    /// array, the shared element of a uniform one.
    fn lane_loads(
        &mut self,
        base: Value,
        desc: &ArrayRef,
        idx: &[Vec<Value>],
        elem: ScalarType,
        varying: bool,
    ) -> Vec<Value> {
        if !varying {
            let ty = lanes::scalar_type(elem);
            let values: Vec<Value> = (0..GANG)
                .map(|lane| {
                    let address = self.lane_address(base, desc, idx, lane, elem, false);
                    self.b.ins().load(ty, lanes::trusted(), address, 0)
                })
                .collect();
            return lanes::build(&mut self.b, elem, &values);
        }
        let (vector, per) = (lanes::vector_type(elem), lanes::lanes_per_reg(elem));
        let zero = self.zero_of(elem);
        let mut regs = lanes::splat(&mut self.b, elem, zero);
        for lane in 0..GANG {
            let address = self.lane_address(base, desc, idx, lane, elem, true);
            let x = self
                .b
                .ins()
                .load(vector.lane_type(), lanes::trusted(), address, 0);
            regs[lane / per] = self
                .b
                .ins()
                .insertlane(regs[lane / per], x, (lane % per) as u8);
        }
        regs
    }

    /// Each active lane writes its element of its own copy; the others
    /// write back what is there (their index is 0, in bounds).
    fn lane_stores(
        &mut self,
        base: Value,
        desc: &ArrayRef,
        idx: &[Vec<Value>],
        elem: ScalarType,
        regs: &[Value],
    ) {
        let active = self.active_lanes();
        let (vector, per) = (lanes::vector_type(elem), lanes::lanes_per_reg(elem));
        for lane in 0..GANG {
            let address = self.lane_address(base, desc, idx, lane, elem, true);
            let new = self
                .b
                .ins()
                .extractlane(regs[lane / per], (lane % per) as u8);
            let old = self
                .b
                .ins()
                .load(vector.lane_type(), lanes::trusted(), address, 0);
            let on = lanes::extract(&mut self.b, ScalarType::Bool, &active, lane);
            let x = self.b.ins().select(on, new, old);
            self.b.ins().store(lanes::trusted(), x, address, 0);
        }
    }
}

/// A table's values as laid out in memory (as an array argument's: one
/// byte per `bool`), in 8-byte words so that every element is aligned.
pub fn table_bytes(table: &Table) -> Box<[u64]> {
    let size = table.elem.byte_size();
    let mut bytes = vec![0u8; table.data.len() * size];
    for (value, out) in table.data.iter().zip(bytes.chunks_exact_mut(size)) {
        out.copy_from_slice(&value.to_slot().to_le_bytes()[..size]);
    }
    let words = bytes
        .chunks(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        })
        .collect();
    words
}

/// Bytes of one element: a scalar, or one varying value's registers.
fn element_bytes(elem: ScalarType, varying: bool) -> usize {
    if varying {
        16 * lanes::regs(elem)
    } else {
        elem.byte_size()
    }
}

/// Bytes of one lane inside a varying element's registers.
fn lane_bytes(elem: ScalarType) -> usize {
    16 / lanes::lanes_per_reg(elem)
}
