"""Threads: the GIL is released while a kernel runs, one program serves
many Python threads, and the thread count (per call, per program) never
changes a result."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import kjit
from conftest import KERNELS, load

RNG = np.random.default_rng(3)
SPIN = """
kernel spin(iters: i32) -> (out: f64[n]) {
    foreach i in n {
        let acc: f64 = 0.0;
        for k in 0..iters { acc += 1.0 / f64(k + 1); }
        out[i] = acc;
    }
}
"""


def test_thread_pool_executor_on_one_program():
    prog = kjit.compile_file(KERNELS / "saxpy.kern")
    xs = [RNG.uniform(-1, 1, 50_000).astype(np.float32) for _ in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda x: prog.saxpy(2.0, x, x), xs))
    for x, out in zip(xs, results):
        np.testing.assert_array_equal(out, np.float32(2) * x + x)


def test_gil_released_while_running():
    spin = kjit.kernel(SPIN)
    # Calibrate: a call long enough to notice (~0.2 s on one thread).
    start = time.perf_counter()
    spin(200_000, n=64, threads=1)
    single = time.perf_counter() - start
    n = max(64, int(64 * 0.2 / max(single, 1e-3)))
    done = threading.Event()
    ticks = 0

    def run():
        spin(200_000, n=n, threads=1)
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    worker.join()
    # With the GIL held for the whole call, this thread could not tick.
    assert ticks > 100


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_thread_count_never_changes_results(threads):
    x = RNG.normal(0, 10, 200_003)
    reference = load("logsumexp")(x, threads=1)
    assert load("logsumexp")(x, threads=threads) == reference
    prog_threads = kjit.compile_file(KERNELS / "logsumexp.kern", threads=threads)
    assert prog_threads.threads == threads
    assert prog_threads.logsumexp(x) == reference


def test_environment_sets_program_default(monkeypatch):
    monkeypatch.setenv("KJIT_NUM_THREADS", "2")
    prog = kjit.compile(SPIN)
    assert prog.threads == 2
    monkeypatch.delenv("KJIT_NUM_THREADS")
    assert kjit.compile(SPIN).threads is None


def test_threads_keyword_goes_to_a_parameter_of_that_name():
    k = kjit.kernel("kernel k(threads: i32) -> (y: i32) { y = threads * 2; }")
    assert k(threads=21) == 42
