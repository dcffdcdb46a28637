//! Lexical scopes: what each name in a body refers to.

use crate::ir::{LocalArrayId, LocalId, ParamId, SizeId, TableId};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Local(LocalId),
    /// A kernel parameter or output array (scalar outputs are locals).
    Param(ParamId),
    Size(SizeId),
    /// A local array of a phase or function (`let v: f32[64];`).
    LocalArray(LocalArrayId),
    /// A local of a struct or tuple type (see `values.rs`).
    Aggregate(u32),
    /// A constant table, under a function parameter's name.
    Table(TableId),
    /// An `i64` constant: a function's size name bound to a local array's
    /// or table's extent.
    Const(i64),
}

/// A stack of block scopes; inner scopes shadow outer ones, as in Rust.
#[derive(Default)]
pub struct Scopes {
    frames: Vec<HashMap<String, Binding>>,
}

impl Scopes {
    pub fn push(&mut self) {
        self.frames.push(HashMap::new());
    }

    pub fn pop(&mut self) {
        self.frames.pop();
    }

    pub fn bind(&mut self, name: &str, binding: Binding) {
        if self.frames.is_empty() {
            self.push();
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_string(), binding);
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Binding> {
        self.frames
            .iter()
            .rev()
            .find_map(|frame| frame.get(name).copied())
    }

    /// Every name visible here, for "did you mean" suggestions.
    pub fn visible_names(&self) -> impl Iterator<Item = &str> {
        self.frames
            .iter()
            .flat_map(|frame| frame.keys().map(String::as_str))
    }
}

/// The candidate closest to `name` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(suggest("sqrtt", ["sqrt", "exp"]), Some("sqrt"));
        assert_eq!(suggest("foo", ["sqrt", "exp"]), None);
    }
}
