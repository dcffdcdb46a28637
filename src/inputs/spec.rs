//! The text of one argument: `NAME=SPEC` → a name and a [`Spec`].
//!
//! Grammar (whitespace is allowed between tokens):
//! ```text
//! arg       := NAME '=' spec                      NAME: [A-Za-z_][A-Za-z0-9_]*
//! spec      := path | array | generator | literal
//! path      := any text ending in ".npy"
//! array     := '[' ']' | '[' literal (',' literal)* ','? ']'
//!            | '[' row (',' row)* ','? ']'        rows of equal length
//! row       := '[' ']' | '[' literal (',' literal)* ','? ']'
//! generator := 'uniform' '(' lit ',' lit ')' | 'normal' '(' lit ',' lit ')'
//!            | 'linspace' '(' lit ',' lit ')' | 'iota' ('(' ')')? | 'fill' '(' lit ')'
//! literal   := 'true' | 'false' | integer | float
//! integer   := [+-]? digits, '_' allowed between digits
//! float     := anything Rust's f64 parser takes: 2.5, -1e-3, .5, nan, inf, -inf
//! ```
//! A spec says nothing about types: literals stay exact ([`Literal::Int`]
//! holds an `i128`) until [`super::materialize`] converts them to the
//! parameter's type, so `300000000000` is an error for an `i32` and fine for
//! an `i64`.

use super::InputError;
use std::fmt;
use std::path::PathBuf;

/// How to make one argument's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    /// A single value: a scalar argument or a size.
    Scalar(Literal),
    /// An array written out, row-major.
    Array(ArrayLiteral),
    /// Values computed for whatever shape the parameter turns out to have.
    Generator(Generator),
    /// A `.npy` file; relative paths are relative to the working directory
    /// (defaults in a `.kern` file are rebased onto the file's directory).
    Npy(PathBuf),
}

/// A scalar as written, before it meets a type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Literal {
    Bool(bool),
    /// Wide enough that every `i64` and `u64` fits, so range errors are
    /// reported against the parameter's type, not the parser's.
    Int(i128),
    Float(f64),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(x) => write!(f, "{x}"),
            Literal::Int(x) => write!(f, "{x}"),
            Literal::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// `[1, 2]` has shape `[2]`; `[[1, 2], [3, 4]]` has shape `[2, 2]`; `[]`
/// has shape `[0]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayLiteral {
    pub shape: Vec<usize>,
    pub elements: Vec<Literal>,
}

/// Generators fill an array of any shape, in row-major order. Random ones
/// are seeded by the argument's name, so a run repeats exactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Generator {
    /// Floats in `[lo, hi)`; integers in `lo..hi`.
    Uniform { lo: Literal, hi: Literal },
    /// Floats only.
    Normal { mean: f64, std_dev: f64 },
    /// `count` evenly spaced floats from `start` to `end`, both included.
    Linspace { start: f64, end: f64 },
    /// 0, 1, 2, ... in the element type.
    Iota,
    /// One value everywhere.
    Fill(Literal),
}

impl fmt::Display for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Generator::Uniform { lo, hi } => write!(f, "uniform({lo}, {hi})"),
            Generator::Normal { mean, std_dev } => write!(f, "normal({mean:?}, {std_dev:?})"),
            Generator::Linspace { start, end } => write!(f, "linspace({start:?}, {end:?})"),
            Generator::Iota => f.write_str("iota"),
            Generator::Fill(v) => write!(f, "fill({v})"),
        }
    }
}

/// Splits `NAME=SPEC` and parses the spec.
pub fn parse_arg(text: &str) -> Result<(String, Spec), InputError> {
    let bad = |problem: &str| InputError::BadSpec {
        name: None,
        spec: text.to_string(),
        problem: problem.to_string(),
    };
    let (name, spec) = text
        .split_once('=')
        .ok_or_else(|| bad("expected NAME=SPEC, e.g. n=1000 or x=uniform(0,1)"))?;
    let name = name.trim();
    if !is_name(name) {
        return Err(bad("the part before `=` is not a parameter or size name"));
    }
    let spec = parse_spec(spec).map_err(|e| e.with_name(name))?;
    Ok((name.to_string(), spec))
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses the part after `=`.
pub fn parse_spec(text: &str) -> Result<Spec, InputError> {
    let trimmed = text.trim();
    let spec = if trimmed.ends_with(".npy") {
        Ok(Spec::Npy(PathBuf::from(trimmed)))
    } else if trimmed.starts_with('[') {
        parse_all(trimmed, Cursor::array).map(Spec::Array)
    } else if looks_like_path(trimmed) {
        Err(format!(
            "`{trimmed}` looks like a file, but only .npy files can be read"
        ))
    } else if trimmed.starts_with(|c: char| c.is_ascii_alphabetic()) && !is_word_literal(trimmed) {
        parse_all(trimmed, Cursor::generator).map(Spec::Generator)
    } else {
        parse_literal(trimmed).map(Spec::Scalar)
    };
    spec.map_err(|problem| InputError::BadSpec {
        name: None,
        spec: text.to_string(),
        problem,
    })
}

/// `data/x.csv`, `x.txt`: a separator, or a dot followed by an extension
/// (numbers like `2.5` and `1e3` have none).
fn looks_like_path(text: &str) -> bool {
    let extension = text.rsplit_once('.').is_some_and(|(_, ext)| {
        ext.starts_with(|c: char| c.is_ascii_alphabetic()) && text.parse::<f64>().is_err()
    });
    text.contains(['/', '\\']) || extension
}

/// `true`, `nan`, `inf`, `infinity` start with a letter but are literals.
fn is_word_literal(text: &str) -> bool {
    ["true", "false", "nan", "inf", "infinity"]
        .iter()
        .any(|w| text.eq_ignore_ascii_case(w))
}

fn parse_all<'a, T>(
    text: &'a str,
    parse: impl FnOnce(&mut Cursor<'a>) -> Result<T, String>,
) -> Result<T, String> {
    let mut cursor = Cursor { rest: text };
    let value = parse(&mut cursor)?;
    cursor.skip_space();
    if cursor.rest.is_empty() {
        Ok(value)
    } else {
        Err(format!("unexpected `{}` at the end", cursor.rest))
    }
}

/// What a spec that is not a literal may be; said when nothing fits.
const EXPECTED: &str = "expected a number, true/false, an array like [1, 2], \
     a generator (uniform(lo,hi), normal(mean,sd), linspace(a,b), iota, fill(v)) \
     or a path ending in .npy";

/// A single scalar literal.
pub fn parse_literal(token: &str) -> Result<Literal, String> {
    match token {
        "true" => return Ok(Literal::Bool(true)),
        "false" => return Ok(Literal::Bool(false)),
        "" => return Err(format!("the value is empty; {EXPECTED}")),
        _ => {}
    }
    let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
    if digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return parse_integer(token);
    }
    match token.parse::<f64>() {
        Ok(x) => Ok(Literal::Float(x)),
        Err(_) => Err(format!("`{token}` is not a number; {EXPECTED}")),
    }
}

fn parse_integer(token: &str) -> Result<Literal, String> {
    if token.contains("__") || token.ends_with('_') {
        return Err(format!("`{token}`: `_` may only separate digits"));
    }
    let clean: String = token.chars().filter(|&c| c != '_').collect();
    clean
        .parse::<i128>()
        .map(Literal::Int)
        .map_err(|_| format!("`{token}` is too large for any integer type"))
}

/// A cursor over the text of an array literal or a generator call.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect_char(&mut self, c: char, context: &str) -> Result<(), String> {
        if self.eat(c) {
            return Ok(());
        }
        match self.rest.chars().next() {
            Some(found) => Err(format!("expected `{c}` {context}, found `{found}`")),
            None => Err(format!("expected `{c}` {context}, found the end")),
        }
    }

    /// The next literal: everything up to a delimiter.
    fn literal(&mut self) -> Result<Literal, String> {
        self.skip_space();
        let end = self
            .rest
            .find(|c: char| matches!(c, ',' | '[' | ']' | '(' | ')') || c.is_whitespace())
            .unwrap_or(self.rest.len());
        let (token, rest) = self.rest.split_at(end);
        if token.is_empty() {
            return match rest.chars().next() {
                Some(c) => Err(format!("expected a value, found `{c}`")),
                None => Err("expected a value, found the end".to_string()),
            };
        }
        self.rest = rest;
        parse_literal(token)
    }

    /// Whether the text continues with `[` `[`: a 2-D array, or a row
    /// where a value should be.
    fn at_nested(&mut self) -> bool {
        self.skip_space();
        self.rest
            .strip_prefix('[')
            .is_some_and(|rest| rest.trim_start().starts_with('['))
    }

    fn word(&mut self) -> &str {
        self.skip_space();
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(end);
        self.rest = rest;
        word
    }

    /// `[...]`, one or two levels deep.
    fn array(&mut self) -> Result<ArrayLiteral, String> {
        if !self.at_nested() {
            let row = self.row()?;
            return Ok(ArrayLiteral {
                shape: vec![row.len()],
                elements: row,
            });
        }
        let rows = self.list(Cursor::row)?;
        let width = rows.first().map_or(0, Vec::len);
        if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != width) {
            return Err(format!(
                "row {i} has {} elements but row 0 has {width}; a 2-D array is rectangular",
                row.len()
            ));
        }
        Ok(ArrayLiteral {
            shape: vec![rows.len(), width],
            elements: rows.concat(),
        })
    }

    fn row(&mut self) -> Result<Vec<Literal>, String> {
        if self.at_nested() {
            return Err("arrays have at most 2 dimensions".to_string());
        }
        self.list(Cursor::literal)
    }

    /// `[ item, item, ... ]` with an optional trailing comma.
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.expect_char('[', "to open an array")?;
        let mut items = Vec::new();
        while !self.eat(']') {
            items.push(item(self)?);
            if !self.eat(',') {
                self.expect_char(']', "or `,` in an array")?;
                break;
            }
        }
        Ok(items)
    }

    fn generator(&mut self) -> Result<Generator, String> {
        let name = self.word().to_string();
        let args = if self.eat('(') {
            self.arguments()?
        } else {
            Vec::new()
        };
        build_generator(&name, &args)
    }

    /// The arguments after `(`, through `)`.
    fn arguments(&mut self) -> Result<Vec<Literal>, String> {
        let mut args = Vec::new();
        while !self.eat(')') {
            args.push(self.literal()?);
            if !self.eat(',') {
                self.expect_char(')', "to close the argument list")?;
                break;
            }
        }
        Ok(args)
    }
}

fn build_generator(name: &str, args: &[Literal]) -> Result<Generator, String> {
    match (name, args) {
        ("uniform", &[lo, hi]) => Ok(Generator::Uniform { lo, hi }),
        ("normal", &[mean, std_dev]) => Ok(Generator::Normal {
            mean: number(mean)?,
            std_dev: number(std_dev)?,
        }),
        ("linspace", &[start, end]) => Ok(Generator::Linspace {
            start: number(start)?,
            end: number(end)?,
        }),
        ("iota", []) => Ok(Generator::Iota),
        ("fill", &[value]) => Ok(Generator::Fill(value)),
        _ => Err(match usage(name) {
            Some((arity, usage)) => format!("`{name}` takes {arity} arguments: {usage}"),
            None => format!("unknown generator `{name}`; {EXPECTED}"),
        }),
    }
}

/// How many arguments generator `name` takes, and how it is written.
fn usage(name: &str) -> Option<(usize, &'static str)> {
    Some(match name {
        "uniform" => (2, "uniform(lo, hi)"),
        "normal" => (2, "normal(mean, std_dev)"),
        "linspace" => (2, "linspace(start, end)"),
        "iota" => (0, "iota or iota()"),
        "fill" => (1, "fill(value)"),
        _ => return None,
    })
}

fn number(literal: Literal) -> Result<f64, String> {
    match literal {
        Literal::Int(x) => Ok(x as f64),
        Literal::Float(x) => Ok(x),
        Literal::Bool(_) => Err(format!("expected a number, found `{literal}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        parse_spec(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn problem(text: &str) -> String {
        match parse_spec(text) {
            Err(e) => e.to_string(),
            Ok(spec) => panic!("{text} parsed as {spec:?}"),
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(spec("2.5"), Spec::Scalar(Literal::Float(2.5)));
        assert_eq!(spec(" -3 "), Spec::Scalar(Literal::Int(-3)));
        assert_eq!(spec("1_000_000"), Spec::Scalar(Literal::Int(1_000_000)));
        assert_eq!(spec("true"), Spec::Scalar(Literal::Bool(true)));
        assert_eq!(
            spec("-inf"),
            Spec::Scalar(Literal::Float(f64::NEG_INFINITY))
        );
        assert_eq!(spec("1e3"), Spec::Scalar(Literal::Float(1000.0)));
        assert!(matches!(spec("nan"), Spec::Scalar(Literal::Float(x)) if x.is_nan()));
        assert_eq!(
            spec("18446744073709551616"),
            Spec::Scalar(Literal::Int(1 << 64))
        );
    }

    #[test]
    fn arrays() {
        let one = |shape: Vec<usize>, elements: Vec<Literal>| {
            Spec::Array(ArrayLiteral { shape, elements })
        };
        use Literal::{Float as F, Int as I};
        assert_eq!(
            spec("[1, 2.5, -3]"),
            one(vec![3], vec![I(1), F(2.5), I(-3)])
        );
        assert_eq!(spec("[]"), one(vec![0], vec![]));
        assert_eq!(spec("[1,]"), one(vec![1], vec![I(1)]));
        assert_eq!(
            spec("[[1,2],[3,4]]"),
            one(vec![2, 2], vec![I(1), I(2), I(3), I(4)])
        );
        assert_eq!(spec("[ [ ], [ ] ]"), one(vec![2, 0], vec![]));
    }

    #[test]
    fn generators() {
        let g = |text| match spec(text) {
            Spec::Generator(g) => g,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            g("uniform(0, 1)"),
            Generator::Uniform {
                lo: Literal::Int(0),
                hi: Literal::Int(1)
            }
        );
        assert_eq!(
            g("normal(0,2.5)"),
            Generator::Normal {
                mean: 0.0,
                std_dev: 2.5
            }
        );
        assert_eq!(
            g("linspace(-1,1)"),
            Generator::Linspace {
                start: -1.0,
                end: 1.0
            }
        );
        assert_eq!(g("iota"), Generator::Iota);
        assert_eq!(g("iota()"), Generator::Iota);
        assert_eq!(g("fill(true)"), Generator::Fill(Literal::Bool(true)));
    }

    #[test]
    fn paths() {
        assert_eq!(spec("data/x.npy"), Spec::Npy(PathBuf::from("data/x.npy")));
        assert_eq!(
            spec("[weird] name.npy"),
            Spec::Npy(PathBuf::from("[weird] name.npy"))
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(problem("").contains("empty"));
        assert!(problem("abc").contains("unknown generator `abc`"));
        assert!(problem("x.csv").contains("only .npy files"));
        assert!(problem("data/x").contains("only .npy files"));
        assert!(problem("1.x").contains("only .npy files"));
        assert!(problem("[1, 2").contains("expected `]`"));
        assert!(problem("[1 2]").contains("expected `]` or `,`"));
        assert!(problem("[[1,2],[3]]").contains("row 1 has 1 elements"));
        assert!(problem("[[[1]]]").contains("at most 2 dimensions"));
        assert!(problem("[[1], 2]").contains("expected `[`"));
        assert!(problem("[1, [2]]").contains("expected a value, found `[`"));
        assert!(problem("[1,,2]").contains("expected a value, found `,`"));
        assert!(problem("uniform(1)").contains("takes 2 arguments"));
        assert!(problem("uniform(0,1").contains("expected `)`"));
        assert!(problem("fill(1) x").contains("unexpected `x`"));
        assert!(problem("normal(true, 1)").contains("expected a number"));
        assert!(problem("1__0").contains("separate digits"));
        assert!(problem("999999999999999999999999999999999999999999").contains("too large"));
    }

    #[test]
    fn args_split_at_the_first_equals_sign() {
        let (name, spec) = parse_arg("out_2 = a=b.npy").expect("parses");
        assert_eq!(
            (name.as_str(), spec),
            ("out_2", Spec::Npy(PathBuf::from("a=b.npy")))
        );
        let no_eq = parse_arg("x").unwrap_err().to_string();
        assert!(no_eq.contains("NAME=SPEC"), "{no_eq}");
        let bad_name = parse_arg("2x=1").unwrap_err().to_string();
        assert!(
            bad_name.contains("not a parameter or size name"),
            "{bad_name}"
        );
        let named = parse_arg("x=[1,").unwrap_err().to_string();
        assert!(named.starts_with("argument `x`"), "{named}");
    }
}
