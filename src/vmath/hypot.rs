//! `hypot(x, y)`: `sqrt(x² + y²)` without overflow or underflow in between,
//! nearly correctly rounded, in one branch-free sequence.
//!
//! The larger magnitude `a` and the smaller `b` are scaled by a power of
//! two (exact) when `a` is so large that `a²` could overflow or so small
//! that it could underflow. Then `a² + b²` is formed as a double-float
//! (each square exact through fma, their sum by Fast2Sum, since `a² ≥ b²`),
//! and one Newton step on its square root, with the residual `s - h²`
//! exact through fma, corrects the rounded `sqrt(s)`: the result is within
//! a hair of 0.5 ulp. A result in the subnormal range is rounded a second
//! time by the final unscaling and may be 1 ulp off. MATH.md gives the
//! measured bound.
//!
//! Special values (C99 Annex F): `hypot(±inf, y)` is `+inf` even when `y`
//! is NaN; otherwise a NaN operand gives NaN; `hypot(±0, ±0)` is `+0`;
//! `hypot(x, ±0)` is `|x|` exactly.

use super::Arith;

/// Where one float width scales: `a` above `2^huge` is multiplied by
/// `2^-down`, below `2^-tiny` by `2^up`. Chosen so that the scaled `a²` and
/// the fma error term of the square stay normal numbers (f64: `a²` within
/// 2^±900; f32: 2^-100 .. 2^116), so both are exact.
struct Scaling {
    huge: i32,
    down: i32,
    tiny: i32,
    up: i32,
}

const F64_SCALING: Scaling = Scaling {
    huge: 450,
    down: 600,
    tiny: 450,
    up: 600,
};

const F32_SCALING: Scaling = Scaling {
    huge: 50,
    down: 70,
    tiny: 50,
    up: 100,
};

/// `2^e` for `|e| ≤ 1000`, exactly (every such power is a normal f64).
fn pow2(e: i32) -> f64 {
    f64::from_bits(((1023 + e as i64) as u64) << 52)
}

pub fn hypot<A: Arith>(a: &mut A, x: A::F, y: A::F) -> A::F {
    let (ax, ay) = (a.fabs(x), a.fabs(y));
    let swap = a.flt(ax, ay);
    let big = a.fselect(swap, ay, ax);
    let small = a.fselect(swap, ax, ay);
    let (scale, unscale) = scaling(a, big);
    let hi = a.fmul(big, scale);
    let lo = a.fmul(small, scale);
    let h = sqrt_sum_of_squares(a, hi, lo);
    let scaled_back = a.fmul(h, unscale);
    // `big` is 0 only if `small` is 0 (the result, +0) or NaN (the result).
    let zero = a.fconst(0.0);
    let big_is_zero = a.feq(big, zero);
    let finite = a.fselect(big_is_zero, small, scaled_back);
    let inf = a.fconst(f64::INFINITY);
    let x_inf = a.feq(ax, inf);
    let y_inf = a.feq(ay, inf);
    let any_inf = a.mor(x_inf, y_inf);
    a.fselect(any_inf, inf, finite)
}

/// The power of two to scale the operands by, and its inverse, for the
/// larger magnitude `big` (1 and 1 in the middle of the range and for NaN).
fn scaling<A: Arith>(a: &mut A, big: A::F) -> (A::F, A::F) {
    let s = if a.is_f64() { F64_SCALING } else { F32_SCALING };
    let huge = a.fconst(pow2(s.huge));
    let tiny = a.fconst(pow2(-s.tiny));
    let is_huge = a.flt(huge, big);
    let is_tiny = a.flt(big, tiny);
    let one = a.fconst(1.0);
    let (down, back_up) = (a.fconst(pow2(-s.down)), a.fconst(pow2(s.down)));
    let (up, back_down) = (a.fconst(pow2(s.up)), a.fconst(pow2(-s.up)));
    let scale = a.fselect(is_tiny, up, one);
    let scale = a.fselect(is_huge, down, scale);
    let unscale = a.fselect(is_tiny, back_down, one);
    let unscale = a.fselect(is_huge, back_up, unscale);
    (scale, unscale)
}

/// `sqrt(hi² + lo²)` for `hi ≥ lo ≥ 0` whose squares neither overflow nor
/// underflow: the sum as a double-float `s + e`, then `h = sqrt(s)`
/// corrected by `(s - h² + e) / 2h`, the residual exact through fma.
fn sqrt_sum_of_squares<A: Arith>(a: &mut A, hi: A::F, lo: A::F) -> A::F {
    let p = a.fmul(hi, hi);
    let minus_p = a.fneg(p);
    let p_err = a.fma(hi, hi, minus_p);
    let q = a.fmul(lo, lo);
    let minus_q = a.fneg(q);
    let q_err = a.fma(lo, lo, minus_q);
    // Fast2Sum: exact because p ≥ q.
    let s = a.fadd(p, q);
    let p_minus_s = a.fsub(p, s);
    let s_err = a.fadd(p_minus_s, q);
    let errs = a.fadd(p_err, q_err);
    let e = a.fadd(s_err, errs);
    let h = a.sqrt(s);
    let minus_h = a.fneg(h);
    let residual = a.fma(minus_h, h, s);
    let r = a.fadd(residual, e);
    let two_h = a.fadd(h, h);
    let correction = a.fdiv(r, two_h);
    a.fadd(h, correction)
}
