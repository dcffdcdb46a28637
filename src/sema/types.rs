//! What a written type names: the one place a type in the source becomes
//! a scalar type, so every position (parameters, `let` annotations, local
//! arrays, constants) resolves names the same way.

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{ElemType, TypeExpr};
use crate::types::ScalarType;
use std::collections::HashMap;

/// The scalar types that type parameters stand for in the item being
/// checked (`T` ↦ `f64` in the `f64` instance of `kernel saxpy<T: float>`);
/// empty outside generic items.
pub type TypeParams = HashMap<String, ScalarType>;

/// The scalar type `ty` names before its dimensions. An unknown name is
/// reported and stands for `f32`, so its uses raise no further errors (the
/// file never gets past the checker).
pub fn elem_scalar(ty: &TypeExpr, params: &TypeParams, diags: &mut Vec<Diagnostic>) -> ScalarType {
    match &ty.elem {
        ElemType::Scalar(scalar) => *scalar,
        ElemType::Named(name) => match params.get(&name.name) {
            Some(scalar) => *scalar,
            None => {
                diags.push(unknown_type(&name.name, name.span, params));
                ScalarType::F32
            }
        },
    }
}

fn unknown_type(name: &str, span: crate::span::Span, params: &TypeParams) -> Diagnostic {
    let d = Diagnostic::error(format!("unknown type `{name}`"))
        .primary(span, "not a type")
        .help("the scalar types are `f32`, `f64`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`, `u32`, `u64` and `bool`");
    if params.is_empty() {
        return d;
    }
    let mut names: Vec<&str> = params.keys().map(String::as_str).collect();
    names.sort_unstable();
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    d.note(format!(
        "the type parameters of this item are {}",
        names.join(", ")
    ))
}
