//! `-o NAME=PATH.npy`: which outputs go to which files, checked before the
//! kernel runs.
//!
//! Every request is validated up front (the name is an output, the path
//! ends in `.npy`, its name fits the file system, its directory exists and
//! takes a new file, it is neither the kernel source nor an input file —
//! compared by inode, so links and other spellings of the path are caught
//! — it is not a directory or other non-file, and it does not exist unless
//! `--force`), so a long run never ends in a refused write. Writing itself
//! goes through [`kjit::npy::write`], which streams into a temporary file
//! next to the target and renames it: a failed run or write never leaves a
//! half-written file under the final name.

use kjit::inputs::Spec;
use kjit::ir::{Kernel, ParamRole};
use kjit::npy::{self, NpyError};
use kjit::value::Outputs;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum OutputError {
    /// Not `NAME=PATH.npy`.
    Syntax {
        text: String,
        problem: &'static str,
    },
    /// NAME is not an output or `inout` parameter.
    NotAnOutput {
        name: String,
        kernel: String,
        outputs: Vec<String>,
    },
    Duplicate {
        name: String,
    },
    /// Two outputs to one file.
    SamePath {
        path: PathBuf,
        first: String,
        second: String,
    },
    /// The file is also read as input `input` (or is the kernel source).
    IsInput {
        name: String,
        path: PathBuf,
        input: String,
    },
    /// The path exists and is not a regular file.
    NotAFile {
        name: String,
        path: PathBuf,
    },
    /// The file name is longer than the file system allows.
    NameTooLong {
        name: String,
        path: PathBuf,
        bytes: usize,
        max: usize,
    },
    /// No file can be created in the directory (read-only, no permission).
    NotWritable {
        name: String,
        error: NpyError,
    },
    Exists {
        name: String,
        path: PathBuf,
    },
    NoDirectory {
        name: String,
        path: PathBuf,
    },
    Write {
        name: String,
        error: NpyError,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use OutputError::*;
        match self {
            Syntax { text, problem } => write!(f, "-o `{text}`: {problem}"),
            NotAnOutput {
                name,
                kernel,
                outputs,
            } => {
                let list = if outputs.is_empty() {
                    "none".to_string()
                } else {
                    outputs.join(", ")
                };
                write!(
                    f,
                    "-o {name}: kernel `{kernel}` has no output `{name}` (outputs: {list})"
                )
            }
            Duplicate { name } => write!(f, "-o {name}: output `{name}` is written twice"),
            SamePath {
                path,
                first,
                second,
            } => {
                write!(
                    f,
                    "-o: outputs `{first}` and `{second}` both go to `{}`",
                    path.display()
                )
            }
            IsInput { name, path, input } => write!(
                f,
                "-o {name}: refusing to write `{}`: it is {input}",
                path.display()
            ),
            NotAFile { name, path } => write!(
                f,
                "-o {name}: `{}` exists and is not a regular file",
                path.display()
            ),
            NameTooLong {
                name,
                path,
                bytes,
                max,
            } => write!(
                f,
                "-o {name}: the file name of `{}` is {bytes} bytes; its file system allows {max}",
                path.display()
            ),
            NotWritable { name, error } => write!(f, "-o {name}: {error}"),
            Exists { name, path } => {
                write!(
                    f,
                    "-o {name}: `{}` exists; pass --force to overwrite it",
                    path.display()
                )
            }
            NoDirectory { name, path } => {
                write!(
                    f,
                    "-o {name}: the directory of `{}` does not exist",
                    path.display()
                )
            }
            Write { name, error } => write!(f, "-o {name}: {error}"),
        }
    }
}

impl std::error::Error for OutputError {}

/// The checked `-o` requests of one run.
#[derive(Debug, Default)]
pub struct OutputPlan {
    writes: Vec<(String, PathBuf)>,
}

impl OutputPlan {
    /// Checks every `-o` request against the kernel, its source file and
    /// the input specs.
    pub fn new(
        kernel: &Kernel,
        requests: &[String],
        source_file: &Path,
        inputs: &[(String, Spec)],
        force: bool,
    ) -> Result<OutputPlan, OutputError> {
        let mut protected = vec![("the kernel source".to_string(), source_file.to_path_buf())];
        for (input, spec) in inputs {
            if let Spec::Npy(path) = spec {
                protected.push((format!("the input file of `{input}`"), path.clone()));
            }
        }
        let mut plan = OutputPlan::default();
        for text in requests {
            let (name, path) = parse_request(text)?;
            check_output(kernel, &name)?;
            plan.check_unique(&name, &path)?;
            check_path(&name, &path, &protected, force)?;
            plan.writes.push((name, path));
        }
        Ok(plan)
    }

    /// Writes every requested output; returns `(name, path)` per file.
    pub fn write(&self, outputs: &Outputs) -> Result<Vec<(String, PathBuf)>, OutputError> {
        for (name, path) in &self.writes {
            // `check_output` made sure the kernel returns `name`; an output
            // missing from `outputs` would be an evaluator bug, reported as a
            // write error rather than a panic.
            let value = outputs.get(name).ok_or_else(|| OutputError::NotAnOutput {
                name: name.clone(),
                kernel: "the run".to_string(),
                outputs: outputs.values.iter().map(|(n, _)| n.clone()).collect(),
            })?;
            npy::write(path, value).map_err(|error| OutputError::Write {
                name: name.clone(),
                error,
            })?;
        }
        Ok(self.writes.clone())
    }

    fn check_unique(&self, name: &str, path: &Path) -> Result<(), OutputError> {
        if self.writes.iter().any(|(n, _)| n == name) {
            return Err(OutputError::Duplicate {
                name: name.to_string(),
            });
        }
        let target = identity(path);
        match self.writes.iter().find(|(_, p)| identity(p) == target) {
            Some((first, _)) => Err(OutputError::SamePath {
                path: path.to_path_buf(),
                first: first.clone(),
                second: name.to_string(),
            }),
            None => Ok(()),
        }
    }
}

fn parse_request(text: &str) -> Result<(String, PathBuf), OutputError> {
    let syntax = |problem| OutputError::Syntax {
        text: text.to_string(),
        problem,
    };
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| syntax("expected NAME=PATH.npy"))?;
    let (name, path) = (name.trim(), path.trim());
    if name.is_empty() {
        return Err(syntax(
            "the output name is missing (expected NAME=PATH.npy)",
        ));
    }
    if !path.ends_with(".npy") {
        return Err(syntax("the path must end in .npy"));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}

fn check_output(kernel: &Kernel, name: &str) -> Result<(), OutputError> {
    let is_output = |role| matches!(role, ParamRole::Output | ParamRole::InOut);
    if kernel
        .params
        .values()
        .any(|p| p.name == name && is_output(p.role))
    {
        return Ok(());
    }
    Err(OutputError::NotAnOutput {
        name: name.to_string(),
        kernel: kernel.name.clone(),
        outputs: kernel
            .params
            .values()
            .filter(|p| is_output(p.role))
            .map(|p| p.name.clone())
            .collect(),
    })
}

fn check_path(
    name: &str,
    path: &Path,
    protected: &[(String, PathBuf)],
    force: bool,
) -> Result<(), OutputError> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(OutputError::NoDirectory {
            name: name.to_string(),
            path: path.to_path_buf(),
        });
    }
    check_name_length(name, path, dir)?;
    let target = identity(path);
    for (what, other) in protected {
        if identity(other) == target || same_file(path, other) {
            return Err(OutputError::IsInput {
                name: name.to_string(),
                path: path.to_path_buf(),
                input: what.clone(),
            });
        }
    }
    // `symlink_metadata`: a link is replaced by the rename, not followed.
    if let Ok(meta) = path.symlink_metadata() {
        if !force {
            return Err(OutputError::Exists {
                name: name.to_string(),
                path: path.to_path_buf(),
            });
        }
        if !(meta.is_file() || meta.file_type().is_symlink()) {
            return Err(OutputError::NotAFile {
                name: name.to_string(),
                path: path.to_path_buf(),
            });
        }
    }
    npy::check_writable(path).map_err(|error| OutputError::NotWritable {
        name: name.to_string(),
        error,
    })
}

/// Whether `a` and `b` exist and are one file (same device and inode):
/// catches hard links, which no path comparison can.
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (a.metadata(), b.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Refuses a file name longer than the directory's file system takes
/// (`NAME_MAX`, usually 255 bytes), which would otherwise fail only after
/// the run.
fn check_name_length(name: &str, path: &Path, dir: &Path) -> Result<(), OutputError> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.file_name().map_or(0, |n| n.as_bytes().len());
    let max = name_max(dir);
    if bytes <= max {
        return Ok(());
    }
    Err(OutputError::NameTooLong {
        name: name.to_string(),
        path: path.to_path_buf(),
        bytes,
        max,
    })
}

/// `pathconf(dir, _PC_NAME_MAX)`, or 255 when it cannot say.
fn name_max(dir: &Path) -> usize {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_dir) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return 255;
    };
    // SAFETY: `c_dir` is a valid NUL-terminated string; pathconf only reads it.
    let max = unsafe { libc::pathconf(c_dir.as_ptr(), libc::_PC_NAME_MAX) };
    usize::try_from(max).ok().filter(|&m| m > 0).unwrap_or(255)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// What a path refers to: canonical when the file exists (so `./x.npy`,
/// `../d/x.npy` and symlinks to it compare equal), else the canonical
/// directory joined with the file name.
fn identity(path: &Path) -> PathBuf {
    if let Ok(canonical) = path.canonicalize() {
        return canonical;
    }
    let dir = parent_dir(path)
        .canonicalize()
        .unwrap_or_else(|_| parent_dir(path).to_path_buf());
    match path.file_name() {
        Some(name) => dir.join(name),
        None => path.to_path_buf(),
    }
}
