//! Logarithms: log, log2, log10, log1p.
//!
//! All four share fdlibm's method. The argument is split as 2^k·m with m in
//! [√2/2, √2) by integer operations on its bits, and with f = m - 1 and
//! s = f/(2+f) (so |s| ≤ 3 - 2√2 ≈ 0.1716),
//!
//! ```text
//! ln(1+f) = 2·atanh(s) = f - f²/2 + s·(f²/2 + R(s²)),   R(z) = 2z/3 + 2z²/5 + …
//! ```
//!
//! where R is a minimax polynomial (fdlibm's `Lg1…Lg7` in f64, the `logf`
//! set `Lg1…Lg4` in f32). Then log_b(x) = k·log_b(2) + ln(1+f)·log_b(e).
//!
//! [`Precision::Precise`] keeps ln(1+f) as an unevaluated sum hi + lo
//! (hi = f - f²/2 rounded, lo its exact rounding error plus the small
//! terms), multiplies it by log_b(e) with the product's error recovered by
//! an fma, adds k·log_b(2) from a constant split so that k·HI is exact, and
//! compensates the sum of the two large terms (Fast2Sum: |k·log_b 2| ≥
//! 2·|log_b m| whenever k ≠ 0). Only the last addition rounds at full
//! weight, so every base stays near 0.5 ulp.
//!
//! [`Precision::Fast`] evaluates ln(1+f) in one float as fdlibm does and
//! adds k·log_b(2) with one fma: ~10 fewer operations (of ~50), at most
//! about 2 ulp (measured bounds on each function).

// Coefficients and split constants keep every digit they were fitted or
// published with; a π-like constant here is a deliberate split, not π.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use super::util::{exponent_bias, fast_two_sum, horner, mantissa_bits};
use super::{Arith, Precision};

/// R(z)/z for f64: fdlibm's `Lg1…Lg7` (|error of R| < 2^-58.45).
const LG_F64: [f64; 7] = [
    6.666_666_666_666_735_130e-01,
    3.999_999_999_940_941_908e-01,
    2.857_142_874_366_239_149e-01,
    2.222_219_843_214_978_396e-01,
    1.818_357_216_161_805_012e-01,
    1.531_383_769_920_937_332e-01,
    1.479_819_860_511_658_591e-01,
];

/// R(z)/z for f32: fdlibm's `logf` coefficients (0xaaaaaa.0p-24,
/// 0xccce13.0p-25, 0x91e9ee.0p-25, 0xf89e26.0p-26; |error| < 2^-34.24).
const LG_F32: [f64; 4] = [
    0.666_666_626_930_236_8,
    0.400_009_721_517_562_87,
    0.284_987_866_878_509_5,
    0.242_790_788_412_094_12,
];

/// The base of a logarithm.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    E,
    Two,
    Ten,
}

impl Base {
    /// log_b(2) = HI + LO, HI short enough that k·HI is exact for every
    /// exponent k of a (scaled) input: 40 bits against |k| ≤ 1075 in f64,
    /// 16 bits against |k| ≤ 150 in f32. Both parts are representable in
    /// the lane type.
    fn log_of_two(self, f64_lanes: bool) -> (f64, f64) {
        match (self, f64_lanes) {
            (Base::Two, _) => (1.0, 0.0),
            // fdlibm's ln2_hi (32 bits) / ln2_lo.
            (Base::E, true) => (
                6.931_471_803_691_238_164_90e-01,
                1.908_214_929_270_587_700_02e-10,
            ),
            (Base::E, false) => (0.693_145_751_953_125, 1.428_606_820_309_417_3e-6), // 0x1.62e4p-1
            (Base::Ten, true) => (0.301_029_995_664_066_5, -8.532_344_317_057_107e-14), // 0x1.34413509f8p-2
            (Base::Ten, false) => (0.301_033_020_019_531_25, -3.024_355_550_054_786_2e-6), // 0x1.3442p-2
        }
    }

    /// log_b(2) rounded to f64 (for the fast variants, which take the
    /// product's single rounding).
    fn log_of_two_rounded(self) -> f64 {
        match self {
            Base::E => std::f64::consts::LN_2,
            Base::Two => 1.0,
            Base::Ten => std::f64::consts::LOG10_2,
        }
    }

    /// log_b(e) rounded to the lane type and the remainder, or `None` for
    /// the natural logarithm.
    fn log_of_e(self, f64_lanes: bool) -> Option<(f64, f64)> {
        match (self, f64_lanes) {
            (Base::E, _) => None,
            (Base::Two, true) => Some((std::f64::consts::LOG2_E, 2.035_527_374_093_103_3e-17)),
            (Base::Two, false) => Some((1.442_695_021_629_333_5, 1.925_963_033_500_011e-8)),
            (Base::Ten, true) => Some((std::f64::consts::LOG10_E, 1.098_319_650_216_765e-17)),
            (Base::Ten, false) => Some((0.434_294_492_006_301_9, -1.010_304_995_219_257_8e-8)),
        }
    }
}

/// Splits finite positive `x` as 2^k·(1 + f) with 1 + f in [√2/2, √2).
/// Returns (k as a float, f); both exact. With `subnormals`, inputs below
/// the smallest normal are first scaled by 2^mantissa (selected per lane),
/// so their exponent field is meaningful. Other inputs (≤ 0, inf, NaN) give
/// garbage the caller selects away.
fn reduce<A: Arith>(a: &mut A, x: A::F, subnormals: bool) -> (A::F, A::F) {
    let f64_lanes = a.is_f64();
    let mantissa = mantissa_bits(a);
    let bias = exponent_bias(a);
    let two_to_mantissa = f64::powi(2.0, mantissa as i32);
    // k is read from the exponent field as (2^mantissa + field) - offset:
    // or-ing the field into 2^mantissa's bits converts it to a float.
    let offset = two_to_mantissa + bias as f64;
    let (x, offset) = if subnormals {
        let min_normal = if f64_lanes {
            f64::MIN_POSITIVE
        } else {
            f32::MIN_POSITIVE as f64
        };
        let min_normal = a.fconst(min_normal);
        let tiny = a.flt(x, min_normal);
        let up = a.fconst(two_to_mantissa);
        let scaled = a.fmul(x, up);
        let x = a.fselect(tiny, scaled, x);
        let normal_offset = a.fconst(offset);
        let tiny_offset = a.fconst(offset + mantissa as f64);
        (x, a.fselect(tiny, tiny_offset, normal_offset))
    } else {
        (x, a.fconst(offset))
    };
    // Adding (1.0 - √2/2) in bits carries into the exponent exactly when
    // the mantissa is ≥ √2/2's, so the field is k + bias and the remaining
    // mantissa bits, put back on √2/2's, give m.
    let sqrt_half_bits: i64 = if f64_lanes {
        0x3fe6_a09e_667f_3bcd
    } else {
        0x3f35_04f3
    };
    let one_bits = bias << mantissa;
    let bits = a.to_bits(x);
    let shift = a.iconst(one_bits - sqrt_half_bits);
    let shifted = a.iadd(bits, shift);
    let field = a.ishr_u(shifted, mantissa);
    let fraction_mask = a.iconst((1i64 << mantissa) - 1);
    let fraction = a.iand(shifted, fraction_mask);
    let sqrt_half = a.iconst(sqrt_half_bits);
    let m_bits = a.iadd(fraction, sqrt_half);
    let m = a.bits_to_float(m_bits);
    let one = a.fconst(1.0);
    let f = a.fsub(m, one);
    let magic_bits = a.iconst((bias + mantissa as i64) << mantissa);
    let field_bits = a.ior(field, magic_bits);
    let k_plus_offset = a.bits_to_float(field_bits);
    let k = a.fsub(k_plus_offset, offset);
    (k, f)
}

/// The polynomial of the method: returns t = f²/2 + R(s²) given s and
/// f²/2.
fn series<A: Arith>(a: &mut A, s: A::F, hfsq: A::F) -> A::F {
    let z = a.fmul(s, s);
    let coefficients: &[f64] = if a.is_f64() { &LG_F64 } else { &LG_F32 };
    let r_over_z = horner(a, z, coefficients);
    a.fma(z, r_over_z, hfsq)
}

/// ln(1+f) as hi + lo (|lo| ≲ ulp(hi)), for f in [√2/2 - 1, √2 - 1].
/// `extra` (a tiny correction, e.g. log1p's c/u) is folded into lo.
///
/// hi = f - f²/2 rounded; lo = its rounding error (exact by Sterbenz) minus
/// the rounding error of f²/2 (an fma) plus s·(f²/2 + R). Errors left:
/// R's (< 2^-58 relative in f64) and the rounding of s·t, which weighs
/// ≤ f²/8 of the result: a few hundredths of an ulp.
fn ln1p_hi_lo<A: Arith>(a: &mut A, f: A::F, extra: Option<A::F>) -> (A::F, A::F) {
    let two = a.fconst(2.0);
    let denominator = a.fadd(two, f);
    let s = a.fdiv(f, denominator);
    let half = a.fconst(0.5);
    let minus_half = a.fconst(-0.5);
    let half_f = a.fmul(f, half);
    let minus_half_f = a.fmul(f, minus_half);
    let hfsq = a.fmul(half_f, f);
    // f²/2 - hfsq, negated.
    let minus_hfsq_error = a.fma(minus_half_f, f, hfsq);
    let t = series(a, s, hfsq);
    let hi = a.fsub(f, hfsq);
    let f_minus_hi = a.fsub(f, hi);
    let hi_error = a.fsub(f_minus_hi, hfsq);
    let small = a.fma(s, t, minus_hfsq_error);
    let small = match extra {
        Some(e) => a.fadd(small, e),
        None => small,
    };
    let lo = a.fadd(hi_error, small);
    (hi, lo)
}

/// ln(1+f) in one float, fdlibm's `f - (f²/2 - s·(f²/2 + R))` (+ `extra`):
/// the inner term is small, so its rounding costs ≤ ~0.1 ulp over the
/// final subtraction's half ulp.
fn ln1p_single<A: Arith>(a: &mut A, f: A::F, extra: Option<A::F>) -> A::F {
    // -s = f / (-2 - f) saves negating in the fma below.
    let minus_two = a.fconst(-2.0);
    let denominator = a.fsub(minus_two, f);
    let minus_s = a.fdiv(f, denominator);
    let half = a.fconst(0.5);
    let half_f = a.fmul(f, half);
    let hfsq = a.fmul(half_f, f);
    let t = series(a, minus_s, hfsq);
    let inner = a.fma(minus_s, t, hfsq);
    let inner = match extra {
        Some(e) => a.fsub(inner, e),
        None => inner,
    };
    a.fsub(f, inner)
}

/// k·log_b(2) + (hi + lo)·log_b(e), rounded once at the end (see the
/// module notes).
fn combine_precise<A: Arith>(a: &mut A, base: Base, k: A::F, hi: A::F, lo: A::F) -> A::F {
    let f64_lanes = a.is_f64();
    let (product, tail) = match base.log_of_e(f64_lanes) {
        None => (hi, lo),
        Some((e_hi, e_lo)) => {
            let e_hi = a.fconst(e_hi);
            let e_lo = a.fconst(e_lo);
            let product = a.fmul(hi, e_hi);
            let minus_product = a.fneg(product);
            let product_error = a.fma(hi, e_hi, minus_product);
            let tail = a.fma(lo, e_hi, product_error);
            (product, a.fma(hi, e_lo, tail))
        }
    };
    let (two_hi, two_lo) = base.log_of_two(f64_lanes);
    let k_hi = if two_hi == 1.0 {
        k
    } else {
        let two_hi = a.fconst(two_hi);
        a.fmul(k, two_hi)
    };
    let tail = if two_lo == 0.0 {
        tail
    } else {
        let two_lo = a.fconst(two_lo);
        a.fma(k, two_lo, tail)
    };
    // Fast2Sum: k_hi is 0 or at least twice as large as the product.
    let (sum, sum_error) = fast_two_sum(a, k_hi, product);
    let tail = a.fadd(tail, sum_error);
    a.fadd(sum, tail)
}

/// k·log_b(2) + y·log_b(e) with log_b(2), log_b(e) rounded: one fma (two
/// for log10).
fn combine_fast<A: Arith>(a: &mut A, base: Base, k: A::F, y: A::F) -> A::F {
    let log_of_two = a.fconst(base.log_of_two_rounded());
    match base {
        Base::E => a.fma(k, log_of_two, y),
        Base::Two => {
            let log2_e = a.fconst(std::f64::consts::LOG2_E);
            a.fma(y, log2_e, k)
        }
        Base::Ten => {
            let log10_e = a.fconst(std::f64::consts::LOG10_E);
            let scaled = a.fmul(y, log10_e);
            a.fma(k, log_of_two, scaled)
        }
    }
}

/// The special values of a logarithm of `v` (`r` is the computed value for
/// finite v > 0): log(+inf) = +inf, log(NaN) = NaN, log(v < 0) = NaN
/// (including -inf), log(±0) = -inf.
fn special_values<A: Arith>(a: &mut A, v: A::F, r: A::F) -> A::F {
    let inf = a.fconst(f64::INFINITY);
    let below_inf = a.flt(v, inf);
    let r = a.fselect(below_inf, r, v);
    let zero = a.fconst(0.0);
    let negative = a.flt(v, zero);
    let nan = a.fconst(f64::NAN);
    let r = a.fselect(negative, nan, r);
    let is_zero = a.feq(v, zero);
    let minus_inf = a.fconst(f64::NEG_INFINITY);
    a.fselect(is_zero, minus_inf, r)
}

/// log_b(x) for the three bases.
fn log_base<A: Arith>(a: &mut A, p: Precision, base: Base, x: A::F) -> A::F {
    let (k, f) = reduce(a, x, true);
    let r = match p {
        Precision::Precise => {
            let (hi, lo) = ln1p_hi_lo(a, f, None);
            combine_precise(a, base, k, hi, lo)
        }
        Precision::Fast => {
            let y = ln1p_single(a, f, None);
            combine_fast(a, base, k, y)
        }
    };
    special_values(a, x, r)
}

/// Natural logarithm. Measured max error: Precise 0.63 ulp (f32, every
/// 16th input), 0.60 ulp (f64); Fast 0.86 ulp (f32), 1.17 ulp (f64).
pub fn log<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    log_base(a, p, Base::E, x)
}

/// Base-2 logarithm; k is added exactly, so log2(2^k) = k. Measured max
/// error: Precise 0.72 ulp (f32), 0.61 ulp (f64); Fast 1.83 ulp (f32),
/// 1.56 ulp (f64).
pub fn log2<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    log_base(a, p, Base::Two, x)
}

/// Base-10 logarithm. Measured max error: Precise 0.66 ulp (f32), 0.59 ulp
/// (f64); Fast 2.03 ulp (f32), 1.56 ulp (f64).
pub fn log10<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    log_base(a, p, Base::Ten, x)
}

/// ln(1 + x), accurate for tiny x.
///
/// u = 1 + x rounds; its exact error c = (1 + x) - u comes from Fast2Sum
/// (larger operand first: x ≥ 1 or not), and ln(1+x) = ln(u) + c/u to far
/// below an ulp. u is reduced as in `log` (it is never subnormal: u ≥
/// 2^-53 for x > -1). Where u's exponent k is 0, x itself is the exact
/// f = m - 1 and is used directly with c = 0 (using u - 1 and c/u there
/// would lose c²/2, a quarter ulp for x near 2^-53). Measured max error:
/// Precise 0.63 ulp (f32), 0.60 ulp (f64); Fast 0.90 ulp (f32), 1.24 ulp
/// (f64).
pub fn log1p<A: Arith>(a: &mut A, p: Precision, x: A::F) -> A::F {
    let one = a.fconst(1.0);
    let zero = a.fconst(0.0);
    let u = a.fadd(x, one);
    let (k, f_of_u) = reduce(a, u, false);
    let k_is_zero = a.feq(k, zero);
    let f = a.fselect(k_is_zero, x, f_of_u);
    let x_is_big = a.fle(one, x);
    let u_minus_x = a.fsub(u, x);
    let error_big = a.fsub(one, u_minus_x);
    let u_minus_one = a.fsub(u, one);
    let error_small = a.fsub(x, u_minus_one);
    let error = a.fselect(x_is_big, error_big, error_small);
    let error = a.fselect(k_is_zero, zero, error);
    let correction = a.fdiv(error, u);
    let r = match p {
        Precision::Precise => {
            let (hi, lo) = ln1p_hi_lo(a, f, Some(correction));
            combine_precise(a, Base::E, k, hi, lo)
        }
        Precision::Fast => {
            let y = ln1p_single(a, f, Some(correction));
            combine_fast(a, Base::E, k, y)
        }
    };
    // Domain and infinities follow from u (u < 0 exactly when x < -1, u = 0
    // when x = -1); ±0 keep their sign.
    let r = special_values(a, u, r);
    let x_is_zero = a.feq(x, zero);
    a.fselect(x_is_zero, x, r)
}
