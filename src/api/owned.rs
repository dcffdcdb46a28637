//! [`Kernel::call`]: a call on owned values, with the reference evaluator's
//! argument and result types, so JIT and evaluator compare directly.

use super::{CallError, GivenKind, Kernel};
use crate::runtime::{self, Call, ParamArg, ScalarResults};
use crate::signature::instance;
use crate::signature::{bind, Role, Signature};
use crate::types::ScalarType;
use crate::value::{element_count, Args, Array, ArrayData, Outputs, Scalar, Value};

impl Kernel<'_> {
    /// Runs the kernel on `args`; returns every output and the final
    /// contents of every `inout` array, in parameter order (as
    /// [`crate::eval::evaluate`] does). Inputs are read in place; outputs
    /// are allocated and `inout` arrays copied.
    ///
    /// A generic kernel picks its instance from the dtypes of `args`.
    pub fn call(&self, args: &Args) -> Result<Outputs, CallError> {
        let kernel = self.select(|p| {
            let name = &self.signature().params.get(p)?.name;
            args.values.get(name).map(GivenKind::of)
        })?;
        match adapted_scalars(kernel.signature(), args) {
            Some(adapted) => kernel.call_instance(&adapted),
            None => kernel.call_instance(args),
        }
    }

    fn call_instance(&self, args: &Args) -> Result<Outputs, CallError> {
        let sig = self.signature();
        let compiled = self.code()?;
        let bound = bind(sig, args)?;
        let mut owned = self.allocate(args, &bound.shapes)?;
        let params = param_args(sig, args, &mut owned);
        let call = Call {
            signature: sig,
            plan: &compiled.plan,
            sizes: &bound.sizes,
            args: &params,
            outputs_zeroed: true,
            scratch: self.scratch(),
        };
        // SAFETY: `execute`'s contract holds:
        // - the plan comes from codegen for this signature and passed
        //   `validate_plan` when the program was built; the program outlives
        //   this borrow of it;
        // - `bind` checked every argument's kind, element type, rank and
        //   consistency (data length equals the product of the shape) and
        //   that every shape matches the sizes; outputs were allocated with
        //   exactly the bound shapes; so each pointer addresses exactly the
        //   elements the array table will describe;
        // - input pointers come from `args`, borrowed for the whole call,
        //   and are never written (the language stores only to outputs and
        //   `inout` arrays); output and `inout` pointers come from `owned`,
        //   fresh allocations no other argument overlaps, which live until
        //   the end of this function and are not moved from meanwhile
        //   (moving an `Array` does not move its heap data anyway).
        let scalars = unsafe { runtime::execute(&self.program.pool, &call) }
            .map_err(|e| e.located(&self.program.source))?;
        Ok(collect_outputs(sig, owned, scalars))
    }

    /// The memory of every output and `inout` array, by parameter: zeros in
    /// the bound shape for outputs, a copy for `inout` arrays.
    fn allocate(
        &self,
        args: &Args,
        shapes: &[Vec<usize>],
    ) -> Result<Vec<Option<Array>>, CallError> {
        let sig = self.signature();
        let mut owned = Vec::with_capacity(sig.params.len());
        for (param, shape) in sig.params.iter().zip(shapes) {
            let array = match (param.role, &param.dims) {
                (Role::Output, Some(_)) => Some(zeros(param.elem, shape).ok_or_else(|| {
                    CallError::OutOfMemory {
                        kernel: sig.name.clone(),
                        array: param.name.clone(),
                        shape: shape.clone(),
                        bytes: shape
                            .iter()
                            .fold(param.elem.byte_size(), |n, &d| n.saturating_mul(d)),
                    }
                })?),
                (Role::InOut, _) => args
                    .values
                    .get(&param.name)
                    .and_then(Value::as_array)
                    .cloned(),
                _ => None,
            };
            owned.push(array);
        }
        Ok(owned)
    }
}

/// `args` with each scalar whose parameter's type is a type parameter
/// converted exactly to the instance's type; `None` when none needs it
/// (the usual case: nothing is copied).
fn adapted_scalars(sig: &Signature, args: &Args) -> Option<Args> {
    let convert = |p: usize| {
        let param = &sig.params[p];
        match args.values.get(&param.name) {
            Some(Value::Scalar(x)) if x.ty() != param.elem && instance::adapts(sig, p) => Some((
                param.name.clone(),
                instance::exact_conversion(*x, param.elem)?,
            )),
            _ => None,
        }
    };
    let changed: Vec<(String, Scalar)> = (0..sig.params.len()).filter_map(convert).collect();
    if changed.is_empty() {
        return None;
    }
    let mut adapted = args.clone();
    for (name, x) in changed {
        adapted.values.insert(name, Value::Scalar(x));
    }
    Some(adapted)
}

/// The runtime's view of every argument.
fn param_args(sig: &Signature, args: &Args, owned: &mut [Option<Array>]) -> Vec<ParamArg> {
    let arg = |param: &crate::signature::ParamSig, own: &mut Option<Array>| {
        if let Some(array) = own {
            return ParamArg::Array(data_ptr_mut(&mut array.data));
        }
        match args.values.get(&param.name) {
            Some(Value::Scalar(x)) => ParamArg::Scalar(*x),
            // The kernel never writes an input: the `*mut` is for the ABI.
            Some(Value::Array(a)) => ParamArg::Array(data_ptr(&a.data).cast_mut()),
            None => ParamArg::ScalarOutput,
        }
    };
    sig.params
        .iter()
        .zip(owned)
        .map(|(p, own)| arg(p, own))
        .collect()
}

fn data_ptr(data: &ArrayData) -> *const u8 {
    data.as_ptr()
}

fn data_ptr_mut(data: &mut ArrayData) -> *mut u8 {
    data.as_mut_ptr()
}

/// Outputs and `inout` arrays in parameter order.
fn collect_outputs(sig: &Signature, owned: Vec<Option<Array>>, scalars: ScalarResults) -> Outputs {
    let mut values = Vec::new();
    for (index, (param, array)) in sig.params.iter().zip(owned).enumerate() {
        let value = match (param.role, array) {
            (Role::Input, _) => continue,
            (_, Some(array)) => Value::Array(array),
            (_, None) => {
                let found = scalars.iter().find(|(p, _)| *p == index);
                Value::Scalar(found.map_or(Scalar::zero(param.elem), |&(_, x)| x))
            }
        };
        values.push((param.name.clone(), value));
    }
    Outputs { values }
}

/// A zero-filled array, or `None` if the memory cannot be had: a size the
/// caller gives can be absurdly large, and that must be an error, not an
/// abort.
fn zeros(elem: ScalarType, shape: &[usize]) -> Option<Array> {
    let len = element_count(shape)?;
    let data = ArrayData::try_zeros(elem, len)?;
    Some(Array {
        shape: shape.to_vec(),
        data,
    })
}
