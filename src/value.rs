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

pub use crate::types::Scalar;

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
scalar_from!(bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16,
    u32 => U32, u64 => U64, f32 => F32, f64 => F64);

/// The default value of a vector's element type (to name an empty
/// vector's type).
fn zero_of<T: Default>(_: &[T]) -> T {
    T::default()
}

/// The elements of an array, flat and row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Applies `$body` to the vector of any [`ArrayData`] variant, bound to `$v`.
#[macro_export]
macro_rules! each_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            $crate::value::ArrayData::Bool($v) => $body,
            $crate::value::ArrayData::I8($v) => $body,
            $crate::value::ArrayData::I16($v) => $body,
            $crate::value::ArrayData::I32($v) => $body,
            $crate::value::ArrayData::I64($v) => $body,
            $crate::value::ArrayData::U8($v) => $body,
            $crate::value::ArrayData::U16($v) => $body,
            $crate::value::ArrayData::U32($v) => $body,
            $crate::value::ArrayData::U64($v) => $body,
            $crate::value::ArrayData::F32($v) => $body,
            $crate::value::ArrayData::F64($v) => $body,
        }
    };
}

pub use crate::each_data;

/// Evaluates `$body` with the type alias `$t` set to the Rust type of the
/// elements of kern type `$elem`.
#[macro_export]
macro_rules! with_elem_type {
    ($elem:expr, $t:ident => $body:expr) => {
        match $elem {
            $crate::types::ScalarType::Bool => {
                type $t = bool;
                $body
            }
            $crate::types::ScalarType::I8 => {
                type $t = i8;
                $body
            }
            $crate::types::ScalarType::I16 => {
                type $t = i16;
                $body
            }
            $crate::types::ScalarType::I32 => {
                type $t = i32;
                $body
            }
            $crate::types::ScalarType::I64 => {
                type $t = i64;
                $body
            }
            $crate::types::ScalarType::U8 => {
                type $t = u8;
                $body
            }
            $crate::types::ScalarType::U16 => {
                type $t = u16;
                $body
            }
            $crate::types::ScalarType::U32 => {
                type $t = u32;
                $body
            }
            $crate::types::ScalarType::U64 => {
                type $t = u64;
                $body
            }
            $crate::types::ScalarType::F32 => {
                type $t = f32;
                $body
            }
            $crate::types::ScalarType::F64 => {
                type $t = f64;
                $body
            }
        }
    };
}
pub use crate::with_elem_type;

/// Builds the [`ArrayData`] variant of element type `$elem`, calling
/// `$make` with that variant's zero.
macro_rules! of_elem {
    ($elem:expr, $zero:ident => $make:expr) => {
        match $elem {
            ScalarType::Bool => ArrayData::Bool({
                let $zero = false;
                $make
            }),
            ScalarType::I8 => ArrayData::I8({
                let $zero = 0;
                $make
            }),
            ScalarType::I16 => ArrayData::I16({
                let $zero = 0;
                $make
            }),
            ScalarType::I32 => ArrayData::I32({
                let $zero = 0;
                $make
            }),
            ScalarType::I64 => ArrayData::I64({
                let $zero = 0;
                $make
            }),
            ScalarType::U8 => ArrayData::U8({
                let $zero = 0;
                $make
            }),
            ScalarType::U16 => ArrayData::U16({
                let $zero = 0;
                $make
            }),
            ScalarType::U32 => ArrayData::U32({
                let $zero = 0;
                $make
            }),
            ScalarType::U64 => ArrayData::U64({
                let $zero = 0;
                $make
            }),
            ScalarType::F32 => ArrayData::F32({
                let $zero = 0.0;
                $make
            }),
            ScalarType::F64 => ArrayData::F64({
                let $zero = 0.0;
                $make
            }),
        }
    };
}

impl ArrayData {
    /// `len` zeros (`false` for bool) of type `elem`.
    pub fn zeros(elem: ScalarType, len: usize) -> ArrayData {
        of_elem!(elem, zero => vec![zero; len])
    }

    /// Like [`ArrayData::zeros`], but `None` instead of an abort when the
    /// memory cannot be had: a size a caller gives can be absurdly large,
    /// and that must be an error.
    pub fn try_zeros(elem: ScalarType, len: usize) -> Option<ArrayData> {
        fn filled<T: Clone>(len: usize, x: T) -> Option<Vec<T>> {
            let mut v: Vec<T> = Vec::new();
            v.try_reserve_exact(len).ok()?;
            // Before the first write, which is what faults the pages in.
            let bytes = len.saturating_mul(std::mem::size_of::<T>());
            crate::memory::advise_huge_pages(v.as_ptr().cast(), bytes);
            v.resize(len, x);
            Some(v)
        }
        Some(of_elem!(elem, zero => filled(len, zero)?))
    }

    pub fn elem(&self) -> ScalarType {
        each_data!(self, v => Scalar::from(zero_of(v)).ty())
    }

    pub fn len(&self) -> usize {
        each_data!(self, v => v.len())
    }

    /// The first element's address, as bytes.
    pub fn as_ptr(&self) -> *const u8 {
        each_data!(self, v => v.as_ptr().cast())
    }

    /// The first element's address, as bytes, for writing.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        each_data!(self, v => v.as_mut_ptr().cast())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at flat index `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<Scalar> {
        each_data!(self, v => v.get(i).map(|&x| Scalar::from(x)))
    }

    /// Writes `x` at flat index `i`. Returns false, changing nothing, when
    /// `i` is past the end or `x` has another type.
    pub fn set(&mut self, i: usize, x: Scalar) -> bool {
        fn put<T>(v: &mut [T], i: usize, x: Option<T>) -> bool {
            match (v.get_mut(i), x) {
                (Some(slot), Some(x)) => {
                    *slot = x;
                    true
                }
                _ => false,
            }
        }
        match self {
            ArrayData::Bool(v) => put(v, i, x.as_bool()),
            ArrayData::I8(v) => put(v, i, x.as_i8()),
            ArrayData::I16(v) => put(v, i, x.as_i16()),
            ArrayData::I32(v) => put(v, i, x.as_i32()),
            ArrayData::I64(v) => put(v, i, x.as_i64()),
            ArrayData::U8(v) => put(v, i, x.as_u8()),
            ArrayData::U16(v) => put(v, i, x.as_u16()),
            ArrayData::U32(v) => put(v, i, x.as_u32()),
            ArrayData::U64(v) => put(v, i, x.as_u64()),
            ArrayData::F32(v) => put(v, i, x.as_f32()),
            ArrayData::F64(v) => put(v, i, x.as_f64()),
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
