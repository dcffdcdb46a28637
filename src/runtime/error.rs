//! [`RunError`]: what can go wrong once a kernel runs, turned from the
//! [`ErrorRecord`] compiled code writes into a typed error that names the
//! kernel, the array, the index and the source position.

use crate::abi::{ErrorRecord, KernelPlan, SiteArray, ERROR_OUT_OF_BOUNDS};
use crate::diagnostic::Diagnostic;
use crate::signature::Signature;
use crate::span::{line_col, Span};
use std::fmt;
use std::num::NonZeroU32;

#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// An array read outside the array (the read did not happen).
    OutOfBounds {
        kernel: String,
        array: String,
        /// One index per dimension of the array.
        index: Vec<i64>,
        shape: Vec<usize>,
        /// The read in the source.
        span: Span,
        /// `span`'s line and column (1-based), once the error has met its
        /// source ([`RunError::located`]; the API does this for every
        /// error a [`crate::api::Program`]'s kernel returns), so that
        /// Display can say where without the source at hand.
        line_col: Option<LineCol>,
    },
    /// A scratch array could not be allocated.
    OutOfMemory {
        kernel: String,
        array: String,
        shape: Vec<usize>,
    },
    /// Compiled code or its plan broke the runtime's contract: a compiler
    /// bug, never a user error.
    Internal(String),
}

impl RunError {
    /// The error an [`ErrorRecord`] describes.
    pub fn from_record(
        sig: &Signature,
        plan: &KernelPlan,
        sizes: &[i64],
        record: ErrorRecord,
    ) -> RunError {
        if record.kind != ERROR_OUT_OF_BOUNDS {
            return RunError::Internal(format!(
                "kernel `{}`: compiled code failed with unknown error kind {}",
                sig.name, record.kind
            ));
        }
        let site = plan.error_sites.get(record.site as usize);
        // The array: a parameter, or a scratch array (numbered after them).
        let array = site.and_then(|site| {
            let shape_of = |p: usize| match sig.params.get(p) {
                Some(param) => Some((param.name.clone(), sig.shape(param, sizes))),
                None => {
                    let k = p - sig.params.len();
                    let shape = sig.scratch_shapes(sizes).into_iter().nth(k)?;
                    Some((sig.scratch.get(k)?.name.clone(), shape))
                }
            };
            let named = match &site.array {
                SiteArray::Param(p) => shape_of(*p)?,
                SiteArray::Local { name, shape } => (name.clone(), shape.clone()),
            };
            Some((site, named))
        });
        let Some((site, (array, shape))) = array else {
            return RunError::Internal(format!(
                "kernel `{}`: compiled code reported unknown error site {}",
                sig.name, record.site
            ));
        };
        let rank = shape.len();
        RunError::OutOfBounds {
            kernel: sig.name.clone(),
            array,
            index: record.index.iter().take(rank).copied().collect(),
            shape,
            span: site.span,
            line_col: None,
        }
    }

    /// The message with the source position (`line:col`) instead of a byte
    /// span; `source` is the text the kernel was compiled from. The wording
    /// is the reference evaluator's (`EvalError::describe`).
    pub fn describe(&self, source: &str) -> String {
        match self {
            RunError::OutOfBounds { span, .. } => {
                let (line, col) = line_col(source, span.start);
                format!("{} at {line}:{col}", self.headline())
            }
            RunError::Internal(_) | RunError::OutOfMemory { .. } => self.to_string(),
        }
    }

    /// The error with its line and column taken from `source`, the text
    /// the kernel was compiled from.
    pub fn located(self, source: &str) -> RunError {
        match self {
            RunError::OutOfBounds {
                kernel,
                array,
                index,
                shape,
                span,
                ..
            } => RunError::OutOfBounds {
                line_col: Some(LineCol::of(source, span.start)),
                kernel,
                array,
                index,
                shape,
                span,
            },
            internal => internal,
        }
    }

    /// The error as a diagnostic pointing at the failed read, for
    /// rustc-style rendering ([`crate::diagnostic::render`]); `None` for an
    /// internal error, which has no place in the source.
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        match self {
            RunError::OutOfBounds {
                kernel,
                array,
                index,
                shape,
                span,
                ..
            } => Some(out_of_bounds_diagnostic(kernel, array, index, shape, *span)),
            RunError::Internal(_) | RunError::OutOfMemory { .. } => None,
        }
    }

    fn headline(&self) -> String {
        match self {
            RunError::OutOfBounds { kernel, array, index, shape, .. } => format!(
                "kernel `{kernel}`: index {index:?} is out of bounds for array `{array}` of shape {shape:?}"
            ),
            RunError::Internal(_) | RunError::OutOfMemory { .. } => self.to_string(),
        }
    }
}

/// A 1-based line and column. Eight bytes, and `Option<LineCol>` too (the
/// line is never 0), which keeps `CallError` small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: NonZeroU32,
    pub column: u32,
}

impl LineCol {
    /// Where byte `offset` of `source` is.
    pub fn of(source: &str, offset: u32) -> LineCol {
        let (line, column) = line_col(source, offset);
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        LineCol {
            line: NonZeroU32::new(to_u32(line)).unwrap_or(NonZeroU32::MIN),
            column: to_u32(column),
        }
    }
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// An out-of-bounds read as a diagnostic; the JIT's and the reference
/// evaluator's errors render alike through this.
pub fn out_of_bounds_diagnostic(
    kernel: &str,
    array: &str,
    index: &[i64],
    shape: &[usize],
    span: Span,
) -> Diagnostic {
    Diagnostic::error(format!(
        "kernel `{kernel}`: index {index:?} is out of bounds for array `{array}` of shape {shape:?}"
    ))
    .primary(
        span,
        format!("this access of `{array}` at {index:?} is out of bounds"),
    )
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::OutOfBounds {
                line_col: Some(at), ..
            } => write!(f, "{} at {at}", self.headline()),
            RunError::OutOfBounds { span, .. } => {
                write!(f, "{} (bytes {span:?})", self.headline())
            }
            RunError::OutOfMemory {
                kernel,
                array,
                shape,
            } => write!(
                f,
                "kernel `{kernel}`: cannot allocate scratch array `{array}` of shape {shape:?}"
            ),
            RunError::Internal(message) => {
                write!(f, "internal error in the JIT runtime: {message}")
            }
        }
    }
}

impl std::error::Error for RunError {}
