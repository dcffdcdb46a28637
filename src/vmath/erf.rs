//! The error function erf and its complement erfc.

use super::util::reference;
use super::{Arith, Precision};
use crate::ir::Builtin;

pub fn erf<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Erf, x, x)
}

pub fn erfc<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Erfc, x, x)
}
