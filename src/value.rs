//! Runtime values: what a caller passes to a kernel and gets back.
//!
//! In: scalars and row-major arrays built by the CLI, the tests or a library
//! user. Out: the same types, read by [`crate::signature::bind`], the
//! reference evaluator and (later) the JIT runtime.
//!
//! Holds: an [`Array`] built through [`Array::new`] or [`Array::from_vec`]
//! has `data.len() == product(shape)`. The fields are public for easy
//! reading, so `bind` checks the invariant again before anything runs.
//!
//! This module knows no IR: the runtime must be usable without it.

use crate::types::ScalarType;
use std::collections::BTreeMap;
use std::fmt;

/// One scalar value of a kern type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

/// `as_f64`, `as_i32`, ...: the value if it has exactly that type (no
/// conversion, so an `f32` output is not silently widened).
macro_rules! scalar_accessors {
    ($($name:ident: $t:ty => $variant:ident),*) => {$(
        pub fn $name(self) -> Option<$t> {
            match self {
                Scalar::$variant(x) => Some(x),
                _ => None,
            }
        }
    )*};
}

impl Scalar {
    scalar_accessors!(as_bool: bool => Bool, as_i32: i32 => I32, as_i64: i64 => I64,
        as_f32: f32 => F32, as_f64: f64 => F64);

    pub fn ty(self) -> ScalarType {
        match self {
            Scalar::Bool(_) => ScalarType::Bool,
            Scalar::I32(_) => ScalarType::I32,
            Scalar::I64(_) => ScalarType::I64,
            Scalar::F32(_) => ScalarType::F32,
            Scalar::F64(_) => ScalarType::F64,
        }
    }

    /// Zero of `ty` (`false` for bool): the value outputs start from.
    pub fn zero(ty: ScalarType) -> Scalar {
        match ty {
            ScalarType::Bool => Scalar::Bool(false),
            ScalarType::I32 => Scalar::I32(0),
            ScalarType::I64 => Scalar::I64(0),
            ScalarType::F32 => Scalar::F32(0.0),
            ScalarType::F64 => Scalar::F64(0.0),
        }
    }

    /// Bitwise equality: unlike `==`, NaN equals a NaN with the same bits
    /// and `-0.0` differs from `0.0`. This is what differential tests want.
    pub fn same_bits(self, other: Scalar) -> bool {
        match (self, other) {
            (Scalar::F32(a), Scalar::F32(b)) => a.to_bits() == b.to_bits(),
            (Scalar::F64(a), Scalar::F64(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

/// Floats print with `{:?}`, the shortest text that reads back to the same
/// value (`1.0`, `-0.0`, `NaN`, `inf`, `1e-7`).
impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(x) => write!(f, "{x}"),
            Scalar::I32(x) => write!(f, "{x}"),
            Scalar::I64(x) => write!(f, "{x}"),
            Scalar::F32(x) => write!(f, "{x:?}"),
            Scalar::F64(x) => write!(f, "{x:?}"),
        }
    }
}

macro_rules! scalar_from {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<$t> for Scalar {
            fn from(x: $t) -> Scalar {
                Scalar::$variant(x)
            }
        }
        impl From<Vec<$t>> for ArrayData {
            fn from(v: Vec<$t>) -> ArrayData {
                ArrayData::$variant(v)
            }
        }
    )*};
}
scalar_from!(bool => Bool, i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// The elements of an array, flat and row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl ArrayData {
    /// `len` zeros (`false` for bool) of type `elem`.
    pub fn zeros(elem: ScalarType, len: usize) -> ArrayData {
        match elem {
            ScalarType::Bool => ArrayData::Bool(vec![false; len]),
            ScalarType::I32 => ArrayData::I32(vec![0; len]),
            ScalarType::I64 => ArrayData::I64(vec![0; len]),
            ScalarType::F32 => ArrayData::F32(vec![0.0; len]),
            ScalarType::F64 => ArrayData::F64(vec![0.0; len]),
        }
    }

    /// Like [`ArrayData::zeros`], but `None` instead of an abort when the
    /// memory cannot be had: a size a caller gives can be absurdly large,
    /// and that must be an error.
    pub fn try_zeros(elem: ScalarType, len: usize) -> Option<ArrayData> {
        fn filled<T: Clone>(len: usize, x: T) -> Option<Vec<T>> {
            let mut v = Vec::new();
            v.try_reserve_exact(len).ok()?;
            v.resize(len, x);
            Some(v)
        }
        Some(match elem {
            ScalarType::Bool => ArrayData::Bool(filled(len, false)?),
            ScalarType::I32 => ArrayData::I32(filled(len, 0)?),
            ScalarType::I64 => ArrayData::I64(filled(len, 0)?),
            ScalarType::F32 => ArrayData::F32(filled(len, 0.0)?),
            ScalarType::F64 => ArrayData::F64(filled(len, 0.0)?),
        })
    }

    pub fn elem(&self) -> ScalarType {
        match self {
            ArrayData::Bool(_) => ScalarType::Bool,
            ArrayData::I32(_) => ScalarType::I32,
            ArrayData::I64(_) => ScalarType::I64,
            ArrayData::F32(_) => ScalarType::F32,
            ArrayData::F64(_) => ScalarType::F64,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ArrayData::Bool(v) => v.len(),
            ArrayData::I32(v) => v.len(),
            ArrayData::I64(v) => v.len(),
            ArrayData::F32(v) => v.len(),
            ArrayData::F64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at flat index `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<Scalar> {
        match self {
            ArrayData::Bool(v) => v.get(i).map(|&x| Scalar::Bool(x)),
            ArrayData::I32(v) => v.get(i).map(|&x| Scalar::I32(x)),
            ArrayData::I64(v) => v.get(i).map(|&x| Scalar::I64(x)),
            ArrayData::F32(v) => v.get(i).map(|&x| Scalar::F32(x)),
            ArrayData::F64(v) => v.get(i).map(|&x| Scalar::F64(x)),
        }
    }

    /// Writes `x` at flat index `i`. Returns false, changing nothing, when
    /// `i` is past the end or `x` has another type.
    pub fn set(&mut self, i: usize, x: Scalar) -> bool {
        fn put<T>(v: &mut [T], i: usize, x: T) -> bool {
            v.get_mut(i).map(|slot| *slot = x).is_some()
        }
        match (self, x) {
            (ArrayData::Bool(v), Scalar::Bool(x)) => put(v, i, x),
            (ArrayData::I32(v), Scalar::I32(x)) => put(v, i, x),
            (ArrayData::I64(v), Scalar::I64(x)) => put(v, i, x),
            (ArrayData::F32(v), Scalar::F32(x)) => put(v, i, x),
            (ArrayData::F64(v), Scalar::F64(x)) => put(v, i, x),
            _ => false,
        }
    }

    /// Every element, in order.
    pub fn iter(&self) -> impl Iterator<Item = Scalar> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// An `Array` whose data length does not match its shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    pub shape: Vec<usize>,
    pub len: usize,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match element_count(&self.shape) {
            Some(n) => write!(
                f,
                "shape {:?} needs {n} elements, found {}",
                self.shape, self.len
            ),
            None => write!(
                f,
                "shape {:?} has more elements than fit in memory",
                self.shape
            ),
        }
    }
}

impl std::error::Error for ShapeError {}

/// The number of elements of `shape`, or `None` on overflow.
pub fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// A row-major (C order) array: the last dimension is contiguous.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: ArrayData,
}

impl Array {
    pub fn new(shape: Vec<usize>, data: impl Into<ArrayData>) -> Result<Array, ShapeError> {
        let data = data.into();
        if element_count(&shape) == Some(data.len()) {
            Ok(Array { shape, data })
        } else {
            Err(ShapeError {
                shape,
                len: data.len(),
            })
        }
    }

    /// A one-dimensional array holding `data`.
    pub fn from_vec(data: impl Into<ArrayData>) -> Array {
        let data = data.into();
        Array {
            shape: vec![data.len()],
            data,
        }
    }

    /// A zero-filled array, or `None` when the shape has too many elements
    /// or their memory cannot be had (see [`ArrayData::try_zeros`]).
    pub fn zeros(elem: ScalarType, shape: Vec<usize>) -> Option<Array> {
        let len = element_count(&shape)?;
        Some(Array {
            data: ArrayData::try_zeros(elem, len)?,
            shape,
        })
    }

    pub fn elem(&self) -> ScalarType {
        self.data.elem()
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Whether the data length matches the shape (see the module invariant).
    pub fn is_consistent(&self) -> bool {
        element_count(&self.shape) == Some(self.data.len())
    }
}

/// A kernel argument or result.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Array(Array),
}

impl Value {
    pub fn as_scalar(&self) -> Option<Scalar> {
        match self {
            Value::Scalar(x) => Some(*x),
            Value::Array(_) => None,
        }
    }

    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Scalar(_) => None,
            Value::Array(a) => Some(a),
        }
    }
}

/// Named kernel arguments, plus the values of sizes that no input array
/// fixes (`n` in a kernel whose only `f32[n]` is an output).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Args {
    pub values: BTreeMap<String, Value>,
    pub sizes: BTreeMap<String, i64>,
}

impl Args {
    pub fn new() -> Args {
        Args::default()
    }

    pub fn scalar(mut self, name: &str, x: impl Into<Scalar>) -> Args {
        self.values
            .insert(name.to_string(), Value::Scalar(x.into()));
        self
    }

    pub fn array(mut self, name: &str, array: Array) -> Args {
        self.values.insert(name.to_string(), Value::Array(array));
        self
    }

    pub fn size(mut self, name: &str, n: i64) -> Args {
        self.sizes.insert(name.to_string(), n);
        self
    }
}

/// What a kernel run returns: every output (arrays and scalars) and the
/// final contents of every `inout` array, in parameter order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    pub values: Vec<(String, Value)>,
}

impl Outputs {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn array(&self, name: &str) -> Option<&Array> {
        self.get(name).and_then(Value::as_array)
    }

    pub fn scalar(&self, name: &str) -> Option<Scalar> {
        self.get(name).and_then(Value::as_scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_new_checks_length_against_shape() {
        assert!(Array::new(vec![2, 3], vec![0.0f32; 6]).is_ok());
        let err = Array::new(vec![2, 3], vec![0i32; 5]).unwrap_err();
        assert_eq!(err.to_string(), "shape [2, 3] needs 6 elements, found 5");
        let huge = Array::new(vec![usize::MAX, 2], vec![0i64; 0]).unwrap_err();
        assert!(huge.to_string().contains("more elements"));
    }

    #[test]
    fn scalars_print_so_they_read_back() {
        assert_eq!(Scalar::F32(1.0).to_string(), "1.0");
        assert_eq!(Scalar::F64(-0.0).to_string(), "-0.0");
        assert_eq!(Scalar::F32(0.1).to_string(), "0.1");
        assert_eq!(Scalar::I64(i64::MIN).to_string(), "-9223372036854775808");
        assert_eq!(Scalar::Bool(true).to_string(), "true");
    }

    #[test]
    fn set_rejects_wrong_type_and_out_of_range() {
        let mut data = ArrayData::zeros(ScalarType::I32, 2);
        assert!(data.set(1, Scalar::I32(7)));
        assert!(!data.set(2, Scalar::I32(7)));
        assert!(!data.set(0, Scalar::F32(7.0)));
        assert_eq!(data, ArrayData::I32(vec![0, 7]));
    }

    #[test]
    fn same_bits_tells_nan_and_signed_zero_apart() {
        assert!(Scalar::F32(f32::NAN).same_bits(Scalar::F32(f32::NAN)));
        assert!(!Scalar::F64(0.0).same_bits(Scalar::F64(-0.0)));
    }

    #[test]
    fn args_builder_collects_values_and_sizes() {
        let args = Args::new()
            .scalar("a", 2.0f32)
            .array("x", Array::from_vec(vec![1i64, 2]))
            .size("n", 3);
        assert_eq!(args.values["a"], Value::Scalar(Scalar::F32(2.0)));
        assert_eq!(args.sizes["n"], 3);
    }
}
