//! The two engines under differential test, behind one small interface:
//! the reference evaluator (the oracle) and the JIT through the library API.
//! This is the only file of the differential tests that touches either
//! engine's API, so an API change is fixed here.
//!
//! Both engines' results become an [`Outcome`]: the outputs, or a
//! [`Failure`] reduced to what the two engines must agree on (its kind and,
//! for an out-of-range read, the array).

use kjit::api::{CallError, Program, RunError};
use kjit::eval::EvalError;
use kjit::ir::Module;
use kjit::options::{Cpu, Options};
use kjit::value::{Args, Outputs};
use std::fmt;

/// Thread counts every JIT comparison runs at.
pub const THREADS: &[usize] = &[1, 2];

/// Why a call produced no outputs.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The arguments do not fit the signature; nothing ran.
    Args(String),
    /// A read outside an array. `index` and `detail` are for messages only:
    /// engines running lanes or chunks in another order may stop at another
    /// bad index of the same array.
    OutOfBounds {
        array: String,
        index: Vec<i64>,
        detail: String,
    },
    /// Anything else (out of memory, internal errors).
    Other(String),
}

impl Failure {
    /// Whether two failures are the same for differential purposes: the
    /// same kind and, for out-of-range reads, the same array.
    pub fn agrees_with(&self, other: &Failure) -> bool {
        match (self, other) {
            (Failure::Args(a), Failure::Args(b)) => a == b,
            (Failure::OutOfBounds { array: a, .. }, Failure::OutOfBounds { array: b, .. }) => {
                a == b
            }
            (Failure::Other(_), Failure::Other(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Args(message) => write!(f, "argument error: {message}"),
            Failure::OutOfBounds { detail, .. } => write!(f, "out of range: {detail}"),
            Failure::Other(message) => write!(f, "error: {message}"),
        }
    }
}

pub type Outcome = Result<Outputs, Failure>;

/// Runs `kernel` of `module` on the reference evaluator.
pub fn evaluate(module: &Module, kernel: &str, args: &Args) -> Outcome {
    kjit::eval::evaluate(module, kernel, args).map_err(|err| match err {
        EvalError::Args(arg) => Failure::Args(arg.to_string()),
        EvalError::OutOfBounds {
            ref array,
            ref index,
            ..
        } => Failure::OutOfBounds {
            array: array.clone(),
            index: index.clone(),
            detail: err.to_string(),
        },
        other => Failure::Other(other.to_string()),
    })
}

/// A source file compiled by the JIT for one thread count.
pub struct Jit {
    pub threads: usize,
    pub cpu: Cpu,
    program: Program,
}

impl Jit {
    /// Compiles `source` (which must have no errors) with `threads`
    /// workers, in fast maths if `fast_math`.
    pub fn compile(source: &str, threads: usize, fast_math: bool) -> Result<Jit, String> {
        Jit::compile_for(source, threads, fast_math, Cpu::Host)
    }

    /// As [`Jit::compile`], for the instruction sets `cpu` allows.
    pub fn compile_for(
        source: &str,
        threads: usize,
        fast_math: bool,
        cpu: Cpu,
    ) -> Result<Jit, String> {
        // Cranelift's verifier on, even in release: a codegen bug should
        // fail here as invalid IR, not run as a miscompile.
        let options = Options {
            threads: Some(threads),
            verify_codegen: true,
            fast_math,
            cpu,
            ..Options::default()
        };
        let program =
            Program::compile(source, options).map_err(|e| e.render("input.kern", source))?;
        Ok(Jit {
            threads,
            cpu,
            program,
        })
    }

    /// Calls `kernel` on `args`: owned values in, owned outputs out.
    pub fn call(&self, kernel: &str, args: &Args) -> Outcome {
        let Some(k) = self.program.kernel(kernel) else {
            return Err(Failure::Other(format!("the JIT has no kernel `{kernel}`")));
        };
        k.call(args).map_err(|err| match err {
            CallError::Args(arg) => Failure::Args(arg.to_string()),
            CallError::Run(RunError::OutOfBounds {
                ref array,
                ref index,
                ..
            }) => Failure::OutOfBounds {
                array: array.clone(),
                index: index.clone(),
                detail: err.describe(self.program.source()),
            },
            other => Failure::Other(other.to_string()),
        })
    }
}
