//! The library API: compile a `.kern` source once, then call its kernels as
//! often as you like, from as many threads as you like.
//!
//! ```
//! use kjit::api::Program;
//! use kjit::options::Options;
//!
//! let source = "
//!     kernel saxpy(a: f32, x: f32[n], y: f32[n]) -> (out: f32[n]) {
//!         foreach i in n { out[i] = a * x[i] + y[i]; }
//!     }";
//! let program = Program::compile(source, Options::default())?;
//! let saxpy = program.kernel("saxpy").expect("the source defines saxpy");
//!
//! // The fast path: the kernel reads and writes the caller's memory.
//! let x = vec![1.0f32, 2.0, 3.0];
//! let y = vec![10.0f32, 20.0, 30.0];
//! let mut out = vec![0.0f32; 3];
//! saxpy
//!     .bind()
//!     .scalar("a", 2.0f32)
//!     .input("x", &x)
//!     .input("y", &y)
//!     .output("out", &mut out)
//!     .run()?;
//! assert_eq!(out, [12.0, 24.0, 36.0]);
//!
//! // Mistakes are typed errors naming the argument, caught before anything runs.
//! let short = vec![0.0f32; 2];
//! let err = saxpy
//!     .bind()
//!     .scalar("a", 2.0f32)
//!     .input("x", &x)
//!     .input("y", &short)
//!     .output("out", &mut out)
//!     .run()
//!     .unwrap_err();
//! assert!(err.to_string().starts_with("argument `y`"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Two ways to call a kernel:
//! - [`Kernel::bind`] builds a call on slices the caller owns (inputs as
//!   `&[T]`, outputs and `inout` arrays as `&mut [T]`; 2-D arrays row-major
//!   with an explicit `[rows, cols]` shape). Nothing is copied; scalar
//!   outputs come back in [`ScalarOutputs`].
//! - [`Kernel::call`] takes owned [`Args`] (the reference evaluator's
//!   argument type) and returns freshly allocated [`Outputs`].
//!
//! Both check every argument before any compiled code runs (kind, element
//! type, rank, size agreement, missing, unknown and duplicate names), with
//! the same checks and messages as [`crate::signature::bind`].

mod binding;
mod owned;
mod stages;
#[cfg(test)]
mod tests;

pub use crate::runtime::{Pool, RunError};
pub use crate::signature::{ArgError, Role, Signature};
pub use crate::value::{Args, Outputs};
pub use binding::{Binding, Element, ScalarOutputs};
pub use stages::Stage;

use crate::codegen::{self, CodegenError, CompiledKernel, CompiledModule};
use crate::diagnostic::{self, Diagnostic};
use crate::ir;
use crate::options::Options;
use crate::passes;
use crate::runtime;
use std::fmt;

/// A compiled `.kern` source: machine code for each kernel, the source (for
/// error messages) and the threads that run phases.
///
/// `Program` is `Send + Sync`: share one (by reference or in an `Arc`)
/// between threads and call its kernels concurrently.
pub struct Program {
    kernels: Vec<CompiledKernel>,
    /// Per kernel (same order): its scratch buffers, kept between calls.
    scratch: Vec<runtime::ScratchPool>,
    /// Owns the machine code the plans point into (its kernels moved to
    /// `kernels`); `None` only for the hand-written kernels of tests.
    _code: Option<CompiledModule>,
    source: String,
    options: Options,
    pool: Pool,
    warnings: Vec<Diagnostic>,
}

// Calls from several threads at once are part of the contract: this fails
// to compile if any part of a program stops being `Send + Sync`.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Program>();
};

/// The module after the IR passes; with `options.verify_codegen`, the IR
/// verifier runs after every pass (a failure is a compiler bug).
fn lower(module: &ir::Module, options: &Options) -> Result<ir::Module, CompileError> {
    let mut copy = module.clone();
    let mut broken = None;
    passes::lower(&mut copy, options, &mut |pass, m| {
        if options.verify_codegen && broken.is_none() {
            if let Err(e) = ir::verify(m) {
                broken = Some(format!("after the {} pass: {e}", pass.name()));
            }
        }
    });
    match broken {
        Some(message) => Err(CompileError::Codegen(CodegenError::new(message))),
        None => Ok(copy),
    }
}

impl Program {
    /// Checks and compiles every kernel of `source`. With
    /// `options.threads = Some(n)`, n > 1, the program gets a thread pool of
    /// its own, built here once.
    pub fn compile(source: &str, options: Options) -> Result<Program, CompileError> {
        options.validate().map_err(CompileError::Options)?;
        let checked = crate::check(source);
        let Some(module) = checked.module else {
            return Err(CompileError::Diagnostics(checked.diagnostics));
        };
        let mut program = Program::from_module(&module, source, options)?;
        program.warnings = checked.diagnostics;
        Ok(program)
    }

    /// Compiles a module the caller checked already (the CLI does, to read
    /// the IR); `source` is the text it came from, used in error messages.
    /// The module is lowered first ([`passes::lower`]: fast maths when
    /// `options.fast_math`, unrolling, folding).
    pub fn from_module(
        module: &ir::Module,
        source: &str,
        options: Options,
    ) -> Result<Program, CompileError> {
        options.validate().map_err(CompileError::Options)?;
        let module = lower(module, &options)?;
        let mut code = codegen::compile(&module, &options).map_err(|e| match e.diagnostic {
            // A limit the source ran into: reported like any diagnostic.
            Some(d) => CompileError::Diagnostics(vec![*d]),
            None => CompileError::Codegen(e),
        })?;
        let kernels = std::mem::take(&mut code.kernels);
        Program::assemble(kernels, Some(code), source, options)
    }

    /// Wraps compiled kernels, after checking each plan against its
    /// signature. `code` owns the machine code the plans point into.
    pub(crate) fn assemble(
        kernels: Vec<CompiledKernel>,
        code: Option<CompiledModule>,
        source: &str,
        options: Options,
    ) -> Result<Program, CompileError> {
        for kernel in &kernels {
            runtime::validate_plan(&kernel.signature, &kernel.plan)
                .map_err(|message| CompileError::Codegen(CodegenError::new(message)))?;
        }
        let pool = Pool::new(options.threads).map_err(|e| CompileError::ThreadPool {
            threads: options.threads.unwrap_or(0),
            message: e.to_string(),
        })?;
        Ok(Program {
            scratch: kernels
                .iter()
                .map(|_| runtime::ScratchPool::default())
                .collect(),
            kernels,
            _code: code,
            source: source.to_string(),
            options,
            pool,
            warnings: Vec::new(),
        })
    }

    /// The kernel named `name`, if the source defines one.
    pub fn kernel(&self, name: &str) -> Option<Kernel<'_>> {
        let index = self.kernels.iter().position(|k| k.name == name)?;
        Some(Kernel {
            program: self,
            compiled: &self.kernels[index],
            scratch: &self.scratch[index],
        })
    }

    /// The names of all kernels, in source order.
    pub fn kernels(&self) -> impl Iterator<Item = &str> {
        self.kernels.iter().map(|k| k.name.as_str())
    }

    /// The source text, for [`CallError::describe`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `error` (from one of this program's kernels) rendered rustc-style
    /// against this program's source, with `file_name` heading the code
    /// frame (the file the source came from, or any name that helps).
    pub fn render_error(&self, error: &CallError, file_name: &str) -> String {
        error.render(file_name, &self.source)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Warnings the front end reported (the program compiled despite them).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// How many threads run the chunks of a phase.
    pub fn threads(&self) -> usize {
        self.pool.threads()
    }
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kernels: Vec<String> = self
            .kernels
            .iter()
            .map(|k| k.signature.to_string())
            .collect();
        f.debug_struct("Program")
            .field("kernels", &kernels)
            .field("options", &self.options)
            .finish()
    }
}

/// One kernel of a [`Program`]: cheap to copy, borrows the program.
#[derive(Clone, Copy)]
pub struct Kernel<'p> {
    program: &'p Program,
    compiled: &'p CompiledKernel,
    scratch: &'p runtime::ScratchPool,
}

impl<'p> Kernel<'p> {
    pub fn name(&self) -> &'p str {
        &self.compiled.name
    }

    /// Parameters (in declaration order, outputs last) and sizes.
    pub fn signature(&self) -> &'p Signature {
        &self.compiled.signature
    }

    /// Starts a call on caller memory; see [`Binding`].
    pub fn bind<'a>(&self) -> Binding<'p, 'a> {
        Binding::new(*self)
    }
}

impl fmt::Debug for Kernel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kernel({})", self.compiled.signature)
    }
}

/// Why a source did not compile.
#[derive(Debug)]
pub enum CompileError {
    /// The source has errors (warnings may be among the diagnostics, which
    /// are in source order per stage).
    Diagnostics(Vec<Diagnostic>),
    /// The code generator failed: a compiler bug, not a problem with the
    /// source.
    Codegen(CodegenError),
    /// The program's thread pool could not be built.
    ThreadPool { threads: usize, message: String },
    /// An [`Options`] setting is out of range.
    Options(crate::options::OptionsError),
}

impl CompileError {
    /// The error rendered as rustc would (code frames for diagnostics);
    /// `file_name` heads each frame.
    pub fn render(&self, file_name: &str, source: &str) -> String {
        match self {
            CompileError::Diagnostics(diagnostics) => {
                diagnostic::render(diagnostics, file_name, source, false)
            }
            other => format!("error: {other}\n"),
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Diagnostics(diagnostics) => {
                let errors: Vec<&Diagnostic> =
                    diagnostics.iter().filter(|d| d.is_error()).collect();
                match errors.as_slice() {
                    [] => f.write_str("the source has errors"),
                    [only] => f.write_str(&only.message),
                    [first, rest @ ..] => {
                        write!(f, "{} (and {} more errors)", first.message, rest.len())
                    }
                }
            }
            CompileError::Codegen(error) => write!(f, "{error}"),
            CompileError::ThreadPool { threads, message } => {
                write!(f, "cannot start a pool of {threads} threads: {message}")
            }
            CompileError::Options(error) => write!(f, "invalid options: {error}"),
        }
    }
}

// Display already shows the wrapped error, so `source` stays `None`
// (reporters that walk the chain would print it twice).
impl std::error::Error for CompileError {}

/// Why a call failed. Argument errors are found before anything runs; a
/// run error can leave caller-memory outputs partly written.
#[derive(Clone, Debug, PartialEq)]
pub enum CallError {
    /// The arguments do not fit the signature (names the argument or size).
    Args(ArgError),
    /// The kernel failed while running (an out-of-range read).
    Run(RunError),
    /// An output of [`Kernel::call`] could not be allocated.
    OutOfMemory {
        kernel: String,
        array: String,
        shape: Vec<usize>,
        /// The bytes that did not fit (saturated at `usize::MAX`).
        bytes: usize,
    },
}

impl CallError {
    /// The message with source positions (`line:col`); pass
    /// [`Program::source`].
    pub fn describe(&self, source: &str) -> String {
        match self {
            CallError::Run(error) => error.describe(source),
            other => other.to_string(),
        }
    }

    /// The error rendered as rustc would: a run error as a code frame of
    /// `source` (headed by `file_name`) pointing at the failed read, any
    /// other error as one `error:` line. [`Program::render_error`] passes
    /// the program's own source.
    pub fn render(&self, file_name: &str, source: &str) -> String {
        match self {
            CallError::Run(error) => match error.diagnostic() {
                Some(d) => diagnostic::render(&[d], file_name, source, false),
                None => format!("error: {error}\n"),
            },
            other => format!("error: {other}\n"),
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Args(error) => write!(f, "{error}"),
            CallError::Run(error) => write!(f, "{error}"),
            CallError::OutOfMemory {
                kernel,
                array,
                shape,
                bytes,
            } => write!(
                f,
                "kernel `{kernel}`: cannot allocate {bytes} bytes for output `{array}` of shape {shape:?}"
            ),
        }
    }
}

impl std::error::Error for CallError {}

impl From<ArgError> for CallError {
    fn from(error: ArgError) -> CallError {
        CallError::Args(error)
    }
}

impl From<RunError> for CallError {
    fn from(error: RunError) -> CallError {
        CallError::Run(error)
    }
}
