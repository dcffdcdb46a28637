//! Named constants: `pi`, `e`, `inf` and `nan`, which are float literals
//! (their type comes from context, like `1.0`'s), and the constants of each
//! numeric type, `i32::MAX`, `f64::EPSILON`, ..., which have that type.
//!
//! They are found only when no local, parameter or size of that name is in
//! scope, so a kernel with a parameter `e` or a local `pi` keeps meaning
//! its own value. The parser reads `T::NAME` as one name (no user name can
//! contain `::`).

use crate::types::{Kind, Scalar, ScalarType};

/// What a constant's name stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NamedConstant {
    /// A float literal of this value (rounded to `f32` once if the context
    /// makes it an `f32`: `pi` then is the `f32` nearest to π, since the
    /// `f64` value is not near a rounding boundary of `f32`).
    Float(f64),
    /// A value of a fixed type.
    Typed(Scalar),
}

/// The constants without a type, by name.
pub const FLOATS: [(&str, f64); 4] = [
    ("pi", std::f64::consts::PI),
    ("e", std::f64::consts::E),
    ("inf", f64::INFINITY),
    ("nan", f64::NAN),
];

/// The names after `T::` for a type `T`, in the order help lists them.
pub fn type_constant_names(ty: ScalarType) -> &'static [&'static str] {
    match ty.kind() {
        Kind::Int { .. } => &["MIN", "MAX"],
        Kind::Float => &[
            "MIN",
            "MAX",
            "EPSILON",
            "MIN_POSITIVE",
            "INFINITY",
            "NEG_INFINITY",
            "NAN",
        ],
        Kind::Bool => &[],
    }
}

/// The constant a name stands for, if it names one.
pub fn lookup(name: &str) -> Option<NamedConstant> {
    if let Some(&(_, v)) = FLOATS.iter().find(|(n, _)| *n == name) {
        return Some(NamedConstant::Float(v));
    }
    let (ty, member) = name.split_once("::")?;
    type_constant(ScalarType::from_name(ty)?, member).map(NamedConstant::Typed)
}

/// `ty::member`, with Rust's meanings: `MIN` is the most negative finite
/// value (`-MAX` for floats), `MIN_POSITIVE` the smallest normal one,
/// `EPSILON` the distance from 1 to the next larger value.
pub fn type_constant(ty: ScalarType, member: &str) -> Option<Scalar> {
    use Scalar::*;
    if let Some((lo, hi)) = ty.int_range() {
        let v = match member {
            "MIN" => lo,
            "MAX" => hi,
            _ => return None,
        };
        return Scalar::of_int(ty, v);
    }
    Some(match (ty, member) {
        (ScalarType::F32, "MIN") => F32(f32::MIN),
        (ScalarType::F32, "MAX") => F32(f32::MAX),
        (ScalarType::F32, "EPSILON") => F32(f32::EPSILON),
        (ScalarType::F32, "MIN_POSITIVE") => F32(f32::MIN_POSITIVE),
        (ScalarType::F32, "INFINITY") => F32(f32::INFINITY),
        (ScalarType::F32, "NEG_INFINITY") => F32(f32::NEG_INFINITY),
        (ScalarType::F32, "NAN") => F32(f32::NAN),
        (ScalarType::F64, "MIN") => F64(f64::MIN),
        (ScalarType::F64, "MAX") => F64(f64::MAX),
        (ScalarType::F64, "EPSILON") => F64(f64::EPSILON),
        (ScalarType::F64, "MIN_POSITIVE") => F64(f64::MIN_POSITIVE),
        (ScalarType::F64, "INFINITY") => F64(f64::INFINITY),
        (ScalarType::F64, "NEG_INFINITY") => F64(f64::NEG_INFINITY),
        (ScalarType::F64, "NAN") => F64(f64::NAN),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_constant_exists() {
        for ty in ScalarType::ALL {
            for member in type_constant_names(ty) {
                let name = format!("{ty}::{member}");
                assert!(matches!(lookup(&name), Some(NamedConstant::Typed(v)) if v.ty() == ty));
            }
        }
        assert_eq!(lookup("i32::EPSILON"), None);
        assert_eq!(lookup("bool::MAX"), None);
        assert_eq!(lookup("tau"), None);
    }

    /// `pi` and `e` as f32 round the f64 value once more; that must give
    /// the f32 nearest to the real constant, which Rust's f32 consts are.
    #[test]
    fn f32_constants_round_once() {
        assert_eq!(std::f64::consts::PI as f32, std::f32::consts::PI);
        assert_eq!(std::f64::consts::E as f32, std::f32::consts::E);
    }

    /// NaN rounds to the positive quiet NaN in either width.
    #[test]
    fn nan_is_the_positive_quiet_nan() {
        assert_eq!((f64::NAN as f32).to_bits(), 0x7fc0_0000);
        assert_eq!(f64::NAN.to_bits(), 0x7ff8_0000_0000_0000);
    }
}
