//! Literals meet types: [`Literal`] → [`Scalar`] of a parameter's type.
//!
//! The rules are strict where a silent change would surprise: a fraction
//! never becomes an integer, an out-of-range integer never wraps, a finite
//! float never becomes `inf`, and numbers never become bools. Integers may
//! become floats (rounding to nearest), and floats with an integral value
//! (`1e6`) may become integers, because that is what people type for sizes.

use super::spec::Literal;
use crate::types::ScalarType;
use crate::value::Scalar;
use std::fmt;

/// Why a literal does not fit a type.
#[derive(Clone, Debug, PartialEq)]
pub struct LiteralError {
    pub literal: Literal,
    pub ty: ScalarType,
    pub reason: Reason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    NotABool,
    BoolIsNotANumber,
    NotAnInteger,
    OutOfRange,
}

impl fmt::Display for LiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (literal, ty) = (self.literal, self.ty);
        match self.reason {
            Reason::NotABool => write!(f, "`{literal}` is not a bool (write true or false)"),
            Reason::BoolIsNotANumber => write!(f, "`{literal}` is a bool, not {ty}"),
            Reason::NotAnInteger => {
                write!(f, "`{literal}` is not an integer, so it does not fit {ty}")
            }
            Reason::OutOfRange => match range_text(ty) {
                Some(range) => write!(f, "`{literal}` is out of range for {ty} ({range})"),
                None => write!(f, "`{literal}` is out of range for {ty}"),
            },
        }
    }
}

fn range_text(ty: ScalarType) -> Option<String> {
    match ty {
        ScalarType::I32 => Some(format!("{}..={}", i32::MIN, i32::MAX)),
        ScalarType::I64 => Some(format!("{}..={}", i64::MIN, i64::MAX)),
        ScalarType::F32 => Some(format!("its largest finite value is {:e}", f32::MAX)),
        _ => None,
    }
}

/// Converts `literal` to a value of type `ty`.
pub fn to_scalar(literal: Literal, ty: ScalarType) -> Result<Scalar, LiteralError> {
    let fail = |reason| LiteralError {
        literal,
        ty,
        reason,
    };
    match (ty, literal) {
        (ScalarType::Bool, Literal::Bool(x)) => Ok(Scalar::Bool(x)),
        (ScalarType::Bool, _) => Err(fail(Reason::NotABool)),
        (_, Literal::Bool(_)) => Err(fail(Reason::BoolIsNotANumber)),
        (_, _) if ty.is_int() => {
            let wide = to_integer(literal).map_err(fail)?;
            Scalar::of_int_exact(ty, wide).ok_or_else(|| fail(Reason::OutOfRange))
        }
        (ScalarType::F32, _) => {
            let wide = to_float(literal);
            let narrow = wide as f32;
            if wide.is_finite() && narrow.is_infinite() {
                Err(fail(Reason::OutOfRange))
            } else {
                Ok(Scalar::F32(narrow))
            }
        }
        (_, _) => Ok(Scalar::F64(to_float(literal))),
    }
}

/// An integer-valued literal as an `i128`; the caller narrows it.
pub fn to_integer(literal: Literal) -> Result<i128, Reason> {
    match literal {
        Literal::Int(x) => Ok(x),
        // Every f64 with |x| < 2^127 is exactly representable in i128, so
        // the cast below is exact once the value is integral and in range.
        Literal::Float(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1.0e38 => Ok(x as i128),
        Literal::Float(x) if x.is_finite() && x.fract() == 0.0 => Err(Reason::OutOfRange),
        Literal::Float(_) => Err(Reason::NotAnInteger),
        Literal::Bool(_) => Err(Reason::BoolIsNotANumber),
    }
}

fn to_float(literal: Literal) -> f64 {
    match literal {
        Literal::Int(x) => x as f64,
        Literal::Float(x) => x,
        Literal::Bool(x) => f64::from(u8::from(x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Literal::{Bool as B, Float as F, Int as I};

    fn ok(literal: Literal, ty: ScalarType) -> Scalar {
        to_scalar(literal, ty).unwrap_or_else(|e| panic!("{e}"))
    }

    fn reason(literal: Literal, ty: ScalarType) -> Reason {
        match to_scalar(literal, ty) {
            Err(e) => e.reason,
            Ok(x) => panic!("{literal} became {x:?}"),
        }
    }

    #[test]
    fn accepts_what_fits() {
        assert_eq!(ok(I(-3), ScalarType::I32), Scalar::I32(-3));
        assert_eq!(ok(F(1e6), ScalarType::I64), Scalar::I64(1_000_000));
        assert_eq!(ok(I(2), ScalarType::F32), Scalar::F32(2.0));
        assert_eq!(ok(F(2.5), ScalarType::F64), Scalar::F64(2.5));
        assert_eq!(
            ok(F(f64::NEG_INFINITY), ScalarType::F32),
            Scalar::F32(f32::NEG_INFINITY)
        );
        assert_eq!(ok(B(true), ScalarType::Bool), Scalar::Bool(true));
        assert_eq!(
            ok(I(i64::MIN as i128), ScalarType::I64),
            Scalar::I64(i64::MIN)
        );
    }

    #[test]
    fn refuses_what_does_not() {
        assert_eq!(reason(F(2.5), ScalarType::I32), Reason::NotAnInteger);
        assert_eq!(reason(F(f64::NAN), ScalarType::I64), Reason::NotAnInteger);
        assert_eq!(
            reason(I(300_000_000_000), ScalarType::I32),
            Reason::OutOfRange
        );
        assert_eq!(reason(F(1e300), ScalarType::I64), Reason::OutOfRange);
        assert_eq!(reason(F(1e39), ScalarType::F32), Reason::OutOfRange);
        assert_eq!(reason(I(1), ScalarType::Bool), Reason::NotABool);
        assert_eq!(reason(B(true), ScalarType::F64), Reason::BoolIsNotANumber);
    }

    #[test]
    fn messages_name_the_literal_and_type() {
        let e = to_scalar(I(300_000_000_000), ScalarType::I32).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`300000000000` is out of range for i32 (-2147483648..=2147483647)"
        );
        let e = to_scalar(F(2.5), ScalarType::I32).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`2.5` is not an integer, so it does not fit i32"
        );
    }
}
