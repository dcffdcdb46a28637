//! [`Kernel::dump`]: the text of one kernel's compilation stages, as
//! `kjit emit` and `kjit explain` print them, for library callers (the
//! Python binding's `kernel.explain()` and `kernel.dump(stage)`).
//!
//! A program keeps machine code, not IR, so a dump checks and lowers the
//! source again (about a millisecond): introspection, not a hot path.

use super::{CompileError, Kernel, Signature};
use crate::codegen::{self, CodegenError};
use crate::ir::{self, Module};
use crate::{passes, plan};

/// A stage whose text [`Kernel::dump`] returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The IR as the front end built it (`kjit emit ir`).
    Ir,
    /// The IR after the passes, the code that runs
    /// (`kjit emit ir --after lowered`).
    LoweredIr,
    /// The vector plan (`kjit emit plan`).
    Plan,
    /// The plan told to the user, per phase and line (`kjit explain`).
    Explain,
    /// Cranelift IR of the driver and chunk functions (`kjit emit clif`).
    Clif,
    /// Their machine code (`kjit emit asm`).
    Asm,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Ir,
        Stage::LoweredIr,
        Stage::Plan,
        Stage::Explain,
        Stage::Clif,
        Stage::Asm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Ir => "ir",
            Stage::LoweredIr => "lowered",
            Stage::Plan => "plan",
            Stage::Explain => "explain",
            Stage::Clif => "clif",
            Stage::Asm => "asm",
        }
    }

    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl Kernel<'_> {
    /// This kernel's text at `stage`, compiled with the program's options.
    pub fn dump(&self, stage: Stage) -> Result<String, CompileError> {
        let program = self.program;
        let checked = crate::check(&program.source);
        // The program compiled from this source, so it checks again; an
        // error here would be a nondeterministic front end.
        let module = checked
            .module
            .ok_or(CompileError::Diagnostics(checked.diagnostics))?;
        // Every stage but the checked IR reads the lowered module.
        let module = match stage {
            Stage::Ir => module,
            _ => passes::lowered(&module, &program.options),
        };
        let source = Some(program.source.as_str());
        let name = self.name();
        // This kernel's instance alone (with every function): a generic
        // kernel's instances share its name.
        let module = module.with_only(find(&module, self.signature())?);
        let kernel = find(&module, self.signature())?;
        let dump = match stage {
            Stage::Ir | Stage::LoweredIr => ir::dump_module(&module),
            Stage::Plan => {
                plan::dump::dump(&plan::plan_kernel(&module, kernel), &module, kernel, source)
            }
            Stage::Explain => {
                plan::explain::explain(&plan::plan_kernel(&module, kernel), kernel, source)
            }
            Stage::Clif => codegen::dump_clif(&module, name, &program.options)
                .map_err(CompileError::Codegen)?,
            Stage::Asm => {
                codegen::dump_asm(&module, name, &program.options).map_err(CompileError::Codegen)?
            }
        };
        Ok(dump)
    }
}

/// The kernel (the instance, for a generic one) `sig` describes.
fn find<'m>(module: &'m Module, sig: &Signature) -> Result<&'m ir::Kernel, CompileError> {
    let name = &sig.name;
    let types = |k: &ir::Kernel| k.type_args.iter().map(|a| a.ty).collect::<Vec<_>>();
    let wanted: Vec<_> = sig.type_params.iter().map(|t| t.ty).collect();
    module
        .kernels
        .iter()
        .find(|k| &k.name == name && types(k) == wanted)
        .ok_or_else(|| {
            CompileError::Codegen(CodegenError::new(format!(
                "kernel `{name}` is missing from the source it was compiled from"
            )))
        })
}
