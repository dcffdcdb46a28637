//! Rebuilding a body: the one way an IR pass changes expressions.
//!
//! A pass walks the statements of a body and copies every expression it
//! keeps into a fresh arena through [`Rebuild::expr`], which rebuilds
//! operands first and then lets the pass change the node. The result keeps
//! the arena's invariants by construction: operands precede their users,
//! every node has exactly one parent (a copied subtree is a new subtree),
//! and no orphan is left behind, since only what a statement reaches is
//! copied. Locals are kept (a pass may add some); statement ids are
//! renumbered by the caller
//! ([`Module::number_statements`]).

use super::{Block, Body, Expr, ExprId, ExprNode, Local, LocalId, Module, Stmt, StmtKind};
use cranelift_entity::{EntityRef, PrimaryMap};

/// A pass's view of one node: called after the node's operands were
/// rebuilt (its operand ids index `built`, the new arena so far); returns
/// the node to append. A node returned without operands (a folded
/// constant, a substituted value) drops the operand subtrees built for it.
pub trait Rewriter {
    fn node(&mut self, built: &[ExprNode], node: ExprNode) -> ExprNode;
}

/// Copies expressions of `old` into a new arena.
pub struct Rebuild<'a> {
    pub old: &'a Body,
    exprs: Vec<ExprNode>,
    /// The old locals, plus any a pass adds (fresh copies for unrolling).
    pub locals: PrimaryMap<LocalId, Local>,
}

impl<'a> Rebuild<'a> {
    pub fn new(old: &'a Body) -> Rebuild<'a> {
        Rebuild {
            old,
            exprs: Vec::new(),
            locals: old.locals.clone(),
        }
    }

    /// Copies the tree under `e`, operands first, passing each node through
    /// `rw`. Recursion depth is the tree's depth, which the parser's nesting
    /// budget bounds.
    pub fn expr(&mut self, e: ExprId, rw: &mut dyn Rewriter) -> ExprId {
        let start = self.exprs.len();
        let mut node = self.old.exprs[e].clone();
        for operand in operands_mut(&mut node.expr) {
            *operand = self.expr(*operand, rw);
        }
        let node = rw.node(&self.exprs, node);
        // The operands' subtrees are exactly the nodes built since `start`
        // (post-order): a node that no longer uses them leaves them
        // without a parent, so they go.
        if node.expr.operands().next().is_none() {
            self.exprs.truncate(start);
        }
        self.exprs.push(node);
        ExprId::new(self.exprs.len() - 1)
    }

    /// Copies a statement's own expressions (not its blocks, which the
    /// caller rebuilds), returning the statement with new ids in them and
    /// `blocks` as its blocks.
    pub fn stmt_head(&mut self, stmt: &Stmt, rw: &mut dyn Rewriter) -> StmtKind {
        let mut kind = stmt.kind.clone();
        for e in stmt_exprs_mut(&mut kind) {
            *e = self.expr(*e, rw);
        }
        kind
    }

    /// The rebuilt body: the new arena, the old locals, `block`.
    pub fn finish(self, block: Block) -> Body {
        Body {
            exprs: PrimaryMap::from_iter(self.exprs),
            locals: self.locals,
            arrays: self.old.arrays.clone(),
            block,
        }
    }
}

/// A whole-body rewrite that changes nodes only (statements keep their
/// shape): copies every statement with `rw` applied to its expressions.
/// `result` is a function's result expression, rebuilt last.
pub fn rewrite_body(
    body: &Body,
    result: Option<ExprId>,
    rw: &mut dyn Rewriter,
) -> (Body, Option<ExprId>) {
    let mut rebuild = Rebuild::new(body);
    let block = copy_block(&mut rebuild, &body.block, rw);
    let result = result.map(|r| rebuild.expr(r, rw));
    (rebuild.finish(block), result)
}

fn copy_block(rebuild: &mut Rebuild, block: &[Stmt], rw: &mut dyn Rewriter) -> Block {
    block
        .iter()
        .map(|stmt| {
            let mut kind = rebuild.stmt_head(stmt, rw);
            for child in blocks_mut(&mut kind) {
                *child = copy_block(rebuild, child, rw);
            }
            Stmt::new(kind, stmt.span)
        })
        .collect()
}

/// Applies a node rewrite to every kernel and function of `module`, then
/// renumbers statements.
pub fn rewrite_module(module: &mut Module, rw: &mut dyn Rewriter) {
    for kernel in &mut module.kernels {
        kernel.body = rewrite_body(&kernel.body, None, rw).0;
    }
    for function in module.functions.values_mut() {
        let (body, result) = rewrite_body(&function.body, Some(function.result), rw);
        function.body = body;
        if let Some(result) = result {
            function.result = result;
        }
    }
    module.number_statements();
}

/// The operand handles of a node, to be replaced.
pub fn operands_mut(expr: &mut Expr) -> Vec<&mut ExprId> {
    match expr {
        Expr::Const(_) | Expr::Param(_) | Expr::Size(_) | Expr::Local(_) => Vec::new(),
        Expr::Load { index, .. }
        | Expr::LocalLoad { index, .. }
        | Expr::TableLoad { index, .. } => index.iter_mut().collect(),
        Expr::Unary { arg, .. } | Expr::Cast { arg } => vec![arg],
        Expr::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        Expr::Builtin { args, .. } | Expr::Call { args, .. } => args.iter_mut().collect(),
    }
}

/// The expressions a statement evaluates itself, to be replaced, in the
/// order the statement evaluates them.
fn stmt_exprs_mut(kind: &mut StmtKind) -> Vec<&mut ExprId> {
    match kind {
        StmtKind::Assign { value, .. } => vec![value],
        StmtKind::Store { index, value, .. } | StmtKind::LocalStore { index, value, .. } => {
            let mut v: Vec<&mut ExprId> = index.iter_mut().collect();
            v.push(value);
            v
        }
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => vec![cond],
        StmtKind::For { start, end, .. } => vec![start, end],
        StmtKind::Foreach { domain, .. } => domain.extents.iter_mut().collect(),
        StmtKind::Reduce { domain, value, .. } => {
            let mut v: Vec<&mut ExprId> = domain.extents.iter_mut().collect();
            v.push(value);
            v
        }
        StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Swap { .. }
        | StmtKind::DeclareArray { .. } => Vec::new(),
    }
}

/// The blocks inside a statement, to be replaced.
pub fn blocks_mut(kind: &mut StmtKind) -> Vec<&mut Block> {
    match kind {
        StmtKind::If {
            then_block,
            else_block,
            ..
        } => vec![then_block, else_block],
        StmtKind::For { body, .. }
        | StmtKind::While { body, .. }
        | StmtKind::Foreach { body, .. }
        | StmtKind::Reduce { body, .. } => vec![body],
        StmtKind::Assign { .. }
        | StmtKind::Store { .. }
        | StmtKind::DeclareArray { .. }
        | StmtKind::LocalStore { .. }
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Swap { .. } => Vec::new(),
    }
}
