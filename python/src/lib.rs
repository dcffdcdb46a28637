//! `kjit._kjit`: the Python binding of the kjit library, the extension
//! module behind `import kjit` (`python/kjit/__init__.py` re-exports it).
//!
//! In: `.kern` source text and numpy arrays. Out: numpy arrays and scalars,
//! or Python exceptions (the classes live in `kjit/_types.py`).
//!
//! Holds:
//! - every error is a Python exception with a message naming the argument,
//!   kernel or source position, never a panic;
//! - the GIL is released for the whole run of a kernel;
//! - C-contiguous inputs are used in place; other layouts are copied once;
//!   outputs are written in place or allocated by numpy, never copied back.
//!
//! Files: `program` and `kernel` are the two Python classes, `call` the
//! call path (arguments → binding → results), `arrays` numpy memory
//! (dtypes, layouts, allocation), `scalars` Python ↔ kjit scalars,
//! `threads` the thread count of a call, `errors` kjit errors as Python
//! exceptions, `describe` signatures and diagnostics as Python values.

mod arrays;
mod call;
mod describe;
mod errors;
mod kernel;
mod program;
mod scalars;
mod threads;

use pyo3::prelude::*;

#[pymodule]
fn _kjit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    threads::watch_forks();
    m.add_class::<program::Program>()?;
    m.add_class::<kernel::Kernel>()?;
    m.add_function(wrap_pyfunction!(program::compile, m)?)?;
    m.add_function(wrap_pyfunction!(program::compile_file, m)?)?;
    m.add_function(wrap_pyfunction!(program::kernel, m)?)?;
    m.add_function(wrap_pyfunction!(program::rebuild_program, m)?)?;
    m.add_function(wrap_pyfunction!(program::rebuild_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(arrays::stats, m)?)?;
    m.add("MAX_THREADS", kjit::options::MAX_THREADS)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
