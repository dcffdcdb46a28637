//! Kernel and function signatures and bodies: parameters, sizes, outputs,
//! and the per-item checks (unused outputs, missing values).

use super::infer::Ty;
use super::lower::{ty_of, KernelSig, Lowerer};
use super::scope::Binding;
use super::sizes::{dim_size, error_size};
use super::ParamTy;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, LocalKind, ParamId, ParamKind, ParamRole};
use crate::span::Span;
use crate::syntax::ast::{self, ParamMode};
use cranelift_entity::PrimaryMap;
use std::collections::{HashMap, HashSet};

impl Lowerer<'_> {
    pub fn kernel(
        mut self,
        decl: &ast::KernelDecl,
        type_args: &[(String, crate::types::ScalarType)],
    ) -> (ir::Kernel, Vec<Diagnostic>, super::lower::Calls) {
        self.scopes.push();
        self.kernel = Some(self.kernel_signature(decl));
        let mut block = Vec::new();
        for stmt in &decl.body.stmts {
            self.ctx.kernel_top_level = true;
            self.stmt(stmt, &mut block);
        }
        self.ctx.kernel_top_level = false;
        if let Some(tail) = &decl.body.tail {
            self.expr(tail);
            let d = Diagnostic::error("a kernel body has no value")
                .primary(tail.span, "this value is computed and dropped")
                .help("assign it to an output: `out = ...;`");
            // An error tail (`return out;`) was reported by the parser.
            if tail.kind != ast::ExprKind::Error {
                self.error(d);
            }
        }
        let sig = self.kernel.take().unwrap_or_else(KernelSig::empty);
        self.warn_unwritten_outputs(&sig);
        self.b.body.block = block;
        let body = std::mem::take(&mut self.b).finish(&self.infer, &mut self.diags);
        let type_args = super::generics::kernel_type_args(decl, type_args, &sig.params);
        let kernel = ir::Kernel {
            name: decl.name.name.clone(),
            span: decl.span,
            sizes: sig.sizes,
            params: sig.params,
            body,
            type_args,
        };
        (kernel, self.diags, self.calls)
    }

    /// Parameters, outputs and sizes, bound in the kernel's outer scope.
    fn kernel_signature(&mut self, decl: &ast::KernelDecl) -> KernelSig {
        let mut sig = KernelSig::empty();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let inputs = decl.params.iter().map(|p| (p, false));
        let outputs = decl.outputs.iter().map(|p| (p, true));
        for (param, is_output) in inputs.chain(outputs) {
            if let Some(first) = seen.insert(&param.name.name, param.name.span) {
                self.error(super::declared_twice(&param.name, first));
                continue;
            }
            self.kernel_param(&mut sig, param, is_output);
        }
        for (_, size) in sig.sizes.iter() {
            if let Some(&clash) = seen.get(size.name.as_str()) {
                let d =
                    Diagnostic::error(format!("`{}` is both a size and a parameter", size.name))
                        .primary(clash, "parameter")
                        .secondary(size.span, "size");
                self.diags.push(d);
            }
        }
        self.bind_sizes(&sig);
        sig
    }

    fn kernel_param(&mut self, sig: &mut KernelSig, param: &ast::Param, is_output: bool) {
        let role = match (is_output, param.mode) {
            (true, _) => ParamRole::Output,
            (false, ParamMode::In) => ParamRole::Input,
            (false, ParamMode::InOut) => ParamRole::InOut,
        };
        if role == ParamRole::InOut && param.ty.dims.is_empty() {
            let d = Diagnostic::error(format!("scalar `{}` cannot be `inout`", param.name.name))
                .primary(param.span, "only arrays are `inout`")
                .help("declare a scalar output instead: `-> (name: T)`");
            self.error(d);
        }
        let kind = self.param_kind(sig, &param.ty, sig.params.next_key(), role);
        let id = sig.params.push(ir::Param {
            name: param.name.name.clone(),
            span: param.span,
            role,
            kind: kind.clone(),
        });
        match kind {
            ParamKind::Scalar(ty) if role == ParamRole::Output => {
                let local = self.b.local(
                    &param.name.name,
                    ty_of(ty),
                    param.name.span,
                    LocalKind::Output(id),
                );
                self.scopes.bind(&param.name.name, Binding::Local(local));
            }
            _ => self.scopes.bind(&param.name.name, Binding::Param(id)),
        }
    }

    fn param_kind(
        &mut self,
        sig: &mut KernelSig,
        ty: &ast::TypeExpr,
        id: ParamId,
        role: ParamRole,
    ) -> ParamKind {
        if ty.dims.is_empty() {
            return ParamKind::Scalar(self.elem(ty));
        }
        self.check_rank(ty);
        let dims = ty
            .dims
            .iter()
            .enumerate()
            .map(|(dim, expr)| {
                let fixed_by = (role != ParamRole::Output).then_some((id, dim));
                match dim_size(sig, expr, fixed_by, true) {
                    Ok(size) => size,
                    Err(d) => {
                        self.diags.extend(d);
                        error_size(sig, expr.span)
                    }
                }
            })
            .collect();
        ParamKind::Array {
            elem: self.elem(ty),
            dims,
        }
    }

    fn warn_unwritten_outputs(&mut self, sig: &KernelSig) {
        for (id, param) in sig.params.iter() {
            if param.role == ParamRole::Output && !sig.written.contains(&id) {
                let how = if param.is_array() {
                    "stored"
                } else {
                    "assigned"
                };
                let d = Diagnostic::warning(format!("output `{}` is never {how}", param.name))
                    .primary(param.span, "it will be all zeros");
                self.diags.push(d);
            }
        }
    }

    /// Checks a function on its own. A function that is expanded at its
    /// calls (see `inline.rs`) is checked here for its errors; its IR is
    /// not kept.
    pub fn function(
        mut self,
        decl: &ast::FunctionDecl,
        id: ir::FuncId,
        sig: &super::FnSig,
    ) -> (ir::Function, Vec<Diagnostic>, super::lower::Calls) {
        self.ctx.in_function = true;
        self.scopes.push();
        self.inline_stack.push(id);
        let mut params = Vec::new();
        let mut arrays = KernelSig::empty();
        for (param, ty) in decl.params.iter().zip(&sig.params) {
            match ty {
                ParamTy::Value(ty) => params.extend(self.fn_param(&param.name, ty)),
                ParamTy::Array { .. } => self.kernel_param(&mut arrays, param, false),
            }
        }
        self.bind_sizes(&arrays);
        self.kernel = Some(arrays);
        let mut block = Vec::new();
        let (stmts, value) =
            self.value_block_any(&decl.body, &format!("the body of `{}`", decl.name.name));
        block.extend(stmts);
        let what = format!("the value of `{}`", decl.name.name);
        if let Some(ret) = &sig.ret {
            self.expect_value(&value, ret, &what);
        }
        let result = if value.ty.is_scalar() {
            self.leaf(value.leaves[0], value.span)
        } else {
            self.error_expr(value.span)
        };
        self.b.body.block = block;
        let body = std::mem::take(&mut self.b).finish(&self.infer, &mut self.diags);
        let ret = match &sig.ret {
            Some(super::ValTy::Scalar(Ty::Known(t))) => *t,
            _ => crate::types::ScalarType::Bool,
        };
        let function = ir::Function {
            name: decl.name.name.clone(),
            span: decl.span,
            params,
            ret,
            body,
            result,
        };
        (function, self.diags, self.calls)
    }

    /// A value parameter: its IR parameters (one per leaf), bound by name.
    fn fn_param(&mut self, name: &ast::Ident, ty: &super::ValTy) -> Vec<ir::LocalId> {
        let paths = self.structs().leaf_paths(ty);
        let tys = self.structs().leaf_tys(ty);
        let locals: Vec<ir::LocalId> = paths
            .iter()
            .zip(tys)
            .map(|(path, t)| {
                let local_name = if path.is_empty() {
                    name.name.clone()
                } else {
                    format!("{}.{path}", name.name)
                };
                self.b.local(&local_name, t, name.span, LocalKind::FnParam)
            })
            .collect();
        let binding = if ty.is_scalar() {
            Binding::Local(locals[0])
        } else {
            let index = self.aggregates.len() as u32;
            self.aggregates.push(super::types::Aggregate {
                ty: ty.clone(),
                leaves: locals.clone(),
            });
            Binding::Aggregate(index)
        };
        self.scopes.bind(&name.name, binding);
        locals
    }

    /// Binds the size names of `sig` (not the derived ones) in scope.
    fn bind_sizes(&mut self, sig: &KernelSig) {
        for (id, size) in sig.sizes.iter() {
            if size.definition.is_none() {
                self.scopes.bind(&size.name, Binding::Size(id));
            }
        }
    }
}

impl KernelSig {
    pub fn empty() -> KernelSig {
        KernelSig {
            params: PrimaryMap::new(),
            sizes: PrimaryMap::new(),
            written: HashSet::new(),
        }
    }
}
