"""How a kernel is called: arguments, sizes, outputs, results."""

import numpy as np
import pytest

import kjit
from conftest import SAXPY

SOURCE = """
kernel axpy(a: f32, x: f32[n], inout y: f32[n]) {
    foreach i in n { y[i] = a * x[i] + y[i]; }
}
kernel fill(v: i64) -> (out: i64[n]) {
    foreach i in n { out[i] = v + i64(i); }
}
kernel stats(x: f64[n]) -> (lo: f64, hi: f64, any_neg: bool) {
    lo = min over i in n { x[i] };
    hi = max over i in n { x[i] };
    any_neg = min over i in n { x[i] } < 0.0;
}
kernel flags(x: i32[n]) -> (positive: bool[n], count: i32) {
    foreach i in n { positive[i] = x[i] > 0; }
    count = sum over i in n { select(x[i] > 0, 1, 0) };
}
kernel mask(m: bool[n], x: f64[n]) -> (y: f64[n]) {
    foreach i in n { y[i] = select(m[i], x[i], 0.0); }
}
kernel scale3(s: f32, x: f32[a, b, c]) -> (y: f32[a, b, c]) {
    foreach (i, j, k) in (a, b, c) { y[i, j, k] = s * x[i, j, k]; }
}
"""


@pytest.fixture(scope="module")
def prog():
    return kjit.compile(SOURCE)


def test_positional_and_keyword(saxpy):
    x = np.arange(5, dtype=np.float32)
    y = np.ones(5, dtype=np.float32)
    expected = np.float32(2) * x + y
    for out in (
        saxpy(2.0, x, y),
        saxpy(2.0, x, y=y),
        saxpy(a=2.0, x=x, y=y),
        saxpy(y=y, x=x, a=np.float32(2)),
    ):
        np.testing.assert_array_equal(out, expected)


def test_program_access(prog):
    assert prog.axpy is prog["axpy"]
    assert "fill" in prog and "nope" not in prog
    assert list(prog) == ["axpy", "fill", "stats", "flags", "mask", "scale3"]
    assert len(prog) == 6 and list(prog.kernels) == list(prog)
    assert prog.filename == "<string>" and prog.source == SOURCE
    with pytest.raises(AttributeError, match="no kernel `nope`"):
        prog.nope
    with pytest.raises(KeyError):
        prog["nope"]


def test_out_keyword_writes_in_place(saxpy):
    x = np.arange(5, dtype=np.float32)
    out = np.full(5, np.nan, dtype=np.float32)
    result = saxpy(2.0, x, x, out=out)
    assert result is out
    np.testing.assert_array_equal(out, 3 * x)


def test_inout_updated_in_place_and_nothing_returned(prog):
    x = np.arange(4, dtype=np.float32)
    y = np.full(4, 10, dtype=np.float32)
    assert prog.axpy(2.0, x, y) is None
    np.testing.assert_array_equal(y, [10, 12, 14, 16])


def test_free_size_as_keyword(prog):
    out = prog.fill(7, n=4)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [7, 8, 9, 10])
    # The size may also come from an output the caller gives.
    given = np.empty(3, dtype=np.int64)
    assert prog.fill(1, out=given) is given
    np.testing.assert_array_equal(given, [1, 2, 3])


def test_scalar_outputs_are_numpy_scalars(prog):
    result = prog.stats(np.array([3.0, -1.0, 2.0]))
    assert result == (-1.0, 3.0, True)
    assert type(result.lo) is np.float64 and type(result.any_neg) is np.bool_
    assert result._fields == ("lo", "hi", "any_neg")


def test_bool_arrays(prog):
    positive, count = prog.flags(np.array([1, -2, 3, 0], dtype=np.int32))
    assert positive.dtype == np.bool_ and count.dtype == np.int32
    np.testing.assert_array_equal(positive, [True, False, True, False])
    assert count == 2
    m = np.array([True, False, True])
    np.testing.assert_array_equal(prog.mask(m, np.array([1.0, 2.0, 3.0])), [1, 0, 3])


def test_bool_bytes_other_than_one_mean_true(prog):
    raw = np.array([0, 1, 2, 255], dtype=np.uint8).view(np.bool_)
    y = prog.mask(raw, np.ones(4))
    np.testing.assert_array_equal(y, [0, 1, 1, 1])


def test_rank_3(prog):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(prog.scale3(0.5, x), x * np.float32(0.5))


def test_python_scalars_convert_to_declared_type(prog, saxpy):
    x = np.ones(3, dtype=np.float32)
    np.testing.assert_array_equal(saxpy(2, x, x), 3 * x)  # int for f32
    np.testing.assert_array_equal(saxpy(np.float64(0.5), x, x), 1.5 * x)
    np.testing.assert_array_equal(prog.fill(np.int32(5), n=2), [5, 6])
    np.testing.assert_array_equal(prog.fill(2**62, n=1), [2**62])


def test_zero_length(prog, saxpy):
    empty = np.empty(0, dtype=np.float32)
    assert saxpy(1.0, empty, empty).shape == (0,)
    assert prog.fill(1, n=0).shape == (0,)
    lo, hi, _ = prog.stats(np.empty(0))
    assert np.isinf(lo) and np.isinf(hi)


def test_kernel_from_one_kernel_source_and_by_name():
    k = kjit.kernel(SAXPY)
    assert k.name == "saxpy"
    assert kjit.kernel(SOURCE, "fill").name == "fill"


def test_compile_file_and_load(tmp_path):
    path = tmp_path / "k.kern"
    path.write_text(SAXPY)
    for prog in (kjit.compile_file(path), kjit.load(str(path))):
        assert prog.filename == str(path)
        assert prog.saxpy(1.0, np.ones(2, np.float32), np.ones(2, np.float32)).tolist() == [2, 2]
    with pytest.raises(FileNotFoundError):
        kjit.compile_file(tmp_path / "missing.kern")


def test_fast_math_option():
    prog = kjit.compile(SAXPY, fast_math=True)
    assert prog.fast_math
    x = np.ones(3, np.float32)
    np.testing.assert_array_equal(prog.saxpy(2.0, x, x), 3 * x)


def test_warnings_are_exposed_and_issued():
    source = "kernel k(x: f32[n]) -> (y: f32[n], z: f32) { foreach i in n { y[i] = x[i]; } }"
    with pytest.warns(kjit.CompileWarning, match="output `z` is never"):
        prog = kjit.compile(source)
    [warning] = prog.warnings
    assert warning.severity == "warning" and "output `z` is never" in warning.message


def test_bool_output_given_with_any_old_bytes(prog):
    out = np.array([7, 200, 1, 0], dtype=np.uint8).view(np.bool_)
    positive, count = prog.flags(np.array([1, -2, 3, 0], dtype=np.int32), positive=out)
    assert positive is out and count == 2
    assert out.view(np.uint8).tolist() == [1, 0, 1, 0]


def test_refused_bool_output_is_left_untouched(prog):
    raw = np.array([7, 200, 1, 0], dtype=np.uint8)
    with pytest.raises(kjit.ArgumentError, match="positive"):
        prog.flags(np.ones(3, dtype=np.int32), positive=raw.view(np.bool_))
    assert raw.tolist() == [7, 200, 1, 0]


SIZE_EXPRESSIONS = """
kernel window(x: f64[n]) -> (y: f64[n - w + 1]) {
    foreach i in n - w + 1 {
        let acc = 0.0;
        for k in 0..w { acc += x[i + k]; }
        y[i] = acc;
    }
}
kernel halves(x: i32[n], pairs: i32[2 * n]) -> (s: i32[n]) {
    foreach i in n { s[i] = x[i] + pairs[2 * i] + pairs[2 * i + 1]; }
}
"""


def test_derived_sizes():
    prog = kjit.compile(SIZE_EXPRESSIONS)
    x = np.arange(1.0, 6.0)
    np.testing.assert_array_equal(prog.window(x, w=3), [6.0, 9.0, 12.0])
    out = np.empty(2)
    assert prog.window(x, w=4, y=out) is out
    np.testing.assert_array_equal(out, [10.0, 14.0])
    sizes = {s.name: s for s in prog.window.signature.sizes}
    assert sizes["n - w + 1"].derived and not sizes["w"].derived
    with pytest.raises(kjit.ArgumentError, match=r"size `n - w \+ 1` is -1 with n = 2, w = 4") as info:
        prog.window(np.ones(2), w=4)
    assert info.value.argument == "n - w + 1"
    with pytest.raises(kjit.ArgumentError, match="is computed from other sizes; it cannot be given"):
        prog.window(x, w=3, **{"n - w + 1": 3})
    with pytest.raises(kjit.ArgumentError, match=r"argument `pairs`: dim 0 is 5") as info:
        prog.halves(np.ones(3, np.int32), np.ones(5, np.int32))
    assert info.value.argument == "pairs"
    np.testing.assert_array_equal(
        prog.halves(np.arange(3, dtype=np.int32), np.arange(6, dtype=np.int32)), [1, 6, 11]
    )


JACOBI = """
kernel jacobi(inout u: f64[n], tol: f64, max_it: i64) -> (it: i64, err: f64) {
    let next: f64[n];
    err = tol + 1.0;
    while err > tol && it < max_it {
        foreach i in n {
            if i == 0 || i == n - 1 {
                next[i] = u[i];
            } else {
                next[i] = 0.5 * (u[i - 1] + u[i + 1]);
            }
        }
        err = max over i in n { abs(next[i] - u[i]) };
        swap(u, next);
        it += 1;
    }
}
"""


@pytest.mark.parametrize("sweeps", [0, 2, 3])
def test_scratch_arrays_are_not_arguments(sweeps):
    jacobi = kjit.kernel(JACOBI)
    assert [p.name for p in jacobi.signature.params] == ["u", "tol", "max_it", "it", "err"]
    u = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    expected = u.copy()
    for _ in range(sweeps):
        nxt = expected.copy()
        nxt[1:-1] = 0.5 * (expected[:-2] + expected[2:])
        expected = nxt
    it, err = jacobi(u, 0.0, sweeps)
    assert it == sweeps
    np.testing.assert_array_equal(u, expected)
