//! kjit's descriptions as Python values of `kjit/_types.py`: diagnostics
//! (`kjit.Diagnostic`) and signatures (`kjit.Signature`, `Param`, `Size`).

use crate::arrays::with_element;
use kjit::api::{Role, Signature};
use kjit::diagnostic::{self, Diagnostic, Severity};
use kjit::span::line_col;
use kjit::types::ScalarType;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple, PyType};

static DIAGNOSTIC: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SIGNATURE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PARAM: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SIZE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TYPE_PARAM: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn class<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, "kjit._types", name)
}

/// `[kjit.Diagnostic, ...]` for `diagnostics` of `source`.
pub(crate) fn diagnostics<'py>(
    py: Python<'py>,
    diagnostics: &[Diagnostic],
    filename: &str,
    source: &str,
) -> PyResult<Bound<'py, PyList>> {
    let items = diagnostics
        .iter()
        .map(|d| diagnostic(py, d, filename, source))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

fn diagnostic<'py>(
    py: Python<'py>,
    d: &Diagnostic,
    filename: &str,
    source: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let span = d.primary_span();
    let start = span.map(|s| line_col(source, s.start));
    let end = span.map(|s| line_col(source, s.end));
    let rendered = diagnostic::render(std::slice::from_ref(d), filename, source, false);
    let args = (
        severity,
        d.message.as_str(),
        start.map(|p| p.0),
        start.map(|p| p.1),
        end.map(|p| p.0),
        end.map(|p| p.1),
        PyTuple::new(py, &d.notes)?,
        PyTuple::new(py, &d.help)?,
        rendered,
    );
    class(py, &DIAGNOSTIC, "Diagnostic")?.call1(args)
}

/// `kjit.Signature` of `sig`.
pub(crate) fn signature<'py>(py: Python<'py>, sig: &Signature) -> PyResult<Bound<'py, PyAny>> {
    let param_class = class(py, &PARAM, "Param")?;
    let size_name = |s: usize| sig.sizes.get(s).map_or("?", |s| s.name.as_str());
    // The type parameter each parameter's dtype is, in a generic kernel.
    let type_param = |index: usize| {
        (sig.type_params.iter())
            .find(|t| t.params.contains(&index))
            .map(|t| t.name.as_str())
    };
    let params = sig
        .params
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let dims: Vec<&str> = p.dims.iter().flatten().map(|&s| size_name(s)).collect();
            let role = match p.role {
                Role::Input => "input",
                Role::InOut => "inout",
                Role::Output => "output",
            };
            let args = (
                p.name.as_str(),
                role,
                dtype(py, p.elem),
                dims.len(),
                PyTuple::new(py, dims)?,
                type_param(index),
            );
            param_class.call1(args)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let size_class = class(py, &SIZE, "Size")?;
    let sizes = sig
        .sizes
        .iter()
        .map(|s| {
            let fixed_by = s
                .fixed_by
                .and_then(|(p, d)| Some((sig.params.get(p)?.name.as_str(), d)));
            size_class.call1((s.name.as_str(), fixed_by, !s.is_named()))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let type_param_class = class(py, &TYPE_PARAM, "TypeParam")?;
    let type_params = (sig.type_params.iter())
        .map(|t| {
            let dtypes: Vec<_> = t.allowed.iter().map(|&ty| dtype(py, ty)).collect();
            type_param_class.call1((t.name.as_str(), t.bound.as_str(), PyTuple::new(py, dtypes)?))
        })
        .collect::<PyResult<Vec<_>>>()?;
    let args = (
        sig.name.as_str(),
        PyTuple::new(py, params)?,
        PyTuple::new(py, sizes)?,
        sig.to_string(),
        PyTuple::new(py, type_params)?,
    );
    class(py, &SIGNATURE, "Signature")?.call1(args)
}

/// The numpy dtype of kjit type `ty`.
pub(crate) fn dtype(py: Python<'_>, ty: ScalarType) -> Bound<'_, numpy::PyArrayDescr> {
    with_element!(ty, T => numpy::dtype::<T>(py))
}
