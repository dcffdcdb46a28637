//! The operators, builtins and maths precision of kern, as names: what
//! each stage (front end, IR, evaluator, codegen, runtime) refers to. This
//! file depends on nothing but [`crate::types`]; what each operator *does*
//! is defined beside it, in [`super::scalar`], [`super::builtins`] and
//! [`crate::vmath`].

use crate::types::ScalarType;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `!x`: logical not on bool, bitwise not on integers.
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `&&`, short-circuit.
    And,
    /// `||`, short-circuit.
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            And => "&&",
            Or => "||",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            Shl => "<<",
            Shr => ">>",
        }
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        }
    }
}

/// What a reduction computes. `ArgMin` and `ArgMax` pick an element (the
/// first of the best, NaN first as NumPy's `argmin`) and track its flat
/// row-major index beside its value; [`ReduceResult`] says which of the two
/// the program keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    ArgMin,
    ArgMax,
}

/// What a reduction expression gives back; its surface name decides
/// (`argmin` the index, `min_at` both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceResult {
    /// The reduced value (`sum`, `prod`, `min`, `max`).
    Value,
    /// The `i64` index of the chosen element (`argmin`, `argmax`).
    Index,
    /// The chosen element and its index, destructured by a `let (v, i)`
    /// (`min_at`, `max_at`).
    ValueAndIndex,
}

/// Every reduction of the surface language: its name, what it computes and
/// what it returns.
pub const REDUCTIONS: [(&str, ReduceOp, ReduceResult); 8] = [
    ("sum", ReduceOp::Sum, ReduceResult::Value),
    ("prod", ReduceOp::Prod, ReduceResult::Value),
    ("min", ReduceOp::Min, ReduceResult::Value),
    ("max", ReduceOp::Max, ReduceResult::Value),
    ("argmin", ReduceOp::ArgMin, ReduceResult::Index),
    ("argmax", ReduceOp::ArgMax, ReduceResult::Index),
    ("min_at", ReduceOp::ArgMin, ReduceResult::ValueAndIndex),
    ("max_at", ReduceOp::ArgMax, ReduceResult::ValueAndIndex),
];

impl ReduceOp {
    /// The IR's name of the operation (`argmin` for `min_at` too).
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::ArgMin => "argmin",
            ReduceOp::ArgMax => "argmax",
        }
    }

    /// The surface reduction `name` (`sum`, `argmin`, `min_at`...).
    pub fn from_name(name: &str) -> Option<(ReduceOp, ReduceResult)> {
        REDUCTIONS
            .iter()
            .find(|r| r.0 == name)
            .map(|&(_, op, result)| (op, result))
    }

    /// The surface name of `self` returning `result`.
    pub fn surface_name(self, result: ReduceResult) -> &'static str {
        REDUCTIONS
            .iter()
            .find(|r| r.1 == self && r.2 == result)
            .map_or(self.name(), |r| r.0)
    }

    /// Whether the reduction tracks the index of an element.
    pub fn tracks_index(self) -> bool {
        match self {
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Min | ReduceOp::Max => false,
            ReduceOp::ArgMin | ReduceOp::ArgMax => true,
        }
    }
}

/// Builtin functions. Their argument and result types are given by
/// [`Builtin::signature`]; their exact semantics are in docs/LANGUAGE.md and
/// implemented by the reference evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Abs,
    Min,
    Max,
    Clamp,
    Select,
    Sqrt,
    Floor,
    Ceil,
    Round,
    Trunc,
    Fma,
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Pow,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Erf,
    Erfc,
    Cbrt,
    /// Round to the nearest integer, ties to even (numpy's `rint`/`round`).
    Rint,
    /// The magnitude of the first operand with the sign bit of the second.
    Copysign,
    /// `sqrt(x*x + y*y)` without intermediate overflow or underflow.
    Hypot,
    IsNan,
    IsInf,
    IsFinite,
    /// Number of one bits.
    Popcount,
    /// Leading zero bits; the bit width for 0.
    Clz,
    /// Trailing zero bits; the bit width for 0.
    Ctz,
    /// A float's bits as the integer of its width.
    ToBits,
    /// The float of an integer's width with those bits.
    FromBits,
}

/// Which types a builtin accepts. `T` is one type shared by the listed
/// operands and the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinSignature {
    /// `(T, ...) -> T` with `arity` operands, `T` any numeric type.
    Numeric { arity: usize },
    /// `(T, ...) -> T` with `arity` operands, `T` f32 or f64.
    Float { arity: usize },
    /// `(T, ...) -> T` with `arity` operands, `T` i32 or i64.
    Int { arity: usize },
    /// `(T) -> bool`, `T` f32 or f64: a test of a float's class.
    FloatTest,
    /// `(T) -> U`, `T` a float and `U` the integer of its width (f32 → i32,
    /// f64 → i64).
    ToBits,
    /// `(U) -> T`, the inverse of [`BuiltinSignature::ToBits`].
    FromBits,
    /// `select(bool, T, T) -> T`, `T` any type.
    Select,
}

impl BuiltinSignature {
    /// The result type on operands of types `args`, `None` if the
    /// signature does not allow them (wrong count, mixed types, or a type
    /// outside the signature). The one statement of every builtin's typing
    /// rule: the checker and the IR verifier both ask it.
    pub fn result(self, args: &[ScalarType]) -> Option<ScalarType> {
        let (first, shared) = match (self, args.split_first()) {
            (BuiltinSignature::Select, Some((&ScalarType::Bool, values))) => {
                (*values.first()?, values)
            }
            (BuiltinSignature::Select, _) | (_, None) => return None,
            (_, Some((&first, _))) => (first, args),
        };
        if self.arity() != args.len() || shared.iter().any(|&t| t != first) {
            return None;
        }
        match self {
            BuiltinSignature::Numeric { .. } => first.is_numeric().then_some(first),
            BuiltinSignature::Float { .. } => first.is_float().then_some(first),
            BuiltinSignature::Int { .. } => first.is_int().then_some(first),
            BuiltinSignature::FloatTest => first.is_float().then_some(ScalarType::Bool),
            BuiltinSignature::ToBits => first.is_float().then(|| bits_twin(first)).flatten(),
            BuiltinSignature::FromBits => first.is_int().then(|| bits_twin(first)).flatten(),
            BuiltinSignature::Select => Some(first),
        }
    }

    pub fn arity(self) -> usize {
        match self {
            BuiltinSignature::Numeric { arity }
            | BuiltinSignature::Float { arity }
            | BuiltinSignature::Int { arity } => arity,
            BuiltinSignature::FloatTest | BuiltinSignature::ToBits | BuiltinSignature::FromBits => {
                1
            }
            BuiltinSignature::Select => 3,
        }
    }
}

/// The float and the integer of one width, each for the other: what
/// `to_bits` and `from_bits` convert between.
pub fn bits_twin(ty: ScalarType) -> Option<ScalarType> {
    match ty {
        ScalarType::F32 => Some(ScalarType::I32),
        ScalarType::I32 => Some(ScalarType::F32),
        ScalarType::F64 => Some(ScalarType::I64),
        ScalarType::I64 => Some(ScalarType::F64),
        ScalarType::Bool
        | ScalarType::I8
        | ScalarType::I16
        | ScalarType::U8
        | ScalarType::U16
        | ScalarType::U32
        | ScalarType::U64 => None,
    }
}

impl Builtin {
    pub const ALL: [Builtin; 43] = {
        use Builtin::*;
        [
            Abs, Min, Max, Clamp, Select, Sqrt, Floor, Ceil, Round, Trunc, Fma, Exp, Exp2, Expm1,
            Log, Log2, Log10, Log1p, Pow, Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh,
            Erf, Erfc, Cbrt, Rint, Copysign, Hypot, IsNan, IsInf, IsFinite, Popcount, Clz, Ctz,
            ToBits, FromBits,
        ]
    };

    pub fn name(self) -> &'static str {
        use Builtin::*;
        match self {
            Abs => "abs",
            Min => "min",
            Max => "max",
            Clamp => "clamp",
            Select => "select",
            Sqrt => "sqrt",
            Floor => "floor",
            Ceil => "ceil",
            Round => "round",
            Trunc => "trunc",
            Fma => "fma",
            Exp => "exp",
            Exp2 => "exp2",
            Expm1 => "expm1",
            Log => "log",
            Log2 => "log2",
            Log10 => "log10",
            Log1p => "log1p",
            Pow => "pow",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Atan2 => "atan2",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Erf => "erf",
            Erfc => "erfc",
            Cbrt => "cbrt",
            Rint => "rint",
            Copysign => "copysign",
            Hypot => "hypot",
            IsNan => "is_nan",
            IsInf => "is_inf",
            IsFinite => "is_finite",
            Popcount => "popcount",
            Clz => "clz",
            Ctz => "ctz",
            ToBits => "to_bits",
            FromBits => "from_bits",
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    pub fn signature(self) -> BuiltinSignature {
        use Builtin::*;
        match self {
            Abs => BuiltinSignature::Numeric { arity: 1 },
            Min | Max => BuiltinSignature::Numeric { arity: 2 },
            Clamp => BuiltinSignature::Numeric { arity: 3 },
            Select => BuiltinSignature::Select,
            Fma => BuiltinSignature::Float { arity: 3 },
            Pow | Atan2 | Copysign | Hypot => BuiltinSignature::Float { arity: 2 },
            Sqrt | Floor | Ceil | Round | Trunc | Rint | Exp | Exp2 | Expm1 | Log | Log2
            | Log10 | Log1p | Sin | Cos | Tan | Asin | Acos | Atan | Sinh | Cosh | Tanh | Erf
            | Erfc | Cbrt => BuiltinSignature::Float { arity: 1 },
            IsNan | IsInf | IsFinite => BuiltinSignature::FloatTest,
            Popcount | Clz | Ctz => BuiltinSignature::Int { arity: 1 },
            ToBits => BuiltinSignature::ToBits,
            FromBits => BuiltinSignature::FromBits,
        }
    }

    pub fn arity(self) -> usize {
        self.signature().arity()
    }
}

/// Which variant of each routine to use: chosen per compile (`Options`,
/// `kjit run --fast-math`) and recorded in the IR module, so the evaluator
/// and the JIT pick the same one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Precision {
    /// ≤ 1 ulp for exp, exp2, log, log2, hypot; ≤ 2 ulp for the rest.
    #[default]
    Precise,
    /// Looser bounds (MATH.md), shorter code.
    Fast,
}
