//! Owner stores: a phase's store below its current index (`pos[i, k]` in
//! `foreach i in n`), which the plan marks. Each lane writes its own slice,
//! so lanes never collide; the further indices are arbitrary, so the store
//! is a per-lane scatter after one vector check of every active lane.

use super::emit::Emitter;
use super::lanes;
use crate::abi::{ErrorSite, SiteArray, GANG};
use crate::ir::{ExprId, ParamId};
use crate::span::Span;
use crate::types::ScalarType;
use cranelift_codegen::ir::InstBuilder;

impl Emitter<'_, '_> {
    /// `array[index] = value` where `index` has more entries than the
    /// domain has dimensions. The indices are computed and checked before
    /// the value, in the evaluator's order, so a failing index wins over a
    /// failing read in the value.
    pub fn owner_store(&mut self, array: ParamId, index: &[ExprId], value: ExprId, span: Span) {
        let elem = self.ty(value);
        let desc = self.array(array);
        let idx: Vec<_> = index
            .iter()
            .map(|&i| {
                let v = self.expr(i);
                lanes::varying(&mut self.b, ScalarType::I64, &v)
            })
            .collect();
        self.sites.push(ErrorSite {
            array: SiteArray::Param(array.as_u32() as usize),
            span,
        });
        let site = (self.sites.len() - 1) as u32;
        self.check_lanes(&idx, &desc, site);
        let v = self.expr(value);
        let regs = lanes::varying(&mut self.b, elem, &v);
        // A full gang with no mask stores every lane; otherwise only the
        // active ones (the tail gang's others have no element behind them).
        let full = self.gang.as_ref().is_some_and(|g| g.full);
        let mask = match (full, self.exec_mask()) {
            (true, None) => None,
            (_, _) => Some(self.active_lanes()),
        };
        for lane in 0..GANG {
            let coords: Vec<_> = (idx.iter())
                .map(|regs| lanes::extract(&mut self.b, ScalarType::I64, regs, lane))
                .collect();
            let linear = self.linear_offset(&desc, &coords);
            let bytes = lanes::byte_offset(&mut self.b, linear, elem.byte_size());
            let address = self.b.ins().iadd(desc.ptr, bytes);
            self.store_lane(elem, &regs, lane, mask.as_deref(), address, 0);
        }
    }
}
