//! The height of an expression tree, computed without recursion.
//!
//! The parser's nesting budget bounds its own recursion, but a chain of
//! left-associative operators grows the tree without recursing: the first
//! operand of `(..) + b + c` may already be deep. The parser charges that
//! operand's height against the budget (see `Parser::binary_rest`), so that
//! every tree it returns is at most `MAX_DEPTH` levels deep and later stages
//! may walk it recursively. Measuring must not recurse for the same reason.

use crate::syntax::ast::{Block, Expr, ExprKind, PlaceKind, Stmt, StmtKind};

enum Node<'a> {
    Expr(&'a Expr),
    Block(&'a Block),
    Stmt(&'a Stmt),
}

/// The number of nodes on the longest path from `expr` down to a leaf
/// (1 for a name or literal). Blocks and statements count as nodes.
pub(super) fn height(expr: &Expr) -> u32 {
    let mut stack = vec![(Node::Expr(expr), 1u32)];
    let mut max = 0;
    while let Some((node, depth)) = stack.pop() {
        max = max.max(depth);
        let mut push = |child| stack.push((child, depth + 1));
        match node {
            Node::Expr(expr) => expr_children(expr, &mut push),
            Node::Block(block) => {
                block.stmts.iter().for_each(|s| push(Node::Stmt(s)));
                block.tail.iter().for_each(|e| push(Node::Expr(e)));
            }
            Node::Stmt(stmt) => stmt_children(stmt, &mut push),
        }
    }
    max
}

fn expr_children<'a>(expr: &'a Expr, push: &mut impl FnMut(Node<'a>)) {
    match &expr.kind {
        ExprKind::Unary { operand, .. } => push(Node::Expr(operand)),
        ExprKind::Binary { lhs, rhs, .. } => {
            push(Node::Expr(lhs));
            push(Node::Expr(rhs));
        }
        ExprKind::Cast { arg, .. }
        | ExprKind::Field { base: arg, .. }
        | ExprKind::Keyword { value: arg, .. } => push(Node::Expr(arg)),
        ExprKind::Tuple(items) => items.iter().for_each(|e| push(Node::Expr(e))),
        ExprKind::Call { args: exprs, .. } | ExprKind::Index { indices: exprs, .. } => {
            exprs.iter().for_each(|e| push(Node::Expr(e)));
        }
        ExprKind::Reduce { domain, body, .. } => {
            domain.iter().for_each(|e| push(Node::Expr(e)));
            push(Node::Block(body));
        }
        ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Error => {}
    }
}

fn stmt_children<'a>(stmt: &'a Stmt, push: &mut impl FnMut(Node<'a>)) {
    match &stmt.kind {
        StmtKind::Let { value, .. } | StmtKind::LetTuple { value, .. } | StmtKind::Expr(value) => {
            push(Node::Expr(value))
        }
        StmtKind::ArrayDecl { ty, .. } => ty.dims.iter().for_each(|e| push(Node::Expr(e))),
        StmtKind::Assign { place, value, .. } => {
            if let PlaceKind::Index { indices, .. } = &place.kind {
                indices.iter().for_each(|e| push(Node::Expr(e)));
            }
            push(Node::Expr(value));
        }
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            push(Node::Expr(cond));
            push(Node::Block(then_block));
            else_block.iter().for_each(|b| push(Node::Block(b)));
        }
        StmtKind::For {
            start, end, body, ..
        } => {
            push(Node::Expr(start));
            push(Node::Expr(end));
            push(Node::Block(body));
        }
        StmtKind::While { cond, body } => {
            push(Node::Expr(cond));
            push(Node::Block(body));
        }
        StmtKind::Foreach { domain, body, .. } => {
            domain.iter().for_each(|e| push(Node::Expr(e)));
            push(Node::Block(body));
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
    }
}
