//! What a written type names: the one place a type in the source becomes
//! a scalar type, so every position (parameters, `let` annotations, local
//! arrays, constants) resolves names the same way.

use super::infer::{InferTable, Ty};
use crate::diagnostic::Diagnostic;
use crate::ir::LocalId;
use crate::span::Span;
use crate::syntax::ast::{self, ElemType, Member, TypeExpr};
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
        ElemType::Tuple(_) => {
            diags.push(
                Diagnostic::error("a tuple type where a scalar type is needed")
                    .primary(ty.span, "a tuple")
                    .note("arrays, constants and kernel parameters hold scalars"),
            );
            ScalarType::F32
        }
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

/// Index of a struct in [`Structs::defs`].
pub type StructId = usize;

/// The type of a checked value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValTy {
    Scalar(Ty),
    Tuple(Vec<ValTy>),
    Struct(StructId),
}

impl ValTy {
    pub fn is_scalar(&self) -> bool {
        matches!(self, ValTy::Scalar(_))
    }
}

pub struct StructDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub span: Span,
}

pub struct FieldDef {
    pub name: String,
    pub ty: ValTy,
}

/// The file's structs, by name.
#[derive(Default)]
pub struct Structs {
    pub defs: Vec<StructDef>,
    pub by_name: HashMap<String, StructId>,
}

/// Fields nested in one another at most this deep (a struct cannot contain
/// itself; this bounds the walks over types).
const MAX_NESTING: usize = 16;

impl Structs {
    /// Registers every struct's name, then resolves the fields (which may
    /// name structs declared later), then refuses cycles.
    pub fn declare(&mut self, decls: &[&ast::StructDecl], diags: &mut Vec<Diagnostic>) {
        for decl in decls {
            self.by_name
                .entry(decl.name.name.clone())
                .or_insert(self.defs.len());
            self.defs.push(StructDef {
                name: decl.name.name.clone(),
                fields: Vec::new(),
                span: decl.name.span,
            });
        }
        for (id, decl) in decls.iter().enumerate() {
            let fields = self.fields(decl, diags);
            self.defs[id].fields = fields;
        }
        for id in 0..self.defs.len() {
            if self.depth(&ValTy::Struct(id), 0) > MAX_NESTING {
                diags.push(
                    Diagnostic::error(format!("struct `{}` contains itself", self.defs[id].name))
                        .primary(
                            self.defs[id].span,
                            "a struct holds its fields' values, so it cannot contain itself",
                        )
                        .help("keep the recursive part out, or flatten it into scalar fields"),
                );
                self.defs[id].fields.clear();
            }
        }
    }

    fn fields(&self, decl: &ast::StructDecl, diags: &mut Vec<Diagnostic>) -> Vec<FieldDef> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut fields = Vec::new();
        for field in &decl.fields {
            if let Some(first) = seen.insert(&field.name.name, field.name.span) {
                diags.push(super::declared_twice(&field.name, first));
                continue;
            }
            if !field.ty.dims.is_empty() {
                diags.push(
                    Diagnostic::error("struct fields are scalars, tuples or structs")
                        .primary(field.ty.span, "an array type")
                        .help("pass arrays to kernels and functions as parameters"),
                );
                continue;
            }
            if let Some(ty) = self.resolve(&field.ty, &Default::default(), diags) {
                fields.push(FieldDef {
                    name: field.name.name.clone(),
                    ty,
                });
            }
        }
        fields
    }

    /// How deeply `ty` nests (stops counting past `MAX_NESTING`).
    fn depth(&self, ty: &ValTy, level: usize) -> usize {
        if level > MAX_NESTING {
            return level;
        }
        let parts: Vec<&ValTy> = match ty {
            ValTy::Scalar(_) => return level,
            ValTy::Tuple(parts) => parts.iter().collect(),
            ValTy::Struct(id) => self.defs[*id].fields.iter().map(|f| &f.ty).collect(),
        };
        parts
            .into_iter()
            .map(|p| self.depth(p, level + 1))
            .max()
            .unwrap_or(level)
    }

    /// The value type a written type (without dimensions) names; `None`
    /// after reporting an unknown name.
    pub fn resolve(
        &self,
        ty: &ast::TypeExpr,
        params: &TypeParams,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<ValTy> {
        match &ty.elem {
            ElemType::Named(name) if self.by_name.contains_key(&name.name) => {
                Some(ValTy::Struct(self.by_name[&name.name]))
            }
            ElemType::Tuple(parts) => {
                let parts: Option<Vec<ValTy>> = parts
                    .iter()
                    .map(|p| self.resolve(p, params, diags))
                    .collect();
                parts.map(ValTy::Tuple)
            }
            _ => {
                let before = diags.len();
                let scalar = elem_scalar(ty, params, diags);
                (diags.len() == before).then_some(ValTy::Scalar(Ty::Known(scalar)))
            }
        }
    }

    /// The parts of an aggregate type with their names (`x`, or `0`);
    /// empty for a scalar.
    pub fn parts(&self, ty: &ValTy) -> Vec<(String, ValTy)> {
        match ty {
            ValTy::Scalar(_) => Vec::new(),
            ValTy::Tuple(parts) => parts
                .iter()
                .enumerate()
                .map(|(k, p)| (k.to_string(), p.clone()))
                .collect(),
            ValTy::Struct(id) => self.defs[*id]
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.ty.clone()))
                .collect(),
        }
    }

    /// The scalar types of `ty`'s leaves, in order.
    pub fn leaf_tys(&self, ty: &ValTy) -> Vec<Ty> {
        match ty {
            ValTy::Scalar(t) => vec![*t],
            _ => self
                .parts(ty)
                .iter()
                .flat_map(|(_, p)| self.leaf_tys(p))
                .collect(),
        }
    }

    /// The leaves' paths below a value (`["org.x", ..., "dir.z"]`; `[""]`
    /// for a scalar), for naming IR locals.
    pub fn leaf_paths(&self, ty: &ValTy) -> Vec<String> {
        if ty.is_scalar() {
            return vec![String::new()];
        }
        let mut out = Vec::new();
        for (name, part) in self.parts(ty) {
            for sub in self.leaf_paths(&part) {
                out.push(if sub.is_empty() {
                    name.clone()
                } else {
                    format!("{name}.{sub}")
                });
            }
        }
        out
    }

    /// Where `member` sits in a value of type `ty`: the offset of its first
    /// leaf and its type; `None` when there is no such part.
    pub fn member(&self, ty: &ValTy, member: &Member) -> Option<(usize, ValTy)> {
        let parts = self.parts(ty);
        let position = match member {
            Member::Name(name) => parts.iter().position(|(n, _)| *n == name.name)?,
            Member::Index(k, _) if matches!(ty, ValTy::Tuple(_)) => *k as usize,
            Member::Index(..) => return None,
        };
        let offset = parts
            .get(..position)?
            .iter()
            .map(|(_, p)| self.leaf_tys(p).len())
            .sum();
        Some((offset, parts.get(position)?.1.clone()))
    }

    /// The type as the user writes it (`Vec3`, `(bool, f32)`, `f32`).
    pub fn describe(&self, ty: &ValTy, infer: &InferTable) -> String {
        match ty {
            ValTy::Scalar(t) => infer.resolve(*t).describe(),
            ValTy::Struct(id) => self.defs[*id].name.clone(),
            ValTy::Tuple(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.describe(p, infer)).collect();
                format!("({})", parts.join(", "))
            }
        }
    }
}

/// A local of a struct or tuple type: one IR local per leaf.
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub ty: ValTy,
    pub leaves: Vec<LocalId>,
}
