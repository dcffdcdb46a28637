//! kjit's errors as Python exceptions of `kjit/_types.py`: `CompileError`
//! (with its diagnostics), `ArgumentError` (naming the argument) and
//! `KernelError` (kernel, array, index, shape, line, column, snippet).

use crate::describe;
use crate::program::Compiled;
use kjit::api::{ArgError, CallError, CompileError, RunError};
use kjit::span::line_col;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

static ARGUMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static COMPILE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static KERNEL_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// An instance of `kjit._types.<class>(message, **fields)`, raised as an
/// error; if the class cannot be had (the package is broken), `fallback`
/// with the message, so the error is never lost.
fn raise(
    py: Python<'_>,
    class: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    message: String,
    fields: impl FnOnce(&Bound<'_, PyDict>) -> PyResult<()>,
    fallback: fn(String) -> PyErr,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = class.import(py, "kjit._types", name)?;
        let kwargs = PyDict::new(py);
        fields(&kwargs)?;
        let error = class.call((message.as_str(),), Some(&kwargs))?;
        Ok(PyErr::from_value(error))
    };
    build().unwrap_or_else(|_| fallback(message))
}

/// `kjit.ArgumentError(message, argument=...)`.
pub(crate) fn argument_error(py: Python<'_>, message: String, argument: Option<&str>) -> PyErr {
    let fields = |kwargs: &Bound<'_, PyDict>| kwargs.set_item("argument", argument);
    raise(
        py,
        &ARGUMENT_ERROR,
        "ArgumentError",
        message,
        fields,
        PyValueError::new_err,
    )
}

/// A library argument error, with the argument or size it names.
pub(crate) fn arg_error(py: Python<'_>, error: &ArgError) -> PyErr {
    argument_error(py, error.to_string(), arg_error_subject(error))
}

fn arg_error_subject(error: &ArgError) -> Option<&str> {
    use ArgError::*;
    match error {
        MissingArgument { name, .. }
        | UnknownArgument { name }
        | OutputGiven { name }
        | ExpectedScalar { name, .. }
        | ExpectedArray { name, .. }
        | WrongDtype { name, .. }
        | WrongRank { name, .. }
        | InconsistentArray { name, .. }
        | SizeMismatch { name, .. }
        | SizeTooLarge { name, .. }
        | OutputTooLarge { name, .. }
        | DuplicateArgument { name }
        | WrongRole { name, .. }
        | TypeOutsideBound { name, .. } => Some(name),
        UnknownSize { size }
        | MissingSize { size }
        | NegativeSize { size, .. }
        | SizeConflict { size, .. }
        | DuplicateSize { size }
        | DerivedSize { size, .. } => Some(size),
        DerivedMismatch { found, .. } => Some(&found.array),
    }
}

/// `kjit.CompileError` for a source that did not compile; an invalid
/// option is a `ValueError` and a thread pool that cannot start a
/// `RuntimeError` (neither is the source's fault).
pub(crate) fn compile_error(
    py: Python<'_>,
    error: &CompileError,
    filename: &str,
    source: &str,
) -> PyErr {
    let diagnostics = match error {
        CompileError::Diagnostics(diagnostics) => diagnostics.as_slice(),
        CompileError::Options(e) => return PyValueError::new_err(e.to_string()),
        CompileError::ThreadPool { .. } => return PyRuntimeError::new_err(error.to_string()),
        CompileError::Codegen(_) => &[],
    };
    let message = error.render(filename, source);
    let fields = |kwargs: &Bound<'_, PyDict>| {
        let list = describe::diagnostics(py, diagnostics, filename, source)?;
        kwargs.set_item("diagnostics", list)?;
        kwargs.set_item("filename", filename)
    };
    raise(
        py,
        &COMPILE_ERROR,
        "CompileError",
        message,
        fields,
        PyRuntimeError::new_err,
    )
}

/// The Python exception of a failed call.
pub(crate) fn call_error(py: Python<'_>, error: &CallError, compiled: &Compiled) -> PyErr {
    match error {
        CallError::Args(error) => arg_error(py, error),
        CallError::Run(error) => kernel_error(py, error, compiled),
        CallError::OutOfMemory { .. } => {
            pyo3::exceptions::PyMemoryError::new_err(error.to_string())
        }
        // An instance of a generic kernel that did not compile on its first
        // call (a size limit of code generation).
        CallError::Compile { .. } => PyRuntimeError::new_err(error.to_string()),
    }
}

/// `kjit.KernelError`, its message a code frame at the failed read.
fn kernel_error(py: Python<'_>, error: &RunError, compiled: &Compiled) -> PyErr {
    let source = compiled.program.source();
    let rendered = CallError::Run(error.clone()).render(&compiled.filename, source);
    let fields = |kwargs: &Bound<'_, PyDict>| {
        let RunError::OutOfBounds {
            kernel,
            array,
            index,
            shape,
            span,
            ..
        } = error
        else {
            return Ok(());
        };
        let (line, column) = line_col(source, span.start);
        let snippet = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
        kwargs.set_item("kernel", kernel)?;
        kwargs.set_item("array", array)?;
        kwargs.set_item("index", pyo3::types::PyTuple::new(py, index)?)?;
        kwargs.set_item("shape", pyo3::types::PyTuple::new(py, shape)?)?;
        kwargs.set_item("line", line)?;
        kwargs.set_item("column", column)?;
        kwargs.set_item("snippet", snippet.trim_end())
    };
    raise(
        py,
        &KERNEL_ERROR,
        "KernelError",
        rendered,
        fields,
        PyRuntimeError::new_err,
    )
}
