//! `kjit emit ast|ir|plan|clif|asm FILE [--kernel K]`: a stage's text dump
//! on stdout; `kjit explain FILE [--kernel K]`: the plan, told to the user.
//!
//! The AST is dumped after parsing alone, so it is available for a file
//! that parses but does not check; the later stages need a file without
//! errors. `--kernel` keeps one kernel (and, in the IR, every function,
//! since the kernel may call them); without it, the vectorizer and code
//! generator dumps cover every kernel, one after another.

use super::{
    kernel_names, print_diagnostics, read_source, select_kernel, summary, to_stderr, to_stdout,
    CliError, Stage,
};
use kjit::codegen::{self, CodegenError};
use kjit::diagnostic::Diagnostic;
use kjit::ir::{self, Module};
use kjit::options::Options;
use kjit::passes::{self, Pass};
use kjit::plan;
use kjit::syntax::ast::{Item, SourceFile};
use kjit::syntax::{self, dump::dump_ast};
use std::path::Path;

/// How far `emit` lowers the IR (`--after`, `--fast-math`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Lowering<'a> {
    pub after: Option<&'a str>,
    pub fast_math: bool,
}

impl Lowering<'_> {
    fn options(self) -> Options {
        Options {
            fast_math: self.fast_math,
            ..Options::default()
        }
    }
}

pub fn emit(
    stage: Stage,
    file: &Path,
    kernel: Option<&str>,
    lowering: Lowering,
) -> Result<(), CliError> {
    if lowering.after.is_some() && stage != Stage::Ir {
        return Err(CliError::Usage(
            "--after selects a stage of the IR: use it with `emit ir`".into(),
        ));
    }
    let source = read_source(file)?;
    let dump = match stage {
        Stage::Ast => emit_ast(file, &source, kernel)?,
        Stage::Ir => emit_ir(file, &source, kernel, lowering)?,
        Stage::Plan | Stage::Clif | Stage::Asm => {
            emit_backend(stage, file, &source, kernel, lowering)?
        }
    };
    to_stdout(&dump);
    Ok(())
}

fn emit_ast(file: &Path, source: &str, kernel: Option<&str>) -> Result<String, CliError> {
    let (ast, diagnostics) = syntax::parse(source);
    report(file, source, &diagnostics)?;
    let ast = match kernel {
        Some(name) => only_kernel(file, ast, name)?,
        None => ast,
    };
    Ok(dump_ast(&ast))
}

/// The file with kernel `name` and every function, or a usage error.
fn only_kernel(file: &Path, ast: SourceFile, name: &str) -> Result<SourceFile, CliError> {
    let is_kernel = |item: &Item, wanted: Option<&str>| match item {
        Item::Kernel(k) => wanted.is_none_or(|w| k.name.name == w),
        Item::Function(_) | Item::Const(_) | Item::Struct(_) => false,
    };
    if !ast.items.iter().any(|item| is_kernel(item, Some(name))) {
        let names = ast.items.iter().filter_map(|item| match item {
            Item::Kernel(k) => Some(k.name.name.as_str()),
            Item::Function(_) | Item::Const(_) | Item::Struct(_) => None,
        });
        return Err(CliError::Usage(format!(
            "`{}` has no kernel `{name}` (kernels: {})",
            file.display(),
            kernel_names(names)
        )));
    }
    let items = ast
        .items
        .into_iter()
        .filter(|item| !is_kernel(item, None) || is_kernel(item, Some(name)))
        .collect();
    Ok(SourceFile { items })
}

fn emit_ir(
    file: &Path,
    source: &str,
    kernel: Option<&str>,
    lowering: Lowering,
) -> Result<String, CliError> {
    let module = checked_module(file, source)?;
    let module = match lowering.after {
        None if !lowering.fast_math => module,
        None => passes::lowered(&module, &lowering.options()),
        Some(name) => after_pass(module, name, lowering.options())?,
    };
    let module = match kernel {
        Some(name) => module.with_only(select_kernel(&module, file, Some(name))?),
        None => module,
    };
    Ok(ir::dump_module(&module))
}

/// `module` as it stands after pass `name` (`lowered`: after all).
fn after_pass(mut module: Module, name: &str, options: Options) -> Result<Module, CliError> {
    if name == "lowered" {
        return Ok(passes::lowered(&module, &options));
    }
    let Some(wanted) = Pass::from_name(name) else {
        let names: Vec<&str> = Pass::ALL.iter().map(|p| p.name()).collect();
        return Err(CliError::Usage(format!(
            "no pass `{name}` (passes: {}, lowered)",
            names.join(", ")
        )));
    };
    if wanted == Pass::FastMath && !options.fast_math {
        return Err(CliError::Usage(
            "the fast-math pass runs only with --fast-math".into(),
        ));
    }
    let mut snapshot = None;
    passes::lower(&mut module, &options, &mut |pass, m| {
        if pass == wanted {
            snapshot = Some(m.clone());
        }
    });
    snapshot.ok_or_else(|| CliError::Internal(format!("pass `{name}` did not run")))
}

/// The vector plan's or code generator's dump of each selected kernel,
/// from the lowered module.
fn emit_backend(
    stage: Stage,
    file: &Path,
    source: &str,
    kernel: Option<&str>,
    lowering: Lowering,
) -> Result<String, CliError> {
    let options = lowering.options();
    let module = passes::lowered(&checked_module(file, source)?, &options);
    // Every instance of a generic kernel, each in a module of its own
    // (instances share the kernel's name).
    let kernels: Vec<&ir::Kernel> = match kernel {
        Some(name) => module
            .instances(select_kernel(&module, file, Some(name))?.name.as_str())
            .collect(),
        None => module.kernels.iter().collect(),
    };
    // A limit the kernel ran into is a diagnostic; anything else, a bug.
    let internal = |e: CodegenError| match e.diagnostic {
        Some(d) => {
            print_diagnostics(file, source, &[*d]);
            CliError::Diagnostics
        }
        None => CliError::Internal(e.to_string()),
    };
    let mut out = String::new();
    for kernel in kernels {
        let module = module.with_only(kernel);
        let (k, name) = (&module.kernels[0], kernel.name.as_str());
        let dump = match stage {
            Stage::Clif => codegen::dump_clif(&module, name, &options).map_err(internal)?,
            Stage::Asm => codegen::dump_asm(&module, name, &options).map_err(internal)?,
            _ => plan::dump::dump(&plan::plan_kernel(&module, k), &module, k, Some(source)),
        };
        out.push_str(&dump);
    }
    Ok(out)
}

/// `kjit explain`: for each selected kernel, how it is vectorized and why.
pub fn explain(file: &Path, kernel: Option<&str>, fast_math: bool) -> Result<(), CliError> {
    let source = read_source(file)?;
    let options = Options {
        fast_math,
        ..Options::default()
    };
    let module = passes::lowered(&checked_module(file, &source)?, &options);
    let kernels: Vec<&ir::Kernel> = match kernel {
        Some(name) => vec![select_kernel(&module, file, Some(name))?],
        None => module.kernels.iter().collect(),
    };
    let mut out = String::new();
    for k in kernels {
        let vplan = plan::plan_kernel(&module, k);
        out.push_str(&plan::explain::explain(&vplan, k, Some(&source)));
    }
    to_stdout(&out);
    Ok(())
}

/// The checked module, or the diagnostics that stop a dump.
fn checked_module(file: &Path, source: &str) -> Result<Module, CliError> {
    let checked = kjit::check(source);
    report(file, source, &checked.diagnostics)?;
    // `module` is `None` only when there were errors, reported above.
    checked.module.ok_or(CliError::Diagnostics)
}

/// Prints diagnostics (warnings too); errors stop the dump.
fn report(file: &Path, source: &str, diagnostics: &[Diagnostic]) -> Result<(), CliError> {
    if print_diagnostics(file, source, diagnostics) > 0 {
        to_stderr(&format!("{}: {}\n", file.display(), summary(diagnostics)));
        return Err(CliError::Diagnostics);
    }
    Ok(())
}
