//! `kjit.Program`: a compiled source, its kernels as attributes and items;
//! `kjit.compile`, `kjit.compile_file` and `kjit.kernel` make one.

use crate::describe;
use crate::errors::{argument_error, compile_error};
use crate::kernel::Kernel;
use crate::threads;
use kjit::options::Options;
use pyo3::exceptions::{PyAttributeError, PyKeyError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::path::PathBuf;
use std::sync::Arc;

/// What a program's kernels share: the compiled code and what it was
/// compiled from (pickling recompiles from these).
pub(crate) struct Compiled {
    pub program: kjit::api::Program,
    /// Heads the code frames of errors: the file, or `<string>`.
    pub filename: String,
    /// Threads as asked for at compile time or by `KJIT_NUM_THREADS`
    /// (`None`: rayon's global pool). Kept out of the Rust program, whose
    /// own pool would be per program: pools are shared (`threads`).
    pub threads: Option<usize>,
    /// `threads=` as given to compile (`None`: the default), which is what
    /// a pickle carries: another process decides its own default.
    pub threads_given: Option<usize>,
    pub fast_math: bool,
}

/// A compiled ``.kern`` source. Its kernels are attributes (``prog.saxpy``)
/// and items (``prog["saxpy"]``); it is safe to call them from many threads
/// at once, and it pickles (by recompiling from the source).
#[pyclass(module = "kjit", frozen)]
pub struct Program {
    pub(crate) compiled: Arc<Compiled>,
    /// In source order.
    kernels: Vec<Py<Kernel>>,
}

/// Compiles `source`; the shared work of every constructor.
fn build(
    py: Python<'_>,
    source: String,
    filename: String,
    threads: Option<&Bound<'_, PyAny>>,
    fast_math: bool,
) -> PyResult<Program> {
    let threads_given = match threads.filter(|t| !t.is_none()) {
        Some(t) => Some(threads::validate(t)?),
        None => None,
    };
    let effective = threads::program_threads(threads)?;
    let options = Options {
        fast_math,
        ..Options::default()
    };
    // Compiling takes a millisecond or more: other Python threads may run.
    let program = py
        .detach(|| kjit::api::Program::compile(&source, options))
        .map_err(|e| compile_error(py, &e, &filename, &source))?;
    let compiled = Arc::new(Compiled {
        program,
        filename,
        threads: effective,
        threads_given,
        fast_math,
    });
    warn(py, &compiled)?;
    let names: Vec<String> = compiled.program.kernels().map(str::to_string).collect();
    let kernels = names
        .into_iter()
        .map(|name| Py::new(py, Kernel::new(py, compiled.clone(), name)?))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Program { compiled, kernels })
}

/// Issues the compiler's warnings as Python warnings
/// (`kjit.CompileWarning`, pointing at the caller of `compile`).
fn warn(py: Python<'_>, compiled: &Compiled) -> PyResult<()> {
    let program = &compiled.program;
    if program.warnings().is_empty() {
        return Ok(());
    }
    let class = py.import("kjit._types")?.getattr("CompileWarning")?;
    let warn = py.import("warnings")?.getattr("warn")?;
    let diagnostics =
        describe::diagnostics(py, program.warnings(), &compiled.filename, program.source())?;
    for diagnostic in diagnostics.iter() {
        warn.call1((diagnostic.str()?, &class, 2))?;
    }
    Ok(())
}

/// Checks and compiles every kernel of a ``.kern`` source. Raises
/// ``kjit.CompileError`` (with ``.diagnostics``) if the source has errors.
/// ``threads`` is the default thread count of the program's calls (else
/// ``KJIT_NUM_THREADS``, else one per core); ``fast_math`` picks the faster,
/// looser maths builtins and fuses ``a * b + c``; ``filename`` (default
/// ``"<string>"``) heads the code frames of error messages.
#[pyfunction]
#[pyo3(signature = (source, *, threads=None, fast_math=false, filename=None))]
pub(crate) fn compile(
    py: Python<'_>,
    source: String,
    threads: Option<&Bound<'_, PyAny>>,
    fast_math: bool,
    filename: Option<String>,
) -> PyResult<Program> {
    let filename = filename.unwrap_or_else(|| "<string>".into());
    build(py, source, filename, threads, fast_math)
}

/// ``compile`` of the file at ``path`` (UTF-8), whose name heads error
/// messages. Also available as ``kjit.load``.
#[pyfunction]
#[pyo3(signature = (path, *, threads=None, fast_math=false))]
pub(crate) fn compile_file(
    py: Python<'_>,
    path: PathBuf,
    threads: Option<&Bound<'_, PyAny>>,
    fast_math: bool,
) -> PyResult<Program> {
    let source = std::fs::read_to_string(&path)?;
    let filename = path.display().to_string();
    build(py, source, filename, threads, fast_math)
}

/// The one kernel of ``source`` (or the kernel ``name`` of it), compiled:
/// ``kjit.compile(source)[name]`` in one step.
#[pyfunction]
#[pyo3(signature = (source, name=None, *, threads=None, fast_math=false, filename=None))]
pub(crate) fn kernel(
    py: Python<'_>,
    source: String,
    name: Option<&str>,
    threads: Option<&Bound<'_, PyAny>>,
    fast_math: bool,
    filename: Option<String>,
) -> PyResult<Py<Kernel>> {
    let program = compile(py, source, threads, fast_math, filename)?;
    program.only_kernel(py, name)
}

/// Unpickles a program: compiles its source again.
#[pyfunction]
pub(crate) fn rebuild_program(
    py: Python<'_>,
    source: String,
    filename: String,
    threads: Option<&Bound<'_, PyAny>>,
    fast_math: bool,
) -> PyResult<Program> {
    build(py, source, filename, threads, fast_math)
}

/// Unpickles a kernel: compiles its program's source again.
#[pyfunction]
pub(crate) fn rebuild_kernel(
    py: Python<'_>,
    source: String,
    filename: String,
    threads: Option<&Bound<'_, PyAny>>,
    fast_math: bool,
    name: &str,
) -> PyResult<Py<Kernel>> {
    let program = build(py, source, filename, threads, fast_math)?;
    program.only_kernel(py, Some(name))
}

impl Program {
    fn find(&self, py: Python<'_>, name: &str) -> Option<Py<Kernel>> {
        let kernel = self.kernels.iter().find(|k| k.get().name() == name)?;
        Some(kernel.clone_ref(py))
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.kernels.iter().map(|k| k.get().name()).collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// Kernel `name`, or the only kernel when `name` is `None`.
    fn only_kernel(&self, py: Python<'_>, name: Option<&str>) -> PyResult<Py<Kernel>> {
        match (name, self.kernels.as_slice()) {
            (Some(name), _) => self.find(py, name).ok_or_else(|| {
                let message = format!("the source has no kernel `{name}` (kernels: {})", self.names());
                argument_error(py, message, Some("name"))
            }),
            (None, [only]) => Ok(only.clone_ref(py)),
            (None, _) => Err(argument_error(
                py,
                format!(
                    "the source has {} kernels ({}); name the one you want: kjit.kernel(source, \"name\")",
                    self.kernels.len(),
                    self.names()
                ),
                Some("name"),
            )),
        }
    }

    /// The arguments that rebuild this program in another process.
    pub(crate) fn pickle_args(compiled: &Compiled) -> (String, String, Option<usize>, bool) {
        (
            compiled.program.source().to_string(),
            compiled.filename.clone(),
            compiled.threads_given,
            compiled.fast_math,
        )
    }
}

#[pymethods]
impl Program {
    /// The kernel ``name`` (``prog.saxpy``).
    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<Kernel>> {
        self.find(py, name).ok_or_else(|| {
            PyAttributeError::new_err(format!(
                "the program has no kernel `{name}` (kernels: {})",
                self.names()
            ))
        })
    }

    /// The kernel ``name`` (``prog["saxpy"]``).
    fn __getitem__(&self, py: Python<'_>, name: &str) -> PyResult<Py<Kernel>> {
        self.find(py, name).ok_or_else(|| {
            PyKeyError::new_err(format!("no kernel `{name}` (kernels: {})", self.names()))
        })
    }

    fn __contains__(&self, name: &str) -> bool {
        self.kernels.iter().any(|k| k.get().name() == name)
    }

    fn __len__(&self) -> usize {
        self.kernels.len()
    }

    /// Kernel names in source order.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let names: Vec<&str> = self.kernels.iter().map(|k| k.get().name()).collect();
        PyList::new(py, names)?.try_iter().map(Bound::into_any)
    }

    fn __dir__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let names = PyList::empty(py);
        for attribute in [
            "kernels",
            "source",
            "filename",
            "threads",
            "fast_math",
            "warnings",
        ] {
            names.append(attribute)?;
        }
        for kernel in &slf.get().kernels {
            names.append(kernel.get().name())?;
        }
        Ok(names)
    }

    /// The kernels by name, in source order.
    #[getter]
    fn kernels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for kernel in &self.kernels {
            dict.set_item(kernel.get().name(), kernel.clone_ref(py))?;
        }
        Ok(dict)
    }

    /// The source text.
    #[getter]
    fn source(&self) -> &str {
        self.compiled.program.source()
    }

    /// The file the source came from, or ``"<string>"``.
    #[getter]
    fn filename(&self) -> &str {
        &self.compiled.filename
    }

    /// The default thread count of calls (``None``: one per core).
    #[getter]
    fn threads(&self) -> Option<usize> {
        self.compiled.threads
    }

    #[getter]
    fn fast_math(&self) -> bool {
        self.compiled.fast_math
    }

    /// Warnings the compiler reported (the program compiled despite them).
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let program = &self.compiled.program;
        describe::diagnostics(
            py,
            program.warnings(),
            &self.compiled.filename,
            program.source(),
        )
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let rebuild = py.import("kjit._kjit")?.getattr("rebuild_program")?;
        let args = Program::pickle_args(&self.compiled).into_pyobject(py)?;
        Ok((rebuild, args))
    }

    fn __repr__(&self) -> String {
        format!(
            "<kjit.Program {} kernels: {}>",
            self.compiled.filename,
            self.names()
        )
    }
}
