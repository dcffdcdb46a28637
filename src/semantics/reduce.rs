//! Reductions: where each starts, how two partial results combine, and
//! the fixed tree that combines a gang's lanes.
//!
//! In: partial results of one reduction, of the element type the verifier
//! checked. Out: their combination, exactly as docs/LANGUAGE.md says. The
//! evaluator folds with these functions, and the runtime combines the
//! JIT's lane and chunk partials with them, so the two engines cannot
//! disagree on anything but the in-lane steps (which codegen implements as
//! [`combine`] with an element of a later index, see `codegen::phase`).
//!
//! `argmin`/`argmax` pick by a total preorder on values (NaN first, then
//! `<` or `>`; `-0.0` and `+0.0` tie) and break ties by the smaller index.
//! That combine is associative and commutative, so the lane tree and the
//! chunk order cannot change which element wins: the result is NumPy's.

use super::builtins::{max, min};
use super::ops::{BinaryOp, ReduceOp};
use super::scalar::{binary, cast, type_bug};
use crate::types::{Scalar, ScalarType};

/// The index of "no element yet": what an empty domain's `argmin` returns.
pub const NO_INDEX: i64 = -1;

/// A reduction's running result: the value, and for `argmin`/`argmax` the
/// flat row-major index of the element it came from ([`NO_INDEX`] before
/// any element, and always for the other reductions).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Partial {
    pub value: Scalar,
    pub index: i64,
}

impl Partial {
    /// Element `value` at flat index `index` of the domain.
    pub fn element(value: Scalar, index: i64) -> Partial {
        Partial { value, index }
    }
}

/// Where a reduction starts: sum 0, prod 1, min and argmin +inf (integers
/// MAX), max and argmax -inf (integers MIN), with no index. Reductions are
/// over numbers only (verified).
pub fn identity(op: ReduceOp, ty: ScalarType) -> Partial {
    Partial {
        value: identity_value(op, ty),
        index: NO_INDEX,
    }
}

fn identity_value(op: ReduceOp, ty: ScalarType) -> Scalar {
    use Scalar::*;
    let int = |v: i128| Scalar::of_int(ty, v).unwrap_or_else(|| type_bug("reduction identity"));
    match (op, ty.int_range()) {
        _ if ty == ScalarType::Bool => type_bug("bool reduction"),
        (ReduceOp::Sum, _) => cast(I32(0), ty),
        (ReduceOp::Prod, _) => cast(I32(1), ty),
        (ReduceOp::Min | ReduceOp::ArgMin, Some((_, hi))) => int(hi),
        (ReduceOp::Max | ReduceOp::ArgMax, Some((lo, _))) => int(lo),
        (ReduceOp::Min | ReduceOp::ArgMin, None) => cast(F64(f64::INFINITY), ty),
        (ReduceOp::Max | ReduceOp::ArgMax, None) => cast(F64(f64::NEG_INFINITY), ty),
    }
}

/// A lane's start at the beginning of a chunk, `first` being the flat
/// index of the first element the lane will see (or would, past the end
/// of a short row). For `argmin`/`argmax` the lane starts at the identity
/// value *with that index*, so that an element equal to the identity
/// (`+inf`, `i32::MAX`) ties with it and keeps its own index: the JIT's
/// in-lane step then needs no index comparison. A lane that sees no
/// element keeps an index past every element of its chunk's first row:
/// it can only tie with the identity, and loses that tie to lane 0,
/// whose start is the chunk's first element.
pub fn lane_start(op: ReduceOp, ty: ScalarType, first: i64) -> Partial {
    let start = identity(op, ty);
    match op.tracks_index() {
        true => Partial {
            index: first,
            ..start
        },
        false => start,
    }
}

/// `a ⊕ b`: `a + b`, `a * b` (integers wrap), `min`/`max` as the builtins
/// define them (NaN elements skipped, the first of tied zeros kept), or
/// for `argmin`/`argmax` the better of the two ([`beats`]), the smaller
/// index on a tie; a side with no index loses.
pub fn combine(op: ReduceOp, a: Partial, b: Partial) -> Partial {
    let value = |value| Partial {
        value,
        index: NO_INDEX,
    };
    match op {
        ReduceOp::Sum => value(binary(BinaryOp::Add, a.value, b.value)),
        ReduceOp::Prod => value(binary(BinaryOp::Mul, a.value, b.value)),
        ReduceOp::Min => value(min(a.value, b.value)),
        ReduceOp::Max => value(max(a.value, b.value)),
        ReduceOp::ArgMin | ReduceOp::ArgMax => better(op, a, b),
    }
}

fn better(op: ReduceOp, a: Partial, b: Partial) -> Partial {
    let b_wins = if b.index == NO_INDEX {
        false
    } else if a.index == NO_INDEX || beats(op, b.value, a.value) {
        true
    } else {
        !beats(op, a.value, b.value) && b.index < a.index
    };
    if b_wins {
        b
    } else {
        a
    }
}

/// Whether `x` is strictly better than `y` for `argmin` (`argmax`): `x`
/// is a NaN and `y` is not, or neither is and `x < y` (`x > y`). Equal
/// values (`-0.0 == +0.0`) and two NaNs tie.
pub fn beats(op: ReduceOp, x: Scalar, y: Scalar) -> bool {
    let less = op == ReduceOp::ArgMin;
    match (x, y) {
        (Scalar::F32(x), Scalar::F32(y)) => beats_float(less, x.into(), y.into()),
        (Scalar::F64(x), Scalar::F64(y)) => beats_float(less, x, y),
        _ => match (x.int_value(), y.int_value()) {
            (Some(x), Some(y)) => (less && x < y) || (!less && x > y),
            _ => type_bug("argmin/argmax operands"),
        },
    }
}

/// f32 → f64 is exact and keeps NaN and order, so one test serves both.
fn beats_float(less: bool, x: f64, y: f64) -> bool {
    !y.is_nan() && (x.is_nan() || (less && x < y) || (!less && x > y))
}

/// The lane tree: with 8 lanes `((a0⊕a4)⊕(a2⊕a6))⊕((a1⊕a5)⊕(a3⊕a7))`
/// (each round combines lane `l` with lane `l + width`, halving `width`).
/// `lanes.len()` is a power of two.
pub fn combine_lanes(op: ReduceOp, lanes: &[Partial]) -> Partial {
    let mut lanes = lanes.to_vec();
    let mut width = lanes.len() / 2;
    while width > 0 {
        for l in 0..width {
            lanes[l] = combine(op, lanes[l], lanes[l + width]);
        }
        width /= 2;
    }
    lanes[0]
}
