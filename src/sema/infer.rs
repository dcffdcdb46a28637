//! Type inference for literals: Rust-style `{integer}` and `{float}`
//! variables, unified with concrete types as the body is checked, and
//! defaulted (`i32`, `f64`) when nothing decides them.

use crate::types::ScalarType;

/// The type of an expression while its body is being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Known(ScalarType),
    /// An inference variable; see [`InferTable`].
    Var(u32),
    /// The type of an expression that already produced an error. It unifies
    /// with everything, so one mistake yields one diagnostic.
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Int,
    Float,
}

/// What a type is once variables are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    Known(ScalarType),
    Var(u32, VarKind),
    Error,
}

impl Resolved {
    pub fn describe(self) -> String {
        match self {
            Resolved::Known(ty) => ty.to_string(),
            Resolved::Var(_, VarKind::Int) => "{integer}".to_string(),
            Resolved::Var(_, VarKind::Float) => "{float}".to_string(),
            Resolved::Error => "{unknown}".to_string(),
        }
    }

    pub fn is_int(self) -> bool {
        matches!(self, Resolved::Known(t) if t.is_int())
            || matches!(self, Resolved::Var(_, VarKind::Int))
    }

    pub fn is_float(self) -> bool {
        matches!(self, Resolved::Known(t) if t.is_float())
            || matches!(self, Resolved::Var(_, VarKind::Float))
    }

    pub fn is_numeric(self) -> bool {
        self.is_int() || self.is_float()
    }

    pub fn is_bool(self) -> bool {
        self == Resolved::Known(ScalarType::Bool)
    }

    pub fn is_error(self) -> bool {
        self == Resolved::Error
    }
}

#[derive(Clone, Copy, Debug)]
enum Slot {
    /// Points at another variable (union-find parent).
    Link(u32),
    Unbound(VarKind),
    Bound(ScalarType),
}

/// Union-find over inference variables, one table per checked body.
#[derive(Default)]
pub struct InferTable {
    slots: Vec<Slot>,
    /// For each root, an upper bound on the length of the links leading to
    /// it (union by rank). Linking the shallower class under the deeper
    /// keeps every walk logarithmic: `x = x + 1;` repeated n times would
    /// otherwise grow one chain of n links, walked at every use of `x`.
    ranks: Vec<u8>,
}

/// Two types that cannot be the same, as resolved at the time of the clash.
pub struct Mismatch {
    pub expected: Resolved,
    pub found: Resolved,
}

impl InferTable {
    pub fn fresh(&mut self, kind: VarKind) -> Ty {
        self.slots.push(Slot::Unbound(kind));
        self.ranks.push(0);
        Ty::Var(self.slots.len() as u32 - 1)
    }

    /// The root of `var`'s class and what it holds.
    fn root(&self, mut var: u32) -> (u32, Result<ScalarType, VarKind>) {
        loop {
            match self.slots[var as usize] {
                Slot::Link(next) => var = next,
                Slot::Unbound(kind) => return (var, Err(kind)),
                Slot::Bound(t) => return (var, Ok(t)),
            }
        }
    }

    pub fn resolve(&self, ty: Ty) -> Resolved {
        match ty {
            Ty::Known(t) => Resolved::Known(t),
            Ty::Error => Resolved::Error,
            Ty::Var(v) => match self.root(v) {
                (_, Ok(t)) => Resolved::Known(t),
                (root, Err(kind)) => Resolved::Var(root, kind),
            },
        }
    }

    /// The final type: variables nothing decided default to `i32` / `f64`.
    /// Error types become `bool`; a module with errors is never used.
    pub fn finish(&self, ty: Ty) -> ScalarType {
        match self.resolve(ty) {
            Resolved::Known(t) => t,
            Resolved::Var(_, VarKind::Int) => ScalarType::I32,
            Resolved::Var(_, VarKind::Float) => ScalarType::F64,
            Resolved::Error => ScalarType::Bool,
        }
    }

    /// Makes `expected` and `found` the same type, or says why they cannot be.
    pub fn unify(&mut self, expected: Ty, found: Ty) -> Result<Ty, Mismatch> {
        let (a, b) = (self.resolve(expected), self.resolve(found));
        match (a, b) {
            (Resolved::Error, _) | (_, Resolved::Error) => Ok(Ty::Error),
            (Resolved::Known(x), Resolved::Known(y)) if x == y => Ok(Ty::Known(x)),
            (Resolved::Var(v, kind), Resolved::Known(t))
            | (Resolved::Known(t), Resolved::Var(v, kind))
                if fits(kind, t) =>
            {
                self.slots[v as usize] = Slot::Bound(t);
                Ok(Ty::Known(t))
            }
            (Resolved::Var(v, k1), Resolved::Var(w, k2)) if k1 == k2 => {
                Ok(Ty::Var(self.link(v, w)))
            }
            _ => Err(Mismatch {
                expected: a,
                found: b,
            }),
        }
    }

    /// Merges the classes of roots `v` and `w`; returns the merged root.
    fn link(&mut self, v: u32, w: u32) -> u32 {
        if v == w {
            return w;
        }
        let (rank_v, rank_w) = (self.ranks[v as usize], self.ranks[w as usize]);
        let (child, root) = if rank_v > rank_w { (w, v) } else { (v, w) };
        self.slots[child as usize] = Slot::Link(root);
        if rank_v == rank_w {
            // At most log2(variables) < 32, so this never saturates.
            self.ranks[root as usize] = rank_w.saturating_add(1);
        }
        root
    }
}

fn fits(kind: VarKind, ty: ScalarType) -> bool {
    match kind {
        VarKind::Int => ty.is_int(),
        VarKind::Float => ty.is_float(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_variables_take_the_type_they_meet() {
        let mut table = InferTable::default();
        let a = table.fresh(VarKind::Float);
        let b = table.fresh(VarKind::Float);
        assert!(table.unify(a, b).is_ok());
        assert!(table.unify(b, Ty::Known(ScalarType::F32)).is_ok());
        assert_eq!(table.finish(a), ScalarType::F32);
    }

    #[test]
    fn int_and_float_literals_do_not_mix() {
        let mut table = InferTable::default();
        let a = table.fresh(VarKind::Int);
        let b = table.fresh(VarKind::Float);
        assert!(table.unify(a, b).is_err());
        assert!(table.unify(a, Ty::Known(ScalarType::F32)).is_err());
    }

    #[test]
    fn undecided_literals_default_like_rust() {
        let mut table = InferTable::default();
        let a = table.fresh(VarKind::Int);
        let b = table.fresh(VarKind::Float);
        assert_eq!(table.finish(a), ScalarType::I32);
        assert_eq!(table.finish(b), ScalarType::F64);
    }

    /// `x = x + 1;` repeated unifies `x` with one fresh literal after
    /// another; the class must not become a chain walked at every use.
    #[test]
    fn repeated_unification_stays_shallow() {
        let mut table = InferTable::default();
        let x = table.fresh(VarKind::Int);
        for _ in 0..1000 {
            let literal = table.fresh(VarKind::Int);
            assert!(table.unify(x, literal).is_ok());
        }
        assert_eq!(x, Ty::Var(0));
        let mut var = 0;
        let mut links = 0;
        while let Slot::Link(next) = table.slots[var as usize] {
            var = next;
            links += 1;
        }
        assert!(links <= 1, "{links} links");
    }
}
