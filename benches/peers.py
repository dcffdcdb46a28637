"""numpy and numba on kjit's benchmark inputs, checked against kjit's outputs.

    benches/.venv/bin/python benches/peers.py [--tsv] [--small-pages] DATA_DIR [CASE ...]

DATA_DIR holds the CASE.ARG.npy files `cargo bench --bench report` writes
(every kernel argument, scalars as 0-d arrays, and kjit's outputs); the
report runs this script itself when benches/.venv exists. Not part of any
test command. Set NUMBA_NUM_THREADS=2 (the report does) for 2 threads.

Each kernel is written the way a numpy or numba user would write it, with
the kernel's operations in the kernel's order: numpy then agrees with kjit
bit for bit wherever it can (it never contracts or reorders). numba runs
with @njit(parallel=True, fastmath=True) and prange, as asked; fastmath
lets LLVM contract a * b + c into FMAs and reorder sums, so its checks use
the error bounds stated next to them. u is the unit roundoff (2^-24 for
f32, 2^-53 for f64).

Times are the best of several calls after a first, warm-up call; numba's
compile time is that first call's time minus the best.

numpy asks Linux for 2 MiB pages for large arrays (madvise); Rust's Vec, and
so kjit's and the Rust references' arrays, get 4 KiB pages unless
transparent huge pages are "always". --small-pages turns numpy's request off
(a numpy switch since 1.20), for a like-for-like comparison of the
memory-bound kernels.

Output: a readable table, or with --tsv the lines benches/report/peers.rs
reads: CASE, PEER, SECONDS, COMPILE_SECONDS, STATUS (ok, fail), DETAIL.
"""

import math
import os
import platform
import sys
import time

import numba
import numpy as np
from numba import njit, prange

F32 = np.float32


# ---- numba kernels ----


@njit(parallel=True, fastmath=True)
def rgb_gray_nb(img, gray):
    h, w = gray.shape
    for r in prange(h):
        for c in range(w):
            red = np.uint32(img[r, c, 0])
            green = np.uint32(img[r, c, 1])
            blue = np.uint32(img[r, c, 2])
            gray[r, c] = np.uint8((77 * red + 150 * green + 29 * blue + 128) >> 8)
    return gray


@njit(parallel=True, fastmath=True)
def hash_u32_nb(keys, seed, hashes, unit):
    salt = np.uint32(seed * np.uint32(0x9E3779B9))
    for i in prange(keys.size):
        h = keys[i] ^ salt
        h ^= h >> np.uint32(16)
        h = np.uint32(h * np.uint32(0x85EBCA6B))
        h ^= h >> np.uint32(13)
        h = np.uint32(h * np.uint32(0xC2B2AE35))
        h ^= h >> np.uint32(16)
        hashes[i] = h
        unit[i] = np.float32(h >> np.uint32(8)) * np.float32(2.0**-24)
    return hashes, unit


SPHERES = np.array(
    [[0.0, 0.0, 0.0, 1.0], [1.5, 0.5, 1.0, 0.5], [-1.5, -0.5, 0.5, 0.7],
     [0.0, 1.5, 2.0, 0.6], [0.5, -1.5, 1.5, 0.8], [-1.0, 1.0, -1.0, 0.4],
     [2.0, -1.0, 3.0, 1.2], [-2.0, 2.0, 4.0, 1.5]], dtype=np.float32)


# Without fastmath: the comparison is of the same float32 operations, so
# results are exact (a reordered sum could flip which sphere is nearest).
@njit(parallel=True)
def ray_sphere_nb(ox, oy, oz, dx, dy, dz, spheres, t, ids):
    for i in prange(ox.size):
        inv = F32(1.0) / np.sqrt(dx[i] * dx[i] + dy[i] * dy[i] + dz[i] * dz[i])
        rx, ry, rz = dx[i] * inv, dy[i] * inv, dz[i] * inv
        best_t, best_id = F32(np.inf), -1
        for s in range(spheres.shape[0]):
            ocx, ocy, ocz = ox[i] - spheres[s, 0], oy[i] - spheres[s, 1], oz[i] - spheres[s, 2]
            b = ocx * rx + ocy * ry + ocz * rz
            c = ocx * ocx + ocy * ocy + ocz * ocz - spheres[s, 3] * spheres[s, 3]
            disc = b * b - c
            root = np.sqrt(max(disc, F32(0.0)))
            near = -b - root
            dist = near if near > 0 else -b + root
            if disc >= 0 and dist > 0 and dist < best_t:
                best_t, best_id = dist, s
        t[i] = best_t if best_id >= 0 else F32(-1.0)
        ids[i] = best_id
    return t, ids


@njit(parallel=True, fastmath=True)
def saxpy_nb(a, x, y, out):
    for i in prange(x.size):
        out[i] = a * x[i] + y[i]
    return out


@njit(parallel=True, fastmath=True)
def triad_nb(s, b, c, a):
    for i in prange(b.size):
        a[i] = b[i] + s * c[i]
    return a


@njit(parallel=True, fastmath=True)
def dot_nb(x, y):
    d = 0.0
    for i in prange(x.size):
        d += x[i] * y[i]
    return d


@njit(parallel=True)
def argmin_nb(x):
    # No fastmath: it assumes no NaN, and argmin's answer is the first NaN.
    # Each block's first smallest element (np.argmin: NaN first), in
    # parallel; then the blocks in order, the earlier winning ties.
    blocks = (x.size + 16383) // 16384
    best = np.empty(blocks, np.int64)
    for b in prange(blocks):
        lo = b * 16384
        best[b] = lo + np.argmin(x[lo:min(lo + 16384, x.size)])
    i = -1
    for b in range(blocks):
        j = best[b]
        if i < 0 or x[j] < x[i] or (np.isnan(x[j]) and not np.isnan(x[i])):
            i = j
    return i


@njit(parallel=True, fastmath=True)
def blur_nb(img, out):
    h, w = img.shape
    for r in prange(h):
        for c in range(w):
            if r > 0 and r < h - 1 and c > 0 and c < w - 1:
                s = F32(0.0)
                for rr in range(r - 1, r + 2):
                    for cc in range(c - 1, c + 2):
                        s += img[rr, cc]
                out[r, c] = s / F32(9.0)
            else:
                out[r, c] = img[r, c]
    return out


@njit(parallel=True, fastmath=True)
def logsumexp_nb(x):
    # Starts from x[0], not -inf: fastmath assumes no infinities.
    m = x[0]
    for i in prange(x.size):
        m = max(m, x[i])
    s = 0.0
    for i in prange(x.size):
        s += np.exp(x[i] - m)
    return m + np.log(s)


@njit(parallel=True, fastmath=True)
def poly_nb(x, c, y):
    for i in prange(x.size):
        acc = c[16]
        for k in range(15, -1, -1):
            acc = acc * x[i] + c[k]
        y[i] = acc
    return y


@njit(parallel=True, fastmath=True)
def mandelbrot_nb(x0, y0, dx, dy, max_iter, count):
    h, w = count.shape
    two, four = F32(2.0), F32(4.0)
    for row in prange(h):
        ci = y0 + F32(row) * dy
        for col in range(w):
            cr = x0 + F32(col) * dx
            zr, zi, k = F32(0.0), F32(0.0), 0
            while k < max_iter and zr * zr + zi * zi <= four:
                t = zr * zr - zi * zi + cr
                zi = two * zr * zi + ci
                zr = t
                k += 1
            count[row, col] = k
    return count


@njit(fastmath=True)
def cnd_nb(x):
    return F32(0.5) * (F32(1.0) + math.erf(x * F32(0.70710677)))


@njit(parallel=True, fastmath=True)
def blackscholes_nb(s, k, t, r, v, call, put):
    for i in prange(s.size):
        sqrt_t = np.sqrt(t[i])
        d1 = (np.log(s[i] / k[i]) + (r + F32(0.5) * v * v) * t[i]) / (v * sqrt_t)
        d2 = d1 - v * sqrt_t
        discounted = k[i] * np.exp(-r * t[i])
        call[i] = s[i] * cnd_nb(d1) - discounted * cnd_nb(d2)
        put[i] = discounted * cnd_nb(-d2) - s[i] * cnd_nb(-d1)
    return call, put


# ---- numpy kernels (one thread, except OpenBLAS in np.dot) ----


@njit(parallel=True, fastmath=True)
def jacobi_nb(u, nxt, max_it):
    h, w = u.shape
    err = F32(0.0)
    for _ in range(max_it):
        err = F32(0.0)
        for r in prange(h):
            for c in range(w):
                if r > 0 and r < h - 1 and c > 0 and c < w - 1:
                    v = F32(0.25) * (u[r - 1, c] + u[r + 1, c] + u[r, c - 1] + u[r, c + 1])
                else:
                    v = u[r, c]
                nxt[r, c] = v
                err = max(err, abs(v - u[r, c]))
        u, nxt = nxt, u
    return u, err


@njit(parallel=True, fastmath=True)
def stencil3d_nb(a, k, b):
    d, h, w = a.shape
    for z in prange(d):
        for y in range(h):
            for x in range(w):
                if z > 0 and y > 0 and x > 0 and z < d - 1 and y < h - 1 and x < w - 1:
                    lap = (a[z - 1, y, x] + a[z + 1, y, x] + a[z, y - 1, x] + a[z, y + 1, x]
                           + a[z, y, x - 1] + a[z, y, x + 1] - F32(6.0) * a[z, y, x])
                    b[z, y, x] = a[z, y, x] + k * lap
                else:
                    b[z, y, x] = a[z, y, x]
    return b


@njit(parallel=True, fastmath=True)
def ema_nb(x, a, y):
    h, w = x.shape
    for r in prange(h):
        acc = F32(0.0)
        for c in range(w):
            acc = a * x[r, c] + (F32(1.0) - a) * acc
            y[r, c] = acc
    return y


@njit(parallel=True, fastmath=True)
def binomial_nb(s, k, t, r, v, put):
    for i in prange(s.shape[0]):
        dt = t[i] / F32(64.0)
        u = np.exp(v * np.sqrt(dt))
        d = F32(1.0) / u
        disc = np.exp(r * dt)
        pu = (disc - d) / (u - d)
        values = np.empty(65, np.float32)
        for j in range(65):
            values[j] = max(k[i] - s[i] * u ** F32(2 * j - 64), F32(0.0))
        for step in range(64):
            for j in range(64 - step):
                values[j] = ((F32(1.0) - pu) * values[j] + pu * values[j + 1]) / disc
        put[i] = values[0]
    return put


@njit(parallel=True, fastmath=True)
def nbody_nb(pos, vel, mass, dt, eps, pos2, vel2):
    n = pos.shape[0]
    for i in prange(n):
        xi, yi, zi = pos[i, 0], pos[i, 1], pos[i, 2]
        ax = ay = az = 0.0
        for j in range(n):
            dx = pos[j, 0] - xi
            dy = pos[j, 1] - yi
            dz = pos[j, 2] - zi
            r2 = dx * dx + dy * dy + dz * dz + eps * eps
            s = mass[j] / (r2 * np.sqrt(r2))
            ax += s * dx
            ay += s * dy
            az += s * dz
        vel2[i, 0] = vel[i, 0] + dt * ax
        vel2[i, 1] = vel[i, 1] + dt * ay
        vel2[i, 2] = vel[i, 2] + dt * az
        for k in range(3):
            pos2[i, k] = pos[i, k] + dt * vel2[i, k]
    return pos2, vel2


def saxpy_np(a, x, y, out):
    np.multiply(x, a, out=out)
    return np.add(out, y, out=out)


def triad_np(s, b, c, a):
    np.multiply(c, s, out=a)
    return np.add(b, a, out=a)


def blur_np(img, out):
    # Row by row as the kernel sums (its 0.0 + v is v: inputs are >= 0).
    out[...] = img
    s = img[:-2, :-2] + img[:-2, 1:-1]
    for rows, cols in [(0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1), (2, 2)]:
        s += img[rows : rows + img.shape[0] - 2, cols : cols + img.shape[1] - 2]
    np.divide(s, F32(9.0), out=out[1:-1, 1:-1])
    return out


def logsumexp_np(x):
    m = x.max()
    return m + np.log(np.exp(x - m).sum())


def poly_np(x, c, y):
    y.fill(c[16])
    for k in range(15, -1, -1):
        np.multiply(y, x, out=y)
        np.add(y, c[k], out=y)
    return y


def mandelbrot_np(x0, y0, dx, dy, max_iter, count):
    h, w = count.shape
    cr = x0 + np.arange(w).astype(F32) * dx
    ci = (y0 + np.arange(h).astype(F32) * dy)[:, None]
    zr = np.zeros((h, w), F32)
    zi = np.zeros((h, w), F32)
    count[...] = 0
    for _ in range(max_iter):
        live = zr * zr + zi * zi <= 4
        if not live.any():
            break
        t = zr * zr - zi * zi + cr
        np.copyto(zi, 2 * zr * zi + ci, where=live)
        np.copyto(zr, t, where=live)
        count += live
    return count


# ---- checks ----


def exact(got, want):
    got, want = np.asarray(got), np.asarray(want)
    bad = np.flatnonzero(got.ravel() != want.ravel())
    if bad.size == 0:
        return True, "bit-exact"
    i = bad[0]
    first = f"first at {i}: {got.ravel()[i]!r} vs {want.ravel()[i]!r}"
    return False, f"{bad.size} elements differ, {first}"


def within(got, want, bound, how):
    diff = np.abs(np.asarray(got, np.float64) - np.asarray(want, np.float64))
    used = diff / bound
    worst = float(np.max(used)) if used.size else 0.0
    return worst <= 1.0, f"|Δ| ≤ {how}; worst |Δ| = {worst:.2g} of the bound"


def pixels(got, want, share, how):
    differ = float(np.mean(got != want))
    return differ <= share, f"{differ:.3%} of pixels differ (≤ {share:.1%} allowed: {how})"


# ---- cases: (name, [(peer, run, check)]) ----

U32, U64 = 2.0**-24, 2.0**-53


class Data:
    def __init__(self, directory):
        self.dir = directory

    def load(self, case, *names):
        arrays = [np.load(os.path.join(self.dir, f"{case}.{n}.npy")) for n in names]
        return [a[()] if a.ndim == 0 else a for a in arrays]


def saxpy(d):
    a, x, y, want = d.load("saxpy", "a", "x", "y", "out")
    out = np.empty_like(x)
    bound = 4 * U32 * (np.abs(a * x.astype(np.float64)) + np.abs(y))
    fma = "4u (|a x| + |y|) (FMA contraction)"
    return [
        ("numpy", lambda: saxpy_np(a, x, y, out), lambda got: exact(got, want)),
        ("numba", lambda: saxpy_nb(a, x, y, out), lambda got: within(got, want, bound, fma)),
    ]


def triad(d):
    s, b, c, want = d.load("triad", "s", "b", "c", "a")
    out = np.empty_like(b)
    bound = 4 * U64 * (np.abs(s * c) + np.abs(b))
    fma = "4u (|s c| + |b|) (FMA contraction)"
    return [
        ("numpy", lambda: triad_np(s, b, c, out), lambda got: exact(got, want)),
        ("numba", lambda: triad_nb(s, b, c, out), lambda got: within(got, want, bound, fma)),
    ]


def dot(d):
    x, y, want = d.load("dot", "x", "y", "d")
    bound = (x.size + 1) * U64 * float(np.abs(x) @ np.abs(y))
    how = "(n + 1) u Σ|x y| (any summation order)"
    check = lambda got: within(got, want, bound, how)
    return [("numpy", lambda: np.dot(x, y), check), ("numba", lambda: dot_nb(x, y), check)]


def argmin(d):
    x, want = d.load("argmin", "x", "i")
    check = lambda got: exact(got, want)
    return [("numpy", lambda: np.argmin(x), check), ("numba", lambda: argmin_nb(x), check)]


def blur(d):
    img, want = d.load("blur", "img", "out")
    out = np.empty_like(img)
    how = "16u (sums of 9 values in [0, 1) in any order, / 9)"
    return [
        ("numpy", lambda: blur_np(img, out), lambda got: exact(got, want)),
        ("numba", lambda: blur_nb(img, out), lambda got: within(got, want, 16 * U32, how)),
    ]


def logsumexp(d):
    x, want = d.load("logsumexp", "x", "lse")
    bound = (x.size + 8) * U64 + 4 * U64 * abs(want)
    how = "(n + 8) u + 4u |lse| (sum of n positive terms in any order, exp and log within 2 ulps)"
    check = lambda got: within(got, want, bound, how)
    return [("numpy", lambda: logsumexp_np(x), check), ("numba", lambda: logsumexp_nb(x), check)]


def poly(d):
    x, want = d.load("poly", "x", "y")
    c = np.array([F32(1.0) / F32(k + 1) for k in range(17)], F32)
    y = np.empty_like(x)
    how = "2^-17 = 128u (16 Horner steps with |x| < 1, |acc| < 4, FMA contraction)"
    return [
        ("numpy", lambda: poly_np(x, c, y), lambda got: exact(got, want)),
        ("numba", lambda: poly_nb(x, c, y), lambda got: within(got, want, 2.0**-17, how)),
    ]


def mandelbrot(d):
    names = ("x0", "y0", "dx", "dy", "max_iter", "count")
    x0, y0, dx, dy, max_iter, want = d.load("mandelbrot", *names)
    count = np.empty_like(want)
    args = (x0, y0, dx, dy, max_iter, count)
    how = "FMA contraction changes orbits near the boundary"
    return [
        ("numpy", lambda: mandelbrot_np(*args), lambda got: exact(got, want)),
        ("numba", lambda: mandelbrot_nb(*args), lambda got: pixels(got, want, 0.01, how)),
    ]


def blackscholes(d):
    names = ("s", "k", "t", "r", "v", "call", "put")
    s, k, t, r, v, want_call, want_put = d.load("blackscholes", *names)
    call, put = np.empty_like(s), np.empty_like(s)
    bound = (s.astype(np.float64) + k) * 2.0**-18
    how = "2^-18 (s + k): f32 erf, log, exp of ~1 ulp, FMA contraction"

    def check(got):
        ok_call, text = within(got[0], want_call, bound, how)
        ok_put, text_put = within(got[1], want_put, bound, how)
        return ok_call and ok_put, f"call {text}; put: {text_put.split('; ')[1]}"

    run = lambda: blackscholes_nb(s, k, t, r, v, call, put)
    return [("numba", run, check)]


def jacobi(d):
    start, max_it, want = d.load("jacobi", "start", "max_it", "u")
    u, nxt = start.copy(), start.copy()

    def run():
        u[...] = start
        nxt[...] = start
        return jacobi_nb(u, nxt, int(max_it))[0]

    how = "2^-20 (50 sweeps of means of values in [0, 1), FMA contraction)"
    return [("numba", run, lambda got: within(got, want, 2.0**-20, how))]


def stencil3d(d):
    a, k, want = d.load("stencil3d", "a", "k", "b")
    b = np.empty_like(a)
    how = "16u (7-term sums of values in [0, 1), FMA contraction)"
    return [("numba", lambda: stencil3d_nb(a, k, b), lambda got: within(got, want, 16 * U32, how))]


def ema(d):
    x, a, want = d.load("ema", "x", "a", "y")
    y = np.empty_like(x)
    how = "16u (a running average of values in [0, 1), FMA contraction)"
    return [("numba", lambda: ema_nb(x, a, y), lambda got: within(got, want, 16 * U32, how))]


def nbody(d):
    pos, vel, mass, want_pos, want_vel = d.load("nbody", "pos", "vel", "mass", "pos2", "vel2")
    pos2, vel2 = np.empty_like(pos), np.empty_like(vel)
    run = lambda: nbody_nb(pos, vel, mass, 0.01, 0.01, pos2, vel2)
    bound = 1e-9 * (1.0 + np.abs(want_vel))
    how = "1e-9 (1 + |v|) (4096-term sums, FMA contraction)"

    def check(got):
        ok, text = within(got[1], want_vel, bound, how)
        return ok, text

    return [("numba", run, check)]


def binomial(d):
    s, k, t, r, v, want = d.load("binomial", "s", "k", "t", "r", "v", "put")
    put = np.empty_like(s)
    bound = 1e-5 * (s.astype(np.float64) + k)
    how = "1e-5 (s + k) (f32 exp/pow of two libraries, amplified by u^64)"
    return [("numba", lambda: binomial_nb(s, k, t, r, v, put), lambda got: within(got, want, bound, how))]


def rgb_gray(d):
    img, want = d.load("rgb_gray", "img", "gray")
    gray = np.empty_like(want)

    def rgb_gray_np(img, gray):
        r, g, b = (img[..., k].astype(np.uint32) for k in range(3))
        gray[...] = (77 * r + 150 * g + 29 * b + 128) >> 8
        return gray

    return [
        ("numpy", lambda: rgb_gray_np(img, gray), lambda got: exact(got, want)),
        ("numba", lambda: rgb_gray_nb(img, gray), lambda got: exact(got, want)),
    ]


def hash_u32(d):
    keys, seed, want = d.load("hash_u32", "keys", "seed", "hash")
    hashes, unit = np.empty_like(want), np.empty(want.shape, np.float32)
    run = lambda: hash_u32_nb(keys, np.uint32(seed), hashes, unit)
    return [("numba", run, lambda got: exact(got[0], want))]


def ray_sphere(d):
    rays = d.load("ray_sphere", "ox", "oy", "oz", "dx", "dy", "dz", "t", "id")
    want_t, want_id = rays[6], rays[7]
    t, ids = np.empty_like(want_t), np.empty_like(want_id)
    run = lambda: ray_sphere_nb(*rays[:6], SPHERES, t, ids)

    def check(got):
        ok, how = exact(got[0], want_t)
        return exact(got[1], want_id) if ok else (ok, how)

    return [("numba", run, check)]


CASES = [saxpy, triad, dot, blur, logsumexp, poly, mandelbrot, blackscholes,
         jacobi, stencil3d, ema, nbody, binomial, argmin, rgb_gray, hash_u32, ray_sphere]

# The report has no numpy column for these, and says why.
NO_NUMPY = {
    "blackscholes": "numpy has no erf (scipy.special.erf would do)",
    "jacobi": "a convergence loop: numba only",
    "stencil3d": "numba only",
    "ema": "a loop-carried scan: numba only",
    "nbody": "numba only",
    "binomial": "a per-option tree in a local array: numba only",
    "hash_u32": "numba only",
    "ray_sphere": "a loop over spheres per ray: numba only",
}


def measure(run, budget=1.0, slow=3.0):
    """(best seconds, first-call seconds, last result). A first call that
    takes `slow` seconds or more (numpy's mandelbrot) is timed only once."""
    start = time.perf_counter()
    result = run()
    first = time.perf_counter() - start
    if first >= slow:
        return first, first, result
    times = []
    while len(times) < 3 or (sum(times) < budget and len(times) < 30):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), first, result


def report(tsv, name, peer, seconds, compile_s, status, detail):
    """One result: a TSV line for benches/report/peers.rs, or a readable one."""
    if tsv:
        compile_text = "-" if compile_s is None else f"{compile_s:.6f}"
        print(f"{name}\t{peer}\t{seconds:.9f}\t{compile_text}\t{status}\t{detail}", flush=True)
    else:
        compile_text = "" if compile_s is None else f"compile {1e3 * compile_s:.0f} ms"
        time_text = "n/a" if math.isnan(seconds) else f"{1e3 * seconds:.2f} ms"
        print(f"{name:13} {peer:6} {time_text:>11} {compile_text:>14}  {status}: {detail}", flush=True)


def main(argv):
    tsv = "--tsv" in argv
    if "--small-pages" in argv:
        np._core.multiarray._set_madvise_hugepage(False)
    args = [a for a in argv if not a.startswith("--")]
    if not args:
        sys.exit(__doc__)
    data, selected = Data(args[0]), args[1:]
    versions = f"python {platform.python_version()}, numpy {np.__version__}, "
    versions += f"numba {numba.__version__}, {numba.config.NUMBA_NUM_THREADS} numba threads"
    print(f"#versions\t{versions}" if tsv else versions, flush=True)
    for case in CASES:
        name = case.__name__
        if selected and name not in selected:
            continue
        if name in NO_NUMPY:
            report(tsv, name, "numpy", math.nan, None, "n/a", NO_NUMPY[name])
        for peer, run, check in case(data):
            print(f"peers: {name} {peer}", file=sys.stderr, flush=True)
            best, first, result = measure(run)
            ok, detail = check(result)
            compile_s = first - best if peer == "numba" else None
            report(tsv, name, peer, best, compile_s, "ok" if ok else "fail", detail)


if __name__ == "__main__":
    main(sys.argv[1:])
