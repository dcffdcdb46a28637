//! [`validate_plan`]: the checks that let the runtime index the frame and
//! tables without bounds failures. Run once per kernel when a program is
//! built, not per call; a failure is a compiler bug.

use crate::abi::{KernelPlan, SiteArray, MAX_RANK};
use crate::signature::Signature;

/// Checks that `plan` fits `sig` and its own frame: one slot per scalar
/// parameter, one per size, every slot inside the frame, phases of rank 1
/// to `MAX_RANK`, numeric reductions, error sites naming array parameters.
pub fn validate_plan(sig: &Signature, plan: &KernelPlan) -> Result<(), String> {
    let fail = |what: String| Err(format!("kernel `{}`: invalid plan: {what}", sig.name));
    let slots = plan.frame.slots;
    let in_frame = |slot: usize| slot < slots;
    let layout = &plan.frame;
    // Scratch arrays follow the parameters in the plan's tables.
    let arrays = sig.params.len() + sig.scratch.len();
    if layout.param_slots.len() != arrays || plan.zero_init.len() != arrays {
        return fail(format!(
            "{arrays} parameters and scratch arrays, but {} param slots and {} zero_init flags",
            layout.param_slots.len(),
            plan.zero_init.len()
        ));
    }
    for (param, slot) in sig.params.iter().zip(&layout.param_slots) {
        match (&param.dims, slot) {
            (None, Some(slot)) if in_frame(*slot) => {}
            (Some(dims), None) if (1..=MAX_RANK).contains(&dims.len()) => {}
            _ => return fail(format!("parameter `{}` has slot {slot:?}", param.name)),
        }
    }
    let scratch_slots = &layout.param_slots[sig.params.len()..];
    if scratch_slots.iter().any(Option::is_some)
        || sig
            .scratch
            .iter()
            .any(|a| !(1..=MAX_RANK).contains(&a.dims.len()))
    {
        return fail(format!("scratch arrays have slots {scratch_slots:?}"));
    }
    if layout.size_slots.len() != sig.sizes.len() || !layout.size_slots.iter().all(|&s| in_frame(s))
    {
        return fail(format!(
            "size slots {:?} for {} sizes",
            layout.size_slots,
            sig.sizes.len()
        ));
    }
    for (index, phase) in plan.phases.iter().enumerate() {
        let extents = phase.extent_slots.get(..phase.rank).unwrap_or(&[]);
        let reduction_ok = phase.reduction.is_none_or(|r| {
            in_frame(r.dst_slot)
                && r.ty.is_numeric()
                && r.index_slot.is_some() == r.op.tracks_index()
                && r.index_slot.is_none_or(in_frame)
        });
        if !(1..=MAX_RANK).contains(&phase.rank)
            || !extents.iter().all(|&s| in_frame(s))
            || !reduction_ok
        {
            return fail(format!(
                "phase {index} is {phase:?} in a frame of {slots} slots"
            ));
        }
    }
    for (index, site) in plan.error_sites.iter().enumerate() {
        let SiteArray::Param(param) = site.array else {
            continue;
        };
        let is_array = match sig.params.get(param) {
            Some(p) => p.dims.is_some(),
            None => param - sig.params.len() < sig.scratch.len(),
        };
        if !is_array {
            return fail(format!("error site {index} names parameter {param}"));
        }
    }
    Ok(())
}
