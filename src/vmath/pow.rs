//! `pow` (with the special cases of C99 Annex F) and `cbrt`.
//!
//! pow(x, y) = e^(y·ln|x|). The product y·ln|x| reaches ±745 (f64) / ±104
//! (f32) before the result over/underflows, and e^(w + δ) = e^w·(1 + δ):
//! an absolute error δ in w is a relative error δ in the result. A plain
//! log would give δ ≈ 2^-53·745 ≈ 2^-43.5, a thousand ulps. So ln|x| is
//! computed as an unevaluated sum `hi + lo` good to ~2^-65 (f64) / ~2^-37
//! (f32) relative ([`log_ext`]), multiplied by y exactly into `hi + lo`, and
//! [`exp_ext`] takes that pair. The same generic code serves both types, with
//! per-type polynomials ([`PowConsts`]).

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{horner, round_to_int, scale, sign_bit};
use super::{Arith, Precision};

/// Coefficients and constants of [`log_ext`] / [`exp_ext`] for one lane type.
struct PowConsts {
    /// Explicit mantissa bits and exponent bias.
    mantissa: u32,
    bias: i64,
    /// Bits of a value just below √½: [`log_ext`] reduces |x| to z in
    /// [√½, √2).
    sqrt_half_bits: i64,
    /// Smallest normal number, and the power of two (2^shift) that makes
    /// subnormal inputs normal.
    min_normal: f64,
    subnormal_shift: i32,
    /// ln 2 = `ln2_hi + ln2_lo`, `ln2_hi` short enough that `k·ln2_hi` is
    /// exact for every exponent k of the type.
    ln2_hi: f64,
    ln2_lo: f64,
    /// ln(z) = 2s + (2/3)s³ + s⁵·P(s²); these are P's coefficients.
    log_tail: &'static [f64],
    /// 2/3 as a pair for the (2/3)s³ term.
    two_thirds_hi: f64,
    two_thirds_lo: f64,
    /// e^r = 1 + r + r²·Q(r) for |r| ≤ ln2/2; Q's coefficients.
    exp_poly: &'static [f64],
    /// y·ln|x| above `overflow` gives +inf, below `underflow` +0 (beyond
    /// the thresholds where [`exp_ext`] would round to those anyway).
    overflow: f64,
    underflow: f64,
}

/// f64: P and Q fitted (Chebyshev, 200-bit arithmetic) for the error of the
/// s⁵·P term below 2^-66 relative to ln z, and of r²·Q below 2^-61.
const POW_F64: PowConsts = PowConsts {
    mantissa: 52,
    bias: 1023,
    sqrt_half_bits: 0x3fe6_a09e_667f_3bcd,
    min_normal: f64::MIN_POSITIVE,
    subnormal_shift: 54,
    // fdlibm's split: 32 significant bits, k·LN2_HI exact for |k| < 2^21.
    ln2_hi: 6.931_471_803_691_238_164_90e-01,
    ln2_lo: 1.908_214_929_270_587_700_02e-10,
    log_tail: &[
        0.4,
        0.285_714_285_714_293_64,
        0.222_222_222_216_558_85,
        0.181_818_183_353_928_02,
        0.153_845_949_625_184_3,
        0.133_348_046_938_473_1,
        0.117_062_363_394_912_06,
        0.117_231_786_238_765_18,
    ],
    two_thirds_hi: 2.0 / 3.0,
    two_thirds_lo: 3.700_743_415_417_188e-17,
    exp_poly: &[
        0.5,
        0.166_666_666_666_666_7,
        0.041_666_666_666_666_67,
        0.008_333_333_333_326_084,
        0.001_388_888_888_888_371_1,
        0.000_198_412_698_750_022_8,
        2.480_158_732_567_746e-05,
        2.755_725_517_000_089e-06,
        2.755_727_347_871_858e-07,
        2.510_531_272_962_210_3e-08,
        2.091_475_532_589_32e-09,
    ],
    overflow: 710.0,
    underflow: -746.0,
};

/// f32: errors below 2^-41 (s⁵·P relative to ln z) and 2^-32 (r²·Q).
const POW_F32: PowConsts = PowConsts {
    mantissa: 23,
    bias: 127,
    sqrt_half_bits: 0x3f35_04f3,
    min_normal: f32::MIN_POSITIVE as f64,
    subnormal_shift: 24,
    // 0x1.62e4p-1: 15 significant bits, k·LN2_HI exact for |k| < 2^9.
    ln2_hi: 0.693_145_751_953_125,
    ln2_lo: 1.428_606_765_330_187_045e-6,
    log_tail: &[
        0.399_999_999_049_327_37,
        0.285_715_318_222_563,
        0.222_047_620_925_380_63,
        0.191_204_548_105_003_8,
    ],
    two_thirds_hi: (2.0f64 / 3.0) as f32 as f64,
    two_thirds_lo: 2.0 / 3.0 - (2.0f64 / 3.0) as f32 as f64,
    exp_poly: &[
        0.500_000_001_353_873,
        0.166_666_666_817_042_15,
        0.041_666_464_197_405_69,
        0.008_333_310_844_647_862,
        0.001_393_373_071_579_208_3,
        0.000_198_910_804_639_988_43,
    ],
    overflow: 89.0,
    underflow: -104.0,
};

fn consts<A: Arith>(a: &A) -> &'static PowConsts {
    if a.is_f64() {
        &POW_F64
    } else {
        &POW_F32
    }
}

/// `x + y` as `(sum, error)` exactly, provided |x| ≥ |y| or x = 0
/// (Dekker's Fast2Sum).
fn fast_two_sum<A: Arith>(a: &mut A, x: A::F, y: A::F) -> (A::F, A::F) {
    let sum = a.fadd(x, y);
    let dropped = a.fsub(x, sum);
    let error = a.fadd(dropped, y);
    (sum, error)
}

/// `x · y` as `(product, error)` exactly (the fma gives the error).
fn two_prod<A: Arith>(a: &mut A, x: A::F, y: A::F) -> (A::F, A::F) {
    let product = a.fmul(x, y);
    let neg = a.fneg(product);
    let error = a.fma(x, y, neg);
    (product, error)
}

/// A small non-negative integer held in the low bits of an `A::I`, as a
/// float: 2^mantissa with `n` in its mantissa, minus 2^mantissa - `offset`.
fn small_int_to_float<A: Arith>(a: &mut A, n: A::I, offset: f64) -> A::F {
    let two_m = f64::powi(2.0, consts(a).mantissa as i32);
    let two_m_f = a.fconst(two_m);
    let two_m_bits = a.to_bits(two_m_f);
    let bits = a.ior(n, two_m_bits);
    let f = a.bits_to_float(bits);
    let sub = a.fconst(two_m + offset);
    a.fsub(f, sub)
}

/// ln(ax) for finite ax > 0 (subnormals included) as `(hi, lo)` with
/// |hi + lo - ln ax| ≲ 2^-65·|ln ax| (f64) / 2^-37 (f32). Zero, inf and
/// NaN give garbage the caller replaces.
///
/// ax = 2^k·z with z in [√½, √2); with s = (z-1)/(z+1) (|s| ≤ 0.1716),
/// ln z = 2 atanh s = 2s + (2/3)s³ + s⁵·P(s²). The first two terms carry
/// ~99% of ln z and are formed exactly as pairs (s itself to ~2^-100);
/// the rest, at most 2^-12 of ln z, is fine in working precision.
fn log_ext<A: Arith>(a: &mut A, ax: A::F) -> (A::F, A::F) {
    let c = consts(a);
    let one = a.fconst(1.0);

    // Subnormals: scale into the normal range and count the shift in k.
    let min_normal = a.fconst(c.min_normal);
    let subnormal = a.flt(ax, min_normal);
    let up = a.fconst(f64::powi(2.0, c.subnormal_shift));
    let scaled = a.fmul(ax, up);
    let ax = a.fselect(subnormal, scaled, ax);
    let zero = a.fconst(0.0);
    let shift = a.fconst(c.subnormal_shift as f64);
    let k_adjust = a.fselect(subnormal, shift, zero);

    // k = exponent of ax/√½ (adding 1.0 - √½ in the bits carries into the
    // exponent exactly when the mantissa is ≥ √½'s): a biased exponent,
    // non-negative, so a logical shift extracts it.
    let bits = a.to_bits(ax);
    let offset = a.iconst((c.bias << c.mantissa) - c.sqrt_half_bits);
    let carried = a.iadd(bits, offset);
    let k_biased = a.ishr_u(carried, c.mantissa);
    let k_field = a.ishl(k_biased, c.mantissa);
    let z_bits = a.isub(bits, k_field);
    let bias_field = a.iconst(c.bias << c.mantissa);
    let z_bits = a.iadd(z_bits, bias_field);
    let z = a.bits_to_float(z_bits);
    let k = small_int_to_float(a, k_biased, c.bias as f64);
    let k = a.fsub(k, k_adjust);

    // s = f / d with f = z - 1 (exact) and d = z + 1 = d_hi + d_lo (both
    // subtractions exact by Sterbenz). One division: the quotient's
    // residual, exact by fma, is divided by multiplying with 1/d_hi again.
    let f = a.fsub(z, one);
    let d_hi = a.fadd(z, one);
    let d_hi_m1 = a.fsub(d_hi, one);
    let d_lo = a.fsub(z, d_hi_m1);
    let inv_d = a.fdiv(one, d_hi);
    let s_hi = a.fmul(f, inv_d);
    let neg_s = a.fneg(s_hi);
    let residual = a.fma(neg_s, d_hi, f);
    let residual = a.fma(neg_s, d_lo, residual);
    let s_lo = a.fmul(residual, inv_d);

    // s² and s³ as pairs.
    let (u_hi, u_lo) = two_prod(a, s_hi, s_hi);
    let two_s = a.fadd(s_hi, s_hi);
    let u_lo = a.fma(two_s, s_lo, u_lo);
    let (s3_hi, s3_lo) = two_prod(a, u_hi, s_hi);
    let s3_lo = a.fma(u_hi, s_lo, s3_lo);
    let s3_lo = a.fma(u_lo, s_hi, s3_lo);

    // tail = s³·(2/3 + s²·P(s²)), the bracket as a pair.
    let p = horner(a, u_hi, c.log_tail);
    let u_p = a.fmul(u_hi, p);
    let two_thirds = a.fconst(c.two_thirds_hi);
    let (q_hi, q_lo) = fast_two_sum(a, two_thirds, u_p);
    let two_thirds_lo = a.fconst(c.two_thirds_lo);
    let q_lo = a.fadd(q_lo, two_thirds_lo);
    let (t_hi, t_lo) = two_prod(a, s3_hi, q_hi);
    let t_lo = a.fma(s3_hi, q_lo, t_lo);
    let t_lo = a.fma(s3_lo, q_hi, t_lo);

    // k·ln2 + 2s + tail. Each Fast2Sum's first operand dominates: |k·ln2|
    // ≥ ln2 > |2s| unless k = 0, and |tail| < |2s|/50.
    let ln2_hi = a.fconst(c.ln2_hi);
    let ln2_lo = a.fconst(c.ln2_lo);
    let a_hi = a.fmul(k, ln2_hi);
    let a_lo = a.fmul(k, ln2_lo);
    let b_hi = two_s;
    let b_lo = a.fadd(s_lo, s_lo);
    let (v_hi, v_lo) = fast_two_sum(a, a_hi, b_hi);
    let (w_hi, w_lo) = fast_two_sum(a, v_hi, t_hi);
    let lo = a.fadd(a_lo, b_lo);
    let lo = a.fadd(lo, v_lo);
    let lo = a.fadd(lo, w_lo);
    let lo = a.fadd(lo, t_lo);
    fast_two_sum(a, w_hi, lo)
}

/// e^(hi + lo) for |hi| within the thresholds of [`PowConsts`] and |lo|
/// ≲ ulp(hi); relative error ≈ 2^-60 (f64) before the final rounding.
///
/// hi + lo = k·ln2 + r with |r| ≤ ln2/2 as a pair r_hi + r_lo, then
/// e^r = 1 + r_hi + (r_hi²·Q(r_hi) + r_lo·e^r_hi) with r_hi² a pair and
/// the leading 1 + r_hi summed exactly: only the final addition rounds at
/// the result's precision. 2^k is applied by [`scale`], which rounds once
/// into the subnormals.
fn exp_ext<A: Arith>(a: &mut A, hi: A::F, lo: A::F) -> A::F {
    let c = consts(a);
    let log2e = a.fconst(std::f64::consts::LOG2_E);
    let scaled = a.fmul(hi, log2e);
    let (kf, k) = round_to_int(a, scaled);
    let neg_ln2_hi = a.fconst(-c.ln2_hi);
    let neg_ln2_lo = a.fconst(-c.ln2_lo);
    // Exact: k·ln2_hi is exact and within a factor 2 of hi.
    let r_hi = a.fma(kf, neg_ln2_hi, hi);
    let r_lo = a.fma(kf, neg_ln2_lo, lo);
    let (r_hi, r_lo) = fast_two_sum(a, r_hi, r_lo);

    let q = horner(a, r_hi, c.exp_poly);
    let (r2_hi, r2_lo) = two_prod(a, r_hi, r_hi);
    let half = a.fconst(0.5);
    // r_lo·e^r_hi ≈ r_lo·(1 + r_hi); r2_lo·Q ≈ r2_lo/2.
    let small = a.fma(r_lo, r_hi, r_lo);
    let small = a.fma(r2_lo, half, small);
    let tail = a.fma(r2_hi, q, small);
    let one = a.fconst(1.0);
    let (head, head_err) = fast_two_sum(a, one, r_hi);
    let tail = a.fadd(head_err, tail);
    let y = a.fadd(head, tail);
    scale(a, y, k)
}

/// x^y. Annex F: pow(x, ±0) = 1 and pow(1, y) = 1 even for NaN; pow(-1,
/// ±inf) = 1; a negative base needs an integer y (odd y keeps the sign),
/// else NaN; zeros, infinities and y = ±inf give 0 or inf by the sign of
/// y·ln|x| (with ln 0 = -inf, ln inf = inf), signed for odd integer y.
///
/// Measured: ≤ 0.64 ulp (f64) / 0.58 ulp (f32) for normal results; ≤ 0.75
/// ulp for subnormal results, which are rounded to full precision before
/// [`scale`] rounds them again (removing that double rounding would cost
/// ~18 operations on every lane). Fast shares the code: every term of the
/// extended log/exp is what keeps the error bounded for large |y·ln x|,
/// and dropping one saves only a couple of operations out of ~150.
pub fn pow<A: Arith>(a: &mut A, _p: Precision, x: A::F, y: A::F) -> A::F {
    let c = consts(a);
    let zero = a.fconst(0.0);
    let one = a.fconst(1.0);
    let inf = a.fconst(f64::INFINITY);
    let neg_inf = a.fconst(f64::NEG_INFINITY);

    let ax = a.fabs(x);
    let (l_hi, l_lo) = log_ext(a, ax);
    let x_zero = a.feq(ax, zero);
    let l_hi = a.fselect(x_zero, neg_inf, l_hi);
    let x_inf = a.feq(ax, inf);
    let l_hi = a.fselect(x_inf, inf, l_hi);

    // w = y·ln|x| as a pair; infinite where the result is 0 or inf.
    let w_hi = a.fmul(y, l_hi);
    let neg_w = a.fneg(w_hi);
    let w_lo = a.fma(y, l_hi, neg_w);
    let w_lo = a.fma(y, l_lo, w_lo);
    let r = exp_ext(a, w_hi, w_lo);
    let overflow = a.fconst(c.overflow);
    let over = a.flt(overflow, w_hi);
    let r = a.fselect(over, inf, r);
    let underflow = a.fconst(c.underflow);
    let under = a.flt(w_hi, underflow);
    let r = a.fselect(under, zero, r);

    // Integer and odd y (every float ≥ 2^mantissa+1 is an even integer;
    // inf counts as even).
    let y_trunc = a.trunc(y);
    let y_int = a.feq(y_trunc, y);
    let half = a.fconst(0.5);
    let y_half = a.fmul(y, half);
    let y_half_trunc = a.trunc(y_half);
    let y_even = a.feq(y_half_trunc, y_half);
    let y_not_even = a.mnot(y_even);
    let y_odd = a.mand(y_int, y_not_even);

    // A negative base (including -0 and -inf) with odd y: negative result.
    let sign = sign_bit(a);
    let x_bits = a.to_bits(x);
    let x_sign = a.iand(x_bits, sign);
    let no_sign = a.iconst(0);
    let r_sign = a.iselect(y_odd, x_sign, no_sign);
    let r_bits = a.to_bits(r);
    let r_bits = a.ior(r_bits, r_sign);
    let r = a.bits_to_float(r_bits);

    // NaN: a NaN operand, or a finite negative base with non-integer y.
    let x_neg = a.flt(x, zero);
    let x_finite = a.flt(neg_inf, x);
    let x_neg_finite = a.mand(x_neg, x_finite);
    let y_not_int = a.mnot(y_int);
    let domain = a.mand(x_neg_finite, y_not_int);
    let x_nan = a.is_nan(x);
    let y_nan = a.is_nan(y);
    let nan_in = a.mor(x_nan, y_nan);
    let nan = a.mor(nan_in, domain);
    let nan_value = a.fconst(f64::NAN);
    let r = a.fselect(nan, nan_value, r);

    // 1: y = ±0, x = 1, or |x| = 1 with y = ±inf.
    let y_zero = a.feq(y, zero);
    let x_one = a.feq(x, one);
    let ay = a.fabs(y);
    let y_inf = a.feq(ay, inf);
    let ax_one = a.feq(ax, one);
    let unit_inf = a.mand(ax_one, y_inf);
    let ones = a.mor(y_zero, x_one);
    let ones = a.mor(ones, unit_inf);
    a.fselect(ones, one, r)
}

/// ∛x. |x| = 2^(3q)·a with a in [1, 8) (subnormals scaled first), the
/// division of the exponent by 3 done in floats: q = nearest((e - 1)/3).
/// w ≈ a^(-1/3) from a degree-5 polynomial in the mantissa (2^-17) times
/// 2^(-rem/3) (a quadratic through rem = 0, 1, 2); f64 adds one Newton
/// step for w (2^-33), divisions never needed. Then g = a·w² and a final
/// Newton step g += (a - g³)·w²/3 with a - g³ from an exact pair g², so the
/// only sizeable error is the last rounding. The result's exponent q is
/// added in the bits, the sign copied from x.
///
/// Measured: Precise ≤ 0.505 ulp (f32, f64). Fast drops the low half of
/// g² from the residual, two operations (≤ 0.734 ulp).
pub fn cbrt<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let is_f64 = a.is_f64();
    let (mantissa, bias, shift): (u32, i64, i32) = if is_f64 {
        (52, 1023, 54)
    } else {
        (23, 127, 24)
    };
    let ax = a.fabs(x);
    let min_normal = a.fconst(if is_f64 {
        f64::MIN_POSITIVE
    } else {
        f32::MIN_POSITIVE as f64
    });
    let subnormal = a.flt(ax, min_normal);
    let up = a.fconst(f64::powi(2.0, shift));
    let scaled = a.fmul(ax, up);
    let ax = a.fselect(subnormal, scaled, ax);
    let zero = a.fconst(0.0);
    let shift_f = a.fconst(shift as f64);
    let e_adjust = a.fselect(subnormal, shift_f, zero);

    // e = unbiased exponent; e = 3q + rem, rem in {0, 1, 2}.
    let bits = a.to_bits(ax);
    let e_biased = a.ishr_u(bits, mantissa);
    let two_m = f64::powi(2.0, mantissa as i32);
    let two_m_f = a.fconst(two_m);
    let two_m_bits = a.to_bits(two_m_f);
    let e_bits = a.ior(e_biased, two_m_bits);
    let e = a.bits_to_float(e_bits);
    let e_offset = a.fconst(two_m + bias as f64);
    let e = a.fsub(e, e_offset);
    let e = a.fsub(e, e_adjust);
    let third = a.fconst(1.0 / 3.0);
    let neg_third = a.fconst(-1.0 / 3.0);
    let q_approx = a.fma(e, third, neg_third);
    let (q_f, q) = round_to_int(a, q_approx);
    let neg_three = a.fconst(-3.0);
    let rem = a.fma(q_f, neg_three, e);

    // m in [1, 2); a = m·2^rem with 2^rem = 1 + rem·(rem + 1)/2.
    let mant_mask = a.iconst((1i64 << mantissa) - 1);
    let m_bits = a.iand(bits, mant_mask);
    let one_bits = a.iconst(bias << mantissa);
    let m_bits = a.ior(m_bits, one_bits);
    let m = a.bits_to_float(m_bits);
    let half = a.fconst(0.5);
    let one = a.fconst(1.0);
    let pow2 = a.fma(rem, half, half);
    let pow2 = a.fma(rem, pow2, one);
    let av = a.fmul(m, pow2);

    // w ≈ a^(-1/3): m^(-1/3) by the polynomial, times 2^(-rem/3) =
    // 1 + rem·(ALPHA + BETA·rem) (exact at rem = 0, 1, 2 to the working
    // precision; any error here is removed by the Newton steps).
    const BETA: f64 = (0.629_960_524_947_436_6 - 2.0 * 0.793_700_525_984_099_7 + 1.0) / 2.0;
    const ALPHA: f64 = 0.793_700_525_984_099_7 - 1.0 - BETA;
    let w = horner(
        a,
        m,
        &[
            1.777_647_168_489_005_4,
            -1.554_027_407_710_659_7,
            1.227_149_620_020_715_5,
            -0.586_514_161_588_980_6,
            0.152_249_564_382_217_62,
            -0.016_511_679_091_286_462,
        ],
    );
    let beta = a.fconst(BETA);
    let alpha = a.fconst(ALPHA);
    let c_rem = a.fma(rem, beta, alpha);
    let c_rem = a.fma(rem, c_rem, one);
    let mut w = a.fmul(w, c_rem);
    let neg_av = a.fneg(av);
    if is_f64 {
        // w += w·(1 - a·w³)/3
        let w2 = a.fmul(w, w);
        let w3 = a.fmul(w2, w);
        let err = a.fma(neg_av, w3, one);
        let w_err = a.fmul(w, err);
        w = a.fma(w_err, third, w);
    }

    // g ≈ ∛a, then g += (a - g³)·w²/3.
    let w2 = a.fmul(w, w);
    let g = a.fmul(av, w2);
    let neg_g = a.fneg(g);
    let g2 = a.fmul(g, g);
    let residual = a.fma(g2, neg_g, av);
    let residual = match p {
        Precision::Precise => {
            let neg_g2 = a.fneg(g2);
            let g2_lo = a.fma(g, g, neg_g2);
            a.fma(g2_lo, neg_g, residual)
        }
        Precision::Fast => residual,
    };
    let step = a.fmul(residual, w2);
    let g = a.fma(step, third, g);

    // × 2^q in the exponent field (g in [1, 2], q within ±360: stays
    // normal), sign of x.
    let g_bits = a.to_bits(g);
    let q_field = a.ishl(q, mantissa);
    let r_bits = a.iadd(g_bits, q_field);
    let sign = sign_bit(a);
    let x_bits = a.to_bits(x);
    let x_sign = a.iand(x_bits, sign);
    let r_bits = a.ior(r_bits, x_sign);
    let r = a.bits_to_float(r_bits);

    // ±0, ±inf, NaN: x itself.
    let inf = a.fconst(f64::INFINITY);
    let above_zero = a.flt(zero, ax);
    let below_inf = a.flt(ax, inf);
    let regular = a.mand(above_zero, below_inf);
    a.fselect(regular, r, x)
}
