"""kjit: data-parallel array kernels, vectorized and JIT-compiled.

Write a kernel in the ``.kern`` language, compile it once, call it on numpy
arrays like a Python function::

    import numpy as np, kjit

    saxpy = kjit.kernel('''
        kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
            foreach i in n { out[i] = a * x[i] + y[i]; }
        }''')
    x = np.arange(4, dtype=np.float32)
    out = saxpy(2.0, x, x)                 # a new array
    saxpy(2.0, x, x, out=out)              # written in place

See docs/PYTHON.md for the whole story: calls, dtypes, layouts, threads,
errors, pickling, dask.
"""

from ._kjit import (
    MAX_THREADS,
    Kernel,
    Program,
    __version__,
    compile,
    compile_file,
    kernel,
    stats,
)
from ._types import (
    ArgumentError,
    CompileError,
    CompileWarning,
    Diagnostic,
    KernelError,
    Param,
    Signature,
    Size,
    TypeParam,
)

#: ``kjit.load(path)`` is ``kjit.compile_file(path)``.
load = compile_file

__all__ = [
    "ArgumentError",
    "CompileError",
    "CompileWarning",
    "Diagnostic",
    "Kernel",
    "KernelError",
    "MAX_THREADS",
    "Param",
    "Program",
    "Signature",
    "Size",
    "TypeParam",
    "__version__",
    "compile",
    "compile_file",
    "kernel",
    "load",
    "stats",
]
