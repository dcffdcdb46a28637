"""dask: map_blocks over chunked arrays gives the numpy result, including
for the read-only stride-0 blocks of da.ones and the empty arrays dask
calls a function on to infer its output."""

import numpy as np
import pytest

import kjit
from conftest import KERNELS

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def saxpy():
    return kjit.compile_file(KERNELS / "saxpy.kern").saxpy


def test_map_blocks_on_random_chunks(saxpy):
    x_np = np.random.default_rng(1).uniform(-1, 1, 100_003).astype(np.float32)
    y_np = np.random.default_rng(2).uniform(-1, 1, 100_003).astype(np.float32)
    x = da.from_array(x_np, chunks=7_000)
    y = da.from_array(y_np, chunks=7_000)
    out = da.map_blocks(saxpy, 2.5, x, y, threads=1, dtype=np.float32)
    np.testing.assert_array_equal(out.compute(), np.float32(2.5) * x_np + y_np)


def test_map_blocks_on_broadcast_blocks_without_meta(saxpy):
    # No meta=: dask calls saxpy on empty arrays first; da.ones blocks are
    # read-only stride-0 views.
    x = da.ones(10_000, chunks=1_000, dtype=np.float32)
    out = da.map_blocks(saxpy, 2.0, x, x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.compute(), np.full(10_000, 3, np.float32))


def test_2d_blocks_and_threaded_scheduler():
    blur_free = kjit.kernel(
        """
        kernel scale(s: f64, g: f64[h, w]) -> (out: f64[h, w]) {
            foreach (r, c) in (h, w) { out[r, c] = s * g[r, c] + 1.0; }
        }"""
    )
    g_np = np.arange(300 * 200, dtype=np.float64).reshape(300, 200)
    g = da.from_array(g_np, chunks=(64, 50))
    out = g.map_blocks(lambda b: blur_free(0.5, b), dtype=np.float64)
    np.testing.assert_array_equal(out.compute(scheduler="threads"), 0.5 * g_np + 1.0)
