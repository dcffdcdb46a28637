//! [`Arith`] on plain Rust scalars: the reference evaluator's definition of
//! every vector-maths builtin. Each method is the one IEEE operation its
//! Cranelift twin emits, so the two agree bit for bit.

use super::fallback::{slow_f32, slow_f64};
use super::{Arith, Slow};

/// One f32 lane.
pub struct Lanes32;
/// One f64 lane.
pub struct Lanes64;

macro_rules! scalar_arith {
    ($lanes:ty, $f:ty, $i:ty, $u:ty, $is_f64:expr, $slow:ident) => {
        impl Arith for $lanes {
            type F = $f;
            type I = $i;
            type M = bool;

            fn is_f64(&self) -> bool {
                $is_f64
            }
            fn fconst(&mut self, c: f64) -> $f {
                c as $f
            }
            fn iconst(&mut self, c: i64) -> $i {
                c as $i
            }
            fn fadd(&mut self, a: $f, b: $f) -> $f {
                a + b
            }
            fn fsub(&mut self, a: $f, b: $f) -> $f {
                a - b
            }
            fn fmul(&mut self, a: $f, b: $f) -> $f {
                a * b
            }
            fn fdiv(&mut self, a: $f, b: $f) -> $f {
                a / b
            }
            fn fma(&mut self, a: $f, b: $f, c: $f) -> $f {
                a.mul_add(b, c)
            }
            fn fneg(&mut self, a: $f) -> $f {
                -a
            }
            fn fabs(&mut self, a: $f) -> $f {
                a.abs()
            }
            fn sqrt(&mut self, a: $f) -> $f {
                a.sqrt()
            }
            fn floor(&mut self, a: $f) -> $f {
                a.floor()
            }
            fn trunc(&mut self, a: $f) -> $f {
                a.trunc()
            }
            fn nearest(&mut self, a: $f) -> $f {
                a.round_ties_even()
            }
            fn flt(&mut self, a: $f, b: $f) -> bool {
                a < b
            }
            fn fle(&mut self, a: $f, b: $f) -> bool {
                a <= b
            }
            fn feq(&mut self, a: $f, b: $f) -> bool {
                a == b
            }
            fn is_nan(&mut self, a: $f) -> bool {
                a.is_nan()
            }
            fn fselect(&mut self, m: bool, a: $f, b: $f) -> $f {
                if m {
                    a
                } else {
                    b
                }
            }
            fn iselect(&mut self, m: bool, a: $i, b: $i) -> $i {
                if m {
                    a
                } else {
                    b
                }
            }
            fn mand(&mut self, a: bool, b: bool) -> bool {
                a & b
            }
            fn mor(&mut self, a: bool, b: bool) -> bool {
                a | b
            }
            fn mnot(&mut self, a: bool) -> bool {
                !a
            }
            fn to_bits(&mut self, a: $f) -> $i {
                a.to_bits() as $i
            }
            fn bits_to_float(&mut self, a: $i) -> $f {
                <$f>::from_bits(a as $u)
            }
            fn iadd(&mut self, a: $i, b: $i) -> $i {
                a.wrapping_add(b)
            }
            fn isub(&mut self, a: $i, b: $i) -> $i {
                a.wrapping_sub(b)
            }
            fn iand(&mut self, a: $i, b: $i) -> $i {
                a & b
            }
            fn ior(&mut self, a: $i, b: $i) -> $i {
                a | b
            }
            fn ixor(&mut self, a: $i, b: $i) -> $i {
                a ^ b
            }
            fn ishl(&mut self, a: $i, n: u32) -> $i {
                a.wrapping_shl(n)
            }
            fn ishr_s(&mut self, a: $i, n: u32) -> $i {
                a.wrapping_shr(n)
            }
            fn ishr_u(&mut self, a: $i, n: u32) -> $i {
                ((a as $u).wrapping_shr(n)) as $i
            }
            fn ieq(&mut self, a: $i, b: $i) -> bool {
                a == b
            }
            fn ilt(&mut self, a: $i, b: $i) -> bool {
                a < b
            }
            fn fallback(&mut self, m: bool, slow: Slow, x: $f, y: $f, fast: $f) -> $f {
                if m {
                    $slow(slow, x, y)
                } else {
                    fast
                }
            }
        }
    };
}

scalar_arith!(Lanes32, f32, i32, u32, false, slow_f32);
scalar_arith!(Lanes64, f64, i64, u64, true, slow_f64);
