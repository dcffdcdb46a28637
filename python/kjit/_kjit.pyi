"""Type stubs of the extension module kjit._kjit (re-exported by kjit)."""

import os
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union, final

from ._types import Diagnostic, Signature

__all__ = [
    "Program",
    "Kernel",
    "compile",
    "compile_file",
    "kernel",
    "rebuild_program",
    "rebuild_kernel",
    "stats",
    "MAX_THREADS",
    "__version__",
]
MAX_THREADS: int
__version__: str

@final
class Kernel:
    """A compiled kernel. Call it with its inputs, by position (declared
    order) or keyword; sizes no input fixes as keywords (``n=1000``); an
    output named as a keyword is written in place; ``threads=`` sets the
    thread count of this call. Returns ``None``, the one output, or a named
    tuple of the outputs in declared order."""

    @property
    def name(self) -> str: ...
    @property
    def signature(self) -> Signature: ...
    @property
    def source(self) -> str: ...
    @property
    def compiled_instances(self) -> List[str]:
        """The instances compiled so far (a generic kernel compiles each on
        its first call): ``["saxpy<T = f32>"]``."""
    def __call__(self, *args: Any, threads: Optional[int] = ..., **kwargs: Any) -> Any: ...
    def explain(self) -> str:
        """How the kernel is vectorized and parallelized, and why."""
    def dump(self, stage: str = "plan") -> str:
        """The text of a stage: "ir", "lowered", "plan", "explain", "clif", "asm"."""
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...

@final
class Program:
    """A compiled ``.kern`` source; its kernels are attributes and items."""

    @property
    def kernels(self) -> Dict[str, Kernel]: ...
    @property
    def source(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def threads(self) -> Optional[int]: ...
    @property
    def fast_math(self) -> bool: ...
    @property
    def warnings(self) -> List[Diagnostic]: ...
    # A slot (tp_getattro) at run time, which stubtest cannot see.
    def __getattr__(self, name: str) -> Kernel: ...
    def __getitem__(self, name: str, /) -> Kernel: ...
    def __contains__(self, name: str, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...

def compile(
    source: str,
    *,
    threads: Optional[int] = None,
    fast_math: bool = False,
    filename: Optional[str] = None,
) -> Program:
    """Checks and compiles every kernel of a ``.kern`` source.

    Raises ``kjit.CompileError`` (with ``.diagnostics``) if it has errors."""

def compile_file(
    path: Union[str, "os.PathLike[str]"],
    *,
    threads: Optional[int] = None,
    fast_math: bool = False,
) -> Program:
    """``compile`` of the file at ``path``; its name heads error messages."""

def kernel(
    source: str,
    name: Optional[str] = None,
    *,
    threads: Optional[int] = None,
    fast_math: bool = False,
    filename: Optional[str] = None,
) -> Kernel:
    """The one kernel of ``source`` (or kernel ``name`` of it), compiled."""

def stats() -> Dict[str, int]:
    """Process-wide counters: ``{"copies": inputs copied for their layout}``."""

def rebuild_program(
    source: str, filename: str, threads: Optional[int], fast_math: bool
) -> Program: ...
def rebuild_kernel(
    source: str, filename: str, threads: Optional[int], fast_math: bool, name: str
) -> Kernel: ...
