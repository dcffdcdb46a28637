//! Python values ↔ kjit scalars: arguments convert to the declared type
//! (range-checked, never wrapped); scalar outputs come back as numpy
//! scalars of the declared type.

use crate::arrays::numpy_name;
use crate::errors::argument_error;
use kjit::signature::ParamSig;
use kjit::types::{Kind, Scalar};
use numpy::npyffi::PY_ARRAY_API;
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

/// `obj` as a value of parameter `param`'s type: a bool from `bool` or
/// `np.bool_`; an integer from anything with `__index__` (int, numpy
/// integers), if it fits; a float from anything with `__float__` (float,
/// int, numpy scalars), rounded once. Bools are not numbers here: `True`
/// passed as a float is more likely a slip than a 1.0.
pub(crate) fn from_python(obj: &Bound<'_, PyAny>, param: &ParamSig) -> PyResult<Scalar> {
    // The common cases first, with no attribute lookups: a call's overhead
    // is a microsecond, and a lookup by name costs a tenth of one.
    if let Some(x) = exact(obj, param)? {
        return Ok(x);
    }
    // Arrays have `__float__` and `__index__` too, for one element.
    if obj.cast::<PyUntypedArray>().is_ok_and(|a| a.ndim() > 0) {
        return Err(mismatch(obj, param));
    }
    let is_bool = is_bool(obj)?;
    match param.elem.kind() {
        Kind::Bool if is_bool => Ok(Scalar::Bool(obj.is_truthy()?)),
        _ if is_bool => Err(mismatch(obj, param)),
        Kind::Bool => Err(mismatch(obj, param)),
        Kind::Int { .. } => int(obj, param),
        Kind::Float => float(obj, param),
    }
}

/// A Python `float`, `int` or `bool` (exactly those types) for a parameter
/// that takes it; `None` to go the general way.
fn exact(obj: &Bound<'_, PyAny>, param: &ParamSig) -> PyResult<Option<Scalar>> {
    let kind = param.elem.kind();
    let fast = match kind {
        Kind::Float => obj.is_exact_instance_of::<PyFloat>() || obj.is_exact_instance_of::<PyInt>(),
        Kind::Int { .. } => obj.is_exact_instance_of::<PyInt>(),
        Kind::Bool => obj.is_exact_instance_of::<PyBool>(),
    };
    if !fast {
        return Ok(None);
    }
    match kind {
        Kind::Float => float(obj, param).map(Some),
        Kind::Int { .. } => int(obj, param).map(Some),
        Kind::Bool => Ok(Some(Scalar::Bool(obj.is_truthy()?))),
    }
}

fn is_bool(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(true);
    }
    let np_bool = numpy::dtype::<bool>(obj.py()).typeobj();
    obj.is_instance(&np_bool)
}

/// Through `__index__` (pyo3's integer extraction): a float is refused
/// rather than truncated; an int too large for any type is out of range.
fn int(obj: &Bound<'_, PyAny>, param: &ParamSig) -> PyResult<Scalar> {
    match obj.extract::<i128>() {
        Ok(v) => Scalar::of_int_exact(param.elem, v).ok_or_else(|| out_of_range(obj, param)),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Err(out_of_range(obj, param)),
        Err(_) => Err(mismatch(obj, param)),
    }
}

/// Through `__float__` (or `__index__`); an int too large for a double
/// raises OverflowError, and a finite value that rounds to infinity in
/// `f32` does not fit either.
fn float(obj: &Bound<'_, PyAny>, param: &ParamSig) -> PyResult<Scalar> {
    let v = match obj.extract::<f64>() {
        Ok(v) => v,
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            return Err(out_of_range(obj, param))
        }
        Err(_) => return Err(mismatch(obj, param)),
    };
    let x = Scalar::of_float(param.elem, v).ok_or_else(|| mismatch(obj, param))?;
    let overflowed = matches!(x, Scalar::F32(r) if r.is_infinite() && v.is_finite());
    if overflowed {
        return Err(out_of_range(obj, param));
    }
    Ok(x)
}

fn mismatch(obj: &Bound<'_, PyAny>, param: &ParamSig) -> PyErr {
    let got = obj
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string());
    let want = numpy_name(param.elem);
    let name = &param.name;
    argument_error(
        obj.py(),
        format!("argument `{name}`: expected a {want} scalar, got {got}"),
        Some(name),
    )
}

fn out_of_range(obj: &Bound<'_, PyAny>, param: &ParamSig) -> PyErr {
    let shown = obj
        .repr()
        .map_or_else(|_| "?".to_string(), |r| r.to_string());
    let want = numpy_name(param.elem);
    let name = &param.name;
    argument_error(
        obj.py(),
        format!("argument `{name}`: {shown} does not fit in {want}"),
        Some(name),
    )
}

/// `x` as a numpy scalar of its type (`np.float32(1.5)`).
pub(crate) fn to_numpy(py: Python<'_>, x: Scalar) -> PyResult<Bound<'_, PyAny>> {
    match x {
        Scalar::Bool(v) => numpy_scalar(py, v),
        Scalar::I8(v) => numpy_scalar(py, v),
        Scalar::I16(v) => numpy_scalar(py, v),
        Scalar::I32(v) => numpy_scalar(py, v),
        Scalar::I64(v) => numpy_scalar(py, v),
        Scalar::U8(v) => numpy_scalar(py, v),
        Scalar::U16(v) => numpy_scalar(py, v),
        Scalar::U32(v) => numpy_scalar(py, v),
        Scalar::U64(v) => numpy_scalar(py, v),
        Scalar::F32(v) => numpy_scalar(py, v),
        Scalar::F64(v) => numpy_scalar(py, v),
    }
}

fn numpy_scalar<T: numpy::Element>(py: Python<'_>, mut value: T) -> PyResult<Bound<'_, PyAny>> {
    let descr = numpy::dtype::<T>(py);
    // SAFETY: `value` is one element of `descr`'s type, which
    // PyArray_Scalar copies; it borrows the descriptor and returns a new
    // reference or null with an error set.
    unsafe {
        let ptr = PY_ARRAY_API.PyArray_Scalar(
            py,
            (&raw mut value).cast(),
            descr.as_dtype_ptr(),
            std::ptr::null_mut(),
        );
        Bound::from_owned_ptr_or_err(py, ptr)
    }
}
