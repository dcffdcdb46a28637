"""The exceptions and descriptive values of kjit.

They are plain Python classes, built by the extension module, so that they
pickle (errors raised in a worker process travel back intact), show well in
IPython and carry docstrings.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np


class CompileError(Exception):
    """The source does not compile.

    ``str(error)`` is the rustc-style rendering of every diagnostic, with
    code frames (plain text, no colours); ``error.diagnostics`` holds them
    as :class:`Diagnostic` values (errors and warnings, in source order).
    """

    def __init__(self, message: str, diagnostics: Any = (), filename: Optional[str] = None):
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.filename = filename

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython: the code frames, not a repr with escaped newlines.
        printer.text(str(self))


class CompileWarning(UserWarning):
    """The compiler's warning about a source that compiled (an output never
    written, ...). The same messages are in ``program.warnings``."""


class ArgumentError(ValueError, TypeError):
    """The arguments of a call do not fit the kernel's signature.

    Raised before anything runs, so no output is half written. ``argument``
    names the argument (or size) at fault, when there is one. It is a
    ``ValueError`` and, since a wrong dtype is a type error in numpy's
    terms, a ``TypeError`` too.
    """

    def __init__(self, message: str, argument: Optional[str] = None):
        super().__init__(message)
        self.argument = argument


class KernelError(RuntimeError):
    """A kernel failed while running: a read outside an array.

    ``str(error)`` is a code frame pointing at the read. The fields say
    which ``kernel``, ``array``, ``index`` (one per dimension) and
    ``shape``, and where: ``line``, ``column`` (1-based) and ``snippet``
    (the source line). Outputs may be partly written.
    """

    def __init__(
        self,
        message: str,
        kernel: Optional[str] = None,
        array: Optional[str] = None,
        index: Optional[Tuple[int, ...]] = None,
        shape: Optional[Tuple[int, ...]] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        snippet: Optional[str] = None,
    ):
        super().__init__(message)
        self.kernel = kernel
        self.array = array
        self.index = index
        self.shape = shape
        self.line = line
        self.column = column
        self.snippet = snippet

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


@dataclass(frozen=True)
class Diagnostic:
    """One compiler message: an error or a warning, where, and why.

    ``line`` and ``column`` (1-based) are those of the primary label's
    start, ``end_line`` and ``end_column`` of its end; all are ``None`` for
    a message about the whole source. ``str()`` is the rendering.
    """

    severity: str
    message: str
    line: Optional[int]
    column: Optional[int]
    end_line: Optional[int]
    end_column: Optional[int]
    notes: Tuple[str, ...]
    help: Tuple[str, ...]
    rendered: str

    def __str__(self) -> str:
        return self.rendered


@dataclass(frozen=True)
class Param:
    """One parameter of a kernel.

    ``role`` is ``"input"``, ``"inout"`` or ``"output"``; ``rank`` is 0 for a
    scalar; ``dims`` names the size of each dimension (``("n",)``). In a
    generic kernel, ``type_param`` names the type parameter the parameter's
    dtype is (``"T"``; ``dtype`` is then the first type of its bound, and a
    call takes any of them), else it is ``None``.
    """

    name: str
    role: str
    dtype: np.dtype
    rank: int
    dims: Tuple[str, ...]
    type_param: Optional[str] = None

    @property
    def is_array(self) -> bool:
        return self.rank > 0


@dataclass(frozen=True)
class Size:
    """A size of a kernel. ``fixed_by`` is the ``(argument, dimension)``
    whose shape gives it; ``derived`` is true for a size computed from
    others (its name is the expression: ``"n - w + 1"``). A size neither
    fixed nor derived is named by the call (``kernel(..., n=1000)``)."""

    name: str
    fixed_by: Optional[Tuple[str, int]]
    derived: bool = False


@dataclass(frozen=True)
class TypeParam:
    """A type parameter of a generic kernel (``T`` of
    ``saxpy<T: float>``): its bound as written and the dtypes it allows, in
    order. A call picks the instance from its arguments' dtypes."""

    name: str
    bound: str
    dtypes: Tuple[np.dtype, ...]


@dataclass(frozen=True)
class Signature:
    """A kernel's interface: its parameters in declared order (outputs
    last) and its sizes. ``str()`` is the kernel's header as written
    (``kernel saxpy<T: float>(a: T, x: T[n], ...)`` for a generic kernel,
    whose ``type_params`` are then not empty)."""

    name: str
    params: Tuple[Param, ...]
    sizes: Tuple[Size, ...]
    text: str
    type_params: Tuple[TypeParam, ...] = ()

    @property
    def inputs(self) -> Tuple[Param, ...]:
        """The parameters a call passes: inputs and inout arrays."""
        return tuple(p for p in self.params if p.role != "output")

    @property
    def outputs(self) -> Tuple[Param, ...]:
        """The parameters a call returns, in order."""
        return tuple(p for p in self.params if p.role == "output")

    def __str__(self) -> str:
        return self.text


def _plain_tuple(self: tuple) -> Any:
    return (tuple, (tuple(self),))


def _result_type(kernel: str, names: Tuple[str, ...]) -> type:
    """The named tuple a kernel with several outputs returns.

    It pickles as a plain tuple: the class is made per kernel at run time
    and could not be found by name in another process.
    """
    cls = namedtuple(f"{kernel}_outputs", names, rename=True)
    cls.__module__ = "kjit"
    cls.__reduce__ = _plain_tuple  # type: ignore[assignment]
    return cls
