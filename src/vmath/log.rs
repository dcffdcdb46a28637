//! Logarithms: log, log2, log10, log1p.

use super::util::reference;
use super::{Arith, Precision};
use crate::ir::Builtin;

pub fn log<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Log, x, x)
}

pub fn log2<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Log2, x, x)
}

pub fn log10<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Log10, x, x)
}

pub fn log1p<A: Arith>(a: &mut A, _p: Precision, x: A::F) -> A::F {
    reference(a, Builtin::Log1p, x, x)
}
