"""Every integer dtype in and out: arrays of int8 ... uint64 are taken in
place and returned with their dtype, scalars are range-checked, and a
wrong integer dtype is an argument error naming the expected one."""

import numpy as np
import pytest

import kjit

TYPES = {
    "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
    "u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64,
}

SOURCE = "\n".join(
    f"kernel add_{t}(x: {t}[n], k: {t}) -> (y: {t}[n], total: {t}) {{\n"
    f"    foreach i in n {{ y[i] = x[i] + k; }}\n"
    f"    total = sum over i in n {{ x[i] }};\n}}"
    for t in TYPES
)


@pytest.fixture(scope="module")
def prog():
    return kjit.compile(SOURCE)


@pytest.mark.parametrize("name", TYPES)
def test_arrays_and_scalars_round_trip_with_their_dtype(prog, name):
    dtype = TYPES[name]
    info = np.iinfo(dtype)
    x = np.array([info.min, info.max, 0, 1, 7] * 3, dtype=dtype)
    y, total = getattr(prog, f"add_{name}")(x, 1)
    assert y.dtype == dtype and isinstance(total, dtype)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(y, x + dtype(1))
        assert total == x.sum(dtype=dtype)


@pytest.mark.parametrize("name", TYPES)
def test_scalars_out_of_range_are_errors(prog, name):
    info = np.iinfo(TYPES[name])
    kernel = getattr(prog, f"add_{name}")
    x = np.zeros(3, TYPES[name])
    for bad in (int(info.min) - 1, int(info.max) + 1):
        with pytest.raises(kjit.ArgumentError, match="does not fit"):
            kernel(x, bad)
    kernel(x, int(info.max))
    kernel(x, int(info.min))


def test_a_wrong_integer_dtype_is_an_error(prog):
    with pytest.raises(kjit.ArgumentError, match="uint8"):
        prog.add_u8(np.zeros(3, np.int8), 1)
    with pytest.raises(kjit.ArgumentError, match="int16"):
        prog.add_i16(np.zeros(3, np.uint16), 1)
