//! The arguments of one `kjit run`, ready for the engine that runs it.
//!
//! In: the kernel and its merged `NAME=SPEC` specs. Out: [`Prepared`]
//! arguments — owned values from [`inputs::materialize`] and, for the JIT,
//! an [`NpyView`] of every `.npy` input array, which the kernel then reads
//! in place (see `call`).
//!
//! What is copied, and why:
//! - a `.npy` input array (JIT): read once into its view, in the file's
//!   element type, and used from there with no further copy (files are
//!   read, not mapped: a mapped file truncated during a run would crash
//!   kjit with SIGBUS; see `kjit::npy`). A big-endian file is byte-swapped
//!   as it is read, and `run` prints a note saying so;
//! - an `inout` array, even from a `.npy` file: one owned copy, which the
//!   kernel updates in place; kjit never writes an input file;
//! - scalars, literal and generated arrays: owned, as `materialize` makes
//!   them (and borrowed from there by the JIT call);
//! - the reference engine: everything owned, exactly as before views
//!   existed; it is the oracle and has no use for speed.
//!
//! How views join `materialize`, which does everything else (names,
//! missing parameters, sizes, generators, errors in a fixed order): each
//! `.npy` spec of an input array whose file opens cleanly with the
//! parameter's dtype and rank is replaced by a shape-only stand-in, an
//! array literal with the file's shape and no elements. `materialize` takes
//! sizes from it (generators and size conflicts see the file's extents) and
//! never reads its elements; its empty value is dropped afterwards. A file
//! that does not open cleanly keeps its spec, so `materialize` reports the
//! problem in its usual order, with its usual message.

use super::Engine;
use kjit::inputs::{self, ArrayLiteral, InputError, Spec};
use kjit::ir::{Kernel, ParamRole};
use kjit::npy::NpyView;
use kjit::signature::{bind_sizes, ArgError, ArgShape, Bound, OutputArrays, Signature};
use kjit::value::Args;
use std::collections::BTreeMap;

/// The arguments of one run.
#[derive(Debug)]
pub struct Prepared {
    /// Every argument and explicit size that is not a view.
    pub owned: Args,
    /// Views of `.npy` input arrays, by parameter name (JIT only).
    pub views: BTreeMap<String, NpyView>,
}

/// Builds the arguments of `kernel` from `specs` for `engine`.
pub fn prepare(
    kernel: &Kernel,
    specs: &[(String, Spec)],
    engine: Engine,
) -> Result<Prepared, InputError> {
    let mut views = BTreeMap::new();
    if engine == Engine::Reference {
        let owned = inputs::materialize(kernel, specs)?;
        return Ok(Prepared { owned, views });
    }
    let mut with_stand_ins = Vec::with_capacity(specs.len());
    for (name, spec) in specs {
        let spec = match open_view(kernel, name, spec) {
            Some(view) => {
                let stand_in = shape_only(&view);
                views.insert(name.clone(), view);
                stand_in
            }
            None => spec.clone(),
        };
        with_stand_ins.push((name.clone(), spec));
    }
    let mut owned = inputs::materialize(kernel, &with_stand_ins)?;
    for name in views.keys() {
        owned.values.remove(name);
    }
    Ok(Prepared { owned, views })
}

/// A view of the file of `spec`, if it is a `.npy` spec for an input array
/// of `kernel` and the file opens with the parameter's dtype and rank.
/// `None` leaves the spec to `materialize`.
fn open_view(kernel: &Kernel, name: &str, spec: &Spec) -> Option<NpyView> {
    let Spec::Npy(path) = spec else {
        return None;
    };
    let param = kernel.params.values().find(|p| p.name == name)?;
    if param.role != ParamRole::Input || !param.is_array() {
        return None;
    }
    let view = NpyView::open(path).ok()?;
    let fits = view.elem() == param.elem() && view.shape().len() == param.dims().len();
    fits.then_some(view)
}

/// An array literal with the view's shape and no elements: what
/// `materialize` needs to know of the file, and nothing more.
fn shape_only(view: &NpyView) -> Spec {
    Spec::Array(ArrayLiteral {
        shape: view.shape().to_vec(),
        elements: Vec::new(),
    })
}

impl Prepared {
    /// [`kjit::signature::bind`] over owned values and views alike: the
    /// same checks in the same order. Names need no check: `materialize`
    /// makes values only for the kernel's inputs and sizes.
    pub fn bind(&self, sig: &Signature) -> Result<Bound, ArgError> {
        let arg = |p: usize| self.shape_of(&sig.params.get(p)?.name);
        let given = |s: usize| self.owned.sizes.get(&sig.sizes.get(s)?.name).copied();
        let sizes = bind_sizes(sig, arg, given, OutputArrays::Allocated)?;
        Ok(Bound::new(sig, sizes))
    }

    fn shape_of(&self, name: &str) -> Option<ArgShape<'_>> {
        match self.views.get(name) {
            Some(view) => Some(ArgShape::Array {
                elem: view.elem(),
                shape: view.shape(),
                len: view.len(),
            }),
            None => self.owned.values.get(name).map(ArgShape::of),
        }
    }

    /// One line per view whose data differs from its file's bytes.
    pub fn copy_notes(&self) -> String {
        let notes = self.views.values().filter_map(|view| {
            let reason = view.copy_reason()?;
            Some(format!(
                "note: `{}` is converted as it is read: {reason}\n",
                view.path().display()
            ))
        });
        notes.collect()
    }
}

#[cfg(test)]
mod tests;
