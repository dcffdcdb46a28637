//! The IR verifier: a compiler-bug detector run after sema (in tests) and
//! before the reference evaluator.
//!
//! In: a [`Module`] as sema built it. Out: `Ok(())`, or the first broken
//! invariant as a [`VerifyError`] naming the kernel or function, the entity
//! (`e7`, `v3`, `p1`, `size0`, `fn2`) and the span. A user program never
//! causes an error here: every error is a bug in whatever built the IR.
//!
//! Checked, per kernel or function body (see the `ir` module doc):
//! - Handles are in range: expressions, locals, params, sizes, functions.
//! - Signatures: array ranks are 1 to `abi::MAX_RANK`; dims name real sizes; outputs come
//!   last; `inout` parameters are arrays; a size's `fixed_by` is the first
//!   input or inout dimension naming it (`None` when there is none); each
//!   scalar output has exactly one `Output` local of its type.
//! - Expressions are trees: each `ExprId` has exactly one parent (expression,
//!   statement or function result) and operands precede their users.
//! - Types agree exactly: binary operands have the same type; arithmetic
//!   (`Rem` included) is numeric; comparisons yield bool; `&&`/`||` are
//!   bool; shifts are int; `& | ^` int or bool; `-` numeric; `!` int or
//!   bool; `Cast` is any to any; builtins follow [`Builtin::signature`];
//!   `Size` is i64; `Param` reads a scalar input of its type; `Load` indices
//!   are i64, one per dimension, and the node has the element type; `Call`
//!   arguments have the callee's parameter types and the node its return type.
//! - Statements: `Assign` value type is the local's type; `If`/`While`
//!   conditions are bool; `For` start, end and counter share one int type;
//!   domain extents are i64 and index locals are i64 `DomainIndex { dim }`
//!   locals, each declared by one domain; reduce `dst` has the value's
//!   numeric type; an `argmin`/`argmax` reduce, and only one, has an
//!   `index`, an `i64` local other than `dst`.
//! - Phases (`Foreach`, `Reduce`) appear only in a kernel's uniform code
//!   (its top level, `if`s and loops), never in phases or functions;
//!   `Break`/`Continue` only inside loops.
//! - `Store` appears only inside a `Foreach`, its leading indices are the
//!   domain's index locals (`Expr::Local(domain.indices[d])`), it writes an
//!   output, inout or scratch array whose leading dims are the domain
//!   extents (`Kernel::extent_size`), and it stores the element type. An
//!   array stored in a phase is loaded in that phase only with the domain's
//!   index locals as leading indices.
//! - Uniform locals are read-only in phases: a local assigned inside a
//!   phase is assigned nowhere else (scalar outputs are assigned outside
//!   every phase by definition), and a local assigned in a phase (or its
//!   domain index) is read only inside that phase.
//! - Statements are numbered: every [`StmtId`] is set and unique in its body.
//! - `LoopCounter`, `DomainIndex` and `FnParam` locals are never assigned
//!   by `Assign`; a `For` counter is a `LoopCounter` local.
//! - Functions: `Param`, `Size`, `Load` and `Store` do not appear; the
//!   parameters are the function's `FnParam` locals; the result has the
//!   return type; the call graph has no cycles.

mod exprs;
pub use exprs::{binary_result, unary_result};
mod signature;
mod stmts;
#[cfg(test)]
mod tests;

use super::*;
use cranelift_entity::EntityRef;
use std::fmt;

/// A broken IR invariant: always a compiler bug, never a user error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    pub message: String,
    pub span: Span,
    /// `kernel NAME` or `fn NAME`.
    pub context: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IR verification failed in {} at {:?}: {}",
            self.context, self.span, self.message
        )
    }
}

impl std::error::Error for VerifyError {}

/// Checks every invariant listed in the module doc; stops at the first
/// broken one.
pub fn verify(module: &Module) -> Result<(), VerifyError> {
    for (id, function) in module.functions.iter() {
        let checker = Checker::new(
            module,
            &function.body,
            None,
            format!("fn {}", function.name),
        );
        checker.check_function(id, function)?;
    }
    for kernel in &module.kernels {
        let checker = Checker::new(
            module,
            &kernel.body,
            Some(kernel),
            format!("kernel {}", kernel.name),
        );
        checker.check_kernel(kernel)?;
    }
    check_call_graph(module)
}

/// The checks of one body; `kernel` is `None` in a function.
pub(super) struct Checker<'a> {
    module: &'a Module,
    body: &'a Body,
    kernel: Option<&'a Kernel>,
    context: String,
}

type Check = Result<(), VerifyError>;

impl<'a> Checker<'a> {
    fn new(
        module: &'a Module,
        body: &'a Body,
        kernel: Option<&'a Kernel>,
        context: String,
    ) -> Self {
        Checker {
            module,
            body,
            kernel,
            context,
        }
    }

    fn err(&self, span: Span, message: impl Into<String>) -> VerifyError {
        VerifyError {
            message: message.into(),
            span,
            context: self.context.clone(),
        }
    }

    fn check_kernel(&self, kernel: &Kernel) -> Check {
        self.check_signature(kernel)?;
        self.check_locals()?;
        let mut uses = self.check_arena()?;
        self.check_kernel_block(&mut uses)?;
        self.check_uses(&uses)
    }

    fn check_function(&self, id: FuncId, function: &Function) -> Check {
        self.check_locals()?;
        self.check_fn_params(function)?;
        let mut uses = self.check_arena()?;
        self.check_function_block(&mut uses)?;
        let ty = self.use_root(&mut uses, function.result, function.span)?.ty;
        if ty != function.ret {
            let msg = format!(
                "{id} returns {} but its result {} is {ty}",
                function.ret, function.result
            );
            return Err(self.err(function.span, msg));
        }
        self.check_uses(&uses)
    }

    /// Parameters are exactly the `FnParam` locals, each listed once.
    fn check_fn_params(&self, function: &Function) -> Check {
        for (n, &p) in function.params.iter().enumerate() {
            let local = self.local(p, function.span)?;
            if local.kind != LocalKind::FnParam || function.params[..n].contains(&p) {
                return Err(self.err(
                    local.span,
                    format!("parameter {p} is not a distinct FnParam local"),
                ));
            }
        }
        let declared = self
            .body
            .locals
            .values()
            .filter(|l| l.kind == LocalKind::FnParam)
            .count();
        if declared != function.params.len() {
            let msg = format!(
                "{declared} FnParam locals but {} parameters",
                function.params.len()
            );
            return Err(self.err(function.span, msg));
        }
        Ok(())
    }

    /// Local kinds that belong to the other kind of body are errors.
    fn check_locals(&self) -> Check {
        for (id, local) in self.body.locals.iter() {
            let misplaced = match (local.kind, self.kernel) {
                (LocalKind::FnParam, Some(_)) => true,
                (LocalKind::FnParam | LocalKind::LoopCounter | LocalKind::Var, None) => false,
                (_, None) => true,
                _ => false,
            };
            if misplaced {
                return Err(self.err(local.span, format!("{id} has kind {:?} here", local.kind)));
            }
        }
        Ok(())
    }

    fn local(&self, id: LocalId, span: Span) -> Result<&'a Local, VerifyError> {
        self.body
            .locals
            .get(id)
            .ok_or_else(|| self.err(span, format!("{id} is out of range")))
    }

    /// A local array of this body, with a shape codegen can lay out.
    fn local_array(&self, id: LocalArrayId, span: Span) -> Result<&'a LocalArray, VerifyError> {
        let a = self
            .body
            .arrays
            .get(id)
            .ok_or_else(|| self.err(span, format!("{id} is out of range")))?;
        let dims_ok = !a.dims.is_empty()
            && a.dims.len() <= crate::abi::MAX_RANK
            && a.dims.iter().all(|&d| d >= 1)
            && a.dims
                .iter()
                .try_fold(1i64, |n, &d| n.checked_mul(d))
                .is_some_and(|n| n <= MAX_LOCAL_ARRAY_ELEMS);
        if !dims_ok {
            return Err(self.err(span, format!("{id} has dimensions {:?}", a.dims)));
        }
        Ok(a)
    }

    /// A constant table of the module, whose data fills its shape.
    fn table(&self, id: TableId, span: Span) -> Result<&'a Table, VerifyError> {
        let t = self
            .module
            .tables
            .get(id)
            .ok_or_else(|| self.err(span, format!("{id} is out of range")))?;
        let len = t.dims.iter().try_fold(1i64, |n, &d| n.checked_mul(d));
        let fits = !t.dims.is_empty()
            && t.dims.len() <= crate::abi::MAX_RANK
            && t.dims.iter().all(|&d| d >= 1)
            && len == Some(t.data.len() as i64)
            && t.data.iter().all(|v| v.ty() == t.elem);
        if !fits {
            return Err(self.err(
                span,
                format!(
                    "{id} has dimensions {:?} and {} values",
                    t.dims,
                    t.data.len()
                ),
            ));
        }
        Ok(t)
    }

    fn param(&self, id: ParamId, span: Span) -> Result<&'a Param, VerifyError> {
        match self.kernel {
            None => Err(self.err(span, format!("{id} used in a function"))),
            Some(k) => k
                .params
                .get(id)
                .ok_or_else(|| self.err(span, format!("{id} is out of range"))),
        }
    }

    /// The node of a statement root, counting the use.
    fn use_root(
        &self,
        uses: &mut [u32],
        id: ExprId,
        span: Span,
    ) -> Result<&'a ExprNode, VerifyError> {
        let node = self
            .body
            .exprs
            .get(id)
            .ok_or_else(|| self.err(span, format!("{id} is out of range")))?;
        uses[id.index()] += 1;
        Ok(node)
    }

    fn check_uses(&self, uses: &[u32]) -> Check {
        for (id, node) in self.body.exprs.iter() {
            match uses[id.index()] {
                1 => {}
                0 => return Err(self.err(node.span, format!("{id} is never used"))),
                n => {
                    return Err(self.err(
                        node.span,
                        format!("{id} is used {n} times (expressions are trees)"),
                    ))
                }
            }
        }
        Ok(())
    }
}

/// Every function must be reachable from itself by no chain of calls.
fn check_call_graph(module: &Module) -> Check {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let calls = |f: FuncId| -> Vec<(FuncId, Span)> {
        module.functions[f]
            .body
            .exprs
            .values()
            .filter_map(|n| match n.expr {
                Expr::Call { func, .. } => Some((func, n.span)),
                _ => None,
            })
            .collect()
    };
    let mut marks = vec![Mark::New; module.functions.len()];
    for root in module.functions.keys() {
        if marks[root.index()] != Mark::New {
            continue;
        }
        // Iterative DFS: a stack of (function, its remaining callees).
        let mut stack = vec![(root, calls(root))];
        marks[root.index()] = Mark::Active;
        while let Some((f, pending)) = stack.last_mut() {
            let f = *f;
            let Some((callee, span)) = pending.pop() else {
                marks[f.index()] = Mark::Done;
                stack.pop();
                continue;
            };
            match marks.get(callee.index()) {
                Some(Mark::New) => {
                    marks[callee.index()] = Mark::Active;
                    stack.push((callee, calls(callee)));
                }
                Some(Mark::Active) => {
                    let path: Vec<String> = stack.iter().map(|(g, _)| g.to_string()).collect();
                    let message = format!("call cycle: {} -> {callee}", path.join(" -> "));
                    let context = format!("fn {}", module.functions[f].name);
                    return Err(VerifyError {
                        message,
                        span,
                        context,
                    });
                }
                // Done, or out of range (reported by the body check).
                _ => {}
            }
        }
    }
    Ok(())
}
