//! Python, NumPy and Numba habits in kern's syntax, found in the text:
//! `np.sqrt`, `x.shape[0]` (kern has no `.` outside numbers, so the lexer
//! asks [`dotted_name`] about a `.` between two words) and `a // b` (a
//! comment in kern, so the parser asks [`floor_division_comment`] when a
//! statement ends too early). Each gets a diagnostic naming the kern form.
//! The parser's own habits (`**`, `and`, `elif`, `range(n)`, `def`, ...)
//! are in `parser/habits.rs`; the checker's (`len(x)`, `True`) in
//! `sema/habits.rs`.

use crate::diagnostic::Diagnostic;
use crate::semantics::ops::Builtin;
use crate::span::Span;

/// Module prefixes of the array languages kern users come from.
const MODULES: [&str; 6] = ["np", "numpy", "math", "cmath", "jnp", "numba"];

/// For the `.` at `dot`: if it joins two words (`np.sqrt`, `x.shape`),
/// the diagnostic for that habit. `Some(None)` for a later `.` of a chain
/// (`np.random.rand`), already reported with the first; `None` when the
/// `.` is not between two words. `detailed` asks for the sizes of an
/// array's type in `.shape`'s help, at a cost linear in the text before.
pub fn dotted_name(source: &str, dot: Span, detailed: bool) -> Option<Option<Diagnostic>> {
    let (start, end) = (dot.start as usize, dot.end as usize);
    let before = source.get(..start)?;
    let after = source.get(end..)?;
    let owner_len = before.len() - before.trim_end_matches(is_word_char).len();
    let member_len = after.len() - after.trim_start_matches(is_word_char).len();
    let owner = before.get(before.len() - owner_len..)?;
    let member = after.get(..member_len)?;
    let starts_name = |w: &str| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if !starts_name(owner) || !starts_name(member) {
        return None;
    }
    if before[..before.len() - owner_len].ends_with('.') {
        return Some(None);
    }
    let span = Span::new(start - owner_len, end + member_len);
    let sizes = match member {
        "shape" | "size" if detailed => declared_sizes(before, owner),
        _ => None,
    };
    Some(Some(attribute_diag(owner, member, sizes.as_deref(), span)))
}

/// The size names of array `owner` as the enclosing kernel's header
/// declares them (`x: f32[h, w]` gives `["h", "w"]`), read from the text:
/// the lexer runs before there is a tree. Best effort, for a help line
/// only: `None` inside a `fn` (no arrays there) or when the header cannot
/// be read.
fn declared_sizes(before: &str, owner: &str) -> Option<Vec<String>> {
    let item = last_word(before, "kernel").max(last_word(before, "fn"));
    let header_start = last_word(before, "kernel").filter(|&k| Some(k) == item)?;
    let header = before.get(header_start..)?;
    let header = header.get(..header.find('{').unwrap_or(header.len()))?;
    let mut rest = header;
    while let Some(at) = find_word(rest, owner) {
        let after = rest.get(at + owner.len()..)?.trim_start();
        rest = after;
        let Some(ty) = after.strip_prefix(':') else {
            continue;
        };
        let ty = ty
            .trim_start()
            .trim_start_matches(is_word_char)
            .trim_start();
        let dims = ty.strip_prefix('[')?;
        let dims = dims.get(..dims.find(']')?)?;
        return Some(dims.split(',').map(|d| d.trim().to_string()).collect());
    }
    None
}

/// Where the last occurrence of `word` as a whole word starts.
fn last_word(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(|&at| is_whole_word(text, at, word.len()))
        .last()
}

/// Where the first occurrence of `word` as a whole word starts.
fn find_word(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word)
        .map(|(at, _)| at)
        .find(|&at| is_whole_word(text, at, word.len()))
}

fn is_whole_word(text: &str, at: usize, len: usize) -> bool {
    let before = text.get(..at).and_then(|t| t.chars().next_back());
    let after = text.get(at + len..).and_then(|t| t.chars().next());
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn attribute_diag(owner: &str, member: &str, sizes: Option<&[String]>, span: Span) -> Diagnostic {
    if MODULES.contains(&owner) {
        let (message, help) = module_member(owner, member);
        return Diagnostic::error(message)
            .primary(span, "kern has no modules")
            .help(help);
    }
    let help = match (member, sizes) {
        ("shape", Some(sizes)) if !sizes.is_empty() => {
            let each: Vec<String> = sizes
                .iter()
                .enumerate()
                .map(|(k, size)| format!("`{owner}.shape[{k}]` is `{size}`"))
                .collect();
            format!(
                "an array's sizes are the names in its type `[{}]`: {}",
                sizes.join(", "),
                each.join(", ")
            )
        }
        ("shape", _) => format!(
            "an array's sizes are the names in its type: for `{owner}: f32[n, m]`, `{owner}.shape[0]` is `n` and `{owner}.shape[1]` is `m`"
        ),
        ("size", Some(sizes)) if !sizes.is_empty() => format!(
            "the element count of `{owner}` is the product of its sizes: `{}`",
            sizes.join(" * ")
        ),
        ("size", _) => format!("the element count of `{owner}: f32[n]` is its size `n`"),
        ("astype", _) => "convert with a cast: `f32(x)`, `i64(x)`, ...".into(),
        ("sum" | "prod" | "min" | "max" | "argmin" | "argmax", _) => format!(
            "a reduction is written `{member} over i in n {{ {owner}[i] }}`"
        ),
        _ => "arrays are read by index (`x[i]`); everything else is a builtin function".into(),
    };
    Diagnostic::error(format!("kern has no fields or methods: `{owner}.{member}`"))
        .primary(span, "not kern syntax")
        .help(help)
}

/// The kern type of a numpy scalar type name (`uint8` → `u8`).
fn numpy_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "float32" => "f32",
        "float64" => "f64",
        "int8" => "i8",
        "int16" => "i16",
        "int32" => "i32",
        "int64" => "i64",
        "uint8" => "u8",
        "uint16" => "u16",
        "uint32" => "u32",
        "uint64" => "u64",
        _ => return None,
    })
}

/// The message and help for `np.member` and the like.
fn module_member(owner: &str, member: &str) -> (String, String) {
    let message = format!("`{owner}.{member}` is not kern: kern's builtins have no module prefix");
    let renamed = match member {
        "inf" | "pi" | "e" | "nan" => return (message, format!("write `{member}`")),
        dtype if numpy_type(dtype).is_some() => {
            let ty = numpy_type(dtype).unwrap_or_default();
            return (message, format!("the type is `{ty}`; convert with `{ty}(x)`"));
        }
        "round" | "around" => {
            return (
                message,
                "`rint(x)` rounds half to even as `np.round` does (`round(x)` rounds half away from zero)".into(),
            )
        }
        "prange" => return (message, "a parallel loop over an index is `foreach i in n { .. }`".into()),
        "sum" | "prod" | "argmin" | "argmax" => {
            return (message, format!("a reduction is written `{member} over i in n {{ x[i] }}`"))
        }
        "absolute" | "fabs" => "abs",
        "power" => "pow",
        "arcsin" => "asin",
        "arccos" => "acos",
        "arctan" => "atan",
        "arctan2" => "atan2",
        "minimum" | "fmin" => "min",
        "maximum" | "fmax" => "max",
        "clip" => "clamp",
        "where" => "select",
        "isnan" => "is_nan",
        "isinf" => "is_inf",
        "isfinite" => "is_finite",
        other => other,
    };
    let help = match Builtin::from_name(renamed) {
        Some(builtin) => format!("the builtin is `{}(..)`", builtin.name()),
        None => "the builtins are listed in docs/LANGUAGE.md".into(),
    };
    (message, help)
}

/// When the text between the previous token (ending at `prev_end`) and the
/// next one (at `next`) holds a `//` comment on the previous token's line
/// that reads like the rest of an expression (`a // b;`): the floor
/// division it most likely meant, as a diagnostic at the `//`.
pub fn floor_division_comment(source: &str, prev_end: usize, next: usize) -> Option<Diagnostic> {
    let gap = source.get(prev_end..next)?;
    let line = gap.split('\n').next()?;
    let slashes = prev_end + line.find("//")?;
    let comment = line.trim_start().strip_prefix("//")?.trim();
    let reads_as_code = comment.starts_with(|c: char| is_word_char(c) || c == '(' || c == '=')
        && (comment.ends_with(';') || comment.ends_with(')'));
    if !reads_as_code {
        return None;
    }
    let span = Span::new(slashes, slashes + 2);
    Some(
        Diagnostic::error("kern has no `//` operator: `//` starts a comment")
            .primary(span, "the rest of the line is a comment")
            .help(
                "integer `/` already truncates toward zero; for floats, `floor(a / b)` rounds down",
            ),
    )
}
