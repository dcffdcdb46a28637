//! Correctly rounded references and ulp errors for the maths builtins.
//!
//! - f64: dashu-float (`FBig<HalfEven, 2>`). dashu 0.6.2's transcendentals
//!   run a Ziv loop (a certified error radius, retried at more guard bits
//!   until the rounding is decided), so each result is correctly rounded to
//!   [`PRECISION`] bits however much the evaluation cancels (expm1 near 0,
//!   sin near kπ, huge trig arguments). 80 bits resolve the f64 ulp error
//!   to 2^-27 ulp; `oracle_self_check` compares with 200 bits. erf and erfc
//!   (which dashu lacks) come from `erf_oracle.rs`.
//! - f32: the f64 result of Rust std (the libm crate for erf/erfc) on the
//!   widened input. Its error (< 2 f64 ulp, checked by
//!   `oracle_self_check`) is < 2^-28 f32 ulp.
//!
//! Where the exact value lies beyond the f64 range, or within 2^-60 ulp of
//! a saturation value (tanh → ±1, erfc → 0, exp → 0, ...), the oracle
//! returns a stand-in number on the same side of the saturation value and
//! at least as close to it as the true value is. The measured error is
//! then exact to far better than the 2^-27 resolution, and dashu is spared
//! exponents like e^(10^300).

use std::cell::RefCell;
use std::sync::OnceLock;

use dashu_float::round::mode::HalfEven;
use dashu_float::{ConstCache, Context, FBig};
use kjit::ir::Builtin;

use crate::erf_oracle;

pub type Big = FBig<HalfEven, 2>;

/// Bits of the f64 reference: 2^-80 relative is 2^-27 f64 ulp.
pub const PRECISION: usize = 80;

thread_local! {
    /// π, ln 2, ln 10 to the precision last needed, per thread (computing
    /// π to 1100 bits for every `sin(1e300)` would dominate the run).
    static CONSTANTS: RefCell<ConstCache> = const { RefCell::new(ConstCache::new()) };
}

/// π, ln 2 and ln 10 to 1300 bits, computed once (enough for the
/// reduction of the largest f64, 2^1024, by π/2 with 200 bits to spare),
/// and rounded to each precision once per thread.
fn constant(which: usize, precision: usize) -> Big {
    static VALUES: OnceLock<[Big; 3]> = OnceLock::new();
    thread_local! {
        static ROUNDED: RefCell<Vec<(usize, usize, Big)>> = const { RefCell::new(Vec::new()) };
    }
    ROUNDED.with(|rounded| {
        let mut rounded = rounded.borrow_mut();
        if let Some((_, _, v)) = rounded
            .iter()
            .find(|(w, p, _)| *w == which && *p == precision)
        {
            return v.clone();
        }
        let values = VALUES.get_or_init(|| {
            let mut cache = ConstCache::new();
            [
                cache.pi::<2, HalfEven>(1300).value(),
                cache.ln2::<2, HalfEven>(1300),
                cache.ln10::<2, HalfEven>(1300),
            ]
        });
        let v = values[which].clone().with_precision(precision).value();
        rounded.push((which, precision, v.clone()));
        v
    })
}

fn pi(precision: usize) -> Big {
    constant(0, precision)
}

fn ln2(precision: usize) -> Big {
    constant(1, precision)
}

fn ln10(precision: usize) -> Big {
    constant(2, precision)
}

/// Bits the derived references (log2 = ln/ln 2, ...) carry beyond
/// [`PRECISION`] in their constants and intermediate roundings, so that
/// their error stays ≈ 2^-PRECISION relative.
const EXTRA: usize = 60;

/// `x` exactly, carrying `precision` for the operations it enters.
pub fn big(x: f64, precision: usize) -> Big {
    Big::try_from(x)
        .expect("finite")
        .with_precision(precision)
        .value()
}

/// ±2^e exactly.
pub fn pow2(e: isize, negative: bool, precision: usize) -> Big {
    let m = if negative { -1 } else { 1 };
    Big::from_parts(m.into(), e)
        .with_precision(precision)
        .value()
}

/// ±(1 - 2^-e): a stand-in for values within 2^-e of ±1, below it in
/// magnitude.
fn one_minus(e: isize, negative: bool, precision: usize) -> Big {
    let v = pow2(0, false, precision) - pow2(-e, false, precision);
    if negative {
        -v
    } else {
        v
    }
}

/// A number beyond the f64 range ("overflows"), with `x`'s sign.
fn huge(negative: bool) -> Big {
    pow2(1100, negative, PRECISION)
}

/// A number far below the smallest subnormal ("underflows").
fn tiny(negative: bool) -> Big {
    pow2(-1200, negative, PRECISION)
}

/// Runs a dashu context operation at `precision` with this thread's
/// constant cache.
fn with_context(
    precision: usize,
    f: impl FnOnce(&Context<HalfEven>, &mut ConstCache) -> dashu_float::FpResult<Big>,
) -> Big {
    CONSTANTS.with(|cache| {
        let context = Context::<HalfEven>::new(precision);
        f(&context, &mut cache.borrow_mut())
            .expect("oracle: dashu rejected an in-domain input")
            .value()
    })
}

/// Exact `fun(x, y)` to `precision` bits (or a stand-in as the module doc
/// says), for finite inputs, x ≠ 0 (y ≠ 0 for binary functions), inside the
/// domain: the test handles special inputs, domain errors and poles before.
pub fn exact64(fun: Builtin, x: f64, y: f64, precision: usize) -> Big {
    use Builtin::*;
    let neg = x < 0.0;
    let xb = big(x, precision);
    let r = xb.repr();
    let run = |f: &dyn Fn(&Context<HalfEven>, &mut ConstCache) -> dashu_float::FpResult<Big>| {
        with_context(precision, f)
    };
    match fun {
        Exp if x > 710.0 => huge(false),
        Exp if x < -1100.0 => tiny(false),
        Exp => run(&|c, k| c.exp(r, Some(k))),
        Exp2 if x > 1025.0 => huge(false),
        Exp2 if x < -1200.0 => tiny(false),
        Exp2 => exp2(x, precision),
        Expm1 if x > 710.0 => huge(false),
        // e^x < 2^-144: -1 + e^x is within 2^-91 ulp of -(1 - 2^-140).
        Expm1 if x < -100.0 => one_minus(140, true, precision),
        Expm1 => run(&|c, k| c.exp_m1(r, Some(k))),
        Log => ln(x, precision),
        Log2 => log2(x, precision),
        Log10 => round(
            ln(x, precision + EXTRA) / ln10(precision + EXTRA),
            precision,
        ),
        Log1p => log1p(x, precision),
        Pow => pow(x, y, precision),
        Sin | Cos | Tan if x.abs() >= 2f64.powi(20) => trig_reduced(fun, x, precision),
        Sin => run(&|c, k| c.sin(r, Some(k))),
        Cos => run(&|c, k| c.cos(r, Some(k))),
        Tan => run(&|c, k| c.tan(r, Some(k))),
        Asin => run(&|c, k| c.asin(r, Some(k))),
        Acos => run(&|c, k| c.acos(r, Some(k))),
        Atan => run(&|c, k| c.atan(r, Some(k))),
        // The first argument is the numerator: atan2(x, y) = arg(y + ix).
        Atan2 => atan2(x, y, precision),
        Sinh | Cosh if x.abs() > 711.0 => huge(neg && fun == Sinh),
        Sinh => run(&|c, k| c.sinh(r, Some(k))),
        Cosh => run(&|c, k| c.cosh(r, Some(k))),
        // 1 - tanh|x| = 2/(e^(2|x|) + 1) < 2^-114 for |x| > 40.
        Tanh if x.abs() > 40.0 => one_minus(200, neg, precision),
        Tanh => run(&|c, k| c.tanh(r, Some(k))),
        Erf => erf_oracle::erf(x, precision),
        Erfc => erf_oracle::erfc(x, precision),
        Cbrt => run(&|c, _| c.cbrt(r)),
        Hypot => hypot(x, y, precision),
        _ => panic!("{fun:?} is not a vmath builtin"),
    }
}

/// sqrt(x² + y²): the sum to `precision + 2·EXTRA` bits (its rounding error
/// is far below the final rounding), then a correctly rounded sqrt.
fn hypot(x: f64, y: f64, precision: usize) -> Big {
    let wide = precision + 2 * EXTRA;
    let (xb, yb) = (big(x, wide), big(y, wide));
    let sum = &xb * &xb + &yb * &yb;
    with_context(precision, |c, _| c.sqrt(sum.repr()))
}

fn round(b: Big, precision: usize) -> Big {
    b.with_precision(precision).value()
}

/// u = m·2^k with m within rounding of [√½, √2), for u > 0 (k from the
/// f64 nearest u; m exact).
fn split_exponent(u: &Big) -> (Big, i32) {
    let approx = u.to_f64().value().min(f64::MAX);
    let approx = if approx == 0.0 {
        f64::from_bits(1)
    } else {
        approx
    };
    let (approx, bias) = if approx < f64::MIN_POSITIVE {
        (approx * 2f64.powi(64), -64)
    } else {
        (approx, 0)
    };
    let mut k = ((approx.to_bits() >> 52) & 0x7ff) as i32 - 1023 + bias;
    let m = f64::from_bits((approx.to_bits() & ((1 << 52) - 1)) | (1023 << 52));
    if m > std::f64::consts::SQRT_2 {
        k += 1;
    }
    let precision = u.precision();
    (u.clone() * pow2(-k as isize, false, precision), k)
}

/// ln m for m near 1 (|ln m| ≤ 0.36) as 2·atanh(s), s = (m - 1)/(m + 1),
/// |s| ≤ 0.18: dashu's ln costs 15–50 µs, this series 3–5. All terms have
/// s's sign, so the ≤ 30 roundings at 30 guard bits cost < 2^-23 relative
/// (`oracle_self_check` compares with dashu's ln at 200 bits).
fn ln_near_one(m: &Big, precision: usize) -> Big {
    let working = precision + 30;
    let m = round(m.clone(), working);
    let one = big(1.0, working);
    let s = (m.clone() - one.clone()) / (m + one);
    if s.repr().significand().is_zero() {
        return s;
    }
    let s2 = s.clone() * s.clone();
    let negligible =
        dashu_float::ops::Abs::abs(s.clone()) * pow2(-(working as isize), false, working);
    let mut power = s.clone();
    let mut sum = s;
    for n in 1u32.. {
        power *= s2.clone();
        let term = power.clone() / (2 * n + 1);
        sum += term.clone();
        if dashu_float::ops::Abs::abs(term) < negligible {
            break;
        }
    }
    round(sum * 2u8, precision)
}

/// ln u (u > 0, exact or to ≥ precision + EXTRA bits) = ln m + k·ln 2: the
/// terms cannot cancel (|ln m| < 0.36 < ln 2 ≤ |k ln 2|).
fn ln_big(u: &Big, precision: usize) -> Big {
    assert!(u.to_f64().value() > 0.0, "ln of a non-positive number");
    let (m, k) = split_exponent(u);
    let ln_m = ln_near_one(&m, precision + 8);
    let wide = precision + EXTRA;
    round(
        round(ln_m, wide) + big(k as f64, wide) * ln2(wide),
        precision,
    )
}

fn ln(x: f64, precision: usize) -> Big {
    ln_big(&big(x, precision + EXTRA), precision)
}

/// log2 x = k + ln m / ln 2: no cancellation for k ≠ 0 (|log2 m| ≤ ½),
/// and exact integers at powers of two.
fn log2(x: f64, precision: usize) -> Big {
    let wide = precision + EXTRA;
    let (m, k) = split_exponent(&big(x, wide));
    let ln_m = ln_near_one(&m, precision + 8);
    round(
        round(ln_m, wide) / ln2(wide) + big(k as f64, wide),
        precision,
    )
}

/// ln(1 + x): dashu's ln_1p near 0 (where it is fast and the sum 1 + x
/// would need many bits), else ln of 1 + x rounded to precision + EXTRA
/// bits: |ln(1 + x)| > 2^-21 there, so that rounding costs < 2^-(precision
/// + EXTRA - 21) relative.
fn log1p(x: f64, precision: usize) -> Big {
    if x.abs() < 2f64.powi(-20) {
        let t = big(x, precision);
        return with_context(precision, |c, cache| c.ln_1p(t.repr(), Some(cache)));
    }
    let wide = precision + EXTRA;
    ln_big(&round(big(1.0, wide) + big(x, wide), wide), precision)
}

/// 2^x = 2^k · e^(f·ln 2) with x = k + f, k = round(x) (f exact): dashu's
/// powf(2, x) costs four times its exp. The argument f·ln 2 carries a
/// relative error of 2^-(precision + EXTRA), the result as much.
fn exp2(x: f64, precision: usize) -> Big {
    let k = x.round();
    let f = x - k;
    let wide = precision + EXTRA;
    let arg = big(f, wide) * ln2(wide);
    let e = with_context(precision, |c, cache| c.exp(arg.repr(), Some(cache)));
    e * pow2(k as isize, false, precision)
}

/// atan2(y, x) = atan(y/x), plus ±π for x < 0 (where |result| ≥ π/2, so
/// adding π cannot cancel): dashu's atan2 costs three times its atan.
fn atan2(y: f64, x: f64, precision: usize) -> Big {
    let wide = precision + EXTRA;
    let ratio = round(big(y, wide) / big(x, wide), precision + 30);
    let a = with_context(precision + 8, |c, cache| c.atan(ratio.repr(), Some(cache)));
    if x > 0.0 {
        round(a, precision)
    } else if y > 0.0 {
        round(round(a, wide) + pi(wide), precision)
    } else {
        round(round(a, wide) - pi(wide), precision)
    }
}

/// sin, cos, tan of |x| ≥ 2^20 by an explicit reduction x = k·π/2 + r:
/// dashu would run its series at the reduction's precision (≈ 1100 bits
/// for x ≈ 1e300). π/2 carries e + precision + 2·EXTRA + 10 bits
/// (|x| < 2^(e+1)), so r is off by < 2^-(precision + 2·EXTRA + 7)
/// absolutely; no double is within 2^-61 of a multiple of π/2 (the
/// closest, 6381956970095103·2^797, is asserted > 2^-64 here), so r is
/// accurate to 2^-(precision + EXTRA) relative, and sin r, cos r
/// (|r| ≤ π/4) as well.
fn trig_reduced(fun: Builtin, x: f64, precision: usize) -> Big {
    let e = x.abs().log2().floor() as usize;
    let reduction = e + precision + 2 * EXTRA + 10;
    let half_pi = pi(reduction) / 2u8;
    let xb = big(x, reduction);
    let k = (xb.clone() / half_pi.clone()).round();
    let r = xb - k.clone() * half_pi;
    let margin = pow2(-64, false, precision);
    assert!(
        dashu_float::ops::Abs::abs(r.clone()) > margin,
        "oracle: {x:e} closer to a multiple of π/2 than the reduction resolves"
    );
    let quadrant = (k.clone() - (k / 4u8).floor() * 4u8).to_f64().value() as u8;
    let r = round(r, precision + EXTRA);
    let sin = || with_context(precision + 8, |c, cache| c.sin(r.repr(), Some(cache)));
    let cos = || with_context(precision + 8, |c, cache| c.cos(r.repr(), Some(cache)));
    let tan = || with_context(precision + 8, |c, cache| c.tan(r.repr(), Some(cache)));
    let v = match (fun, quadrant) {
        (Builtin::Sin, 0) | (Builtin::Cos, 3) => sin(),
        (Builtin::Sin, 1) | (Builtin::Cos, 0) => cos(),
        (Builtin::Sin, 2) | (Builtin::Cos, 1) => -sin(),
        (Builtin::Sin, _) | (Builtin::Cos, _) => -cos(),
        (_, 0 | 2) => tan(),
        _ => -(big(1.0, precision + EXTRA) / tan()),
    };
    round(v, precision)
}

/// Exact x^y for finite x ≠ 0, y ≠ 0, x < 0 only with integer y: |x|^y
/// with the sign of x for odd y. Beyond |y·ln x| ≈ 720 the result
/// overflows or underflows by a wide margin (stand-ins).
fn pow(x: f64, y: f64, precision: usize) -> Big {
    let odd = y.trunc() == y && y.abs() < 2f64.powi(53) && (y as i64) % 2 != 0;
    let negative = x < 0.0 && odd;
    let w = y * x.abs().ln();
    if w > 720.0 {
        return huge(negative);
    }
    if w < -760.0 {
        return tiny(negative);
    }
    let base = big(x.abs(), precision);
    let exponent = big(y, precision);
    let v = with_context(precision, |c, k| {
        c.powf(base.repr(), exponent.repr(), Some(k))
    });
    if negative {
        -v
    } else {
        v
    }
}

/// `fun(x, y)` in f64 by Rust std (libm for erf and erfc): the f32
/// reference, and the expected value of special inputs.
pub fn std64(fun: Builtin, x: f64, y: f64) -> f64 {
    use Builtin::*;
    match fun {
        Exp => x.exp(),
        Exp2 => x.exp2(),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log2 => x.log2(),
        Log10 => x.log10(),
        Log1p => x.ln_1p(),
        Pow => x.powf(y),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Atan2 => x.atan2(y),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Erf => libm::erf(x),
        Erfc => libm::erfc(x),
        Cbrt => x.cbrt(),
        Hypot => x.hypot(y),
        _ => panic!("{fun:?} is not a vmath builtin"),
    }
}

/// Exponent of the leading bit of `b` (≠ 0): 2^e ≤ |b| < 2^(e+1).
fn exponent(b: &Big) -> isize {
    let r = b.repr();
    r.exponent() + r.digits() as isize - 1
}

/// `got`'s error in ulps of the exact value (the f64 spacing at |exact|,
/// 2^-1074 below 2^-1022). An infinite `got` counts as ±2^1024, unless
/// `exact` rounds to that same infinity (then the error is 0). NaN `got`:
/// infinite error. `exact` must be nonzero.
pub fn ulp_error64(got: f64, exact: &Big) -> f64 {
    let rounded = exact.to_f64().value();
    if got.is_nan() {
        return f64::INFINITY;
    }
    if rounded.is_infinite() && got == rounded {
        return 0.0;
    }
    let got_big = if got.is_infinite() {
        pow2(1024, got < 0.0, PRECISION)
    } else {
        big(got, PRECISION)
    };
    let ulp_exponent = exponent(exact).max(-1022) - 52;
    let diff = (got_big - exact.clone()) * pow2(-ulp_exponent, false, PRECISION);
    diff.to_f64().value().abs()
}

/// `got`'s error in f32 ulps of `reference` (an f64 approximation of the
/// exact value). Infinities as in [`ulp_error64`], with 2^128.
pub fn ulp_error32(got: f32, reference: f64) -> f64 {
    let rounded = reference as f32;
    if got.is_nan() || reference.is_nan() {
        return if got.is_nan() && reference.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if rounded.is_infinite() && got == rounded {
        return 0.0;
    }
    let got = if got.is_infinite() {
        2f64.powi(128).copysign(got as f64)
    } else {
        got as f64
    };
    let a = reference.abs();
    let ulp_exponent = if a < f32::MIN_POSITIVE as f64 {
        -149
    } else {
        ((a.to_bits() >> 52) as i32 - 1023) - 23
    };
    ((got - reference) * 2f64.powi(-ulp_exponent)).abs()
}

/// `fun(x, y)` by dashu's own function where [`exact64`] derives it (ln,
/// log2, log10, log1p, exp2, atan2, sin, cos, tan), else by [`exact64`]:
/// the independent route `oracle_self_check` compares with.
pub fn native64(fun: Builtin, x: f64, y: f64, precision: usize) -> Big {
    use Builtin::*;
    let xb = big(x, precision);
    let r = xb.repr();
    let run = |f: &dyn Fn(&Context<HalfEven>, &mut ConstCache) -> dashu_float::FpResult<Big>| {
        with_context(precision, f)
    };
    match fun {
        Log => run(&|c, k| c.ln(r, Some(k))),
        Log2 => run(&|c, k| c.log2(r, Some(k))),
        Log10 => run(&|c, k| c.log10(r, Some(k))),
        Log1p => run(&|c, k| c.ln_1p(r, Some(k))),
        Exp2 if x.abs() < 1000.0 => {
            let two = big(2.0, precision);
            run(&|c, k| c.powf(two.repr(), r, Some(k)))
        }
        Atan2 => {
            let other = big(y, precision);
            run(&|c, k| c.atan2(r, other.repr(), Some(k)))
        }
        Sin => run(&|c, k| c.sin(r, Some(k))),
        Cos => run(&|c, k| c.cos(r, Some(k))),
        Tan => run(&|c, k| c.tan(r, Some(k))),
        _ => exact64(fun, x, y, precision),
    }
}

/// |a - b| in ulps of b (b ≠ 0).
pub fn ulp_distance(a: &Big, b: &Big) -> f64 {
    let ulp_exponent = exponent(b).max(-1022) - 52;
    let wide = PRECISION + 2 * EXTRA;
    let diff = (round(a.clone(), wide) - round(b.clone(), wide)) * pow2(-ulp_exponent, false, wide);
    dashu_float::ops::Abs::abs(diff).to_f64().value()
}
