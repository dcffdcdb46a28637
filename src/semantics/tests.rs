//! Unit tests of the value semantics: one test per rule of the language
//! definition in `ops` and `builtins`, at the edge values.

use super::builtins::{max, min};
use super::reduce::{self, Partial, NO_INDEX};
use super::scalar::{binary, cast, unary};
use crate::ir::{BinaryOp, Builtin, ReduceOp, UnaryOp};
use crate::types::ScalarType;
use crate::value::Scalar::{self, *};

/// A builtin in the default (precise) maths.
fn builtin(fun: Builtin, args: &[Scalar]) -> Scalar {
    super::builtins::builtin(fun, super::ops::Precision::Precise, args)
}

fn bin(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    binary(op, a, b)
}

/// Bitwise equality, so NaN and -0.0 are compared exactly.
#[track_caller]
fn same(got: Scalar, want: Scalar) {
    assert!(got.same_bits(want), "got {got:?}, want {want:?}");
}

#[test]
fn integer_arithmetic_wraps() {
    use BinaryOp::*;
    same(bin(Add, I32(i32::MAX), I32(1)), I32(i32::MIN));
    same(bin(Sub, I64(i64::MIN), I64(1)), I64(i64::MAX));
    same(bin(Mul, I32(1 << 30), I32(4)), I32(0));
    same(unary(UnaryOp::Neg, I32(i32::MIN)), I32(i32::MIN));
    same(unary(UnaryOp::Neg, I64(5)), I64(-5));
}

#[test]
fn integer_division_never_traps() {
    use BinaryOp::*;
    same(bin(Div, I32(7), I32(0)), I32(0));
    same(bin(Rem, I32(7), I32(0)), I32(7));
    same(bin(Rem, I64(-7), I64(0)), I64(-7));
    same(bin(Div, I32(i32::MIN), I32(-1)), I32(i32::MIN));
    same(bin(Rem, I32(i32::MIN), I32(-1)), I32(0));
    same(bin(Div, I64(i64::MIN), I64(-1)), I64(i64::MIN));
    same(bin(Rem, I64(i64::MIN), I64(-1)), I64(0));
}

#[test]
fn integer_division_truncates_and_remainder_follows_dividend() {
    use BinaryOp::*;
    same(bin(Div, I32(-7), I32(2)), I32(-3));
    same(bin(Rem, I32(-7), I32(2)), I32(-1));
    same(bin(Div, I64(7), I64(-2)), I64(-3));
    same(bin(Rem, I64(7), I64(-2)), I64(1));
}

#[test]
fn shifts_take_the_amount_modulo_the_width() {
    use BinaryOp::*;
    same(bin(Shl, I32(1), I32(33)), I32(2));
    same(bin(Shl, I32(1), I32(32)), I32(1));
    same(bin(Shl, I64(1), I64(64)), I64(1));
    same(bin(Shl, I64(1), I64(65)), I64(2));
    same(bin(Shl, I32(1), I32(-1)), I32(i32::MIN)); // -1 mod 32 == 31
    same(bin(Shr, I32(-8), I32(1)), I32(-4)); // arithmetic
    same(bin(Shr, I64(i64::MIN), I64(63)), I64(-1));
    same(bin(Shr, I32(-8), I32(35)), I32(-1));
}

#[test]
fn not_is_bitwise_on_integers_and_logical_on_bools() {
    same(unary(UnaryOp::Not, I32(0)), I32(-1));
    same(unary(UnaryOp::Not, I64(5)), I64(-6));
    same(unary(UnaryOp::Not, Bool(true)), Bool(false));
}

#[test]
fn bit_operators_are_bitwise_on_ints_and_logical_on_bools() {
    use BinaryOp::*;
    same(bin(BitAnd, I32(0b1100), I32(0b1010)), I32(0b1000));
    same(bin(BitOr, I64(0b1100), I64(0b1010)), I64(0b1110));
    same(bin(BitXor, I32(-1), I32(5)), I32(!5));
    same(bin(BitAnd, Bool(true), Bool(false)), Bool(false));
    same(bin(BitOr, Bool(true), Bool(false)), Bool(true));
    same(bin(BitXor, Bool(true), Bool(true)), Bool(false));
    same(bin(And, Bool(true), Bool(true)), Bool(true));
    same(bin(Or, Bool(false), Bool(false)), Bool(false));
}

#[test]
fn float_arithmetic_is_ieee() {
    use BinaryOp::*;
    same(bin(Add, F32(0.1), F32(0.2)), F32(0.1f32 + 0.2f32));
    same(bin(Div, F64(1.0), F64(0.0)), F64(f64::INFINITY));
    same(bin(Div, F64(-1.0), F64(0.0)), F64(f64::NEG_INFINITY));
    assert!(matches!(bin(Div, F32(0.0), F32(0.0)), F32(x) if x.is_nan()));
    same(bin(Add, F32(-0.0), F32(-0.0)), F32(-0.0));
    same(bin(Add, F32(-0.0), F32(0.0)), F32(0.0));
}

#[test]
fn float_remainder_is_fmod_with_the_dividend_sign() {
    use BinaryOp::Rem;
    same(bin(Rem, F64(5.5), F64(2.0)), F64(1.5));
    same(bin(Rem, F64(-5.5), F64(2.0)), F64(-1.5));
    same(bin(Rem, F32(5.5), F32(-2.0)), F32(1.5));
    same(bin(Rem, F32(-0.0), F32(1.0)), F32(-0.0));
    assert!(matches!(bin(Rem, F64(1.0), F64(0.0)), F64(x) if x.is_nan()));
}

#[test]
fn negation_flips_the_float_sign_bit() {
    same(unary(UnaryOp::Neg, F32(0.0)), F32(-0.0));
    same(unary(UnaryOp::Neg, F64(-0.0)), F64(0.0));
    let neg_nan = unary(UnaryOp::Neg, F64(f64::NAN));
    assert!(matches!(neg_nan, F64(x) if x.is_nan() && x.is_sign_negative()));
}

#[test]
fn comparisons_treat_nan_as_unordered() {
    use BinaryOp::*;
    let nan = F32(f32::NAN);
    for op in [Eq, Lt, Le, Gt, Ge] {
        same(bin(op, nan, nan), Bool(false));
        same(bin(op, nan, F32(1.0)), Bool(false));
    }
    same(bin(Ne, nan, nan), Bool(true));
    same(bin(Eq, F64(0.0), F64(-0.0)), Bool(true));
    same(bin(Lt, F64(-0.0), F64(0.0)), Bool(false));
}

#[test]
fn bools_compare_false_before_true() {
    use BinaryOp::*;
    same(bin(Lt, Bool(false), Bool(true)), Bool(true));
    same(bin(Ge, Bool(false), Bool(true)), Bool(false));
    same(bin(Eq, Bool(true), Bool(true)), Bool(true));
    same(bin(Lt, I32(-1), I32(0)), Bool(true));
}

#[test]
fn float_to_int_casts_truncate_saturate_and_send_nan_to_zero() {
    same(cast(F32(2.9), ScalarType::I32), I32(2));
    same(cast(F32(-2.9), ScalarType::I32), I32(-2));
    same(cast(F64(f64::NAN), ScalarType::I32), I32(0));
    same(cast(F32(f32::NAN), ScalarType::I64), I64(0));
    same(cast(F64(f64::INFINITY), ScalarType::I32), I32(i32::MAX));
    same(cast(F64(f64::NEG_INFINITY), ScalarType::I64), I64(i64::MIN));
    same(cast(F64(1e300), ScalarType::I64), I64(i64::MAX));
    same(cast(F32(-3e10), ScalarType::I32), I32(i32::MIN));
}

#[test]
fn int_and_double_to_float_casts_round_to_nearest_even() {
    same(cast(I32(16_777_217), ScalarType::F32), F32(16_777_216.0)); // tie → even
    same(cast(I32(16_777_219), ScalarType::F32), F32(16_777_220.0));
    same(
        cast(I64(i64::MAX), ScalarType::F64),
        F64(9_223_372_036_854_775_808.0),
    );
    same(cast(F64(1.0 + f64::EPSILON), ScalarType::F32), F32(1.0));
    same(cast(F64(1e300), ScalarType::F32), F32(f32::INFINITY));
    same(cast(F32(0.1), ScalarType::F64), F64(0.1f32 as f64));
}

#[test]
fn integer_narrowing_wraps() {
    same(cast(I64(1 << 32), ScalarType::I32), I32(0));
    same(cast(I64(-1), ScalarType::I32), I32(-1));
    same(cast(I64(0x1_8000_0000), ScalarType::I32), I32(i32::MIN));
    same(cast(I32(-5), ScalarType::I64), I64(-5));
}

#[test]
fn bool_casts_are_zero_one_and_nonzero() {
    same(cast(Bool(true), ScalarType::F32), F32(1.0));
    same(cast(Bool(false), ScalarType::I64), I64(0));
    same(cast(I32(-3), ScalarType::Bool), Bool(true));
    same(cast(F64(-0.0), ScalarType::Bool), Bool(false));
    same(cast(F32(f32::NAN), ScalarType::Bool), Bool(true));
    same(cast(F64(2.5), ScalarType::F64), F64(2.5));
}

#[test]
fn abs_wraps_on_integers_and_clears_the_float_sign() {
    same(builtin(Builtin::Abs, &[I32(i32::MIN)]), I32(i32::MIN));
    same(builtin(Builtin::Abs, &[I64(-4)]), I64(4));
    same(builtin(Builtin::Abs, &[F32(-0.0)]), F32(0.0));
    let abs_nan = builtin(Builtin::Abs, &[F64(-f64::NAN)]);
    assert!(matches!(abs_nan, F64(x) if x.is_nan() && x.is_sign_positive()));
}

#[test]
fn min_max_ignore_one_nan_and_keep_the_first_of_ties() {
    let nan = F32(f32::NAN);
    same(min(nan, F32(1.0)), F32(1.0));
    same(min(F32(1.0), nan), F32(1.0));
    same(max(nan, F32(-1.0)), F32(-1.0));
    same(max(F32(-1.0), nan), F32(-1.0));
    assert!(matches!(min(nan, nan), F32(x) if x.is_nan()));
    same(min(F64(-0.0), F64(0.0)), F64(-0.0));
    same(min(F64(0.0), F64(-0.0)), F64(0.0));
    same(max(F64(0.0), F64(-0.0)), F64(0.0));
    same(max(F64(-0.0), F64(0.0)), F64(-0.0));
    same(min(I32(3), I32(-2)), I32(-2));
    same(max(I64(i64::MIN), I64(7)), I64(7));
}

#[test]
fn clamp_is_min_of_max() {
    let clamp = |x, lo, hi| builtin(Builtin::Clamp, &[x, lo, hi]);
    same(clamp(I32(5), I32(0), I32(3)), I32(3));
    same(clamp(I32(-5), I32(0), I32(3)), I32(0));
    same(clamp(F32(f32::NAN), F32(0.0), F32(1.0)), F32(0.0));
    // lo > hi: hi wins, as min(max(x, lo), hi) says.
    same(clamp(F64(0.5), F64(2.0), F64(1.0)), F64(1.0));
}

#[test]
fn select_picks_by_condition() {
    same(
        builtin(Builtin::Select, &[Bool(true), I64(1), I64(2)]),
        I64(1),
    );
    same(
        builtin(Builtin::Select, &[Bool(false), F32(1.0), F32(2.0)]),
        F32(2.0),
    );
}

#[test]
fn rounding_builtins_follow_rust() {
    same(builtin(Builtin::Round, &[F32(2.5)]), F32(3.0));
    same(builtin(Builtin::Round, &[F64(-2.5)]), F64(-3.0));
    same(builtin(Builtin::Round, &[F64(-0.4)]), F64(-0.0));
    same(builtin(Builtin::Floor, &[F32(-1.5)]), F32(-2.0));
    same(builtin(Builtin::Ceil, &[F64(-1.5)]), F64(-1.0));
    same(builtin(Builtin::Trunc, &[F32(-1.7)]), F32(-1.0));
    same(builtin(Builtin::Sqrt, &[F32(2.0)]), F32(2.0f32.sqrt()));
    assert!(matches!(builtin(Builtin::Sqrt, &[F64(-1.0)]), F64(x) if x.is_nan()));
}

#[test]
fn fma_rounds_once() {
    // (1 + 2^-12)^2 - (1 + 2^-11) == 2^-24 exactly; a separate multiply
    // would round the square to 1 + 2^-11 in f32 and give 0.
    let a = 1.0 + f32::powi(2.0, -12);
    let got = builtin(
        Builtin::Fma,
        &[F32(a), F32(a), F32(-(1.0 + f32::powi(2.0, -11)))],
    );
    same(got, F32(f32::powi(2.0, -24)));
    same(
        builtin(Builtin::Fma, &[F64(2.0), F64(3.0), F64(1.0)]),
        F64(7.0),
    );
}

/// Transcendentals are `vmath`'s routines (their accuracy is tested in
/// `tests/vmath_accuracy.rs`); here: argument order and exact cases.
#[test]
fn transcendentals_take_arguments_in_kern_order() {
    let near = |got: Scalar, want: f64| match got {
        F32(v) => assert!(
            (v as f64 - want).abs() <= 2e-7 * want.abs(),
            "{v} vs {want}"
        ),
        F64(v) => assert!((v - want).abs() <= 4e-16 * want.abs(), "{v} vs {want}"),
        _ => panic!("not a float: {got:?}"),
    };
    // atan2(y, x): y first, like Rust's y.atan2(x).
    near(
        builtin(Builtin::Atan2, &[F32(1.0), F32(-1.0)]),
        0.75 * std::f64::consts::PI,
    );
    near(
        builtin(Builtin::Atan2, &[F64(1.0), F64(-1.0)]),
        0.75 * std::f64::consts::PI,
    );
    // pow(x, y) = x^y.
    near(builtin(Builtin::Pow, &[F32(2.0), F32(10.0)]), 1024.0);
    near(builtin(Builtin::Pow, &[F64(0.5), F64(3.0)]), 0.125);
    same(builtin(Builtin::Log, &[F64(1.0)]), F64(0.0));
    same(builtin(Builtin::Exp, &[F32(0.0)]), F32(1.0));
    same(builtin(Builtin::Erfc, &[F64(0.0)]), F64(1.0));
    same(builtin(Builtin::Cbrt, &[F64(-27.0)]), F64(-3.0));
}

#[test]
fn every_transcendental_is_defined_in_both_widths() {
    use crate::ir::BuiltinSignature;
    for fun in Builtin::ALL {
        let arity = fun.arity();
        if matches!(fun.signature(), BuiltinSignature::Float { .. }) && fun != Builtin::Fma {
            let f32_result = builtin(fun, &vec![F32(0.5); arity]);
            let f64_result = builtin(fun, &vec![F64(0.5); arity]);
            assert_eq!(
                (f32_result.ty(), f64_result.ty()),
                (ScalarType::F32, ScalarType::F64),
                "{fun:?}"
            );
        }
    }
}

#[test]
fn reduction_identities() {
    same(
        reduce_identity_value(ReduceOp::Sum, ScalarType::F32),
        F32(0.0),
    );
    same(
        reduce_identity_value(ReduceOp::Prod, ScalarType::I64),
        I64(1),
    );
    same(
        reduce_identity_value(ReduceOp::Min, ScalarType::I32),
        I32(i32::MAX),
    );
    same(
        reduce_identity_value(ReduceOp::Min, ScalarType::F64),
        F64(f64::INFINITY),
    );
    same(
        reduce_identity_value(ReduceOp::Max, ScalarType::I64),
        I64(i64::MIN),
    );
    same(
        reduce_identity_value(ReduceOp::Max, ScalarType::F32),
        F32(f32::NEG_INFINITY),
    );
}

#[test]
fn reduction_steps_wrap_and_skip_nan() {
    same(
        reduce_combine_value(ReduceOp::Sum, I32(i32::MAX), I32(1)),
        I32(i32::MIN),
    );
    same(
        reduce_combine_value(ReduceOp::Prod, I64(i64::MAX), I64(2)),
        I64(-2),
    );
    same(
        reduce_combine_value(ReduceOp::Min, F32(f32::INFINITY), F32(f32::NAN)),
        F32(f32::INFINITY),
    );
    same(
        reduce_combine_value(ReduceOp::Max, F64(-0.0), F64(0.0)),
        F64(-0.0),
    );
}

fn reduce_identity_value(op: ReduceOp, ty: ScalarType) -> Scalar {
    reduce::identity(op, ty).value
}

fn reduce_combine_value(op: ReduceOp, a: Scalar, b: Scalar) -> Scalar {
    reduce::combine(
        op,
        Partial::element(a, NO_INDEX),
        Partial::element(b, NO_INDEX),
    )
    .value
}

/// argmin/argmax: NaN first, ties (equal values, ±0, two NaNs) to the
/// smaller index, a side with no index loses, whatever the order.
#[test]
fn arg_reductions_pick_first_best() {
    use ReduceOp::{ArgMax, ArgMin};
    let e = |v, i| Partial::element(v, i);
    let cases: &[(ReduceOp, Partial, Partial, Partial)] = &[
        (ArgMin, e(F32(1.0), 3), e(F32(0.5), 7), e(F32(0.5), 7)),
        (ArgMin, e(F32(0.5), 3), e(F32(0.5), 1), e(F32(0.5), 1)),
        (ArgMin, e(F32(-0.0), 5), e(F32(0.0), 2), e(F32(0.0), 2)),
        (ArgMin, e(F32(0.0), 2), e(F32(-0.0), 5), e(F32(0.0), 2)),
        (
            ArgMin,
            e(F32(-1.0), 0),
            e(F32(f32::NAN), 9),
            e(F32(f32::NAN), 9),
        ),
        (
            ArgMax,
            e(F64(f64::NAN), 4),
            e(F64(f64::NAN), 1),
            e(F64(f64::NAN), 1),
        ),
        (
            ArgMax,
            e(F64(f64::NAN), 4),
            e(F64(f64::INFINITY), 1),
            e(F64(f64::NAN), 4),
        ),
        (
            ArgMax,
            e(I32(i32::MIN), 1),
            e(I32(i32::MIN), 0),
            e(I32(i32::MIN), 0),
        ),
        (
            ArgMin,
            reduce::identity(ArgMin, ScalarType::I64),
            e(I64(i64::MAX), 6),
            e(I64(i64::MAX), 6),
        ),
        (
            ArgMax,
            reduce::identity(ArgMax, ScalarType::F32),
            reduce::identity(ArgMax, ScalarType::F32),
            reduce::identity(ArgMax, ScalarType::F32),
        ),
    ];
    for &(op, a, b, want) in cases {
        for (x, y) in [(a, b), (b, a)] {
            let got = reduce::combine(op, x, y);
            assert_eq!(
                (got.value.to_slot(), got.index),
                (want.value.to_slot(), want.index),
                "{op:?} {x:?} {y:?}"
            );
        }
    }
}

#[test]
fn rint_rounds_half_to_even_and_keeps_zero_signs() {
    for (x, want) in [
        (0.5, 0.0),
        (1.5, 2.0),
        (2.5, 2.0),
        (-0.5, -0.0),
        (-2.5, -2.0),
    ] {
        same(builtin(Builtin::Rint, &[F64(x)]), F64(want));
        same(builtin(Builtin::Rint, &[F32(x as f32)]), F32(want as f32));
    }
    same(builtin(Builtin::Rint, &[F64(-0.4)]), F64(-0.0));
    same(builtin(Builtin::Rint, &[F32(8388607.5)]), F32(8388608.0));
    // A signaling NaN comes back quieted, as from `roundsd`.
    let signaling = f32::from_bits(0x7f80_0001);
    let r = builtin(Builtin::Rint, &[F32(signaling)]);
    assert_eq!(r.as_f32().map(f32::to_bits), Some(0x7fc0_0001));
}

#[test]
fn copysign_moves_the_sign_bit_only() {
    same(
        builtin(Builtin::Copysign, &[F64(1.5), F64(-0.0)]),
        F64(-1.5),
    );
    same(
        builtin(Builtin::Copysign, &[F32(-2.0), F32(f32::NAN)]),
        F32(2.0),
    );
    let signaling = f32::from_bits(0x7f80_0001);
    let r = builtin(Builtin::Copysign, &[F32(signaling), F32(-1.0)]);
    assert_eq!(r.as_f32().map(f32::to_bits), Some(0xff80_0001));
}

#[test]
fn hypot_avoids_overflow_and_underflow() {
    same(builtin(Builtin::Hypot, &[F64(3.0), F64(4.0)]), F64(5.0));
    same(
        builtin(Builtin::Hypot, &[F64(1e300), F64(1e300)]),
        F64(1.4142135623730952e300),
    );
    same(
        builtin(Builtin::Hypot, &[F64(1e-200), F64(1e-200)]),
        F64(1.414213562373095e-200),
    );
    same(
        builtin(Builtin::Hypot, &[F32(3e38), F32(3e38)]),
        F32(f32::INFINITY),
    );
    same(builtin(Builtin::Hypot, &[F32(-0.0), F32(-0.0)]), F32(0.0));
    // Infinity wins over NaN, in either position (C99 F.10.4.3).
    for (x, y) in [(f64::INFINITY, f64::NAN), (f64::NAN, f64::NEG_INFINITY)] {
        same(
            builtin(Builtin::Hypot, &[F64(x), F64(y)]),
            F64(f64::INFINITY),
        );
    }
    let nan = builtin(Builtin::Hypot, &[F64(0.0), F64(-f64::NAN)]);
    assert_eq!(nan.as_f64().map(f64::to_bits), Some(0x7ff8_0000_0000_0000));
}

#[test]
fn hypot_of_a_zero_operand_is_the_other_magnitude() {
    for x in [
        1.0,
        3.5e-310,
        1e300,
        f64::MAX,
        f64::MIN_POSITIVE,
        0.1,
        7.0e-5,
    ] {
        same(builtin(Builtin::Hypot, &[F64(-x), F64(0.0)]), F64(x));
        same(builtin(Builtin::Hypot, &[F64(0.0), F64(x)]), F64(x));
        let y = x as f32;
        same(builtin(Builtin::Hypot, &[F32(y), F32(-0.0)]), F32(y));
    }
}

#[test]
fn float_tests_classify_every_kind_of_value() {
    let test = |fun, x: f64| builtin(fun, &[F64(x)]).as_bool();
    let values = [
        0.0,
        -0.0,
        5e-324,
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let nan = [false, false, false, false, false, false, true];
    let inf = [false, false, false, false, true, true, false];
    for ((x, n), i) in values.into_iter().zip(nan).zip(inf) {
        assert_eq!(test(Builtin::IsNan, x), Some(n), "{x}");
        assert_eq!(test(Builtin::IsInf, x), Some(i), "{x}");
        assert_eq!(test(Builtin::IsFinite, x), Some(!n && !i), "{x}");
    }
    same(builtin(Builtin::IsNan, &[F32(f32::NAN)]), Bool(true));
}

#[test]
fn bit_counts_of_edges() {
    let count = |fun, x| builtin(fun, &[x]);
    same(count(Builtin::Popcount, I32(-1)), I32(32));
    same(count(Builtin::Popcount, I64(-1)), I64(64));
    same(count(Builtin::Popcount, I32(i32::MIN)), I32(1));
    same(count(Builtin::Clz, I32(0)), I32(32));
    same(count(Builtin::Clz, I64(0)), I64(64));
    same(count(Builtin::Clz, I32(i32::MIN)), I32(0));
    same(count(Builtin::Clz, I32(1)), I32(31));
    same(count(Builtin::Clz, I64(1 << 32)), I64(31));
    same(count(Builtin::Ctz, I32(0)), I32(32));
    same(count(Builtin::Ctz, I64(0)), I64(64));
    same(count(Builtin::Ctz, I32(i32::MIN)), I32(31));
    same(count(Builtin::Ctz, I64(i64::MIN)), I64(63));
    same(count(Builtin::Ctz, I32(-8)), I32(3));
}

#[test]
fn bit_casts_keep_every_pattern() {
    same(builtin(Builtin::ToBits, &[F32(1.0)]), I32(0x3f80_0000));
    same(builtin(Builtin::ToBits, &[F64(-0.0)]), I64(i64::MIN));
    same(
        builtin(Builtin::FromBits, &[I64(0x4000_0000_0000_0000)]),
        F64(2.0),
    );
    for bits in [0x7f80_0001u32, 0xffc0_1234, 1, 0x8000_0000] {
        let float = builtin(Builtin::FromBits, &[I32(bits as i32)]);
        same(builtin(Builtin::ToBits, &[float]), I32(bits as i32));
    }
}

#[test]
fn builtin_signatures_give_result_types() {
    use crate::ir::BuiltinSignature;
    use ScalarType::*;
    let result = |fun: Builtin, args: &[ScalarType]| fun.signature().result(args);
    assert_eq!(result(Builtin::ToBits, &[F32]), Some(I32));
    assert_eq!(result(Builtin::ToBits, &[F64]), Some(I64));
    assert_eq!(result(Builtin::ToBits, &[I32]), None);
    assert_eq!(result(Builtin::FromBits, &[I64]), Some(F64));
    assert_eq!(result(Builtin::FromBits, &[Bool]), None);
    assert_eq!(result(Builtin::IsNan, &[F32]), Some(Bool));
    assert_eq!(result(Builtin::Popcount, &[I64]), Some(I64));
    assert_eq!(result(Builtin::Popcount, &[F64]), None);
    assert_eq!(result(Builtin::Hypot, &[F32, F64]), None);
    assert_eq!(result(Builtin::Select, &[Bool, I32, I32]), Some(I32));
    assert_eq!(result(Builtin::Select, &[I32, I32, I32]), None);
    assert_eq!(result(Builtin::Clamp, &[I32, I32]), None);
    assert!(matches!(
        Builtin::Clz.signature(),
        BuiltinSignature::Int { arity: 1 }
    ));
}
