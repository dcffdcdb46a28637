"""Every way a call or a compile can go wrong ends in a Python exception
with a message that names the argument and says what to do."""

import contextlib
import pickle

import numpy as np
import pytest

import kjit

SOURCE = """
kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
    foreach i in n { out[i] = a * x[i] + y[i]; }
}
kernel grid(v: f64, g: f64[h, w]) -> (out: f64[h, w], total: f64) {
    foreach (r, c) in (h, w) { out[r, c] = v * g[r, c]; }
    total = sum over (r, c) in (h, w) { g[r, c] };
}
kernel fill(k: i32) -> (out: i32[n]) {
    foreach i in n { out[i] = k; }
}
kernel axpy(a: f32, x: f32[n], inout y: f32[n]) {
    foreach i in n { y[i] = a * x[i] + y[i]; }
}
kernel pick(flag: bool, x: f32[n]) -> (y: f32[n]) {
    foreach i in n { y[i] = select(flag, x[i], 0.0); }
}
kernel plane(v: f32) -> (out: f32[h, w]) {
    foreach (r, c) in (h, w) { out[r, c] = v; }
}
kernel shift(x: f32[n]) -> (y: f32[n]) {
    foreach i in n {
        y[i] = x[i + 1];
    }
}
"""

f32 = np.float32


@pytest.fixture(scope="module")
def prog():
    return kjit.compile(SOURCE)


def x32(n=4):
    return np.arange(n, dtype=f32)


@contextlib.contextmanager
def raises(argument, match):
    """An ArgumentError naming `argument`, whose message matches."""
    with pytest.raises(kjit.ArgumentError, match=match) as info:
        yield info
    assert info.value.argument == argument


def test_argument_error_is_value_and_type_error():
    assert issubclass(kjit.ArgumentError, ValueError)
    assert issubclass(kjit.ArgumentError, TypeError)


def test_wrong_dtype_says_how_to_fix(prog):
    with raises("x", r"argument `x`: expected float32, got float64 \(use x.astype\(np.float32\)\)"):
        prog.saxpy(2.0, np.arange(4.0), x32())


def test_byte_swapped_dtype_is_not_native(prog):
    with raises("x", r"expected float32, got >f4"):
        prog.saxpy(2.0, x32().astype(">f4"), x32())


def test_not_an_array(prog):
    with raises("x", r"expected a numpy array of float32, got list \(use np.asarray\(x, dtype=np.float32\)\)"):
        prog.saxpy(2.0, [1.0, 2.0], x32(2))


def test_missing_argument(prog):
    with raises("y", r"missing argument `y`: expected f32\[n\]"):
        prog.saxpy(2.0, x32())


def test_too_many_positional(prog):
    with raises(None, r"saxpy\(\) takes 3 positional arguments \(a, x, y\) but 4 were given"):
        prog.saxpy(2.0, x32(), x32(), x32())


def test_unknown_keyword(prog):
    with raises("z", r"argument `z`: the kernel has no such parameter or size \(parameters: a, x, y, out; sizes: n; and threads\)"):
        prog.saxpy(2.0, x32(), x32(), z=1)


def test_given_twice(prog):
    with raises("x", r"argument `x` is given by position and by keyword"):
        prog.saxpy(2.0, x32(), x32(), x=x32())


def test_scalar_output_given(prog):
    with raises("total", r"`total` is an output; outputs are returned, not passed"):
        prog.grid(1.0, np.ones((2, 2)), total=1.0)


def test_size_mismatch_between_inputs(prog):
    with raises("y", r"argument `y`: expected f32\[n\] \(n = 4 from `x` dim 0\)"):
        prog.saxpy(2.0, x32(4), x32(3))


def test_wrong_rank(prog):
    with raises("x", r"argument `x`: expected f32\[n\], found an array of rank 2"):
        prog.saxpy(2.0, np.ones((2, 2), f32), x32())


def test_scalar_where_array_expected(prog):
    with raises("x", r"expected a numpy array of float32, got float"):
        prog.saxpy(2.0, 1.0, x32())


def test_array_where_scalar_expected(prog):
    with raises("a", r"argument `a`: expected a float32 scalar, got ndarray"):
        prog.saxpy(x32(), x32(), x32())


def test_missing_size(prog):
    with raises("n", r"size `n` is fixed by no input array, so it must be given"):
        prog.fill(1)


def test_negative_size(prog):
    with raises("n", r"size `n`: must be >= 0, found -1"):
        prog.fill(1, n=-1)


def test_size_not_an_int(prog):
    with raises("n", r"size `n`: expected an int that fits in int64, got 2.5"):
        prog.fill(1, n=2.5)
    with raises("n", r"got 36893488147419103232"):
        prog.fill(1, n=2**65)


def test_size_conflicts_with_input(prog):
    with raises("n", r"size `n`: given as 5, but `x` dim 0 fixes it to 4"):
        prog.saxpy(2.0, x32(4), x32(4), n=5)


def test_output_too_large(prog):
    with raises("out", r"output `out` of shape \[4611686018427387904\] \(int32\) cannot be allocated"):
        prog.fill(1, n=2**62)
    with raises("out", r"more elements than fit in memory"):
        prog.plane(1.0, h=2**40, w=2**40)


def test_output_of_wrong_shape(prog):
    with raises("out", r"argument `out`: expected f32\[n\]"):
        prog.saxpy(2.0, x32(4), x32(4), out=np.empty(5, f32))


def test_output_of_wrong_dtype(prog):
    with raises("out", r"expected float32, got float64 \(use out.astype\(np.float32\)\)"):
        prog.saxpy(2.0, x32(), x32(), out=np.empty(4))


def test_output_read_only(prog):
    out = np.empty(4, f32)
    out.flags.writeable = False
    with raises("out", r"output `out`: the array is read-only"):
        prog.saxpy(2.0, x32(), x32(), out=out)


def test_output_not_contiguous(prog):
    with raises("out", r"output `out`: the array is not C-contiguous; it is written in place"):
        prog.saxpy(2.0, x32(), x32(), out=np.empty(8, f32)[::2])


def test_output_fortran_order(prog):
    g = np.ones((3, 2))
    with raises("out", r"not C-contiguous"):
        prog.grid(1.0, g, out=np.empty((3, 2), order="F"))


def test_inout_not_contiguous(prog):
    with raises("y", r"inout array `y`: the array is not C-contiguous"):
        prog.axpy(1.0, x32(2), np.ones(4, f32)[::2])


def test_output_aliasing_input(prog):
    x = x32()
    with raises("out", r"argument `out` shares memory with argument `x`"):
        prog.saxpy(2.0, x, x32(), out=x)


def test_output_overlapping_a_view_of_input(prog):
    buf = np.zeros(8, f32)
    with raises("out", r"shares memory with argument `y`"):
        prog.saxpy(2.0, x32(4), buf[::2], out=buf[4:])


def test_inout_aliasing_input(prog):
    y = np.ones(4, f32)
    with raises("y", r"argument `y` shares memory with argument `x`"):
        prog.axpy(1.0, y, y)


def test_disjoint_views_of_one_buffer_are_fine(prog):
    buf = np.ones(8, f32)
    out = np.empty(4, f32)
    prog.saxpy(1.0, buf[:4], buf[4:], out=out)
    np.testing.assert_array_equal(out, 2)


def test_scalar_conversions(prog):
    with raises("k", r"argument `k`: expected a int32 scalar, got float"):
        prog.fill(1.5, n=2)
    with raises("k", r"argument `k`: 2147483648 does not fit in int32"):
        prog.fill(2**31, n=2)
    with raises("k", r"expected a int32 scalar, got bool"):
        prog.fill(True, n=2)
    with raises("a", r"argument `a`: 1e\+300 does not fit in float32"):
        prog.saxpy(1e300, x32(), x32())
    with raises("a", r"expected a float32 scalar, got str"):
        prog.saxpy("2", x32(), x32())
    with raises("a", r"expected a float32 scalar, got bool"):
        prog.saxpy(True, x32(), x32())
    with raises("flag", r"expected a bool scalar, got int"):
        prog.pick(1, x32())
    assert prog.pick(np.True_, x32()).tolist() == [0, 1, 2, 3]
    # inf and nan are float32 values
    assert np.isinf(prog.saxpy(float("inf"), x32(), x32())[1])


def test_threads_validated(prog):
    for bad in (0, -1, kjit.MAX_THREADS + 1, 2.0, "4"):
        with raises("threads", r"threads: expected an int from 1 to 1024"):
            prog.saxpy(1.0, x32(), x32(), threads=bad)
        with raises("threads", r"threads: expected an int from 1 to 1024"):
            kjit.compile(SOURCE, threads=bad)


def test_bad_environment_thread_count(monkeypatch):
    monkeypatch.setenv("KJIT_NUM_THREADS", "lots")
    with pytest.raises(ValueError, match=r'KJIT_NUM_THREADS="lots": expected an int from 1 to 1024'):
        kjit.compile(SOURCE)


def test_compile_error_fields_and_rendering():
    source = "kernel k(x: f32[n]) -> (y: f32[n]) {\n    foreach i in n { y[i] = x[i] + 1; }\n}\n"
    with pytest.raises(kjit.CompileError) as info:
        kjit.compile(source, filename="k.kern")
    error = info.value
    text = str(error)
    assert text.startswith("error: mismatched types")
    assert "┌─ k.kern:2:36" in text and "\x1b[" not in text
    [d] = error.diagnostics
    assert (d.severity, d.line, d.column, d.end_line, d.end_column) == ("error", 2, 36, 2, 37)
    assert d.message == "mismatched types: `f32` + `{integer}`"
    assert d.help and "1.0" in d.help[0]
    assert str(d) == d.rendered and "k.kern:2:36" in d.rendered
    assert error.filename == "k.kern"


def test_compile_error_lists_every_error():
    with pytest.raises(kjit.CompileError) as info:
        kjit.compile("kernel k() -> (y: f32) { y = a; }\nkernel j() -> (z: f32) { z = b; }")
    assert len([d for d in info.value.diagnostics if d.severity == "error"]) == 2


def test_kernel_error_fields(prog):
    with pytest.raises(kjit.KernelError) as info:
        prog.shift(x32(4))
    error = info.value
    assert (error.kernel, error.array, error.index, error.shape) == ("shift", "x", (4,), (4,))
    assert (error.line, error.column) == (23, 16)
    assert error.snippet == "        y[i] = x[i + 1];"
    assert "index 4 is out of bounds" in str(error) or "out of" in str(error)
    assert "<string>:23:16" in str(error)


def test_errors_pickle_with_their_fields(prog):
    with pytest.raises(kjit.ArgumentError) as info:
        prog.saxpy(2.0, np.arange(4.0), x32())
    again = pickle.loads(pickle.dumps(info.value))
    assert str(again) == str(info.value) and again.argument == "x"
    with pytest.raises(kjit.KernelError) as info:
        prog.shift(x32(4))
    again = pickle.loads(pickle.dumps(info.value))
    assert again.index == (4,) and again.snippet == info.value.snippet


def test_kernel_needs_a_name_when_several(prog):
    with raises("name", r"the source has 7 kernels \(saxpy, grid, fill, axpy, pick, plane, shift\); name the one you want"):
        kjit.kernel(SOURCE)
    with raises("name", r"the source has no kernel `nope`"):
        kjit.kernel(SOURCE, "nope")


def test_unknown_stage(prog):
    with raises("stage", r"no stage `bogus` \(stages: ir, lowered, plan, explain, clif, asm\)"):
        prog.saxpy.dump("bogus")


def test_inout_bool_array_must_hold_bools():
    flip = kjit.kernel("kernel flip(inout m: bool[n]) { foreach i in n { m[i] = !m[i]; } }")
    m = np.array([True, False])
    flip(m)
    assert m.tolist() == [False, True]
    raw = np.array([0, 2], dtype=np.uint8)
    with raises("m", r"inout array `m`: the bool array holds bytes other than 0 and 1"):
        flip(raw.view(np.bool_))
    assert raw.tolist() == [0, 2]
