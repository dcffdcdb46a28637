//! The abstract arithmetic every vector-maths routine is written over
//! (see the module above for why), and the precision choice.

use super::Slow;

/// The operations a routine may use, on "lanes" of one float type: one
/// scalar in the evaluator, a 128-bit register in codegen. `I` is the
/// integer of the same width (i32 for f32, i64 for f64); `M` a per-lane
/// condition.
///
/// Every float operation rounds once, to nearest even, as IEEE 754 says;
/// integer operations wrap.
pub trait Arith {
    type F: Copy;
    type I: Copy;
    type M: Copy;

    /// f64 lanes (else f32).
    fn is_f64(&self) -> bool;

    /// `c` rounded to the lane type.
    fn fconst(&mut self, c: f64) -> Self::F;
    /// `c` truncated to the lane width.
    fn iconst(&mut self, c: i64) -> Self::I;

    fn fadd(&mut self, a: Self::F, b: Self::F) -> Self::F;
    fn fsub(&mut self, a: Self::F, b: Self::F) -> Self::F;
    fn fmul(&mut self, a: Self::F, b: Self::F) -> Self::F;
    fn fdiv(&mut self, a: Self::F, b: Self::F) -> Self::F;
    /// `a * b + c` with one rounding.
    fn fma(&mut self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    fn fneg(&mut self, a: Self::F) -> Self::F;
    fn fabs(&mut self, a: Self::F) -> Self::F;
    fn sqrt(&mut self, a: Self::F) -> Self::F;
    fn floor(&mut self, a: Self::F) -> Self::F;
    fn trunc(&mut self, a: Self::F) -> Self::F;
    /// Round to the nearest integer, ties to even.
    fn nearest(&mut self, a: Self::F) -> Self::F;

    /// `a < b` (false if either is NaN).
    fn flt(&mut self, a: Self::F, b: Self::F) -> Self::M;
    /// `a <= b` (false if either is NaN).
    fn fle(&mut self, a: Self::F, b: Self::F) -> Self::M;
    /// `a == b` (false if either is NaN; `-0 == 0`).
    fn feq(&mut self, a: Self::F, b: Self::F) -> Self::M;
    /// `a` is NaN.
    fn is_nan(&mut self, a: Self::F) -> Self::M;

    /// `m ? a : b` per lane.
    fn fselect(&mut self, m: Self::M, a: Self::F, b: Self::F) -> Self::F;
    fn iselect(&mut self, m: Self::M, a: Self::I, b: Self::I) -> Self::I;
    fn mand(&mut self, a: Self::M, b: Self::M) -> Self::M;
    fn mor(&mut self, a: Self::M, b: Self::M) -> Self::M;
    fn mnot(&mut self, a: Self::M) -> Self::M;

    /// The float's bits as an integer, and back.
    fn to_bits(&mut self, a: Self::F) -> Self::I;
    fn bits_to_float(&mut self, a: Self::I) -> Self::F;

    fn iadd(&mut self, a: Self::I, b: Self::I) -> Self::I;
    fn isub(&mut self, a: Self::I, b: Self::I) -> Self::I;
    fn iand(&mut self, a: Self::I, b: Self::I) -> Self::I;
    fn ior(&mut self, a: Self::I, b: Self::I) -> Self::I;
    fn ixor(&mut self, a: Self::I, b: Self::I) -> Self::I;
    /// Shifts by a constant `0 < n < width`.
    fn ishl(&mut self, a: Self::I, n: u32) -> Self::I;
    /// Arithmetic (sign-filling) right shift.
    fn ishr_s(&mut self, a: Self::I, n: u32) -> Self::I;
    /// Logical (zero-filling) right shift.
    fn ishr_u(&mut self, a: Self::I, n: u32) -> Self::I;
    fn ieq(&mut self, a: Self::I, b: Self::I) -> Self::M;
    /// Signed `a < b`.
    fn ilt(&mut self, a: Self::I, b: Self::I) -> Self::M;

    /// Lanes where `m` holds get `slow(x, y)`, computed out of line by
    /// [`super::fallback::slow_f32`]/[`super::fallback::slow_f64`]; the others keep
    /// `fast`. For inputs rare enough that an inline path is not worth its
    /// code (huge trigonometric arguments).
    fn fallback(
        &mut self,
        m: Self::M,
        slow: Slow,
        x: Self::F,
        y: Self::F,
        fast: Self::F,
    ) -> Self::F;
}
