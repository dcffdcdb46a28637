//! The argument checks behind [`super::bind`], over a data-free view of each
//! argument ([`ArgShape`]), so owned values ([`crate::value::Args`]) and
//! borrowed slices (the library's fast path, `crate::api`) share them.
//!
//! Names (unknown, duplicate, output given) are the caller's business: an
//! `Args` map and a builder see them differently. Everything else — kind,
//! dtype, rank, consistency, size agreement, given sizes — is checked here,
//! in a fixed order (parameters in declaration order, then sizes), so the
//! first error is deterministic.

use super::{ArgError, ParamSig, Role, Signature, SizeSource};
use crate::types::ScalarType;
use crate::value::{element_count, Value};

/// What the checks see of one argument: its kind, element type and shape,
/// never its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgShape<'a> {
    Scalar(ScalarType),
    Array {
        elem: ScalarType,
        shape: &'a [usize],
        /// Number of elements actually present (checked against `shape`).
        len: usize,
    },
}

impl<'a> ArgShape<'a> {
    pub fn of(value: &'a Value) -> ArgShape<'a> {
        match value {
            Value::Scalar(x) => ArgShape::Scalar(x.ty()),
            Value::Array(a) => ArgShape::Array {
                elem: a.elem(),
                shape: &a.shape,
                len: a.data.len(),
            },
        }
    }

    fn elem(self) -> ScalarType {
        match self {
            ArgShape::Scalar(ty) => ty,
            ArgShape::Array { elem, .. } => elem,
        }
    }
}

/// Who provides the memory of output arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputArrays {
    /// The callee allocates them from the sizes: they are never arguments.
    Allocated,
    /// The caller passes them: each must be given, and its shape fixes
    /// sizes exactly as an input's does (so `out` of the wrong length is a
    /// size mismatch naming `out`).
    Given,
}

/// Where a size got its value, before it is needed in an error message
/// (building a [`SizeSource`] costs a `String`; the fast path avoids it).
#[derive(Clone, Copy)]
struct Source {
    param: usize,
    dim: usize,
    value: i64,
}

impl Source {
    fn describe(self, sig: &Signature) -> Box<SizeSource> {
        let array = sig.params.get(self.param).map_or("?", |p| p.name.as_str());
        Box::new(SizeSource {
            array: array.to_string(),
            dim: self.dim,
            value: self.value,
        })
    }
}

/// Checks every argument (`arg(p)` for parameter `p`, `None` when absent)
/// and every caller-given size (`given(s)` for size `s`), and returns the
/// value of every size, indexed like [`Signature::sizes`].
///
/// Holds on success: every input and `inout` parameter (and, for
/// [`OutputArrays::Given`], every array output) is present with the right
/// kind, element type and rank; every array's length matches its shape;
/// every dimension equals its size; every size is in `0..=i64::MAX`; and
/// every allocated output's element count fits in a `usize`.
pub fn bind_sizes<'a>(
    sig: &Signature,
    arg: impl Fn(usize) -> Option<ArgShape<'a>>,
    given: impl Fn(usize) -> Option<i64>,
    outputs: OutputArrays,
) -> Result<Vec<i64>, ArgError> {
    let mut sources: Vec<Option<Source>> = vec![None; sig.sizes.len()];
    for (index, param) in sig.params.iter().enumerate() {
        let required = match param.role {
            Role::Input | Role::InOut => true,
            Role::Output => outputs == OutputArrays::Given && param.dims.is_some(),
        };
        if !required {
            continue;
        }
        let shape = arg(index).ok_or_else(|| ArgError::MissingArgument {
            name: param.name.clone(),
            expected: sig.type_text(param),
        })?;
        check_param(sig, index, shape, &mut sources)?;
    }
    let sizes = resolve_sizes(sig, given, &sources)?;
    if outputs == OutputArrays::Allocated {
        check_output_counts(sig, &sizes)?;
    }
    check_scratch_counts(sig, &sizes)?;
    Ok(sizes)
}

/// Checks one argument; records the sizes its dimensions fix.
fn check_param(
    sig: &Signature,
    index: usize,
    shape: ArgShape,
    sources: &mut [Option<Source>],
) -> Result<(), ArgError> {
    let param = &sig.params[index];
    check_kind(sig, param, shape)?;
    match (&param.dims, shape) {
        (Some(dims), ArgShape::Array { shape, .. }) => {
            record_sizes(sig, index, dims, shape, sources)
        }
        _ => Ok(()),
    }
}

/// Scalar or array, dtype, rank and a consistent array: everything that
/// does not involve other arguments.
fn check_kind(sig: &Signature, param: &ParamSig, shape: ArgShape) -> Result<(), ArgError> {
    let name = || param.name.clone();
    let expected = || sig.type_text(param);
    let found = shape.elem();
    match (&param.dims, shape) {
        (None, ArgShape::Array { shape, .. }) => Err(ArgError::ExpectedScalar {
            name: name(),
            expected: expected(),
            found_shape: shape.to_vec(),
            found_elem: found,
        }),
        (Some(_), ArgShape::Scalar(_)) => Err(ArgError::ExpectedArray {
            name: name(),
            expected: expected(),
            found,
        }),
        _ if found != param.elem => Err(ArgError::WrongDtype {
            name: name(),
            expected: param.elem,
            found,
        }),
        (Some(dims), ArgShape::Array { shape, .. }) if shape.len() != dims.len() => {
            Err(ArgError::WrongRank {
                name: name(),
                expected: expected(),
                found_shape: shape.to_vec(),
            })
        }
        (_, ArgShape::Array { shape, len, .. }) if element_count(shape) != Some(len) => {
            Err(ArgError::InconsistentArray {
                name: name(),
                shape: shape.to_vec(),
                len,
            })
        }
        _ => Ok(()),
    }
}

/// Records the size each dimension of parameter `index` fixes, or fails if
/// an earlier argument fixed it to another value.
fn record_sizes(
    sig: &Signature,
    index: usize,
    dims: &[usize],
    shape: &[usize],
    sources: &mut [Option<Source>],
) -> Result<(), ArgError> {
    let param = &sig.params[index];
    for (dim, (&size, &extent)) in dims.iter().zip(shape).enumerate() {
        let value = i64::try_from(extent).map_err(|_| ArgError::SizeTooLarge {
            name: param.name.clone(),
            dim,
            extent,
        })?;
        let Some(slot) = sources.get_mut(size) else {
            continue; // A signature built by `Signature::of` names only real sizes.
        };
        match slot {
            None => {
                *slot = Some(Source {
                    param: index,
                    dim,
                    value,
                })
            }
            Some(first) if first.value == value => {}
            Some(first) => {
                return Err(ArgError::SizeMismatch {
                    name: param.name.clone(),
                    expected: sig.type_text(param),
                    size: sig.size_name(size).to_string(),
                    dim,
                    found_shape: shape.to_vec(),
                    found_elem: param.elem,
                    first: first.describe(sig),
                })
            }
        }
    }
    Ok(())
}

/// Every size's value: from the arguments that fix it, else from the
/// caller; a derived size computed from the sizes before it (and checked
/// against the input dimension that names it, if any).
fn resolve_sizes(
    sig: &Signature,
    given: impl Fn(usize) -> Option<i64>,
    sources: &[Option<Source>],
) -> Result<Vec<i64>, ArgError> {
    let mut values = Vec::with_capacity(sig.sizes.len());
    for (index, (size, source)) in sig.sizes.iter().zip(sources).enumerate() {
        let value = match size.definition {
            Some(definition) => derived_value(sig, index, definition, &values, *source)?,
            None => named_value(sig, index, given(index), *source)?,
        };
        values.push(value);
    }
    Ok(values)
}

fn named_value(
    sig: &Signature,
    index: usize,
    given: Option<i64>,
    source: Option<Source>,
) -> Result<i64, ArgError> {
    let name = || sig.sizes[index].name.clone();
    match (source, given) {
        (Some(first), Some(given)) if given != first.value => Err(ArgError::SizeConflict {
            size: name(),
            given,
            first: first.describe(sig),
        }),
        (Some(first), _) => Ok(first.value),
        (None, None) => Err(ArgError::MissingSize { size: name() }),
        (None, Some(value)) if value < 0 => Err(ArgError::NegativeSize {
            size: name(),
            value,
        }),
        (None, Some(value)) => Ok(value),
    }
}

/// A derived size from `values` (the sizes before it, all resolved).
fn derived_value(
    sig: &Signature,
    index: usize,
    definition: crate::ir::SizeDef,
    values: &[i64],
    source: Option<Source>,
) -> Result<i64, ArgError> {
    use cranelift_entity::EntityRef;
    let computed = definition.eval(|s| values.get(s.index()).copied());
    let size = || sig.sizes[index].name.clone();
    let sizes = || operand_values(sig, index, values);
    // Only a dimension must be >= 0: `n - w` may be negative on the way
    // to `n - w + 1`.
    let is_dimension = (sig.params.iter())
        .any(|p| p.dims.as_ref().is_some_and(|d| d.contains(&index)))
        || sig.scratch.iter().any(|a| a.dims.contains(&index));
    match (computed, source) {
        (Some(v), Some(found)) if v != found.value => Err(ArgError::DerivedMismatch {
            size: size(),
            sizes: sizes(),
            computed: v,
            found: found.describe(sig),
        }),
        (Some(v), _) if v >= 0 || !is_dimension => Ok(v),
        (value, _) => Err(ArgError::DerivedSize {
            size: size(),
            sizes: sizes(),
            value,
        }),
    }
}

/// `n = 3, w = 6`: the named sizes a derived size reads, with their values.
fn operand_values(sig: &Signature, index: usize, values: &[i64]) -> String {
    use cranelift_entity::EntityRef;
    let mut named = Vec::new();
    let mut stack = vec![index];
    while let Some(s) = stack.pop() {
        match sig.sizes.get(s).and_then(|size| size.definition) {
            Some(crate::ir::SizeDef::Binary { lhs, rhs, .. }) => {
                stack.extend([rhs.index(), lhs.index()])
            }
            Some(crate::ir::SizeDef::Const(_)) => {}
            None => named.push(s),
        }
    }
    named.sort_unstable();
    named.dedup();
    let parts: Vec<String> = named
        .iter()
        .map(|&s| {
            let value = values.get(s).map_or("?".to_string(), |v| v.to_string());
            format!("{} = {value}", sig.sizes[s].name)
        })
        .collect();
    if parts.is_empty() {
        "no other size".to_string()
    } else {
        parts.join(", ")
    }
}

/// Every output array's element count fits in a `usize` (its memory is
/// still to be allocated, from sizes a caller may have made up).
/// Every scratch array's byte count fits in a `usize` (the runtime
/// allocates them; whether the memory exists is its check).
fn check_scratch_counts(sig: &Signature, sizes: &[i64]) -> Result<(), ArgError> {
    for (array, shape) in sig.scratch.iter().zip(sig.scratch_shapes(sizes)) {
        let bytes = (shape.iter()).try_fold(array.elem.byte_size(), |n, &d| n.checked_mul(d));
        if bytes.is_none_or(|b| b > isize::MAX as usize) {
            return Err(ArgError::OutputTooLarge {
                name: array.name.clone(),
                shape,
            });
        }
    }
    Ok(())
}

fn check_output_counts(sig: &Signature, sizes: &[i64]) -> Result<(), ArgError> {
    for param in &sig.params {
        let Some(dims) = &param.dims else { continue };
        let extents = dims.iter().map(|&s| {
            sizes
                .get(s)
                .map_or(0, |&n| usize::try_from(n).unwrap_or(usize::MAX))
        });
        let fits = extents.clone().try_fold(1usize, |n, d| n.checked_mul(d));
        if fits.is_none() {
            return Err(ArgError::OutputTooLarge {
                name: param.name.clone(),
                shape: extents.collect(),
            });
        }
    }
    Ok(())
}
