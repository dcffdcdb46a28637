//! Help for names and calls that other array languages (Python, NumPy,
//! Numba) have and kern does not: `True`, `len(x)`, `range(n)`, ... Each
//! keeps the checker's usual message ("cannot find ...") and adds a help
//! line naming the kern form. The syntax habits (`**`, `and`, `elif`,
//! `x.shape`, ...) are the parser's and the lexer's (`syntax::habits`).

use super::constants;
use super::lower::Lowerer;
use super::scope::Binding;
use crate::ir::ParamKind;
use crate::syntax::ast::{self, ExprKind};
use crate::types::ScalarType;

/// A help line for an unknown value `name`, if it is a habit.
pub fn name_help(name: &str) -> Option<String> {
    if let Some((ty, _)) = name.split_once("::") {
        return Some(type_constants_help(ty));
    }
    Some(match name {
        "True" | "False" => format!(
            "kern's booleans are `true` and `false`: write `{}`",
            name.to_lowercase()
        ),
        "None" => {
            "kern has no `None`: every value is a number or a bool, and outputs start at zero"
                .into()
        }
        "PI" | "M_PI" => "the constant π is `pi`".into(),
        "INFINITY" | "Inf" | "infinity" => "infinity is `inf` (`-inf` for minus infinity)".into(),
        "NaN" | "NAN" => "not-a-number is `nan`; test for it with `is_nan(x)`".into(),
        _ => return None,
    })
}

/// Which constants a type has, for `f32::MAXIMUM` and the like.
fn type_constants_help(ty: &str) -> String {
    let names = ScalarType::from_name(ty).map_or(&[][..], constants::type_constant_names);
    if names.is_empty() {
        return "the numeric types have constants such as `i32::MAX` and `f64::EPSILON`".into();
    }
    let listed: Vec<String> = names.iter().map(|n| format!("`{ty}::{n}`")).collect();
    format!("the constants of `{ty}` are {}", listed.join(", "))
}

impl Lowerer<'_> {
    /// A help line for a call of the unknown function `name`, if it is a
    /// habit; `args` are the call's arguments as written.
    pub fn call_help(&self, name: &str, args: &[ast::Expr]) -> Option<String> {
        Some(match name {
            "len" => self.len_help(args),
            "range" => format!(
                "a `for` loop counts through a range: `for i in {} {{ .. }}`",
                range_text(args)
            ),
            "prange" => "a parallel loop over an index is `foreach i in n { .. }`".into(),
            "print" => "kernels cannot print: write the value to an output".into(),
            "float" => "convert with `f64(x)` or `f32(x)`".into(),
            "int" => "convert with `i32(x)` or `i64(x)` (truncates toward zero)".into(),
            "sum" | "prod" | "argmin" | "argmax" => {
                format!("a reduction is written `{name} over i in n {{ x[i] }}`")
            }
            "not" => "logical not is `!x`".into(),
            "isnan" | "isinf" | "isfinite" => {
                format!("the test is spelled `is_{}(x)`", &name[2..])
            }
            "floor_divide" => {
                "integer `/` truncates toward zero; for floats use `floor(a / b)`".into()
            }
            "power" => "write `pow(x, y)`, or `x * x` for a square".into(),
            _ => return None,
        })
    }

    /// `len(x)`: name the size of `x`'s first dimension, from its type.
    fn len_help(&self, args: &[ast::Expr]) -> String {
        let generic =
            "an array's lengths are the sizes named in its type: for `x: f32[n]`, write `n`";
        let [ast::Expr {
            kind: ExprKind::Name(ident),
            ..
        }] = args
        else {
            return generic.into();
        };
        let Some(Binding::Param(p)) = self.scopes.lookup(&ident.name) else {
            return generic.into();
        };
        let (Some(ParamKind::Array { dims, .. }), Some(sig)) =
            (self.param(p).map(|p| &p.kind), &self.kernel)
        else {
            return generic.into();
        };
        let names: Vec<&str> = dims
            .iter()
            .filter_map(|&d| sig.sizes.get(d))
            .map(|s| s.name.as_str())
            .collect();
        match names.first() {
            Some(first) => format!(
                "an array's lengths are the sizes named in its type: `{}` is `[{}]`, so its length is `{first}`",
                ident.name,
                names.join(", "),
            ),
            None => generic.into(),
        }
    }
}

/// `0..n` for `range(n)`, `a..b` for `range(a, b)`, as far as the
/// arguments are plain names or literals.
fn range_text(args: &[ast::Expr]) -> String {
    let text = |e: &ast::Expr| match &e.kind {
        ExprKind::Name(ident) => Some(ident.name.clone()),
        ExprKind::Literal(ast::Literal::Int(v)) => Some(v.to_string()),
        _ => None,
    };
    match args {
        [n] => format!("0..{}", text(n).unwrap_or_else(|| "n".into())),
        [a, b] => format!(
            "{}..{}",
            text(a).unwrap_or_else(|| "a".into()),
            text(b).unwrap_or_else(|| "b".into())
        ),
        _ => "a..b".into(),
    }
}
