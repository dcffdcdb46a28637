"""Programs and kernels pickle by recompiling from their source, so they
travel to multiprocessing, joblib and dask.distributed workers."""

import multiprocessing
import pickle

import numpy as np

import kjit
from conftest import KERNELS, SAXPY


def test_program_round_trip():
    prog = kjit.compile(SAXPY, threads=2, fast_math=True, filename="s.kern")
    again = pickle.loads(pickle.dumps(prog))
    assert (again.source, again.filename, again.threads, again.fast_math) == (
        SAXPY,
        "s.kern",
        2,
        True,
    )
    x = np.arange(4, dtype=np.float32)
    np.testing.assert_array_equal(again.saxpy(2.0, x, x), 3 * x)


def test_kernel_round_trip():
    k = kjit.compile_file(KERNELS / "normalize.kern").normalize
    again = pickle.loads(pickle.dumps(k))
    assert again.name == "normalize" and str(again.signature) == str(k.signature)
    x = np.linspace(-1, 1, 101)
    for a, b in zip(again(x, 3.0), k(x, 3.0)):
        np.testing.assert_array_equal(a, b)


def test_default_threads_are_decided_by_the_receiving_process(monkeypatch):
    prog = kjit.compile(SAXPY)
    monkeypatch.setenv("KJIT_NUM_THREADS", "3")
    assert pickle.loads(pickle.dumps(prog)).threads == 3


def test_multi_output_results_pickle_as_tuples():
    normalize = kjit.compile_file(KERNELS / "normalize.kern").normalize
    result = normalize(np.arange(8.0), 2.0)
    again = pickle.loads(pickle.dumps(result))
    assert isinstance(again, tuple) and len(again) == 3


def apply(kernel, x):
    return kernel(2.0, x, x)


def test_through_multiprocessing():
    k = kjit.kernel(SAXPY)
    xs = [np.arange(n, dtype=np.float32) for n in (1, 10, 1000)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(apply, [(k, x) for x in xs])
    for x, out in zip(xs, results):
        np.testing.assert_array_equal(out, 3 * x)


def big_saxpy(kernel):
    x = np.ones(200_000, dtype=np.float32)  # several chunks: the pool's threads run
    return float(kernel(2.0, x, x).sum())


def test_fork_after_threads_started():
    # The parent's pool threads do not exist in a forked child; kjit must
    # build new ones rather than wait for them forever.
    k = kjit.kernel(SAXPY)
    assert big_saxpy(k) == 600_000.0
    big_x = np.ones(200_000, dtype=np.float32)
    k(2.0, big_x, big_x, threads=2)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map_async(big_saxpy, [k, k]).get(timeout=60)
    assert results == [600_000.0, 600_000.0]
