//! [`Binding`]: a call on caller memory, built argument by argument and
//! checked as a whole before anything runs.

use super::{CallError, GivenKind, Kernel};
use crate::abi::MAX_RANK;
use crate::runtime::{self, Call, ParamArg, Pool, ScalarResults};
use crate::signature::instance;
use crate::signature::{bind_sizes, ArgError, ArgShape, OutputArrays, Role, Signature};
use crate::types::ScalarType;
use crate::value::Scalar;
use std::marker::PhantomData;

mod sealed {
    pub trait Sealed {}
}

/// An element type kernels read and write in place: `f32`, `f64`, `i32`,
/// `i64` and `bool` (one byte, 0 or 1, as kernels store it).
pub trait Element: sealed::Sealed + Copy + 'static {
    const TYPE: ScalarType;
}

macro_rules! element {
    ($($t:ty => $ty:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const TYPE: ScalarType = ScalarType::$ty;
        }
    )*};
}
element!(f32 => F32, f64 => F64, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8,
    u16 => U16, u32 => U32, u64 => U64, bool => Bool);

/// One argument as given to the builder.
#[derive(Clone, Copy)]
enum Given {
    Scalar(Scalar),
    Array {
        ptr: *mut u8,
        elem: ScalarType,
        /// The first dimensions of the shape given: one more than any
        /// kernel array has, so a shape too long is still refused by rank.
        shape: [usize; MAX_RANK + 1],
        rank: usize,
        len: usize,
    },
}

impl Given {
    fn array<T: Element>(ptr: *mut T, len: usize, shape: &[usize]) -> Given {
        let kept = shape.len().min(MAX_RANK + 1);
        let mut dims = [0; MAX_RANK + 1];
        dims[..kept].copy_from_slice(&shape[..kept]);
        Given::Array {
            ptr: ptr.cast(),
            elem: T::TYPE,
            shape: dims,
            rank: kept,
            len,
        }
    }

    fn shape(&self) -> ArgShape<'_> {
        match self {
            Given::Scalar(x) => ArgShape::Scalar(x.ty()),
            Given::Array {
                elem,
                shape,
                rank,
                len,
                ..
            } => ArgShape::Array {
                elem: *elem,
                shape: &shape[..*rank],
                len: *len,
            },
        }
    }

    fn kind(&self) -> GivenKind {
        match self {
            Given::Scalar(x) => GivenKind::Scalar(x.ty()),
            Given::Array { elem, .. } => GivenKind::Array(*elem),
        }
    }

    fn arg(&self) -> ParamArg {
        match *self {
            Given::Scalar(x) => ParamArg::Scalar(x),
            Given::Array { ptr, .. } => ParamArg::Array(ptr),
        }
    }
}

/// A call of a kernel on caller memory, from [`Kernel::bind`]:
///
/// ```text
/// kernel.bind().scalar("a", 2.0f32).input("x", &x).output("out", &mut out).run()?
/// ```
///
/// Give every input (`scalar`, `input`, `input_2d`), every `inout` array
/// (`inout`, `inout_2d`) and every output array (`output`, `output_2d`);
/// scalar outputs come back from [`Binding::run`]. Sizes are taken from
/// the arrays' shapes; give a size with [`Binding::size`] only when no
/// array fixes it, or to have it checked. Mistakes (unknown or repeated
/// names, wrong role, dtype, rank or length) are reported by `run`, before
/// anything runs, as [`CallError::Args`]; the first one made wins.
///
/// Output arrays need not be cleared: the call zero-fills every element the
/// kernel does not write.
pub struct Binding<'k, 'a> {
    kernel: Kernel<'k>,
    /// By parameter index.
    given: Vec<Option<Given>>,
    /// By size index.
    sizes: Vec<Option<i64>>,
    error: Option<Box<ArgError>>,
    /// The slices behind the raw pointers in `given`.
    borrows: PhantomData<&'a mut [u8]>,
}

impl<'k, 'a> Binding<'k, 'a> {
    pub(super) fn new(kernel: Kernel<'k>) -> Binding<'k, 'a> {
        let sig = kernel.signature();
        Binding {
            kernel,
            given: vec![None; sig.params.len()],
            sizes: vec![None; sig.sizes.len()],
            error: None,
            borrows: PhantomData,
        }
    }

    /// A scalar input.
    pub fn scalar(self, name: &str, value: impl Into<Scalar>) -> Self {
        self.give(name, Given::Scalar(value.into()), None)
    }

    /// A 1-D input array.
    pub fn input<T: Element>(self, name: &str, data: &'a [T]) -> Self {
        let given = Given::array(data.as_ptr().cast_mut(), data.len(), &[data.len()]);
        self.give(name, given, Some(Role::Input))
    }

    /// An input array of any rank, row-major, of `shape` (`[h, w]`,
    /// `[d, h, w]`, ...); `data.len()` must be the product of the shape.
    pub fn input_nd<T: Element>(self, name: &str, data: &'a [T], shape: &[usize]) -> Self {
        let given = Given::array(data.as_ptr().cast_mut(), data.len(), shape);
        self.give(name, given, Some(Role::Input))
    }

    /// A 2-D input array, row-major, of `shape = [rows, cols]`.
    pub fn input_2d<T: Element>(self, name: &str, data: &'a [T], shape: [usize; 2]) -> Self {
        self.input_nd(name, data, &shape)
    }

    /// A 1-D `inout` array: read, then updated in place.
    pub fn inout<T: Element>(self, name: &str, data: &'a mut [T]) -> Self {
        let given = Given::array(data.as_mut_ptr(), data.len(), &[data.len()]);
        self.give(name, given, Some(Role::InOut))
    }

    /// An `inout` array of any rank, row-major, of `shape`.
    pub fn inout_nd<T: Element>(self, name: &str, data: &'a mut [T], shape: &[usize]) -> Self {
        let given = Given::array(data.as_mut_ptr(), data.len(), shape);
        self.give(name, given, Some(Role::InOut))
    }

    /// A 2-D `inout` array, row-major, of `shape = [rows, cols]`.
    pub fn inout_2d<T: Element>(self, name: &str, data: &'a mut [T], shape: [usize; 2]) -> Self {
        self.inout_nd(name, data, &shape)
    }

    /// A 1-D output array, whose previous contents do not matter.
    pub fn output<T: Element>(self, name: &str, data: &'a mut [T]) -> Self {
        let given = Given::array(data.as_mut_ptr(), data.len(), &[data.len()]);
        self.give(name, given, Some(Role::Output))
    }

    /// An output array of any rank, row-major, of `shape`.
    pub fn output_nd<T: Element>(self, name: &str, data: &'a mut [T], shape: &[usize]) -> Self {
        let given = Given::array(data.as_mut_ptr(), data.len(), shape);
        self.give(name, given, Some(Role::Output))
    }

    /// A 2-D output array, row-major, of `shape = [rows, cols]`.
    pub fn output_2d<T: Element>(self, name: &str, data: &'a mut [T], shape: [usize; 2]) -> Self {
        self.output_nd(name, data, &shape)
    }

    /// The value of size `name`.
    pub fn size(mut self, name: &str, value: i64) -> Self {
        if self.error.is_some() {
            return self;
        }
        let sizes = &self.kernel.signature().sizes;
        match sizes.iter().position(|s| s.name == name) {
            None => self.fail(ArgError::UnknownSize { size: name.into() }),
            Some(s) if self.sizes[s].is_some() => {
                self.fail(ArgError::DuplicateSize { size: name.into() })
            }
            Some(s) => {
                self.sizes[s] = Some(value);
                self
            }
        }
    }

    /// Records argument `name`, or the first mistake in giving it. `role`
    /// is how an array was passed (`None` for a scalar).
    fn give(mut self, name: &str, given: Given, role: Option<Role>) -> Self {
        if self.error.is_some() {
            return self;
        }
        let params = &self.kernel.signature().params;
        let Some(index) = params.iter().position(|p| p.name == name) else {
            return self.fail(ArgError::UnknownArgument { name: name.into() });
        };
        let param = &params[index];
        let name = || name.to_string();
        let wrong_role = role.filter(|&r| param.dims.is_some() && r != param.role);
        if self.given[index].is_some() {
            self.fail(ArgError::DuplicateArgument { name: name() })
        } else if param.role == Role::Output && param.dims.is_none() {
            self.fail(ArgError::OutputGiven { name: name() })
        } else if let Some(found) = wrong_role {
            let expected = param.role;
            self.fail(ArgError::WrongRole {
                name: name(),
                expected,
                found,
            })
        } else {
            self.given[index] = Some(given);
            self
        }
    }

    fn fail(mut self, error: ArgError) -> Self {
        self.error = Some(Box::new(error));
        self
    }

    /// Checks the whole call, then runs the kernel on the given memory,
    /// on the program's threads. Returns the scalar outputs.
    pub fn run(self) -> Result<ScalarOutputs<'k>, CallError> {
        let pool = &self.kernel.program.pool;
        self.run_on(pool)
    }

    /// As [`Binding::run`], on `pool` instead of the program's threads: a
    /// thread count chosen per call (the Python binding's `threads=`).
    /// Results do not depend on the pool (chunks are fixed by the extents).
    pub fn run_on(self, pool: &Pool) -> Result<ScalarOutputs<'k>, CallError> {
        if let Some(error) = self.error {
            return Err(CallError::Args(*error));
        }
        let kernel = (self.kernel).select(|p| self.given.get(p)?.as_ref().map(Given::kind))?;
        let sig = kernel.signature();
        let mut given = self.given;
        adapt_scalars(sig, &mut given);
        let compiled = kernel.code()?;
        let arg = |p: usize| given.get(p)?.as_ref().map(Given::shape);
        let given_size = |s: usize| self.sizes.get(s).copied().flatten();
        let sizes = bind_sizes(sig, arg, given_size, OutputArrays::Given)?;
        let args: Vec<ParamArg> = (given.iter())
            .map(|g| g.as_ref().map_or(ParamArg::ScalarOutput, Given::arg))
            .collect();
        let call = Call {
            signature: sig,
            plan: &compiled.plan,
            sizes: &sizes,
            args: &args,
            outputs_zeroed: false,
            scratch: kernel.scratch(),
        };
        // SAFETY: `execute`'s contract holds:
        // - the plan comes from codegen for this signature and passed
        //   `validate_plan` when the program was built; the program (and
        //   its machine code) outlives this borrow of it;
        // - `bind_sizes` checked every argument: each array's element type
        //   (the sealed `Element::TYPE` of the slice), its rank, that its
        //   slice length equals the product of its shape, and that its shape
        //   equals the sizes, so each pointer addresses exactly the elements
        //   the array table will describe; a scalar output (the only
        //   parameter left without an argument) gets `ScalarOutput`;
        // - the slices are borrowed for `'a`, which outlives this call;
        //   outputs and `inout` arrays are `&mut` borrows, so the borrow
        //   checker rules out any overlap with another argument, and inputs
        //   are shared borrows the kernel never writes (the language stores
        //   only to outputs and `inout` arrays);
        // - `bool` slices hold one byte 0 or 1 per element, and kernels
        //   store only 0 or 1 (abi).
        let values = unsafe { runtime::execute(pool, &call) }
            .map_err(|e| e.located(&kernel.program.source))?;
        Ok(ScalarOutputs {
            signature: sig,
            values,
        })
    }
}

/// Converts each scalar given for a parameter whose type is a type
/// parameter to the instance's type, when it converts exactly (otherwise
/// the call's checks report its dtype).
fn adapt_scalars(sig: &Signature, given: &mut [Option<Given>]) {
    for (p, slot) in given.iter_mut().enumerate() {
        let Some(Given::Scalar(x)) = slot else {
            continue;
        };
        let Some(param) = sig.params.get(p) else {
            continue;
        };
        if x.ty() != param.elem && instance::adapts(sig, p) {
            if let Some(y) = instance::exact_conversion(*x, param.elem) {
                *x = y;
            }
        }
    }
}

/// The scalar outputs of a call on caller memory, by name.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarOutputs<'k> {
    signature: &'k Signature,
    values: ScalarResults,
}

impl<'k> ScalarOutputs<'k> {
    /// The value of scalar output `name`.
    pub fn get(&self, name: &str) -> Option<Scalar> {
        self.iter().find(|(n, _)| *n == name).map(|(_, x)| x)
    }

    /// Every scalar output, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'k str, Scalar)> + '_ {
        let params = &self.signature.params;
        (self.values.iter()).filter_map(move |&(p, x)| Some((params.get(p)?.name.as_str(), x)))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
