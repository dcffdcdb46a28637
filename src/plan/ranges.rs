//! Value ranges of a phase's integer expressions, as far as interval
//! arithmetic on the expression trees proves them, and the two facts of
//! the plan they give codegen (`BodyPlan::short_products`,
//! `BodyPlan::exact_casts`): `77 * u32(img[r, c, 0])` is below 2^16, so one
//! 16-bit multiply computes it exactly; `u8(sum >> 8)` with `sum` below
//! 65536 keeps every value, so the cast needs no renormalizing `and`.
//!
//! A leaf's range is its type's (a constant's is itself); a local assigned
//! exactly once in the kernel (a `let` never reassigned) has the range of
//! the value assigned, any other local its type's. `+ - *` give the exact
//! interval when it lies inside the type (no wrap), `>>` by a constant and
//! `&` with a non-negative operand shrink it, a cast between integer types
//! keeps it when it fits the target; everything else has its type's range.

use super::BodyPlan;
use crate::ir::{BinaryOp, Body, Expr, ExprId, LocalId, Stmt, StmtKind};
use crate::types::ScalarType;
use std::collections::{BTreeSet, HashMap};

type Range = (i128, i128);

/// Depth past which a chain of locals is not followed (its range is its
/// type's): the walk is recursive, and its cost stays linear.
const MAX_DEPTH: usize = 64;

/// Records the short products and exact casts among `exprs` (a phase's
/// expressions) in `plan`.
pub fn classify(body: &Body, exprs: impl Iterator<Item = ExprId>, plan: &mut BodyPlan) {
    let mut ranges = Ranges {
        body,
        single: single_assignments(body),
        memo: HashMap::new(),
    };
    let mut short = BTreeSet::new();
    let mut exact = BTreeSet::new();
    for e in exprs {
        match body.exprs[e].expr {
            Expr::Binary {
                op: BinaryOp::Mul,
                lhs,
                rhs,
            } if body.exprs[e].ty.is_int() && body.exprs[e].ty.bits() <= 32 => {
                let (a, b) = (ranges.of(lhs, 0), ranges.of(rhs, 0));
                let fits = |r: Range| r.0 >= 0 && r.1 < 1 << 16;
                let product = (0, a.1.saturating_mul(b.1));
                let ty = body.exprs[e].ty;
                if fits(a) && fits(b) && fits(product) && within(product, ty) {
                    short.insert(e);
                }
            }
            Expr::Cast { arg } => {
                let (from, to) = (body.exprs[arg].ty, body.exprs[e].ty);
                let narrowing = from.is_int() && to.is_int() && !within(type_range(from), to);
                if narrowing && within(ranges.of(arg, 0), to) {
                    exact.insert(e);
                }
            }
            _ => {}
        }
    }
    plan.short_products = short;
    plan.exact_casts = exact;
}

fn type_range(ty: ScalarType) -> Range {
    ty.int_range().unwrap_or((i128::MIN, i128::MAX))
}

fn within(r: Range, ty: ScalarType) -> bool {
    let (lo, hi) = type_range(ty);
    lo <= r.0 && r.1 <= hi
}

/// Locals with exactly one `Assign` in the whole kernel body, and its value.
fn single_assignments(body: &Body) -> HashMap<LocalId, ExprId> {
    let mut count: HashMap<LocalId, (usize, ExprId)> = HashMap::new();
    let mut stack: Vec<&Stmt> = body.block.iter().collect();
    while let Some(stmt) = stack.pop() {
        if let StmtKind::Assign { local, value } = stmt.kind {
            count.entry(local).or_insert((0, value)).0 += 1;
        }
        for child in stmt.children() {
            stack.extend(child.iter());
        }
    }
    count
        .into_iter()
        .filter(|(_, (n, _))| *n == 1)
        .map(|(l, (_, v))| (l, v))
        .collect()
}

struct Ranges<'a> {
    body: &'a Body,
    single: HashMap<LocalId, ExprId>,
    memo: HashMap<ExprId, Range>,
}

impl Ranges<'_> {
    /// The range of integer expression `e` (its type's for a non-integer).
    fn of(&mut self, e: ExprId, depth: usize) -> Range {
        if let Some(&r) = self.memo.get(&e) {
            return r;
        }
        let ty = self.body.exprs[e].ty;
        let full = type_range(ty);
        if !ty.is_int() || depth > MAX_DEPTH {
            return full;
        }
        let r = match self.body.exprs[e].expr {
            Expr::Const(c) => c.int_value().map_or(full, |v| (v, v)),
            Expr::Local(l) => match self.single.get(&l) {
                Some(&v) if self.body.exprs[v].ty == ty => self.of(v, depth + 1),
                _ => full,
            },
            Expr::Cast { arg } if self.body.exprs[arg].ty.is_int() => {
                let r = self.of(arg, depth + 1);
                if within(r, ty) {
                    r
                } else {
                    full
                }
            }
            Expr::Binary { op, lhs, rhs } => {
                let (a, b) = (self.of(lhs, depth + 1), self.of(rhs, depth + 1));
                binary(op, ty, a, b)
                    .filter(|&r| within(r, ty))
                    .unwrap_or(full)
            }
            _ => full,
        };
        self.memo.insert(e, r);
        r
    }
}

/// The interval of `a op b` in exact arithmetic, where the rules above
/// give one.
fn binary(op: BinaryOp, ty: ScalarType, a: Range, b: Range) -> Option<Range> {
    match op {
        BinaryOp::Add => Some((a.0.checked_add(b.0)?, a.1.checked_add(b.1)?)),
        BinaryOp::Sub => Some((a.0.checked_sub(b.1)?, a.1.checked_sub(b.0)?)),
        BinaryOp::Mul => {
            let products = [
                a.0.checked_mul(b.0)?,
                a.0.checked_mul(b.1)?,
                a.1.checked_mul(b.0)?,
                a.1.checked_mul(b.1)?,
            ];
            Some((*products.iter().min()?, *products.iter().max()?))
        }
        // A constant amount, taken modulo the width as `>>` does.
        BinaryOp::Shr if b.0 == b.1 && a.0 >= 0 => {
            let k = b.0.rem_euclid(i128::from(ty.bits()));
            Some((a.0 >> k, a.1 >> k))
        }
        BinaryOp::BitAnd if a.0 >= 0 && b.0 >= 0 => Some((0, a.1.min(b.1))),
        BinaryOp::BitAnd if a.0 >= 0 => Some((0, a.1)),
        BinaryOp::BitAnd if b.0 >= 0 => Some((0, b.1)),
        _ => None,
    }
}
