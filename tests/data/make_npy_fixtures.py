"""Writes the small .npy fixtures that kjit's npy reader is tested against.

Run once from the repository root with numpy installed (`pip install numpy`):

    python3 tests/data/make_npy_fixtures.py

The outputs are committed; the tests themselves never need Python. Re-run
only to add a fixture, and commit the new files together with this script.
"""

import os

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        npformat.write_array(f, array, version=version, allow_pickle=False)


save("npy_f32_1d.npy", np.array([1.5, -2.0, 3.25, np.nan, np.inf], dtype=np.float32))
save("npy_f64_2d.npy", np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5)
save("npy_i32_1d.npy", np.array([1, -2, 2147483647, -2147483648], dtype=np.int32))
save("npy_i64_1d.npy", np.array([1, -2, 2**40], dtype=np.int64))
save("npy_bool_1d.npy", np.array([True, False, True], dtype=np.bool_))
save("npy_f64_0d.npy", np.array(2.5, dtype=np.float64))
save("npy_f32_empty.npy", np.zeros((0,), dtype=np.float32))
save("npy_f32_fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save("npy_f32_bigendian.npy", np.array([1.0, 2.0, -0.5], dtype=">f4"))
save("npy_u2_1d.npy", np.array([1, 2, 3], dtype=np.uint16))
save("npy_f32_3d.npy", np.zeros((2, 1, 2), dtype=np.float32))
save("npy_f64_2d_v2.npy", np.arange(4, dtype=np.float64).reshape(2, 2), version=(2, 0))
# saxpy inputs for the CLI round-trip test: x = 0..7, y = 1.
save("npy_saxpy_x.npy", np.arange(8, dtype=np.float32))
save("npy_saxpy_y.npy", np.ones(8, dtype=np.float32))
