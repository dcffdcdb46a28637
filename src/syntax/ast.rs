//! The abstract syntax tree of a `.kern` file, as the parser builds it.
//!
//! The AST is a plain owned tree: it says what the user wrote, nothing more.
//! Names are not resolved and types are not known; that is the checker's job
//! (`crate::sema`), which turns the AST into kernel IR. Every node carries the
//! [`Span`] of the text it came from. A node the parser could not make sense
//! of becomes an `Error` node, so that one typo yields one diagnostic and the
//! rest of the file is still checked.

use crate::span::Span;
use crate::types::ScalarType;

pub use crate::semantics::ops::{BinaryOp, ReduceOp, ReduceResult, UnaryOp};

#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Kernel(KernelDecl),
    Function(FunctionDecl),
    Const(ConstDecl),
    Struct(StructDecl),
}

/// `struct Name { field: type, ... }`: a value type of named scalar or
/// struct fields.
#[derive(Clone, Debug, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `const NAME: T = value;` or `const NAME: T[dims] = [v, v, ...];`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub value: ConstValue,
    pub span: Span,
}

/// The value of a `const`: an expression, or a bracketed list (nested
/// once per dimension of a table).
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    Expr(Expr),
    List { items: Vec<ConstValue>, span: Span },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `kernel name(params) -> (outputs) { body }`
#[derive(Clone, Debug, PartialEq)]
pub struct KernelDecl {
    pub name: Ident,
    /// `<T: float, ...>` after the name; empty for an ordinary kernel.
    pub generics: Vec<TypeParam>,
    pub params: Vec<Param>,
    /// Named outputs; empty when the kernel has no `-> (...)` clause (a
    /// kernel may work through `inout` arrays alone).
    pub outputs: Vec<Param>,
    pub body: Block,
    pub span: Span,
}

/// `fn name(params) -> T { stmts; tail }`
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDecl {
    pub name: Ident,
    /// `<T: float, ...>` after the name; empty for an ordinary function.
    pub generics: Vec<TypeParam>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
    pub span: Span,
}

/// A type parameter of a generic kernel or function: `T: float`,
/// `U: i32 | i64`. The checker instantiates the item once per combination
/// of the types the bounds allow; `bound` is empty when none was written
/// (an error the checker reports).
#[derive(Clone, Debug, PartialEq)]
pub struct TypeParam {
    pub name: Ident,
    /// The terms of the bound, joined by `|`: the bound allows the union.
    pub bound: Vec<BoundTerm>,
    pub span: Span,
}

/// One term of a bound: a class of types (`float`, `int`, `signed`,
/// `unsigned`, `num`, resolved by the checker) or one scalar type.
#[derive(Clone, Debug, PartialEq)]
pub enum BoundTerm {
    Class(Ident),
    Scalar(ScalarType, Span),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamMode {
    /// A plain parameter: read-only.
    In,
    /// `inout name: T[n]`: read and written at the current index.
    InOut,
}

/// A kernel or function parameter, or a kernel output (`mode` is `In` there).
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub mode: ParamMode,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `f32`, `f32[n]`, `i32[h, w]`. `dims` is empty for a scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub elem: ElemType,
    /// One expression per dimension: a size name (`n`), an integer
    /// (`3`) or `+ - * /` of those (`n - w + 1`); the checker says which
    /// forms are allowed where.
    pub dims: Vec<Expr>,
    pub span: Span,
}

/// What a type names before its dimensions: a scalar keyword, or a name
/// the checker resolves (a type parameter of a generic item, a struct).
#[derive(Clone, Debug, PartialEq)]
pub enum ElemType {
    Scalar(ScalarType),
    Named(Ident),
    /// `(bool, f32)`: the parts' types (a type without dimensions each,
    /// when well formed).
    Tuple(Vec<TypeExpr>),
}

impl ElemType {
    /// The scalar type, when written as a keyword.
    pub fn scalar(&self) -> Option<ScalarType> {
        match self {
            ElemType::Scalar(ty) => Some(*ty),
            ElemType::Named(_) | ElemType::Tuple(_) => None,
        }
    }
}

impl std::fmt::Display for ElemType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ElemType::Scalar(ty) => write!(f, "{ty}"),
            ElemType::Named(name) => write!(f, "{}", name.name),
            ElemType::Tuple(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
                write!(f, "({})", parts.join(", "))
            }
        }
    }
}

impl std::fmt::Display for TypeExpr {
    /// The type as written, dimensions shown by count (`f32[_, _]`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.elem)?;
        if !self.dims.is_empty() {
            let dims = vec!["_"; self.dims.len()];
            write!(f, "[{}]", dims.join(", "))?;
        }
        Ok(())
    }
}

/// `{ stmts; tail }`. `tail` is the value of a function body or reduction
/// body; statement blocks have `tail == None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
    /// Whether the block ends with its `}` (the last byte of `span`);
    /// recovery may end a block without one.
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let name = value;` or `let name: T = value;`
    Let {
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `let (a, b) = value;`: destructures a value of several parts (today
    /// only a `min_at`/`max_at` reduction; tuples will reuse it).
    LetTuple {
        names: Vec<Ident>,
        pattern_span: Span,
        value: Expr,
    },
    /// `let name: T[dims];`: an array with no value, zero-filled: a kernel
    /// scratch array in uniform code, a per-lane local array elsewhere.
    ArrayDecl {
        name: Ident,
        ty: TypeExpr,
    },
    /// `place = value;` or `place op= value;` (`op` is then `Some`).
    Assign {
        place: Place,
        op: Option<BinaryOp>,
        value: Expr,
    },
    /// `if cond { .. } else { .. }`; `else if` is an else block holding a
    /// single `If` statement.
    If {
        cond: Expr,
        then_block: Block,
        else_block: Option<Block>,
    },
    /// `for var in start..end { .. }` or `start..=end`.
    For {
        var: Ident,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
    },
    While {
        cond: Expr,
        body: Block,
    },
    /// `foreach i in n { .. }` or `foreach (r, c) in (h, w) { .. }`;
    /// `indices` and `domain` have the same length (1 to `abi::MAX_RANK`)
    /// when well formed.
    Foreach {
        indices: Vec<Ident>,
        domain: Vec<Expr>,
        body: Block,
    },
    Break,
    Continue,
    /// An expression followed by `;`. Kern expressions have no effects, so
    /// the checker reports these; the parser keeps them for that message.
    Expr(Expr),
    /// Text the parser skipped while recovering from a syntax error.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub kind: PlaceKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlaceKind {
    /// A local variable or scalar output.
    Var(Ident),
    /// `array[i]` or `array[r, c]`.
    Index { array: Ident, indices: Vec<Expr> },
    /// `p.x`, `ray.dir.y`, `t.0`: a part of a struct or tuple local.
    Field { base: Ident, path: Vec<Member> },
}

/// What follows a `.`: a struct field's name or a tuple position.
#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Name(Ident),
    Index(u32, Span),
}

impl Member {
    pub fn span(&self) -> Span {
        match self {
            Member::Name(name) => name.span,
            Member::Index(_, span) => *span,
        }
    }
}

impl std::fmt::Display for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Member::Name(name) => write!(f, "{}", name.name),
            Member::Index(k, _) => write!(f, "{k}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    Name(Ident),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// A builtin (`sqrt`, `min`, `select`, ...) or user function call.
    Call {
        callee: Ident,
        args: Vec<Expr>,
    },
    /// `f32(x)`, `i64(x)`, ...: the type keyword used as a function.
    Cast {
        ty: ScalarType,
        ty_span: Span,
        arg: Box<Expr>,
    },
    /// `array[i]`, `array[r, c]`.
    Index {
        array: Ident,
        indices: Vec<Expr>,
    },
    /// `base.name` or `base.0`: a struct field or tuple part.
    Field {
        base: Box<Expr>,
        member: Member,
    },
    /// `(a, b)`: a tuple of two or more values.
    Tuple(Vec<Expr>),
    /// `name = value` as a call argument (`Vec3(x = 1.0, y = 0.0, z = 0.0)`).
    Keyword {
        name: Ident,
        value: Box<Expr>,
    },
    /// `sum over i in n { body }`, `max over (r, c) in (h, w) { body }`,
    /// `argmin over ...` (`result` says what the name returns).
    Reduce {
        op: ReduceOp,
        result: ReduceResult,
        op_span: Span,
        indices: Vec<Ident>,
        domain: Vec<Expr>,
        body: Block,
    },
    /// Text the parser could not read as an expression.
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Literal {
    /// An integer literal; its type (i32 or i64) comes from context.
    /// Out-of-range values are reported by the checker once the type is known.
    Int(u64),
    /// A float literal; its type (f32 or f64) comes from context.
    Float(f64),
    Bool(bool),
}
