//! The scalar types of the kern language and their values ([`Scalar`]:
//! IR constants, evaluator values, arguments), shared by every stage.

use std::fmt;

/// Element type of every value and array in kern. Arrays are not values: they
/// are kernel parameters, named by the IR, never passed around.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum ScalarType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl ScalarType {
    pub const ALL: [ScalarType; 11] = [
        ScalarType::Bool,
        ScalarType::I8,
        ScalarType::I16,
        ScalarType::I32,
        ScalarType::I64,
        ScalarType::U8,
        ScalarType::U16,
        ScalarType::U32,
        ScalarType::U64,
        ScalarType::F32,
        ScalarType::F64,
    ];

    /// The integer types, signed then unsigned, narrowest first.
    pub const INTS: [ScalarType; 8] = [
        ScalarType::I8,
        ScalarType::I16,
        ScalarType::I32,
        ScalarType::I64,
        ScalarType::U8,
        ScalarType::U16,
        ScalarType::U32,
        ScalarType::U64,
    ];

    /// What the type is, as data: every other property derives from this
    /// and [`Self::bits`]. The one match a new type must add an arm to.
    pub fn kind(self) -> Kind {
        match self {
            ScalarType::Bool => Kind::Bool,
            ScalarType::I8 | ScalarType::I16 | ScalarType::I32 | ScalarType::I64 => {
                Kind::Int { signed: true }
            }
            ScalarType::U8 | ScalarType::U16 | ScalarType::U32 | ScalarType::U64 => {
                Kind::Int { signed: false }
            }
            ScalarType::F32 | ScalarType::F64 => Kind::Float,
        }
    }

    /// Bits of one element in memory (a bool is one byte holding 0 or 1).
    pub fn bits(self) -> u32 {
        match self {
            ScalarType::Bool | ScalarType::I8 | ScalarType::U8 => 8,
            ScalarType::I16 | ScalarType::U16 => 16,
            ScalarType::I32 | ScalarType::U32 | ScalarType::F32 => 32,
            ScalarType::I64 | ScalarType::U64 | ScalarType::F64 => 64,
        }
    }

    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    pub fn is_int(self) -> bool {
        matches!(self.kind(), Kind::Int { .. })
    }

    /// Whether the type is a signed integer (floats and bool are not).
    pub fn is_signed(self) -> bool {
        self.kind() == Kind::Int { signed: true }
    }

    /// The smallest and largest values of an integer type (`None` for
    /// bool and floats).
    pub fn int_range(self) -> Option<(i128, i128)> {
        let bits = self.bits();
        match self.kind() {
            Kind::Int { signed: true } => Some((-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)),
            Kind::Int { signed: false } => Some((0, (1i128 << bits) - 1)),
            Kind::Bool | Kind::Float => None,
        }
    }

    /// The 8- and 16-bit integers (`i8 i16 u8 u16`): narrower than a
    /// 32-bit lane.
    pub fn is_narrow_int(self) -> bool {
        self.is_int() && self.bits() <= 16
    }

    pub fn is_numeric(self) -> bool {
        self.is_int() || self.is_float()
    }

    /// Size of one element in memory, as laid out in `.npy` files and slices
    /// (a bool is one byte holding 0 or 1).
    pub fn byte_size(self) -> usize {
        self.bits() as usize / 8
    }

    pub fn name(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::I8 => "i8",
            ScalarType::I16 => "i16",
            ScalarType::I32 => "i32",
            ScalarType::I64 => "i64",
            ScalarType::U8 => "u8",
            ScalarType::U16 => "u16",
            ScalarType::U32 => "u32",
            ScalarType::U64 => "u64",
            ScalarType::F32 => "f32",
            ScalarType::F64 => "f64",
        }
    }

    pub fn from_name(name: &str) -> Option<ScalarType> {
        ScalarType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The kind of values a [`ScalarType`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Bool,
    Int { signed: bool },
    Float,
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One scalar value of a kern type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
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
        as_i8: i8 => I8, as_i16: i16 => I16, as_u8: u8 => U8, as_u16: u16 => U16,
        as_u32: u32 => U32, as_u64: u64 => U64,
        as_f32: f32 => F32, as_f64: f64 => F64);

    pub fn ty(self) -> ScalarType {
        match self {
            Scalar::Bool(_) => ScalarType::Bool,
            Scalar::I8(_) => ScalarType::I8,
            Scalar::I16(_) => ScalarType::I16,
            Scalar::I32(_) => ScalarType::I32,
            Scalar::I64(_) => ScalarType::I64,
            Scalar::U8(_) => ScalarType::U8,
            Scalar::U16(_) => ScalarType::U16,
            Scalar::U32(_) => ScalarType::U32,
            Scalar::U64(_) => ScalarType::U64,
            Scalar::F32(_) => ScalarType::F32,
            Scalar::F64(_) => ScalarType::F64,
        }
    }

    /// Zero of `ty` (`false` for bool): the value outputs start from.
    pub fn zero(ty: ScalarType) -> Scalar {
        match ty.kind() {
            Kind::Bool => Scalar::Bool(false),
            Kind::Int { .. } => Scalar::wrap_int(ty, 0),
            Kind::Float => Scalar::float(ty, 0.0),
        }
    }

    /// The value in the low bits of a `u64`, as frame slots and immediates
    /// hold it: bool as 0/1, signed integers sign-extended, unsigned ones
    /// zero-extended, floats as their bit pattern.
    pub fn to_slot(self) -> u64 {
        match self {
            Scalar::Bool(b) => b as u64,
            Scalar::F32(v) => v.to_bits() as u64,
            Scalar::F64(v) => v.to_bits(),
            int => int.int_value().unwrap_or_default() as u64,
        }
    }

    /// The value of type `ty` in the low bits of `bits` ([`Self::to_slot`]).
    pub fn from_slot(bits: u64, ty: ScalarType) -> Scalar {
        match ty.kind() {
            Kind::Bool => Scalar::Bool(bits & 1 != 0),
            Kind::Int { .. } => Scalar::wrap_int(ty, bits.into()),
            Kind::Float if ty.bits() == 32 => Scalar::F32(f32::from_bits(bits as u32)),
            Kind::Float => Scalar::F64(f64::from_bits(bits)),
        }
    }

    /// The value of an integer scalar (`None` for bool and floats).
    pub fn int_value(self) -> Option<i128> {
        match self {
            Scalar::I8(v) => Some(v.into()),
            Scalar::I16(v) => Some(v.into()),
            Scalar::I32(v) => Some(v.into()),
            Scalar::I64(v) => Some(v.into()),
            Scalar::U8(v) => Some(v.into()),
            Scalar::U16(v) => Some(v.into()),
            Scalar::U32(v) => Some(v.into()),
            Scalar::U64(v) => Some(v.into()),
            Scalar::Bool(_) | Scalar::F32(_) | Scalar::F64(_) => None,
        }
    }

    /// `v` wrapped to the width of integer type `ty` (two's complement,
    /// as `as` does); zero of `ty` for the other types is never asked.
    fn wrap_int(ty: ScalarType, v: i128) -> Scalar {
        match ty {
            ScalarType::I8 => Scalar::I8(v as i8),
            ScalarType::I16 => Scalar::I16(v as i16),
            ScalarType::I32 => Scalar::I32(v as i32),
            ScalarType::I64 => Scalar::I64(v as i64),
            ScalarType::U8 => Scalar::U8(v as u8),
            ScalarType::U16 => Scalar::U16(v as u16),
            ScalarType::U32 => Scalar::U32(v as u32),
            ScalarType::U64 => Scalar::U64(v as u64),
            ScalarType::Bool | ScalarType::F32 | ScalarType::F64 => {
                unreachable!("{ty} is not an integer type")
            }
        }
    }

    /// `v` rounded to float type `ty` (only ever asked for floats).
    fn float(ty: ScalarType, v: f64) -> Scalar {
        match Scalar::of_float(ty, v) {
            Some(s) => s,
            None => unreachable!("{ty} is not a float type"),
        }
    }

    /// `v` as a scalar of integer type `ty`, wrapping to its width (`None`
    /// when `ty` is not an integer type).
    pub fn of_int(ty: ScalarType, v: i128) -> Option<Scalar> {
        ty.is_int().then(|| Scalar::wrap_int(ty, v))
    }

    /// `v` as a scalar of integer type `ty` if it is in the type's range.
    pub fn of_int_exact(ty: ScalarType, v: i128) -> Option<Scalar> {
        Scalar::of_int(ty, v).filter(|s| s.int_value() == Some(v))
    }

    /// `v` as a scalar of float type `ty`, rounded once to nearest (`None`
    /// when `ty` is not a float type).
    pub fn of_float(ty: ScalarType, v: f64) -> Option<Scalar> {
        match (ty.kind(), ty.bits()) {
            (Kind::Float, 32) => Some(Scalar::F32(v as f32)),
            (Kind::Float, _) => Some(Scalar::F64(v)),
            (Kind::Bool | Kind::Int { .. }, _) => None,
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
            Scalar::F32(x) => write!(f, "{x:?}"),
            Scalar::F64(x) => write!(f, "{x:?}"),
            int => write!(f, "{}", int.int_value().unwrap_or_default()),
        }
    }
}
