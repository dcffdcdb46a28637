//! Verifier checks of a kernel's signature: params, sizes, output locals.
//!
//! In: a [`Kernel`]. Out: the first broken signature invariant (see the
//! parent module's list).

use super::{Check, Checker};
use crate::ir::*;
use cranelift_entity::EntityRef;

impl Checker<'_> {
    pub(super) fn check_signature(&self, kernel: &Kernel) -> Check {
        let (mut seen_output, mut seen_scratch) = (false, false);
        for (id, param) in kernel.params.iter() {
            match param.role {
                ParamRole::Scratch if param.is_array() => seen_scratch = true,
                ParamRole::Scratch => {
                    return Err(self.err(param.span, format!("scratch {id} is not an array")))
                }
                _ if seen_scratch => {
                    let msg = format!("{id} is a parameter after a scratch array");
                    return Err(self.err(param.span, msg));
                }
                ParamRole::Output => seen_output = true,
                _ if seen_output => {
                    return Err(self.err(param.span, format!("{id} is an input after an output")))
                }
                ParamRole::InOut if !param.is_array() => {
                    return Err(self.err(param.span, format!("inout {id} is not an array")))
                }
                _ => {}
            }
            self.check_dims(kernel, id, param)?;
        }
        for (id, size) in kernel.sizes.iter() {
            if let Some(SizeDef::Binary { lhs, rhs, .. }) = size.definition {
                if lhs >= id || rhs >= id {
                    let msg = format!("derived {id} reads {lhs} and {rhs}, not all before it");
                    return Err(self.err(size.span, msg));
                }
            }
            let first = first_fixing_dim(kernel, id);
            if size.fixed_by != first {
                let msg = format!(
                    "{id} is fixed_by {:?}, but the first input dim naming it is {first:?}",
                    size.fixed_by
                );
                return Err(self.err(size.span, msg));
            }
        }
        self.check_output_locals(kernel)
    }

    fn check_dims(&self, kernel: &Kernel, id: ParamId, param: &Param) -> Check {
        let dims = param.dims();
        if param.is_array() && !(1..=crate::abi::MAX_RANK).contains(&dims.len()) {
            return Err(self.err(param.span, format!("array {id} has rank {}", dims.len())));
        }
        match dims.iter().find(|&&s| kernel.sizes.get(s).is_none()) {
            Some(s) => Err(self.err(param.span, format!("{id} names {s}, which is out of range"))),
            None => Ok(()),
        }
    }

    /// Each scalar output has exactly one `Output` local, of its type; array
    /// and input parameters have none.
    fn check_output_locals(&self, kernel: &Kernel) -> Check {
        let mut count = vec![0usize; kernel.params.len()];
        for (id, local) in kernel.body.locals.iter() {
            let LocalKind::Output(p) = local.kind else {
                continue;
            };
            let param = self.param(p, local.span)?;
            if param.role != ParamRole::Output || param.is_array() || param.elem() != local.ty {
                let msg = format!(
                    "{id} of type {} cannot hold {p} ({:?} {:?})",
                    local.ty, param.role, param.kind
                );
                return Err(self.err(local.span, msg));
            }
            count[p.index()] += 1;
        }
        for (id, param) in kernel.params.iter() {
            let needs_local = param.role == ParamRole::Output && !param.is_array();
            if needs_local && count[id.index()] != 1 {
                let msg = format!("scalar output {id} has {} Output locals", count[id.index()]);
                return Err(self.err(param.span, msg));
            }
        }
        Ok(())
    }
}

/// The first input or inout dimension `(param, dim)` whose size is `size`.
fn first_fixing_dim(kernel: &Kernel, size: SizeId) -> Option<(ParamId, usize)> {
    kernel
        .params
        .iter()
        .filter(|(_, p)| p.role != ParamRole::Output)
        .find_map(|(id, p)| p.dims().iter().position(|&s| s == size).map(|d| (id, d)))
}
