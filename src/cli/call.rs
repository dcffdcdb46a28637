//! A JIT call on [`Prepared`] arguments, through [`Kernel::bind`]: the
//! library's zero-copy path.
//!
//! In: a compiled kernel, the prepared arguments and their [`Bound`]
//! shapes. Out: the same [`Outputs`], in the same order, that
//! [`Kernel::call`] returns (outputs and `inout` arrays in parameter order).
//!
//! Inputs are borrowed where they lie: a `.npy` view's slice of its map,
//! or the buffer `materialize` built for a literal or generated array.
//! Output arrays are allocated once, here, and written by the kernel in
//! place; `inout` arrays are updated in the owned copy `materialize` made.
//! Nothing else is allocated per array.

use super::arguments::Prepared;
use super::CliError;
use kjit::api::{Binding, CallError, Element, Kernel, RunError, ScalarOutputs};
use kjit::inputs::InputError;
use kjit::npy::{NpyError, NpyView};
use kjit::signature::{Bound, ParamSig, Role, Signature};
use kjit::value::{each_data, with_elem_type, Args, Array, Outputs, Scalar, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Runs `kernel` on `prepared`; `file` and `source` are for rendering a
/// runtime error.
pub fn call(
    kernel: Kernel<'_>,
    prepared: Prepared,
    bound: &Bound,
    file: &Path,
    source: &str,
) -> Result<Outputs, CliError> {
    let sig = kernel.signature();
    let Prepared { mut owned, views } = prepared;
    let call_error = |e| call_error(e, file, source);
    let mut written = written_arrays(sig, bound, &mut owned).map_err(call_error)?;
    let mut binding = kernel.bind();
    for (name, &n) in &owned.sizes {
        binding = binding.size(name, n);
    }
    for (param, slot) in sig.params.iter().zip(written.iter_mut()) {
        binding = match slot {
            Some(array) => bind_written(binding, param, array),
            None => bind_read(binding, param, &owned, &views)?,
        };
    }
    let scalars = binding.run().map_err(call_error)?;
    Ok(collect_outputs(sig, written, &scalars))
}

/// The memory the kernel writes, by parameter: zeros in the bound shape for
/// an output array, the owned copy (taken out of `owned`) for an `inout`
/// array, `None` for everything else.
fn written_arrays(
    sig: &Signature,
    bound: &Bound,
    owned: &mut Args,
) -> Result<Vec<Option<Array>>, CallError> {
    let written = |(param, shape): (&ParamSig, &Vec<usize>)| match (param.role, &param.dims) {
        // A size the caller gives can be absurdly large: failing to
        // allocate is an error naming the output, never an abort.
        (Role::Output, Some(_)) => Array::zeros(param.elem, shape.clone())
            .map(Some)
            .ok_or_else(|| CallError::OutOfMemory {
                kernel: sig.name.clone(),
                array: param.name.clone(),
                shape: shape.clone(),
                bytes: shape
                    .iter()
                    .fold(param.elem.byte_size(), |n, &d| n.saturating_mul(d)),
            }),
        (Role::InOut, _) => match owned.values.remove(&param.name) {
            Some(Value::Array(array)) => Ok(Some(array)),
            // Not an array: left out, so `run` reports it.
            _ => Ok(None),
        },
        _ => Ok(None),
    };
    sig.params.iter().zip(&bound.shapes).map(written).collect()
}

/// Binds an input (or nothing, for a scalar output, which `run` returns).
/// An argument missing here is left out, and `run` reports it.
fn bind_read<'k, 'a>(
    binding: Binding<'k, 'a>,
    param: &ParamSig,
    owned: &'a Args,
    views: &'a BTreeMap<String, NpyView>,
) -> Result<Binding<'k, 'a>, CliError> {
    let name = param.name.as_str();
    if param.role == Role::Output {
        return Ok(binding);
    }
    if let Some(view) = views.get(name) {
        return bind_view(binding, name, view).map_err(|error| {
            CliError::Input(InputError::Npy {
                name: name.to_string(),
                error,
            })
        });
    }
    Ok(match owned.values.get(name) {
        Some(Value::Scalar(x)) => binding.scalar(name, *x),
        Some(Value::Array(array)) => bind_owned(binding, name, array),
        None => binding,
    })
}

/// A `.npy` input array, read from the file's map.
fn bind_view<'k, 'a>(
    binding: Binding<'k, 'a>,
    name: &str,
    view: &'a NpyView,
) -> Result<Binding<'k, 'a>, NpyError> {
    let shape = view.shape();
    Ok(with_elem_type!(view.elem(), T => input(binding, name, view.as_slice::<T>()?, shape)))
}

/// A literal or generated input array, read from its buffer.
fn bind_owned<'k, 'a>(binding: Binding<'k, 'a>, name: &str, array: &'a Array) -> Binding<'k, 'a> {
    let shape = &array.shape;
    each_data!(&array.data, v => input(binding, name, v, shape))
}

fn input<'k, 'a, T: Element>(
    binding: Binding<'k, 'a>,
    name: &str,
    data: &'a [T],
    shape: &[usize],
) -> Binding<'k, 'a> {
    binding.input_nd(name, data, shape)
}

/// An output or `inout` array, written in place.
fn bind_written<'k, 'a>(
    binding: Binding<'k, 'a>,
    param: &ParamSig,
    array: &'a mut Array,
) -> Binding<'k, 'a> {
    let (name, role) = (param.name.as_str(), param.role);
    let Array { shape, data } = array;
    each_data!(data, v => in_place(binding, name, role, v, shape))
}

fn in_place<'k, 'a, T: Element>(
    binding: Binding<'k, 'a>,
    name: &str,
    role: Role,
    data: &'a mut [T],
    shape: &[usize],
) -> Binding<'k, 'a> {
    match role {
        Role::InOut => binding.inout_nd(name, data, shape),
        Role::Input | Role::Output => binding.output_nd(name, data, shape),
    }
}

/// Outputs and `inout` arrays in parameter order, as `Kernel::call` and
/// the evaluator return them.
fn collect_outputs(
    sig: &Signature,
    written: Vec<Option<Array>>,
    scalars: &ScalarOutputs<'_>,
) -> Outputs {
    let value = |param: &ParamSig, array: Option<Array>| match array {
        Some(array) => Value::Array(array),
        None => Value::Scalar(scalars.get(&param.name).unwrap_or(Scalar::zero(param.elem))),
    };
    let values = (sig.params.iter().zip(written))
        .filter(|(param, _)| param.role != Role::Input)
        .map(|(param, array)| (param.name.clone(), value(param, array)))
        .collect();
    Outputs { values }
}

fn call_error(error: CallError, file: &Path, source: &str) -> CliError {
    match error {
        CallError::Args(error) => CliError::Args(error),
        CallError::Run(RunError::Internal(_)) => CliError::Internal(error.to_string()),
        CallError::Run(error) => match error.diagnostic() {
            Some(diagnostic) => CliError::runtime_at(diagnostic, file, source),
            None => CliError::Runtime(error.describe(source)),
        },
        other => CliError::Runtime(other.describe(source)),
    }
}
