//! [`ArgError`]: what can be wrong with a call's arguments, each variant
//! naming the argument or size at fault.

use super::Role;
use crate::types::ScalarType;
use std::fmt;

/// Where a size got its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeSource {
    pub array: String,
    pub dim: usize,
    pub value: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgError {
    /// An input or `inout` parameter has no argument.
    MissingArgument {
        name: String,
        expected: String,
    },
    /// An argument names no parameter.
    UnknownArgument {
        name: String,
    },
    /// An argument names an output: outputs are results, not arguments.
    OutputGiven {
        name: String,
    },
    ExpectedScalar {
        name: String,
        expected: String,
        found_shape: Vec<usize>,
        found_elem: ScalarType,
    },
    ExpectedArray {
        name: String,
        expected: String,
        found: ScalarType,
    },
    WrongDtype {
        name: String,
        expected: ScalarType,
        found: ScalarType,
    },
    WrongRank {
        name: String,
        expected: String,
        found_shape: Vec<usize>,
    },
    /// An array's data length does not match its shape.
    InconsistentArray {
        name: String,
        shape: Vec<usize>,
        len: usize,
    },
    /// Two input arrays give one size different values.
    SizeMismatch {
        /// The argument that disagrees with an earlier one.
        name: String,
        expected: String,
        size: String,
        dim: usize,
        found_shape: Vec<usize>,
        found_elem: ScalarType,
        /// The earlier argument that fixed the size (boxed to keep
        /// `Result<_, ArgError>` small).
        first: Box<SizeSource>,
    },
    /// A size given by the caller names no size of the kernel.
    UnknownSize {
        size: String,
    },
    /// A size that no input fixes was not given.
    MissingSize {
        size: String,
    },
    NegativeSize {
        size: String,
        value: i64,
    },
    /// A derived size (`n - w + 1`) overflows, divides by zero
    /// (`value: None`) or is negative, with the sizes it reads (`n = 3,
    /// w = 6`).
    DerivedSize {
        size: String,
        sizes: String,
        value: Option<i64>,
    },
    /// An input dimension declared as a derived size is not its value.
    DerivedMismatch {
        size: String,
        sizes: String,
        computed: i64,
        found: Box<SizeSource>,
    },
    /// The caller gave a size that an input array also fixes, differently.
    SizeConflict {
        size: String,
        given: i64,
        first: Box<SizeSource>,
    },
    /// An input array dimension does not fit in an `i64` size.
    SizeTooLarge {
        name: String,
        dim: usize,
        extent: usize,
    },
    /// An output array would hold more elements than fit in memory.
    OutputTooLarge {
        name: String,
        shape: Vec<usize>,
    },
    /// The same parameter was given twice (borrowed calls, where arguments
    /// are a list rather than a map).
    DuplicateArgument {
        name: String,
    },
    /// The same size was given twice.
    DuplicateSize {
        size: String,
    },
    /// An array was passed in another role than its parameter's: an input
    /// passed as writable, an `inout` array or an output passed read-only.
    WrongRole {
        name: String,
        expected: Role,
        found: Role,
    },
    /// The dtype of argument `name` makes type parameter `type_param` of a
    /// generic kernel a type its bound does not allow.
    TypeOutsideBound {
        name: String,
        kernel: String,
        type_param: String,
        found: ScalarType,
        allowed: Vec<ScalarType>,
    },
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ArgError::*;
        match self {
            MissingArgument { name, expected } => {
                write!(f, "missing argument `{name}`: expected {expected}")
            }
            UnknownArgument { name } => {
                write!(f, "argument `{name}`: the kernel has no such parameter")
            }
            OutputGiven { name } => {
                write!(
                    f,
                    "argument `{name}`: `{name}` is an output; outputs are returned, not passed"
                )
            }
            ExpectedScalar {
                name,
                expected,
                found_shape,
                found_elem,
            } => {
                write!(f, "argument `{name}`: expected a scalar {expected}, found {found_elem} array of shape {found_shape:?}")
            }
            ExpectedArray {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "argument `{name}`: expected an array {expected}, found scalar {found}"
                )
            }
            WrongDtype {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "argument `{name}`: expected element type {expected}, found {found}"
                )
            }
            WrongRank {
                name,
                expected,
                found_shape,
            } => {
                write!(f, "argument `{name}`: expected {expected}, found an array of rank {} (shape {found_shape:?})", found_shape.len())
            }
            InconsistentArray { name, shape, len } => {
                write!(
                    f,
                    "argument `{name}`: array of shape {shape:?} holds {len} elements"
                )
            }
            SizeMismatch { .. } => self.fmt_size_mismatch(f),
            UnknownSize { size } => write!(f, "size `{size}`: the kernel has no such size"),
            MissingSize { size } => write!(
                f,
                "size `{size}` is fixed by no input array, so it must be given"
            ),
            NegativeSize { size, value } => write!(f, "size `{size}`: must be >= 0, found {value}"),
            DerivedSize {
                size,
                sizes,
                value: Some(value),
            } => write!(
                f,
                "size `{size}` is {value} with {sizes}: a dimension must be >= 0"
            ),
            DerivedSize {
                size,
                sizes,
                value: None,
            } => write!(
                f,
                "size `{size}` cannot be computed with {sizes}: it overflows or divides by zero"
            ),
            DerivedMismatch {
                size,
                sizes,
                computed,
                found,
            } => write!(
                f,
                "argument `{}`: dim {} is {}, but its type says `{size}`, which is {computed} with {sizes}",
                found.array, found.dim, found.value
            ),
            SizeConflict { size, given, first } => write!(
                f,
                "size `{size}`: given as {given}, but `{}` dim {} fixes it to {}",
                first.array, first.dim, first.value
            ),
            SizeTooLarge { name, dim, extent } => {
                write!(
                    f,
                    "argument `{name}`: dim {dim} is {extent}, larger than any size (i64)"
                )
            }
            OutputTooLarge { name, shape } => {
                write!(
                    f,
                    "output `{name}`: shape {shape:?} has more elements than fit in memory"
                )
            }
            DuplicateArgument { name } => write!(f, "argument `{name}` is given twice"),
            DuplicateSize { size } => write!(f, "size `{size}` is given twice"),
            WrongRole {
                name,
                expected,
                found,
            } => write!(
                f,
                "argument `{name}`: `{name}` is {}, but was passed as {}",
                role_text(*expected),
                role_text(*found)
            ),
            TypeOutsideBound {
                name,
                kernel,
                type_param,
                found,
                allowed,
            } => {
                let dtypes: Vec<String> = (allowed.iter())
                    .map(|t| format!("{t} ({})", crate::inputs::numpy_name(*t)))
                    .collect();
                write!(
                    f,
                    "argument `{name}`: expected {} for `{type_param}` of `{kernel}`, found {found} ({}): `{kernel}` has no instance `{type_param} = {found}`",
                    dtypes.join(" or "),
                    crate::inputs::numpy_name(*found)
                )
            }
        }
    }
}

impl ArgError {
    /// "argument `y`: expected f32[n] (n = 5 from `x` dim 0), found f32
    /// array of shape [4] (dim 0 is 4)"
    fn fmt_size_mismatch(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ArgError::SizeMismatch {
            name,
            expected,
            size,
            dim,
            found_shape,
            found_elem,
            first,
        } = self
        else {
            return Ok(());
        };
        let extent = found_shape.get(*dim).copied().unwrap_or(0);
        write!(
            f,
            "argument `{name}`: expected {expected} ({size} = {} from `{}` dim {}), \
             found {found_elem} array of shape {found_shape:?} (dim {dim} is {extent})",
            first.value, first.array, first.dim
        )
    }
}

impl std::error::Error for ArgError {}

fn role_text(role: Role) -> &'static str {
    match role {
        Role::Input => "an input",
        Role::InOut => "an `inout` array",
        Role::Output => "an output",
    }
}
