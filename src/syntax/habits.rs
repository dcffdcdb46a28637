//! Python, NumPy and Numba habits in kern's syntax: `np.sqrt` (the parser
//! asks [`module_member`] at a `.` after a name), `x.shape[0]` and
//! `x.sum()` (the checker, which knows `x` is an array, asks
//! [`attribute_diag`]) and `a // b` (a comment in kern, so the parser asks
//! [`floor_division_comment`] when a statement ends too early). Each gets a diagnostic naming the kern form.
//! The parser's own habits (`**`, `and`, `elif`, `range(n)`, `def`, ...)
//! are in `parser/habits.rs`; the checker's (`len(x)`, `True`) in
//! `sema/habits.rs`.

use crate::diagnostic::Diagnostic;
use crate::semantics::ops::Builtin;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Member};

/// Module prefixes of the array languages kern users come from.
const MODULES: [&str; 6] = ["np", "numpy", "math", "cmath", "jnp", "numba"];

/// `np.member` (and `math.`, `numba.`...): the diagnostic naming the kern
/// form, or `None` when `owner` is no module prefix.
pub fn module_member(owner: &str, member: &Member, owner_span: Span) -> Option<Diagnostic> {
    if !MODULES.contains(&owner) {
        return None;
    }
    let (message, help) = module_help(owner, &member.to_string());
    Some(
        Diagnostic::error(message)
            .primary(owner_span.to(member.span()), "kern has no modules")
            .help(help),
    )
}

/// `1.e5`: a `.` after a number that is not its fraction.
pub fn lone_dot(dot: Span) -> Diagnostic {
    Diagnostic::error("a lone `.` is not part of a number")
        .primary(dot, "expected digits on both sides of the point")
        .help("float literals need digits on both sides (`1.0`, `0.5`); `..` and `..=` are ranges")
}

/// `x.sum()`: kern has no methods.
pub fn method_call(base: &Expr, member: &Member, span: Span) -> Diagnostic {
    let owner = match &base.kind {
        ExprKind::Name(name) => name.name.as_str(),
        _ => "x",
    };
    attribute_diag(owner, &member.to_string(), None, span)
}

/// `x.shape` or `x.size` on a name: the checker reports it with the sizes.
pub fn is_shape_member(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Field { base, member: Member::Name(m) }
        if matches!(base.kind, ExprKind::Name(_)) && matches!(m.name.as_str(), "shape" | "size"))
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `owner.member` on an array (or another value with no fields): the help
/// names the kern form; `sizes` are the size names of the array's type.
pub fn attribute_diag(
    owner: &str,
    member: &str,
    sizes: Option<&[String]>,
    span: Span,
) -> Diagnostic {
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
        _ => "arrays are read by index (`x[i]`); everything else is a builtin function; only structs and tuples have fields".into(),
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
fn module_help(owner: &str, member: &str) -> (String, String) {
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
