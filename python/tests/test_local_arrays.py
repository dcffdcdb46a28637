"""Local arrays and constant tables through the binding: results against
numpy, and an out-of-range index in either is a KernelError naming it."""

import numpy as np
import pytest

import kjit

SOURCE = """
const LUT: f32[4] = [0.5, -1.0, 2.0, 8.0];
const W: i32[2, 3] = [[1, 2, 3], [4, 5, 6]];

kernel window(x: f32[n]) -> (out: f32[n]) {
    foreach i in n {
        let v: f32[4];
        for k in 0..4 {
            v[k] = x[i] * LUT[k];
        }
        out[i] = v[0] + v[1] + v[2] + v[3];
    }
}

kernel weights(r: i64[n], c: i64[n]) -> (out: i32[n]) {
    foreach i in n {
        out[i] = W[r[i], c[i]];
    }
}

kernel counts(x: i64[n]) -> (out: i64[n]) {
    foreach i in n {
        let count: i64[10];
        let v = x[i];
        while v > 0 {
            count[v % 10] += 1;
            v = v / 10;
        }
        out[i] = count[1];
    }
}

kernel bad(k: i64) -> (out: f32[n]) {
    foreach i in n {
        let v: f32[3];
        out[i] = v[k];
    }
}
"""


@pytest.fixture(scope="module")
def prog():
    return kjit.compile(SOURCE)


@pytest.mark.parametrize("n", [0, 1, 9, 1000])
def test_window_against_numpy(prog, n):
    x = np.random.default_rng(n).uniform(-1, 1, n).astype(np.float32)
    lut = np.array([0.5, -1.0, 2.0, 8.0], np.float32)
    terms = x[:, None] * lut[None, :]
    expected = ((terms[:, 0] + terms[:, 1]) + terms[:, 2]) + terms[:, 3]
    np.testing.assert_array_equal(prog.window(x), expected)


def test_table_gather(prog):
    r = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1], np.int64)
    c = np.array([0, 2, 1, 2, 0, 1, 0, 2, 2], np.int64)
    w = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    np.testing.assert_array_equal(prog.weights(r, c), w[r, c])


def test_per_lane_counts(prog):
    x = np.array([0, 1, 11, 111, 1213, 10, 7, 21, 101, 1111], np.int64)
    expected = [str(v).count("1") if v > 0 else 0 for v in x]
    np.testing.assert_array_equal(prog.counts(x), expected)


def test_errors_name_the_table_and_the_local_array(prog):
    with pytest.raises(kjit.KernelError) as info:
        prog.weights(np.array([0, 2], np.int64), np.array([0, 0], np.int64))
    assert (info.value.array, info.value.index, info.value.shape) == ("W", (2, 0), (2, 3))
    with pytest.raises(kjit.KernelError) as info:
        prog.bad(3, n=4)
    assert (info.value.array, info.value.index, info.value.shape) == ("v", (3,), (3,))
