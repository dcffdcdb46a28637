//! Output values as the file tests see them: parsed from `// expect:` text,
//! printed back when blessing, and compared exactly or approximately.

use kjit::types::ScalarType;
use std::fmt;

#[derive(Clone, Copy, Debug)]
pub enum Atom {
    Bool(bool),
    /// Any integer type, by value.
    Int(ScalarType, i128),
    F32(f32),
    F64(f64),
}

/// A scalar (empty `shape`) or a row-major array.
#[derive(Clone, Debug)]
pub struct Val {
    pub shape: Vec<usize>,
    pub data: Vec<Atom>,
}

impl Val {
    pub fn elem(&self) -> Option<ScalarType> {
        self.data.first().map(|a| match a {
            Atom::Bool(_) => ScalarType::Bool,
            Atom::Int(ty, _) => *ty,
            Atom::F32(_) => ScalarType::F32,
            Atom::F64(_) => ScalarType::F64,
        })
    }
}

impl fmt::Display for Atom {
    /// Floats print shortest-round-trip (`{:?}`: `0.1`, `-0.0`, `NaN`,
    /// `inf`, `1e-7`), so parsing the text gives back the same bits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Bool(b) => write!(f, "{b}"),
            Atom::Int(_, v) => write!(f, "{v}"),
            Atom::F32(v) => write!(f, "{v:?}"),
            Atom::F64(v) => write!(f, "{v:?}"),
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn nested(f: &mut fmt::Formatter<'_>, shape: &[usize], data: &[Atom]) -> fmt::Result {
            let Some((&n, rest)) = shape.split_first() else {
                return write!(f, "{}", data[0]);
            };
            let stride: usize = rest.iter().product();
            f.write_str("[")?;
            for i in 0..n {
                if i > 0 {
                    f.write_str(", ")?;
                }
                nested(f, rest, &data[i * stride..(i + 1) * stride])?;
            }
            f.write_str("]")
        }
        nested(f, &self.shape, &self.data)
    }
}

/// Expected-value text as a tree of bracketed lists of atom texts.
#[derive(Debug)]
enum Tree {
    Atom(String),
    List(Vec<Tree>),
}

fn parse_tree(text: &str) -> Result<Tree, String> {
    let mut chars = text.chars().peekable();
    let tree = parse_node(&mut chars)?;
    match chars.find(|c| !c.is_whitespace()) {
        Some(c) => Err(format!("unexpected `{c}` after the value")),
        None => Ok(tree),
    }
}

fn parse_node(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Tree, String> {
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    if chars.next_if_eq(&'[').is_none() {
        let mut atom = String::new();
        while let Some(c) = chars.next_if(|c| !matches!(c, ',' | ']') && !c.is_whitespace()) {
            atom.push(c);
        }
        return if atom.is_empty() {
            Err("expected a value".into())
        } else {
            Ok(Tree::Atom(atom))
        };
    }
    let mut items = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&']').is_some() {
            return Ok(Tree::List(items));
        }
        items.push(parse_node(chars)?);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            Some(',') => {}
            Some(']') => return Ok(Tree::List(items)),
            other => return Err(format!("expected `,` or `]`, found {other:?}")),
        }
    }
}

fn parse_atom(text: &str, ty: ScalarType) -> Result<Atom, String> {
    fn read<T: std::str::FromStr>(text: &str, ty: ScalarType) -> Result<T, String> {
        text.parse()
            .map_err(|_| format!("`{text}` is not a {ty} value"))
    }
    Ok(match ty {
        ScalarType::Bool => Atom::Bool(read(text, ty)?),
        ScalarType::F32 => Atom::F32(read(text, ty)?),
        ScalarType::F64 => Atom::F64(read(text, ty)?),
        int => {
            let v: i128 = read(text, ty)?;
            let (lo, hi) = int.int_range().unwrap_or_default();
            if !(lo..=hi).contains(&v) {
                return Err(format!("`{text}` is not a {ty} value"));
            }
            Atom::Int(int, v)
        }
    })
}

/// Parses `text` as a value of `actual`'s shape and element type.
pub fn parse_like(text: &str, actual: &Val, ty: ScalarType) -> Result<Val, String> {
    fn build(
        tree: &Tree,
        shape: &[usize],
        ty: ScalarType,
        out: &mut Vec<Atom>,
    ) -> Result<(), String> {
        match (tree, shape.split_first()) {
            (Tree::Atom(text), None) => {
                out.push(parse_atom(text, ty)?);
                Ok(())
            }
            (Tree::List(items), Some((&n, rest))) if items.len() == n => {
                items.iter().try_for_each(|item| build(item, rest, ty, out))
            }
            (Tree::List(items), Some((&n, _))) => Err(format!(
                "expected {n} elements in a row, found {}",
                items.len()
            )),
            (Tree::List(_), None) => Err("expected a scalar, found a list".into()),
            (Tree::Atom(_), Some(_)) => Err(format!("expected an array of shape {shape:?}")),
        }
    }
    let tree = parse_tree(text)?;
    let mut data = Vec::new();
    build(&tree, &actual.shape, ty, &mut data)?;
    Ok(Val {
        shape: actual.shape.clone(),
        data,
    })
}

/// Exact: integers and bools equal, floats bit-equal except that every NaN
/// equals every NaN. Approximate: relative 1e-5 (f32) or 1e-12 (f64) with an
/// absolute floor of 1e-30, infinities and NaN as for exact.
pub fn atoms_match(expected: Atom, actual: Atom, approx: bool) -> bool {
    fn close(e: f64, a: f64, rel: f64) -> bool {
        (e - a).abs() <= (rel * e.abs()).max(1e-30)
    }
    match (expected, actual) {
        (Atom::Bool(e), Atom::Bool(a)) => e == a,
        (Atom::Int(t, e), Atom::Int(u, a)) => t == u && e == a,
        (Atom::F32(e), Atom::F32(a)) if e.is_nan() || a.is_nan() => e.is_nan() && a.is_nan(),
        (Atom::F64(e), Atom::F64(a)) if e.is_nan() || a.is_nan() => e.is_nan() && a.is_nan(),
        (Atom::F32(e), Atom::F32(a)) if e.is_infinite() || !approx => e.to_bits() == a.to_bits(),
        (Atom::F64(e), Atom::F64(a)) if e.is_infinite() || !approx => e.to_bits() == a.to_bits(),
        (Atom::F32(e), Atom::F32(a)) => close(e.into(), a.into(), 1e-5),
        (Atom::F64(e), Atom::F64(a)) => close(e, a, 1e-12),
        _ => false,
    }
}

pub fn vals_match(expected: &Val, actual: &Val, approx: bool) -> bool {
    expected.shape == actual.shape
        && expected.data.len() == actual.data.len()
        && expected
            .data
            .iter()
            .zip(&actual.data)
            .all(|(e, a)| atoms_match(*e, *a, approx))
}
