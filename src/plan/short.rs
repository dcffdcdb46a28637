//! Short lanes: the varying integer expressions of a phase that codegen
//! computes as 8 × 16-bit lanes in one register instead of 2 × 4 × 32-bit
//! ones (`BodyPlan::short`, `BodyPlan::short_locals`). An RGB→gray
//! conversion's `(77 * r + 150 * g + 29 * b + 128) >> 8` is u32 in the
//! source but provably below 2^16, so every operation is one instruction,
//! not two, and its u8 inputs and output need no widening past 16 bits.
//!
//! An expression qualifies when [`super::ranges`] proves its value fits 16
//! bits, zero-extended (`0..=65535`) or sign-extended (`-32768..=32767`,
//! [`Extension`]), and it is one of:
//! - a read of an 8- or 16-bit element at the current index or of an
//!   interleaved channel;
//! - an integer cast of a short expression;
//! - `+ - * & | ^` of short or uniform operands: the low 16 bits of these
//!   depend only on the operands' low 16 bits, so a uniform operand of any
//!   width is simply truncated;
//! - `<<` and `>>` of a short expression by a constant (`>>` needs the
//!   operand's value, which its extension gives);
//! - a read of a short local: a varying local of at most 32 bits with a
//!   single assignment, its `let`, whose value is short.
//!
//! Operators that qualify are short; reads, casts and locals are short
//! where short code, a short local's `let` or a store of a narrow element
//! uses them (a channel picked short only to be widened again would cost
//! more). Any other consumer sees the value widened back to its type's
//! lanes (two instructions), so the choice changes speed, never a result.

use super::ranges::{Range, Ranges};
use super::{Access, BodyPlan};
use crate::ir::{BinaryOp, Body, Expr, ExprId, LocalId, Stmt, StmtKind};
use crate::types::ScalarType;
use std::collections::{BTreeMap, HashMap};

/// How a short lane's 16 bits extend to the value they hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extension {
    /// `0..=65535`.
    Zero,
    /// `-32768..=32767` (some value may be negative).
    Sign,
}

impl Extension {
    fn of(r: Range) -> Option<Extension> {
        if r.0 >= 0 && r.1 <= i128::from(u16::MAX) {
            Some(Extension::Zero)
        } else if r.0 >= i128::from(i16::MIN) && r.1 <= i128::from(i16::MAX) {
            Some(Extension::Sign)
        } else {
            None
        }
    }
}

/// Records the phase's short expressions and locals in `plan`. `block` is
/// the phase's body; `plan` already holds its forms and accesses.
pub fn classify(ranges: &mut Ranges, block: &[Stmt], plan: &mut BodyPlan) {
    let body = ranges.body;
    let stmts = statements(block);
    // Locals that may be short: narrowed until each one's value is.
    let mut locals: BTreeMap<LocalId, ExprId> = stmts
        .iter()
        .filter_map(|s| match s.kind {
            StmtKind::Assign { local, value } => Some((s, local, value)),
            _ => None,
        })
        .filter(|(s, local, _)| {
            plan.is_varying_local(*local)
                && plan.is_declaration(s.id)
                && ranges.single_assignment(*local).map(|(at, _)| at) == Some(s.id)
                && is_short_type(body.locals[*local].ty)
        })
        .map(|(_, local, value)| (local, value))
        .collect();
    loop {
        let mut c = Candidates::new(body, plan, ranges, &locals);
        let kept: BTreeMap<LocalId, ExprId> = (locals.iter())
            .filter(|(_, &v)| c.can(v))
            .map(|(&l, &v)| (l, v))
            .collect();
        if kept.len() == locals.len() {
            break;
        }
        locals = kept;
    }
    let mut c = Candidates::new(body, plan, ranges, &locals);
    let evaluated: Vec<ExprId> = plan.exprs.keys().copied().collect();
    let candidates: HashMap<ExprId, Extension> = evaluated
        .into_iter()
        .filter_map(|e| Some((e, c.extension_of(e)?)))
        .collect();
    let can = |e: &ExprId| candidates.get(e).copied();
    // Short where the value is used as it is: every short operator, a
    // short local's `let`, a store of a narrow element, and from them down
    // through casts to the reads. A read or cast only wide code uses stays
    // wide (a channel picked short and widened again costs more).
    let mut wanted: Vec<ExprId> = (candidates.keys())
        .filter(|&&e| matches!(body.exprs[e].expr, Expr::Binary { .. }))
        .copied()
        .collect();
    wanted.extend(locals.values().copied());
    for s in &stmts {
        if let StmtKind::Store { value, .. } = s.kind {
            if body.exprs[value].ty.is_narrow_int() && !plan.owner_stores.contains(&s.id) {
                wanted.push(value);
            }
        }
    }
    let mut short = BTreeMap::new();
    while let Some(e) = wanted.pop() {
        let Some(ext) = can(&e) else { continue };
        if short.insert(e, ext).is_none() {
            wanted.extend(children(&body.exprs[e].expr));
        }
    }
    let short_locals = locals
        .iter()
        .filter_map(|(&l, v)| Some((l, short.get(v).copied()?)))
        .collect();
    plan.short = short;
    plan.short_locals = short_locals;
}

/// Whether varying values of `ty` may take short lanes: integers of at
/// most 32 bits (64-bit lanes are left alone).
fn is_short_type(ty: ScalarType) -> bool {
    ty.is_int() && ty.bits() <= 32
}

fn children(e: &Expr) -> Vec<ExprId> {
    match *e {
        Expr::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        Expr::Cast { arg } => vec![arg],
        _ => Vec::new(),
    }
}

/// Every statement of `block`, nested ones included.
fn statements(block: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    let mut stack: Vec<&Stmt> = block.iter().collect();
    while let Some(s) = stack.pop() {
        out.push(s);
        for child in s.children() {
            stack.extend(child.iter());
        }
    }
    out
}

/// The amount of a shift by a constant, modulo the width as `<<` and `>>`
/// take it.
pub fn shift_amount(body: &Body, ty: ScalarType, amount: ExprId) -> Option<u32> {
    let Expr::Const(c) = body.exprs[amount].expr else {
        return None;
    };
    let k = c.int_value()?.rem_euclid(i128::from(ty.bits()));
    u32::try_from(k).ok()
}

/// Which expressions could be short, given the locals that may be.
struct Candidates<'a, 'r> {
    body: &'a Body,
    plan: &'a BodyPlan,
    ranges: &'a mut Ranges<'r>,
    locals: &'a BTreeMap<LocalId, ExprId>,
    memo: HashMap<ExprId, Option<Extension>>,
}

impl<'a, 'r> Candidates<'a, 'r> {
    fn new(
        body: &'a Body,
        plan: &'a BodyPlan,
        ranges: &'a mut Ranges<'r>,
        locals: &'a BTreeMap<LocalId, ExprId>,
    ) -> Candidates<'a, 'r> {
        Candidates {
            body,
            plan,
            ranges,
            locals,
            memo: HashMap::new(),
        }
    }

    fn can(&mut self, e: ExprId) -> bool {
        self.extension_of(e).is_some()
    }

    fn extension_of(&mut self, e: ExprId) -> Option<Extension> {
        if let Some(&ext) = self.memo.get(&e) {
            return ext;
        }
        let ext = self.extension(e);
        self.memo.insert(e, ext);
        ext
    }

    fn extension(&mut self, e: ExprId) -> Option<Extension> {
        let node = &self.body.exprs[e];
        if !self.plan.is_varying(e) || !is_short_type(node.ty) {
            return None;
        }
        let ext = Extension::of(self.ranges.range(e))?;
        let ok = match node.expr {
            Expr::Load { .. } => {
                let access = self.plan.accesses.get(&e);
                node.ty.is_narrow_int()
                    && matches!(access, Some(Access::Current | Access::Interleaved { .. }))
            }
            Expr::Local(l) => self.locals.contains_key(&l),
            Expr::Cast { arg } => self.body.exprs[arg].ty.is_int() && self.can(arg),
            Expr::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::BitAnd
                | BinaryOp::BitOr
                | BinaryOp::BitXor => self.operand(lhs) && self.operand(rhs),
                BinaryOp::Shl | BinaryOp::Shr => {
                    shift_amount(self.body, node.ty, rhs).is_some() && self.can(lhs)
                }
                _ => false,
            },
            _ => false,
        };
        ok.then_some(ext)
    }

    /// A uniform operand is truncated to 16 bits; a varying one must be
    /// short.
    fn operand(&mut self, x: ExprId) -> bool {
        !self.plan.is_varying(x) || self.can(x)
    }
}
