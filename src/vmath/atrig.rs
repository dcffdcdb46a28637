//! Inverse trigonometric functions: asin, acos, atan, atan2.

use super::util::reference;
use super::{Arith, Precision};
use crate::ir::Builtin;

pub fn asin<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Asin, x, x)
}

pub fn acos<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Acos, x, x)
}

pub fn atan<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Atan, x, x)
}

pub fn atan2<A: Arith>(a: &mut A, _p: Precision, x: A::F, y: A::F) -> A::F {
    reference(a, Builtin::Atan2, x, y)
}
