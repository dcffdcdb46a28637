//! Generic kernels and functions: the types each bound allows, the
//! instances of an item, the choice of a function instance at a call, and
//! the merge of the instances' diagnostics.
//!
//! The IR has no type parameters: a generic item is checked and lowered
//! once per combination of the types its bounds allow (eagerly, so a body
//! that is wrong for one of them is an error when the file is checked, not
//! when a caller first asks for that type), each instance an ordinary
//! `ir::Kernel` or `ir::Function` with the type parameters replaced
//! (`Lowerer::type_params`). A kernel instance records what its parameters
//! stood for (`ir::Kernel::type_args`), so callers can pick one by the
//! dtypes of their arguments; a call of a generic function picks its
//! instance here, from the types of the arguments.

use super::infer::Resolved;
use super::lower::Lowerer;
use super::Globals;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{self, ExprId, FuncId};
use crate::span::Span;
use crate::syntax::ast::{self, BoundTerm, ElemType, TypeParam};
use crate::types::ScalarType;
use std::collections::HashMap;

/// At most this many instances per item: each is checked and lowered when
/// the file is, so a bound list must not multiply without end
/// (`<A: num, B: num>` already has 100).
pub const MAX_INSTANCES: usize = 64;

/// The classes a bound may name, each with its types in the order the
/// instances (and the CLI's default, the first) take them.
const CLASSES: [(&str, &[ScalarType]); 5] = {
    use ScalarType::*;
    [
        ("float", &[F32, F64]),
        ("int", &[I8, I16, I32, I64, U8, U16, U32, U64]),
        ("signed", &[I8, I16, I32, I64]),
        ("unsigned", &[U8, U16, U32, U64]),
        ("num", &[F32, F64, I8, I16, I32, I64, U8, U16, U32, U64]),
    ]
};

/// The type parameters of one instance, in declaration order.
pub type TypeArgs = Vec<(String, ScalarType)>;

/// A generic function: what a call needs to pick an instance.
pub struct GenericFn {
    pub type_params: Vec<String>,
    /// Per type parameter, the types its bound allows.
    pub allowed: Vec<Vec<ScalarType>>,
    /// Per function parameter, the type parameter its type names.
    pub params: Vec<Option<usize>>,
    /// Every instance: its types (one per type parameter) and its id.
    pub instances: Vec<(Vec<ScalarType>, FuncId)>,
}

/// The types a bound allows, in order, without repeats. An unknown class
/// is reported; a parameter with no valid term stands for `f32` (its
/// missing bound was reported), so the body is still checked once.
pub fn bound_types(param: &TypeParam, diags: &mut Vec<Diagnostic>) -> Vec<ScalarType> {
    let mut types = Vec::new();
    for term in &param.bound {
        let found: &[ScalarType] = match term {
            BoundTerm::Scalar(ty, _) => std::slice::from_ref(ty),
            BoundTerm::Class(class) => match CLASSES.iter().find(|(n, _)| *n == class.name) {
                Some((_, tys)) => tys,
                None => {
                    diags.push(unknown_class(class));
                    &[]
                }
            },
        };
        for &ty in found {
            if !types.contains(&ty) {
                types.push(ty);
            }
        }
    }
    if types.is_empty() {
        types.push(ScalarType::F32);
    }
    types
}

fn unknown_class(class: &ast::Ident) -> Diagnostic {
    Diagnostic::error(format!("unknown bound `{}`", class.name))
        .primary(class.span, "not a class of types")
        .help("bounds are `float`, `int`, `signed`, `unsigned`, `num` or scalar types joined by `|` (`f32 | f64`)")
}

/// The bound as the user wrote it (`float`, `f32 | f64`).
pub fn bound_text(param: &TypeParam) -> String {
    let terms: Vec<String> = (param.bound.iter())
        .map(|term| match term {
            BoundTerm::Class(class) => class.name.clone(),
            BoundTerm::Scalar(ty, _) => ty.to_string(),
        })
        .collect();
    terms.join(" | ")
}

/// Every combination of the types the bounds allow (the first parameter
/// varies slowest), or the one empty combination of an ordinary item.
/// Past [`MAX_INSTANCES`], an error and the first combination only.
pub fn instances(
    name: &ast::Ident,
    generics: &[TypeParam],
    diags: &mut Vec<Diagnostic>,
) -> Vec<TypeArgs> {
    let allowed: Vec<Vec<ScalarType>> = generics.iter().map(|p| bound_types(p, diags)).collect();
    let count = allowed
        .iter()
        .try_fold(1usize, |n, tys| n.checked_mul(tys.len()))
        .unwrap_or(usize::MAX);
    let mut combos: Vec<TypeArgs> = vec![Vec::new()];
    for (param, tys) in generics.iter().zip(&allowed) {
        let keep = if count > MAX_INSTANCES {
            &tys[..1]
        } else {
            &tys[..]
        };
        combos = combos
            .into_iter()
            .flat_map(|combo| {
                keep.iter().map(move |&ty| {
                    let mut next = combo.clone();
                    next.push((param.name.name.clone(), ty));
                    next
                })
            })
            .collect();
    }
    if count > MAX_INSTANCES {
        let span = generics.first().map_or(name.span, |p| p.span);
        diags.push(
            Diagnostic::error(format!(
                "`{}` has too many instances: {count} (at most {MAX_INSTANCES})",
                name.name
            ))
            .primary(span, "each combination of these types is one instance")
            .note("every instance is checked and lowered when the file is")
            .help("narrow the bounds to the types the item is used with, e.g. `T: f32 | f64`"),
        );
    }
    combos
}

/// `saxpy<T = f64>`: an instance, as diagnostics and signatures name it.
pub fn instance_name(name: &str, args: &[(String, ScalarType)]) -> String {
    if args.is_empty() {
        return name.to_string();
    }
    let args: Vec<String> = args.iter().map(|(p, ty)| format!("{p} = {ty}")).collect();
    format!("{name}<{}>", args.join(", "))
}

/// The checks of a generic item's declaration, made once: type parameter
/// names unique and not an item's or a parameter's (`values`) name, and
/// each one named by the type of a parameter that decides it (`deciders`:
/// a kernel's inputs and `inout` arrays, a function's parameters), so
/// callers can always infer it.
pub fn check_declaration(
    item: &ast::Ident,
    generics: &[TypeParam],
    deciders: &[&ast::Param],
    values: &[&ast::Param],
    globals: &Globals,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for param in generics {
        let name = &param.name;
        if let Some(first) = seen.insert(&name.name, name.span) {
            diags.push(super::declared_twice(name, first));
            continue;
        }
        if let Some(value) = values.iter().find(|p| p.name.name == name.name) {
            diags.push(
                Diagnostic::error(format!(
                    "type parameter `{}` has the name of a parameter",
                    name.name
                ))
                .primary(name.span, "a type parameter")
                .secondary(value.name.span, "a parameter")
                .help("rename one of them (type parameters are usually one capital letter)"),
            );
        }
        if let Some(what) = item_kind(globals, &name.name) {
            diags.push(
                Diagnostic::error(format!(
                    "type parameter `{}` has the name of a {what}",
                    name.name
                ))
                .primary(
                    name.span,
                    "a type parameter and an item cannot share a name",
                )
                .help("rename the type parameter (type parameters are usually one capital letter)"),
            );
        }
        let decided = deciders
            .iter()
            .any(|p| matches!(&p.ty.elem, ElemType::Named(n) if n.name == name.name));
        if !decided {
            diags.push(undecided_param(item, &name.name, name.span, generics.len()));
        }
    }
}

/// What an item named `name` is, if the file has one.
fn item_kind(globals: &Globals, name: &str) -> Option<&'static str> {
    if globals.fn_by_name.contains_key(name) {
        Some("function")
    } else if globals.kernel_names.contains_key(name) {
        Some("kernel")
    } else if globals.consts.by_name.contains_key(name) {
        Some("constant")
    } else {
        None
    }
}

fn undecided_param(item: &ast::Ident, name: &str, span: Span, count: usize) -> Diagnostic {
    let what = if count == 1 { "it" } else { "each" };
    Diagnostic::error(format!(
        "type parameter `{name}` of `{}` cannot be inferred",
        item.name
    ))
    .primary(
        span,
        format!("no parameter has type `{name}` or `{name}[...]`"),
    )
    .note("a caller's arguments decide the type parameters: an array's dtype, or a scalar's type")
    .help(format!(
        "use `{name}` in the type of a parameter (an input, for a kernel), or remove {what}"
    ))
}

/// Per function parameter, the index of the type parameter its type names.
pub fn param_links(decl: &ast::FunctionDecl) -> Vec<Option<usize>> {
    (decl.params.iter())
        .map(|p| match &p.ty.elem {
            ElemType::Named(n) => decl.generics.iter().position(|g| g.name.name == n.name),
            ElemType::Scalar(_) | ElemType::Tuple(_) => None,
        })
        .collect()
}

/// The type arguments of a kernel instance as the IR records them: each
/// with its bound and the parameters and outputs whose element type it is.
pub fn kernel_type_args(
    decl: &ast::KernelDecl,
    args: &[(String, ScalarType)],
    params: &cranelift_entity::PrimaryMap<ir::ParamId, ir::Param>,
) -> Vec<ir::TypeArg> {
    let mut ignored = Vec::new();
    let written: Vec<&ast::Param> = decl.params.iter().chain(&decl.outputs).collect();
    (decl.generics.iter().zip(args))
        .map(|(param, (name, ty))| {
            let names_it = |p: &ir::Param| {
                written.iter().any(|w| {
                    w.name.name == p.name
                        && matches!(&w.ty.elem, ElemType::Named(n) if &n.name == name)
                })
            };
            ir::TypeArg {
                name: name.clone(),
                ty: *ty,
                allowed: bound_types(param, &mut ignored),
                bound: bound_text(param),
                params: params
                    .iter()
                    .filter(|(_, p)| names_it(p))
                    .map(|(id, _)| id)
                    .collect(),
            }
        })
        .collect()
}

/// Merges the diagnostics of an item's instances (`per_instance`, in the
/// order of `names`): one diagnostic per distinct (severity, primary span,
/// message up to the scalar types it names), in order of first
/// appearance, as the first instance raising it words it. One that only
/// some instances raise says which, so `sqrt(x)` in a `T: num` body is
/// one error "in the instances `f<T = i8>`, ...", not eight. When the
/// first instance has an error, only what it reports is kept: a mistake in
/// the signature (an unknown type) then gives one diagnostic, not one per
/// instance its stand-in type clashes with.
pub fn merge_diagnostics(names: &[String], per_instance: Vec<Vec<Diagnostic>>) -> Vec<Diagnostic> {
    if per_instance.len() <= 1 {
        return per_instance.into_iter().flatten().collect();
    }
    let first_failed = per_instance[0].iter().any(Diagnostic::is_error);
    type Key = (bool, String, Option<(u32, u32)>);
    let mut merged: Vec<(Diagnostic, Vec<usize>)> = Vec::new();
    let mut index: HashMap<Key, usize> = HashMap::new();
    for (instance, diags) in per_instance.into_iter().enumerate() {
        for d in diags {
            let span = d.primary_span().map(|s| (s.start, s.end));
            let key = (
                d.severity == Severity::Error,
                without_types(&d.message),
                span,
            );
            match index.get(&key) {
                Some(&at) => {
                    let who = &mut merged[at].1;
                    if who.last() != Some(&instance) {
                        who.push(instance);
                    }
                }
                None => {
                    index.insert(key, merged.len());
                    merged.push((d, vec![instance]));
                }
            }
        }
    }
    merged
        .into_iter()
        .filter(|(_, who)| !first_failed || who.first() == Some(&0))
        .map(|(d, who)| {
            if who.len() == names.len() {
                return d;
            }
            let listed: Vec<String> = who.iter().take(4).map(|&i| format!("`{}`", names[i])).collect();
            let more = match who.len().saturating_sub(4) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let plural = if who.len() == 1 { "" } else { "s" };
            d.note(format!("in the instance{plural} {}{more}", listed.join(", ")))
                .help("narrow the bound to the types the body supports, or write the body so that each allowed type checks")
        })
        .collect()
}

/// `message` with every scalar type name replaced by `_`: the part of a
/// diagnostic that instances share ("found `i8`", "found `u16`").
fn without_types(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let is_type = ScalarType::from_name(word).is_some();
        out.push_str(if is_type { "_" } else { word });
        word.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

impl Lowerer<'_> {
    /// A call of generic function `generic`: each type parameter takes the
    /// type of the first argument of a known type that its parameters
    /// receive (literals adapt to it, as to any parameter type), then the
    /// instance of those types is called.
    pub fn generic_call(
        &mut self,
        generic: &GenericFn,
        callee: &ast::Ident,
        args: Vec<ExprId>,
        span: Span,
    ) -> ExprId {
        if !self.check_arity(&callee.name, generic.params.len(), args.len(), callee.span) {
            return self.error_expr(span);
        }
        let mut chosen: Vec<Option<(ScalarType, Span)>> = vec![None; generic.type_params.len()];
        for (&arg, link) in args.iter().zip(&generic.params) {
            let Some(t) = *link else { continue };
            match self.resolve(arg) {
                Resolved::Known(ty) if chosen[t].is_none() => {
                    chosen[t] = Some((ty, self.b.body.exprs[arg].span));
                }
                // Reported already: stay quiet.
                Resolved::Error => return self.error_expr(span),
                _ => {}
            }
        }
        let mut types = Vec::new();
        for (t, choice) in chosen.iter().enumerate() {
            match choice {
                Some((ty, _)) => types.push(*ty),
                None => {
                    let name = &generic.type_params[t];
                    self.error(undecided_call(callee, name));
                    return self.error_expr(span);
                }
            }
        }
        match generic.instances.iter().find(|(tys, _)| *tys == types) {
            Some(&(_, func)) => self.user_call(func, callee, args, span),
            None => {
                self.error(outside_bound(generic, callee, &chosen));
                self.error_expr(span)
            }
        }
    }

    /// `T::MAX` with `T` a type parameter of this instance: `f64::MAX`.
    pub fn type_path(&self, name: &str) -> Option<String> {
        let (ty, member) = name.split_once("::")?;
        let ty = self.type_params.get(ty)?;
        Some(format!("{ty}::{member}"))
    }
}

pub(super) fn undecided_call(callee: &ast::Ident, name: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "cannot infer `{name}` for this call of `{}`",
        callee.name
    ))
    .primary(
        callee.span,
        format!("no argument of `{name}` has a known type"),
    )
    .note(
        "literals take their type from the other arguments, and here no other argument decides it",
    )
    .help(format!(
        "give one argument a type, e.g. `{}(f32(1.0), ...)`, or pass a typed variable",
        callee.name
    ))
}

/// The first type parameter whose type falls outside its bound.
fn outside_bound(
    generic: &GenericFn,
    callee: &ast::Ident,
    chosen: &[Option<(ScalarType, Span)>],
) -> Diagnostic {
    let parts = generic.type_params.iter().zip(&generic.allowed).zip(chosen);
    for ((name, allowed), choice) in parts {
        let Some((ty, at)) = *choice else { continue };
        if !allowed.contains(&ty) {
            let list: Vec<String> = allowed.iter().map(|t| format!("`{t}`")).collect();
            return Diagnostic::error(format!("`{}` cannot take `{name} = {ty}`", callee.name))
                .primary(at, format!("this argument makes `{name}` = `{ty}`"))
                .secondary(
                    callee.span,
                    format!("`{name}` must be one of {}", list.join(", ")),
                )
                .help(format!("convert the argument, e.g. `{}(...)`", allowed[0]));
        }
    }
    // Not reached: every combination within the bounds has an instance
    // (unless the item has too many, which was reported).
    Diagnostic::error(format!("`{}` has no instance for these types", callee.name))
        .primary(callee.span, "no instance")
}

impl Lowerer<'_> {
    /// `T(x)` with `T` a type parameter: the conversion to the type `T`
    /// stands for in this instance, as `f64(x)`.
    pub fn type_param_cast(
        &mut self,
        ty: ScalarType,
        callee: &ast::Ident,
        args: Vec<ExprId>,
        span: Span,
    ) -> ExprId {
        let [arg] = args[..] else {
            let d = Diagnostic::error(format!(
                "a conversion takes exactly one argument, found {}",
                args.len()
            ))
            .primary(
                callee.span,
                format!(
                    "`{}` is a type parameter: `{}(x)` converts `x`",
                    callee.name, callee.name
                ),
            );
            self.error(d);
            return self.error_expr(span);
        };
        self.b
            .expr(ir::Expr::Cast { arg }, super::lower::ty_of(ty), span)
    }
}
