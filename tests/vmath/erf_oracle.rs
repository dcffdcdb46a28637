//! erf and erfc in dashu-float (which has neither), for the f64 oracle.
//!
//! - erf(x), |x| ≤ 3, and erfc(x), -3 ≤ x ≤ 3: the Taylor series
//!   erf(x) = 2/√π Σ (-1)^n x^(2n+1)/(n!(2n+1)). Its terms grow to about
//!   e^(x²) before they shrink, so the working precision carries 1.45·x²
//!   extra bits; erfc = 1 - erf cancels up to 1.45·x² more bits (x > 0).
//! - |x| > 3: erfc by the continued fraction
//!   erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
//!   evaluated backwards from a depth where it has converged (checked by
//!   `oracle_self_check` against twice the depth and 200 bits), and
//!   erf = ±(1 - erfc|x|), erfc(-|x|) = 2 - erfc|x|.
//! - Saturation: erf(|x| > 9) is within 2^-120 of ±1 and erfc(x > 28) is
//!   below 2^-1130: stand-ins as `oracle.rs` explains.
//!
//! Not Ziv-certified like dashu's own functions: the working precision
//! exceeds the target by ≥ 24 bits beyond the growth of the terms, and
//! `oracle_self_check` compares the result with a 200-bit evaluation.

use std::sync::OnceLock;

use dashu_float::ops::Abs;

use crate::oracle::{big, pow2, Big};

/// Working bits beyond the target precision and the terms' growth.
const GUARD: usize = 24;

/// 1/√π to 600 bits, once.
fn inv_sqrt_pi(precision: usize) -> Big {
    static VALUE: OnceLock<Big> = OnceLock::new();
    let v = VALUE.get_or_init(|| {
        let pi = Big::pi(600);
        big(1.0, 600) / pi.sqrt()
    });
    v.clone().with_precision(precision).value()
}

/// erf(x) by the Taylor series, to `precision` bits (|x| ≤ 6).
fn erf_taylor(x: f64, precision: usize) -> Big {
    let working = precision + GUARD + (1.45 * x * x) as usize;
    let xb = big(x, working);
    let x2 = xb.clone() * xb.clone();
    let mut power = xb.clone(); // x^(2n+1)/n!
    let mut sum = xb.clone();
    let negligible = xb.clone().abs() * pow2(-((precision + GUARD) as isize), false, working);
    let mut n = 1u64;
    loop {
        power = power * x2.clone() / n;
        let term = power.clone() / (2 * n + 1);
        sum = if n % 2 == 1 {
            sum - term.clone()
        } else {
            sum + term.clone()
        };
        if n as f64 > x * x && term.abs() < negligible {
            break;
        }
        n += 1;
    }
    sum * inv_sqrt_pi(working) * 2u8
}

/// Terms of the continued fraction for a relative truncation error below
/// 2^-(precision + 8) at x ≥ 3 (convergence checked in the self test).
fn cf_depth(x: f64, precision: usize) -> u64 {
    ((precision as f64 + 8.0) * 18.0 / (x * x)) as u64 + 40
}

/// erfc(x) for 3 ≤ x ≤ 28 by the continued fraction, to `precision`.
pub fn erfc_cf(x: f64, depth: u64, precision: usize) -> Big {
    let working = precision + GUARD;
    let xb = big(x, working);
    let mut f = xb.clone();
    for n in (1..=depth).rev() {
        f = xb.clone() + big(n as f64 / 2.0, working) / f;
    }
    let e = (-(xb.clone() * xb)).exp();
    e * inv_sqrt_pi(working) / f
}

/// Exact erf(x) (finite x ≠ 0) to `precision` bits.
pub fn erf(x: f64, precision: usize) -> Big {
    let a = x.abs();
    let v = if a > 9.0 {
        big(1.0, precision) - pow2(-150, false, precision)
    } else if a > 3.0 {
        big(1.0, precision + GUARD) - erfc_cf(a, cf_depth(a, precision), precision)
    } else {
        erf_taylor(a, precision)
    };
    let v = v.with_precision(precision).value();
    if x < 0.0 {
        -v
    } else {
        v
    }
}

/// Exact erfc(x) (finite x) to `precision` bits.
pub fn erfc(x: f64, precision: usize) -> Big {
    let a = x.abs();
    let v = if x > 28.0 {
        pow2(-1200, false, precision)
    } else if x > 3.0 {
        erfc_cf(x, cf_depth(x, precision), precision)
    } else if x < -9.0 {
        big(2.0, precision) - pow2(-150, false, precision)
    } else if x < -3.0 {
        big(2.0, precision + GUARD) - erfc_cf(a, cf_depth(a, precision), precision)
    } else if x > 0.0 {
        // 1 - erf(x) ≈ e^(-x²) cancels 1.45·x² bits.
        let extra = (1.45 * x * x) as usize + 2;
        big(1.0, precision + extra) - erf_taylor(a, precision + extra)
    } else {
        big(1.0, precision) + erf_taylor(a, precision)
    };
    v.with_precision(precision).value()
}

/// erfc by the continued fraction at `depth`, for the self test.
pub fn erfc_cf_at(x: f64, depth: u64, precision: usize) -> Big {
    erfc_cf(x, depth, precision)
        .with_precision(precision)
        .value()
}

/// The depth `erfc` uses at `x`, for the self test.
pub fn depth(x: f64, precision: usize) -> u64 {
    cf_depth(x, precision)
}
