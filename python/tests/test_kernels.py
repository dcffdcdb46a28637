"""Every kernel of kernels/ called from Python, against numpy.

Expected values are computed with numpy independently of kjit. They are
exact (the same operations in the same order, or data whose sums are exact
whatever the order) except where a kernel uses transcendental maths (exp,
log, erf), which kjit computes with its own inline routines (<= 2 ulp).
"""

import math

import numpy as np
import pytest

import kjit
from conftest import KERNELS, load

RNG = np.random.default_rng(7)
# Lengths around kjit's gang (8) and chunk (16384) sizes, and empty.
LENGTHS = [0, 1, 7, 9, 1000, 16384 + 3]


def test_every_example_kernel_is_tested():
    tested = [name[len("test_"):] for name in globals() if name.startswith("test_")]
    for path in KERNELS.glob("*.kern"):
        covered = any(t == path.stem or t.startswith(path.stem + "_") for t in tested)
        assert covered, f"kernels/{path.name} has no test here"


@pytest.mark.parametrize("n", LENGTHS)
def test_saxpy(n):
    x = RNG.uniform(-1, 1, n).astype(np.float32)
    y = RNG.uniform(-1, 1, n).astype(np.float32)
    out = load("saxpy")(2.5, x, y)
    assert out.dtype == np.float32 and out.shape == (n,)
    np.testing.assert_array_equal(out, np.float32(2.5) * x + y)


@pytest.mark.parametrize("n", LENGTHS)
def test_triad(n):
    b, c = RNG.uniform(0, 1, (2, n))
    np.testing.assert_array_equal(load("triad")(3.0, b, c), b + 3.0 * c)


@pytest.mark.parametrize("n", LENGTHS)
def test_dot(n):
    # Small integers: every product and partial sum is exact, so the sum
    # does not depend on the order kjit's lanes and chunks add in.
    x = RNG.integers(-50, 50, n).astype(np.float64)
    y = RNG.integers(-50, 50, n).astype(np.float64)
    d = load("dot")(x, y)
    assert isinstance(d, np.float64)
    assert d == float(np.dot(x, y))


def test_dot_random_data_close():
    x, y = RNG.uniform(-1, 1, (2, 100_000))
    assert load("dot")(x, y) == pytest.approx(np.dot(x, y), rel=1e-12)


@pytest.mark.parametrize("n", LENGTHS + [3 * 16384 + 5])
def test_argmin(n):
    # Few distinct values: the minimum repeats across lanes and chunks, and
    # np.argmin gives the first.
    x = RNG.integers(-20, 20, n).astype(np.float32)
    i = load("argmin")(x)
    assert isinstance(i, np.int64)
    assert i == (np.argmin(x) if n else -1)


def test_argmin_nan_and_ties():
    x = np.array([3, 1, np.nan, 1, np.nan, -np.inf], dtype=np.float32)
    assert load("argmin")(x) == np.argmin(x) == 2
    x = np.array([0.0, -0.0, 5, -0.0], dtype=np.float32)
    assert load("argmin")(x) == np.argmin(x) == 0
    x = np.full(20_000, np.inf, dtype=np.float32)
    assert load("argmin")(x) == np.argmin(x) == 0


ARGS_ND = """
kernel nd(a: f64[h, w], b: i32[d, h, w]) -> (lo: i64, hi: i64, v: f64, at: i64, b_hi: i64) {
    lo = argmin over (r, c) in (h, w) { a[r, c] };
    hi = argmax over (r, c) in (h, w) { a[r, c] };
    let (value, index) = max_at over (r, c) in (h, w) { a[r, c] };
    v = value;
    at = index;
    b_hi = argmax over (z, r, c) in (d, h, w) { b[z, r, c] };
}
"""


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (130, 140), (2, 20_000)])
def test_argmin_nd_flat_index(shape):
    # The flat row-major index, as np.argmin on the whole array;
    # np.unravel_index gives back (r, c).
    a = RNG.integers(-9, 9, shape).astype(np.float64)
    b = RNG.integers(-5, 5, (3,) + shape).astype(np.int32)
    lo, hi, v, at, b_hi = kjit.compile(ARGS_ND)["nd"](a, b)
    assert (lo, hi, at, b_hi) == (np.argmin(a), np.argmax(a), np.argmax(a), np.argmax(b))
    assert v == a.max() == a[np.unravel_index(at, shape)]


@pytest.mark.parametrize("n", [1, 9, 1000, 16384 + 3])
def test_logsumexp(n):
    x = RNG.normal(0, 10, n)
    m = x.max()
    expected = m + np.log(np.sum(np.exp(x - m)))
    assert load("logsumexp")(x) == pytest.approx(expected, rel=1e-13, abs=1e-13)


@pytest.mark.parametrize("n", [1, 8, 1024, 32768])
def test_normalize_exact(n):
    # Integers and a power-of-two length: mean, deviations and their
    # squares are exact, so every value matches numpy bit for bit.
    x = RNG.integers(-20, 20, n).astype(np.float64)
    y, mean, std = load("normalize")(x, 1.5)
    expected_mean = np.sum(x) / n
    expected_std = np.sqrt(np.sum((x - expected_mean) ** 2) / n)
    assert mean == expected_mean and std == expected_std
    scale = 1.0 / expected_std if expected_std > 0 else 0.0
    np.testing.assert_array_equal(y, np.clip((x - expected_mean) * scale, -1.5, 1.5))


def test_normalize_named_outputs():
    result = load("normalize")(RNG.normal(5, 2, 1000), 3.0)
    assert result._fields == ("y", "mean", "std")
    assert result.y is result[0] and isinstance(result.mean, np.float64)


@pytest.mark.parametrize("n", LENGTHS)
def test_poly(n):
    x = RNG.uniform(-1, 1, n).astype(np.float32)
    acc = np.full(n, np.float32(1) / np.float32(17), dtype=np.float32)
    for k in range(16, 0, -1):
        acc = acc * x + np.float32(1) / np.float32(k)
    np.testing.assert_array_equal(load("poly")(x), acc)


@pytest.mark.parametrize("n", [1, 9, 1000, 16384 + 3])
def test_softmax(n):
    x = RNG.normal(0, 4, n).astype(np.float32)
    e = np.exp(x.astype(np.float64) - x.max())
    y = load("softmax")(x)
    # exp within 2 ulp, and a float32 sum of up to 16k terms: ~1e-5 relative.
    np.testing.assert_allclose(y, e / e.sum(), rtol=2e-5, atol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 9, 1000, 16384 + 3])
def test_blackscholes(n):
    s, k = RNG.uniform(10, 100, (2, n)).astype(np.float32)
    t = RNG.uniform(0.25, 2, n).astype(np.float32)
    r, v = 0.02, 0.3
    call, put = load("blackscholes")(s, k, t, r, v)
    # Reference in float64 from the float32 inputs.
    S, K, T = (a.astype(np.float64) for a in (s, k, t))
    cnd = np.vectorize(lambda z: 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))), otypes=[float])
    d1 = (np.log(S / K) + (r + 0.5 * v * v) * T) / (v * np.sqrt(T))
    d2 = d1 - v * np.sqrt(T)
    disc = K * np.exp(-r * T)
    expected_call = S * cnd(d1) - disc * cnd(d2) if n else np.zeros(0)
    expected_put = disc * cnd(-d2) - S * cnd(-d1) if n else np.zeros(0)
    # float32 arithmetic on prices up to 100: absolute error of ~1e-4.
    np.testing.assert_allclose(call, expected_call, rtol=1e-4, atol=5e-4)
    np.testing.assert_allclose(put, expected_put, rtol=1e-4, atol=5e-4)


def blur_reference(img):
    out = img.copy()
    h, w = img.shape
    if h > 2 and w > 2:
        s = np.zeros((h - 2, w - 2), dtype=np.float32)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                s += img[1 + dr : h - 1 + dr, 1 + dc : w - 1 + dc]
        out[1:-1, 1:-1] = s / np.float32(9)
    return out


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (5, 9), (64, 70), (0, 4)])
def test_blur(shape):
    img = RNG.uniform(0, 1, shape).astype(np.float32)
    np.testing.assert_array_equal(load("blur")(img), blur_reference(img))


@pytest.mark.parametrize("shape", [(3, 3), (10, 17), (130, 140)])
def test_heat(shape):
    u = RNG.uniform(0, 1, shape)
    before = u.copy()
    nxt, change = load("heat")(u, 0.2)
    expected = before.copy()
    lap = (
        before[:-2, 1:-1] + before[2:, 1:-1] + before[1:-1, :-2] + before[1:-1, 2:]
        - 4.0 * before[1:-1, 1:-1]
    )
    expected[1:-1, 1:-1] = before[1:-1, 1:-1] + 0.2 * lap
    np.testing.assert_array_equal(nxt, expected)
    assert change == np.max(np.abs(expected - before))
    # `u` is inout: updated in place to the next step.
    np.testing.assert_array_equal(u, expected)


def mandelbrot_reference(h, w, x0, y0, dx, dy, max_iter):
    f = np.float32
    cr = f(x0) + np.arange(w, dtype=f)[None, :] * f(dx)
    ci = f(y0) + np.arange(h, dtype=f)[:, None] * f(dy)
    cr, ci = np.broadcast_to(cr, (h, w)), np.broadcast_to(ci, (h, w))
    zr = np.zeros((h, w), f)
    zi = np.zeros((h, w), f)
    k = np.zeros((h, w), np.int32)
    for _ in range(max_iter):
        live = zr * zr + zi * zi <= f(4)
        if not live.any():
            break
        t = zr * zr - zi * zi + cr
        zi = np.where(live, f(2) * zr * zi + ci, zi)
        zr = np.where(live, t, zr)
        k += live
    return k


@pytest.mark.parametrize("h,w", [(1, 1), (13, 29), (48, 64)])
def test_mandelbrot(h, w):
    args = dict(x0=-2.0, y0=-1.5, dx=3.0 / w, dy=3.0 / h, max_iter=64)
    count = load("mandelbrot")(h=h, w=w, **args)
    assert count.dtype == np.int32 and count.shape == (h, w)
    np.testing.assert_array_equal(count, mandelbrot_reference(h, w, **args))


@pytest.mark.parametrize("shape,sweeps", [((3, 3), 0), ((20, 30), 7), ((64, 9), 3)])
def test_jacobi(shape, sweeps):
    f = np.float32
    start = RNG.uniform(0, 1, shape).astype(f)
    u = start.copy()
    it, err = load("jacobi")(u, 0.0, sweeps)
    ref, e = start.copy(), f(1.0)
    for _ in range(sweeps):
        nxt = ref.copy()
        nxt[1:-1, 1:-1] = f(0.25) * (ref[:-2, 1:-1] + ref[2:, 1:-1] + ref[1:-1, :-2] + ref[1:-1, 2:])
        e = np.max(np.abs(nxt - ref))
        ref = nxt
    assert it == sweeps
    # `u` is inout: it holds the last sweep whatever the parity of the swaps.
    np.testing.assert_array_equal(u, ref)
    assert err == e


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 5), (9, 8, 33)])
def test_stencil3d(shape):
    f = np.float32
    a = RNG.uniform(0, 1, shape).astype(f)
    b = load("stencil3d")(a, 0.1)
    m = a[1:-1, 1:-1, 1:-1]
    lap = (a[:-2, 1:-1, 1:-1] + a[2:, 1:-1, 1:-1] + a[1:-1, :-2, 1:-1] + a[1:-1, 2:, 1:-1]
           + a[1:-1, 1:-1, :-2] + a[1:-1, 1:-1, 2:] - f(6.0) * m)
    expected = a.copy()
    expected[1:-1, 1:-1, 1:-1] = m + f(0.1) * lap
    np.testing.assert_array_equal(b, expected)


@pytest.mark.parametrize("shape", [(0, 4), (1, 1), (9, 17), (300, 5)])
def test_ema(shape):
    f = np.float32
    x = RNG.uniform(0, 1, shape).astype(f)
    y = load("ema")(x, 0.1)
    a = f(0.1)
    expected = np.zeros_like(x)
    acc = np.zeros(shape[0], f)
    for c in range(shape[1]):
        acc = a * x[:, c] + (f(1.0) - a) * acc
        expected[:, c] = acc
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("n", [0, 1, 9, 300])
def test_binomial(n):
    f = np.float32
    s = RNG.uniform(10, 100, n).astype(f)
    k = RNG.uniform(10, 100, n).astype(f)
    t = RNG.uniform(0.25, 2, n).astype(f)
    put = load("binomial")(s, k, t, 0.02, 0.3)
    # The same tree in float64, all options at once.
    s64, k64, t64 = s.astype(np.float64), k.astype(np.float64), t.astype(np.float64)
    dt = t64 / 64
    u = np.exp(0.3 * np.sqrt(dt))
    d = 1 / u
    disc = np.exp(0.02 * dt)
    pu = (disc - d) / (u - d)
    j = np.arange(65)
    values = np.maximum(k64[:, None] - s64[:, None] * u[:, None] ** (2 * j - 64), 0)
    for step in range(64):
        m = 64 - step
        values[:, :m] = ((1 - pu[:, None]) * values[:, :m] + pu[:, None] * values[:, 1:m + 1]) / disc[:, None]
    np.testing.assert_allclose(put, values[:, 0], rtol=0, atol=1e-5 * float(np.max(s64 + k64, initial=0)))


@pytest.mark.parametrize("n", [0, 1, 9, 20])
def test_nbody(n):
    pos = RNG.uniform(-1, 1, (n, 3))
    vel = RNG.uniform(-0.1, 0.1, (n, 3))
    mass = RNG.uniform(0.5, 1, n)
    dt, eps = 0.01, 0.01
    pos2, vel2 = load("nbody")(pos, vel, mass, dt, eps)
    acc = np.zeros((n, 3))
    for j in range(n):
        d = pos[j][None, :] - pos
        r2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2] + eps * eps
        s = mass[j] / (r2 * np.sqrt(r2))
        acc += s[:, None] * d
    expected_vel = vel + dt * acc
    np.testing.assert_array_equal(vel2, expected_vel)
    np.testing.assert_array_equal(pos2, pos + dt * expected_vel)


@pytest.mark.parametrize("shape", [(0, 4), (1, 1), (3, 5), (64, 70), (17, 1000)])
def test_rgb_gray(shape):
    img = RNG.integers(0, 256, (*shape, 3), dtype=np.uint8)
    gray = load("rgb_gray")(img)
    assert gray.dtype == np.uint8 and gray.shape == shape
    r, g, b = (img[..., k].astype(np.uint32) for k in range(3))
    want = ((77 * r + 150 * g + 29 * b + 128) >> 8).astype(np.uint8)
    np.testing.assert_array_equal(gray, want)


def fmix32(k):
    """MurmurHash3's finalizer on a uint32 array (numpy's uint32 wraps)."""
    k = k ^ (k >> np.uint32(16))
    k = k * np.uint32(0x85EBCA6B)
    k = k ^ (k >> np.uint32(13))
    k = k * np.uint32(0xC2B2AE35)
    return k ^ (k >> np.uint32(16))


@pytest.mark.parametrize("n", LENGTHS)
def test_hash_u32(n):
    keys = RNG.integers(0, 2**32, n, dtype=np.uint32)
    seed = np.uint32(2**32 - 7)
    hashes, unit = load("hash_u32")(keys, seed)
    assert hashes.dtype == np.uint32 and unit.dtype == np.float32
    with np.errstate(over="ignore"):
        want = fmix32(keys ^ (seed * np.uint32(0x9E3779B9)))
    np.testing.assert_array_equal(hashes, want)
    np.testing.assert_array_equal(unit, (want >> np.uint32(8)).astype(np.float32) * np.float32(2.0**-24))


def test_hash_u32_scalar_range_checked():
    keys = np.arange(4, dtype=np.uint32)
    with pytest.raises(Exception, match="does not fit"):
        load("hash_u32")(keys, -1)
    with pytest.raises(Exception, match="uint32"):
        load("hash_u32")(keys.astype(np.int32), 1)


SPHERES = np.array(
    [[0.0, 0.0, 0.0, 1.0], [1.5, 0.5, 1.0, 0.5], [-1.5, -0.5, 0.5, 0.7],
     [0.0, 1.5, 2.0, 0.6], [0.5, -1.5, 1.5, 0.8], [-1.0, 1.0, -1.0, 0.4],
     [2.0, -1.0, 3.0, 1.2], [-2.0, 2.0, 4.0, 1.5]], dtype=np.float32)


def trace(o, d):
    """The nearest sphere in front of each ray, in float32, in the kernel's
    order of operations."""
    inv = np.float32(1.0) / np.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
    r = [d[0] * inv, d[1] * inv, d[2] * inv]
    best_t = np.full(len(o[0]), np.inf, dtype=np.float32)
    best_id = np.full(len(o[0]), -1, dtype=np.int32)
    for s, (cx, cy, cz, radius) in enumerate(SPHERES):
        oc = [o[0] - cx, o[1] - cy, o[2] - cz]
        b = oc[0] * r[0] + oc[1] * r[1] + oc[2] * r[2]
        c = oc[0] * oc[0] + oc[1] * oc[1] + oc[2] * oc[2] - radius * radius
        disc = b * b - c
        root = np.sqrt(np.maximum(disc, np.float32(0.0)))
        near = -b - root
        t = np.where(near > 0, near, -b + root)
        take = (disc >= 0) & (t > 0) & (t < best_t)
        best_t = np.where(take, t, best_t)
        best_id = np.where(take, np.int32(s), best_id)
    return np.where(best_id >= 0, best_t, np.float32(-1.0)), best_id


@pytest.mark.parametrize("n", LENGTHS)
def test_ray_sphere(n):
    lo = np.array([-1, -1, -6, -0.3, -0.3, 0.5])
    hi = np.array([1, 1, -4, 0.3, 0.3, 1.0])
    rays = RNG.uniform(lo, hi, (n, 6)).T.astype(np.float32)
    want_t, want_id = trace(rays[:3], rays[3:])
    program = kjit.compile_file(KERNELS / "ray_sphere.kern")
    for name in ["ray_sphere", "ray_sphere_scalar"]:
        t, ids = program[name](*rays)
        np.testing.assert_array_equal(t, want_t)
        np.testing.assert_array_equal(ids, want_id)


STRUCTS = """
struct Vec2 { x: f64, y: f64 }
fn rotate(p: Vec2, c: f64, s: f64) -> Vec2 { Vec2(c * p.x - s * p.y, s * p.x + c * p.y) }
fn polar(p: Vec2) -> (f64, f64) { (hypot(p.x, p.y), atan2(p.y, p.x)) }
kernel spin(x: f64[n], y: f64[n], angle: f64) -> (r: f64[n], phi: f64[n]) {
    foreach i in n {
        let p = rotate(Vec2(x[i], y[i]), cos(angle), sin(angle));
        let (radius, theta) = polar(p);
        r[i] = radius;
        phi[i] = theta;
    }
}
"""


@pytest.mark.parametrize("n", [0, 1, 9, 1000])
def test_structs_and_tuples_from_python(n):
    x, y = RNG.uniform(-2, 2, (2, n))
    r, phi = kjit.compile(STRUCTS)["spin"](x, y, 0.5)
    c, s = math.cos(0.5), math.sin(0.5)
    px, py = c * x - s * y, s * x + c * y
    np.testing.assert_allclose(r, np.hypot(px, py), rtol=1e-15)
    np.testing.assert_allclose(phi, np.arctan2(py, px), rtol=1e-14, atol=1e-15)
