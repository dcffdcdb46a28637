//! `kjit run FILE [NAME=SPEC ...] [-o NAME=PATH.npy ...]`: compile, build
//! the arguments, run, write and summarize the outputs.
//!
//! The steps read top to bottom in [`run`]. Everything that can be checked
//! before the kernel runs is (engine, kernel choice, argument specs, `-o`
//! requests, argument binding), so a long run is never wasted on a typo.

use super::outputs::OutputPlan;
use super::report::{self, Timing};
use super::{
    print_diagnostics, read_source, select_kernel, summary, to_stderr, to_stdout, CliError, Engine,
    RunArgs,
};
use kjit::eval::{self, EvalError};
use kjit::inputs::{self, Defaults, Spec};
use kjit::ir::{Kernel, Module};
use kjit::signature::{bind, Signature};
use std::path::Path;
use std::time::Instant;

pub fn run(args: &RunArgs) -> Result<(), CliError> {
    check_engine(args.engine)?;
    let source = read_source(&args.file)?;
    let started = Instant::now();
    let module = compile(&args.file, &source)?;
    let compile_time = started.elapsed();
    let kernel = select_kernel(&module, &args.file, args.kernel.as_deref())?;
    let specs = argument_specs(&args.file, &source, &module, kernel, &args.args)?;
    let plan = OutputPlan::new(kernel, &args.outputs, &specs, args.force)?;
    let call_args = inputs::materialize(kernel, &specs)?;
    let signature = Signature::of(kernel);
    let bound = bind(&signature, &call_args).map_err(CliError::Args)?;
    let started = Instant::now();
    let outputs =
        eval::evaluate(&module, &kernel.name, &call_args).map_err(|e| eval_error(e, &source))?;
    let run_time = started.elapsed();
    let written = plan.write(&outputs)?;
    let timing = Timing {
        compile: compile_time,
        run: run_time,
        elements: report::largest_domain(kernel, &bound),
        engine: args.engine,
        threads: args.threads,
    };
    to_stdout(&report::render(
        &signature, &bound, &outputs, &written, &timing,
    ));
    Ok(())
}

fn check_engine(engine: Engine) -> Result<(), CliError> {
    match engine {
        Engine::Reference => Ok(()),
        Engine::Jit => Err(CliError::Usage(
            "engine `jit` is not available yet; use --engine reference".to_string(),
        )),
    }
}

/// The checked module; diagnostics (warnings too) go to stderr.
fn compile(file: &Path, source: &str) -> Result<Module, CliError> {
    let checked = kjit::check(source);
    if print_diagnostics(file, source, &checked.diagnostics) > 0 {
        to_stderr(&format!(
            "{}: {}\n",
            file.display(),
            summary(&checked.diagnostics)
        ));
    }
    checked.module.ok_or(CliError::Diagnostics)
}

/// The file's defaults for `kernel`, overridden by the command line.
fn argument_specs(
    file: &Path,
    source: &str,
    module: &Module,
    kernel: &Kernel,
    args: &[String],
) -> Result<Vec<(String, Spec)>, CliError> {
    let overrides = args
        .iter()
        .map(|arg| inputs::parse_arg(arg))
        .collect::<Result<Vec<_>, _>>()?;
    let mut defaults = Defaults::parse(source)?;
    // Paths in the file are relative to the file, not to where kjit runs.
    defaults.rebase(file.parent().unwrap_or(Path::new("")));
    Ok(inputs::merge(
        defaults.for_kernel(module, kernel)?,
        overrides,
    ))
}

fn eval_error(error: EvalError, source: &str) -> CliError {
    match error {
        EvalError::Args(error) => CliError::Args(error),
        other => CliError::Runtime(other.describe(source)),
    }
}
