//! The error function erf and its complement erfc.
//!
//! fdlibm's method (s_erf.c), made branch-free. On a = |x| there are four
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
//! Measured (tests in vmathdev/erf): f64 erf ≤ 0.71 ulp, erfc ≤ 1.67 ulp
//! (worst in interval 2, x → 1.25, where erfc = (1 - ERX) - R cancels);
//! f32 erf ≤ 0.83 ulp, erfc ≤ 1.64 ulp.
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

/// f32: intervals 1 and 2 have their own polynomials (Q = 1), fitted for
/// f32 with coefficients rounded one by one: interval 1 erf(a)/a - 1 in a²
/// (|δ| < 2^-29.9); interval 2 is in the tail form for f32, its R the
/// g(a) = ln(a·erfc(a)) + a² + 0.5625 in a - 1 (|δ| < 2^-26.5). fdlibm's
/// coefficients, rounded to f32, were not accurate enough there (erfc near
/// 0.84 and 1.24 reached 2.3 ulp). Intervals 3–4 keep fdlibm's ra/sa, rb/sb.
const NUM_F32: [[f64; 4]; 8] = [
    [
        0.12837916612625122,
        -0.2871055006980896,
        NUM_F64[0][2],
        NUM_F64[0][3],
    ],
    [
        -0.37612634897232056,
        0.3610325753688812,
        NUM_F64[1][2],
        NUM_F64[1][3],
    ],
    [
        0.11283731460571289,
        -0.3431095778942108,
        NUM_F64[2][2],
        NUM_F64[2][3],
    ],
    [
        -0.026861924678087234,
        0.29175060987472534,
        NUM_F64[3][2],
        NUM_F64[3][3],
    ],
    [
        0.00520833395421505,
        -0.23977892100811005,
        NUM_F64[4][2],
        NUM_F64[4][3],
    ],
    [
        -0.000823651032987982,
        0.19933606684207916,
        NUM_F64[5][2],
        NUM_F64[5][3],
    ],
    [
        8.813833846943453e-05,
        -0.17391055822372437,
        NUM_F64[6][2],
        NUM_F64[6][3],
    ],
    [0.0, 0.12166348099708557, NUM_F64[7][2], NUM_F64[7][3]],
];
const DEN_F32: [[f64; 4]; 8] = [
    [0.0, 0.0, DEN_F64[0][2], DEN_F64[0][3]],
    [0.0, 0.0, DEN_F64[1][2], DEN_F64[1][3]],
    [0.0, 0.0, DEN_F64[2][2], DEN_F64[2][3]],
    [0.0, 0.0, DEN_F64[3][2], DEN_F64[3][3]],
    [0.0, 0.0, DEN_F64[4][2], DEN_F64[4][3]],
    [0.0, 0.0, DEN_F64[5][2], DEN_F64[5][3]],
    [0.0, 0.0, DEN_F64[6][2], DEN_F64[6][3]],
    [0.0, 0.0, DEN_F64[7][2], DEN_F64[7][3]],
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
    let tc = if a.is_f64() { &TAIL_F64 } else { &TAIL_F32 };
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
    let (num_c, den_c) = if a.is_f64() {
        (&NUM_F64, &DEN_F64)
    } else {
        (&NUM_F32, &DEN_F32)
    };
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
    // f64: head and 1 + head are exact (the head is a multiple of
    // ulp(a²) ≥ 2^-52 below 2). f32's interval 2 has a² < 1, where neither
    // need be: their rounding errors go to the small part.
    let head_err = if a.is_f64() {
        None
    } else {
        let k_ln2 = a.fmul(kf, neg_ln2_hi); // exact: 15 × 8 bits
        let head0 = a.fsub(k_ln2, sq_hi); // |k·ln2| > a²: Fast2Sum
        let back = a.fsub(head0, k_ln2);
        let err0 = a.fsub(neg_sq_hi, back);
        let one_minus_big = a.fsub(one, big_part);
        let err1 = a.fadd(one_minus_big, head);
        Some(a.fadd(err0, err1))
    };
    // inv·2^(k + offset) is exact and normal: k ≥ -1132 (f64) / -176 (f32).
    let offset = a.iconst(tc.offset);
    let k_off = a.iadd(k, offset);
    let scale_hi = exp2_int(a, k_off);
    let inv_s = a.fmul(inv, scale_hi);
    let small_s = match head_err {
        None => a.fmul(small, inv_s),
        Some(err) => {
            let err_s = a.fmul(err, inv_s);
            a.fma(small, inv_s, err_s)
        }
    };
    let y = a.fma(big_part, inv_s, small_s);
    let scale_lo = a.fconst(f64::powi(2.0, -tc.offset as i32));
    let erfc_tail = a.fmul(y, scale_lo);

    // f32 uses the tail form from interval 2 on (see NUM_F32).
    let tail = if a.is_f64() { tail } else { mid };
    Parts {
        abs,
        mid,
        tail,
        r,
        erfc_tail,
    }
}
