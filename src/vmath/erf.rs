//! The error function erf and its complement erfc.
//!
//! f32 has its own, much shorter routines (`erf_f32`, `erfc_f32`, at the
//! end of the file): erf as two polynomials (x + x·R(x²) below 1, a direct
//! polynomial in |x| - 2.4375 up to 3.92, then ±1), no division and no
//! exponential; erfc as erf's small polynomial below 0.84375 and beyond
//! e^W/|x| with ONE polynomial in 1/|x| (no coefficient selects). Measured:
//! erf ≤ 0.92 ulp (fast 1.47), erfc ≤ 1.62 ulp (fast shares it).
//!
//! f64 uses fdlibm's method (s_erf.c), made branch-free. On a = |x| there are four
//! intervals, each with a rational approximation R(t) = P(t)/Q(t) in its own
//! variable t:
//!
//! 1. a < 0.84375, t = a²:         erf(a) = a + a·R
//! 2. a < 1.25, t = a - 1:         erf(a) = ERX + R (ERX ≈ erf(1), 24 bits)
//! 3. a < 1/0.35, t = 1/a²:        erfc(a) = exp(-a² - 0.5625 + R) / a
//! 4. a ≥ 1/0.35, t = 1/a²:        the same with another R
//!
//! Each lane picks its interval's t and coefficients with selects, and ONE
//! rational function is evaluated (a select per coefficient is far cheaper
//! than four polynomial evaluations). Then erf(-x) = -erf(x) and
//! erfc(-x) = 2 - erfc(x).
//!
//! Intervals 3 and 4 need e^W / a with W = -a² - 0.5625 + R to nearly full
//! relative accuracy, down into the subnormals for erfc (erfc(x) underflows
//! only past x ≈ 27.2 in f64, 10.05 in f32). So instead of calling `exp`
//! this file reduces W itself, as a sum of an exact head and a small tail:
//! a² = sq_hi + sq_lo exactly (fma), k = round(W / ln 2), the head
//! h = -sq_hi - k·LN2_HI - 0.5625 is exact (a multiple of ulp(sq_hi) below 2),
//! and the tail l = R - sq_lo - k·LN2_LO + e collects the rest, where
//! e = 1 - a·(1/a) is the residual of the reciprocal, so that
//! 1/a = inv·(1 + e) and the division by a costs no rounding of its own.
//! Then e^(h + l) = (1 + h) + (l + r²·q(r)), r = h + l, with 1 + h exact;
//! the result is `(1 + h)·inv + (l + r²·q)·inv` in one fma, scaled by 2^k in
//! two steps whose first is exact, so a subnormal result is rounded once.
//!
//! Measured (tests/vmath_accuracy.rs): f64 erf ≤ 0.71 ulp, erfc ≤ 1.67 ulp
//! (worst in interval 2, x → 1.25, where erfc = (1 - ERX) - R cancels).
//!
//! `Precision::Fast` shares this code: the only parts a shorter variant
//! could drop are a handful of compensation steps (a few ops out of ~150),
//! and the rational functions' degrees are fixed by fdlibm's fits.

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{exp2_int, horner, mulsign, round_to_int};
use super::{Arith, Precision};

/// erf(1) rounded to 24 bits (exact in f32 too): the base of interval 2.
const ERX: f64 = 8.45062911510467529297e-01;
/// Interval bounds on |x|.
const MID: f64 = 0.84375;
const TAIL: f64 = 1.25;
const FAR: f64 = 1.0 / 0.35;

/// Numerator coefficients (ascending powers of t) per interval, padded with
/// zeros to a common length: fdlibm's pp, pa, ra, rb.
const NUM_F64: [[f64; 4]; 8] = [
    [
        1.28379167095512558561e-01,
        -2.36211856075265944077e-03,
        -9.86494403484714822705e-03,
        -9.86494292470009928597e-03,
    ],
    [
        -3.25042107247001499370e-01,
        4.14856118683748331666e-01,
        -6.93858572707181764372e-01,
        -7.99283237680523006574e-01,
    ],
    [
        -2.84817495755985104766e-02,
        -3.72207876035701323847e-01,
        -1.05586262253232909814e+01,
        -1.77579549177547519889e+01,
    ],
    [
        -5.77027029648944159157e-03,
        3.18346619901161753674e-01,
        -6.23753324503260060396e+01,
        -1.60636384855821916062e+02,
    ],
    [
        -2.37630166566501626084e-05,
        -1.10894694282396677476e-01,
        -1.62396669462573470355e+02,
        -6.37566443368389627722e+02,
    ],
    [
        0.0,
        3.54783043256182359371e-02,
        -1.84605092906711035994e+02,
        -1.02509513161107724954e+03,
    ],
    [
        0.0,
        -2.16637559486879084300e-03,
        -8.12874355063065934246e+01,
        -4.83519191608651397019e+02,
    ],
    [0.0, 0.0, -9.81432934416914548592e+00, 0.0],
];

/// Denominator coefficients of t¹ … t⁸ (the constant term is 1): fdlibm's
/// qq, qa, sa, sb.
const DEN_F64: [[f64; 4]; 8] = [
    [
        3.97917223959155352819e-01,
        1.06420880400844228286e-01,
        1.96512716674392571292e+01,
        3.03380607434824582924e+01,
    ],
    [
        6.50222499887672944485e-02,
        5.40397917702171048937e-01,
        1.37657754143519042600e+02,
        3.25792512996573918826e+02,
    ],
    [
        5.08130628187576562776e-03,
        7.18286544141962662868e-02,
        4.34565877475229228821e+02,
        1.53672958608443695994e+03,
    ],
    [
        1.32494738004321644526e-04,
        1.26171219808761642112e-01,
        6.45387271733267880336e+02,
        3.19985821950859553908e+03,
    ],
    [
        -3.96022827877536812320e-06,
        1.36370839120290507362e-02,
        4.29008140027567833386e+02,
        2.55305040643316442583e+03,
    ],
    [
        0.0,
        1.19844998467991074170e-02,
        1.08635005541779435134e+02,
        4.74528541206955367215e+02,
    ],
    [
        0.0,
        0.0,
        6.57024977031928170135e+00,
        -2.24409524465858183362e+01,
    ],
    [0.0, 0.0, -6.04244152148580987438e-02, 0.0],
];

/// q(r) ≈ (e^r - 1 - r)/r² on |r| ≤ ln2/2 (Chebyshev fits): f64 with
/// |r²·δq| < 2^-61, f32 < 2^-30.
const EXP_Q_F64: [f64; 11] = [
    0.5,
    0.1666666666666667,
    0.04166666666666667,
    0.008333333333326136,
    0.001388888888888375,
    0.00019841269874815834,
    2.480158732554432e-05,
    2.7557255406285044e-06,
    2.7557273647451087e-07,
    2.5105214474751413e-08,
    2.0914685161418067e-09,
];
const EXP_Q_F32: [f64; 6] = [
    0.5000000013463886,
    0.16666666681621095,
    0.041666464944505696,
    0.008333310927615311,
    0.0013933647862928863,
    0.00019890988455544567,
];

/// ln 2 = LN2_HI + LN2_LO with k·LN2_HI exact for |k| < 2^11 (as in exp.rs).
const LN2_HI_F64: f64 = 6.931_471_803_691_238_164_90e-01;
const LN2_LO_F64: f64 = 1.908_214_929_270_587_700_02e-10;
const LN2_HI_F32: f64 = 0.693_145_751_953_125;
const LN2_LO_F32: f64 = 1.428_606_765_330_187_045e-6;
const LOG2_E: f64 = std::f64::consts::LOG2_E;

/// Per-type constants of the tail (intervals 3–4).
struct Tail {
    /// |x| is clamped to this: erfc(CLAMP) rounds to 0 and 2^k stays in the
    /// range the two-step scaling covers.
    clamp: f64,
    ln2_hi: f64,
    ln2_lo: f64,
    exp_q: &'static [f64],
    /// 2^k is applied as 2^(k + OFFSET) (exact, normal) then 2^-OFFSET.
    offset: i64,
}

const TAIL_F64: Tail = Tail {
    clamp: 28.0,
    ln2_hi: LN2_HI_F64,
    ln2_lo: LN2_LO_F64,
    exp_q: &EXP_Q_F64,
    offset: 600,
};
const TAIL_F32: Tail = Tail {
    clamp: 10.5,
    ln2_hi: LN2_HI_F32,
    ln2_lo: LN2_LO_F32,
    exp_q: &EXP_Q_F32,
    offset: 64,
};

/// What both functions share: |x| (clamped), the interval masks and R.
struct Parts<A: Arith> {
    abs: A::F,
    /// |x| ≥ 0.84375 (intervals 2–4); false for NaN.
    mid: A::M,
    /// The lanes computed in the tail form: |x| ≥ 1.25 (intervals 3–4)
    /// in f64, |x| ≥ 0.84375 (intervals 2–4) in f32.
    tail: A::M,
    /// The rational function of the lane's interval.
    r: A::F,
    /// erfc(|x|) where `tail` holds (garbage elsewhere).
    erfc_tail: A::F,
}

pub fn erf<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    if !a.is_f64() {
        return erf_f32(a, p, x);
    }
    let s = parts(a, p, x);
    // Intervals 1–2: B·R + L, one rounding.
    let one = a.fconst(1.0);
    let erx = a.fconst(ERX);
    let b = a.fselect(s.mid, one, s.abs);
    let l = a.fselect(s.mid, erx, s.abs);
    let near = a.fma(b, s.r, l);
    let far = a.fsub(one, s.erfc_tail);
    let y = a.fselect(s.tail, far, near);
    // erf is odd; ±0 and NaN pass through interval 1 unchanged.
    mulsign(a, y, x)
}

pub fn erfc<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    if !a.is_f64() {
        return erfc_f32(a, p, x);
    }
    let s = parts(a, p, x);
    let zero = a.fconst(0.0);
    let one = a.fconst(1.0);
    let erx = a.fconst(ERX);
    let neg = a.flt(x, zero);
    // Intervals 1–2: erfc(x) = H ∓ (B·R + L), the sign that of -x, with
    //   x < 0:            H = 1,         B·R + L = erf(|x|)
    //   interval 1, x < 1/2:  H = 1,     B·R + L = x + x·R
    //   interval 1, x ≥ 1/2:  H = 1 - x, B·R + L = x·R
    //   interval 2, x > 0:    H = 1-ERX, B·R + L = R
    // which avoid cancellation in 1 - erf(x): 1 - x is exact (Sterbenz),
    // and x·R is small, so its rounding costs < 0.3 ulp of the result.
    let half = a.fconst(0.5);
    let upper = a.fle(half, x);
    let one_minus = a.fsub(one, s.abs);
    let l1 = a.fselect(upper, zero, s.abs);
    let h1 = a.fselect(upper, one_minus, one);
    let l2 = a.fselect(neg, erx, zero);
    let one_minus_erx = a.fconst(1.0 - ERX);
    let h2 = a.fselect(neg, one, one_minus_erx);
    let l = a.fselect(s.mid, l2, l1);
    let h = a.fselect(s.mid, h2, h1);
    let b = a.fselect(s.mid, one, s.abs);
    let v = a.fma(b, s.r, l);
    let v = mulsign(a, v, x);
    let near = a.fsub(h, v);
    // Intervals 3–4: erfc(|x|), or 2 - erfc(|x|) for x < 0.
    let two = a.fconst(2.0);
    let reflected = a.fsub(two, s.erfc_tail);
    let far = a.fselect(neg, reflected, s.erfc_tail);
    a.fselect(s.tail, far, near)
}

/// `c[0]` where no mask holds, else the coefficient of the last interval
/// mask (they are nested: far ⊂ tail ⊂ mid) that holds.
fn pick<A: Arith>(a: &mut A, masks: [A::M; 3], c: [f64; 4]) -> A::F {
    let mut v = a.fconst(c[0]);
    for i in 1..4 {
        if c[i] != c[i - 1] {
            let ci = a.fconst(c[i]);
            v = a.fselect(masks[i - 1], ci, v);
        }
    }
    v
}

fn parts<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> Parts<A> {
    let tc = &TAIL_F64;
    let abs = a.fabs(x);
    let clamp = a.fconst(tc.clamp);
    let big = a.flt(clamp, abs);
    let abs = a.fselect(big, clamp, abs);

    let mid_bound = a.fconst(MID);
    let mid = a.fle(mid_bound, abs);
    let tail_bound = a.fconst(TAIL);
    let tail = a.fle(tail_bound, abs);
    let far_bound = a.fconst(FAR);
    let far = a.fle(far_bound, abs);
    let masks = [mid, tail, far];

    // The tail's t = 1/a² from inv = 1/a and its residual e = 1 - a·inv:
    // 1/a² = inv²·(1 + e)² ≈ inv²·(1 + 2e).
    let one = a.fconst(1.0);
    let inv = a.fdiv(one, abs);
    let neg_inv = a.fneg(inv);
    let e = a.fma(neg_inv, abs, one);
    let inv2 = a.fmul(inv, inv);
    let e2 = a.fadd(e, e);
    let t_tail = a.fma(inv2, e2, inv2);
    let sq_hi = a.fmul(abs, abs);
    let t_mid = a.fsub(abs, one);
    let t = a.fselect(mid, t_mid, sq_hi);
    let t = a.fselect(tail, t_tail, t);

    // R = P(t)/Q(t) with the lane's coefficients.
    let (num_c, den_c) = (&NUM_F64, &DEN_F64);
    let mut num = pick(a, masks, num_c[num_c.len() - 1]);
    for c in num_c.iter().rev().skip(1) {
        let c = pick(a, masks, *c);
        num = a.fma(num, t, c);
    }
    let mut den = pick(a, masks, den_c[den_c.len() - 1]);
    for c in den_c.iter().rev().skip(1) {
        let c = pick(a, masks, *c);
        den = a.fma(den, t, c);
    }
    let den_hi = a.fma(den, t, one);
    let r = a.fdiv(num, den_hi);
    // In intervals 1–2, Q ≈ 1 and its last rounding alone cost 0.6 ulp of
    // R, which erfc's 1 - ERX - R (f64, x → 1.25) passes on in full: with
    // Q's rounding error q_lo (exact, by one more fma),
    // R ≈ r·(1 - q_lo/Q) ≈ r - r·q_lo. The tail intervals (Q large) skip it.
    let one_minus_den = a.fsub(one, den_hi);
    let q_lo = a.fma(den, t, one_minus_den);
    let zero = a.fconst(0.0);
    let q_lo = a.fselect(tail, zero, q_lo);
    let neg_r = a.fneg(r);
    let r = a.fma(neg_r, q_lo, r);
    // Interval 1's t = a² was rounded; R(a²) ≈ R(t) + R'·(a² - t), with
    // R' ≈ -0.26 where it matters (a > 1/2, where erfc = (1 - a) - a·R
    // cancels). Removes up to 0.45 ulp from erfc there.
    let neg_sq_hi = a.fneg(sq_hi);
    let sq_lo = a.fma(abs, abs, neg_sq_hi);
    let slope = pick(a, masks, [-0.26, 0.0, 0.0, 0.0]);
    let r = a.fma(slope, sq_lo, r);

    // erfc(a) = e^W / a, W = -a² - 0.5625 + R (see the module comment).
    let bias = a.fconst(0.5625);
    let w = a.fsub(r, bias);
    let w = a.fsub(w, sq_hi);
    let log2e = a.fconst(LOG2_E);
    let w = a.fmul(w, log2e);
    let (kf, k) = round_to_int(a, w);
    let neg_ln2_hi = a.fconst(-tc.ln2_hi);
    let head = a.fma(kf, neg_ln2_hi, neg_sq_hi);
    let head = a.fsub(head, bias);
    let low = a.fsub(r, sq_lo);
    let low = a.fadd(low, e);
    let neg_ln2_lo = a.fconst(-tc.ln2_lo);
    let low = a.fma(kf, neg_ln2_lo, low);
    let red = a.fadd(head, low);
    let red2 = a.fmul(red, red);
    let q = horner(a, red, tc.exp_q);
    let small = a.fma(red2, q, low);
    let big_part = a.fadd(one, head);
    // head and 1 + head are exact (the head is a multiple of ulp(a²) ≥
    // 2^-52 below 2).
    // inv·2^(k + offset) is exact and normal: k ≥ -1132 (f64) / -176 (f32).
    let offset = a.iconst(tc.offset);
    let k_off = a.iadd(k, offset);
    let scale_hi = exp2_int(a, k_off);
    let inv_s = a.fmul(inv, scale_hi);
    let small_s = a.fmul(small, inv_s);
    let y = a.fma(big_part, inv_s, small_s);
    let scale_lo = a.fconst(f64::powi(2.0, -tc.offset as i32));
    let erfc_tail = a.fmul(y, scale_lo);

    Parts {
        abs,
        mid,
        tail,
        r,
        erfc_tail,
    }
}

/// f32 erf on |x| < 1: erf(x) = x + x·R(x²), R ≈ erf(x)/x - 1, relative
/// fit error 2^-29.4 (precise, degree 6), 2^-24.6 (fast, degree 5).
const ERF_SMALL_F32: [f64; 7] = [
    0.12837916612625122,
    -0.3761262595653534,
    0.11283578723669052,
    -0.026853347197175026,
    0.005187162198126316,
    -0.0007997853099368513,
    7.806903158780187e-05,
];
const ERF_SMALL_F32_FAST: [f64; 6] = [
    0.12837912142276764,
    -0.37612324953079224,
    0.11280175298452377,
    -0.026711227372288704,
    0.004917483776807785,
    -0.0005631216336041689,
];
/// f32 erf on 1 ≤ |x| ≤ 3.92 directly, as a polynomial in u = |x| - C.
/// u is exact (a multiple of 2^-23 below 2 in magnitude), and erf(C) is
/// within 0.02 ulp of the constant term. Absolute error of the fit 2^-27.1
/// (precise, degree 14), 2^-24.9 (fast, degree 13); in f32 arithmetic the
/// evaluation adds up to ~0.3 ulp (terms c_k·u^k partly cancel).
const ERF_LARGE_CENTER_F32: f64 = 2.4375;
const ERF_LARGE_F32: [f64; 15] = [
    0.9994334578514099,
    0.0029656889382749796,
    -0.007229111157357693,
    0.010759777389466763,
    -0.010701572522521019,
    0.007200886029750109,
    -0.003004368394613266,
    0.00038944187690503895,
    0.00041857556789182127,
    -0.00031574690365232527,
    6.886562914587557e-05,
    2.931195376731921e-05,
    -1.720455475151539e-05,
    -2.395029525814607e-07,
    1.078758714356809e-06,
];
const ERF_LARGE_F32_FAST: [f64; 14] = [
    0.9994334578514099,
    0.0029657059349119663,
    -0.007229945156723261,
    0.010759509168565273,
    -0.01069395150989294,
    0.007202232722193003,
    -0.003027532948181033,
    0.00038663690793327987,
    0.0004509311693254858,
    -0.00031302246497944,
    4.601874388754368e-05,
    2.8083961296943016e-05,
    -9.26691518543521e-06,
    -3.2080553324931316e-08,
];
/// erf(x) rounds to 1 in f32 above this (erfc(3.92) < 2^-26).
const ERF_ONE_F32: f64 = 3.92;
/// Where the direct polynomial takes over.
const ERF_SPLIT_F32: f64 = 1.0;

/// f32 erf: two polynomials, both evaluated, one select. No division, no
/// exponential: erf needs only absolute accuracy 2^-25 above |x| = 1.
fn erf_f32<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let (small_c, large_c): (&[f64], &[f64]) = match p {
        Precision::Precise => (&ERF_SMALL_F32, &ERF_LARGE_F32),
        Precision::Fast => (&ERF_SMALL_F32_FAST, &ERF_LARGE_F32_FAST),
    };
    let abs = a.fabs(x);
    // |x| < 1: x + x·R(x²) is odd by construction (±0 and NaN pass).
    let sq = a.fmul(x, x);
    let r = horner(a, sq, small_c);
    let small = a.fma(x, r, x);
    // 1 ≤ |x|: the direct polynomial on |x|, 1 beyond 3.92, sign of x.
    let center = a.fconst(ERF_LARGE_CENTER_F32);
    let u = a.fsub(abs, center);
    let large = horner(a, u, large_c);
    let one = a.fconst(1.0);
    let split = a.fconst(ERF_SPLIT_F32);
    let sat_bound = a.fconst(ERF_ONE_F32);
    let saturated = a.flt(sat_bound, abs);
    let large = a.fselect(saturated, one, large);
    let large = mulsign(a, large, x);
    let is_large = a.fle(split, abs);
    a.fselect(is_large, large, small)
}

/// f32 erfc tail: g(u) = ln(a·erfc(a)) + a² + 0.5625 in v = 1/a - C on
/// 0.84375 ≤ a ≤ 10.06 (absolute error 2^-26.8, degree 12).
const ERFC_TAIL_CENTER_F32: f64 = 0.640625;
const ERFC_TAIL_F32: [f64; 13] = [
    -0.15731212496757507,
    -0.35242217779159546,
    -0.058047473430633545,
    0.12518104910850525,
    -0.10706890374422073,
    0.06128440424799919,
    -0.0122064258903265,
    -0.02175167016685009,
    0.043643396347761154,
    -0.08369022607803345,
    0.0787295326590538,
    0.04376843199133873,
    -0.08416949212551117,
];

/// f32 erfc: |x| < 0.84375 as H - (L + x·R(x²)) with erf's small
/// polynomial; beyond, erfc(|x|) = e^W / |x|, W = -x² - 0.5625 + g(1/|x|),
/// one polynomial (no coefficient selects), and 2 - erfc(|x|) for x < 0.
fn erfc_f32<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    // Fast shares this code: erf's shorter polynomial cost erfc 3 ulp near
    // 0.84 (relative error of a cancelling difference) to save one fma.
    let _ = p;
    let small_c: &[f64] = &ERF_SMALL_F32;
    let tc = &TAIL_F32;
    let one = a.fconst(1.0);
    let abs = a.fabs(x);
    let clamp = a.fconst(tc.clamp);
    let big = a.flt(clamp, abs);
    let abs = a.fselect(big, clamp, abs);

    // Near zero: erf(x) = x + x·R(s), s = x² rounded; R(x²) ≈ R(s) +
    // R'·(x² - s) with R' ≈ -0.26 where erfc cancels (x > 1/2).
    let sq_hi = a.fmul(abs, abs);
    let r = horner(a, sq_hi, small_c);
    let neg_sq_hi = a.fneg(sq_hi);
    let sq_lo = a.fma(abs, abs, neg_sq_hi);
    let slope = a.fconst(-0.26);
    let r = a.fma(slope, sq_lo, r);
    // erfc = H - (L + x·R): (1, x) below 1/4, else (1/2, x - 1/2) (exact).
    let quarter = a.fconst(0.25);
    let above_quarter = a.fle(quarter, x);
    let half = a.fconst(0.5);
    let x_half = a.fsub(x, half);
    let h = a.fselect(above_quarter, half, one);
    let l = a.fselect(above_quarter, x_half, x);
    // Above 0.625 erf(x) - 1/2 > 1/8 would round by up to an ulp of erfc:
    // (1/4, x - 3/4) keeps L + x·R small there.
    let upper_bound = a.fconst(0.625);
    let upper = a.fle(upper_bound, x);
    let three_quarters = a.fconst(0.75);
    let x_3q = a.fsub(x, three_quarters);
    let h = a.fselect(upper, quarter, h);
    let l = a.fselect(upper, x_3q, l);
    let v = a.fma(x, r, l);
    let near = a.fsub(h, v);

    // Tail: inv = 1/a with residual e = 1 - a·inv, so 1/a = inv·(1 + e);
    // the polynomial's variable gets the correction too.
    let inv = a.fdiv(one, abs);
    let neg_inv = a.fneg(inv);
    let e = a.fma(neg_inv, abs, one);
    let center = a.fconst(ERFC_TAIL_CENTER_F32);
    let shifted = a.fsub(inv, center);
    let var = a.fma(inv, e, shifted);
    let r = horner(a, var, &ERFC_TAIL_F32);

    // e^W / a as in `parts` (head exact but for f32's a² < 1 terms).
    let bias = a.fconst(0.5625);
    let w = a.fsub(r, bias);
    let w = a.fsub(w, sq_hi);
    let log2e = a.fconst(LOG2_E);
    let w = a.fmul(w, log2e);
    let (kf, k) = round_to_int(a, w);
    let neg_ln2_hi = a.fconst(-tc.ln2_hi);
    let head = a.fma(kf, neg_ln2_hi, neg_sq_hi);
    let head = a.fsub(head, bias);
    let low = a.fsub(r, sq_lo);
    let low = a.fadd(low, e);
    let neg_ln2_lo = a.fconst(-tc.ln2_lo);
    let low = a.fma(kf, neg_ln2_lo, low);
    let red = a.fadd(head, low);
    let red2 = a.fmul(red, red);
    let q = horner(a, red, tc.exp_q);
    let small = a.fma(red2, q, low);
    let big_part = a.fadd(one, head);
    let k_ln2 = a.fmul(kf, neg_ln2_hi);
    let head0 = a.fsub(k_ln2, sq_hi);
    let back = a.fsub(head0, k_ln2);
    let err0 = a.fsub(neg_sq_hi, back);
    let one_minus_big = a.fsub(one, big_part);
    let err1 = a.fadd(one_minus_big, head);
    let head_err = a.fadd(err0, err1);
    let offset = a.iconst(tc.offset);
    let k_off = a.iadd(k, offset);
    let scale_hi = exp2_int(a, k_off);
    let inv_s = a.fmul(inv, scale_hi);
    let err_s = a.fmul(head_err, inv_s);
    let small_s = a.fma(small, inv_s, err_s);
    let y = a.fma(big_part, inv_s, small_s);
    let scale_lo = a.fconst(f64::powi(2.0, -tc.offset as i32));
    let tail = a.fmul(y, scale_lo);

    let zero = a.fconst(0.0);
    let neg = a.flt(x, zero);
    let two = a.fconst(2.0);
    let reflected = a.fsub(two, tail);
    let far = a.fselect(neg, reflected, tail);
    let mid = a.fconst(MID);
    let is_tail = a.fle(mid, abs);
    a.fselect(is_tail, far, near)
}
