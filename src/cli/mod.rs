//! The command-line interface: `kjit check`, `kjit emit`, `kjit run`.
//!
//! In: the parsed command line ([`Cli`]). Out: text on stdout (dumps, run
//! reports), diagnostics and errors on stderr, `.npy` files for `-o`, and a
//! [`CliError`] whose [`CliError::exit_code`] `main` returns.
//!
//! This is the edge of the program: the only place that reads files named
//! by the user (besides `.npy` inputs, read by `kjit::inputs` or mapped by
//! `kjit::npy::NpyView`), looks at the terminal, or measures time. Everything it calls is library code that
//! returns typed errors; nothing here panics on user input.

mod arguments;
mod call;
mod check;
mod emit;
mod outputs;
mod report;
mod run;

use clap::{Parser, Subcommand, ValueEnum};
use kjit::diagnostic::{render, Diagnostic};
use kjit::inputs::InputError;
use kjit::ir::{Kernel, Module};
use std::fmt;
use std::io::{IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

/// kjit: a data-parallel array-kernel language.
#[derive(Parser, Debug)]
#[command(name = "kjit", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a .kern file: print every diagnostic, exit 1 if there are errors.
    Check {
        /// The .kern source file.
        file: PathBuf,
    },
    /// Print a compiler stage: syntax tree, kernel IR, vector plan,
    /// Cranelift IR or machine code.
    Emit {
        #[arg(value_enum)]
        stage: Stage,
        /// The .kern source file.
        file: PathBuf,
        /// Print only this kernel (and, for the IR, the functions).
        #[arg(long)]
        kernel: Option<String>,
        /// The IR after this pass (fast-math, unroll, fold) rather than
        /// as checked; `lowered` means after every pass. IR stage only:
        /// the later stages always see the lowered IR.
        #[arg(long, value_name = "PASS")]
        after: Option<String>,
        /// Lower with fast maths, as `run --fast-math` does.
        #[arg(long)]
        fast_math: bool,
    },
    /// Explain how each phase is vectorized and parallelized, line by line:
    /// what runs as plain vector code, what does not and why, with a help
    /// line where a rewrite would help.
    Explain {
        /// The .kern source file.
        file: PathBuf,
        /// Explain only this kernel.
        #[arg(long)]
        kernel: Option<String>,
        /// Explain the fast-maths compilation.
        #[arg(long)]
        fast_math: bool,
    },
    /// Run a kernel and summarize its outputs.
    Run(RunArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// The syntax tree, as parsed.
    Ast,
    /// The checked kernel IR.
    Ir,
    /// The vector plan: per phase, the form of every local, loop, branch
    /// and array access, the footprint and the chunking (alias: vir).
    #[value(alias = "vir")]
    Plan,
    /// Cranelift IR of the driver and chunk functions.
    Clif,
    /// Disassembly of the driver and chunk functions.
    Asm,
}

#[derive(clap::Args, Debug)]
#[command(after_help = RUN_HELP)]
pub struct RunArgs {
    /// The .kern source file.
    pub file: PathBuf,
    /// Arguments and sizes, e.g. n=1000 a=2.5 x=uniform(0,1) y=data.npy;
    /// they override the file's `// default:` lines.
    #[arg(value_name = "NAME=SPEC")]
    pub args: Vec<String>,
    /// The kernel to run; required when the file has several.
    #[arg(long)]
    pub kernel: Option<String>,
    /// A type parameter of a generic kernel (repeatable), e.g. T=f64.
    /// Without it, a .npy input of that element type decides, else the
    /// first type of the bound.
    #[arg(long = "type", value_name = "NAME=TYPE")]
    pub types: Vec<String>,
    /// Write output NAME to a .npy file (repeatable).
    #[arg(short = 'o', long = "output", value_name = "NAME=PATH.npy")]
    pub outputs: Vec<String>,
    /// Overwrite existing -o files.
    #[arg(long)]
    pub force: bool,
    /// The engine that runs the kernel.
    #[arg(long, value_enum, default_value_t = Engine::Jit)]
    pub engine: Engine,
    /// Worker threads for the JIT's phases (default: one per core, at most
    /// 1024); the reference engine always runs on one.
    #[arg(long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,
    /// Fast maths: the looser, faster variants of exp, log, sin, ...
    /// (bounds in docs/MATH.md) and `a * b + c` fused into one fma. Both
    /// engines honour it.
    #[arg(long)]
    pub fast_math: bool,
}

const RUN_HELP: &str = "\
SPEC is one of:
  2.5  -3  true  nan  inf          a scalar (converted to the parameter's type)
  [1, 2, 3]  [[1, 2], [3, 4]]      an array literal (1-D or 2-D)
  uniform(lo,hi)  normal(mu,sd)    random values, seeded by NAME (runs repeat)
  linspace(a,b)  iota  fill(v)     a, ..., b inclusive / 0, 1, 2, ... / v everywhere
  data/x.npy                       a .npy file of the parameter's dtype
Sizes are given the same way (n=1000) unless an array argument fixes them.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The reference evaluator: sequential, exact, slow.
    Reference,
    /// The vectorizing, parallel Cranelift JIT.
    Jit,
}

/// Why a command failed; each kind has its exit code.
#[derive(Debug)]
pub enum CliError {
    /// The source has errors; they have been printed already.
    Diagnostics,
    /// A usage error clap cannot see: unknown kernel or engine.
    Usage(String),
    /// The source file could not be read.
    Source {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Bad arguments: spec syntax, literals, sizes, `.npy` inputs.
    Input(InputError),
    /// The arguments did not fit the kernel's signature.
    Args(kjit::signature::ArgError),
    /// The kernel failed while running (message with source position).
    Runtime(String),
    /// The kernel failed while running at a place in the source, shown as
    /// a code frame.
    RuntimeAt {
        diagnostic: Box<Diagnostic>,
        file: PathBuf,
        source: String,
    },
    /// An `-o` request was refused or its file could not be written.
    Output(outputs::OutputError),
    /// A bug in kjit (code generation or the runtime broke an invariant).
    Internal(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Diagnostics => 1,
            CliError::Usage(_) => 2,
            CliError::Source { .. }
            | CliError::Input(_)
            | CliError::Args(_)
            | CliError::Runtime(_)
            | CliError::RuntimeAt { .. }
            | CliError::Output(_) => 3,
            CliError::Internal(_) => 4,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Diagnostics => f.write_str("the source has errors"),
            CliError::Usage(message) | CliError::Runtime(message) => f.write_str(message),
            CliError::RuntimeAt { diagnostic, .. } => f.write_str(&diagnostic.message),
            CliError::Internal(message) => write!(f, "{message} (this is a bug in kjit)"),
            CliError::Source { path, error } => {
                write!(f, "cannot read `{}`: {error}", path.display())
            }
            CliError::Input(error) => write!(f, "{error}"),
            CliError::Args(error) => write!(f, "{error}"),
            CliError::Output(error) => write!(f, "{error}"),
        }
    }
}

impl From<InputError> for CliError {
    fn from(error: InputError) -> CliError {
        CliError::Input(error)
    }
}

impl From<outputs::OutputError> for CliError {
    fn from(error: outputs::OutputError) -> CliError {
        CliError::Output(error)
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Check { file } => check::check(&file),
        Command::Emit {
            stage,
            file,
            kernel,
            after,
            fast_math,
        } => {
            let lowering = emit::Lowering {
                after: after.as_deref(),
                fast_math,
            };
            emit::emit(stage, &file, kernel.as_deref(), lowering)
        }
        Command::Explain {
            file,
            kernel,
            fast_math,
        } => emit::explain(&file, kernel.as_deref(), fast_math),
        Command::Run(args) => run::run(&args),
    }
}

impl CliError {
    fn runtime_at(diagnostic: Diagnostic, file: &Path, source: &str) -> CliError {
        CliError::RuntimeAt {
            diagnostic: Box::new(diagnostic),
            file: file.to_path_buf(),
            source: source.to_string(),
        }
    }
}

/// Prints a failed command's error; diagnostics are already out.
pub fn print_error(error: &CliError) {
    match error {
        CliError::Diagnostics => {}
        CliError::RuntimeAt {
            diagnostic,
            file,
            source,
        } => {
            print_diagnostics(file, source, std::slice::from_ref(diagnostic));
        }
        _ => to_stderr(&format!("error: {error}\n")),
    }
}

/// Writes to stdout. A closed pipe (`kjit emit ir k.kern | head`) is not
/// worth a panic, which is what `print!` would do; there is nobody left to
/// tell, so write errors are dropped.
fn to_stdout(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Writes to stderr; see [`to_stdout`].
fn to_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The text of a source file: a regular file (a FIFO would block) of
/// UTF-8, whose first invalid byte is named by position.
fn read_source(path: &Path) -> Result<String, CliError> {
    let error = |error| CliError::Source {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(error)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return Err(error(std::io::Error::other(format!("it is {what}"))));
    }
    let bytes = std::fs::read(path).map_err(error)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Valid up to `at`, so the column counts characters.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8: byte {at} (line {line}, column {column}) is {:#04x}",
                e.as_bytes()[at]
            ),
        ))
    })
}

/// Color only for a person at a terminal, and never when `NO_COLOR` is set
/// (no-color.org).
fn use_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints `diagnostics` to stderr; returns how many are errors.
fn print_diagnostics(file: &Path, source: &str, diagnostics: &[Diagnostic]) -> usize {
    if !diagnostics.is_empty() {
        let name = file.display().to_string();
        to_stderr(&render(diagnostics, &name, source, use_color()));
    }
    diagnostics.iter().filter(|d| d.is_error()).count()
}

/// `3 errors, 1 warning`
fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// The kernel `--kernel` names, or the only kernel of the file.
fn select_kernel<'m>(
    module: &'m Module,
    file: &Path,
    name: Option<&str>,
) -> Result<&'m Kernel, CliError> {
    let names = || kernel_names(distinct_names(module));
    // A generic kernel's instances count as one kernel.
    let first_of_each: Vec<&Kernel> = (module.kernels.iter().enumerate())
        .filter(|(i, k)| module.kernels[..*i].iter().all(|o| o.name != k.name))
        .map(|(_, k)| k)
        .collect();
    match (name, first_of_each.as_slice()) {
        (Some(name), _) => module.kernel(name).ok_or_else(|| {
            CliError::Usage(format!(
                "`{}` has no kernel `{name}` (kernels: {})",
                file.display(),
                names()
            ))
        }),
        (None, [only]) => Ok(only),
        (None, []) => Err(CliError::Usage(format!(
            "`{}` has no kernel to run",
            file.display()
        ))),
        (None, _) => Err(CliError::Usage(format!(
            "`{}` has several kernels; choose one with --kernel (kernels: {})",
            file.display(),
            names()
        ))),
    }
}

/// Each kernel name once (a generic kernel has several instances).
fn distinct_names(module: &Module) -> impl Iterator<Item = &str> {
    (module.kernels.iter().enumerate())
        .filter(|(i, k)| module.kernels[..*i].iter().all(|o| o.name != k.name))
        .map(|(_, k)| k.name.as_str())
}

fn kernel_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
