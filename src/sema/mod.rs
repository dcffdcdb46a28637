//! Names, types and race freedom; lowers the AST to kernel IR.
//!
//! In: an [`ast::SourceFile`] (possibly with `Error` nodes from parser
//! recovery, about which the checker stays quiet). Out: an [`ir::Module`]
//! and every user error found, each with a span. When no error is reported
//! the module satisfies every invariant of [`ir::verify`]; anything else is
//! a checker bug.
//!
//! Files: `infer` (literal type inference), `scope` (names), `builder` (the
//! IR arena under construction), `lower` (per-body state), `expr`, `stmt`,
//! `phase` (foreach, reductions, stores, race freedom), `items` (kernel and
//! function signatures).

mod builder;
mod expr;
mod infer;
mod items;
mod lower;
mod phase;
mod scope;
mod stmt;

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Builtin, FuncId};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::ScalarType;
use cranelift_entity::PrimaryMap;
use lower::Lowerer;
use std::collections::HashMap;

/// A user function's signature, known before any body is checked so that
/// functions may call each other in any order.
pub struct FnSig {
    pub name: String,
    pub params: Vec<ScalarType>,
    /// `None` when the declaration has no (valid) return type.
    pub ret: Option<ScalarType>,
    pub span: Span,
}

/// What every body may refer to: the file's functions and kernel names.
pub struct Globals {
    pub functions: PrimaryMap<FuncId, FnSig>,
    pub fn_by_name: HashMap<String, FuncId>,
    pub kernel_names: HashMap<String, Span>,
}

/// Checks a whole file and lowers it to IR.
pub fn check(file: &ast::SourceFile) -> (ir::Module, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let globals = collect_globals(file, &mut diags);
    let mut module = ir::Module::default();
    let mut call_graph: Vec<Vec<(FuncId, Span)>> = Vec::new();
    let functions = file.items.iter().filter_map(|item| match item {
        ast::Item::Function(f) => Some(f),
        ast::Item::Kernel(_) => None,
    });
    for (decl, (_, sig)) in functions.zip(globals.functions.iter()) {
        let (function, errors, calls) = Lowerer::new(&globals).function(decl, sig);
        module.functions.push(function);
        diags.extend(errors);
        call_graph.push(calls);
    }
    for item in &file.items {
        if let ast::Item::Kernel(decl) = item {
            let (kernel, errors) = Lowerer::new(&globals).kernel(decl);
            diags.extend(errors);
            module.kernels.push(kernel);
        }
    }
    report_recursion(&globals, &call_graph, &mut diags);
    (module, diags)
}

fn collect_globals(file: &ast::SourceFile, diags: &mut Vec<Diagnostic>) -> Globals {
    let mut globals = Globals {
        functions: PrimaryMap::new(),
        fn_by_name: HashMap::new(),
        kernel_names: HashMap::new(),
    };
    let mut seen: HashMap<String, Span> = HashMap::new();
    for item in &file.items {
        let name = match item {
            ast::Item::Kernel(k) => &k.name,
            ast::Item::Function(f) => &f.name,
        };
        check_item_name(name, &mut seen, diags);
        match item {
            ast::Item::Kernel(k) => {
                globals
                    .kernel_names
                    .entry(k.name.name.clone())
                    .or_insert(k.name.span);
            }
            ast::Item::Function(f) => {
                let id = globals.functions.push(fn_signature(f, diags));
                globals.fn_by_name.entry(f.name.name.clone()).or_insert(id);
            }
        }
    }
    globals
}

fn check_item_name(
    name: &ast::Ident,
    seen: &mut HashMap<String, Span>,
    diags: &mut Vec<Diagnostic>,
) {
    if Builtin::from_name(&name.name).is_some() {
        diags.push(
            Diagnostic::error(format!("`{}` is a builtin function", name.name))
                .primary(name.span, "builtin names cannot be redefined"),
        );
    } else if let Some(first) = seen.insert(name.name.clone(), name.span) {
        diags.push(
            Diagnostic::error(format!("`{}` is defined twice", name.name))
                .primary(name.span, "defined again here")
                .secondary(first, "first defined here"),
        );
    }
}

fn fn_signature(f: &ast::FunctionDecl, diags: &mut Vec<Diagnostic>) -> FnSig {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for param in &f.params {
        if param.mode == ast::ParamMode::InOut {
            diags.push(
                Diagnostic::error(format!(
                    "function parameter `{}` cannot be `inout`",
                    param.name.name
                ))
                .primary(
                    param.span,
                    "functions are pure: they take values, not arrays to write",
                )
                .help("return the new value instead"),
            );
        }
        if let Some(first) = seen.insert(&param.name.name, param.name.span) {
            diags.push(
                Diagnostic::error(format!("`{}` is declared twice", param.name.name))
                    .primary(param.name.span, "declared again here")
                    .secondary(first, "first declared here"),
            );
        }
        if !param.ty.dims.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "function parameter `{}` must be a scalar",
                    param.name.name
                ))
                .primary(param.ty.span, "functions take scalars only")
                .note("arrays are read by kernels; pass the element: `f(x[i])`"),
            );
        }
    }
    if let Some(ret) = f.ret.as_ref().filter(|r| !r.dims.is_empty()) {
        diags.push(
            Diagnostic::error("functions return scalars only").primary(ret.span, "an array type"),
        );
    }
    if f.ret.is_none() {
        diags.push(
            Diagnostic::error(format!("function `{}` has no return type", f.name.name))
                .primary(f.name.span, "expected `-> T` after the parameters")
                .note("functions are pure: a function without a value would do nothing"),
        );
    }
    FnSig {
        name: f.name.name.clone(),
        params: f.params.iter().map(|p| p.ty.elem).collect(),
        ret: f.ret.as_ref().map(|r| r.elem),
        span: f.name.span,
    }
}

/// Reports each cycle in the call graph once, at the call that closes it.
fn report_recursion(globals: &Globals, calls: &[Vec<(FuncId, Span)>], diags: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit(
        f: usize,
        calls: &[Vec<(FuncId, Span)>],
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        found: &mut Vec<(Vec<usize>, Span)>,
    ) {
        marks[f] = Mark::Active;
        path.push(f);
        for &(callee, span) in calls.get(f).map(Vec::as_slice).unwrap_or(&[]) {
            let c = callee.as_u32() as usize;
            match marks.get(c) {
                Some(Mark::New) => visit(c, calls, marks, path, found),
                Some(Mark::Active) => {
                    let start = path.iter().position(|&p| p == c).unwrap_or(0);
                    found.push((path[start..].to_vec(), span));
                }
                _ => {}
            }
        }
        path.pop();
        marks[f] = Mark::Done;
    }
    let mut marks = vec![Mark::New; calls.len()];
    let mut found = Vec::new();
    for f in 0..calls.len() {
        if marks[f] == Mark::New {
            visit(f, calls, &mut marks, &mut Vec::new(), &mut found);
        }
    }
    for (cycle, span) in found {
        let names: Vec<&str> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&f| globals.functions[FuncId::from_u32(f as u32)].name.as_str())
            .collect();
        diags.push(
            Diagnostic::error(format!("recursive call: {}", names.join(" → ")))
                .primary(span, "this call closes the cycle")
                .note("kern functions are inlined into vector code, so they cannot recurse"),
        );
    }
}

#[cfg(test)]
mod tests;
