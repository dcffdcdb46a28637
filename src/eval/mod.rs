//! The reference evaluator: a plain, sequential, scalar interpreter of the
//! kernel IR, and the oracle every JIT test compares with.
//!
//! In: a [`Module`], a kernel name and named [`Args`]. Out: [`Outputs`]
//! (every output and the final contents of every `inout` array, in parameter
//! order) or an [`EvalError`].
//!
//! Holds: the module is verified before anything runs, and the arguments
//! are bound (checked against the signature) before the kernel starts, so
//! the only error a running kernel can raise is an out-of-range index.
//! Clarity beats speed here, but nothing is worse than linear in the work
//! the kernel describes.
//!
//! The evaluator is only an interpreter: what each operator does is
//! defined once, in [`crate::semantics`] (shared with constant folding,
//! codegen and the runtime); `exec` owns only evaluation order
//! (short-circuit, loops, phases, chunked reductions).

mod exec;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests_exec;

pub use crate::value::Outputs;

use crate::ir::{self, Kernel, Module, ParamKind, ParamRole, VerifyError};
use crate::signature::instance::{self, Given};
use crate::signature::{bind, ArgError, Bound, Signature};
use crate::span::{line_col, Span};
use crate::value::{Args, Array, Scalar, Value};
use cranelift_entity::EntityRef;
use exec::{Frame, Machine, Trap, Trapped};
use std::borrow::Cow;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum EvalError {
    UnknownKernel {
        name: String,
        available: Vec<String>,
    },
    Args(ArgError),
    /// A load or store index outside the array.
    OutOfBounds {
        kernel: String,
        array: String,
        index: Vec<i64>,
        shape: Vec<usize>,
        span: Span,
    },
    /// An output array could not be allocated.
    OutOfMemory {
        kernel: String,
        array: String,
        shape: Vec<usize>,
    },
    /// The module failed verification: a compiler bug, not a user error.
    InvalidIr(VerifyError),
}

impl EvalError {
    /// The message with the source position (`line:col`) instead of a byte
    /// span; `source` is the text the module was compiled from.
    pub fn describe(&self, source: &str) -> String {
        match self {
            EvalError::OutOfBounds { span, .. } => {
                let (line, col) = line_col(source, span.start);
                format!("{} at {line}:{col}", self.headline())
            }
            _ => self.to_string(),
        }
    }

    fn headline(&self) -> String {
        match self {
            EvalError::OutOfBounds { kernel, array, index, shape, .. } => format!(
                "kernel `{kernel}`: index {index:?} is out of bounds for array `{array}` of shape {shape:?}"
            ),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::UnknownKernel { name, available } => {
                write!(
                    f,
                    "no kernel named `{name}` (kernels: {})",
                    available.join(", ")
                )
            }
            EvalError::Args(err) => write!(f, "{err}"),
            EvalError::OutOfBounds { span, .. } => {
                write!(f, "{} (bytes {span:?})", self.headline())
            }
            EvalError::OutOfMemory {
                kernel,
                array,
                shape,
            } => {
                write!(
                    f,
                    "kernel `{kernel}`: cannot allocate output `{array}` of shape {shape:?}"
                )
            }
            EvalError::InvalidIr(err) => write!(f, "internal compiler error: {err}"),
        }
    }
}

impl std::error::Error for EvalError {}

impl From<ArgError> for EvalError {
    fn from(err: ArgError) -> EvalError {
        EvalError::Args(err)
    }
}

/// Runs kernel `kernel` of `module` on `args`.
pub fn evaluate(module: &Module, kernel: &str, args: &Args) -> Result<Outputs, EvalError> {
    ir::verify(module).map_err(EvalError::InvalidIr)?;
    // A generic kernel: the instance the arguments' dtypes select.
    let instances: Vec<&Kernel> = module.instances(kernel).collect();
    let sigs: Vec<Signature> = instances.iter().map(|k| Signature::of(k)).collect();
    let Some(first) = sigs.first() else {
        let available = module.kernels.iter().map(|k| k.name.clone()).collect();
        return Err(EvalError::UnknownKernel {
            name: kernel.to_string(),
            available,
        });
    };
    let given = |p: usize| args.values.get(&first.params.get(p)?.name).map(Given::of);
    let index = instance::select(&sigs.iter().collect::<Vec<_>>(), given)?;
    let k = instances[index];
    let bound = bind(&sigs[index], args)?;
    let mut machine = new_machine(module, k, args, &bound)?;
    let frame = machine
        .exec_kernel(k)
        .map_err(|trap| out_of_bounds(k, &machine, *trap))?;
    Ok(collect_outputs(k, machine, &frame))
}

/// Sets up the parameters: inputs borrowed from `args`, `inout` arrays
/// copied, output arrays zero-filled in the bound shape.
fn new_machine<'a>(
    module: &'a Module,
    k: &'a Kernel,
    args: &'a Args,
    bound: &Bound,
) -> Result<Machine<'a>, EvalError> {
    let mut scalars = Vec::with_capacity(k.params.len());
    let mut arrays = Vec::with_capacity(k.params.len());
    // Scratch arrays come after the parameters, as their shapes do.
    let shapes = bound.shapes.iter().chain(&bound.scratch_shapes);
    for ((_, param), shape) in k.params.iter().zip(shapes) {
        // `bind` checked that every input is present with the right kind
        // and type, so the fallbacks below are never taken.
        let arg = args.values.get(&param.name);
        let (scalar, array) = match (param.role, &param.kind, arg) {
            (ParamRole::Input, ParamKind::Scalar(_), Some(Value::Scalar(x))) => (*x, None),
            (ParamRole::Input, _, Some(Value::Array(a))) => {
                (Scalar::zero(param.elem()), Some(Cow::Borrowed(a)))
            }
            (ParamRole::InOut, _, Some(Value::Array(a))) => {
                (Scalar::zero(param.elem()), Some(Cow::Owned(a.clone())))
            }
            (ParamRole::Output | ParamRole::Scratch, ParamKind::Array { elem, .. }, _) => {
                // A size given by the caller can be absurdly large: that
                // is an error, not an abort.
                let out_of_memory = || EvalError::OutOfMemory {
                    kernel: k.name.clone(),
                    array: param.name.clone(),
                    shape: shape.clone(),
                };
                let array = Array::zeros(*elem, shape.clone()).ok_or_else(out_of_memory)?;
                (Scalar::zero(*elem), Some(Cow::Owned(array)))
            }
            _ => (Scalar::zero(param.elem()), None),
        };
        scalars.push(scalar);
        arrays.push(array);
    }
    Ok(Machine {
        module,
        sizes: bound.sizes.clone(),
        scalars,
        arrays,
    })
}

fn out_of_bounds(k: &Kernel, machine: &Machine, trap: Trap) -> EvalError {
    let (array, shape) = match trap.array {
        Trapped::Param(p) => {
            let array = machine.arrays[p.index()].as_ref();
            let shape = array.map_or_else(Vec::new, |a| a.shape.clone());
            (k.params[p].name.clone(), shape)
        }
        Trapped::Local { name, shape } => (name, shape),
    };
    EvalError::OutOfBounds {
        kernel: k.name.clone(),
        array,
        index: trap.index,
        shape,
        span: trap.span,
    }
}

/// Outputs and `inout` arrays in parameter order; a scalar output is the
/// final value of its `Output` local.
fn collect_outputs(k: &Kernel, mut machine: Machine, frame: &Frame) -> Outputs {
    let mut values = Vec::new();
    for (id, param) in k.params.iter() {
        if matches!(param.role, ParamRole::Input | ParamRole::Scratch) {
            continue;
        }
        let value = match machine.arrays[id.index()].take() {
            Some(array) => Value::Array(array.into_owned()),
            None => {
                let local = k.output_local(id);
                let x = local.map_or(Scalar::zero(param.elem()), |l| frame.locals[l.index()]);
                Value::Scalar(x)
            }
        };
        values.push((param.name.clone(), value));
    }
    Outputs { values }
}
