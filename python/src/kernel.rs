//! `kjit.Kernel`: one kernel of a program, called like a Python function
//! (the call path is `call`), with its signature and stage dumps.

use crate::call;
use crate::describe;
use crate::errors::{argument_error, compile_error};
use crate::program::{Compiled, Program};
use kjit::api::{Role, Stage};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};
use std::sync::Arc;

/// A compiled kernel. Call it with its inputs, by position (declared order)
/// or keyword; sizes no input fixes as keywords (``n=1000``); an output
/// named as a keyword is written in place; ``threads=`` sets the thread
/// count of this call. Returns the outputs: ``None``, one value, or a named
/// tuple in declared order (arrays as numpy arrays, scalars as numpy
/// scalars). The GIL is released while the kernel runs.
#[pyclass(module = "kjit", frozen)]
pub struct Kernel {
    pub(crate) compiled: Arc<Compiled>,
    name: String,
    /// How Python arguments map onto parameters, worked out once.
    pub(crate) layout: Layout,
}

/// The parameters as a Python call sees them. Every index here is a
/// position in the kernel's own `Signature::params` (or `sizes`), which
/// never changes once compiled, so the call path indexes with them freely.
pub(crate) struct Layout {
    /// Parameters taken by position: inputs and `inout` arrays, in order.
    pub positional: Vec<usize>,
    /// Outputs, in declared order: what a call returns.
    pub outputs: Vec<usize>,
    /// Parameter and size names, interned: a keyword written in the
    /// caller's source is the same object, found without comparing text.
    pub param_names: Vec<Py<PyString>>,
    pub size_names: Vec<Py<PyString>>,
    /// The named tuple type of the results, when there are several.
    pub result_type: PyOnceLock<Py<PyAny>>,
}

impl Kernel {
    /// Kernel `name` of `compiled`, which must have it.
    pub(crate) fn new(py: Python<'_>, compiled: Arc<Compiled>, name: String) -> PyResult<Kernel> {
        let layout = match compiled.program.kernel(&name) {
            Some(kernel) => Layout::of(py, kernel.signature()),
            None => return Err(missing(&name)),
        };
        Ok(Kernel {
            compiled,
            name,
            layout,
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The library's kernel. It exists: this object was made from the
    /// program's own kernel names.
    pub(crate) fn rust(&self) -> PyResult<kjit::api::Kernel<'_>> {
        (self.compiled.program.kernel(&self.name)).ok_or_else(|| missing(&self.name))
    }
}

fn missing(name: &str) -> PyErr {
    PyRuntimeError::new_err(format!("kjit: the program has no kernel `{name}`"))
}

impl Layout {
    fn of(py: Python<'_>, sig: &kjit::api::Signature) -> Layout {
        let roles = sig.params.iter().enumerate();
        let positional = roles
            .clone()
            .filter(|(_, p)| p.role != Role::Output)
            .map(|(i, _)| i)
            .collect();
        let outputs = roles
            .filter(|(_, p)| p.role == Role::Output)
            .map(|(i, _)| i)
            .collect();
        let intern = |name: &str| PyString::intern(py, name).unbind();
        Layout {
            positional,
            outputs,
            param_names: sig.params.iter().map(|p| intern(&p.name)).collect(),
            size_names: sig.sizes.iter().map(|s| intern(&s.name)).collect(),
            result_type: PyOnceLock::new(),
        }
    }
}

#[pymethods]
impl Kernel {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        call::call(py, self, args, kwargs)
    }

    #[getter(name)]
    fn kernel_name(&self) -> &str {
        &self.name
    }

    /// The kernel's interface: parameters (name, role, dtype, rank, dims)
    /// and sizes, as a ``kjit.Signature``.
    #[getter]
    fn signature<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        describe::signature(py, self.rust()?.signature())
    }

    /// How the kernel is vectorized and parallelized, and why: per phase
    /// and source line, what runs as SIMD, what does not, and what to change
    /// (``kjit explain``).
    fn explain(&self, py: Python<'_>) -> PyResult<String> {
        self.dump(py, "explain")
    }

    /// The text of a compilation stage: ``"ir"`` (as checked), ``"lowered"``
    /// (IR after the passes), ``"plan"`` (the vector plan), ``"explain"``,
    /// ``"clif"`` (Cranelift IR) or ``"asm"`` (machine code).
    #[pyo3(signature = (stage="plan"))]
    fn dump(&self, py: Python<'_>, stage: &str) -> PyResult<String> {
        let Some(stage) = Stage::from_name(stage) else {
            let names: Vec<&str> = Stage::ALL.iter().map(|s| s.name()).collect();
            return Err(argument_error(
                py,
                format!("no stage `{stage}` (stages: {})", names.join(", ")),
                Some("stage"),
            ));
        };
        let kernel = self.rust()?;
        py.detach(|| kernel.dump(stage)).map_err(|e| {
            compile_error(
                py,
                &e,
                &self.compiled.filename,
                self.compiled.program.source(),
            )
        })
    }

    /// The instances of a generic kernel compiled so far, by name
    /// (``("saxpy<T = f32>",)``): each is compiled on its first call and
    /// kept. An ordinary kernel is compiled with its program: its name.
    #[getter]
    fn compiled_instances(&self) -> PyResult<Vec<String>> {
        let kernel = self.rust()?;
        let types = |sig: &kjit::api::Signature| -> Vec<kjit::types::ScalarType> {
            sig.type_params.iter().map(|t| t.ty).collect()
        };
        Ok(kernel
            .instances()
            .filter(|sig| {
                kernel
                    .instance(&types(sig))
                    .is_some_and(|k| k.is_compiled())
            })
            .map(|sig| sig.instance_name())
            .collect())
    }

    /// The program's source text.
    #[getter]
    fn source(&self) -> &str {
        self.compiled.program.source()
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py.import("kjit._kjit")?.getattr("rebuild_kernel")?;
        let (source, filename, threads, fast_math) = Program::pickle_args(&self.compiled);
        let args = (source, filename, threads, fast_math, self.name.as_str()).into_pyobject(py)?;
        Ok((rebuild, args))
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("<kjit.Kernel {}>", self.rust()?.signature()))
    }
}
