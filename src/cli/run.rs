//! `kjit run FILE [NAME=SPEC ...] [-o NAME=PATH.npy ...]`: compile, build
//! the arguments, run, write and summarize the outputs.
//!
//! The steps read top to bottom in [`run`]. Everything that can be checked
//! before the kernel runs is (kernel choice, argument specs, `-o` requests,
//! argument binding), and before the JIT compiles it, so a long run is
//! never wasted on a typo. The JIT engine (the default) compiles only the
//! kernel it runs; "compile" in the report is source → callable (front end
//! plus code generation), "run" the call itself.
//!
//! The JIT reads `.npy` input arrays in place, from their memory maps, and
//! writes outputs into buffers allocated once (`arguments`, `call`); the
//! reference engine takes owned copies of everything, as the oracle should.

use super::arguments::{self, Prepared};
use super::call::call;
use super::outputs::OutputPlan;
use super::report::{self, Timing};
use super::{
    print_diagnostics, read_source, select_kernel, summary, to_stderr, to_stdout, CliError, Engine,
    RunArgs,
};
use kjit::api::{CompileError, Program};
use kjit::eval::{self, EvalError};
use kjit::inputs::{self, Defaults, Origin, Spec};
use kjit::ir::{Kernel, Module};
use kjit::options::Options;
use kjit::passes;
use kjit::runtime::out_of_bounds_diagnostic;
use kjit::signature::{Bound, Signature};
use kjit::types::ScalarType;
use kjit::value::Outputs;
use std::num::NonZeroUsize;
use std::path::Path;
use std::time::{Duration, Instant};

pub fn run(args: &RunArgs) -> Result<(), CliError> {
    options(args)
        .validate()
        .map_err(|e| CliError::Usage(format!("--threads: {e}")))?;
    let source = read_source(&args.file)?;
    let started = Instant::now();
    let module = compile(&args.file, &source)?;
    let front_end_time = started.elapsed();
    let kernel = select_kernel(&module, &args.file, args.kernel.as_deref())?;
    // `T=f64` among the arguments is a type argument, as `--type T=f64`.
    let (word_types, words) = kjit::inputs::instance::split_type_words(kernel, &args.args);
    let words: Vec<String> = words.into_iter().map(str::to_string).collect();
    let specs = argument_specs(&args.file, &source, &module, kernel, &words)?;
    let kernel = instance(&module, kernel, &specs, &args.types, word_types)?;
    let plan = OutputPlan::new(kernel, &args.outputs, &args.file, &specs, args.force)?;
    let prepared = arguments::prepare(kernel, &specs, args.engine)
        .map_err(|e| e.with_origins(origins(&source, &module, kernel, &args.args)))?;
    to_stderr(&prepared.copy_notes());
    let signature = Signature::of(kernel);
    let bound = prepared.bind(&signature).map_err(CliError::Args)?;
    let done = execute(args, &source, &module, kernel, prepared, &bound)?;
    let written = plan.write(&done.outputs)?;
    let timing = Timing {
        compile: front_end_time + done.codegen_time,
        run: done.run_time,
        elements: report::largest_domain(kernel, &bound),
        engine: args.engine,
        // The report's thread note is about the reference engine; the
        // JIT's thread count gets a line of its own below.
        threads: args.threads.filter(|_| args.engine == Engine::Reference),
    };
    let mut text = report::render(&signature, &bound, &done.outputs, &written, &timing);
    if let Some(threads) = done.threads {
        text.push_str(&format!("threads {threads}\n"));
    }
    to_stdout(&text);
    Ok(())
}

/// What running the kernel produced and cost.
struct Executed {
    outputs: Outputs,
    /// Source → callable beyond the front end (code generation).
    codegen_time: Duration,
    run_time: Duration,
    /// Threads that ran the phases (JIT only).
    threads: Option<usize>,
}

fn execute(
    args: &RunArgs,
    source: &str,
    module: &Module,
    kernel: &Kernel,
    prepared: Prepared,
    bound: &Bound,
) -> Result<Executed, CliError> {
    if args.engine == Engine::Jit {
        return run_jit(args, source, module, kernel, prepared, bound);
    }
    // Both engines run the lowered module (the JIT lowers it in
    // `Program::from_module`), so `--fast-math` reaches both the same way.
    let lowered = passes::lowered(module, &options(args));
    let started = Instant::now();
    let outputs = eval::evaluate(&lowered, &kernel.name, &prepared.owned)
        .map_err(|e| eval_error(e, &args.file, source))?;
    Ok(Executed {
        outputs,
        codegen_time: Duration::ZERO,
        run_time: started.elapsed(),
        threads: None,
    })
}

/// The compile and run options `args` ask for.
fn options(args: &RunArgs) -> Options {
    Options {
        threads: args.threads.map(NonZeroUsize::get),
        fast_math: args.fast_math,
        ..Options::default()
    }
}

/// Compiles the one kernel to run (with the functions it may call), then
/// calls it on the prepared arguments in place. Arguments were bound
/// already, so a typo never waits on codegen.
fn run_jit(
    args: &RunArgs,
    source: &str,
    module: &Module,
    kernel: &Kernel,
    prepared: Prepared,
    bound: &Bound,
) -> Result<Executed, CliError> {
    let started = Instant::now();
    let only = module.with_only(kernel);
    let program = Program::from_module(&only, source, options(args))
        .map_err(|e| compile_error(e, &args.file, source))?;
    let jit_kernel = program
        .kernel(&kernel.name)
        .ok_or_else(|| CliError::Internal(format!("kernel `{}` was not compiled", kernel.name)))?;
    // A generic kernel's instance (the module's only one) compiles on first
    // use: now, so that its time counts as compile time, not run time.
    jit_kernel
        .compile()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let codegen_time = started.elapsed();
    let started = Instant::now();
    let outputs = call(jit_kernel, prepared, bound, &args.file, source)?;
    Ok(Executed {
        outputs,
        codegen_time,
        run_time: started.elapsed(),
        threads: Some(program.threads()),
    })
}

fn compile_error(error: CompileError, file: &Path, source: &str) -> CliError {
    match error {
        // The front end passed before; what code generation reports as a
        // diagnostic is a limit the kernel ran into (its size).
        CompileError::Diagnostics(diagnostics) => {
            print_diagnostics(file, source, &diagnostics);
            CliError::Diagnostics
        }
        CompileError::Codegen(_) => CliError::Internal(error.to_string()),
        CompileError::ThreadPool { .. } => CliError::Runtime(error.to_string()),
        CompileError::Options(_) => CliError::Usage(error.to_string()),
    }
}

/// The instance of a generic kernel the run uses (`--type`, else a `.npy`
/// input's dtype, else the first type of each bound); `kernel` itself
/// for an ordinary one.
fn instance<'m>(
    module: &'m Module,
    kernel: &'m Kernel,
    specs: &[(String, Spec)],
    flags: &[String],
    words: Vec<(String, ScalarType)>,
) -> Result<&'m Kernel, CliError> {
    use kjit::inputs::instance::{choose, parse_type_arg};
    let usage = |e: kjit::inputs::instance::InstanceError| CliError::Usage(e.to_string());
    let mut types = (flags.iter())
        .map(|t| parse_type_arg(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    types.extend(words);
    choose(module, kernel, specs, &types).map_err(usage)
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

/// The file's defaults for `kernel`, overridden by the command line; a
/// default size yields to an array the command line gives that fixes it.
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
    let base =
        inputs::yield_to_given_arrays(kernel, defaults.for_kernel(module, kernel)?, &overrides);
    Ok(inputs::merge(base, overrides))
}

/// Where the spec of each argument of a run was written.
fn origins<'a>(
    source: &'a str,
    module: &'a Module,
    kernel: &'a Kernel,
    args: &'a [String],
) -> impl Fn(&str) -> Option<Origin> + 'a {
    let defaults = Defaults::parse(source).unwrap_or_default();
    move |name| {
        let given = args
            .iter()
            .any(|a| a.split_once('=').is_some_and(|(n, _)| n.trim() == name));
        if given {
            return Some(Origin::CommandLine);
        }
        let line = defaults.line_of(module, kernel, name)?;
        Some(Origin::DefaultLine(u32::try_from(line).unwrap_or(u32::MAX)))
    }
}

fn eval_error(error: EvalError, file: &Path, source: &str) -> CliError {
    match error {
        EvalError::Args(error) => CliError::Args(error),
        EvalError::OutOfBounds {
            kernel,
            array,
            index,
            shape,
            span,
        } => {
            let diagnostic = out_of_bounds_diagnostic(&kernel, &array, &index, &shape, span);
            CliError::runtime_at(diagnostic, file, source)
        }
        other => CliError::Runtime(other.describe(source)),
    }
}
