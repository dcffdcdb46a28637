//! Kernel IR: what a checked kern program means, ready to evaluate or
//! vectorize.
//!
//! In: built only by [`crate::sema`] from a checked AST. Out: read by the
//! reference evaluator ([`crate::eval`]), the IR passes ([`crate::passes`])
//! and the vector plan ([`crate::plan`]).
//!
//! # Shape
//! A [`Module`] holds kernels and pure user functions. Each kernel or function
//! owns a [`Body`]: an arena of expressions ([`ExprNode`], addressed by
//! [`ExprId`]), an arena of locals ([`Local`], [`LocalId`]) and a statement
//! tree ([`Block`]) that points into the expression arena. Every expression
//! and statement carries its source [`Span`]; every expression carries its
//! [`ScalarType`].
//!
//! # Invariants (checked by [`verify`])
//! - Expressions are trees: every [`ExprId`] is used by exactly one parent
//!   (an expression or a statement), and operands precede their users in the
//!   arena. An expression is evaluated when the statement that owns it runs,
//!   so [`Expr::Local`] reads the local's value at that point.
//! - Expressions have no side effects; only array reads ([`Expr::Load`],
//!   [`Expr::LocalLoad`], [`Expr::TableLoad`]) can fail, and calls of
//!   functions holding one or a local array ([`Module::may_fail`]): an
//!   out-of-range index is a runtime error, never a read outside the buffer.
//! - Operand types agree exactly: there is no implicit conversion anywhere.
//!   Integer arithmetic wraps. Comparisons yield `bool`.
//! - [`StmtKind::Foreach`] and [`StmtKind::Reduce`] ("phases") appear only
//!   in a kernel body's uniform code (at its top level or inside its `if`s
//!   and loops), never nested in each other or in a function. Phases are
//!   numbered in program order ([`Body::phases`]).
//! - Inside a phase, the locals declared outside it (uniform locals) are
//!   read-only. A [`StmtKind::Store`] appears only inside a `Foreach`, and
//!   stores at the phase's index locals in the leading dimensions, to an
//!   array whose leading dimensions are the phase's domain. An array stored
//!   in a phase is loaded in that phase only at those leading indices (in
//!   the slice the current index owns), so phases are race-free.
//! - `Break` and `Continue` appear only inside `For` or `While`.
//!
//! # Uniform and varying
//! Inside a phase, a value is *varying* if it depends on a domain index
//! local, on a load with a varying index, or on a local assigned under
//! varying control flow; everything else is *uniform*. Uniform locals
//! (declared outside the phase) can never be assigned inside it, so the
//! classification is a single forward pass over the phase body.

mod display;
pub mod rewrite;
mod verify;

pub use display::dump_module;
pub use verify::{binary_result, unary_result, verify, VerifyError};

pub use crate::semantics::ops::{BinaryOp, Builtin, BuiltinSignature, ReduceOp, UnaryOp};

use crate::semantics::ops::Precision;
use crate::span::Span;
pub use crate::types::Scalar;
use crate::types::ScalarType;
use cranelift_entity::packed_option::ReservedValue;
use cranelift_entity::{entity_impl, PrimaryMap};

/// A user function, referenced by [`Expr::Call`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(u32);
entity_impl!(FuncId, "fn");

/// A kernel parameter or output.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(u32);
entity_impl!(ParamId, "p");

/// A named size (`n` in `f32[n]`), an `i64` known at call time.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SizeId(u32);
entity_impl!(SizeId, "size");

/// A local variable of a body: `let` bindings, loop and domain indices,
/// scalar outputs, function parameters, reduction results.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(u32);
entity_impl!(LocalId, "v");

/// A constant table of the module (`const PERM: i32[256] = [...];`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(u32);
entity_impl!(TableId, "t");

/// A local array of a body (`let v: f32[64];` in a phase or function).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalArrayId(u32);
entity_impl!(LocalArrayId, "a");

/// A statement of a body, numbered in program order (pre-order) by
/// [`Body::number_statements`]: the key of every side table about
/// statements (the vector plan's loop and branch forms).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StmtId(u32);
entity_impl!(StmtId, "s");

impl StmtId {
    /// The id of a statement not numbered yet.
    pub fn unset() -> StmtId {
        StmtId::reserved_value()
    }
}

/// An expression node in a body's arena.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(u32);
entity_impl!(ExprId, "e");

#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Kernels in source order.
    pub kernels: Vec<Kernel>,
    pub functions: PrimaryMap<FuncId, Function>,
    /// Constant tables, readable from every kernel and function.
    pub tables: PrimaryMap<TableId, Table>,
    /// Which variant of the maths builtins every engine runs (set by
    /// [`fast_math`](crate::passes::fast_math), which also contracts `a * b + c`).
    pub precision: Precision,
}

impl Module {
    /// Numbers the statements of every body (see [`Body::number_statements`]).
    pub fn number_statements(&mut self) {
        for kernel in &mut self.kernels {
            kernel.body.number_statements();
        }
        for function in self.functions.values_mut() {
            function.body.number_statements();
        }
    }

    /// This module with `kernel` as its only kernel (functions and tables
    /// kept: it may use any).
    pub fn with_only(&self, kernel: &Kernel) -> Module {
        Module {
            kernels: vec![kernel.clone()],
            functions: self.functions.clone(),
            tables: self.tables.clone(),
            precision: self.precision,
        }
    }

    /// The kernel named `name`: for a generic kernel, its first instance
    /// (see [`Module::instances`]).
    pub fn kernel(&self, name: &str) -> Option<&Kernel> {
        self.kernels.iter().find(|k| k.name == name)
    }

    /// Every kernel named `name`: one, or each instance of a generic kernel
    /// (in the order of its bounds' types).
    pub fn instances<'m>(&'m self, name: &'m str) -> impl Iterator<Item = &'m Kernel> + 'm {
        self.kernels.iter().filter(move |k| k.name == name)
    }
}

/// A read-only array fixed in the source: row-major `data`, one value of
/// type `elem` per element of `dims` (each at least 1).
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub elem: ScalarType,
    pub dims: Vec<i64>,
    pub data: Vec<Scalar>,
    pub span: Span,
}

/// The most elements a constant table may hold (16 MiB of `f64`): tables
/// live in the compiled module's memory, copied once per compilation.
pub const MAX_TABLE_ELEMS: usize = 1 << 21;

#[derive(Clone, Debug)]
pub struct Kernel {
    pub name: String,
    pub span: Span,
    pub sizes: PrimaryMap<SizeId, SizeVar>,
    /// Inputs, `inout` arrays and outputs, in declaration order (outputs
    /// last).
    pub params: PrimaryMap<ParamId, Param>,
    pub body: Body,
    /// For an instance of a generic kernel (`kernel saxpy<T: float>`),
    /// what each type parameter stands for here, in declaration order;
    /// empty for an ordinary kernel. The body knows no type parameters:
    /// every type in it is a scalar type. A module holds every instance,
    /// each under the kernel's name.
    pub type_args: Vec<TypeArg>,
}

/// One type parameter of a generic kernel, in one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeArg {
    pub name: String,
    /// The type it stands for in this instance.
    pub ty: ScalarType,
    /// The types its bound allows, in the bound's order: the kernel has
    /// one instance per combination.
    pub allowed: Vec<ScalarType>,
    /// The bound as written (`float`, `f32 | f64`).
    pub bound: String,
    /// The parameters and outputs whose element type it is.
    pub params: Vec<ParamId>,
}

impl Kernel {
    /// `saxpy<T = f64>` for an instance of a generic kernel, else the name.
    pub fn instance_name(&self) -> String {
        if self.type_args.is_empty() {
            return self.name.clone();
        }
        let args: Vec<String> = (self.type_args.iter())
            .map(|a| format!("{} = {}", a.name, a.ty))
            .collect();
        format!("{}<{}>", self.name, args.join(", "))
    }

    /// The local that holds a scalar output's value at the end of the kernel.
    pub fn output_local(&self, param: ParamId) -> Option<LocalId> {
        self.body
            .locals
            .iter()
            .find(|(_, local)| local.kind == LocalKind::Output(param))
            .map(|(id, _)| id)
    }
}

#[derive(Clone, Debug)]
pub struct SizeVar {
    /// The name (`n`), or for a derived size the expression (`n - w + 1`).
    pub name: String,
    /// Where the size is first named in the signature.
    pub span: Span,
    /// The first input (or `inout`) array dimension that fixes this size at
    /// call time; `None` when only outputs name it, so the caller gives it
    /// (or, for a derived size, it is computed).
    pub fixed_by: Option<(ParamId, usize)>,
    /// `Some` for a derived size (`f32[n, 3]`, `i32[h, 3 * w]`): computed at
    /// call time from sizes numbered before it; an input dimension naming
    /// it is checked against the computed value.
    pub definition: Option<SizeDef>,
}

/// How a derived size follows from others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeDef {
    Const(i64),
    Binary {
        op: SizeOp,
        lhs: SizeId,
        rhs: SizeId,
    },
}

/// The arithmetic allowed in a dimension: exact `i64`, no wrapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SizeOp {
    Add,
    Sub,
    Mul,
    /// Truncating division (sizes are never negative, so also floor).
    Div,
}

impl SizeOp {
    /// `a op b`, or `None` on overflow or division by zero.
    pub fn apply(self, a: i64, b: i64) -> Option<i64> {
        match self {
            SizeOp::Add => a.checked_add(b),
            SizeOp::Sub => a.checked_sub(b),
            SizeOp::Mul => a.checked_mul(b),
            SizeOp::Div => a.checked_div(b),
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            SizeOp::Add => "+",
            SizeOp::Sub => "-",
            SizeOp::Mul => "*",
            SizeOp::Div => "/",
        }
    }

    /// Binding strength, for printing without redundant parentheses.
    pub fn precedence(self) -> u8 {
        match self {
            SizeOp::Add | SizeOp::Sub => 1,
            SizeOp::Mul | SizeOp::Div => 2,
        }
    }
}

impl SizeDef {
    /// The value from the values of the sizes it reads (`None` when one is
    /// unknown, or on overflow or division by zero).
    pub fn eval(self, value: impl Fn(SizeId) -> Option<i64>) -> Option<i64> {
        match self {
            SizeDef::Const(c) => Some(c),
            SizeDef::Binary { op, lhs, rhs } => op.apply(value(lhs)?, value(rhs)?),
        }
    }
}

impl Kernel {
    /// The size a domain extent is exactly: `Expr::Size(s)`, or a literal
    /// equal to a constant size (`foreach k in 3` runs over the `3` of
    /// `f32[n, 3]`). Arrays of that shape are the domain's shape.
    pub fn extent_size(&self, extent: ExprId) -> Option<SizeId> {
        match self.body.exprs[extent].expr {
            Expr::Size(s) => Some(s),
            Expr::Const(Scalar::I64(v)) => self
                .sizes
                .iter()
                .find(|(_, size)| size.definition == Some(SizeDef::Const(v)))
                .map(|(id, _)| id),
            _ => None,
        }
    }

    /// Fills in every derived size whose operands `sizes` knows (and that
    /// it does not hold already), in size order, so chains resolve.
    pub fn derive_sizes(&self, sizes: &mut std::collections::BTreeMap<SizeId, i64>) {
        for (id, size) in self.sizes.iter() {
            if let Some(def) = size.definition {
                if !sizes.contains_key(&id) {
                    if let Some(v) = def.eval(|s| sizes.get(&s).copied()) {
                        sizes.insert(id, v);
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamRole {
    /// Read-only.
    Input,
    /// An array read and written at the current index.
    InOut,
    /// A named result: an array written by foreach phases, or a scalar set by
    /// uniform code (its value lives in a local of kind
    /// [`LocalKind::Output`]).
    Output,
    /// A kernel scratch array (`let next: f64[h, w];` in uniform code): not
    /// part of the interface; the runtime allocates it for each call,
    /// zero-filled, and phases write it like an output. Scratch arrays
    /// come after the outputs, so the parameters before them are exactly
    /// the signature's.
    Scratch,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    Scalar(ScalarType),
    /// Row-major (C order) array with 1 to [`crate::abi::MAX_RANK`]
    /// dimensions.
    Array {
        elem: ScalarType,
        dims: Vec<SizeId>,
    },
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub span: Span,
    pub role: ParamRole,
    pub kind: ParamKind,
}

impl Param {
    pub fn elem(&self) -> ScalarType {
        match &self.kind {
            ParamKind::Scalar(ty) => *ty,
            ParamKind::Array { elem, .. } => *elem,
        }
    }

    pub fn dims(&self) -> &[SizeId] {
        match &self.kind {
            ParamKind::Scalar(_) => &[],
            ParamKind::Array { dims, .. } => dims,
        }
    }

    pub fn is_array(&self) -> bool {
        matches!(self.kind, ParamKind::Array { .. })
    }

    /// An array that phases may store to and `swap` may exchange.
    pub fn is_writable_array(&self) -> bool {
        self.is_array() && self.role != ParamRole::Input
    }
}

/// A pure function: its parameters are the first locals of its body, its
/// value is `result` evaluated after `body.block`.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub span: Span,
    pub params: Vec<LocalId>,
    pub ret: ScalarType,
    pub body: Body,
    pub result: ExprId,
}

#[derive(Clone, Debug, Default)]
pub struct Body {
    pub exprs: PrimaryMap<ExprId, ExprNode>,
    pub locals: PrimaryMap<LocalId, Local>,
    /// Local arrays, declared by [`StmtKind::DeclareArray`].
    pub arrays: PrimaryMap<LocalArrayId, LocalArray>,
    pub block: Block,
}

pub type Block = Vec<Stmt>;

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: ScalarType,
    pub span: Span,
    pub kind: LocalKind,
}

/// An array private to one run of a phase body or function (in a phase,
/// one copy per lane): constant dimensions, zero-filled each time its
/// declaration runs, read and written at any index (checked).
#[derive(Clone, Debug)]
pub struct LocalArray {
    pub name: String,
    pub elem: ScalarType,
    /// Row-major extents, each at least 1; their product is at most
    /// [`MAX_LOCAL_ARRAY_ELEMS`].
    pub dims: Vec<i64>,
    pub span: Span,
}

/// The most elements one local array may hold: in a phase each of the 8
/// lanes has its own copy on the stack of a worker thread, so an `f64`
/// array of this size takes 256 KiB there.
pub const MAX_LOCAL_ARRAY_ELEMS: i64 = 4096;

impl LocalArray {
    pub fn len(&self) -> i64 {
        self.dims.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalKind {
    /// A `let` binding; mutable.
    Var,
    /// A `for` loop counter; read-only in the loop body.
    LoopCounter,
    /// Dimension `dim` of a foreach or reduction domain; read-only, `i64`.
    DomainIndex { dim: usize },
    /// A scalar kernel output; starts at zero.
    Output(ParamId),
    /// The result of a [`StmtKind::Reduce`] phase (a hidden temporary when
    /// the reduction was part of a larger expression).
    ReduceResult,
    /// A function parameter; read-only.
    FnParam,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    /// Unique within the body once numbered; [`Stmt::new`] leaves it
    /// unset until [`Body::number_statements`] runs.
    pub id: StmtId,
    pub kind: StmtKind,
    pub span: Span,
}

impl Stmt {
    /// A statement not yet numbered: whoever builds or rewrites a body
    /// calls [`Body::number_statements`] when done (the verifier checks).
    pub fn new(kind: StmtKind, span: Span) -> Stmt {
        Stmt {
            id: StmtId::unset(),
            kind,
            span,
        }
    }

    /// The statement blocks directly inside this one, in program order.
    pub fn children(&self) -> impl Iterator<Item = &Block> {
        let (a, b): (Option<&Block>, Option<&Block>) = match &self.kind {
            StmtKind::If {
                then_block,
                else_block,
                ..
            } => (Some(then_block), Some(else_block)),
            StmtKind::For { body, .. }
            | StmtKind::While { body, .. }
            | StmtKind::Foreach { body, .. }
            | StmtKind::Reduce { body, .. } => (Some(body), None),
            StmtKind::Assign { .. }
            | StmtKind::Store { .. }
            | StmtKind::DeclareArray { .. }
            | StmtKind::LocalStore { .. }
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Swap { .. } => (None, None),
        };
        a.into_iter().chain(b)
    }

    /// A `Foreach` or `Reduce`: a statement that runs in parallel.
    pub fn is_phase(&self) -> bool {
        matches!(
            self.kind,
            StmtKind::Foreach { .. } | StmtKind::Reduce { .. }
        )
    }

    fn children_mut(&mut self) -> Vec<&mut Block> {
        rewrite::blocks_mut(&mut self.kind)
    }
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// Sets a local: `let x = v;`, `x = v;`, `x += v;` (already expanded to
    /// `x = x + v`).
    Assign {
        local: LocalId,
        value: ExprId,
    },
    /// Writes an output, `inout` or scratch array at the current foreach
    /// index: the leading indices are the domain's index locals, and the
    /// array's leading dimensions the domain's extents. Further indices (an
    /// *owner store*, into the slice the current index owns, e.g.
    /// `pos[i, k]` in `foreach i in n`) are any `i64` expressions,
    /// checked: out of range is a runtime error, as for loads.
    Store {
        array: ParamId,
        index: Vec<ExprId>,
        value: ExprId,
    },
    /// Brings a local array into scope, every element zero (each time the
    /// statement runs: an array declared in a loop body starts afresh in
    /// every iteration).
    DeclareArray {
        array: LocalArrayId,
    },
    /// `array[index] = value` into a local array; the indices are `i64`,
    /// evaluated and checked before `value` (out of range is a runtime
    /// error, as for kernel arrays).
    LocalStore {
        array: LocalArrayId,
        index: Vec<ExprId>,
        value: ExprId,
    },
    If {
        cond: ExprId,
        then_block: Block,
        else_block: Block,
    },
    /// `counter` runs from `start` up to `end` (exclusive, or inclusive when
    /// `inclusive`), step 1. `start` and `end` are evaluated once, before the
    /// first iteration; no overflow happens even when `end` is the type's
    /// maximum and `inclusive` is set.
    For {
        counter: LocalId,
        start: ExprId,
        end: ExprId,
        inclusive: bool,
        body: Block,
    },
    /// `cond` is evaluated before every iteration.
    While {
        cond: ExprId,
        body: Block,
    },
    Break,
    Continue,
    /// Exchanges two writable arrays of one element type and shape in O(1)
    /// (double buffering), in uniform code: from here on each name means
    /// the other's memory. The caller's output and `inout` buffers still
    /// receive the final contents of their names when the kernel ends.
    Swap {
        a: ParamId,
        b: ParamId,
    },
    /// A parallel phase: `body` runs once for every index of `domain`, in no
    /// particular order.
    Foreach {
        domain: Domain,
        body: Block,
    },
    /// A reduction phase: `dst = op over domain { body; value }`. For
    /// `argmin`/`argmax` (and only those), `index` receives the flat
    /// row-major index of the chosen element (an `i64` local) and `dst`
    /// the element itself (`min_at`), or a hidden temporary (`argmin`).
    Reduce {
        dst: LocalId,
        index: Option<LocalId>,
        op: ReduceOp,
        domain: Domain,
        body: Block,
        value: ExprId,
    },
}

/// The index space of a phase: `indices[d]` runs over `0..extents[d]`, the
/// last dimension fastest. Extents are uniform `i64` expressions evaluated
/// once when the phase starts; a negative extent means an empty domain.
#[derive(Clone, Debug)]
pub struct Domain {
    pub indices: Vec<LocalId>,
    pub extents: Vec<ExprId>,
}

#[derive(Clone, Debug)]
pub struct ExprNode {
    pub expr: Expr,
    pub ty: ScalarType,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(Scalar),
    /// The value of a scalar input parameter.
    Param(ParamId),
    /// The value of a size, as `i64`.
    Size(SizeId),
    /// The current value of a local.
    Local(LocalId),
    /// Reads an array element; one index per dimension, each `i64`.
    /// An index outside the array is a runtime error.
    Load {
        array: ParamId,
        index: Vec<ExprId>,
    },
    /// Reads a local array element (see [`StmtKind::LocalStore`]); an
    /// index outside the array is a runtime error.
    LocalLoad {
        array: LocalArrayId,
        index: Vec<ExprId>,
    },
    /// Reads an element of a constant table; an index outside it is a
    /// runtime error.
    TableLoad {
        table: TableId,
        index: Vec<ExprId>,
    },
    Unary {
        op: UnaryOp,
        arg: ExprId,
    },
    /// Both operands have the same type. `And` and `Or` evaluate `rhs` only
    /// when needed. Shifts take the amount modulo the bit width.
    Binary {
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    /// Converts `arg` to the node's type (see docs/LANGUAGE.md for the exact
    /// rules: float → int saturates, NaN → 0).
    Cast {
        arg: ExprId,
    },
    Builtin {
        fun: Builtin,
        args: Vec<ExprId>,
    },
    Call {
        func: FuncId,
        args: Vec<ExprId>,
    },
}

impl Body {
    /// Numbers every statement in pre-order (`s0` first); returns how many
    /// there are. Deterministic, so plans and dumps are stable.
    pub fn number_statements(&mut self) -> usize {
        fn walk(block: &mut Block, next: &mut u32) {
            for stmt in block {
                stmt.id = StmtId::from_u32(*next);
                *next += 1;
                for child in stmt.children_mut() {
                    walk(child, next);
                }
            }
        }
        let mut next = 0;
        walk(&mut self.block, &mut next);
        next as usize
    }

    /// The phase statements (`Foreach`, `Reduce`) of a kernel body in
    /// program order (pre-order): their position is the phase's number
    /// everywhere (plan, frame, chunk functions, runtime).
    pub fn phases(&self) -> Vec<&Stmt> {
        fn walk<'b>(block: &'b Block, out: &mut Vec<&'b Stmt>) {
            for stmt in block {
                if stmt.is_phase() {
                    out.push(stmt);
                } else {
                    stmt.children().for_each(|child| walk(child, out));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.block, &mut out);
        out
    }

    /// Whether `expr` reads an array (kernel, local or table) itself, not
    /// counting what the functions it calls read.
    pub fn reads_array(&self, expr: ExprId) -> bool {
        let node = &self.exprs[expr].expr;
        is_array_read(node) || node.operands().any(|e| self.reads_array(e))
    }
}

fn is_array_read(node: &Expr) -> bool {
    matches!(
        node,
        Expr::Load { .. } | Expr::LocalLoad { .. } | Expr::TableLoad { .. }
    )
}

impl Module {
    /// Whether evaluating `expr` of `body` can fail: it reads an array, or
    /// calls a function that can fail (one that reads a table or a local
    /// array: an index out of range there fails the call). `&&` and `||`
    /// must not evaluate such a right side where the left decides.
    pub fn may_fail(&self, body: &Body, expr: ExprId) -> bool {
        let node = &body.exprs[expr].expr;
        let here = match node {
            Expr::Call { func, .. } => self.function_may_fail(*func),
            other => is_array_read(other),
        };
        here || node.operands().any(|e| self.may_fail(body, e))
    }

    /// Whether a call of `func` can fail. Calls nest at most a few dozen
    /// deep and never recursively (the checker refuses both), so this
    /// walk ends quickly.
    pub fn function_may_fail(&self, func: FuncId) -> bool {
        let Some(f) = self.functions.get(func) else {
            return false;
        };
        // A local array may be stored out of range; any read may fail.
        !f.body.arrays.is_empty()
            || f.body.exprs.values().any(|n| match &n.expr {
                Expr::Call { func, .. } => self.function_may_fail(*func),
                other => is_array_read(other),
            })
    }
}

impl Expr {
    /// The operand handles of this node, in order (`lhs` before `rhs`,
    /// arguments and indices left to right). The one walk over operands
    /// that the verifier, the dump and any later pass share, so a new
    /// variant is taught to all of them here.
    pub fn operands(&self) -> impl Iterator<Item = ExprId> + '_ {
        let (fixed, list): ([Option<ExprId>; 2], &[ExprId]) = match self {
            Expr::Const(_) | Expr::Param(_) | Expr::Size(_) | Expr::Local(_) => ([None, None], &[]),
            Expr::Unary { arg, .. } | Expr::Cast { arg } => ([Some(*arg), None], &[]),
            Expr::Binary { lhs, rhs, .. } => ([Some(*lhs), Some(*rhs)], &[]),
            Expr::Load { index: args, .. }
            | Expr::LocalLoad { index: args, .. }
            | Expr::TableLoad { index: args, .. }
            | Expr::Builtin { args, .. }
            | Expr::Call { args, .. } => ([None, None], args),
        };
        fixed.into_iter().flatten().chain(list.iter().copied())
    }
}
