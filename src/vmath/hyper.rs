//! `exp2`, `expm1` and the hyperbolic functions `sinh`, `cosh`, `tanh`.
//!
//! All five share one kernel: e^t for |t| ≤ ln2/2 split into its even and
//! odd parts, cosh t − 1 = s·P(s) and sinh t = t + t·s·Q(s) with s = t²
//! ([`exp_parts`]; two short Horner chains that run in parallel). Keeping
//! the two parts apart lets every routine put the exactly known leading
//! terms (1, t, powers of two) together first and add the small rounded
//! terms last, and lets `sinh`/`cosh` get e^-t from the same polynomials.
//!
//! `expm1`, `sinh`, `cosh` and `tanh` reduce as `exp` does ([`reduce`]):
//! x = k·ln2 + t, k = round(x / ln2), with t = hi − lo, `hi` exact. `exp2`
//! needs no reduction error at all: 2^x = 2^k·e^(r·ln2), r = x − k exact.
//!
//! P and Q are weighted minimax fits on s ∈ [0, (0.3468)²] (Remez, script
//! `tools/vmath_fit/hyper/remez.py`): the weight makes the error
//! relative to e^t − 1 for P and to sinh t for Q, the quantities whose
//! relative accuracy `expm1` and `sinh` of small arguments depend on.

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{
    clamp, exp2_int, exponent_bias, fast_two_sum, horner, mantissa_bits, mulsign, round_to_int,
    scale,
};
use super::{Arith, Precision};

/// ln 2 split so that `k · LN2_HI` is exact for |k| < 2^11 (f64: fdlibm's
/// split; f32: 12 significant bits), as in `exp`.
const LN2_HI_F64: f64 = 6.931_471_803_691_238_164_90e-01;
const LN2_LO_F64: f64 = 1.908_214_929_270_587_700_02e-10;
const LN2_HI_F32: f64 = 0.693_145_751_953_125; // 0x1.62e4p-1
const LN2_LO_F32: f64 = 1.428_606_765_330_187_045e-6;
const LN2: f64 = std::f64::consts::LN_2;
/// ln 2 − LN2: the f64 constant's rounding error.
const LN2_LO_F64_EXACT: f64 = 2.319_046_813_846_299_615_5e-17;
const LOG2_E: f64 = std::f64::consts::LOG2_E;

/// (cosh t − 1)/t² as a polynomial in s = t² on s ≤ 0.3468²; relative error
/// of the even part w.r.t. t: 2^-68 (f64), 2^-32 (f32), 2^-55.6 (f64 fast).
const EVEN_F64: &[f64] = &[
    0.499_999_999_999_999_999_889_8,
    0.041_666_666_666_666_692_324_69,
    0.001_388_888_888_887_181_827_617,
    2.480_158_735_026_003_262_049e-5,
    2.755_725_176_650_876_753_071e-7,
    2.092_162_570_108_816_836_665e-9,
];
const EVEN_F64_FAST: &[f64] = &[
    0.500_000_000_000_000_564_676_1,
    0.041_666_666_666_572_749_623_21,
    0.001_388_888_893_262_497_723_718,
    2.480_150_417_495_326_245_322e-5,
    2.762_642_854_248_070_504_344e-7,
];
const EVEN_F32: &[f64] = &[
    0.500_000_004_728_192_940_732_7,
    0.041_666_352_193_111_002_294_96,
    0.001_394_116_574_307_582_765_032,
];
/// (sinh t − t)/t³ as a polynomial in s = t²; relative error of sinh t:
/// 2^-61.7 (f64), 2^-37.5 (f32), 2^-26.2 (f32 fast).
const ODD_F64: &[f64] = &[
    0.166_666_666_666_666_766_398_6,
    0.008_333_333_333_321_577_529_638,
    1.984_126_988_626_826_896_702e-4,
    2.755_724_405_986_747_384_506e-6,
    2.510_909_112_515_889_273_771e-8,
];
const ODD_F32: &[f64] = &[
    0.166_666_667_547_612_234_513,
    0.008_333_288_883_554_301_338_549,
    1.990_501_169_139_799_575_154e-4,
];
const ODD_F32_FAST: &[f64] = &[
    0.166_665_427_776_886_446_261_6,
    0.008_366_612_256_094_300_779_025,
];

/// e^t = 1 + even + (t + odd3): returns (even, odd3) = (cosh t − 1,
/// sinh t − t), for |t| ≤ 0.3468.
fn exp_parts<A: Arith>(a: &mut A, p: Precision, t: A::F) -> (A::F, A::F) {
    let (even, odd): (&[f64], &[f64]) = match (a.is_f64(), p) {
        (true, Precision::Precise) => (EVEN_F64, ODD_F64),
        (true, Precision::Fast) => (EVEN_F64_FAST, ODD_F64),
        (false, Precision::Precise) => (EVEN_F32, ODD_F32),
        (false, Precision::Fast) => (EVEN_F32, ODD_F32_FAST),
    };
    let s = a.fmul(t, t);
    let pe = horner(a, s, even);
    let po = horner(a, s, odd);
    let ts = a.fmul(t, s);
    (a.fmul(s, pe), a.fmul(ts, po))
}

/// e^x = 2^k · (1 + hi + odd_tail + even), the bracket being e^t for the
/// reduced argument t = x − k·ln2: `hi` is its exact leading part, so the
/// pieces of the bracket grow smaller from left to right.
struct Reduced<A: Arith> {
    /// k as a float and as an integer.
    kf: A::F,
    k: A::I,
    hi: A::F,
    /// cosh t − 1.
    even: A::F,
    /// sinh t − hi (includes the low part of the reduction).
    odd_tail: A::F,
}

/// Cody–Waite reduction of a finite `x` with |x| < 2^11·ln2 (the callers
/// clamp): hi = x − k·ln2_hi is exact (Sterbenz), lo = k·ln2_lo feeds only
/// the small odd tail.
fn reduce<A: Arith>(a: &mut A, p: Precision, x: A::F) -> Reduced<A> {
    let (ln2_hi, ln2_lo) = if a.is_f64() {
        (LN2_HI_F64, LN2_LO_F64)
    } else {
        (LN2_HI_F32, LN2_LO_F32)
    };
    let log2e = a.fconst(LOG2_E);
    let scaled = a.fmul(x, log2e);
    let (kf, k) = round_to_int(a, scaled);
    let neg_ln2_hi = a.fconst(-ln2_hi);
    let hi = a.fma(kf, neg_ln2_hi, x);
    let ln2_lo = a.fconst(ln2_lo);
    let lo = a.fmul(kf, ln2_lo);
    let t = a.fsub(hi, lo);
    let (even, odd3) = exp_parts(a, p, t);
    let odd_tail = a.fsub(odd3, lo);
    Reduced {
        kf,
        k,
        hi,
        even,
        odd_tail,
    }
}

/// (e^x − 1)/2 from a reduction of x, as an unevaluated sum `(sum, rest)`:
/// (2^(k−1) − ½) + 2^(k−1)·hi + 2^(k−1)·(even + odd_tail).
///
/// The halving keeps 2^(k−1) finite for every k up to 1024 (f64), so
/// `sinh` and `tanh` reach their whole range, and `expm1` doubles the
/// result exactly. The first two terms are exact for k ≥ −52 (below, the
/// result is −½ to within an ulp anyway), and for k ≠ 0 the first is at
/// least as large as the second, so Fast2Sum adds them with the error
/// recovered exactly (Precise); for k > 53 the first term itself rounds,
/// and its error is recovered the same way. `rest` collects the errors and
/// the small terms. For k = 0 `sum` is hi/2: callers that can see
/// subnormal hi (`expm1` of tiny x) select x there.
fn expm1_half_parts<A: Arith>(a: &mut A, p: Precision, red: &Reduced<A>) -> (A::F, A::F) {
    let one = a.iconst(1);
    let km1 = a.isub(red.k, one);
    let scale = exp2_int(a, km1);
    let half = a.fconst(0.5);
    let head = a.fsub(scale, half);
    let linear = a.fmul(scale, red.hi);
    let sum = a.fadd(head, linear);
    match p {
        Precision::Precise => {
            // head = scale − ½ − head_err (Fast2Sum for k ≥ 1, exact 0
            // for −52 ≤ k ≤ 0).
            let scale_rest = a.fsub(scale, head);
            let head_err = a.fsub(scale_rest, half);
            let head_rest = a.fsub(head, sum);
            let sum_err = a.fadd(head_rest, linear);
            let errs = a.fadd(sum_err, head_err);
            let rest = a.fma(scale, red.odd_tail, errs);
            (sum, a.fma(scale, red.even, rest))
        }
        Precision::Fast => {
            let tail = a.fadd(red.even, red.odd_tail);
            (sum, a.fmul(scale, tail))
        }
    }
}

/// (e^x − 1)/2 rounded; see [`expm1_half_parts`].
fn expm1_half<A: Arith>(a: &mut A, p: Precision, red: &Reduced<A>) -> A::F {
    let (sum, rest) = expm1_half_parts(a, p, red);
    a.fadd(sum, rest)
}

/// 2^x = 2^k · e^(r·ln2), k = round(x), r = x − k exact, |r·ln2| ≤ 0.347.
/// r·ln2 is carried as a double-word (`t` + `t_lo`, the product's error
/// from an fma), the leading 1 + t is added by Fast2Sum (Precise), so the
/// only sizeable error is the final rounding (and, for subnormal results,
/// the second rounding in `scale`). Measured: Precise ≤ 0.67 ulp (f64),
/// ≤ 0.79 (f32, subnormal results; 0.5 + ε for normal ones); Fast (no
/// Fast2Sum, one term less in the even part) ≤ 0.86 / 0.93 ulp.
/// Overflow, underflow and subnormal results come out of [`scale`]; ±inf
/// clamp to arguments beyond the thresholds.
pub fn exp2<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let (lo, hi) = if a.is_f64() {
        (-1080.0, 1025.0)
    } else {
        (-152.0, 129.0)
    };
    let xc = clamp(a, x, lo, hi);
    let (kf, k) = round_to_int(a, xc);
    let r = a.fsub(xc, kf);
    let ln2 = a.fconst(LN2);
    let ln2_lo = if a.is_f64() {
        LN2_LO_F64_EXACT
    } else {
        LN2 - (LN2 as f32) as f64
    };
    let ln2_lo = a.fconst(ln2_lo);
    let t = a.fmul(r, ln2);
    let neg_t = a.fneg(t);
    let t_err = a.fma(r, ln2, neg_t);
    let t_lo = a.fma(r, ln2_lo, t_err);
    let (even, odd3) = exp_parts(a, p, t);
    let odd_tail = a.fadd(odd3, t_lo);
    let tail = a.fadd(even, odd_tail);
    let one = a.fconst(1.0);
    let y = match p {
        Precision::Precise => {
            let (s, s_err) = fast_two_sum(a, one, t);
            let small = a.fadd(s_err, tail);
            a.fadd(s, small)
        }
        Precision::Fast => {
            let small = a.fadd(t, tail);
            a.fadd(one, small)
        }
    };
    let result = scale(a, y, k);
    let nan = a.is_nan(x);
    a.fselect(nan, x, result)
}

/// e^x − 1 = 2·(e^x − 1)/2 by [`expm1_half`]. Arguments clamp to where the
/// result is −1 after rounding (−60 / −30) or overflows (710 / 89); tiny
/// |x| (incl. ±0 and subnormals) returns x itself, which is also the
/// correctly rounded result there. Measured: Precise ≤ 0.96 ulp (f64),
/// ≤ 1.01 (f32; the worst cases are k = 1, x ≈ 0.36, where the rounding of
/// t² in the even part shows); Fast ≤ 1.41 / 1.27 ulp.
pub fn expm1<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let (lo, hi, tiny) = if a.is_f64() {
        (-60.0, 710.0, f64::powi(2.0, -60))
    } else {
        (-30.0, 89.0, f64::powi(2.0, -30))
    };
    let xc = clamp(a, x, lo, hi);
    let red = reduce(a, p, xc);
    let h = expm1_half(a, p, &red);
    let result = a.fadd(h, h);
    let ax = a.fabs(x);
    let tiny = a.fconst(tiny);
    let is_tiny = a.flt(ax, tiny);
    let nan = a.is_nan(x);
    let keep_x = a.mor(is_tiny, nan);
    a.fselect(keep_x, x, result)
}

/// sinh |x| and cosh |x| as u·e^t ∓ v·e^-t with u = 2^(k−1), v = 2^(−k−1):
/// with A = u − v, B = u + v,
///
///   sinh = A·(1 + even) + B·(hi + odd_tail),
///   cosh = B·(1 + even) + A·(hi + odd_tail).
///
/// For k = 0 that is sinh = hi + odd_tail with no cancellation. A and B are
/// exact for small k; above that their rounding errors dA, dB (Fast2Sum,
/// exact) are added to the small terms (Precise). For k > `k_big`, v is
/// negligible and is dropped (also keeping 2^(−k−1) in range), and u is
/// scaled by 2^-`shift`, restored by the final exact multiplication, so
/// u stays finite up to the overflow threshold (sinh 710.47 is finite).
/// Precise also recovers the rounding error of main + other·hi exactly.
/// Measured: Precise ≤ 0.69 ulp (f64), ≤ 0.74 (f32); Fast ≤ 1.21 (f64),
/// ≤ 2.05 ulp (f32 cosh near x = 8, where A and B are inexact).
fn sinh_cosh<A: Arith>(a: &mut A, p: Precision, x: A::F, want_cosh: bool) -> A::F {
    let f64_lanes = a.is_f64();
    let (x_max, k_big, shift) = if f64_lanes {
        (711.0, 40, 64)
    } else {
        (90.0, 20, 32)
    };
    let ax = a.fabs(x);
    let ax = clamp(a, ax, 0.0, x_max);
    let red = reduce(a, p, ax);
    let k_big_c = a.fconst(k_big as f64 + 0.5);
    let big = a.flt(k_big_c, red.kf);
    let shift_c = a.iconst(shift + 1);
    let one = a.iconst(1);
    let u_shift = a.iselect(big, shift_c, one);
    let u_exp = a.isub(red.k, u_shift);
    let u = exp2_int(a, u_exp);
    // v = 2^(−k−1), or +0 where k is big.
    let v_biased = a.iconst(exponent_bias(a) - 1);
    let v_biased = a.isub(v_biased, red.k);
    let v_bits = a.ishl(v_biased, mantissa_bits(a));
    let zero_bits = a.iconst(0);
    let v_bits = a.iselect(big, zero_bits, v_bits);
    let v = a.bits_to_float(v_bits);
    let diff = a.fsub(u, v);
    let sum = a.fadd(u, v);
    // (main, other): the coefficient of (1 + even) and of the odd part.
    let (main, other) = if want_cosh { (sum, diff) } else { (diff, sum) };
    let (lead, small) = match p {
        Precision::Precise => {
            // lead + lead_err + prod_err = main + other·hi exactly
            // (product error by fma, then Fast2Sum: |main| ≥ |other·hi|).
            let prod = a.fmul(other, red.hi);
            let neg_prod = a.fneg(prod);
            let prod_err = a.fma(other, red.hi, neg_prod);
            let (lead, lead_err) = fast_two_sum(a, main, prod);
            let diff_rest = a.fsub(u, diff);
            let diff_err = a.fsub(diff_rest, v);
            let sum_rest = a.fsub(u, sum);
            let sum_err = a.fadd(sum_rest, v);
            let (main_err, other_err) = if want_cosh {
                (sum_err, diff_err)
            } else {
                (diff_err, sum_err)
            };
            let s = a.fma(other_err, red.hi, main_err);
            let s = a.fadd(s, prod_err);
            let s = a.fadd(s, lead_err);
            let s = a.fma(other, red.odd_tail, s);
            (lead, a.fma(main, red.even, s))
        }
        Precision::Fast => {
            let lead = a.fma(other, red.hi, main);
            let s = a.fmul(other, red.odd_tail);
            (lead, a.fma(main, red.even, s))
        }
    };
    let y = a.fadd(lead, small);
    let unshift = a.fconst(f64::powi(2.0, shift as i32));
    let one_f = a.fconst(1.0);
    let unshift = a.fselect(big, unshift, one_f);
    let y = a.fmul(y, unshift);
    let y = if want_cosh { y } else { mulsign(a, y, x) };
    let nan = a.is_nan(x);
    a.fselect(nan, x, y)
}

pub fn sinh<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    sinh_cosh(a, p, x, false)
}

pub fn cosh<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    sinh_cosh(a, p, x, true)
}

/// With h = (e^(2|x|) − 1)/2 from [`expm1_half_parts`], tanh |x| = h/(h+1).
///
/// Fast: c − c·(c/(h + 1)) with c = h where h < 1 (= h − h²/(h+1): the
/// rounding of h + 1 only touches the h² term) and c = 1 above
/// (= 1 − 1/(h + 1): errors damped by 1/(h+1)). One division.
///
/// Precise: the same quotient q = c/d, d = h + 1, corrected by its exact
/// residual: h and d are carried as double-words (d's low part by
/// Fast2Sum, ordered by the same h < 1 test), ρ = c − q·d is exact by
/// fma, and tanh = q + ρ/(h+1) (h < 1) or 1 − (q + ρ/(h+1)), where
/// 1/(h+1) is known to enough bits as 1 − q or q. Leaves essentially the
/// final rounding.
///
/// |x| clamps to 22 / 10, where tanh rounds to 1. Measured: Precise
/// ≤ 0.87 ulp (f64 and f32); Fast ≤ 1.52 (f64), ≤ 1.65 ulp (f32).
pub fn tanh<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let x_max = if a.is_f64() { 22.0 } else { 10.0 };
    let ax = a.fabs(x);
    let ax = clamp(a, ax, 0.0, x_max);
    let two_ax = a.fadd(ax, ax);
    let red = reduce(a, p, two_ax);
    let (sum, rest) = expm1_half_parts(a, p, &red);
    let h = a.fadd(sum, rest);
    let one = a.fconst(1.0);
    let small = a.flt(h, one);
    let d = a.fadd(h, one);
    let c = a.fselect(small, h, one);
    let q = a.fdiv(c, d);
    let neg_q = a.fneg(q);
    let y = match p {
        Precision::Precise => {
            let h_rest = a.fsub(sum, h);
            let h_lo = a.fadd(h_rest, rest);
            // d + d_lo = 1 + h + h_lo: Fast2Sum, larger operand first.
            let larger = a.fselect(small, one, h);
            let larger_rest = a.fsub(larger, d);
            let d_err = a.fadd(larger_rest, c);
            let d_lo = a.fadd(d_err, h_lo);
            let zero = a.fconst(0.0);
            let c_lo = a.fselect(small, h_lo, zero);
            let rho = a.fma(neg_q, d, c);
            let rho = a.fma(neg_q, d_lo, rho);
            let rho = a.fadd(rho, c_lo);
            let one_minus_q = a.fsub(one, q);
            let inv_d = a.fselect(small, one_minus_q, q);
            let z = a.fma(rho, inv_d, q);
            let one_minus_z = a.fsub(one, z);
            a.fselect(small, z, one_minus_z)
        }
        Precision::Fast => a.fma(neg_q, c, c),
    };
    let y = mulsign(a, y, x);
    let nan = a.is_nan(x);
    a.fselect(nan, x, y)
}
