//! The interpreter proper: statements and expressions of one kernel run.
//!
//! In: a verified kernel and its bound arguments (see [`Machine::new`]).
//! Out: the final state of the arrays and the kernel's frame, or the first
//! [`Trap`] (an out-of-range index).
//!
//! Everything runs sequentially: phases visit their domain in row-major
//! order. Because the IR is verified, handles index their arenas directly
//! (`body.exprs[id]`, `locals[l.index()]`): a dangling handle would have been
//! rejected by the verifier, so those indexings cannot fail. Expressions are
//! evaluated recursively, so the host stack bounds expression depth, as it
//! does in the parser that built them.

use crate::abi::{Chunking, GANG, MAX_RANK};
use crate::ir::*;
use crate::semantics::builtins::builtin;
use crate::semantics::reduce::{self, Partial};
use crate::semantics::scalar::{binary, cast, type_bug, unary};
use crate::span::Span;
use crate::value::{Array, Scalar};
use cranelift_entity::EntityRef;
use std::borrow::Cow;

/// An out-of-range index, before the caller adds names and shapes.
#[derive(Debug)]
pub(super) struct Trap {
    pub array: Trapped,
    pub index: Vec<i64>,
    pub span: Span,
}

/// The array an out-of-range index was for.
#[derive(Debug)]
pub(super) enum Trapped {
    Param(ParamId),
    /// A local array or constant table, named and shaped here (its frame is gone by the time
    /// the error is reported).
    Local {
        name: String,
        shape: Vec<usize>,
    },
}

/// Boxed so that the hot `Result<Scalar, _>` stays small.
pub(super) type Run<T> = Result<T, Box<Trap>>;

/// How a block ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Next,
    Break,
    Continue,
}

/// The locals of one kernel run or function call.
pub(super) struct Frame<'a> {
    body: &'a Body,
    pub locals: Vec<Scalar>,
    /// Each local array's elements, row-major (empty until declared).
    arrays: Vec<Vec<Scalar>>,
}

impl<'a> Frame<'a> {
    /// Every local starts at zero of its type; scalar outputs rely on this.
    pub fn new(body: &'a Body) -> Frame<'a> {
        let locals = body.locals.values().map(|l| Scalar::zero(l.ty)).collect();
        let arrays = vec![Vec::new(); body.arrays.len()];
        Frame {
            body,
            locals,
            arrays,
        }
    }

    /// The flat position of `index` in local array `array`, or a trap.
    fn local_flat(&self, array: LocalArrayId, index: &Index, span: Span) -> Run<usize> {
        let a = &self.body.arrays[array];
        let shape: Vec<usize> = a.dims.iter().map(|&d| d as usize).collect();
        flat_position(index.as_slice(), &shape).ok_or_else(|| {
            Box::new(Trap {
                array: Trapped::Local {
                    name: a.name.clone(),
                    shape,
                },
                index: index.as_slice().to_vec(),
                span,
            })
        })
    }
}

/// The kernel-wide state: parameter values and arrays.
pub(super) struct Machine<'a> {
    pub module: &'a Module,
    pub sizes: Vec<i64>,
    /// The value of each scalar input, indexed by `ParamId` (zero elsewhere).
    pub scalars: Vec<Scalar>,
    /// Each array parameter: borrowed inputs, owned inout and outputs.
    pub arrays: Vec<Option<Cow<'a, Array>>>,
}

impl<'a> Machine<'a> {
    pub fn exec_kernel(&mut self, kernel: &'a Kernel) -> Run<Frame<'a>> {
        let mut frame = Frame::new(&kernel.body);
        self.block(&mut frame, &kernel.body.block)?;
        Ok(frame)
    }

    fn block(&mut self, frame: &mut Frame<'a>, block: &'a Block) -> Run<Flow> {
        for stmt in block {
            let flow = self.stmt(frame, stmt)?;
            if flow != Flow::Next {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn stmt(&mut self, frame: &mut Frame<'a>, stmt: &'a Stmt) -> Run<Flow> {
        match &stmt.kind {
            StmtKind::Assign { local, value } => {
                frame.locals[local.index()] = self.eval(frame, *value)?;
            }
            StmtKind::Store {
                array,
                index,
                value,
            } => self.store(frame, *array, index, *value, stmt.span)?,
            StmtKind::DeclareArray { array } => {
                let a = &frame.body.arrays[*array];
                frame.arrays[array.index()] = vec![Scalar::zero(a.elem); a.len() as usize];
            }
            StmtKind::LocalStore {
                array,
                index,
                value,
            } => {
                let index = self.eval_index(frame, index)?;
                let flat = frame.local_flat(*array, &index, stmt.span)?;
                let value = self.eval(frame, *value)?;
                frame.arrays[array.index()][flat] = value;
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => {
                let taken = if self.eval_bool(frame, *cond)? {
                    then_block
                } else {
                    else_block
                };
                return self.block(frame, taken);
            }
            StmtKind::For {
                counter,
                start,
                end,
                inclusive,
                body,
            } => {
                self.for_loop(frame, *counter, (*start, *end, *inclusive), body)?;
            }
            StmtKind::While { cond, body } => {
                while self.eval_bool(frame, *cond)? {
                    if self.block(frame, body)? == Flow::Break {
                        break;
                    }
                }
            }
            StmtKind::Swap { a, b } => self.arrays.swap(a.index(), b.index()),
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Foreach { domain, body } => {
                self.for_each_index(frame, domain, |m, frame| m.block(frame, body).map(drop))?;
            }
            StmtKind::Reduce {
                dst,
                index,
                op,
                domain,
                body,
                value,
            } => {
                let result = self.reduce(frame, *op, domain, body, *value)?;
                frame.locals[dst.index()] = result.value;
                if let Some(index) = index {
                    frame.locals[index.index()] = Scalar::I64(result.index);
                }
            }
        }
        Ok(Flow::Next)
    }

    /// `start` and `end` are evaluated once. The counter never steps past
    /// `end`, so `..=MAX` ends without overflow.
    fn for_loop(
        &mut self,
        frame: &mut Frame<'a>,
        counter: LocalId,
        range: (ExprId, ExprId, bool),
        body: &'a Block,
    ) -> Run<()> {
        let (start, end, inclusive) = range;
        let ty = frame.body.locals[counter].ty;
        let mut i = as_i64(self.eval(frame, start)?);
        let end = as_i64(self.eval(frame, end)?);
        while i < end || (inclusive && i == end) {
            // `i` lies in `start..=end`, both values of `ty`, so the cast
            // back to `ty` is exact.
            frame.locals[counter.index()] = cast(Scalar::I64(i), ty);
            if self.block(frame, body)? == Flow::Break || i == end {
                break;
            }
            i += 1;
        }
        Ok(())
    }

    /// Runs `visit` once per index of `domain` in row-major order (last
    /// dimension fastest), with the index locals set. A negative or zero
    /// extent makes the domain empty. This is the one place that fixes the
    /// order of a phase, and so the order of a reduction's combines.
    fn for_each_index(
        &mut self,
        frame: &mut Frame<'a>,
        domain: &'a Domain,
        mut visit: impl FnMut(&mut Self, &mut Frame<'a>) -> Run<()>,
    ) -> Run<()> {
        let mut extents = Vec::with_capacity(domain.extents.len());
        for &e in &domain.extents {
            extents.push(as_i64(self.eval(frame, e)?));
        }
        if extents.iter().any(|&n| n <= 0) {
            return Ok(());
        }
        let mut index = vec![0i64; extents.len()];
        loop {
            for (&local, &i) in domain.indices.iter().zip(&index) {
                frame.locals[local.index()] = Scalar::I64(i);
            }
            visit(self, frame)?;
            if !next_index(&mut index, &extents) {
                return Ok(());
            }
        }
    }

    /// Folds the body's values in kjit's canonical reduction order, which
    /// the JIT follows too, so the two agree bit for bit: the domain is cut
    /// into chunks (`abi::Chunking`); within a chunk, element `j` of a
    /// row (or of the 1-D range) goes to lane `j % GANG`, each lane folding
    /// from its start (`reduce::lane_start`) in index order; lanes combine
    /// as a fixed tree (`reduce::combine_lanes`); chunk results fold in
    /// chunk order from the identity. Integer, min/max and argmin/argmax
    /// results equal a sequential fold. Each element carries its flat
    /// row-major index (used by argmin/argmax only).
    fn reduce(
        &mut self,
        frame: &mut Frame<'a>,
        op: ReduceOp,
        domain: &'a Domain,
        body: &'a Block,
        value: ExprId,
    ) -> Run<Partial> {
        let ty = frame.body.exprs[value].ty;
        let mut extents = Vec::with_capacity(domain.extents.len());
        for &e in &domain.extents {
            extents.push(as_i64(self.eval(frame, e)?));
        }
        let rank = domain.indices.len();
        let width = extents[rank - 1];
        let chunking = Chunking::new(rank, &extents);
        let mut total = reduce::identity(op, ty);
        let mut lanes = [total; GANG];
        let mut chunk = None;
        self.for_each_index(frame, domain, |m, frame| {
            let index = |d: usize| as_i64(frame.locals[domain.indices[d].index()]);
            let last = index(rank - 1);
            let row = row_of(rank, index, &extents);
            let this_chunk = chunking.chunk_of(row);
            if chunk != Some(this_chunk) {
                if chunk.is_some() {
                    total = reduce::combine(op, total, reduce::combine_lanes(op, &lanes));
                }
                let first = flat_index(rank, chunking.range(this_chunk).0, width, 0);
                for (l, lane) in lanes.iter_mut().enumerate() {
                    *lane = reduce::lane_start(op, ty, first.wrapping_add(l as i64));
                }
            }
            chunk = Some(this_chunk);
            m.block(frame, body)?;
            let lane = last.rem_euclid(GANG as i64) as usize;
            let element =
                Partial::element(m.eval(frame, value)?, flat_index(rank, row, width, last));
            lanes[lane] = reduce::combine(op, lanes[lane], element);
            Ok(())
        })?;
        if chunk.is_some() {
            total = reduce::combine(op, total, reduce::combine_lanes(op, &lanes));
        }
        Ok(total)
    }

    fn store(
        &mut self,
        frame: &mut Frame<'a>,
        array: ParamId,
        index: &[ExprId],
        value: ExprId,
        span: Span,
    ) -> Run<()> {
        let index = self.eval_index(frame, index)?;
        let flat = self.flat_index(array, &index, span)?;
        let value = self.eval(frame, value)?;
        // The verifier allows stores only to output and inout arrays, which
        // `Machine::new` made owned, so `to_mut` never copies.
        let written = self.arrays[array.index()]
            .as_mut()
            .is_some_and(|a| a.to_mut().data.set(flat, value));
        if !written {
            type_bug("store target");
        }
        Ok(())
    }

    fn eval(&mut self, frame: &mut Frame<'a>, id: ExprId) -> Run<Scalar> {
        let node = &frame.body.exprs[id];
        Ok(match &node.expr {
            Expr::Const(c) => *c,
            Expr::Param(p) => self.scalars[p.index()],
            Expr::Size(s) => Scalar::I64(self.sizes[s.index()]),
            Expr::Local(l) => frame.locals[l.index()],
            Expr::Load { array, index } => {
                let index = self.eval_index(frame, index)?;
                let flat = self.flat_index(*array, &index, node.span)?;
                let data = self.arrays[array.index()].as_ref().map(|a| &a.data);
                // `flat_index` checked `flat` against the shape, which `bind`
                // checked against the data length.
                data.and_then(|d| d.get(flat))
                    .unwrap_or_else(|| type_bug("load source"))
            }
            Expr::LocalLoad { array, index } => {
                let index = self.eval_index(frame, index)?;
                let flat = frame.local_flat(*array, &index, node.span)?;
                // Sema and the verifier put every use after the declaration.
                frame.arrays[array.index()][flat]
            }
            Expr::TableLoad { table, index } => {
                let index = self.eval_index(frame, index)?;
                let module: &'a Module = self.module;
                let t = &module.tables[*table];
                let shape: Vec<usize> = t.dims.iter().map(|&d| d as usize).collect();
                match flat_position(index.as_slice(), &shape) {
                    Some(flat) => t.data[flat],
                    None => {
                        return Err(Box::new(Trap {
                            array: Trapped::Local {
                                name: t.name.clone(),
                                shape,
                            },
                            index: index.as_slice().to_vec(),
                            span: node.span,
                        }))
                    }
                }
            }
            Expr::Unary { op, arg } => unary(*op, self.eval(frame, *arg)?),
            Expr::Binary { op, lhs, rhs } => self.binary(frame, *op, *lhs, *rhs)?,
            Expr::Cast { arg } => cast(self.eval(frame, *arg)?, node.ty),
            Expr::Builtin { fun, args } => {
                let mut values = [Scalar::Bool(false); 3]; // no builtin takes more than 3
                for (slot, &arg) in values.iter_mut().zip(args) {
                    *slot = self.eval(frame, arg)?;
                }
                builtin(*fun, self.module.precision, &values[..args.len().min(3)])
            }
            Expr::Call { func, args } => self.call(frame, *func, args)?,
        })
    }

    /// `&&` and `||` evaluate `rhs` only when `lhs` does not decide: a load
    /// on the right may be out of range exactly when the left says so.
    fn binary(
        &mut self,
        frame: &mut Frame<'a>,
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    ) -> Run<Scalar> {
        let a = self.eval(frame, lhs)?;
        match (op, a) {
            (BinaryOp::And, Scalar::Bool(false)) | (BinaryOp::Or, Scalar::Bool(true)) => Ok(a),
            _ => Ok(binary(op, a, self.eval(frame, rhs)?)),
        }
    }

    /// A fresh frame with the arguments in the parameter locals; the result
    /// is evaluated after the body.
    fn call(&mut self, frame: &mut Frame<'a>, func: FuncId, args: &[ExprId]) -> Run<Scalar> {
        let module: &'a Module = self.module;
        let function = &module.functions[func];
        let mut callee = Frame::new(&function.body);
        for (&param, &arg) in function.params.iter().zip(args) {
            callee.locals[param.index()] = self.eval(frame, arg)?;
        }
        self.block(&mut callee, &function.body.block)?;
        self.eval(&mut callee, function.result)
    }

    fn eval_bool(&mut self, frame: &mut Frame<'a>, id: ExprId) -> Run<bool> {
        match self.eval(frame, id)? {
            Scalar::Bool(b) => Ok(b),
            _ => type_bug("condition"),
        }
    }

    /// Index expressions, evaluated left to right before any bounds check.
    fn eval_index(&mut self, frame: &mut Frame<'a>, index: &[ExprId]) -> Run<Index> {
        let mut out = Index {
            values: [0; MAX_RANK],
            len: index.len(),
        };
        if index.len() > MAX_RANK {
            type_bug("array rank");
        }
        for (slot, &e) in out.values.iter_mut().zip(index) {
            *slot = as_i64(self.eval(frame, e)?);
        }
        Ok(out)
    }

    /// The row-major offset of `index` in `array`, or a trap if any index is
    /// negative or not below its dimension.
    fn flat_index(&self, array: ParamId, index: &Index, span: Span) -> Run<usize> {
        let index = index.as_slice();
        let shape = self.arrays[array.index()]
            .as_ref()
            .map_or(&[][..], |a| &a.shape[..]);
        flat_position(index, shape).ok_or_else(|| {
            Box::new(Trap {
                array: Trapped::Param(array),
                index: index.to_vec(),
                span,
            })
        })
    }
}

/// The row-major offset of `index` in an array of `shape`; `None` if the
/// rank differs or any index is negative or not below its dimension.
fn flat_position(index: &[i64], shape: &[usize]) -> Option<usize> {
    if index.len() != shape.len() {
        return None;
    }
    let mut flat = 0usize;
    for (&i, &dim) in index.iter().zip(shape) {
        match usize::try_from(i) {
            // Stays below product(shape), which fits in usize.
            Ok(i) if i < dim => flat = flat * dim + i,
            _ => return None,
        }
    }
    Some(flat)
}

/// The row of an N-D index (`index(d)` for dimension `d < rank`): its outer
/// indices (all but the last) in row-major order, as the runtime's chunks
/// count rows; the index itself for 1-D. Within a domain that was
/// iterated, it fits in an `i64`. Called per element, so it allocates
/// nothing.
fn row_of(rank: usize, index: impl Fn(usize) -> i64, extents: &[i64]) -> i64 {
    if rank == 1 {
        return index(0);
    }
    (0..rank - 1).fold(0i64, |row, d| {
        row.saturating_mul(extents[d]).saturating_add(index(d))
    })
}

/// The evaluated indices of one load or store, without allocating.
struct Index {
    values: [i64; MAX_RANK],
    len: usize,
}

impl Index {
    fn as_slice(&self) -> &[i64] {
        &self.values[..self.len]
    }
}

/// Steps `index` to the next row-major position; false after the last.
fn next_index(index: &mut [i64], extents: &[i64]) -> bool {
    for (i, &n) in index.iter_mut().zip(extents).rev() {
        *i += 1;
        if *i < n {
            return true;
        }
        *i = 0;
    }
    false
}

/// An index, size or extent (any integer type; i64 after the checker).
fn as_i64(x: Scalar) -> i64 {
    match x.int_value().map(i64::try_from) {
        Some(Ok(v)) => v,
        _ => type_bug("integer operand"),
    }
}

/// The flat row-major index of element `last` of row `row` (for 1-D the
/// row is the index): `row * width + last`, wrapping as the JIT's `i64`
/// arithmetic does.
fn flat_index(rank: usize, row: i64, width: i64, last: i64) -> i64 {
    if rank == 1 {
        return row;
    }
    row.wrapping_mul(width).wrapping_add(last)
}
