"""Zero copy where possible, correct always: which inputs are used in
place, which are copied (once), and that results are right either way."""

import numpy as np
import pytest

import kjit
from conftest import SAXPY

GRID = """
kernel scale(s: f64, g: f64[h, w]) -> (out: f64[h, w]) {
    foreach (r, c) in (h, w) { out[r, c] = s * g[r, c]; }
}
"""

f32 = np.float32


def copies():
    return kjit.stats()["copies"]


def expected(x, y):
    return f32(2) * np.asarray(x, f32) + np.asarray(y, f32)


@pytest.fixture(scope="module")
def grid():
    return kjit.kernel(GRID)


def test_contiguous_inputs_are_not_copied(saxpy):
    x = np.arange(100, dtype=f32)
    before = copies()
    saxpy(2.0, x, x)
    assert copies() == before


def test_read_only_input_used_in_place(saxpy):
    x = np.arange(10, dtype=f32)
    x.flags.writeable = False
    before = copies()
    np.testing.assert_array_equal(saxpy(2.0, x, x), expected(x, x))
    assert copies() == before


def test_memmap_input(saxpy, tmp_path):
    path = tmp_path / "x.f32"
    np.arange(1000, dtype=f32).tofile(path)
    x = np.memmap(path, dtype=f32, mode="r")
    before = copies()
    np.testing.assert_array_equal(saxpy(2.0, x, x), expected(x, x))
    assert copies() == before


@pytest.mark.parametrize("step", [2, 3, -1])
def test_strided_input_copied_once(saxpy, step):
    base = np.arange(30, dtype=f32)
    x = base[::step][:10]
    y = np.ones(10, f32)
    before = copies()
    np.testing.assert_array_equal(saxpy(2.0, x, y), expected(x, y))
    assert copies() == before + 1


def test_stride_zero_broadcast_input(saxpy):
    # What dask's da.ones hands over: read-only, stride 0.
    x = np.broadcast_to(f32(3), (1000,))
    assert x.strides == (0,) and not x.flags.writeable
    np.testing.assert_array_equal(saxpy(2.0, x, x), np.full(1000, 9, f32))


def test_fortran_order_input(grid):
    g = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    assert not g.flags.c_contiguous
    np.testing.assert_array_equal(grid(2.0, g), 2.0 * g)


def test_transposed_and_sliced_2d(grid):
    g = np.arange(60.0).reshape(6, 10)
    for view in (g.T, g[1:5, 2:9], g[::2, ::-3]):
        np.testing.assert_array_equal(grid(0.5, view), 0.5 * view)


def test_misaligned_input_copied(saxpy):
    raw = np.zeros(4 * 10 + 1, dtype=np.uint8)
    x = raw[1:].view(f32)
    x[:] = np.arange(10, dtype=f32)
    assert not x.flags.aligned
    np.testing.assert_array_equal(saxpy(2.0, x, x), expected(x, x))


def test_misaligned_output_refused(saxpy):
    raw = np.zeros(4 * 3 + 1, dtype=np.uint8)
    out = raw[1:].view(f32)
    with pytest.raises(kjit.ArgumentError, match="not aligned"):
        saxpy(1.0, np.ones(3, f32), np.ones(3, f32), out=out)


@pytest.mark.parametrize("shape", [(0,), (0, 5), (5, 0)])
def test_zero_length_inputs(saxpy, grid, shape):
    if len(shape) == 1:
        empty = np.empty(shape, f32)
        assert saxpy(1.0, empty, empty).shape == shape
        assert saxpy(1.0, empty[::2], empty).shape == shape
    else:
        assert grid(1.0, np.empty(shape)).shape == shape


def test_array_subclass_accepted(saxpy):
    class Tagged(np.ndarray):
        pass

    x = np.arange(5, dtype=f32).view(Tagged)
    np.testing.assert_array_equal(saxpy(2.0, x, x), 3 * np.arange(5, dtype=f32))


def test_outputs_are_allocated_by_numpy(saxpy):
    out = saxpy(2.0, np.ones(5, f32), np.ones(5, f32))
    assert out.flags.owndata and out.flags.c_contiguous and out.flags.writeable


def test_same_input_twice_is_fine(saxpy):
    x = np.arange(5, dtype=f32)
    np.testing.assert_array_equal(saxpy(1.0, x, x), 2 * x)
    # A strided view and its base as two inputs: both only read.
    base = np.arange(10, dtype=f32)
    np.testing.assert_array_equal(saxpy(1.0, base[::2], base[:5]), base[::2] + base[:5])


def test_big_endian_input_refused_with_fix(saxpy):
    x = np.arange(3, dtype=">f4")
    with pytest.raises(kjit.ArgumentError, match=r"use x.astype\(np.float32\)"):
        saxpy(1.0, x, np.ones(3, f32))
