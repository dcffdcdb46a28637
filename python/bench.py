"""Speed of kjit's Python binding: call overhead, large arrays, compile time.

    target/python-venv/bin/python python/bench.py        # after python/run-tests.sh

Prints Markdown tables (docs/PYTHON.md quotes them). numba and numexpr are
compared when they are installed (`pip install numba numexpr` into the same
venv); they are not test dependencies. Every time is the best of several
repeats, after a warm-up call, so compile and first-touch costs are out.
It is a benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import kjit

KERNELS = Path(__file__).resolve().parents[1] / "kernels"
RNG = np.random.default_rng(0)


def best(f, number: int, repeat: int = 7) -> float:
    """Seconds per call of `f()`: the best of `repeat` runs of `number` calls."""
    f()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            f()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def fmt(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def optional(name: str):
    try:
        return __import__(name)
    except ImportError:
        return None


numba = optional("numba")
numexpr = optional("numexpr")


def numba_saxpy():
    @numba.njit(cache=False)
    def saxpy(a, x, y):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = a * x[i] + y[i]
        return out

    @numba.njit(cache=False)
    def saxpy_into(a, x, y, out):
        for i in range(x.size):
            out[i] = a * x[i] + y[i]

    @numba.njit(parallel=True, cache=False)
    def saxpy_parallel(a, x, y, out):
        for i in numba.prange(x.size):
            out[i] = a * x[i] + y[i]

    return saxpy, saxpy_into, saxpy_parallel


def call_overhead(rows: list) -> None:
    n = 1000
    saxpy = kjit.compile_file(KERNELS / "saxpy.kern").saxpy
    a = np.float32(2.5)
    x = RNG.uniform(-1, 1, n).astype(np.float32)
    y = RNG.uniform(-1, 1, n).astype(np.float32)
    out = np.empty_like(x)
    number = 20_000
    rows.append(("kjit `saxpy(a, x, y)`", best(lambda: saxpy(a, x, y), number)))
    rows.append(("kjit `saxpy(a, x, y, out=out)`", best(lambda: saxpy(a, x, y, out=out), number)))
    rows.append(("kjit `saxpy(2.5, x, y, out=out, threads=1)`", best(lambda: saxpy(2.5, x, y, out=out, threads=1), number)))
    rows.append(("numpy `a * x + y`", best(lambda: a * x + y, number)))
    tmp = np.empty_like(x)

    def numpy_into():
        np.multiply(a, x, out=tmp)
        np.add(tmp, y, out=out)

    rows.append(("numpy `multiply`, `add` with `out=`", best(numpy_into, number)))
    if numba is not None:
        nb, nb_into, _ = numba_saxpy()
        rows.append(("numba `@njit` (allocating)", best(lambda: nb(a, x, y), number)))
        rows.append(("numba `@njit` into `out`", best(lambda: nb_into(a, x, y, out), number)))
    if numexpr is not None:
        env = {"a": a, "x": x, "y": y}
        rows.append(("numexpr `evaluate(\"a*x+y\")`", best(lambda: numexpr.evaluate("a*x+y", local_dict=env), number)))
        rows.append(("numexpr with `out=`", best(lambda: numexpr.evaluate("a*x+y", local_dict=env, out=out), number)))


def blackscholes_numba():
    @numba.njit(parallel=True, fastmath=False, cache=False)
    def bs(s, k, t, r, v, call, put):
        for i in numba.prange(s.size):
            sqrt_t = math.sqrt(t[i])
            d1 = (math.log(s[i] / k[i]) + (r + np.float32(0.5) * v * v) * t[i]) / (v * sqrt_t)
            d2 = d1 - v * sqrt_t
            disc = k[i] * math.exp(-r * t[i])
            c1 = np.float32(0.5) * (np.float32(1) + math.erf(d1 * np.float32(0.70710677)))
            c2 = np.float32(0.5) * (np.float32(1) + math.erf(d2 * np.float32(0.70710677)))
            call[i] = s[i] * c1 - disc * c2
            put[i] = disc * (np.float32(1) - c2) - s[i] * (np.float32(1) - c1)

    return bs


def large(rows: list) -> None:
    saxpy = kjit.compile_file(KERNELS / "saxpy.kern").saxpy
    n = 2**25
    x = RNG.uniform(-1, 1, n).astype(np.float32)
    y = RNG.uniform(-1, 1, n).astype(np.float32)
    out = np.empty_like(x)
    a = np.float32(2.5)
    rows.append(("kjit saxpy 2^25 f32, new output", best(lambda: saxpy(a, x, y), 3, 5)))
    rows.append(("kjit saxpy 2^25 f32, `out=`", best(lambda: saxpy(a, x, y, out=out), 3, 5)))
    rows.append(("numpy `a * x + y` 2^25 f32", best(lambda: a * x + y, 3, 5)))
    if numba is not None:
        *_, nb_parallel = numba_saxpy()
        rows.append(("numba `parallel=True` saxpy 2^25 f32, into `out`", best(lambda: nb_parallel(a, x, y, out), 3, 5)))
    if numexpr is not None:
        env = {"a": a, "x": x, "y": y}
        rows.append(("numexpr saxpy 2^25 f32, `out=`", best(lambda: numexpr.evaluate("a*x+y", local_dict=env, out=out), 3, 5)))
    del x, y, out

    bs = kjit.compile_file(KERNELS / "blackscholes.kern").blackscholes
    m = 2**22
    s, k = RNG.uniform(10, 100, (2, m)).astype(np.float32)
    t = RNG.uniform(0.25, 2, m).astype(np.float32)
    call, put = np.empty_like(s), np.empty_like(s)
    r, v = np.float32(0.02), np.float32(0.3)
    rows.append(("kjit blackscholes 2^22 f32, new outputs", best(lambda: bs(s, k, t, r, v), 3, 5)))
    rows.append(("kjit blackscholes 2^22 f32, `call=`, `put=`", best(lambda: bs(s, k, t, r, v, call=call, put=put), 3, 5)))
    if numba is not None:
        nb_bs = blackscholes_numba()
        rows.append(("numba `parallel=True` blackscholes 2^22 f32", best(lambda: nb_bs(s, k, t, r, v, call, put), 3, 5)))


def compile_times(rows: list) -> None:
    for path in sorted(KERNELS.glob("*.kern")):
        source = path.read_text()
        rows.append((f"`kjit.compile` {path.name}", best(lambda: kjit.compile(source), 5, 5)))


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = next(line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}", f"kjit {kjit.__version__}"]
    for module in (numba, numexpr):
        if module is not None:
            versions.append(f"{module.__name__} {module.__version__}")
    return f"{cpu}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; " + ", ".join(versions)


def table(title: str, rows: list) -> None:
    print(f"\n| {title} | time |\n|---|--:|")
    for name, seconds in rows:
        print(f"| {name} | {fmt(seconds)} |")


def main() -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {machine()}")
    sections = [("call, 1000 f32", call_overhead), ("large arrays", large), ("compile", compile_times)]
    only = sys.argv[1:]
    for title, section in sections:
        if only and not any(word in title for word in only):
            continue
        rows: list = []
        section(rows)
        table(title, rows)


if __name__ == "__main__":
    main()
