//! One call of a kernel from Python, in order: gather the arguments
//! (position, keyword), prepare each (scalars converted, arrays checked and
//! inputs copied when their layout cannot be used in place), resolve the
//! sizes, allocate the outputs not given, refuse aliasing, then run the
//! library's binding without the GIL and return the outputs.
//!
//! Parameter indices come from the kernel's `Layout` and the signature
//! itself, and `Given`/`Prepared` have one slot per parameter (or size),
//! so indexing them cannot go out of range.
//!
//! Lean on purpose (a call on 1000 floats costs about a microsecond): no
//! `String` is built unless there is an error, parameters are found by
//! index, and the signature is the library's, read in place.

use crate::arrays::{self, Bounds, RawArray};
use crate::errors::{arg_error, argument_error, call_error};
use crate::kernel::Kernel;
use crate::scalars;
use crate::threads;
use kjit::api::{ArgError, CallError, Pool, Role, ScalarOutputs, Signature};
use kjit::signature::{bind_sizes, ArgShape, OutputArrays, ParamSig, SizeSig};
use kjit::types::{Scalar, ScalarType};
use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString, PyTuple};

/// The arguments of a call as the caller gave them.
struct Given<'py> {
    /// By parameter index.
    objects: Vec<Option<Bound<'py, PyAny>>>,
    /// By size index.
    sizes: Vec<Option<i64>>,
    threads: Option<usize>,
}

/// One parameter's argument, ready to bind.
enum Prepared<'py> {
    Scalar(Scalar),
    /// C-contiguous, aligned, of the declared dtype (a copy of the
    /// caller's input if it had another layout). `bounds` are the caller's
    /// array's, for the aliasing check (`None` for arrays kjit allocated).
    Array {
        array: Bound<'py, PyUntypedArray>,
        bounds: Bounds,
    },
    /// An array output the caller did not give: kjit allocates it.
    Allocate,
    ScalarOutput,
}

/// `kernel(*args, **kwargs)`.
pub(crate) fn call(
    py: Python<'_>,
    kernel: &Kernel,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let rust = kernel.rust()?;
    let given = gather(py, kernel, rust.signature(), args, kwargs)?;
    // A generic kernel: the instance the arguments' dtypes select (its
    // code is compiled on first use, below, without the GIL).
    let rust = (rust.select(|p| given.objects.get(p)?.as_ref().and_then(arrays::given_kind)))
        .map_err(|e| call_error(py, &e, &kernel.compiled))?;
    let sig = rust.signature();
    let mut prepared = prepare(py, sig, &given)?;
    let sizes = presize(py, sig, &prepared, &given.sizes)?;
    allocate_outputs(py, sig, &sizes, &mut prepared)?;
    check_aliasing(py, sig, &prepared)?;
    clear_bool_outputs(py, sig, &prepared, &given.sizes)?;
    let pool = threads::pool(given.threads.or(kernel.compiled.threads))?;
    let raw: Vec<Raw<'_>> = prepared.iter().map(Raw::of).collect();
    let memory = Memory(&raw);
    let given_sizes = &given.sizes;
    let outcome = py.detach(move || run(rust, memory, given_sizes, &pool));
    let scalars = outcome.map_err(|e| call_error(py, &e, &kernel.compiled))?;
    results(py, kernel, sig, prepared, &scalars)
}

fn gather<'py>(
    py: Python<'py>,
    kernel: &Kernel,
    sig: &Signature,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Given<'py>> {
    let positional = &kernel.layout.positional;
    if args.len() > positional.len() {
        return Err(too_many(py, sig, positional, args.len()));
    }
    let mut given = Given {
        objects: vec![None; sig.params.len()],
        sizes: vec![None; sig.sizes.len()],
        threads: None,
    };
    for (obj, &p) in args.iter().zip(positional) {
        given.objects[p] = Some(obj);
    }
    if let Some(kwargs) = kwargs {
        for (key, value) in kwargs.iter() {
            keyword(py, kernel, sig, &mut given, key.cast::<PyString>()?, value)?;
        }
    }
    Ok(given)
}

fn too_many(py: Python<'_>, sig: &Signature, positional: &[usize], found: usize) -> PyErr {
    let names: Vec<&str> = positional
        .iter()
        .map(|&p| sig.params[p].name.as_str())
        .collect();
    argument_error(
        py,
        format!(
            "{}() takes {} positional arguments ({}) but {found} were given",
            sig.name,
            names.len(),
            names.join(", ")
        ),
        None,
    )
}

/// Where a keyword goes.
enum Target {
    Param(usize),
    Size(usize),
    Threads,
}

/// The parameter or size `key` names: by identity first (a keyword in the
/// caller's source is the interned name), by text otherwise. A parameter
/// or size called `threads` takes that keyword from the call's own.
fn target(kernel: &Kernel, key: &Bound<'_, PyString>) -> PyResult<Option<Target>> {
    let layout = &kernel.layout;
    let same = |names: &[Py<PyString>]| names.iter().position(|n| n.is(key));
    if let Some(p) = same(&layout.param_names) {
        return Ok(Some(Target::Param(p)));
    }
    if let Some(s) = same(&layout.size_names) {
        return Ok(Some(Target::Size(s)));
    }
    let py = key.py();
    let threads = intern!(py, "threads");
    if key.is(threads) {
        return Ok(Some(Target::Threads));
    }
    // A key built at run time (`**{"x": x}`): compare the text.
    let equal = |names: &[Py<PyString>]| -> PyResult<Option<usize>> {
        for (i, name) in names.iter().enumerate() {
            if PyAnyMethods::eq(name.bind(py).as_any(), key)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    };
    if let Some(p) = equal(&layout.param_names)? {
        return Ok(Some(Target::Param(p)));
    }
    if let Some(s) = equal(&layout.size_names)? {
        return Ok(Some(Target::Size(s)));
    }
    Ok(PyAnyMethods::eq(key.as_any(), threads)?.then_some(Target::Threads))
}

/// A keyword argument: a parameter, a size, or `threads`.
fn keyword<'py>(
    py: Python<'py>,
    kernel: &Kernel,
    sig: &Signature,
    given: &mut Given<'py>,
    key: &Bound<'py, PyString>,
    value: Bound<'py, PyAny>,
) -> PyResult<()> {
    match target(kernel, key)? {
        Some(Target::Param(p)) => {
            let param = &sig.params[p];
            if param.role == Role::Output && param.dims.is_none() {
                let error = ArgError::OutputGiven {
                    name: param.name.clone(),
                };
                return Err(arg_error(py, &error));
            }
            if given.objects[p].is_some() {
                let message = format!(
                    "argument `{}` is given by position and by keyword",
                    param.name
                );
                return Err(argument_error(py, message, Some(&param.name)));
            }
            given.objects[p] = Some(value);
        }
        Some(Target::Size(s)) => given.sizes[s] = Some(size(&value, &sig.sizes[s])?),
        Some(Target::Threads) => {
            given.threads = match value.is_none() {
                true => None,
                false => Some(threads::validate(&value)?),
            }
        }
        None => return Err(unknown_keyword(py, sig, &key.to_cow()?)),
    }
    Ok(())
}

fn unknown_keyword(py: Python<'_>, sig: &Signature, key: &str) -> PyErr {
    let params: Vec<&str> = sig.params.iter().map(|p| p.name.as_str()).collect();
    let sizes: Vec<&str> = sig.sizes.iter().map(|s| s.name.as_str()).collect();
    let message = format!(
        "argument `{key}`: the kernel has no such parameter or size (parameters: {}; sizes: {}; and threads)",
        params.join(", "),
        if sizes.is_empty() { "none".into() } else { sizes.join(", ") }
    );
    argument_error(py, message, Some(key))
}

/// A size given as a keyword: an int in `0..=i64::MAX` (negative values
/// are refused by the library's checks, naming the size). A derived size
/// (`n - w + 1`) is computed, never given.
fn size(value: &Bound<'_, PyAny>, size: &SizeSig) -> PyResult<i64> {
    let name = size.name.as_str();
    if !size.is_named() {
        let message = format!("size `{name}` is computed from other sizes; it cannot be given");
        return Err(argument_error(value.py(), message, Some(name)));
    }
    let as_int = match value.is_instance_of::<PyBool>() {
        true => None,
        false => value.call_method0("__index__").ok(),
    };
    let fits = as_int.and_then(|v| v.extract::<i64>().ok());
    fits.ok_or_else(|| {
        let shown = value.repr().map_or_else(|_| "?".into(), |r| r.to_string());
        argument_error(
            value.py(),
            format!("size `{name}`: expected an int that fits in int64, got {shown}"),
            Some(name),
        )
    })
}

fn prepare<'py>(
    py: Python<'py>,
    sig: &Signature,
    given: &Given<'py>,
) -> PyResult<Vec<Prepared<'py>>> {
    let params = sig.params.iter().zip(&given.objects);
    params
        .map(|(param, obj)| prepare_one(py, sig, param, obj.as_ref()))
        .collect()
}

fn prepare_one<'py>(
    py: Python<'py>,
    sig: &Signature,
    param: &ParamSig,
    obj: Option<&Bound<'py, PyAny>>,
) -> PyResult<Prepared<'py>> {
    let array = |(array, bounds)| Prepared::Array { array, bounds };
    match (param.role, param.dims.is_some(), obj) {
        (Role::Output, false, _) => Ok(Prepared::ScalarOutput),
        (Role::Output, true, None) => Ok(Prepared::Allocate),
        (_, _, None) => {
            let name = param.name.clone();
            let expected = sig.type_text(param);
            Err(arg_error(py, &ArgError::MissingArgument { name, expected }))
        }
        (_, false, Some(obj)) => scalars::from_python(obj, param).map(Prepared::Scalar),
        (Role::Input, true, Some(obj)) => arrays::input(obj, param).map(array),
        (_, true, Some(obj)) => arrays::writable(obj, param).map(array),
    }
}

/// Every size's value, from the inputs, the sizes given, and, for a size
/// no input fixes and the call does not name, the outputs given.
fn presize(
    py: Python<'_>,
    sig: &Signature,
    prepared: &[Prepared<'_>],
    given: &[Option<i64>],
) -> PyResult<Vec<i64>> {
    let shape = |p: usize| arg_shape(sig, prepared, p);
    let size = |s: usize| {
        let named = given.get(s).copied().flatten();
        let free =
            (sig.sizes.get(s)).is_some_and(|size| size.is_named() && size.fixed_by.is_none());
        named.or_else(|| free.then(|| output_extent(sig, prepared, s)).flatten())
    };
    bind_sizes(sig, shape, size, OutputArrays::Allocated).map_err(|e| arg_error(py, &e))
}

/// What the library's checks see of parameter `p`'s argument.
fn arg_shape<'a>(sig: &Signature, prepared: &'a [Prepared<'_>], p: usize) -> Option<ArgShape<'a>> {
    match prepared.get(p)? {
        Prepared::Scalar(x) => Some(ArgShape::Scalar(x.ty())),
        Prepared::Array { array, .. } => Some(ArgShape::Array {
            elem: sig.params.get(p)?.elem,
            shape: array.shape(),
            len: array.len(),
        }),
        Prepared::Allocate | Prepared::ScalarOutput => None,
    }
}

/// The extent of size `s` in the first output array the caller gave whose
/// shape names it.
fn output_extent(sig: &Signature, prepared: &[Prepared<'_>], s: usize) -> Option<i64> {
    sig.params.iter().zip(prepared).find_map(|(param, arg)| {
        let (Role::Output, Some(dims), Prepared::Array { array, .. }) =
            (param.role, &param.dims, arg)
        else {
            return None;
        };
        let dim = dims.iter().position(|&d| d == s)?;
        i64::try_from(*array.shape().get(dim)?).ok()
    })
}

fn allocate_outputs<'py>(
    py: Python<'py>,
    sig: &Signature,
    sizes: &[i64],
    prepared: &mut [Prepared<'py>],
) -> PyResult<()> {
    for (param, arg) in sig.params.iter().zip(prepared.iter_mut()) {
        if matches!(arg, Prepared::Allocate) {
            let shape = sig.shape(param, sizes);
            let array = arrays::allocate(py, param.elem, &shape)
                .map_err(|e| allocation_error(py, param, &shape, e))?;
            // Fresh memory overlaps nothing.
            *arg = Prepared::Array {
                array,
                bounds: None,
            };
        }
    }
    Ok(())
}

/// numpy's refusal to allocate an output, naming it: a `MemoryError` stays
/// one; a size past what numpy can address becomes an argument error.
fn allocation_error(py: Python<'_>, param: &ParamSig, shape: &[usize], error: PyErr) -> PyErr {
    let message = format!(
        "output `{}` of shape {shape:?} ({}) cannot be allocated: {}",
        param.name,
        arrays::numpy_name(param.elem),
        error.value(py)
    );
    if error.is_instance_of::<pyo3::exceptions::PyMemoryError>(py) {
        return pyo3::exceptions::PyMemoryError::new_err(message);
    }
    argument_error(py, message, Some(&param.name))
}

/// Refuses an array the kernel writes (output or `inout`) that shares
/// memory with any other array argument: the kernel would read what it
/// is overwriting, in an order that depends on the threads.
fn check_aliasing(py: Python<'_>, sig: &Signature, prepared: &[Prepared<'_>]) -> PyResult<()> {
    let bounds = |p: usize| match prepared.get(p) {
        Some(Prepared::Array { bounds, .. }) => *bounds,
        _ => None,
    };
    for (w, written) in sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.role != Role::Input)
    {
        let Some((start, end)) = bounds(w) else {
            continue;
        };
        for (o, other) in sig.params.iter().enumerate() {
            let overlaps = o != w && bounds(o).is_some_and(|(s, e)| s < end && start < e);
            if overlaps {
                let message = format!(
                    "argument `{}` shares memory with argument `{}`: an array the kernel writes cannot overlap another argument (pass a separate array)",
                    written.name, other.name
                );
                return Err(argument_error(py, message, Some(&written.name)));
            }
        }
    }
    Ok(())
}

/// Zeroes the caller's bool outputs that hold bytes other than 0 and 1
/// (their old contents do not matter: the run writes or zero-fills every
/// element), so that the binding's `&mut [bool]` refers to valid `bool`s.
/// The whole call is checked first, as the binding will check it, so that
/// no argument error can follow the write.
fn clear_bool_outputs(
    py: Python<'_>,
    sig: &Signature,
    prepared: &[Prepared<'_>],
    given: &[Option<i64>],
) -> PyResult<()> {
    let needs_clearing = |param: &ParamSig, arg: &Prepared<'_>| {
        let Prepared::Array {
            array,
            bounds: Some(_),
        } = arg
        else {
            return false;
        };
        param.role == Role::Output && param.elem == ScalarType::Bool && !arrays::holds_0_or_1(array)
    };
    let params = || sig.params.iter().zip(prepared);
    if !params().any(|(param, arg)| needs_clearing(param, arg)) {
        return Ok(());
    }
    let shape = |p: usize| arg_shape(sig, prepared, p);
    let size = |s: usize| given.get(s).copied().flatten();
    bind_sizes(sig, shape, size, OutputArrays::Given).map_err(|e| arg_error(py, &e))?;
    for (param, arg) in params() {
        if let (true, Prepared::Array { array, .. }) = (needs_clearing(param, arg), arg) {
            arrays::clear(array);
        }
    }
    Ok(())
}

/// One argument as the GIL-free section sees it.
enum Raw<'a> {
    Scalar(Scalar),
    Array(RawArray<'a>),
    None,
}

impl<'a> Raw<'a> {
    fn of(arg: &'a Prepared<'_>) -> Raw<'a> {
        match arg {
            Prepared::Scalar(x) => Raw::Scalar(*x),
            Prepared::Array { array, .. } => Raw::Array(RawArray::of(array)),
            Prepared::Allocate | Prepared::ScalarOutput => Raw::None,
        }
    }
}

/// The call's arguments as plain memory, for the GIL-free section.
struct Memory<'a>(&'a [Raw<'a>]);

// SAFETY: `Raw` holds raw pointers, so it is not `Send` by default.
// `py.detach` asks for `Send` (pyo3's `Ungil`) to keep anything that needs
// the GIL out of the closure; these pointers do not need it: they address
// the memory of numpy arrays that `prepared`, in the calling frame, keeps
// alive until `detach` returns, and the closure runs on this same thread.
unsafe impl Send for Memory<'_> {}

fn run<'k>(
    kernel: kjit::api::Kernel<'k>,
    memory: Memory<'_>,
    sizes: &[Option<i64>],
    pool: &Pool,
) -> Result<ScalarOutputs<'k>, CallError> {
    let sig = kernel.signature();
    let mut binding = kernel.bind();
    for (param, raw) in sig.params.iter().zip(memory.0) {
        binding = match raw {
            Raw::Scalar(x) => binding.scalar(&param.name, *x),
            // SAFETY: `arrays::input`, `arrays::writable` and
            // `arrays::allocate` made every array C-contiguous, aligned, of
            // the parameter's dtype, with bool bytes 0 or 1, and written
            // ones writeable; `check_aliasing` refused overlaps; `prepared`
            // keeps them alive for the whole run.
            Raw::Array(array) => unsafe { arrays::give(binding, param, array) },
            Raw::None => binding,
        };
    }
    for (size, value) in sig.sizes.iter().zip(sizes) {
        if let Some(value) = *value {
            binding = binding.size(&size.name, value);
        }
    }
    binding.run_on(pool)
}

/// The outputs in declared order: `None`, the one output, or a named tuple.
fn results(
    py: Python<'_>,
    kernel: &Kernel,
    sig: &Signature,
    mut prepared: Vec<Prepared<'_>>,
    scalars: &ScalarOutputs<'_>,
) -> PyResult<Py<PyAny>> {
    let outputs = &kernel.layout.outputs;
    let mut values = Vec::with_capacity(outputs.len());
    for &p in outputs {
        let param = &sig.params[p];
        let value = match std::mem::replace(&mut prepared[p], Prepared::ScalarOutput) {
            Prepared::Array { array, .. } => array.into_any(),
            // The runtime returns every scalar output; zero is what an
            // output starts as, should one ever be missing.
            _ => {
                let x = scalars.get(&param.name).unwrap_or(Scalar::zero(param.elem));
                scalars::to_numpy(py, x)?
            }
        };
        values.push(value);
    }
    match values.len() {
        0 => Ok(py.None()),
        1 => Ok(values.remove(0).unbind()),
        _ => result_tuple(py, kernel, sig, values),
    }
}

fn result_tuple(
    py: Python<'_>,
    kernel: &Kernel,
    sig: &Signature,
    values: Vec<Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let tuple = PyTuple::new(py, values)?;
    let class = kernel.layout.result_type.get_or_try_init(py, || {
        let names: Vec<&str> = kernel
            .layout
            .outputs
            .iter()
            .map(|&p| sig.params[p].name.as_str())
            .collect();
        let make = py.import("kjit._types")?.getattr("_result_type")?;
        make.call1((sig.name.as_str(), PyTuple::new(py, names)?))
            .map(Bound::unbind)
    });
    match class {
        Ok(class) => Ok(class.bind(py).call1(tuple)?.unbind()),
        // A name namedtuple refuses (a Python keyword): a plain tuple.
        Err(_) => Ok(tuple.into_any().unbind()),
    }
}
