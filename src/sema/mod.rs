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
//! function signatures), `generics` (instances of generic items: bounds,
//! the choice of a function instance at a call, merged diagnostics).

mod arrays;
mod builder;
mod constants;
mod consts;
mod expr;
mod generics;
mod habits;
mod infer;
mod inline;
mod items;
mod limits;
mod lower;
mod phase;
mod scope;
mod sizes;
mod stmt;
mod types;
mod values;

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Builtin, FuncId};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::ScalarType;
use cranelift_entity::{EntityRef, PrimaryMap};
use inline::Dim;
use lower::Lowerer;
use std::collections::HashMap;
use std::rc::Rc;
use types::{Structs, ValTy};

/// A user function's signature, known before any body is checked so that
/// functions may call each other in any order.
pub struct FnSig {
    pub name: String,
    pub params: Vec<ParamTy>,
    /// `None` when the declaration has no (valid) return type.
    pub ret: Option<ValTy>,
    pub span: Span,
    /// Expanded at each call (see `inline.rs`): it returns a struct or a
    /// tuple, or takes an array. Such a function has no IR function.
    pub inline: bool,
    /// Its function in the IR module, unless `inline`.
    pub ir: Option<FuncId>,
    /// What its type parameters stand for in this instance (empty unless
    /// generic): an expansion checks the body with them.
    pub type_args: Vec<(String, ScalarType)>,
}

/// A function parameter's type.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamTy {
    Value(ValTy),
    /// A read-only array, `t: f32[n]`.
    Array {
        elem: ScalarType,
        dims: Vec<Dim>,
    },
}

/// What every body may refer to: the file's functions and kernel names.
pub struct Globals {
    pub functions: PrimaryMap<FuncId, FnSig>,
    /// Each function's declaration, by the same index (one per instance
    /// of a generic function; expanded at calls).
    pub fn_decls: Vec<Rc<ast::FunctionDecl>>,
    /// Each function's id (a generic function's first instance).
    pub fn_by_name: HashMap<String, FuncId>,
    /// The generic functions, by name: how a call picks an instance.
    pub generic_fns: HashMap<String, generics::GenericFn>,
    pub kernel_names: HashMap<String, Span>,
    /// `const` items: named values and constant tables.
    pub consts: consts::Consts,
    pub structs: Structs,
}

/// Checks a whole file and lowers it to IR.
pub fn check(file: &ast::SourceFile) -> (ir::Module, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (mut globals, fn_instances) = collect_globals(file, &mut diags);
    check_generic_declarations(file, &globals, &mut diags);
    let mut module = ir::Module::default();
    let mut call_graph: Vec<lower::Calls> = Vec::new();
    for (decl, instances) in &fn_instances {
        let mut per_instance = Vec::new();
        for (func, args) in instances {
            let sig = &globals.functions[*func];
            let lowerer = Lowerer::new(&globals).with_type_params(args);
            let (function, errors, calls) = lowerer.function(decl, *func, sig);
            if sig.ir.is_some() {
                module.functions.push(function);
            }
            per_instance.push(errors);
            call_graph.push(calls);
        }
        let names = instance_names(&decl.name, instances.iter().map(|(_, a)| a));
        diags.extend(generics::merge_diagnostics(&names, per_instance));
    }
    let mut kernel_calls = Vec::new();
    for item in &file.items {
        if let ast::Item::Kernel(decl) = item {
            let mut ignored = Vec::new();
            let instances = generics::instances(&decl.name, &decl.generics, &mut ignored);
            let mut per_instance = Vec::new();
            for args in &instances {
                let lowerer = Lowerer::new(&globals).with_type_params(args);
                let (kernel, errors, calls) = lowerer.kernel(decl, args);
                per_instance.push(errors);
                module.kernels.push(kernel);
                kernel_calls.push(calls);
            }
            let names = instance_names(&decl.name, instances.iter());
            diags.extend(generics::merge_diagnostics(&names, per_instance));
        }
    }
    let recursion_errors = diags.len();
    let direct: Vec<Vec<(FuncId, Span)>> = call_graph.iter().map(|c| c.direct.clone()).collect();
    report_recursion(&globals, &direct, &mut diags);
    if diags.len() == recursion_errors {
        // Expanded functions are part of their callers' bodies already;
        // the IR functions they call are called by those bodies.
        let ir_calls = |calls: &lower::Calls| -> Vec<(FuncId, Span)> {
            let ir_of = |&(f, span): &(FuncId, Span)| Some((globals.functions[f].ir?, span));
            calls
                .direct
                .iter()
                .chain(&calls.expanded)
                .filter_map(ir_of)
                .collect()
        };
        let fn_calls: Vec<_> = call_graph
            .iter()
            .zip(globals.functions.values())
            .filter(|(_, sig)| sig.ir.is_some())
            .map(|(calls, _)| ir_calls(calls))
            .collect();
        let kernel_calls: Vec<_> = kernel_calls.iter().map(ir_calls).collect();
        limits::check_call_limits(&module, &fn_calls, &kernel_calls, &mut diags);
    }
    // Bodies are lowered: the tables (up to 2^21 values) move, not copied.
    module.tables = std::mem::take(&mut globals.consts.tables);
    module.number_statements();
    (module, diags)
}

/// The names diagnostics give an item's instances (`f<T = i8>`).
fn instance_names<'a>(
    name: &ast::Ident,
    instances: impl Iterator<Item = &'a generics::TypeArgs>,
) -> Vec<String> {
    instances
        .map(|args| generics::instance_name(&name.name, args))
        .collect()
}

/// Each function declaration with its instances: one id and no type
/// arguments for an ordinary function.
type FnInstances<'f> = Vec<(&'f ast::FunctionDecl, Vec<(FuncId, generics::TypeArgs)>)>;

fn collect_globals<'f>(
    file: &'f ast::SourceFile,
    diags: &mut Vec<Diagnostic>,
) -> (Globals, FnInstances<'f>) {
    let mut globals = Globals {
        functions: PrimaryMap::new(),
        fn_decls: Vec::new(),
        fn_by_name: HashMap::new(),
        generic_fns: HashMap::new(),
        kernel_names: HashMap::new(),
        consts: consts::Consts::default(),
        structs: Structs::default(),
    };
    let structs: Vec<&ast::StructDecl> = file
        .items
        .iter()
        .filter_map(|item| match item {
            ast::Item::Struct(s) => Some(s),
            _ => None,
        })
        .collect();
    globals.structs.declare(&structs, diags);
    let mut fn_instances = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut next_ir = 0;
    for item in &file.items {
        let name = match item {
            ast::Item::Kernel(k) => &k.name,
            ast::Item::Function(f) => &f.name,
            ast::Item::Const(c) => &c.name,
            ast::Item::Struct(s) => &s.name,
        };
        check_item_name(name, &mut seen, diags);
        match item {
            ast::Item::Kernel(k) => {
                // Bound errors, reported once here (instances are made again
                // when the kernel is lowered).
                generics::instances(&k.name, &k.generics, diags);
                globals
                    .kernel_names
                    .entry(k.name.name.clone())
                    .or_insert(k.name.span);
            }
            ast::Item::Function(f) => {
                let instances = declare_function(&mut globals, f, &mut next_ir, diags);
                fn_instances.push((f, instances));
            }
            ast::Item::Const(c) => globals.consts.declare(c, diags),
            ast::Item::Struct(_) => {}
        }
    }
    (globals, fn_instances)
}

/// The signature of every instance of `f`, and for a generic function
/// what its calls need to pick one.
fn declare_function(
    globals: &mut Globals,
    f: &ast::FunctionDecl,
    next_ir: &mut u32,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(FuncId, generics::TypeArgs)> {
    let combos = generics::instances(&f.name, &f.generics, diags);
    let mut per_instance = Vec::new();
    let mut instances = Vec::new();
    let decl = Rc::new(f.clone());
    for args in combos {
        let mut errors = Vec::new();
        let type_params: types::TypeParams = args.iter().cloned().collect();
        let mut sig = fn_signature(f, &globals.structs, &type_params, &mut errors);
        sig.type_args = args.clone();
        if !sig.inline {
            sig.ir = Some(FuncId::from_u32(*next_ir));
            *next_ir += 1;
        }
        per_instance.push(errors);
        globals.fn_decls.push(Rc::clone(&decl));
        instances.push((globals.functions.push(sig), args));
    }
    let names = instance_names(&f.name, instances.iter().map(|(_, a)| a));
    diags.extend(generics::merge_diagnostics(&names, per_instance));
    if let Some(&(first, _)) = instances.first() {
        globals
            .fn_by_name
            .entry(f.name.name.clone())
            .or_insert(first);
    }
    if !f.generics.is_empty() {
        let mut ignored = Vec::new();
        let generic = generics::GenericFn {
            type_params: f.generics.iter().map(|p| p.name.name.clone()).collect(),
            allowed: (f.generics.iter())
                .map(|p| generics::bound_types(p, &mut ignored))
                .collect(),
            params: generics::param_links(f),
            instances: (instances.iter())
                .map(|(id, args)| (args.iter().map(|(_, ty)| *ty).collect(), *id))
                .collect(),
        };
        globals
            .generic_fns
            .entry(f.name.name.clone())
            .or_insert(generic);
    }
    instances
}

/// The once-per-item checks of every generic kernel's and function's type
/// parameters.
fn check_generic_declarations(
    file: &ast::SourceFile,
    globals: &Globals,
    diags: &mut Vec<Diagnostic>,
) {
    for item in &file.items {
        match item {
            ast::Item::Kernel(k) => {
                let inputs: Vec<&ast::Param> = k.params.iter().collect();
                let all: Vec<&ast::Param> = k.params.iter().chain(&k.outputs).collect();
                generics::check_declaration(&k.name, &k.generics, &inputs, &all, globals, diags);
            }
            ast::Item::Function(f) => {
                let params: Vec<&ast::Param> = f.params.iter().collect();
                generics::check_declaration(&f.name, &f.generics, &params, &params, globals, diags);
            }
            ast::Item::Const(_) | ast::Item::Struct(_) => {}
        }
    }
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

fn fn_signature(
    f: &ast::FunctionDecl,
    structs: &Structs,
    type_params: &types::TypeParams,
    diags: &mut Vec<Diagnostic>,
) -> FnSig {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut params = Vec::new();
    for param in &f.params {
        if param.mode == ast::ParamMode::InOut {
            diags.push(
                Diagnostic::error(format!(
                    "function parameter `{}` cannot be `inout`",
                    param.name.name
                ))
                .primary(
                    param.span,
                    "functions are pure: they read arrays but do not write them",
                )
                .help("return the new value instead"),
            );
        }
        if let Some(first) = seen.insert(&param.name.name, param.name.span) {
            diags.push(declared_twice(&param.name, first));
        }
        params.push(param_ty(param, structs, type_params, diags));
    }
    if let Some(ret) = f.ret.as_ref().filter(|r| !r.dims.is_empty()) {
        diags.push(
            Diagnostic::error("functions return values, not arrays")
                .primary(ret.span, "an array type")
                .help("return a scalar, a tuple `(f32, f32)` or a struct; kernels write arrays"),
        );
    }
    if f.ret.is_none() {
        diags.push(
            Diagnostic::error(format!("function `{}` has no return type", f.name.name))
                .primary(f.name.span, "expected `-> T` after the parameters")
                .note("functions are pure: a function without a value would do nothing"),
        );
    }
    let ret = f
        .ret
        .as_ref()
        .filter(|r| r.dims.is_empty())
        .and_then(|r| structs.resolve(r, type_params, diags));
    let takes_array = params.iter().any(|p| matches!(p, ParamTy::Array { .. }));
    let aggregate_params = params
        .iter()
        .any(|p| matches!(p, ParamTy::Value(t) if !t.is_scalar()));
    FnSig {
        name: f.name.name.clone(),
        inline: takes_array || aggregate_params || ret.as_ref().is_some_and(|r| !r.is_scalar()),
        params,
        ret,
        type_args: Vec::new(),
        span: f.name.span,
        ir: None,
    }
}

/// A parameter's type: a value, or an array whose dimensions are size
/// names or constants.
fn param_ty(
    param: &ast::Param,
    structs: &Structs,
    type_params: &types::TypeParams,
    diags: &mut Vec<Diagnostic>,
) -> ParamTy {
    if param.ty.dims.is_empty() {
        let ty = structs.resolve(&param.ty, type_params, diags);
        return ParamTy::Value(ty.unwrap_or(ValTy::Scalar(infer::Ty::Error)));
    }
    let elem = types::elem_scalar(&param.ty, type_params, diags);
    let mut dims = Vec::new();
    for dim in &param.ty.dims {
        dims.push(match &dim.kind {
            ast::ExprKind::Name(n) => Dim::Name(n.name.clone()),
            ast::ExprKind::Literal(ast::Literal::Int(v)) if *v >= 1 && *v <= i64::MAX as u64 => {
                Dim::Const(*v as i64)
            }
            _ => {
                diags.push(
                    Diagnostic::error("a function's array dimensions are size names or constants")
                        .primary(dim.span, "not a name or a positive integer")
                        .help("name the size (`t: f32[n]`) and compute with it in the body"),
                );
                Dim::Name(String::new())
            }
        });
    }
    if dims.len() > crate::abi::MAX_RANK {
        diags.push(
            Diagnostic::error(format!(
                "an array has at most {} dimensions",
                crate::abi::MAX_RANK
            ))
            .primary(param.ty.span, "too many dimensions"),
        );
    }
    ParamTy::Array { elem, dims }
}

/// A parameter or output named like an earlier one of the same signature.
pub(crate) fn declared_twice(name: &ast::Ident, first: Span) -> Diagnostic {
    Diagnostic::error(format!("`{}` is declared twice", name.name))
        .primary(name.span, "declared again here")
        .secondary(first, "first declared here")
}

/// Reports each cycle in the call graph once, at the call that closes it.
fn report_recursion(globals: &Globals, calls: &[Vec<(FuncId, Span)>], diags: &mut Vec<Diagnostic>) {
    for (cycle, span) in find_cycles(calls) {
        let names: Vec<&str> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&f| globals.functions[FuncId::new(f)].name.as_str())
            .collect();
        diags.push(
            Diagnostic::error(format!("recursive call: {}", names.join(" → ")))
                .primary(span, "this call closes the cycle")
                .note("kern functions are inlined into vector code, so they cannot recurse"),
        );
    }
}

/// Every call that closes a cycle, with the cycle (as function indices,
/// from the function called to the caller), in depth-first order: functions
/// in declaration order, calls in source order.
///
/// The search keeps its own stack rather than recursing: a file may chain
/// any number of functions, and a long chain must not overflow the stack.
fn find_cycles(calls: &[Vec<(FuncId, Span)>]) -> Vec<(Vec<usize>, Span)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; calls.len()];
    let mut found = Vec::new();
    for (root, root_calls) in calls.iter().enumerate() {
        if marks[root] != Mark::New {
            continue;
        }
        marks[root] = Mark::Active;
        // The current call path: each function with the calls it has left.
        let mut path = vec![(root, root_calls.iter())];
        while let Some((f, pending)) = path.last_mut() {
            let f = *f;
            let Some(&(callee, span)) = pending.next() else {
                marks[f] = Mark::Done;
                path.pop();
                continue;
            };
            let c = callee.index();
            match marks.get(c) {
                Some(Mark::New) => {
                    marks[c] = Mark::Active;
                    path.push((c, calls[c].iter()));
                }
                Some(Mark::Active) => {
                    let on_path = path.iter().map(|(g, _)| *g);
                    let cycle: Vec<usize> = on_path.skip_while(|&g| g != c).collect();
                    found.push((cycle, span));
                }
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
