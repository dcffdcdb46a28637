"""What a kernel tells about itself: signature, explain, stage dumps."""

import numpy as np
import pytest

import kjit
from conftest import KERNELS


@pytest.fixture(scope="module")
def heat():
    return kjit.compile_file(KERNELS / "heat.kern").heat


def test_signature(heat):
    sig = heat.signature
    assert isinstance(sig, kjit.Signature)
    assert str(sig) == "kernel heat(inout u: f64[h, w], alpha: f64) -> (next: f64[h, w], change: f64)"
    u, alpha, nxt, change = sig.params
    assert (u.name, u.role, u.dtype, u.rank, u.dims) == ("u", "inout", np.dtype("float64"), 2, ("h", "w"))
    assert (alpha.role, alpha.rank, alpha.dims, alpha.is_array) == ("input", 0, (), False)
    assert nxt.role == "output" and change.role == "output"
    assert [p.name for p in sig.inputs] == ["u", "alpha"]
    assert [p.name for p in sig.outputs] == ["next", "change"]
    assert sig.sizes == (kjit.Size("h", ("u", 0)), kjit.Size("w", ("u", 1)))


def test_free_size_in_signature():
    sig = kjit.compile_file(KERNELS / "mandelbrot.kern").mandelbrot.signature
    assert [s.fixed_by for s in sig.sizes] == [None, None]


def test_explain(heat):
    text = heat.explain()
    assert text.startswith("kernel heat:") and "phase" in text


@pytest.mark.parametrize("stage", ["ir", "lowered", "plan", "explain", "clif", "asm"])
def test_every_stage_dumps(heat, stage):
    text = heat.dump(stage)
    assert isinstance(text, str) and "heat" in text


def test_repr(heat):
    assert repr(heat).startswith("<kjit.Kernel kernel heat(")
    assert "heat" in repr(kjit.compile_file(KERNELS / "heat.kern"))
    assert "heat" in dir(kjit.compile_file(KERNELS / "heat.kern"))
