//! Inverse trigonometric functions: asin, acos, atan, atan2.
//!
//! All four end the same way: the answer is `k·π/4 ± f(r)` for a small
//! integer `k` and an odd series `f(r) = r + r·z·P(z)`, `z = r²`, on a
//! short interval (|r| ≤ tan(π/8) for atan, |r| ≤ 1/2 for asin). π/4 is
//! kept as hi + lo with `k·hi` exact, and `k·π/4_hi ± r` is summed exactly
//! (Fast2Sum), so the only large rounding is the final one. The rounding
//! errors of the reduction itself (a division for atan, a square root for
//! asin) are recovered exactly with fma and carried as a low part `corr`
//! of `r`; that keeps the precise variants near 0.5 ulp. The fast variants
//! drop the low parts (and the division or square-root correction they
//! need) and use one polynomial term fewer.

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{horner, mulsign, sign_bit};
use super::{Arith, Precision};

/// π/4 = hi + lo, hi with ≤ 50 (f64) / 21 (f32) significant bits so that
/// `k·hi` is exact for the k ≤ 4 used here.
/// (RN(π/4) = 0x1.921fb54442d18p-1 already ends in three zero bits.)
const PI_4_HI_F64: f64 = std::f64::consts::FRAC_PI_4;
const PI_4_LO_F64: f64 = 3.061_616_997_868_383e-17;
const PI_4_HI_F32: f64 = 7.853_980_064_392_09e-1; // 0x1.921fbp-1
const PI_4_LO_F32: f64 = 1.569_582_366_300_892_3e-7; // an f32
/// tan(π/8) = √2 - 1 and its inverse 1 + √2: the atan reduction's breakpoints.
const TAN_PI_8: f64 = 0.414_213_562_373_095_03;
const TAN_3PI_8: f64 = 2.414_213_562_373_095;

/// atan(r) = r + r·z·P(z), z = r², minimax for the relative error on
/// |r| ≤ tan(π/8): 2^-58.5 (f64 precise), 2^-53.8 (f64 fast), 2^-29.6
/// (f32 precise), 2^-24.8 (f32 fast).
const ATAN_F64: [f64; 11] = [
    -3.333_333_333_333_327e-1,
    1.999_999_999_996_926_5e-1,
    -1.428_571_428_137_807_3e-1,
    1.111_111_082_623_598_3e-1,
    -9.090_898_602_138_715e-2,
    7.692_069_562_583_917e-2,
    -6.663_156_707_249_095e-2,
    5.847_946_679_541_094e-2,
    -5.038_331_363_070_204e-2,
    3.801_345_677_933_634e-2,
    -1.782_681_529_872_015_6e-2,
];
const ATAN_F64_FAST: [f64; 10] = [
    -3.333_333_333_333_171e-1,
    1.999_999_999_936_538e-1,
    -1.428_571_421_171_608_3e-1,
    1.111_110_711_233_947_7e-1,
    -9.090_789_046_784_485e-2,
    7.690_115_971_685_127e-2,
    -6.641_215_755_446_8e-2,
    5.691_690_091_465_209e-2,
    -4.353_517_630_205_203e-2,
    2.116_065_940_714_513_5e-2,
];
const ATAN_F32: [f64; 5] = [
    -3.333_331_864_601_467e-1,
    1.999_853_233_004_368_6e-1,
    -1.424_295_333_557_954_2e-1,
    1.058_134_532_943_693_2e-1,
    -6.032_872_962_288_341e-2,
];
const ATAN_F32_FAST: [f64; 4] = [
    -3.333_298_329_339_004_5e-1,
    1.997_726_779_435_524_7e-1,
    -1.386_246_328_931_425_3e-1,
    7.984_569_615_886_783e-2,
];

/// asin(u) = u + u·z·P(z), z = u², minimax for the relative error on
/// |u| ≤ 1/2: 2^-58.9 (f64 precise), 2^-55.0 (f64 fast), 2^-30.9 (f32
/// precise), 2^-26.8 (f32 fast).
const ASIN_F64: [f64; 13] = [
    1.666_666_666_666_670_2e-1,
    7.499_999_999_984_511e-2,
    4.464_285_716_363_594e-2,
    3.038_194_314_457_698_7e-2,
    2.237_220_493_303_361_5e-2,
    1.735_175_662_766_233_8e-2,
    1.397_947_103_515_208_5e-2,
    1.140_715_396_382_217_3e-2,
    1.074_806_308_520_622_1e-2,
    3.780_689_950_562_177e-3,
    2.162_990_743_766_341_6e-2,
    -2.102_061_110_368_51e-2,
    3.271_610_483_041_268e-2,
];
const ASIN_F64_FAST: [f64; 12] = [
    1.666_666_666_666_617_4e-1,
    7.500_000_000_189_315e-2,
    4.464_285_692_673_699e-2,
    3.038_195_590_633_766_7e-2,
    2.237_181_855_294_581_2e-2,
    1.735_901_156_104_764_3e-2,
    1.389_022_154_678_569_6e-2,
    1.214_701_145_684_67e-2,
    6.584_548_778_696_007e-3,
    1.946_718_997_243_350_5e-2,
    -1.625_663_916_355_469_4e-2,
    3.201_134_032_277_163_5e-2,
];
const ASIN_F32: [f64; 6] = [
    1.666_666_221_982_206_2e-1,
    7.500_429_083_892_447e-2,
    4.452_361_609_678_917e-2,
    3.179_950_690_981_417e-2,
    1.433_505_331_238_663_3e-2,
    3.780_636_152_069_372e-2,
];
const ASIN_F32_FAST: [f64; 5] = [
    1.666_673_114_601_448e-1,
    7.495_668_270_243_698e-2,
    4.546_570_129_357_258e-2,
    2.405_704_468_993_653_8e-2,
    4.255_359_910_614_987e-2,
];

/// π/4 as (hi, lo) in the lane type.
fn pi_4<A: Arith>(a: &mut A) -> (A::F, A::F) {
    if a.is_f64() {
        (a.fconst(PI_4_HI_F64), a.fconst(PI_4_LO_F64))
    } else {
        (a.fconst(PI_4_HI_F32), a.fconst(PI_4_LO_F32))
    }
}

/// `k·π/4 + v + tail` for an integer-valued `k` in 0..=4 and `|v| ≤ π/4`
/// when k ≠ 0 (|v| ≤ 1 when k ≥ 2): `k·hi + v` is formed with its rounding
/// error (Fast2Sum: the base dominates, or is 0 and the sum exact), so the
/// result is rounded once but for the tiny low-order terms.
fn add_multiple_of_pi_4<A: Arith>(a: &mut A, k: A::F, v: A::F, tail: A::F) -> A::F {
    let (hi, lo) = pi_4(a);
    let base = a.fmul(k, hi);
    let sum = a.fadd(base, v);
    let v_rounded = a.fsub(sum, base);
    let sum_err = a.fsub(v, v_rounded);
    let low = a.fma(k, lo, tail);
    let low = a.fadd(low, sum_err);
    a.fadd(sum, low)
}

/// `x` with its sign flipped where `m` holds.
fn negate_where<A: Arith>(a: &mut A, m: A::M, x: A::F) -> A::F {
    let bit = sign_bit(a);
    let zero = a.iconst(0);
    let flip = a.iselect(m, bit, zero);
    let bits = a.to_bits(x);
    let bits = a.ixor(bits, flip);
    a.bits_to_float(bits)
}

/// The common end of atan and atan2: `k·π/4 + atan(r + corr)` for
/// |r| ≤ tan(π/8), or `(4 - k)·π/4 - atan(r + corr)` where `reflect`
/// holds (atan2 with x < 0). `corr` is the low part of the reduced
/// argument (precise variant only); atan(r + corr) ≈ atan(r) + corr·(1 - r²).
fn atan_reduced<A: Arith>(
    a: &mut A,
    p: Precision,
    r: A::F,
    corr: Option<A::F>,
    k: A::F,
    reflect: Option<A::M>,
) -> A::F {
    let coeffs: &[f64] = match (a.is_f64(), p) {
        (true, Precision::Precise) => &ATAN_F64,
        (true, Precision::Fast) => &ATAN_F64_FAST,
        (false, Precision::Precise) => &ATAN_F32,
        (false, Precision::Fast) => &ATAN_F32_FAST,
    };
    let z = a.fmul(r, r);
    let poly = horner(a, z, coeffs);
    let rz = a.fmul(r, z);
    let tail = match corr {
        Some(c) => {
            let neg_z = a.fneg(z);
            let c = a.fma(neg_z, c, c);
            a.fma(rz, poly, c)
        }
        None => a.fmul(rz, poly),
    };
    let (k, r, tail) = match reflect {
        Some(m) => {
            let four = a.fconst(4.0);
            let k_reflected = a.fsub(four, k);
            let k = a.fselect(m, k_reflected, k);
            let r = negate_where(a, m, r);
            let tail = negate_where(a, m, tail);
            (k, r, tail)
        }
        None => (k, r, tail),
    };
    add_multiple_of_pi_4(a, k, r, tail)
}

/// atan(x), odd. With t = |x| (clamped to 2^60, beyond which atan(t)
/// rounds to π/2):
/// - t ≤ tan(π/8): atan(t), r = t;
/// - t ≤ tan(3π/8): π/4 + atan(r), r = (t - 1)/(t + 1);
/// - else: π/2 + atan(r), r = -1/t.
///
/// One division `r = num/den` covers the three cases. Precise: `t - 1` and
/// `t + 1` are formed with their rounding errors (Fast2Sum), the division's
/// remainder comes exactly from an fma, and the three become `corr`, using
/// 1/den = (1 - r)/2 resp. -r instead of a second division.
///
/// Measured max error: precise 0.62 ulp (f64), 0.63 ulp (f32); fast, whose
/// quotient carries the roundings of t ± 1 and the division, 1.9 / 2.1 ulp.
pub fn atan<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let t = a.fabs(x);
    let clamp = a.fconst(f64::powi(2.0, 60));
    let huge = a.flt(clamp, t);
    let t = a.fselect(huge, clamp, t);
    let one = a.fconst(1.0);
    let neg_one = a.fconst(-1.0);
    let zero = a.fconst(0.0);
    let two = a.fconst(2.0);
    let tan_pi_8 = a.fconst(TAN_PI_8);
    let tan_3pi_8 = a.fconst(TAN_3PI_8);
    let inner = a.fle(t, tan_pi_8);
    let outer = a.flt(tan_3pi_8, t);
    let t_minus_1 = a.fsub(t, one);
    let t_plus_1 = a.fadd(t, one);
    let num = a.fselect(outer, neg_one, t_minus_1);
    let num = a.fselect(inner, t, num);
    let den = a.fselect(outer, t, t_plus_1);
    let den = a.fselect(inner, one, den);
    let k = a.fselect(outer, two, one);
    let k = a.fselect(inner, zero, k);
    let r = a.fdiv(num, den);
    let corr = match p {
        Precision::Precise => {
            // Rounding errors of t ∓ 1 (|1| ≥ |t| or the result is exact).
            let back = a.fadd(t_minus_1, one);
            let num_lo = a.fsub(t, back);
            let back = a.fsub(t_plus_1, one);
            let den_lo = a.fsub(t, back);
            // r_exact - r = (remainder + num_lo - r·den_lo) / den.
            let neg_r = a.fneg(r);
            let remainder = a.fma(neg_r, den, num);
            let lo = a.fma(neg_r, den_lo, num_lo);
            let not_middle = a.mor(inner, outer);
            let lo = a.fselect(not_middle, zero, lo);
            let half = a.fconst(0.5);
            let inv_middle = a.fma(neg_r, half, half);
            let inv_den = a.fselect(outer, neg_r, inv_middle);
            let lo = a.fadd(remainder, lo);
            Some(a.fmul(lo, inv_den))
        }
        Precision::Fast => None,
    };
    let y = atan_reduced(a, p, r, corr, k, None);
    mulsign(a, y, x)
}

/// atan2(y, x), the angle of the point (x, y), as Rust's `y.atan2(x)`.
/// With Y = |y|, X = |x| the magnitude for x ≥ +0 is atan(Y/X), reduced as
/// in [`atan`] but from Y and X directly (r = Y/X, (Y - X)/(Y + X) or
/// -X/Y), so no quotient is rounded twice; x < 0 (including -0) reflects
/// it to π - atan(Y/X), and the sign is y's.
///
/// Annex F cases: an infinite operand is replaced by 1 and the other one
/// by 0 (or 1 if also infinite), giving 0, π/2, π/4, 3π/4, π; Y = X = 0
/// becomes (0, 1), giving ±0 or ±π. Operands are scaled by a power of two
/// when Y + X is huge (Y + X would overflow) or tiny (the remainder would
/// be subnormal and inexact); neither changes the angle.
///
/// Precise: Y ∓ X with their errors (TwoSum) and the division remainder
/// form `corr` (a second division); fast: the rounded quotient only.
///
/// Measured max error: precise 0.72 ulp (f64), 0.87 ulp (f32, results
/// just above the smallest normal, where `corr` is itself subnormal); fast
/// 1.8 / 2.0 ulp.
pub fn atan2<A: Arith>(a: &mut A, p: Precision, y: A::F, x: A::F) -> A::F {
    let ya = a.fabs(y);
    let xa = a.fabs(x);
    let inf = a.fconst(f64::INFINITY);
    let one = a.fconst(1.0);
    let zero = a.fconst(0.0);
    let two = a.fconst(2.0);
    let y_inf = a.feq(ya, inf);
    let x_inf = a.feq(xa, inf);
    let sum = a.fadd(ya, xa);
    let both_zero = a.feq(sum, zero);
    let yv = a.fselect(x_inf, zero, ya);
    let yv = a.fselect(y_inf, one, yv);
    let xv = a.fselect(y_inf, zero, xa);
    let x_one = a.mor(x_inf, both_zero);
    let xv = a.fselect(x_one, one, xv);
    let (huge, up) = if a.is_f64() { (1000, 600) } else { (100, 64) };
    let huge = a.fconst(f64::powi(2.0, huge));
    let tiny = a.fconst(f64::powi(2.0, -up));
    let is_huge = a.flt(huge, sum);
    let is_tiny = a.flt(sum, tiny);
    let quarter = a.fconst(0.25);
    let up = a.fconst(f64::powi(2.0, up));
    let scale = a.fselect(is_tiny, up, one);
    let scale = a.fselect(is_huge, quarter, scale);
    let ya = a.fmul(yv, scale);
    let xa = a.fmul(xv, scale);

    let tan_pi_8 = a.fconst(TAN_PI_8);
    let x_bound = a.fmul(xa, tan_pi_8);
    let y_bound = a.fmul(ya, tan_pi_8);
    let inner = a.fle(ya, x_bound);
    let outer = a.flt(xa, y_bound);
    let diff = a.fsub(ya, xa);
    let sum = a.fadd(ya, xa);
    let neg_x = a.fneg(xa);
    let num = a.fselect(outer, neg_x, diff);
    let num = a.fselect(inner, ya, num);
    let den = a.fselect(outer, ya, sum);
    let den = a.fselect(inner, xa, den);
    let k = a.fselect(outer, two, one);
    let k = a.fselect(inner, zero, k);
    let r = a.fdiv(num, den);
    let corr = match p {
        Precision::Precise => {
            let num_lo = two_sum_err(a, ya, neg_x, diff);
            let den_lo = two_sum_err(a, ya, xa, sum);
            let neg_r = a.fneg(r);
            let remainder = a.fma(neg_r, den, num);
            let lo = a.fma(neg_r, den_lo, num_lo);
            let not_middle = a.mor(inner, outer);
            let lo = a.fselect(not_middle, zero, lo);
            let lo = a.fadd(remainder, lo);
            Some(a.fdiv(lo, den))
        }
        Precision::Fast => None,
    };
    let x_bits = a.to_bits(x);
    let zero_bits = a.iconst(0);
    let x_negative = a.ilt(x_bits, zero_bits);
    let angle = atan_reduced(a, p, r, corr, k, Some(x_negative));
    let angle = mulsign(a, angle, y);
    let x_nan = a.is_nan(x);
    let y_nan = a.is_nan(y);
    let nan = a.mor(x_nan, y_nan);
    let nan_value = a.fadd(x, y);
    a.fselect(nan, nan_value, angle)
}

/// The rounding error of `s = fl(p + q)` (Knuth's TwoSum, no ordering
/// needed).
fn two_sum_err<A: Arith>(a: &mut A, p: A::F, q: A::F, s: A::F) -> A::F {
    let q_part = a.fsub(s, p);
    let p_part = a.fsub(s, q_part);
    let q_err = a.fsub(q, q_part);
    let p_err = a.fsub(p, p_part);
    a.fadd(p_err, q_err)
}

/// asin(x), odd; NaN for |x| > 1. See [`asin_acos`].
pub fn asin<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    asin_acos(a, p, x, false)
}

/// acos(x) in [0, π]; NaN for |x| > 1. See [`asin_acos`].
pub fn acos<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    asin_acos(a, p, x, true)
}

/// asin and acos from one evaluation of asin(u) = u + u·z·P(z), z = u²,
/// |u| ≤ 1/2:
/// - |x| ≤ 1/2: u = |x|; asin(x) = ±asin(u), acos(x) = π/2 ∓ asin(u);
/// - |x| > 1/2: u = √z, z = (1 - |x|)/2 (exact);
///   asin(x) = ±(π/2 - 2·asin(u)), acos(x) = 2·asin(u) for x > 0 and
///   π - 2·asin(u) for x < 0.
///
/// So the result is `k·π/4 + f·asin(u)` with f ∈ {±1, ±2}, summed by
/// [`add_multiple_of_pi_4`]. The square root's rounding error would cost
/// up to an ulp after doubling; precise recovers it as
/// `u_lo = (z - u²)/(2u)` (fma and a division) and adds
/// `u_lo/√(1 - z) ≈ u_lo·(1 + z/2)`. |x| > 1 and NaN propagate NaN from
/// the square root.
///
/// Measured max error: precise 0.61 ulp (f64), 0.64 ulp (f32); fast (no
/// division) 1.2 ulp.
fn asin_acos<A: Arith>(a: &mut A, p: Precision, x: A::F, acos: bool) -> A::F {
    let coeffs: &[f64] = match (a.is_f64(), p) {
        (true, Precision::Precise) => &ASIN_F64,
        (true, Precision::Fast) => &ASIN_F64_FAST,
        (false, Precision::Precise) => &ASIN_F32,
        (false, Precision::Fast) => &ASIN_F32_FAST,
    };
    let ax = a.fabs(x);
    let half = a.fconst(0.5);
    let one = a.fconst(1.0);
    let small = a.fle(ax, half);
    let x2 = a.fmul(x, x);
    let one_minus = a.fsub(one, ax);
    let zb = a.fmul(one_minus, half);
    let root = a.sqrt(zb);
    let u = a.fselect(small, ax, root);
    let z = a.fselect(small, x2, zb);
    let poly = horner(a, z, coeffs);
    let uz = a.fmul(u, z);
    let tail = match p {
        Precision::Precise => {
            let neg_root = a.fneg(root);
            let remainder = a.fma(neg_root, root, zb);
            // 2u, nudged so that u = 0 (|x| = 1, remainder 0) gives 0, not NaN.
            let tiny = a.fconst(f64::powi(2.0, -120));
            let twice = a.fadd(root, root);
            let twice = a.fadd(twice, tiny);
            let root_lo = a.fdiv(remainder, twice);
            let zero = a.fconst(0.0);
            let root_lo = a.fselect(small, zero, root_lo);
            let half_z = a.fmul(z, half);
            let root_lo = a.fma(root_lo, half_z, root_lo);
            a.fma(uz, poly, root_lo)
        }
        Precision::Fast => a.fmul(uz, poly),
    };
    // (k, f) per case; see above.
    let (k, f) = if acos {
        let zero_bits = a.iconst(0);
        let x_bits = a.to_bits(x);
        let negative = a.ilt(x_bits, zero_bits);
        let (zero, two, four) = (a.fconst(0.0), a.fconst(2.0), a.fconst(4.0));
        let k_big = a.fselect(negative, four, zero);
        let k = a.fselect(small, two, k_big);
        let (m_small, m_big) = (a.fconst(-1.0), a.fconst(2.0));
        let f = a.fselect(small, m_small, m_big);
        (k, mulsign(a, f, x))
    } else {
        let (zero, two) = (a.fconst(0.0), a.fconst(2.0));
        let k = a.fselect(small, zero, two);
        let (m_small, m_big) = (a.fconst(1.0), a.fconst(-2.0));
        (k, a.fselect(small, m_small, m_big))
    };
    let v = a.fmul(f, u);
    let tail = a.fmul(f, tail);
    let y = add_multiple_of_pi_4(a, k, v, tail);
    if acos {
        y
    } else {
        mulsign(a, y, x)
    }
}
