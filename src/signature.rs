//! A kernel's interface without its body, and the check that call arguments
//! fit it.
//!
//! In: an [`ir::Kernel`] (once, through [`Signature::of`]) and the caller's
//! [`Args`]. Out: a [`Bound`] call (every size resolved, every output shape
//! known) or an [`ArgError`] naming the argument and what was wrong.
//!
//! Holds: after a successful [`bind`], every input and `inout` parameter is
//! present with the right kind, element type and rank, every array's data
//! length matches its shape, every array dimension equals the size its type
//! names, and every size is in `0..=i64::MAX`. Nothing has run yet, so an
//! argument error never leaves a half-written output behind.
//!
//! The checks themselves live in `check` ([`bind_sizes`]), over a
//! data-free view of each argument, so borrowed slices (the library's
//! zero-copy calls) get exactly the checks owned [`Args`] get.
//!
//! The runtime reads only [`Signature`], never the IR.

mod check;
mod error;
pub mod instance;

pub use check::{bind_sizes, ArgShape, OutputArrays};
pub use error::{ArgError, SizeSource};
pub use instance::TypeParamSig;

use crate::ir;
use crate::types::ScalarType;
use crate::value::Args;
use cranelift_entity::EntityRef;
use std::fmt;

/// How a parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Input,
    InOut,
    Output,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamSig {
    pub name: String,
    pub role: Role,
    pub elem: ScalarType,
    /// `None` for a scalar; for an array, one index into
    /// [`Signature::sizes`] per dimension.
    pub dims: Option<Vec<usize>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SizeSig {
    pub name: String,
    /// The first input or `inout` array dimension `(param, dim)` naming this
    /// size; `None` when the caller must give it (or it is derived).
    pub fixed_by: Option<(usize, usize)>,
    /// For a derived size (`n - w + 1`, `3`): how it is computed from the
    /// sizes before it. The caller never gives it.
    pub definition: Option<ir::SizeDef>,
}

impl SizeSig {
    /// Whether a caller may (or must) give this size by name.
    pub fn is_named(&self) -> bool {
        self.definition.is_none()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub name: String,
    /// In declaration order, outputs last (as in the kernel).
    pub params: Vec<ParamSig>,
    pub sizes: Vec<SizeSig>,
    /// The kernel's scratch arrays, which the runtime allocates: not
    /// arguments. Their array descriptors follow the parameters'.
    pub scratch: Vec<ScratchSig>,
    /// For an instance of a generic kernel, its type parameters and what
    /// they stand for here; empty for an ordinary kernel.
    pub type_params: Vec<TypeParamSig>,
}

/// A kernel scratch array (`let next: f64[h, w];`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScratchSig {
    pub name: String,
    pub elem: ScalarType,
    /// One index into [`Signature::sizes`] per dimension.
    pub dims: Vec<usize>,
}

impl Signature {
    pub fn of(kernel: &ir::Kernel) -> Signature {
        let (scratch, params): (Vec<&ir::Param>, Vec<&ir::Param>) = kernel
            .params
            .values()
            .partition(|p| p.role == ir::ParamRole::Scratch);
        let params = params.into_iter().map(param_sig).collect();
        let scratch = scratch
            .into_iter()
            .map(|p| ScratchSig {
                name: p.name.clone(),
                elem: p.elem(),
                dims: p.dims().iter().map(|s| s.index()).collect(),
            })
            .collect();
        let sizes = kernel
            .sizes
            .values()
            .map(|size| SizeSig {
                name: size.name.clone(),
                fixed_by: size.fixed_by.map(|(p, d)| (p.index(), d)),
                definition: size.definition,
            })
            .collect();
        // Parameters keep their numbers (scratch arrays come last).
        let type_params = (kernel.type_args.iter())
            .map(|a| TypeParamSig {
                name: a.name.clone(),
                ty: a.ty,
                allowed: a.allowed.clone(),
                bound: a.bound.clone(),
                params: a.params.iter().map(|p| p.index()).collect(),
            })
            .collect();
        Signature {
            name: kernel.name.clone(),
            params,
            sizes,
            scratch,
            type_params,
        }
    }

    /// `saxpy<T = f64>` for an instance of a generic kernel, else the name.
    pub fn instance_name(&self) -> String {
        if self.type_params.is_empty() {
            return self.name.clone();
        }
        let args: Vec<String> = (self.type_params.iter())
            .map(|t| format!("{} = {}", t.name, t.ty))
            .collect();
        format!("{}<{}>", self.name, args.join(", "))
    }

    /// The element type of `param` as written: a type parameter's name
    /// (`T`) or the scalar type.
    fn elem_text(&self, param: &ParamSig) -> String {
        let index = self.params.iter().position(|p| std::ptr::eq(p, param));
        let generic = index.and_then(|i| self.type_params.iter().find(|t| t.params.contains(&i)));
        match generic {
            Some(t) => t.name.clone(),
            None => param.elem.to_string(),
        }
    }

    /// The type of parameter `param` as the user wrote it: `f32`, `f32[n, m]`.
    /// For a generic kernel, a type parameter's name stands for the element
    /// type (`T[n]`), as in the source.
    pub fn type_text(&self, param: &ParamSig) -> String {
        let elem = self.elem_text(param);
        match &param.dims {
            None => elem,
            Some(dims) => {
                let names: Vec<&str> = dims.iter().map(|&s| self.size_name(s)).collect();
                format!("{elem}[{}]", names.join(", "))
            }
        }
    }

    /// `<T: float>` of a generic kernel, or nothing.
    pub fn generics_text(&self) -> String {
        if self.type_params.is_empty() {
            return String::new();
        }
        let params: Vec<String> = (self.type_params.iter())
            .map(|t| format!("{}: {}", t.name, t.bound))
            .collect();
        format!("<{}>", params.join(", "))
    }

    /// The shape of `param` once every size is known (empty for a
    /// scalar). Sizes come from [`bind_sizes`], so they are `>= 0`.
    pub fn shape(&self, param: &ParamSig, sizes: &[i64]) -> Vec<usize> {
        let extent = |s: usize| sizes.get(s).map_or(0, |&n| usize::try_from(n).unwrap_or(0));
        param
            .dims
            .as_ref()
            .map_or_else(Vec::new, |dims| dims.iter().map(|&s| extent(s)).collect())
    }

    /// The shape of every scratch array once the sizes are known.
    pub fn scratch_shapes(&self, sizes: &[i64]) -> Vec<Vec<usize>> {
        let extent = |s: usize| sizes.get(s).map_or(0, |&n| usize::try_from(n).unwrap_or(0));
        (self.scratch.iter())
            .map(|a| a.dims.iter().map(|&s| extent(s)).collect())
            .collect()
    }

    fn size_name(&self, size: usize) -> &str {
        self.sizes.get(size).map_or("?", |s| s.name.as_str())
    }
}

fn param_sig(param: &ir::Param) -> ParamSig {
    let role = match param.role {
        ir::ParamRole::Input => Role::Input,
        ir::ParamRole::InOut => Role::InOut,
        ir::ParamRole::Output => Role::Output,
        // `Signature::of` keeps scratch arrays out of the parameters.
        ir::ParamRole::Scratch => unreachable!("scratch arrays are not parameters"),
    };
    let dims = match &param.kind {
        ir::ParamKind::Scalar(_) => None,
        ir::ParamKind::Array { dims, .. } => Some(dims.iter().map(|s| s.index()).collect()),
    };
    ParamSig {
        name: param.name.clone(),
        role,
        elem: param.elem(),
        dims,
    }
}

/// `kernel saxpy(a: f32, x: f32[n], inout y: f32[n]) -> (out: f32[n])`;
/// a generic kernel's instance prints the generic form,
/// `kernel saxpy<T: float>(a: T, x: T[n], ...)`.
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |p: &ParamSig| {
            let mode = if p.role == Role::InOut { "inout " } else { "" };
            format!("{mode}{}: {}", p.name, self.type_text(p))
        };
        let (outs, ins): (Vec<&ParamSig>, Vec<&ParamSig>) =
            self.params.iter().partition(|p| p.role == Role::Output);
        let ins: Vec<String> = ins.into_iter().map(show).collect();
        let generics = self.generics_text();
        write!(f, "kernel {}{generics}({})", self.name, ins.join(", "))?;
        if !outs.is_empty() {
            let outs: Vec<String> = outs.into_iter().map(show).collect();
            write!(f, " -> ({})", outs.join(", "))?;
        }
        Ok(())
    }
}

/// A call whose arguments fit the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The value of every size, indexed like [`Signature::sizes`].
    pub sizes: Vec<i64>,
    /// The shape of every parameter, indexed like [`Signature::params`]:
    /// given for inputs, derived from the sizes for outputs, empty for
    /// scalars.
    pub shapes: Vec<Vec<usize>>,
    /// The shape of every scratch array, indexed like [`Signature::scratch`].
    pub scratch_shapes: Vec<Vec<usize>>,
}

impl Bound {
    /// The shapes of every parameter and scratch array from the sizes
    /// [`bind_sizes`] resolved.
    pub fn new(sig: &Signature, sizes: Vec<i64>) -> Bound {
        let shapes = sig.params.iter().map(|p| sig.shape(p, &sizes)).collect();
        let scratch_shapes = sig.scratch_shapes(&sizes);
        Bound {
            sizes,
            shapes,
            scratch_shapes,
        }
    }
}

/// Checks `args` against `sig` and resolves every size and output shape.
/// Checks run in a fixed order (unknown names, then parameters in
/// declaration order, then sizes) so the first error is deterministic.
pub fn bind(sig: &Signature, args: &Args) -> Result<Bound, ArgError> {
    check_names(sig, args)?;
    let arg = |p: usize| {
        let name = &sig.params.get(p)?.name;
        args.values.get(name).map(ArgShape::of)
    };
    let given = |s: usize| args.sizes.get(&sig.sizes.get(s)?.name).copied();
    let sizes = bind_sizes(sig, arg, given, OutputArrays::Allocated)?;
    Ok(Bound::new(sig, sizes))
}

fn check_names(sig: &Signature, args: &Args) -> Result<(), ArgError> {
    for name in args.values.keys() {
        match sig.params.iter().find(|p| &p.name == name) {
            None => return Err(ArgError::UnknownArgument { name: name.clone() }),
            Some(p) if p.role == Role::Output => {
                return Err(ArgError::OutputGiven { name: name.clone() })
            }
            Some(_) => {}
        }
    }
    match args
        .sizes
        .keys()
        .find(|n| !sig.sizes.iter().any(|s| s.is_named() && &s.name == *n))
    {
        Some(size) => Err(ArgError::UnknownSize { size: size.clone() }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
