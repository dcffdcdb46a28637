//! Specs + a kernel's parameter types → [`Args`].
//!
//! The order of work is fixed so the first error is the most useful one:
//! names (unknown, output, duplicate), then missing parameters (all at
//! once), then explicit sizes, then literal and `.npy` values (which fix
//! sizes), then generated values (which need them), then sizes nothing
//! gives.

use super::convert::{to_integer, to_scalar};
use super::generate::generate;
use super::spec::{ArrayLiteral, Generator, Spec};
use super::InputError;
use crate::ir::{Kernel, Param, ParamId, ParamRole, SizeId};
use crate::npy;
use crate::value::{element_count, Args, Array, ArrayData, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The specs sorted by what they are for.
struct Targets<'a> {
    params: BTreeMap<ParamId, &'a Spec>,
    sizes: BTreeMap<SizeId, &'a Spec>,
}

/// Builds the arguments of one call of `kernel` from `specs`.
pub fn materialize(kernel: &Kernel, specs: &[(String, Spec)]) -> Result<Args, InputError> {
    let targets = sort_names(kernel, specs)?;
    check_missing(kernel, &targets)?;
    let given: BTreeMap<SizeId, i64> = targets
        .sizes
        .iter()
        .map(|(&id, spec)| explicit_size(&kernel.sizes[id].name, spec).map(|n| (id, n)))
        .collect::<Result<_, _>>()?;
    let mut values: BTreeMap<ParamId, Value> = BTreeMap::new();
    for (&id, spec) in &targets.params {
        if let Some(value) = concrete_value(kernel, &kernel.params[id], spec)? {
            values.insert(id, value);
        }
    }
    let mut sizes = known_sizes(kernel, &given, &values)?;
    for (&id, spec) in &targets.params {
        if let Spec::Generator(generator) = spec {
            // `f32[n, 3]`, `f32[n - w + 1]`: computed, not given.
            kernel.derive_sizes(&mut sizes);
            let value = generated_value(kernel, &kernel.params[id], generator, &sizes)?;
            record_sizes(kernel, id, &value, &mut sizes)?;
            values.insert(id, value);
        }
    }
    check_sizes_known(kernel, &sizes)?;
    Ok(into_args(kernel, values, &given))
}

fn sort_names<'a>(kernel: &Kernel, specs: &'a [(String, Spec)]) -> Result<Targets<'a>, InputError> {
    let mut targets = Targets {
        params: BTreeMap::new(),
        sizes: BTreeMap::new(),
    };
    for (name, spec) in specs {
        let duplicate = if let Some((id, param)) =
            (kernel.params.iter()).find(|(_, p)| p.role != ParamRole::Scratch && &p.name == name)
        {
            if param.role == ParamRole::Output {
                return Err(InputError::OutputGiven { name: name.clone() });
            }
            targets.params.insert(id, spec).is_some()
        } else if let Some((id, _)) =
            (kernel.sizes.iter()).find(|(_, s)| s.definition.is_none() && &s.name == name)
        {
            targets.sizes.insert(id, spec).is_some()
        } else {
            return Err(InputError::UnknownName {
                name: name.clone(),
                kernel: kernel.name.clone(),
                known: known_names(kernel),
            });
        };
        if duplicate {
            return Err(InputError::Duplicate { name: name.clone() });
        }
    }
    Ok(targets)
}

/// Everything a caller may name: inputs, `inout` arrays and sizes.
pub(super) fn known_names(kernel: &Kernel) -> Vec<String> {
    let params = kernel
        .params
        .values()
        .filter(|p| matches!(p.role, ParamRole::Input | ParamRole::InOut))
        .map(|p| p.name.clone());
    params
        .chain(
            (kernel.sizes.values())
                .filter(|s| s.definition.is_none())
                .map(|s| s.name.clone()),
        )
        .collect()
}

fn check_missing(kernel: &Kernel, targets: &Targets) -> Result<(), InputError> {
    let missing: Vec<(String, String)> = kernel
        .params
        .iter()
        .filter(|(id, p)| {
            matches!(p.role, ParamRole::Input | ParamRole::InOut)
                && !targets.params.contains_key(id)
        })
        .map(|(_, p)| (p.name.clone(), type_text(kernel, p)))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(InputError::Missing {
            kernel: kernel.name.clone(),
            params: missing,
        })
    }
}

/// A parameter's type as written: `f32`, `f32[n, m]`.
pub fn type_text(kernel: &Kernel, param: &Param) -> String {
    if !param.is_array() {
        return param.elem().to_string();
    }
    let dims: Vec<&str> = param
        .dims()
        .iter()
        .map(|&s| kernel.sizes[s].name.as_str())
        .collect();
    format!("{}[{}]", param.elem(), dims.join(", "))
}

fn explicit_size(name: &str, spec: &Spec) -> Result<i64, InputError> {
    let bad = || InputError::BadSize {
        name: name.to_string(),
        found: spec_text(spec),
    };
    let Spec::Scalar(literal) = spec else {
        return Err(bad());
    };
    let value = to_integer(*literal).map_err(|_| bad())?;
    i64::try_from(value)
        .ok()
        .filter(|&n| n >= 0)
        .ok_or_else(bad)
}

fn spec_text(spec: &Spec) -> String {
    match spec {
        Spec::Scalar(literal) => literal.to_string(),
        Spec::Array(array) => format!("an array of shape {:?}", array.shape),
        Spec::Generator(generator) => generator.to_string(),
        Spec::Npy(path) => path.display().to_string(),
    }
}

/// The value of a literal or `.npy` spec; `None` for a generator, which
/// waits for the sizes.
fn concrete_value(
    kernel: &Kernel,
    param: &Param,
    spec: &Spec,
) -> Result<Option<Value>, InputError> {
    let name = || param.name.clone();
    let value = match (spec, param.is_array()) {
        (Spec::Generator(_), _) => return Ok(None),
        (Spec::Scalar(literal), false) => {
            let scalar =
                to_scalar(*literal, param.elem()).map_err(|error| InputError::Literal {
                    name: name(),
                    error,
                })?;
            Value::Scalar(scalar)
        }
        (Spec::Scalar(literal), true) => {
            return Err(InputError::ScalarForArray {
                name: name(),
                expected: type_text(kernel, param),
                literal: *literal,
            })
        }
        (Spec::Array(array), _) => Value::Array(literal_array(kernel, param, array)?),
        (Spec::Npy(path), _) => npy_value(kernel, param, path)?,
    };
    Ok(Some(value))
}

fn literal_array(
    kernel: &Kernel,
    param: &Param,
    literal: &ArrayLiteral,
) -> Result<Array, InputError> {
    check_rank(kernel, param, &literal.shape, || {
        format!("an array literal of shape {:?}", literal.shape)
    })?;
    let mut data = ArrayData::zeros(param.elem(), literal.elements.len());
    for (i, element) in literal.elements.iter().enumerate() {
        let scalar = to_scalar(*element, param.elem()).map_err(|error| InputError::Literal {
            name: format!("{}[{i}]", param.name),
            error,
        })?;
        data.set(i, scalar);
    }
    Ok(Array {
        shape: literal.shape.clone(),
        data,
    })
}

/// A scalar parameter needs a 0-d array; an array parameter an array of its
/// rank.
fn check_rank(
    kernel: &Kernel,
    param: &Param,
    shape: &[usize],
    found: impl FnOnce() -> String,
) -> Result<(), InputError> {
    if shape.len() == param.dims().len() {
        return Ok(());
    }
    let expected = match param.dims().len() {
        0 => format!("a scalar {}", param.elem()),
        rank => format!("a {rank}-D array {}", type_text(kernel, param)),
    };
    Err(InputError::WrongShape {
        name: param.name.clone(),
        expected,
        found: found(),
    })
}

fn npy_value(kernel: &Kernel, param: &Param, path: &Path) -> Result<Value, InputError> {
    let array = npy::read(path).map_err(|error| InputError::Npy {
        name: param.name.clone(),
        error,
    })?;
    if array.elem() != param.elem() {
        return Err(InputError::NpyDtype {
            name: param.name.clone(),
            path: path.to_path_buf(),
            expected: type_text(kernel, param),
            found: array.elem(),
        });
    }
    check_rank(kernel, param, &array.shape, || {
        format!("`{}` with shape {:?}", path.display(), array.shape)
    })?;
    Ok(match array.data.get(0) {
        Some(scalar) if !param.is_array() => Value::Scalar(scalar),
        _ => Value::Array(array),
    })
}

/// Sizes given explicitly, then those fixed by literal and `.npy` arrays
/// (the first array in declaration order wins; `bind` reports any array
/// that disagrees with it).
fn known_sizes(
    kernel: &Kernel,
    given: &BTreeMap<SizeId, i64>,
    values: &BTreeMap<ParamId, Value>,
) -> Result<BTreeMap<SizeId, i64>, InputError> {
    let mut sizes = given.clone();
    for (&id, value) in values {
        let Value::Array(array) = value else { continue };
        for (dim, (&size, &extent)) in kernel.params[id]
            .dims()
            .iter()
            .zip(&array.shape)
            .enumerate()
        {
            match given.get(&size) {
                Some(&n) if usize::try_from(n).ok() != Some(extent) => {
                    return Err(InputError::SizeConflict {
                        size: kernel.sizes[size].name.clone(),
                        given: n,
                        array: kernel.params[id].name.clone(),
                        dim,
                        extent,
                        size_from: None,
                        array_from: None,
                    })
                }
                _ => {}
            }
        }
        record_sizes(kernel, id, value, &mut sizes)?;
    }
    Ok(sizes)
}

fn record_sizes(
    kernel: &Kernel,
    id: ParamId,
    value: &Value,
    sizes: &mut BTreeMap<SizeId, i64>,
) -> Result<(), InputError> {
    let Value::Array(array) = value else {
        return Ok(());
    };
    let dims = kernel.params[id].dims().iter().zip(&array.shape);
    for (dim, (&size, &extent)) in dims.enumerate() {
        // Reported here, not left for `bind`: a size missing from `sizes`
        // would otherwise be reported as not given at all.
        let extent = i64::try_from(extent).map_err(|_| InputError::SizeTooLarge {
            size: kernel.sizes[size].name.clone(),
            array: kernel.params[id].name.clone(),
            dim,
            extent,
        })?;
        sizes.entry(size).or_insert(extent);
    }
    Ok(())
}

fn generated_value(
    kernel: &Kernel,
    param: &Param,
    generator: &Generator,
    sizes: &BTreeMap<SizeId, i64>,
) -> Result<Value, InputError> {
    let shape = param
        .dims()
        .iter()
        .map(|s| {
            let missing = || InputError::MissingSize {
                size: kernel.sizes[*s].name.clone(),
                needed_by: param.name.clone(),
            };
            // Explicit sizes are >= 0 and extents fit usize, so the
            // conversion only fails on 32-bit targets with huge sizes.
            sizes
                .get(s)
                .and_then(|&n| usize::try_from(n).ok())
                .ok_or_else(missing)
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let generator_error = |problem: String| InputError::Generator {
        name: param.name.clone(),
        generator: *generator,
        problem,
    };
    let count = element_count(&shape)
        .ok_or_else(|| generator_error(format!("shape {shape:?} is too large")))?;
    let data = generate(generator, param.elem(), count, &param.name).map_err(generator_error)?;
    Ok(match data.get(0) {
        Some(scalar) if !param.is_array() => Value::Scalar(scalar),
        _ => Value::Array(Array { shape, data }),
    })
}

/// Every size must be known by now; one named only by outputs is given by
/// the caller or nothing.
fn check_sizes_known(kernel: &Kernel, sizes: &BTreeMap<SizeId, i64>) -> Result<(), InputError> {
    for (id, size) in kernel.sizes.iter() {
        // A derived size is computed by `bind`, which reports overflow.
        if sizes.contains_key(&id) || size.definition.is_some() {
            continue;
        }
        let needed_by = kernel
            .params
            .values()
            .find(|p| p.dims().contains(&id))
            .map_or_else(|| kernel.name.clone(), |p| p.name.clone());
        return Err(InputError::MissingSize {
            size: size.name.clone(),
            needed_by,
        });
    }
    Ok(())
}

/// Explicit sizes go into `Args` too: `bind` checks them against the arrays
/// and needs the ones that only outputs name.
fn into_args(
    kernel: &Kernel,
    values: BTreeMap<ParamId, Value>,
    given: &BTreeMap<SizeId, i64>,
) -> Args {
    let mut args = Args::new();
    for (id, value) in values {
        args.values.insert(kernel.params[id].name.clone(), value);
    }
    for (&id, &n) in given {
        args.sizes.insert(kernel.sizes[id].name.clone(), n);
    }
    args
}
