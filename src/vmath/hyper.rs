//! exp2, expm1 and the hyperbolic functions sinh, cosh, tanh.

use super::util::reference;
use super::{Arith, Precision};
use crate::ir::Builtin;

pub fn exp2<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Exp2, x, x)
}

pub fn expm1<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Expm1, x, x)
}

pub fn sinh<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Sinh, x, x)
}

pub fn cosh<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Cosh, x, x)
}

pub fn tanh<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Tanh, x, x)
}
