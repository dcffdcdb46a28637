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
//! The runtime reads only [`Signature`], never the IR.

use crate::ir;
use crate::types::ScalarType;
use crate::value::{element_count, Args, Array, Value};
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
    /// size; `None` when the caller must give it.
    pub fixed_by: Option<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub name: String,
    /// In declaration order, outputs last (as in the kernel).
    pub params: Vec<ParamSig>,
    pub sizes: Vec<SizeSig>,
}

impl Signature {
    pub fn of(kernel: &ir::Kernel) -> Signature {
        let params = kernel.params.values().map(param_sig).collect();
        let sizes = kernel
            .sizes
            .values()
            .map(|size| SizeSig {
                name: size.name.clone(),
                fixed_by: size.fixed_by.map(|(p, d)| (p.index(), d)),
            })
            .collect();
        Signature {
            name: kernel.name.clone(),
            params,
            sizes,
        }
    }

    /// The type of parameter `param` as the user wrote it: `f32`, `f32[n, m]`.
    pub fn type_text(&self, param: &ParamSig) -> String {
        match &param.dims {
            None => param.elem.to_string(),
            Some(dims) => {
                let names: Vec<&str> = dims.iter().map(|&s| self.size_name(s)).collect();
                format!("{}[{}]", param.elem, names.join(", "))
            }
        }
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

/// `kernel saxpy(a: f32, x: f32[n], inout y: f32[n]) -> (out: f32[n])`
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |p: &ParamSig| {
            let mode = if p.role == Role::InOut { "inout " } else { "" };
            format!("{mode}{}: {}", p.name, self.type_text(p))
        };
        let (outs, ins): (Vec<&ParamSig>, Vec<&ParamSig>) =
            self.params.iter().partition(|p| p.role == Role::Output);
        let ins: Vec<String> = ins.into_iter().map(show).collect();
        write!(f, "kernel {}({})", self.name, ins.join(", "))?;
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
}

/// Where a size got its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeSource {
    pub array: String,
    pub dim: usize,
    pub value: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgError {
    /// An input or `inout` parameter has no argument.
    MissingArgument {
        name: String,
        expected: String,
    },
    /// An argument names no parameter.
    UnknownArgument {
        name: String,
    },
    /// An argument names an output: outputs are results, not arguments.
    OutputGiven {
        name: String,
    },
    ExpectedScalar {
        name: String,
        expected: String,
        found_shape: Vec<usize>,
        found_elem: ScalarType,
    },
    ExpectedArray {
        name: String,
        expected: String,
        found: ScalarType,
    },
    WrongDtype {
        name: String,
        expected: ScalarType,
        found: ScalarType,
    },
    WrongRank {
        name: String,
        expected: String,
        found_shape: Vec<usize>,
    },
    /// An array's data length does not match its shape.
    InconsistentArray {
        name: String,
        shape: Vec<usize>,
        len: usize,
    },
    /// Two input arrays give one size different values.
    SizeMismatch {
        /// The argument that disagrees with an earlier one.
        name: String,
        expected: String,
        size: String,
        dim: usize,
        found_shape: Vec<usize>,
        found_elem: ScalarType,
        /// The earlier argument that fixed the size (boxed to keep
        /// `Result<_, ArgError>` small).
        first: Box<SizeSource>,
    },
    /// A size given by the caller names no size of the kernel.
    UnknownSize {
        size: String,
    },
    /// A size that no input fixes was not given.
    MissingSize {
        size: String,
    },
    NegativeSize {
        size: String,
        value: i64,
    },
    /// The caller gave a size that an input array also fixes, differently.
    SizeConflict {
        size: String,
        given: i64,
        first: Box<SizeSource>,
    },
    /// An input array dimension does not fit in an `i64` size.
    SizeTooLarge {
        name: String,
        dim: usize,
        extent: usize,
    },
    /// An output array would hold more elements than fit in memory.
    OutputTooLarge {
        name: String,
        shape: Vec<usize>,
    },
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ArgError::*;
        match self {
            MissingArgument { name, expected } => {
                write!(f, "missing argument `{name}`: expected {expected}")
            }
            UnknownArgument { name } => {
                write!(f, "argument `{name}`: the kernel has no such parameter")
            }
            OutputGiven { name } => {
                write!(
                    f,
                    "argument `{name}`: `{name}` is an output; outputs are returned, not passed"
                )
            }
            ExpectedScalar {
                name,
                expected,
                found_shape,
                found_elem,
            } => {
                write!(f, "argument `{name}`: expected a scalar {expected}, found {found_elem} array of shape {found_shape:?}")
            }
            ExpectedArray {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "argument `{name}`: expected an array {expected}, found scalar {found}"
                )
            }
            WrongDtype {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "argument `{name}`: expected element type {expected}, found {found}"
                )
            }
            WrongRank {
                name,
                expected,
                found_shape,
            } => {
                write!(f, "argument `{name}`: expected {expected}, found an array of rank {} (shape {found_shape:?})", found_shape.len())
            }
            InconsistentArray { name, shape, len } => {
                write!(
                    f,
                    "argument `{name}`: array of shape {shape:?} holds {len} elements"
                )
            }
            SizeMismatch { .. } => self.fmt_size_mismatch(f),
            UnknownSize { size } => write!(f, "size `{size}`: the kernel has no such size"),
            MissingSize { size } => write!(
                f,
                "size `{size}` is fixed by no input array, so it must be given"
            ),
            NegativeSize { size, value } => write!(f, "size `{size}`: must be >= 0, found {value}"),
            SizeConflict { size, given, first } => write!(
                f,
                "size `{size}`: given as {given}, but `{}` dim {} fixes it to {}",
                first.array, first.dim, first.value
            ),
            SizeTooLarge { name, dim, extent } => {
                write!(
                    f,
                    "argument `{name}`: dim {dim} is {extent}, larger than any size (i64)"
                )
            }
            OutputTooLarge { name, shape } => {
                write!(
                    f,
                    "output `{name}`: shape {shape:?} has more elements than fit in memory"
                )
            }
        }
    }
}

impl ArgError {
    /// "argument `y`: expected f32[n] (n = 5 from `x` dim 0), found f32
    /// array of shape [4] (dim 0 is 4)"
    fn fmt_size_mismatch(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ArgError::SizeMismatch {
            name,
            expected,
            size,
            dim,
            found_shape,
            found_elem,
            first,
        } = self
        else {
            return Ok(());
        };
        let extent = found_shape.get(*dim).copied().unwrap_or(0);
        write!(
            f,
            "argument `{name}`: expected {expected} ({size} = {} from `{}` dim {}), \
             found {found_elem} array of shape {found_shape:?} (dim {dim} is {extent})",
            first.value, first.array, first.dim
        )
    }
}

impl std::error::Error for ArgError {}

/// Checks `args` against `sig` and resolves every size and output shape.
/// Checks run in a fixed order (unknown names, then parameters in
/// declaration order, then sizes) so the first error is deterministic.
pub fn bind(sig: &Signature, args: &Args) -> Result<Bound, ArgError> {
    check_names(sig, args)?;
    let mut sources: Vec<Option<SizeSource>> = vec![None; sig.sizes.len()];
    for param in sig.params.iter().filter(|p| p.role != Role::Output) {
        let value = args
            .values
            .get(&param.name)
            .ok_or_else(|| ArgError::MissingArgument {
                name: param.name.clone(),
                expected: sig.type_text(param),
            })?;
        check_param(sig, param, value, &mut sources)?;
    }
    let sizes = resolve_sizes(sig, args, &sources)?;
    let shapes = sig
        .params
        .iter()
        .map(|p| shape_of(p, &sizes))
        .collect::<Result<_, _>>()?;
    Ok(Bound { sizes, shapes })
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
        .find(|n| !sig.sizes.iter().any(|s| &s.name == *n))
    {
        Some(size) => Err(ArgError::UnknownSize { size: size.clone() }),
        None => Ok(()),
    }
}

/// Checks one input argument; records the sizes its dimensions fix.
fn check_param(
    sig: &Signature,
    param: &ParamSig,
    value: &Value,
    sources: &mut [Option<SizeSource>],
) -> Result<(), ArgError> {
    match check_kind(sig, param, value)? {
        Some((dims, array)) => record_sizes(sig, param, dims, array, sources),
        None => Ok(()),
    }
}

/// Scalar or array, dtype, rank and a consistent array: everything that
/// does not involve other arguments. Returns the dims and the array.
fn check_kind<'v>(
    sig: &Signature,
    param: &'v ParamSig,
    value: &'v Value,
) -> Result<Option<(&'v [usize], &'v Array)>, ArgError> {
    let name = param.name.clone();
    let expected = sig.type_text(param);
    let found = match value {
        Value::Scalar(x) => x.ty(),
        Value::Array(a) => a.elem(),
    };
    match (&param.dims, value) {
        (None, Value::Array(a)) => {
            let (found_shape, found_elem) = (a.shape.clone(), found);
            return Err(ArgError::ExpectedScalar {
                name,
                expected,
                found_shape,
                found_elem,
            });
        }
        (Some(_), Value::Scalar(_)) => {
            return Err(ArgError::ExpectedArray {
                name,
                expected,
                found,
            });
        }
        _ => {}
    }
    if found != param.elem {
        return Err(ArgError::WrongDtype {
            name,
            expected: param.elem,
            found,
        });
    }
    let (Some(dims), Value::Array(array)) = (&param.dims, value) else {
        return Ok(None); // a scalar of the right type
    };
    if array.rank() != dims.len() {
        let found_shape = array.shape.clone();
        return Err(ArgError::WrongRank {
            name,
            expected,
            found_shape,
        });
    }
    if !array.is_consistent() {
        let (shape, len) = (array.shape.clone(), array.data.len());
        return Err(ArgError::InconsistentArray { name, shape, len });
    }
    Ok(Some((dims, array)))
}

/// Records the size each dimension of `array` fixes, or fails if an earlier
/// input fixed it to another value.
fn record_sizes(
    sig: &Signature,
    param: &ParamSig,
    dims: &[usize],
    array: &Array,
    sources: &mut [Option<SizeSource>],
) -> Result<(), ArgError> {
    let name = &param.name;
    for (dim, (&size, &extent)) in dims.iter().zip(&array.shape).enumerate() {
        let value = i64::try_from(extent).map_err(|_| ArgError::SizeTooLarge {
            name: name.clone(),
            dim,
            extent,
        })?;
        let Some(slot) = sources.get_mut(size) else {
            continue; // A signature built by `Signature::of` names only real sizes.
        };
        match slot {
            None => {
                *slot = Some(SizeSource {
                    array: name.clone(),
                    dim,
                    value,
                })
            }
            Some(first) if first.value == value => {}
            Some(first) => {
                return Err(ArgError::SizeMismatch {
                    name: name.clone(),
                    expected: sig.type_text(param),
                    size: sig.size_name(size).to_string(),
                    dim,
                    found_shape: array.shape.clone(),
                    found_elem: array.elem(),
                    first: Box::new(first.clone()),
                })
            }
        }
    }
    Ok(())
}

/// Every size's value: from the inputs that fix it, else from the caller.
fn resolve_sizes(
    sig: &Signature,
    args: &Args,
    sources: &[Option<SizeSource>],
) -> Result<Vec<i64>, ArgError> {
    sig.sizes
        .iter()
        .zip(sources)
        .map(|(size, source)| {
            let given = args.sizes.get(&size.name).copied();
            let name = size.name.clone();
            match (source, given) {
                (Some(first), Some(given)) if given != first.value => Err(ArgError::SizeConflict {
                    size: name,
                    given,
                    first: Box::new(first.clone()),
                }),
                (Some(first), _) => Ok(first.value),
                (None, None) => Err(ArgError::MissingSize { size: name }),
                (None, Some(value)) if value < 0 => {
                    Err(ArgError::NegativeSize { size: name, value })
                }
                (None, Some(value)) => Ok(value),
            }
        })
        .collect()
}

/// The shape of a parameter once every size is known (sizes are >= 0).
fn shape_of(param: &ParamSig, sizes: &[i64]) -> Result<Vec<usize>, ArgError> {
    let Some(dims) = &param.dims else {
        return Ok(Vec::new());
    };
    let shape: Vec<usize> = dims
        .iter()
        .map(|&s| {
            sizes
                .get(s)
                .map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX))
        })
        .collect();
    if element_count(&shape).is_none() {
        return Err(ArgError::OutputTooLarge {
            name: param.name.clone(),
            shape,
        });
    }
    Ok(shape)
}

#[cfg(test)]
mod tests;
