//! Building blocks shared by the routines: polynomials, exact rounding to
//! integers, powers of two and sign manipulation, all branch-free.

use super::Arith;

/// Explicit mantissa bits of the lane type (23 or 52).
pub fn mantissa_bits<A: Arith>(a: &A) -> u32 {
    if a.is_f64() {
        52
    } else {
        23
    }
}

/// Exponent bias of the lane type (127 or 1023).
pub fn exponent_bias<A: Arith>(a: &A) -> i64 {
    if a.is_f64() {
        1023
    } else {
        127
    }
}

/// `c[0] + x·(c[1] + x·(c[2] + …))`, one fma per coefficient.
pub fn horner<A: Arith>(a: &mut A, x: A::F, c: &[f64]) -> A::F {
    // Coefficient tables are constants of the routines, never empty.
    let (&last, rest) = c.split_last().expect("a polynomial has a coefficient");
    let mut acc = a.fconst(last);
    for &k in rest.iter().rev() {
        let k = a.fconst(k);
        acc = a.fma(acc, x, k);
    }
    acc
}

/// `c[0] + c[1]·t + … ` with `t2 = t²`, in Estrin's scheme: pairs
/// `c[i] + c[i+1]·t` in parallel, then Horner in t². Shorter dependency
/// chains than [`horner`] for the same operation count.
pub fn estrin<A: Arith>(a: &mut A, t: A::F, t2: A::F, c: &[f64]) -> A::F {
    let pairs: Vec<A::F> = c
        .chunks(2)
        .map(|pair| {
            let c0 = a.fconst(pair[0]);
            match pair.get(1) {
                Some(&c1) => {
                    let c1 = a.fconst(c1);
                    a.fma(c1, t, c0)
                }
                None => c0,
            }
        })
        .collect();
    // Coefficient tables are constants of the routines, never empty.
    let (&last, rest) = pairs.split_last().expect("a polynomial has a coefficient");
    rest.iter()
        .rev()
        .fold(last, |acc, &pair| a.fma(acc, t2, pair))
}

/// `x` rounded to the nearest integer (ties to even), as a float and as an
/// integer. Adding and removing 1.5·2^mantissa does the rounding, and the
/// sum's low bits are the integer. Valid for |x| < 2^(mantissa-1); NaN and
/// larger inputs give garbage the caller must select away.
pub fn round_to_int<A: Arith>(a: &mut A, x: A::F) -> (A::F, A::I) {
    let magic = a.fconst(1.5 * f64::powi(2.0, mantissa_bits(a) as i32));
    let shifted = a.fadd(x, magic);
    let k = a.fsub(shifted, magic);
    let shifted_bits = a.to_bits(shifted);
    let magic_bits = a.to_bits(magic);
    (k, a.isub(shifted_bits, magic_bits))
}

/// 2^k for an integer `k` in the normal exponent range.
pub fn exp2_int<A: Arith>(a: &mut A, k: A::I) -> A::F {
    let bias = a.iconst(exponent_bias(a));
    let biased = a.iadd(k, bias);
    let bits = a.ishl(biased, mantissa_bits(a));
    a.bits_to_float(bits)
}

/// `x · 2^k` for `k` up to twice the normal exponent range: two factors of
/// about 2^(k/2), so only the last multiplication can round (into the
/// subnormals) or overflow.
pub fn scale<A: Arith>(a: &mut A, x: A::F, k: A::I) -> A::F {
    let half = a.ishr_s(k, 1);
    let rest = a.isub(k, half);
    let first = exp2_int(a, half);
    let second = exp2_int(a, rest);
    let x = a.fmul(x, first);
    a.fmul(x, second)
}

/// The sign bit of the lane type, as an integer.
pub fn sign_bit<A: Arith>(a: &mut A) -> A::I {
    let bit = if a.is_f64() { i64::MIN } else { 1 << 31 };
    a.iconst(bit)
}

/// `x` with its sign flipped where `sign` is negative (`x · sign(sign)` for
/// nonzero `sign`, exactly; NaN signs count by their sign bit).
pub fn mulsign<A: Arith>(a: &mut A, x: A::F, sign: A::F) -> A::F {
    let bit = sign_bit(a);
    let s = a.to_bits(sign);
    let sign_only = a.iand(s, bit);
    let xb = a.to_bits(x);
    let bits = a.ixor(xb, sign_only);
    a.bits_to_float(bits)
}

/// `x` clamped to `[lo, hi]`; NaN passes (and must be selected away).
pub fn clamp<A: Arith>(a: &mut A, x: A::F, lo: f64, hi: f64) -> A::F {
    let lo = a.fconst(lo);
    let hi = a.fconst(hi);
    let below = a.flt(x, lo);
    let x = a.fselect(below, lo, x);
    let above = a.flt(hi, x);
    a.fselect(above, hi, x)
}

/// `x + y` as `(sum, error)` exactly, provided |x| ≥ |y| or x = 0
/// (Dekker's Fast2Sum).
pub fn fast_two_sum<A: Arith>(a: &mut A, x: A::F, y: A::F) -> (A::F, A::F) {
    let sum = a.fadd(x, y);
    let dropped = a.fsub(x, sum);
    let error = a.fadd(dropped, y);
    (sum, error)
}
