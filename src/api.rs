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
pub use crate::signature::instance::Given as GivenKind;
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
use crate::signature::instance::{self, Given};
use crate::types::ScalarType;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// A compiled `.kern` source: machine code for each kernel, the source (for
/// error messages) and the threads that run phases.
///
/// `Program` is `Send + Sync`: share one (by reference or in an `Arc`)
/// between threads and call its kernels concurrently.
///
/// Ordinary kernels are compiled when the program is. A generic kernel
/// (`kernel saxpy<T: float>`) has one instance per combination of its
/// bounds' types, all checked with the source; each instance is compiled
/// on its first call (a few milliseconds) and kept, once for all threads.
pub struct Program {
    /// One entry per kernel name, in source order.
    entries: Vec<Entry>,
    /// Owns the machine code of the ordinary kernels (their plans point
    /// into it); `None` only for the hand-written kernels of tests.
    _code: Option<CompiledModule>,
    /// The lowered module, kept only when a generic kernel's instances
    /// are compiled on demand from it.
    lowered: Option<ir::Module>,
    /// How many instances have been compiled on demand.
    instantiated: AtomicUsize,
    source: String,
    options: Options,
    pool: Pool,
    warnings: Vec<Diagnostic>,
}

/// A kernel of the program: its instances (one for an ordinary kernel).
struct Entry {
    name: String,
    instances: Vec<Instance>,
}

/// One instance of a kernel, compiled now or on its first call.
struct Instance {
    signature: Signature,
    /// Its index in `Program::lowered`'s kernels (generic instances).
    ir_index: usize,
    compiled: OnceLock<Result<Compiled, CallError>>,
    /// Its scratch buffers, kept between calls.
    scratch: runtime::ScratchPool,
}

/// An instance's machine code.
struct Compiled {
    kernel: CompiledKernel,
    /// The code of an instance compiled on demand (the ordinary kernels'
    /// code is `Program::_code`).
    _code: Option<CompiledModule>,
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

/// Machine code for `module`; a limit the source ran into is reported like
/// any diagnostic.
fn generate(module: &ir::Module, options: &Options) -> Result<CompiledModule, CompileError> {
    codegen::compile(module, options).map_err(|e| match e.diagnostic {
        Some(d) => CompileError::Diagnostics(vec![*d]),
        None => CompileError::Codegen(e),
    })
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
    /// `options.fast_math`, unrolling, folding). Instances of generic
    /// kernels are compiled on their first call.
    pub fn from_module(
        module: &ir::Module,
        source: &str,
        options: Options,
    ) -> Result<Program, CompileError> {
        options.validate().map_err(CompileError::Options)?;
        let mut lowered = lower(module, &options)?;
        let generic = |k: &ir::Kernel| !k.type_args.is_empty();
        let has_generics = lowered.kernels.iter().any(generic);
        let instances: Vec<ir::Kernel> = if has_generics {
            let (generics, ordinary) = lowered.kernels.iter().cloned().partition(generic);
            lowered.kernels = ordinary;
            generics
        } else {
            Vec::new()
        };
        let mut code = generate(&lowered, &options)?;
        let kernels = std::mem::take(&mut code.kernels);
        let mut program = Program::assemble(kernels, Some(code), source, options)?;
        if has_generics {
            lowered.kernels = instances;
            program.add_generic_instances(module, lowered);
        }
        Ok(program)
    }

    /// Entries for the generic kernels, in source order among the
    /// ordinary ones; their code comes on demand from `lowered`.
    fn add_generic_instances(&mut self, module: &ir::Module, lowered: ir::Module) {
        let mut entries: Vec<Entry> = Vec::new();
        let mut ordinary = std::mem::take(&mut self.entries).into_iter();
        let mut generic_index = 0;
        for kernel in &module.kernels {
            if entries.last().is_some_and(|e| e.name == kernel.name) {
                if !kernel.type_args.is_empty() {
                    let instance = Instance::lazy(&lowered.kernels[generic_index], generic_index);
                    if let Some(entry) = entries.last_mut() {
                        entry.instances.push(instance);
                    }
                    generic_index += 1;
                }
                continue;
            }
            if kernel.type_args.is_empty() {
                entries.extend(ordinary.next());
            } else {
                let instance = Instance::lazy(&lowered.kernels[generic_index], generic_index);
                generic_index += 1;
                entries.push(Entry {
                    name: kernel.name.clone(),
                    instances: vec![instance],
                });
            }
        }
        self.entries = entries;
        self.lowered = Some(lowered);
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
        let entries = kernels
            .into_iter()
            .map(|kernel| Entry {
                name: kernel.name.clone(),
                instances: vec![Instance::compiled(kernel)],
            })
            .collect();
        Ok(Program {
            entries,
            _code: code,
            lowered: None,
            instantiated: AtomicUsize::new(0),
            source: source.to_string(),
            options,
            pool,
            warnings: Vec::new(),
        })
    }

    /// The kernel named `name`, if the source defines one. A generic
    /// kernel's calls pick the instance from their arguments' dtypes; see
    /// [`Kernel::instance`] to pick one by its types, or name the instance
    /// here: `"saxpy<f64>"` (types in declaration order) or
    /// `"saxpy<T = f64>"`.
    pub fn kernel(&self, name: &str) -> Option<Kernel<'_>> {
        if let Some((base, types)) = name.split_once('<') {
            let types = instance_types(types.strip_suffix('>')?)?;
            return self.kernel(base.trim())?.instance(&types);
        }
        let entry = self.entries.iter().find(|e| e.name == name)?;
        Some(Kernel {
            program: self,
            entry,
            instance: entry.instances.first()?,
            pinned: entry.instances.len() == 1
                && entry.instances[0].signature.type_params.is_empty(),
        })
    }

    /// The names of all kernels, in source order.
    pub fn kernels(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// How many instances of generic kernels have been compiled so far
    /// (each is compiled once, on its first call).
    pub fn instances_compiled(&self) -> usize {
        self.instantiated.load(Ordering::Relaxed)
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

    /// The machine code of `instance`, compiled now if this is its first
    /// use. Concurrent first calls wait for one compilation.
    fn code_of<'p>(&'p self, instance: &'p Instance) -> Result<&'p CompiledKernel, CallError> {
        let compiled = instance.compiled.get_or_init(|| self.instantiate(instance));
        match compiled {
            Ok(c) => Ok(&c.kernel),
            Err(e) => Err(e.clone()),
        }
    }

    fn instantiate(&self, instance: &Instance) -> Result<Compiled, CallError> {
        let name = instance.signature.instance_name();
        let fail = |message: String| CallError::Compile {
            kernel: name.clone(),
            message,
        };
        let lowered =
            (self.lowered.as_ref()).ok_or_else(|| fail("no IR to compile from".into()))?;
        let kernel = (lowered.kernels.get(instance.ir_index))
            .ok_or_else(|| fail("instance missing from the IR".into()))?;
        let mut code = generate(&lowered.with_only(kernel), &self.options)
            .map_err(|e| fail(e.render("<source>", &self.source)))?;
        let compiled = code.kernels.pop().ok_or_else(|| fail("no code".into()))?;
        runtime::validate_plan(&compiled.signature, &compiled.plan).map_err(fail)?;
        self.instantiated.fetch_add(1, Ordering::Relaxed);
        Ok(Compiled {
            kernel: compiled,
            _code: Some(code),
        })
    }
}

/// `f64, i32` or `T = f64, I = i32`: an instance's types, in order.
fn instance_types(text: &str) -> Option<Vec<ScalarType>> {
    (text.split(','))
        .map(|part| {
            let ty = part.split_once('=').map_or(part, |(_, ty)| ty);
            ScalarType::from_name(ty.trim())
        })
        .collect()
}

impl Instance {
    fn compiled(kernel: CompiledKernel) -> Instance {
        Instance {
            signature: kernel.signature.clone(),
            ir_index: 0,
            compiled: OnceLock::from(Ok(Compiled {
                kernel,
                _code: None,
            })),
            scratch: runtime::ScratchPool::default(),
        }
    }

    fn lazy(kernel: &ir::Kernel, ir_index: usize) -> Instance {
        Instance {
            signature: Signature::of(kernel),
            ir_index,
            compiled: OnceLock::new(),
            scratch: runtime::ScratchPool::default(),
        }
    }
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kernels: Vec<String> = (self.entries.iter())
            .filter_map(|e| e.instances.first())
            .map(|i| i.signature.to_string())
            .collect();
        f.debug_struct("Program")
            .field("kernels", &kernels)
            .field("options", &self.options)
            .finish()
    }
}

/// One kernel of a [`Program`]: cheap to copy, borrows the program.
///
/// For a generic kernel, the value [`Program::kernel`] returns stands for
/// all its instances: [`Kernel::bind`] and [`Kernel::call`] pick one from
/// the dtypes of the arguments (arrays decide; a scalar decides only a
/// type no array does, and otherwise converts to it if it converts
/// exactly). [`Kernel::instance`] pins one.
#[derive(Clone, Copy)]
pub struct Kernel<'p> {
    program: &'p Program,
    entry: &'p Entry,
    /// The instance this value calls once pinned (the first one while not).
    instance: &'p Instance,
    /// Whether calls run `instance`, rather than choosing from arguments.
    pinned: bool,
}

impl<'p> Kernel<'p> {
    pub fn name(&self) -> &'p str {
        &self.entry.name
    }

    /// Parameters (in declaration order, outputs last) and sizes. For a
    /// generic kernel not pinned to an instance, its first instance's
    /// (whose `Display` is the generic form, `saxpy<T: float>(a: T, ...)`).
    pub fn signature(&self) -> &'p Signature {
        &self.instance.signature
    }

    /// Whether this is a generic kernel (with type parameters).
    pub fn is_generic(&self) -> bool {
        !self.instance.signature.type_params.is_empty()
    }

    /// The signature of every instance (one for an ordinary kernel).
    pub fn instances(&self) -> impl Iterator<Item = &'p Signature> {
        self.entry.instances.iter().map(|i| &i.signature)
    }

    /// The instance whose type parameters are `types` (in declaration
    /// order), pinned: its calls run it whatever the arguments.
    pub fn instance(&self, types: &[ScalarType]) -> Option<Kernel<'p>> {
        let found = self.entry.instances.iter().find(|i| {
            let tys = i.signature.type_params.iter().map(|t| t.ty);
            tys.eq(types.iter().copied())
        })?;
        Some(self.pinned_to(found))
    }

    /// The instance arguments of these kinds and dtypes select (by
    /// parameter index); this kernel itself when pinned. See
    /// [`crate::signature::instance::select`].
    pub fn select(&self, given: impl Fn(usize) -> Option<Given>) -> Result<Kernel<'p>, CallError> {
        if self.pinned {
            return Ok(*self);
        }
        let sigs: Vec<&Signature> = self.instances().collect();
        let index = instance::select(&sigs, given)?;
        Ok(self.pinned_to(&self.entry.instances[index]))
    }

    /// Whether this kernel's instance is compiled (ordinary kernels always
    /// are; an instance of a generic kernel after its first call).
    pub fn is_compiled(&self) -> bool {
        self.instance.compiled.get().is_some()
    }

    /// Compiles this kernel's instance now if it is not yet (its first
    /// call would).
    pub fn compile(&self) -> Result<(), CallError> {
        self.code().map(|_| ())
    }

    fn pinned_to(&self, instance: &'p Instance) -> Kernel<'p> {
        Kernel {
            instance,
            pinned: true,
            ..*self
        }
    }

    /// The machine code of the instance, compiled on first use.
    fn code(&self) -> Result<&'p CompiledKernel, CallError> {
        self.program.code_of(self.instance)
    }

    fn scratch(&self) -> &'p runtime::ScratchPool {
        &self.instance.scratch
    }

    /// Starts a call on caller memory; see [`Binding`].
    pub fn bind<'a>(&self) -> Binding<'p, 'a> {
        Binding::new(*self)
    }
}

impl fmt::Debug for Kernel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kernel({})", self.instance.signature)
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
    /// An instance of a generic kernel, compiled on its first call, did
    /// not compile (a size limit of code generation, or a compiler bug).
    Compile { kernel: String, message: String },
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
            CallError::Compile { kernel, message } => {
                write!(f, "kernel `{kernel}` did not compile: {message}")
            }
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
