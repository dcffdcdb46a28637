//! `pow` (with the special cases of C99 Annex F) and `cbrt`.
//!
//! pow(x, y) = e^(y·ln|x|). The product y·ln|x| reaches ±745 (f64) / ±104
//! (f32) before the result over/underflows, and e^(w + δ) = e^w·(1 + δ):
//! an absolute error δ in w is a relative error δ in the result. A plain
//! log would give δ ≈ 2^-53·745 ≈ 2^-43.5, a thousand ulps. So ln|x| is
//! computed as an unevaluated sum `hi + lo` good to ~2^-65 (f64) / ~2^-37
//! (f32) relative ([`log_ext`]), multiplied by y exactly into `hi + lo`, and
//! [`exp_ext`] takes that pair (f64). f32 needs far less: [`log_f32`] narrows
//! the reduced range so that only the leading sums need pairs, and
//! [`exp_f32_ext`] is exp.rs's f32 method with w's low part added in.

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{estrin, exp2_int, fast_two_sum, horner, round_to_int, scale, sign_bit};
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

/// The constants of the f64 path ([`pow_f64`]); f32 has its own routines.
fn consts<A: Arith>(_a: &A) -> &'static PowConsts {
    &POW_F64
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
/// Measured during development (current figures: docs/MATH.md; 1.5·10^6 f32 / 9·10^4 f64 inputs): f64 ≤ 0.56
/// ulp normal, ≤ 0.72 subnormal results; f32 Precise ≤ 0.66 normal, ≤ 0.79
/// near/below the underflow threshold. f32 Fast skips the exact 1 + r pair
/// of the exp (4 operations): ≤ 0.89 ulp. f64 Fast shares the code: every
/// term of the extended log/exp is what keeps the error bounded for large
/// |y·ln x|, and dropping one saves only a couple of operations.
pub fn pow<A: Arith>(a: &mut A, p: Precision, x: A::F, y: A::F) -> A::F {
    if a.is_f64() {
        pow_f64(a, p, x, y)
    } else {
        pow_f32(a, p, x, y)
    }
}

fn pow_f64<A: Arith>(a: &mut A, _p: Precision, x: A::F, y: A::F) -> A::F {
    let c = consts(a);
    let zero = a.fconst(0.0);
    let inf = a.fconst(f64::INFINITY);
    let neg_inf = a.fconst(f64::NEG_INFINITY);
    let ax = a.fabs(x);
    let (l_hi, l_lo) = log_ext(a, ax);
    // ln|x| of 0 is -inf, of inf and NaN |x| itself.
    let finite_x = a.flt(ax, inf);
    let l_hi = a.fselect(finite_x, l_hi, ax);
    let x_zero = a.feq(ax, zero);
    let l_hi = a.fselect(x_zero, neg_inf, l_hi);

    // w = y·ln|x| as a pair; infinite where the result is 0 or inf.
    let w_hi = a.fmul(y, l_hi);
    let neg_w = a.fneg(w_hi);
    let w_lo = a.fma(y, l_hi, neg_w);
    let w_lo = a.fma(y, l_lo, w_lo);
    let r = exp_ext(a, w_hi, w_lo);
    pow_specials(a, x, y, ax, finite_x, w_hi, r, c.overflow, c.underflow)
}

/// The f32 logarithm's second reduction: z in [√½, √2) is divided by one of
/// c₋ = 13264529·2⁻²⁴ ≈ 2^(-1/3), 1, c₊ = 10610063·2⁻²³ ≈ 2^(1/3), chosen by
/// j = nearest(q(z)) for a quadratic q that crosses ±½ at √c₋ and √c₊ (the
/// boundaries where z/c₋ and z/c₊ balance). Then |ln(z/c)| ≤ 0.1175. c₊·c₋
/// is 1 within 2^-47, so ln c = j·D with D = ln c₊.
const J_QUADRATIC: [f64; 3] = [-6.576_177_325_221_46, 8.878_616_513_482_747, -2.3];
/// c = 1 + j·(C_GAMMA + j·C_ETA), exact for j = -1, 0, 1 (both values and
/// the intermediate γ ± η are f32 numbers).
const C_GAMMA: f64 = 0.237_095_266_580_581_67;
const C_ETA: f64 = 0.027_722_805_738_449_097;
/// D = ln c₊, `D_HI` on the 2^-15 grid of `LN2_HI_F32` so k·ln2_hi + j·D_hi
/// is exact.
const D_HI: f64 = 0.234_924_316_406_25;
const D_LO: f64 = 3.979_082_078_581_361e-6;
/// ln 2 = 0x1.62e4p-1 + lo: 15 significant bits, k·LN2_HI_F32 exact for
/// |k| < 2^9.
const LN2_HI_F32: f64 = 0.693_145_751_953_125;
const LN2_LO_F32: f64 = 1.428_606_820_309_417_3e-6;

/// ln(ax) for finite ax > 0 (subnormals included) as `(hi, lo)`, with
/// |hi + lo - ln ax| ≲ 2^-34 absolute (≲ 2^-31 relative where |ln ax| is
/// small); no double-f32 arithmetic beyond the leading sums.
///
/// ax = 2^k·z, z in [√½, √2), z = c·(1+s)/(1-s) with c from
/// [`J_QUADRATIC`]: |s| ≤ 0.0588 and ln z = k·ln2 + j·D + 2s + 2s·v·R(v),
/// v = s², R = 1/3 + v/5 + v²/7 (truncation 2^-36). The tail is below
/// 2^-9.8 of 2s, so plain f32 is enough for it; s itself is a pair from
/// one division (f = z - c exact by Sterbenz, z + c as a Fast2Sum pair,
/// the quotient's residual exact by fma).
fn log_f32<A: Arith>(a: &mut A, ax: A::F) -> (A::F, A::F) {
    let one = a.fconst(1.0);

    // Subnormals: scale by 2^24; the exponent offset below absorbs it.
    let min_normal = a.fconst(f32::MIN_POSITIVE as f64);
    let subnormal = a.flt(ax, min_normal);
    let up = a.fconst(16_777_216.0);
    let scaled = a.fmul(ax, up);
    let ax = a.fselect(subnormal, scaled, ax);
    let two_23 = 8_388_608.0;
    let k_offset_normal = a.fconst(two_23 + 127.0);
    let k_offset_subnormal = a.fconst(two_23 + 127.0 + 24.0);
    let k_offset = a.fselect(subnormal, k_offset_subnormal, k_offset_normal);

    // carried = bits + (1.0 - √½) in the bits: its exponent field is k's
    // (biased), its mantissa field z's offset from √½.
    const SQRT_HALF_BITS: i64 = 0x3f35_04f3;
    let bits = a.to_bits(ax);
    let offset = a.iconst((127 << 23) - SQRT_HALF_BITS);
    let carried = a.iadd(bits, offset);
    let k_biased = a.ishr_u(carried, 23);
    let mantissa_mask = a.iconst(0x7f_ffff);
    let z_offset = a.iand(carried, mantissa_mask);
    let sqrt_half = a.iconst(SQRT_HALF_BITS);
    let z_bits = a.iadd(z_offset, sqrt_half);
    let z = a.bits_to_float(z_bits);
    let two_23_f = a.fconst(two_23);
    let two_23_bits = a.to_bits(two_23_f);
    let k_bits = a.ior(k_biased, two_23_bits);
    let k = a.bits_to_float(k_bits);
    let k = a.fsub(k, k_offset);

    let jt = horner(a, z, &J_QUADRATIC);
    let j = a.nearest(jt);
    let eta = a.fconst(C_ETA);
    let gamma = a.fconst(C_GAMMA);
    let cg = a.fma(j, eta, gamma);
    let c = a.fma(j, cg, one);

    // s = f / d, f = z - c, d = z + c = d_hi + d_lo (Fast2Sum: c's exponent
    // is z's or above).
    let f = a.fsub(z, c);
    let d_hi = a.fadd(z, c);
    let d_hi_mc = a.fsub(d_hi, c);
    let d_lo = a.fsub(z, d_hi_mc);
    let inv_d = a.fdiv(one, d_hi);
    let s_hi = a.fmul(f, inv_d);
    let neg_s = a.fneg(s_hi);
    let residual = a.fma(neg_s, d_hi, f);
    let residual = a.fma(neg_s, d_lo, residual);
    let s_lo = a.fmul(residual, inv_d);

    // atanh(s) = s_hi + (s_lo + s·v·R(v)).
    let v = a.fmul(s_hi, s_hi);
    let r = horner(a, v, &[1.0 / 3.0, 1.0 / 5.0, 1.0 / 7.0]);
    let sv = a.fmul(s_hi, v);
    // s_lo's share of s³/3, s_lo·s², folded in with s_lo (2^-22 of the
    // tail otherwise).
    let s_lo = a.fma(v, s_lo, s_lo);
    let tail = a.fma(sv, r, s_lo);

    // k·ln2 + j·D + 2·s_hi + 2·tail: the first two exactly, then one
    // Fast2Sum (|k·ln2 + j·D| ≥ 0.23 > |2s| unless both are 0).
    let ln2_hi = a.fconst(LN2_HI_F32);
    let ln2_lo = a.fconst(LN2_LO_F32);
    let d_hi_c = a.fconst(D_HI);
    let d_lo_c = a.fconst(D_LO);
    let k_hi = a.fmul(k, ln2_hi);
    let k_hi = a.fma(j, d_hi_c, k_hi);
    let k_lo = a.fmul(k, ln2_lo);
    let k_lo = a.fma(j, d_lo_c, k_lo);
    let two_s = a.fadd(s_hi, s_hi);
    let (hi, err) = fast_two_sum(a, k_hi, two_s);
    let two = a.fconst(2.0);
    let lo = a.fma(tail, two, k_lo);
    let lo = a.fadd(lo, err);
    (hi, lo)
}

/// e^(hi + lo) for |hi| ≤ 89 (else garbage the caller replaces), lo ≲
/// ulp(hi). exp_f32's method with lo added to the Cody–Waite low part:
/// r = hi - k·ln2_hi exact, low = lo - k·ln2_lo, e^(r+low) = 1 + r + small
/// with small = t²·q(t) + low, t = r + low rounded, q Taylor to t^7
/// (Precise) or t^6 (Fast). Precise keeps 1 + r as an exact pair (the
/// rounding of r + small alone costs up to 0.25 ulp).
fn exp_f32_ext<A: Arith>(a: &mut A, p: Precision, hi: A::F, lo: A::F) -> A::F {
    let log2e = a.fconst(std::f64::consts::LOG2_E);
    let scaled = a.fmul(hi, log2e);
    let (kf, k) = round_to_int(a, scaled);
    let neg_ln2_hi = a.fconst(-LN2_HI_F32);
    let neg_ln2_lo = a.fconst(-LN2_LO_F32);
    let r = a.fma(kf, neg_ln2_hi, hi);
    let low = a.fma(kf, neg_ln2_lo, lo);
    let q = EXP_Q_F32;
    let t = a.fadd(r, low);
    let t2 = a.fmul(t, t);
    let q = estrin(a, t, t2, q);
    let small = a.fma(t2, q, low);
    let half = a.ishr_s(k, 1);
    let rest = a.isub(k, half);
    let first = exp2_int(a, half);
    let second = exp2_int(a, rest);
    let y = match p {
        Precision::Precise => {
            let one = a.fconst(1.0);
            let (head, head_err) = fast_two_sum(a, one, r);
            let tail = a.fadd(head_err, small);
            let head = a.fmul(head, first);
            a.fma(tail, first, head)
        }
        Precision::Fast => {
            let tail = a.fadd(r, small);
            a.fma(tail, first, first)
        }
    };
    a.fmul(y, second)
}

/// e^t = 1 + t + t²·q(t) on |t| ≤ ln2/2 (Chebyshev fit, error of t²·q below
/// 2^-32 relative to e^t).
const EXP_Q_F32: &[f64] = &[
    0.500_000_001_353_873,
    0.166_666_666_817_042_15,
    0.041_666_464_197_405_69,
    0.008_333_310_844_647_862,
    0.001_393_373_071_579_208_3,
    0.000_198_910_804_639_988_43,
];

/// The special cases of Annex F around a finite-path result `r` computed
/// from w = y·ln|x| (`w_hi`, with ln 0 = -inf and ln of inf/NaN = |x|
/// already substituted, so NaN x or y and infinite w arrive as NaN / ±inf).
/// `over`/`under` are the w thresholds beyond which the result is +inf/+0.
#[allow(clippy::too_many_arguments)] // the pieces of one formula
fn pow_specials<A: Arith>(
    a: &mut A,
    x: A::F,
    y: A::F,
    ax: A::F,
    finite_x: A::M,
    w_hi: A::F,
    r: A::F,
    over: f64,
    under: f64,
) -> A::F {
    let zero = a.fconst(0.0);
    let one = a.fconst(1.0);
    let inf = a.fconst(f64::INFINITY);
    let over = a.fconst(over);
    let is_over = a.flt(over, w_hi);
    let r = a.fselect(is_over, inf, r);
    let under = a.fconst(under);
    let is_under = a.flt(w_hi, under);
    let r = a.fselect(is_under, zero, r);

    // Odd y: an integer whose half has fraction ½ (exact for integers;
    // inf counts as even, its fraction being NaN).
    let y_trunc = a.trunc(y);
    let y_int = a.feq(y_trunc, y);
    let half = a.fconst(0.5);
    let y_half = a.fmul(y, half);
    let y_half_floor = a.floor(y_half);
    let y_half_frac = a.fsub(y_half, y_half_floor);
    let half_odd = a.feq(y_half_frac, half);
    let y_odd = a.mand(y_int, half_odd);

    // A negative base (including -0 and -inf) with odd y: negative result.
    let sign = sign_bit(a);
    let x_bits = a.to_bits(x);
    let x_sign = a.iand(x_bits, sign);
    let no_sign = a.iconst(0);
    let r_sign = a.iselect(y_odd, x_sign, no_sign);
    let r_bits = a.to_bits(r);
    let r_bits = a.ior(r_bits, r_sign);
    let r = a.bits_to_float(r_bits);

    // NaN (beyond those carried by w): a finite negative base with
    // non-integer y.
    let x_neg = a.flt(x, zero);
    let x_neg_finite = a.mand(x_neg, finite_x);
    let y_not_int = a.mnot(y_int);
    let domain = a.mand(x_neg_finite, y_not_int);
    let nan_value = a.fconst(f64::NAN);
    let r = a.fselect(domain, nan_value, r);

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

/// f32 x^y: [`log_f32`] (2^-34 absolute), w = y·ln|x| as an exact pair,
/// [`exp_f32_ext`]; the absolute error of w stays below 2^-27 up to the
/// overflow/underflow thresholds.
fn pow_f32<A: Arith>(a: &mut A, p: Precision, x: A::F, y: A::F) -> A::F {
    let zero = a.fconst(0.0);
    let inf = a.fconst(f64::INFINITY);
    let neg_inf = a.fconst(f64::NEG_INFINITY);
    let ax = a.fabs(x);
    let (l_hi, l_lo) = log_f32(a, ax);
    // ln|x| of 0 is -inf, of inf and NaN |x| itself.
    let finite_x = a.flt(ax, inf);
    let l_hi = a.fselect(finite_x, l_hi, ax);
    let x_zero = a.feq(ax, zero);
    let l_hi = a.fselect(x_zero, neg_inf, l_hi);

    let w_hi = a.fmul(y, l_hi);
    let neg_w = a.fneg(w_hi);
    let w_lo = a.fma(y, l_hi, neg_w);
    let w_lo = a.fma(y, l_lo, w_lo);
    let r = exp_f32_ext(a, p, w_hi, w_lo);
    // e^w overflows above 88.72 and is 0 below -103.98; up to 89 / -105
    // the scaling already rounds to those.
    pow_specials(a, x, y, ax, finite_x, w_hi, r, 89.0, -105.0)
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
