"""Generic kernels from Python: the kernel object dispatches on the numpy
dtypes of its arguments, compiles each instance on first use and keeps it,
and refuses a dtype outside the bound with an error naming the argument
and the dtypes allowed. Expectations come from numpy."""

import threading

import numpy as np
import pytest

import kjit

SOURCE = """
fn lerp<T: float>(a: T, b: T, t: T) -> T { a + (b - a) * t }
kernel saxpy<T: float>(a: T, x: T[n], y: T[n]) -> (out: T[n]) {
    foreach i in n { out[i] = lerp(y[i], a * x[i] + y[i], T(1)); }
}
kernel add<T: num>(x: T[n], k: T) -> (y: T[n], top: T) {
    foreach i in n { y[i] = x[i] + k; }
    top = T::MAX;
}
kernel fill<T: num>(v: T) -> (out: T[m]) {
    foreach i in m { out[i] = v; }
}
"""

NUM = [np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
       np.uint8, np.uint16, np.uint32, np.uint64]


@pytest.fixture()
def prog():
    return kjit.compile(SOURCE)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saxpy_runs_in_the_dtype_of_its_arrays(prog, dtype):
    x = np.linspace(0, 1, 1001, dtype=dtype)
    y = np.full(1001, 0.5, dtype=dtype)
    out = prog.saxpy(dtype(0.1), x, y)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, dtype(0.1) * x + y)


@pytest.mark.parametrize("dtype", NUM)
def test_every_num_instance_keeps_numpys_meaning(prog, dtype):
    x = np.arange(20).astype(dtype)
    y, top = prog.add(x, 3)
    assert y.dtype == dtype and isinstance(top, dtype)
    np.testing.assert_array_equal(y, x + dtype(3))
    if np.issubdtype(dtype, np.integer):
        assert top == np.iinfo(dtype).max
    else:
        assert top == np.finfo(dtype).max


def test_integer_instances_wrap(prog):
    y, _ = prog.add(np.array([100, -128], dtype=np.int8), 100)
    np.testing.assert_array_equal(y, np.array([-56, -28], dtype=np.int8))
    y, _ = prog.add(np.array([200, 255], dtype=np.uint8), 100)
    np.testing.assert_array_equal(y, np.array([44, 99], dtype=np.uint8))


def test_instances_compile_on_first_call_and_are_kept(prog):
    assert prog.add.compiled_instances == []
    x = np.ones(10, dtype=np.int16)
    prog.add(x, 1)
    prog.add(x, 2)
    assert prog.add.compiled_instances == ["add<T = i16>"]
    prog.add(x.astype(np.float64), 1.5)
    assert prog.add.compiled_instances == ["add<T = f64>", "add<T = i16>"]


def test_concurrent_first_calls_share_one_instance(prog):
    x = np.arange(100_000, dtype=np.float64)
    results = [None] * 8

    def work(t):
        results[t] = prog.saxpy(2.0, x, np.full_like(x, t))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert prog.saxpy.compiled_instances == ["saxpy<T = f64>"]
    for t, out in enumerate(results):
        np.testing.assert_array_equal(out, 2.0 * x + t)


def test_a_dtype_outside_the_bound_names_the_argument(prog):
    x = np.arange(4, dtype=np.int32)
    with pytest.raises(kjit.ArgumentError) as info:
        prog.saxpy(1.0, x, x)
    assert info.value.argument == "x"
    message = str(info.value)
    assert "float32" in message and "float64" in message and "int32" in message
    assert prog.saxpy.compiled_instances == []


def test_mixed_dtypes_are_a_dtype_error_on_the_second(prog):
    with pytest.raises(kjit.ArgumentError) as info:
        prog.saxpy(1.0, np.ones(3, np.float32), np.ones(3, np.float64))
    assert info.value.argument == "y"


def test_a_scalar_decides_when_no_array_does(prog):
    out = prog.fill(np.int16(-7), m=3)
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out, [-7, -7, -7])
    assert prog.fill(2.5, m=2).dtype == np.float64
    assert prog.fill(7, m=2).dtype == np.int64


def test_the_signature_shows_the_generic_form(prog):
    sig = prog.saxpy.signature
    assert str(sig) == "kernel saxpy<T: float>(a: T, x: T[n], y: T[n]) -> (out: T[n])"
    (t,) = sig.type_params
    assert (t.name, t.bound) == ("T", "float")
    assert t.dtypes == (np.dtype(np.float32), np.dtype(np.float64))
    assert [p.type_param for p in sig.params] == ["T", "T", "T", "T"]
    plain = kjit.compile("kernel k(x: f32[n]) -> (o: f32[n]) { foreach i in n { o[i] = x[i]; } }")
    assert plain.k.signature.type_params == ()
    assert plain.k.signature.params[0].type_param is None
    assert plain.k.compiled_instances == ["k"]
