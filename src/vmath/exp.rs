//! `exp`: e^x = 2^k · e^r with k = round(x / ln 2) and |r| ≤ ln 2 / 2.

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{clamp, estrin, exp2_int, horner, round_to_int, scale};
use super::{Arith, Precision};

/// ln 2 split so that `k · LN2_HI` is exact for |k| < 2^11 (f64: fdlibm's
/// split; f32: 12 significant bits).
const LN2_HI_F64: f64 = 6.931_471_803_691_238_164_90e-01;
const LN2_LO_F64: f64 = 1.908_214_929_270_587_700_02e-10;
const LN2_HI_F32: f64 = 0.693_145_751_953_125; // 0x1.62e4p-1
const LN2_LO_F32: f64 = 1.428_606_765_330_187_045e-6;
const LOG2_E: f64 = std::f64::consts::LOG2_E;

pub fn exp<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    if a.is_f64() {
        exp_f64(a, x)
    } else {
        exp_f32(a, p, x)
    }
}

/// fdlibm's method: with t = r², c = r - t·P(t), e^r = 1 + r + r·c/(2 - c)
/// evaluated as `1 - ((lo - r·c/(2-c)) - hi)` so the low part of the
/// reduced argument is not lost; < 1 ulp.
fn exp_f64<A: Arith>(a: &mut A, x: A::F) -> A::F {
    let input = x;
    let x = clamp(a, x, -746.0, 710.0);
    let log2e = a.fconst(LOG2_E);
    let scaled = a.fmul(x, log2e);
    let (kf, k) = round_to_int(a, scaled);
    let ln2_hi = a.fconst(LN2_HI_F64);
    let ln2_lo = a.fconst(LN2_LO_F64);
    let k_hi = a.fmul(kf, ln2_hi);
    let hi = a.fsub(x, k_hi);
    let lo = a.fmul(kf, ln2_lo);
    let r = a.fsub(hi, lo);
    let t = a.fmul(r, r);
    let p = horner(
        a,
        t,
        &[
            1.666_666_666_666_660_190_37e-01,
            -2.777_777_777_701_559_338_42e-03,
            6.613_756_321_437_934_361_17e-05,
            -1.653_390_220_546_525_153_90e-06,
            4.138_136_797_057_238_460_39e-08,
        ],
    );
    let tp = a.fmul(t, p);
    let c = a.fsub(r, tp);
    let rc = a.fmul(r, c);
    let two = a.fconst(2.0);
    let denom = a.fsub(two, c);
    let q = a.fdiv(rc, denom);
    let lo_q = a.fsub(lo, q);
    let lo_q_hi = a.fsub(lo_q, hi);
    let one = a.fconst(1.0);
    let y = a.fsub(one, lo_q_hi);
    let result = scale(a, y, k);
    let nan = a.is_nan(input);
    a.fselect(nan, input, result)
}

/// Cody–Waite reduction: r = x - k·ln2_hi is exact, and the low part
/// `low = -k·ln2_lo` is added to the linear term separately instead of being
/// rounded into r (that rounding alone cost a quarter ulp). With t = r + low
/// rounded, e^(r+low) = 1 + (r + (t²·q(t) + low)), q the Taylor series to
/// t^7 (precise) or t^6 (fast), evaluated in Estrin's form.
///
/// The routine is latency-bound (one long dependency chain per register),
/// so out-of-range inputs are not clamped up front: k is computed from x
/// as it is (garbage beyond the magic-number range) and the final selects,
/// whose compares run in parallel, replace those lanes.
fn exp_f32<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let log2e = a.fconst(LOG2_E);
    let scaled = a.fmul(x, log2e);
    let (kf, k) = round_to_int(a, scaled);
    let ln2_hi = a.fconst(-LN2_HI_F32);
    let ln2_lo = a.fconst(-LN2_LO_F32);
    let r = a.fma(kf, ln2_hi, x);
    let low = a.fmul(kf, ln2_lo);
    let q: &[f64] = match p {
        Precision::Precise => &[
            1.0 / 2.0,
            1.0 / 6.0,
            1.0 / 24.0,
            1.0 / 120.0,
            1.0 / 720.0,
            1.0 / 5040.0,
        ],
        Precision::Fast => &[1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0],
    };
    // The exact r + low feeds only the linear term; the rounded sum is
    // accurate enough for the others.
    let t = a.fadd(r, low);
    let t2 = a.fmul(t, t);
    let q = estrin(a, t, t2, q);
    let small = a.fma(t2, q, low);
    let tail = a.fadd(r, small);
    // (1 + tail)·2^k: the first half of the scaling folds into an fma,
    // which rounds exactly as 1 + tail would (2^(k/2) keeps it normal).
    let half = a.ishr_s(k, 1);
    let rest = a.isub(k, half);
    let first = exp2_int(a, half);
    let second = exp2_int(a, rest);
    let y = a.fma(tail, first, first);
    let result = a.fmul(y, second);
    // e^x overflows above 88.72 and is 0 below -103.98; between those
    // bounds and 89 / -105 the scaling already rounds right. The special
    // lanes' values are chosen off the critical path, then one select.
    let hi = a.fconst(89.0);
    let over = a.flt(hi, x);
    let lo = a.fconst(-105.0);
    let under = a.flt(x, lo);
    let nan = a.is_nan(x);
    let inf = a.fconst(f64::INFINITY);
    let zero = a.fconst(0.0);
    let big_or_nan = a.fselect(over, inf, x);
    let special_value = a.fselect(under, zero, big_or_nan);
    let special = a.mor(over, under);
    let special = a.mor(special, nan);
    a.fselect(special, special_value, result)
}
