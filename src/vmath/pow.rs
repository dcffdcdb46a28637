//! pow (C99 Annex F special cases) and cbrt.

use super::util::reference;
use super::{Arith, Precision};
use crate::ir::Builtin;

pub fn pow<A: Arith>(a: &mut A, _p: Precision, x: A::F, y: A::F) -> A::F {
    reference(a, Builtin::Pow, x, y)
}

pub fn cbrt<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Cbrt, x, x)
}
