//! Test-only builder for hand-made kernel IR.
//!
//! In: calls that mirror the IR constructors. Out: a [`Kernel`] or
//! [`Function`] that the verifier accepts when the calls describe a valid
//! program (types are inferred the way sema would: comparisons give bool,
//! everything else its first operand's type). Tests of the verifier, the
//! dump, the signature and the evaluator share it until `sema` can build IR
//! from source; it lives here because the evaluator's tests are its main
//! user.

use crate::ir::*;
use crate::span::Span;
use crate::types::ScalarType;
use cranelift_entity::PrimaryMap;

pub(crate) struct IrBuilder {
    pub name: String,
    pub sizes: PrimaryMap<SizeId, SizeVar>,
    pub params: PrimaryMap<ParamId, Param>,
    pub body: Body,
    /// Blocks being built; statements go to the last one.
    blocks: Vec<Block>,
    /// The span given to every new node.
    span: Span,
}

impl IrBuilder {
    pub fn new(name: &str) -> IrBuilder {
        IrBuilder {
            name: name.to_string(),
            sizes: PrimaryMap::new(),
            params: PrimaryMap::new(),
            body: Body::default(),
            blocks: vec![Vec::new()],
            span: Span::default(),
        }
    }

    /// Gives every node built from now on this span.
    pub fn at(&mut self, start: usize, end: usize) {
        self.span = Span::new(start, end);
    }

    // ----- signature -----

    pub fn size(&mut self, name: &str) -> SizeId {
        let span = self.span;
        self.sizes.push(SizeVar {
            name: name.to_string(),
            span,
            fixed_by: None,
            definition: None,
        })
    }

    pub fn scalar(&mut self, name: &str, role: ParamRole, ty: ScalarType) -> ParamId {
        self.param(name, role, ParamKind::Scalar(ty))
    }

    /// An array parameter; input and inout arrays fix their sizes (the
    /// first one to name a size wins, as in sema).
    pub fn array(
        &mut self,
        name: &str,
        role: ParamRole,
        elem: ScalarType,
        dims: &[SizeId],
    ) -> ParamId {
        let id = self.param(
            name,
            role,
            ParamKind::Array {
                elem,
                dims: dims.to_vec(),
            },
        );
        if role != ParamRole::Output {
            for (d, &s) in dims.iter().enumerate() {
                if let Some(size) = self.sizes.get_mut(s) {
                    size.fixed_by.get_or_insert((id, d));
                }
            }
        }
        id
    }

    fn param(&mut self, name: &str, role: ParamRole, kind: ParamKind) -> ParamId {
        let span = self.span;
        self.params.push(Param {
            name: name.to_string(),
            span,
            role,
            kind,
        })
    }

    /// A scalar output and the local holding its value.
    pub fn scalar_output(&mut self, name: &str, ty: ScalarType) -> (ParamId, LocalId) {
        let p = self.scalar(name, ParamRole::Output, ty);
        (p, self.local(name, ty, LocalKind::Output(p)))
    }

    pub fn local(&mut self, name: &str, ty: ScalarType, kind: LocalKind) -> LocalId {
        let span = self.span;
        self.body.locals.push(Local {
            name: name.to_string(),
            ty,
            span,
            kind,
        })
    }

    pub fn var(&mut self, name: &str, ty: ScalarType) -> LocalId {
        self.local(name, ty, LocalKind::Var)
    }

    // ----- expressions -----

    pub fn expr(&mut self, expr: Expr, ty: ScalarType) -> ExprId {
        let span = self.span;
        self.body.exprs.push(ExprNode { expr, ty, span })
    }

    pub fn ty(&self, e: ExprId) -> ScalarType {
        self.body.exprs[e].ty
    }

    pub fn c(&mut self, c: Scalar) -> ExprId {
        self.expr(Expr::Const(c), c.ty())
    }

    pub fn bool(&mut self, x: bool) -> ExprId {
        self.c(Scalar::Bool(x))
    }

    pub fn i32(&mut self, x: i32) -> ExprId {
        self.c(Scalar::I32(x))
    }

    pub fn i64(&mut self, x: i64) -> ExprId {
        self.c(Scalar::I64(x))
    }

    pub fn f32(&mut self, x: f32) -> ExprId {
        self.c(Scalar::F32(x))
    }

    pub fn f64(&mut self, x: f64) -> ExprId {
        self.c(Scalar::F64(x))
    }

    pub fn get(&mut self, l: LocalId) -> ExprId {
        let ty = self.body.locals[l].ty;
        self.expr(Expr::Local(l), ty)
    }

    pub fn param_ref(&mut self, p: ParamId) -> ExprId {
        let ty = self.params[p].elem();
        self.expr(Expr::Param(p), ty)
    }

    pub fn size_ref(&mut self, s: SizeId) -> ExprId {
        self.expr(Expr::Size(s), ScalarType::I64)
    }

    pub fn load(&mut self, array: ParamId, index: Vec<ExprId>) -> ExprId {
        let ty = self.params[array].elem();
        self.expr(Expr::Load { array, index }, ty)
    }

    /// Loads `array` at the given locals (usually domain indices).
    pub fn load_at(&mut self, array: ParamId, at: &[LocalId]) -> ExprId {
        let index = at.iter().map(|&l| self.get(l)).collect();
        self.load(array, index)
    }

    pub fn unary(&mut self, op: UnaryOp, arg: ExprId) -> ExprId {
        let ty = self.ty(arg);
        self.expr(Expr::Unary { op, arg }, ty)
    }

    pub fn binary(&mut self, op: BinaryOp, lhs: ExprId, rhs: ExprId) -> ExprId {
        let ty = if op.is_comparison() {
            ScalarType::Bool
        } else {
            self.ty(lhs)
        };
        self.expr(Expr::Binary { op, lhs, rhs }, ty)
    }

    pub fn cast(&mut self, arg: ExprId, to: ScalarType) -> ExprId {
        self.expr(Expr::Cast { arg }, to)
    }

    pub fn builtin(&mut self, fun: Builtin, args: Vec<ExprId>) -> ExprId {
        let tys: Vec<ScalarType> = args.iter().map(|&a| self.ty(a)).collect();
        // Ill-typed calls are built too (verifier tests): they get the type
        // of the first value operand.
        let from = if fun == Builtin::Select { 1 } else { 0 };
        let fallback = tys.get(from).copied().unwrap_or(ScalarType::F64);
        let ty = fun.signature().result(&tys).unwrap_or(fallback);
        self.expr(Expr::Builtin { fun, args }, ty)
    }

    pub fn call(&mut self, func: FuncId, ret: ScalarType, args: Vec<ExprId>) -> ExprId {
        self.expr(Expr::Call { func, args }, ret)
    }

    // ----- statements -----

    pub fn push(&mut self, kind: StmtKind) {
        let span = self.span;
        // `blocks` starts with the top-level block and `block` pops only
        // what it pushed, so there is always a current block.
        if let Some(block) = self.blocks.last_mut() {
            block.push(Stmt::new(kind, span));
        }
    }

    pub fn block(&mut self, build: impl FnOnce(&mut IrBuilder)) -> Block {
        self.blocks.push(Vec::new());
        build(self);
        self.blocks.pop().unwrap_or_default()
    }

    pub fn assign(&mut self, local: LocalId, value: ExprId) {
        self.push(StmtKind::Assign { local, value });
    }

    pub fn store(&mut self, array: ParamId, at: &[LocalId], value: ExprId) {
        let index = at.iter().map(|&l| self.get(l)).collect();
        self.push(StmtKind::Store {
            array,
            index,
            value,
        });
    }

    pub fn if_(
        &mut self,
        cond: ExprId,
        then: impl FnOnce(&mut IrBuilder),
        els: impl FnOnce(&mut IrBuilder),
    ) {
        let then_block = self.block(then);
        let else_block = self.block(els);
        self.push(StmtKind::If {
            cond,
            then_block,
            else_block,
        });
    }

    pub fn for_(
        &mut self,
        counter: LocalId,
        start: ExprId,
        end: ExprId,
        inclusive: bool,
        body: impl FnOnce(&mut IrBuilder),
    ) {
        let body = self.block(body);
        self.push(StmtKind::For {
            counter,
            start,
            end,
            inclusive,
            body,
        });
    }

    pub fn while_(&mut self, cond: ExprId, body: impl FnOnce(&mut IrBuilder)) {
        let body = self.block(body);
        self.push(StmtKind::While { cond, body });
    }

    /// Index locals `i0, i1, ..` of kind `DomainIndex`.
    fn domain(&mut self, extents: Vec<ExprId>) -> Domain {
        let indices = (0..extents.len())
            .map(|dim| {
                self.local(
                    &format!("i{dim}"),
                    ScalarType::I64,
                    LocalKind::DomainIndex { dim },
                )
            })
            .collect();
        Domain { indices, extents }
    }

    pub fn foreach(&mut self, extents: Vec<ExprId>, body: impl FnOnce(&mut IrBuilder, &[LocalId])) {
        let domain = self.domain(extents);
        let body = self.block(|b| body(b, &domain.indices));
        self.push(StmtKind::Foreach { domain, body });
    }

    /// `foreach` over the given sizes.
    pub fn foreach_sizes(
        &mut self,
        sizes: &[SizeId],
        body: impl FnOnce(&mut IrBuilder, &[LocalId]),
    ) {
        let extents = sizes.iter().map(|&s| self.size_ref(s)).collect();
        self.foreach(extents, body);
    }

    /// `dst = op over domain { body; value }`; `body` returns the value.
    pub fn reduce(
        &mut self,
        dst: LocalId,
        op: ReduceOp,
        extents: Vec<ExprId>,
        body: impl FnOnce(&mut IrBuilder, &[LocalId]) -> ExprId,
    ) {
        let domain = self.domain(extents);
        let mut value = None;
        let block = self.block(|b| value = Some(body(b, &domain.indices)));
        let value = value.unwrap_or_else(|| self.bool(false));
        self.push(StmtKind::Reduce {
            dst,
            index: None,
            op,
            domain,
            body: block,
            value,
        });
    }

    // ----- results -----

    fn take_body(&mut self) -> Body {
        let mut body = std::mem::take(&mut self.body);
        body.block = self.blocks.pop().unwrap_or_default();
        body.number_statements();
        body
    }

    pub fn kernel(mut self) -> Kernel {
        let body = self.take_body();
        Kernel {
            name: self.name,
            span: Span::default(),
            sizes: self.sizes,
            params: self.params,
            body,
            type_args: Vec::new(),
        }
    }

    /// A function whose parameters are the first `arity` locals.
    pub fn function(mut self, arity: usize, ret: ScalarType, result: ExprId) -> Function {
        let params = self.body.locals.keys().take(arity).collect();
        let body = self.take_body();
        Function {
            name: self.name,
            span: Span::default(),
            params,
            ret,
            body,
            result,
        }
    }
}

pub(crate) fn module(kernels: Vec<Kernel>, functions: Vec<Function>) -> Module {
    let mut module = Module {
        kernels,
        ..Module::default()
    };
    for f in functions {
        module.functions.push(f);
    }
    module
}

/// `kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n])`:
/// `out[i] = a * x[i] + y[i]`.
pub(crate) fn saxpy() -> Kernel {
    use ParamRole::*;
    use ScalarType::F32;
    let mut b = IrBuilder::new("saxpy");
    let n = b.size("n");
    let a = b.scalar("a", Input, F32);
    let x = b.array("x", Input, F32, &[n]);
    let y = b.array("y", Input, F32, &[n]);
    let out = b.array("out", Output, F32, &[n]);
    b.foreach_sizes(&[n], |b, i| {
        let av = b.param_ref(a);
        let xv = b.load_at(x, i);
        let ax = b.binary(BinaryOp::Mul, av, xv);
        let yv = b.load_at(y, i);
        let sum = b.binary(BinaryOp::Add, ax, yv);
        b.store(out, i, sum);
    });
    b.kernel()
}
