//! The operators, builtins and maths precision of kern, as names: what
//! each stage (front end, IR, evaluator, codegen, runtime) refers to. This
//! file depends on nothing but [`crate::types`]; what each operator *does*
//! is defined beside it, in [`super::scalar`], [`super::builtins`] and
//! [`crate::vmath`].

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
        }
    }

    pub fn from_name(name: &str) -> Option<ReduceOp> {
        match name {
            "sum" => Some(ReduceOp::Sum),
            "prod" => Some(ReduceOp::Prod),
            "min" => Some(ReduceOp::Min),
            "max" => Some(ReduceOp::Max),
            _ => None,
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
}

/// Which types a builtin accepts. `T` is one type shared by the listed
/// operands and the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinSignature {
    /// `(T, ...) -> T` with `arity` operands, `T` any numeric type.
    Numeric { arity: usize },
    /// `(T, ...) -> T` with `arity` operands, `T` f32 or f64.
    Float { arity: usize },
    /// `select(bool, T, T) -> T`, `T` any type.
    Select,
}

impl Builtin {
    pub const ALL: [Builtin; 32] = {
        use Builtin::*;
        [
            Abs, Min, Max, Clamp, Select, Sqrt, Floor, Ceil, Round, Trunc, Fma, Exp, Exp2, Expm1,
            Log, Log2, Log10, Log1p, Pow, Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh,
            Erf, Erfc, Cbrt,
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
            Pow | Atan2 => BuiltinSignature::Float { arity: 2 },
            _ => BuiltinSignature::Float { arity: 1 },
        }
    }

    pub fn arity(self) -> usize {
        match self.signature() {
            BuiltinSignature::Numeric { arity } | BuiltinSignature::Float { arity } => arity,
            BuiltinSignature::Select => 3,
        }
    }
}

/// Which variant of each routine to use: chosen per compile (`Options`,
/// `kjit run --fast-math`) and recorded in the IR module, so the evaluator
/// and the JIT pick the same one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Precision {
    /// ≤ 1 ulp for exp, exp2, log, log2; ≤ 2 ulp for the rest.
    #[default]
    Precise,
    /// Looser bounds (MATH.md), shorter code.
    Fast,
}
