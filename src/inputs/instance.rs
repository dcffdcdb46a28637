//! Which instance of a generic kernel a run uses, from what a run line or
//! the CLI gives: type arguments written out (`--type T=f64`, a file
//! test's `run(saxpy<T = f64>)`), else the dtype of a `.npy` input,
//! else the first type of the bound (generated and literal inputs then
//! take that type).

use super::Spec;
use crate::ir::{Kernel, Module};
use crate::npy;
use crate::types::ScalarType;
use std::fmt;

/// Why no instance fits.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceError {
    /// `T=...` is not `NAME=TYPE`, or TYPE is not a scalar type.
    BadTypeArg { text: String },
    /// A type argument names no type parameter of the kernel.
    UnknownTypeParam {
        kernel: String,
        name: String,
        known: Vec<String>,
    },
    /// The type given or decided for a parameter is outside its bound.
    OutsideBound {
        kernel: String,
        type_param: String,
        found: ScalarType,
        allowed: Vec<ScalarType>,
        /// What decided it: `--type`, or the `.npy` file of an argument.
        decided_by: String,
    },
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceError::BadTypeArg { text } => write!(
                f,
                "bad type argument `{text}`: expected NAME=TYPE, e.g. T=f64 (types: f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool)"
            ),
            InstanceError::UnknownTypeParam { kernel, name, known } if known.is_empty() => write!(
                f,
                "kernel `{kernel}` has no type parameter `{name}`: it is not generic"
            ),
            InstanceError::UnknownTypeParam { kernel, name, known } => write!(
                f,
                "kernel `{kernel}` has no type parameter `{name}` (type parameters: {})",
                known.join(", ")
            ),
            InstanceError::OutsideBound {
                kernel,
                type_param,
                found,
                allowed,
                decided_by,
            } => {
                let allowed: Vec<String> = allowed.iter().map(|t| t.to_string()).collect();
                write!(
                    f,
                    "{decided_by} makes `{type_param}` of `{kernel}` {found}, but `{type_param}` must be one of {}",
                    allowed.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for InstanceError {}

/// `T=f64` (spaces allowed; `T:f64` reads the same).
pub fn parse_type_arg(text: &str) -> Result<(String, ScalarType), InstanceError> {
    let bad = || InstanceError::BadTypeArg {
        text: text.to_string(),
    };
    let (name, ty) = (text.split_once('='))
        .or_else(|| text.split_once(':'))
        .ok_or_else(bad)?;
    let ty = ScalarType::from_name(ty.trim()).ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(bad());
    }
    Ok((name.to_string(), ty))
}

/// Splits the words of a run (`T=f64 a=2 x=[1, 2]`) into type arguments
/// and argument specs: a word `NAME=TYPE` is a type argument when NAME is
/// a type parameter of `kernel` and not one of its parameters or sizes,
/// and TYPE a scalar type's name (`kjit run saxpy.kern T=f64 ...`, as
/// `--type T=f64`).
#[allow(clippy::type_complexity)]
pub fn split_type_words<'w, W: AsRef<str>>(
    kernel: &Kernel,
    words: &'w [W],
) -> (Vec<(String, ScalarType)>, Vec<&'w str>) {
    let is_value_name = |name: &str| {
        kernel.params.values().any(|p| p.name == name)
            || kernel.sizes.values().any(|s| s.name == name)
    };
    let mut types = Vec::new();
    let mut rest = Vec::new();
    for word in words.iter().map(AsRef::as_ref) {
        let type_arg = parse_type_arg(word).ok().filter(|(name, _)| {
            kernel.type_args.iter().any(|a| &a.name == name) && !is_value_name(name)
        });
        match type_arg {
            Some(arg) => types.push(arg),
            None => rest.push(word),
        }
    }
    (types, rest)
}

/// The instance of `kernel` (any instance of it) to run with `specs`:
/// each type parameter from `types`, else from the dtype of the first
/// `.npy` input of that element type, else the first type of its bound.
/// A `.npy` file that cannot be read leaves the choice to the other
/// rules; reading it for the run reports the problem.
pub fn choose<'m>(
    module: &'m Module,
    kernel: &'m Kernel,
    specs: &[(String, Spec)],
    types: &[(String, ScalarType)],
) -> Result<&'m Kernel, InstanceError> {
    for (name, _) in types {
        if !kernel.type_args.iter().any(|a| &a.name == name) {
            return Err(InstanceError::UnknownTypeParam {
                kernel: kernel.name.clone(),
                name: name.clone(),
                known: kernel.type_args.iter().map(|a| a.name.clone()).collect(),
            });
        }
    }
    if kernel.type_args.is_empty() {
        return Ok(kernel);
    }
    let mut wanted = Vec::new();
    for arg in &kernel.type_args {
        let given = types.iter().find(|(n, _)| *n == arg.name);
        let (ty, decided_by) = match given {
            Some(&(_, ty)) => (ty, "--type".to_string()),
            None => match npy_decides(kernel, arg, specs) {
                Some((ty, name)) => (ty, format!("the .npy file of argument `{name}`")),
                None => (arg.allowed[0], String::new()),
            },
        };
        if !arg.allowed.contains(&ty) {
            return Err(InstanceError::OutsideBound {
                kernel: kernel.name.clone(),
                type_param: arg.name.clone(),
                found: ty,
                allowed: arg.allowed.clone(),
                decided_by,
            });
        }
        wanted.push(ty);
    }
    let types_of = |k: &Kernel| k.type_args.iter().map(|a| a.ty).collect::<Vec<_>>();
    Ok(module
        .instances(&kernel.name)
        .find(|k| types_of(k) == wanted)
        .unwrap_or(kernel))
}

/// The dtype of the first `.npy` input whose element type is `arg`.
fn npy_decides(
    kernel: &Kernel,
    arg: &crate::ir::TypeArg,
    specs: &[(String, Spec)],
) -> Option<(ScalarType, String)> {
    arg.params.iter().find_map(|&p| {
        let name = &kernel.params.get(p)?.name;
        let Some((_, Spec::Npy(path))) = specs.iter().find(|(n, _)| n == name) else {
            return None;
        };
        Some((npy::dtype(path).ok()?, name.clone()))
    })
}

/// A kernel as a run names it: `saxpy`, `saxpy<T = f64>`, `<T = f64>`
/// (the file's only kernel), or nothing. Returns the name, if any, and the
/// type arguments.
#[allow(clippy::type_complexity)]
pub fn parse_kernel_ref(
    text: Option<&str>,
) -> Result<(Option<String>, Vec<(String, ScalarType)>), InstanceError> {
    let Some(text) = text.map(str::trim) else {
        return Ok((None, Vec::new()));
    };
    let (name, types) = match text.split_once('<') {
        Some((name, rest)) => {
            let inner = rest
                .strip_suffix('>')
                .ok_or_else(|| InstanceError::BadTypeArg {
                    text: text.to_string(),
                })?;
            let types = (inner.split(','))
                .filter(|t| !t.trim().is_empty())
                .map(parse_type_arg)
                .collect::<Result<Vec<_>, _>>()?;
            (name.trim(), types)
        }
        None => (text, Vec::new()),
    };
    let name = (!name.is_empty()).then(|| name.to_string());
    Ok((name, types))
}

/// The kernel a run means: the one named, or the file's only kernel (a
/// generic kernel's instances count once); `Err` says why none.
pub fn named_kernel<'m>(module: &'m Module, name: Option<&str>) -> Result<&'m Kernel, String> {
    match name {
        Some(name) => module
            .kernel(name)
            .ok_or_else(|| format!("no kernel named `{name}`")),
        None => {
            let first = module.kernels.first().ok_or("the file has no kernel")?;
            if module.kernels.iter().all(|k| k.name == first.name) {
                Ok(first)
            } else {
                Err("the file has several kernels; name one with `// run(KERNEL):`".into())
            }
        }
    }
}
