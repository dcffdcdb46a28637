//! Value ranges of a phase's integer expressions, as far as interval
//! arithmetic on the expression trees proves them, and the two facts of
//! the plan they give codegen (`BodyPlan::short_products`,
//! `BodyPlan::exact_casts`): `77 * u32(img[r, c, 0])` is below 2^16, so one
//! 16-bit multiply computes it exactly; `u8(sum >> 8)` with `sum` below
//! 65536 keeps every value, so the cast needs no renormalizing `and`.
//!
//! A leaf's range is its type's (a constant's is itself); a local assigned
//! exactly once in the kernel (a `let` never reassigned, and no loop
//! counter or reduction result) has the range of the value assigned, any
//! other local its type's. `+ - *` and `<<` by a constant give the exact
//! interval when it lies inside the type (no wrap), `>>` by a constant and
//! `& | ^` of non-negative operands bound it, a cast between integer types
//! keeps it when it fits the target; everything else has its type's range.
//! [`super::short`] uses the same ranges to pick 16-bit lanes.

use super::BodyPlan;
use crate::ir::{BinaryOp, Body, Expr, ExprId, LocalId, Stmt, StmtId, StmtKind};
use crate::types::ScalarType;
use std::collections::{BTreeSet, HashMap};

/// The smallest and largest value, inclusive.
pub type Range = (i128, i128);

/// Depth past which a chain of locals is not followed (its range is its
/// type's): the walk is recursive, and its cost stays linear.
const MAX_DEPTH: usize = 64;

/// Records the short products and exact casts among `exprs` (a phase's
/// expressions) in `plan`.
pub fn classify(ranges: &mut Ranges, exprs: impl Iterator<Item = ExprId>, plan: &mut BodyPlan) {
    let body = ranges.body;
    let mut short = BTreeSet::new();
    let mut exact = BTreeSet::new();
    for e in exprs {
        match body.exprs[e].expr {
            Expr::Binary {
                op: BinaryOp::Mul,
                lhs,
                rhs,
            } if body.exprs[e].ty.is_int() && body.exprs[e].ty.bits() <= 32 => {
                let (a, b) = (ranges.range(lhs), ranges.range(rhs));
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
                if narrowing && within(ranges.range(arg), to) {
                    exact.insert(e);
                }
            }
            _ => {}
        }
    }
    plan.short_products = short;
    plan.exact_casts = exact;
}

pub fn type_range(ty: ScalarType) -> Range {
    ty.int_range().unwrap_or((i128::MIN, i128::MAX))
}

pub fn within(r: Range, ty: ScalarType) -> bool {
    let (lo, hi) = type_range(ty);
    lo <= r.0 && r.1 <= hi
}

/// Locals with exactly one `Assign` in the whole kernel body and no other
/// writer (a `for` counter, a reduction's result), with the statement
/// and its value.
fn single_assignments(body: &Body) -> HashMap<LocalId, (StmtId, ExprId)> {
    let mut count: HashMap<LocalId, (usize, StmtId, ExprId)> = HashMap::new();
    let mut others = BTreeSet::new();
    let mut stack: Vec<&Stmt> = body.block.iter().collect();
    while let Some(stmt) = stack.pop() {
        match stmt.kind {
            StmtKind::Assign { local, value } => {
                count.entry(local).or_insert((0, stmt.id, value)).0 += 1;
            }
            StmtKind::For { counter, .. } => {
                others.insert(counter);
            }
            StmtKind::Reduce { dst, index, .. } => {
                others.extend(std::iter::once(dst).chain(index));
            }
            _ => {}
        }
        for child in stmt.children() {
            stack.extend(child.iter());
        }
    }
    count
        .into_iter()
        .filter(|(l, (n, ..))| *n == 1 && !others.contains(l))
        .map(|(l, (_, s, v))| (l, (s, v)))
        .collect()
}

/// The ranges of one kernel body's integer expressions, computed on
/// demand and kept.
pub struct Ranges<'a> {
    pub body: &'a Body,
    single: HashMap<LocalId, (StmtId, ExprId)>,
    memo: HashMap<ExprId, Range>,
}

impl<'a> Ranges<'a> {
    pub fn new(body: &'a Body) -> Ranges<'a> {
        Ranges {
            body,
            single: single_assignments(body),
            memo: HashMap::new(),
        }
    }

    /// The one assignment of `local` (statement and value), when it has
    /// exactly one and no other writer.
    pub fn single_assignment(&self, local: LocalId) -> Option<(StmtId, ExprId)> {
        self.single.get(&local).copied()
    }

    /// The range of integer expression `e` (its type's for a non-integer).
    pub fn range(&mut self, e: ExprId) -> Range {
        self.of(e, 0)
    }

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
                Some(&(_, v)) if self.body.exprs[v].ty == ty => self.of(v, depth + 1),
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
        // A constant amount below the width; the caller checks the result
        // fits the type (no bit shifted out).
        BinaryOp::Shl if b.0 == b.1 && a.0 >= 0 => {
            let k = b.0.rem_euclid(i128::from(ty.bits()));
            let factor = 1i128 << k;
            Some((a.0.checked_mul(factor)?, a.1.checked_mul(factor)?))
        }
        BinaryOp::BitAnd if a.0 >= 0 && b.0 >= 0 => Some((0, a.1.min(b.1))),
        BinaryOp::BitAnd if a.0 >= 0 => Some((0, a.1)),
        BinaryOp::BitAnd if b.0 >= 0 => Some((0, b.1)),
        // Bits no higher than the larger operand's highest.
        BinaryOp::BitOr | BinaryOp::BitXor if a.0 >= 0 && b.0 >= 0 => {
            let top = a.1.max(b.1);
            Some((0, all_ones_to(top)))
        }
        _ => None,
    }
}

/// The smallest `2^k - 1` at least `x` (for `x >= 0`): every value whose
/// bits all lie at or below `x`'s highest.
fn all_ones_to(x: i128) -> i128 {
    match x {
        0 => 0,
        _ => i128::MAX >> (x.leading_zeros() - 1),
    }
}
