//! Kernel arguments from text: the `NAME=SPEC` language shared by the CLI,
//! the `// default:` lines of `.kern` files and the file tests.
//!
//! In: a kernel's IR (for its parameter types and sizes) and a list of
//! `(name, Spec)` pairs, parsed by [`parse_arg`] / [`parse_spec`]. Out:
//! [`Args`] ready for [`crate::signature::bind`], or an [`InputError`] that
//! names the argument and says what is wrong.
//!
//! A spec carries no type. Each value takes the element type of the
//! parameter it is for: literals are converted (strictly, see
//! [`convert`]), `.npy` files must already have that dtype (no implicit
//! conversion, as everywhere in kern), and generators make values of that
//! type for the shape the sizes give. Sizes come from `NAME=INT` specs or
//! from the literal and `.npy` arrays that fix them; a generator whose size
//! is known from neither is an error naming the size.
//!
//! Holds: nothing here is guessed. A parameter with neither an argument nor
//! a default is an error listing every such parameter; no "obvious"
//! fallback value is invented.

mod convert;
mod defaults;
mod generate;
pub mod instance;
mod materialize;
mod spec;
#[cfg(test)]
mod tests;

pub use convert::{LiteralError, Reason};

/// Where an argument's spec was written, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    CommandLine,
    /// A `// default:` line (1-based; u32 keeps `InputError` small).
    DefaultLine(u32),
}

fn origin_text(origin: &Option<Origin>) -> String {
    match origin {
        None => String::new(),
        Some(Origin::CommandLine) => " (on the command line)".to_string(),
        Some(Origin::DefaultLine(line)) => format!(" (by the `// default:` line {line})"),
    }
}

impl InputError {
    /// Fills in where the values in a size conflict came from;
    /// `origin(name)` says where the spec of argument or size `name` was
    /// written. When both are on the command line, that goes without
    /// saying. Other errors are returned as they are.
    pub fn with_origins(self, origin: impl Fn(&str) -> Option<Origin>) -> InputError {
        match self {
            InputError::SizeConflict {
                size,
                given,
                array,
                dim,
                extent,
                ..
            } => {
                let (size_from, array_from) = match (origin(&size), origin(&array)) {
                    (Some(Origin::CommandLine), Some(Origin::CommandLine)) => (None, None),
                    pair => pair,
                };
                InputError::SizeConflict {
                    size_from,
                    array_from,
                    size,
                    given,
                    array,
                    dim,
                    extent,
                }
            }
            other => other,
        }
    }
}
pub use defaults::{merge, split_args, yield_to_given_arrays, Defaults};
pub use generate::SplitMix64;
pub use materialize::materialize;
pub use spec::{parse_arg, parse_literal, parse_spec, ArrayLiteral, Generator, Literal, Spec};

use crate::npy::NpyError;
use crate::types::ScalarType;
use std::fmt;
use std::path::PathBuf;

/// Everything that can be wrong with the arguments of one run.
#[derive(Debug)]
pub enum InputError {
    /// Not `NAME=SPEC`, or a spec that does not parse. `name` is `None`
    /// when the name itself could not be read.
    BadSpec {
        name: Option<String>,
        spec: String,
        problem: String,
    },
    /// A name that is neither a parameter nor a size of the kernel.
    UnknownName {
        name: String,
        kernel: String,
        known: Vec<String>,
    },
    /// An output was given a value.
    OutputGiven {
        name: String,
    },
    Duplicate {
        name: String,
    },
    /// A literal that does not fit the parameter's type.
    Literal {
        name: String,
        error: LiteralError,
    },
    /// A size given something other than a non-negative integer.
    BadSize {
        name: String,
        found: String,
    },
    /// A value of the wrong kind or rank: an array for a scalar, a 1-D array
    /// for a 2-D parameter.
    WrongShape {
        name: String,
        expected: String,
        found: String,
    },
    /// A scalar where an array is expected; `fill` is probably meant.
    ScalarForArray {
        name: String,
        expected: String,
        literal: Literal,
    },
    /// A generator that cannot make values of the parameter's type.
    Generator {
        name: String,
        generator: Generator,
        problem: String,
    },
    Npy {
        name: String,
        error: NpyError,
    },
    /// A `.npy` file whose dtype is not the parameter's element type.
    NpyDtype {
        name: String,
        path: PathBuf,
        expected: String,
        found: ScalarType,
    },
    /// A generator needs a size that nothing gives.
    MissingSize {
        size: String,
        needed_by: String,
    },
    /// An array's extent is past `i64::MAX`, the largest size.
    SizeTooLarge {
        size: String,
        array: String,
        dim: usize,
        extent: usize,
    },
    /// A size given explicitly differs from an array that fixes it.
    /// `size_from` and `array_from` say where each value was written, when
    /// the caller knows ([`InputError::with_origins`]).
    SizeConflict {
        size: String,
        given: i64,
        array: String,
        dim: usize,
        extent: usize,
        size_from: Option<Origin>,
        array_from: Option<Origin>,
    },
    /// Input parameters with no value: `(name, type)` for each.
    Missing {
        kernel: String,
        params: Vec<(String, String)>,
    },
    /// An error in a `// default:` line of the source.
    InDefault {
        line: usize,
        error: Box<InputError>,
    },
    /// `// default(K):` names a kernel the file does not have.
    UnknownDefaultKernel {
        line: usize,
        kernel: String,
        known: Vec<String>,
    },
}

impl InputError {
    /// Attaches the argument's name to a spec error from [`parse_spec`].
    pub fn with_name(self, arg: &str) -> InputError {
        match self {
            InputError::BadSpec { spec, problem, .. } => InputError::BadSpec {
                name: Some(arg.to_string()),
                spec,
                problem,
            },
            other => other,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use InputError::*;
        match self {
            BadSpec { name: Some(name), spec, problem } => {
                write!(f, "argument `{name}`: cannot read `{}`: {problem}", spec.trim())
            }
            BadSpec { name: None, spec, problem } => write!(f, "cannot read argument `{spec}`: {problem}"),
            UnknownName { name, kernel, known } => write!(
                f,
                "argument `{name}`: kernel `{kernel}` has no parameter or size named `{name}` (it takes: {})",
                list_or_none(known)
            ),
            OutputGiven { name } => write!(f, "argument `{name}`: `{name}` is an output; outputs are computed, not given"),
            Duplicate { name } => write!(f, "argument `{name}` is given twice"),
            Literal { name, error } => write!(f, "argument `{name}`: {error}"),
            BadSize { name, found } => {
                write!(f, "size `{name}`: expected a non-negative integer like {name}=1000, found `{found}`")
            }
            WrongShape { name, expected, found } => write!(f, "argument `{name}`: expected {expected}, found {found}"),
            ScalarForArray { name, expected, literal } => write!(
                f,
                "argument `{name}`: expected an array {expected}, found the scalar `{literal}` \
                 (fill({literal}) repeats one value)"
            ),
            Generator { name, problem, .. } => write!(f, "argument `{name}`: {problem}"),
            Npy { name, error } => write!(f, "argument `{name}`: {error}"),
            NpyDtype { name, path, expected, found } => write!(
                f,
                "argument `{name}`: `{}` holds {} values but `{name}` is {expected} \
                 (convert it with numpy's astype; kjit does not convert arrays implicitly)",
                path.display(),
                numpy_name(*found)
            ),
            MissingSize { size, needed_by } => write!(
                f,
                "size `{size}` is needed for `{needed_by}` but nothing gives it: \
                 pass {size}=N, or an array (literal or .npy) that fixes it"
            ),
            SizeTooLarge { size, array, dim, extent } => write!(
                f,
                "size `{size}`: `{array}` has {extent} along dimension {dim}, \
                 more than the largest size ({})",
                i64::MAX
            ),
            SizeConflict { size, given, array, dim, extent, size_from, array_from } => write!(
                f,
                "size `{size}` is given as {given}{}, but `{array}`{} has {extent} along dimension {dim}",
                origin_text(size_from),
                origin_text(array_from),
            ),
            Missing { kernel, params } => fmt_missing(f, kernel, params),
            InDefault { line, error } => write!(f, "in the `// default:` line {line}: {error}"),
            UnknownDefaultKernel { line, kernel, known } => write!(
                f,
                "`// default({kernel}):` on line {line}: the file has no kernel `{kernel}` (it has: {})",
                list_or_none(known)
            ),
        }
    }
}

fn fmt_missing(
    f: &mut fmt::Formatter<'_>,
    kernel: &str,
    params: &[(String, String)],
) -> fmt::Result {
    let list: Vec<String> = params
        .iter()
        .map(|(name, ty)| format!("`{name}` ({ty})"))
        .collect();
    let noun = if params.len() == 1 {
        "argument"
    } else {
        "arguments"
    };
    write!(
        f,
        "kernel `{kernel}` is missing {noun} {}; give each as NAME=SPEC \
         (e.g. x=uniform(0,1), x=[1,2,3], x=data.npy) or in a `// default:` line",
        list.join(", ")
    )
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".to_string()
    } else {
        names.join(", ")
    }
}

/// The dtype name numpy uses for `ty`.
pub fn numpy_name(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "bool",
        ScalarType::I8 => "int8",
        ScalarType::I16 => "int16",
        ScalarType::I32 => "int32",
        ScalarType::I64 => "int64",
        ScalarType::U8 => "uint8",
        ScalarType::U16 => "uint16",
        ScalarType::U32 => "uint32",
        ScalarType::U64 => "uint64",
        ScalarType::F32 => "float32",
        ScalarType::F64 => "float64",
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InputError::Npy { error, .. } => Some(error),
            InputError::InDefault { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}
