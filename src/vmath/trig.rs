//! Sine, cosine, tangent: x = k·π/2 + r with k = round(x·2/π) and
//! |r| ≤ π/4 (Cody–Waite reduction with fma), then fdlibm-style kernels on
//! r; the quadrant k mod 4 picks the sine or cosine kernel and the sign.
//!
//! Precise: r is kept as an unevaluated sum `hi + lo` (a few bits of the
//! reduction error matter when x is near a multiple of π/2) and the kernels
//! take the `lo` correction, as fdlibm's `__kernel_sin(x, y)` and
//! `__kernel_cos(x, y)`. tan is sin/cos (or -cos/sin) of the two kernels,
//! each kept as a normalised double-length pair, with one Newton-style
//! correction of the quotient.
//!
//! Fast: r is a single rounded value (three chained fmas), the kernels drop
//! the `lo` terms and tan is one division.
//!
//! At and beyond `limit` (f64: |x| ≥ 2^30, f32: |x| ≥ 1.5·2^21 ≈ 3.1e6) the
//! reduction is no longer accurate enough (f64: the π/2 parts run out; f32:
//! k = round(x·2/π) may be off by one too often, leaving |r| well above
//! π/4); those lanes, and ±inf, go to the `libm` crate, which does a full
//! Payne–Hanek reduction.
//!
//! Measured during development (current figures: docs/MATH.md; every 5th f32 in [2^-20, 2^23), 5.7M sampled
//! f32 incl. near multiples of π/4, 42k f64 against 160-bit dashu incl.
//! near multiples of π/2 and π/4): Precise sin, cos ≤ 0.81 ulp, tan
//! ≤ 0.91 ulp (f32) / 0.83 ulp (f64); Fast sin ≤ 2.3, cos ≤ 1.8, tan ≤ 3.7
//! ulp (f32) and sin ≤ 1.4, cos ≤ 1.5, tan ≤ 2.6 ulp (f64).

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{fast_two_sum, horner, round_to_int};
use super::{Arith, Precision, Slow};
use crate::ir::Builtin;

/// Per-type constants.
struct Consts {
    /// π/2 split into parts, each the previous remainder rounded to the lane
    /// type: `k·π/2 = k·(p[0] + p[1] + …)` with `x - k·p[0]` exact under fma.
    pio2: &'static [f64],
    /// 2/π as a sum of parts (f32: two, so k is at most ulp(x·2/π)/2 away
    /// from round(x·2/π) and |r| stays close to π/4).
    two_over_pi: &'static [f64],
    /// |x| below which the inline reduction is used.
    limit: f64,
    /// Precise sine kernel: sin r = r + r³·(S1 + z·S2 + …), z = r².
    sin: &'static [f64],
    /// Precise cosine kernel: cos r = 1 - z/2 + z²·(C1 + z·C2 + …).
    cos: &'static [f64],
    /// Shorter kernels for [`Precision::Fast`] (the same when no shorter
    /// polynomial is accurate enough).
    sin_fast: &'static [f64],
    cos_fast: &'static [f64],
}

/// fdlibm `__kernel_sin`: |sin(x)/x - (1 + S1·x² + … + S6·x¹²)| < 2^-58 on
/// [-π/4, π/4].
const SIN_F64: &[f64] = &[
    -1.666_666_666_666_663_243_48e-01,
    8.333_333_333_322_489_461_24e-03,
    -1.984_126_982_985_794_931_34e-04,
    2.755_731_370_707_006_767_89e-06,
    -2.505_076_025_340_686_341_95e-08,
    1.589_690_995_211_550_102_21e-10,
];

/// fdlibm `__kernel_cos`: |cos(x) - (1 - x²/2 + C1·x⁴ + … + C6·x¹⁴)| < 2^-58.
const COS_F64: &[f64] = &[
    4.166_666_666_666_660_190_37e-02,
    -1.388_888_888_887_410_957_49e-03,
    2.480_158_728_947_672_941_78e-05,
    -2.755_731_435_139_066_330_35e-07,
    2.087_572_321_298_174_827_90e-09,
    -1.135_964_755_778_819_482_65e-11,
];

/// f64: 3 × 53 bits of π/2 (the tail beyond is < 2^-163). For |k| < 2^30
/// the parts' products and the lo sum carry errors below k·2^-158, far
/// below ulp(r) even for the closest doubles to a multiple of π/2
/// (|r| > 2^-61 over all doubles).
const F64: Consts = Consts {
    pio2: &[
        1.570_796_326_794_896_558e0,  // 0x1.921fb54442d18p+0
        6.123_233_995_736_766e-17,    // 0x1.1a62633145c07p-54
        -1.497_384_904_859_169_8e-33, // -0x1.f1976b7ed8fbcp-110
    ],
    // Its error (< 2^-54 relative) and the product's rounding move k·π/2
    // by < 2^-22 for |x| < 2^30: |r| ≤ π/4 + 2^-22, harmless.
    two_over_pi: &[std::f64::consts::FRAC_2_PI],
    limit: 1_073_741_824.0, // 2^30
    sin: SIN_F64,
    cos: COS_F64,
    // A polynomial one term shorter is only good to ~2^-46 (sin, relative)
    // and ~2^-50 (cos): 7–100 ulp. Fast keeps the polynomials and skips
    // the correction terms.
    sin_fast: SIN_F64,
    cos_fast: COS_F64,
};

/// f32: 4 × 24 bits of π/2. x·2/π is rounded once in f32 (2/π as two
/// parts), so k can be round(x·2/π) ± 1 where x·2/π is within ulp/2 of a
/// half-integer: |r| ≤ π/4 + ulp(x·2/π)·π/4, i.e. ≤ 0.884 below `limit`
/// (1.5·2^21: x·2/π < 2^21). The kernels below stay far inside an f32 ulp
/// there (at 1.5·2^22, |r| ≤ 0.98, measured errors passed 1 ulp).
const F32: Consts = Consts {
    pio2: &[
        1.570_796_370_506_286_6,      // 0x1.921fb6p+0
        -4.371_138_828_673_793e-08,   // -0x1.777a5cp-25
        -1.715_124_510_005_881_9e-15, // -0x1.ee59dap-50
        1.056_299_898_220_315e-23,    // 0x1.98a2e0p-77
    ],
    two_over_pi: &[
        0.636_619_746_685_028_1,    // 0x1.45f306p-1
        2.568_255_297_319_410_6e-8, // 0x1.b93910p-26
    ],
    limit: 3_145_728.0, // 1.5·2^21
    // musl __sindf: |sin(x)/x - s(x)| < 2^-37.5 on [-π/4, π/4].
    sin: &[
        -1.666_666_664_162_652_355_95e-01,
        8.333_329_385_889_463_175_6e-03,
        -1.983_933_483_609_663_173_47e-04,
        2.718_311_493_989_821_906_4e-06,
    ],
    // musl __cosdf (its -0.4999999972 is our exact -1/2): error < 2^-34.1.
    cos: &[
        4.166_662_332_373_906_318_94e-02,
        -1.388_676_377_460_992_946_92e-03,
        2.439_044_879_627_740_906_54e-05,
    ],
    // Cephes sinf (one term shorter; ~0.3 ulp more) and cosf.
    sin_fast: &[-1.666_665_461_1e-1, 8.332_160_873_6e-3, -1.951_529_589_1e-4],
    cos_fast: &[
        4.166_664_568_298_827e-02,
        -1.388_731_625_493_765e-03,
        2.443_315_711_809_948e-05,
    ],
};

fn consts<A: Arith>(a: &A) -> &'static Consts {
    if a.is_f64() {
        &F64
    } else {
        &F32
    }
}

/// The reduced argument: x = k·π/2 + hi + lo, |hi + lo| ≤ π/4 (plus a
/// rounding), |lo| ≤ ulp(hi)/2 (Fast: lo = 0), and k's integer bits.
struct Reduced<A: Arith> {
    k: A::I,
    hi: A::F,
    lo: A::F,
}

fn reduce<A: Arith>(a: &mut A, p: Precision, x: A::F) -> Reduced<A> {
    let c = consts(a);
    let two_over_pi = a.fconst(c.two_over_pi[0]);
    let scaled = match c.two_over_pi.get(1) {
        Some(&low) => {
            let low = a.fconst(low);
            let x_low = a.fmul(x, low);
            a.fma(x, two_over_pi, x_low)
        }
        None => a.fmul(x, two_over_pi),
    };
    let (kf, k) = round_to_int(a, scaled);
    let neg_k = a.fneg(kf);
    // For k ≠ 0, x and k·p0 are multiples of ulp(p0)/2 and |x - k·p0| < 1
    // (|r| plus k times p0's error): exact.
    let p0 = a.fconst(c.pio2[0]);
    let u = a.fma(neg_k, p0, x);
    let p1 = a.fconst(c.pio2[1]);
    if p == Precision::Fast {
        // One rounding per part, each about ulp(r)/2 once the
        // cancellation is done; about 1 ulp of r in all.
        let mut r = a.fma(neg_k, p1, u);
        for &part in &c.pio2[2..] {
            let part = a.fconst(part);
            r = a.fma(neg_k, part, r);
        }
        let lo = a.fconst(0.0);
        return Reduced { k, hi: r, lo };
    }
    // u - k·p1 exactly as hi + err: the product's rounding error by fma,
    // the difference by TwoSum (|u| may be below |k·p1| near multiples of
    // π/2, so Fast2Sum's ordering does not hold).
    let prod = a.fmul(kf, p1);
    let neg_prod = a.fneg(prod);
    let prod_err = a.fma(kf, p1, neg_prod);
    let hi = a.fsub(u, prod);
    let hi_minus_u = a.fsub(hi, u);
    let u_part = a.fsub(hi, hi_minus_u);
    let u_err = a.fsub(u, u_part);
    let prod_part_err = a.fsub(neg_prod, hi_minus_u);
    let sum_err = a.fadd(u_err, prod_part_err);
    // The remaining terms are tiny: ordinary rounding is enough.
    let mut lo = a.fsub(sum_err, prod_err);
    for &part in &c.pio2[2..] {
        let part = a.fconst(part);
        lo = a.fma(neg_k, part, lo);
    }
    // Normalise (|hi| ≥ |lo| by exponent, so Fast2Sum).
    let r = a.fadd(hi, lo);
    let r_minus_hi = a.fsub(r, hi);
    let lo = a.fsub(lo, r_minus_hi);
    Reduced { k, hi: r, lo }
}

/// sin(hi + lo) for |hi + lo| ≤ π/4 (f32: a little more, see `F32`), as fdlibm's `__kernel_sin`:
/// hi + (lo - z·lo/2 + v·(S1 + z·S(z))) with z = hi², v = z·hi. The
/// result is `(hi, tail)`, to be added (tan keeps the pair).
fn sin_kernel<A: Arith>(a: &mut A, p: Precision, r: &Reduced<A>, z: A::F) -> (A::F, A::F) {
    let c = consts(a);
    let v = a.fmul(z, r.hi);
    if p == Precision::Fast {
        let poly = horner(a, z, c.sin_fast);
        let tail = a.fmul(v, poly);
        return (r.hi, tail);
    }
    let rest = horner(a, z, &c.sin[1..]);
    let half = a.fconst(-0.5);
    let neg_half_lo = a.fmul(r.lo, half);
    // v·S(z) - lo/2, then lo + z·(v·S(z) - lo/2) + v·S1.
    let inner = a.fma(v, rest, neg_half_lo);
    let outer = a.fma(z, inner, r.lo);
    let s1 = a.fconst(c.sin[0]);
    let tail = a.fma(v, s1, outer);
    (r.hi, tail)
}

/// cos(hi + lo) for |hi + lo| ≤ π/4 (f32: a little more), as fdlibm's `__kernel_cos`:
/// w = 1 - z/2 is the head, and the tail collects w's rounding error,
/// z²·C(z) and the first-order lo correction -hi·lo.
fn cos_kernel<A: Arith>(a: &mut A, p: Precision, r: &Reduced<A>, z: A::F) -> (A::F, A::F) {
    let c = consts(a);
    let coeffs = if p == Precision::Fast {
        c.cos_fast
    } else {
        c.cos
    };
    let poly = horner(a, z, coeffs);
    let z_poly = a.fmul(z, poly);
    let half = a.fconst(0.5);
    let half_z = a.fmul(z, half);
    let one = a.fconst(1.0);
    let w = a.fsub(one, half_z);
    let one_minus_w = a.fsub(one, w);
    let w_err = a.fsub(one_minus_w, half_z);
    let correction = if p == Precision::Fast {
        w_err
    } else {
        let neg_hi = a.fneg(r.hi);
        a.fma(neg_hi, r.lo, w_err)
    };
    let tail = a.fma(z, z_poly, correction);
    (w, tail)
}

/// Lanes with |x| ≥ `limit` (and ±inf) go to libm; NaN stays inline,
/// where it propagates.
fn with_fallback<A: Arith>(a: &mut A, fun: Builtin, x: A::F, fast: A::F) -> A::F {
    let limit = a.fconst(consts(a).limit);
    let magnitude = a.fabs(x);
    let huge = a.fle(limit, magnitude);
    a.fallback(huge, Slow::Libm(fun), x, x, fast)
}

/// `y` with its sign flipped where `q & bit` is set (`bit` a power of two:
/// shifted up to the sign bit, then xor).
fn flip_sign<A: Arith>(a: &mut A, y: A::F, q: A::I, bit: i64) -> A::F {
    let width = if a.is_f64() { 64 } else { 32 };
    let mask = a.iconst(bit);
    let selected = a.iand(q, mask);
    let shift = width - 1 - bit.trailing_zeros();
    let sign = a.ishl(selected, shift);
    let bits = a.to_bits(y);
    let flipped = a.ixor(bits, sign);
    a.bits_to_float(flipped)
}

/// sin or cos (`offset` 0 or 1 quadrant): quadrant q = k + offset picks
/// sin r, cos r, -sin r, -cos r.
fn sin_cos<A: Arith>(a: &mut A, p: Precision, x: A::F, offset: i64) -> A::F {
    let r = reduce(a, p, x);
    let z = a.fmul(r.hi, r.hi);
    let (s_hi, s_tail) = sin_kernel(a, p, &r, z);
    let (c_hi, c_tail) = cos_kernel(a, p, &r, z);
    let s = a.fadd(s_hi, s_tail);
    let c = a.fadd(c_hi, c_tail);
    let offset = a.iconst(offset);
    let q = a.iadd(r.k, offset);
    let one = a.iconst(1);
    let q_odd_bit = a.iand(q, one);
    let odd = a.ieq(q_odd_bit, one);
    let y = a.fselect(odd, c, s);
    flip_sign(a, y, q, 2)
}

pub fn sin<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let y = sin_cos(a, p, x, 0);
    // The kernel computes -0 + +0 = +0: keep the zero's sign.
    let zero = a.fconst(0.0);
    let is_zero = a.feq(x, zero);
    let y = a.fselect(is_zero, x, y);
    with_fallback(a, Builtin::Sin, x, y)
}

pub fn cos<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let y = sin_cos(a, p, x, 1);
    with_fallback(a, Builtin::Cos, x, y)
}

/// tan r = sin r / cos r (k even) or -cos r / sin r (k odd). Precise: the
/// kernels' (head, tail) pairs are normalised to N = n + n', D = d + d'
/// and t0 = n·(1/d) (one division, shared) is corrected by
/// (n - t0·d + n' - t0·d')·(1/d); t0 is within about an ulp of n/d, so
/// the fma remainder n - t0·d is (nearly always) exact and the result is
/// the correction's final rounding plus the kernels' errors. Fast: one
/// division of the rounded kernels, ≈ their errors added.
pub fn tan<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let r = reduce(a, p, x);
    let z = a.fmul(r.hi, r.hi);
    let (s_hi, s_tail) = sin_kernel(a, p, &r, z);
    let (c_hi, c_tail) = cos_kernel(a, p, &r, z);
    let one = a.iconst(1);
    let k_odd_bit = a.iand(r.k, one);
    let odd = a.ieq(k_odd_bit, one);
    let t = if p == Precision::Fast {
        let s = a.fadd(s_hi, s_tail);
        let c = a.fadd(c_hi, c_tail);
        let num = a.fselect(odd, c, s);
        let den = a.fselect(odd, s, c);
        a.fdiv(num, den)
    } else {
        let (s, s_lo) = fast_two_sum(a, s_hi, s_tail);
        let (c, c_lo) = fast_two_sum(a, c_hi, c_tail);
        let num = a.fselect(odd, c, s);
        let num_lo = a.fselect(odd, c_lo, s_lo);
        let den = a.fselect(odd, s, c);
        let den_lo = a.fselect(odd, s_lo, c_lo);
        let one = a.fconst(1.0);
        let inv = a.fdiv(one, den);
        let t0 = a.fmul(num, inv);
        let neg_t0 = a.fneg(t0);
        let remainder = a.fma(neg_t0, den, num);
        let remainder = a.fadd(remainder, num_lo);
        let remainder = a.fma(neg_t0, den_lo, remainder);
        a.fma(remainder, inv, t0)
    };
    // The sign of -cos/sin.
    let t = flip_sign(a, t, r.k, 1);
    let zero = a.fconst(0.0);
    let is_zero = a.feq(x, zero);
    let t = a.fselect(is_zero, x, t);
    with_fallback(a, Builtin::Tan, x, t)
}
