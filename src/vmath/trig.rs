//! Sine, cosine, tangent.

use super::util::reference;
use super::{Arith, Precision};
use crate::ir::Builtin;

pub fn sin<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Sin, x, x)
}

pub fn cos<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Cos, x, x)
}

pub fn tan<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Tan, x, x)
}
