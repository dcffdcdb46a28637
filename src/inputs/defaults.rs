//! Default arguments written in a `.kern` file.
//!
//! A line comment of the form
//! ```text
//! // default: n=1000 a=2.5 x=uniform(-1, 1) y=fill(0)
//! // default(saxpy): x=data/x.npy
//! ```
//! gives default specs, separated by whitespace (whitespace inside `[...]`
//! or `(...)` does not separate). Which kernel a line is for:
//! - `// default(K):` is for kernel `K`, wherever it stands;
//! - a plain `// default:` inside a kernel's text is for that kernel;
//! - a plain `// default:` outside every kernel is for the whole file: each
//!   kernel takes the names it has, and a name no kernel has is an error (a
//!   typo must not pass silently).
//!
//! Precedence, lowest first: file-wide lines, kernel lines, arguments given
//! on the command line ([`merge`]). Within one level a later line wins.
//! Relative `.npy` paths are relative to the `.kern` file ([`Defaults::rebase`]),
//! so a test directory can be run from anywhere.

use super::materialize::known_names;
use super::spec::{parse_arg, Spec};
use super::InputError;
use crate::ir::{Kernel, Module, ParamRole};
use std::path::Path;

/// Every `// default` line of one source file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defaults {
    lines: Vec<DefaultLine>,
}

#[derive(Clone, Debug, PartialEq)]
struct DefaultLine {
    /// 1-based, for messages.
    line: usize,
    /// Byte offset of the `//`, to find the kernel around the line.
    offset: usize,
    /// The kernel named in `default(K)`.
    target: Option<String>,
    specs: Vec<(String, Spec)>,
}

/// Which lines apply to a kernel, and how strongly.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    File,
    Kernel,
    Other,
}

impl Defaults {
    /// Finds and parses every `// default` line; the first malformed one is
    /// an error.
    pub fn parse(source: &str) -> Result<Defaults, InputError> {
        let mut lines = Vec::new();
        let mut offset = 0;
        for (index, text) in source.split_inclusive('\n').enumerate() {
            if let Some(line) = parse_line(text, index + 1, offset)? {
                lines.push(line);
            }
            offset += text.len();
        }
        Ok(Defaults { lines })
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Makes relative `.npy` paths relative to `dir` (the `.kern` file's
    /// directory).
    pub fn rebase(&mut self, dir: &Path) {
        let specs = self.lines.iter_mut().flat_map(|l| l.specs.iter_mut());
        for (_, spec) in specs {
            if let Spec::Npy(path) = spec {
                if path.is_relative() {
                    *path = dir.join(&*path);
                }
            }
        }
    }

    /// The line of the default spec of `name` that [`Defaults::for_kernel`]
    /// picks for `kernel`, for messages.
    pub fn line_of(&self, module: &Module, kernel: &Kernel, name: &str) -> Option<usize> {
        let mut file_wide = None;
        let mut own = None;
        for line in &self.lines {
            if !line.specs.iter().any(|(n, _)| n == name) {
                continue;
            }
            match scope(line, module, kernel) {
                Ok(Scope::File) => file_wide = Some(line.line),
                Ok(Scope::Kernel) => own = Some(line.line),
                _ => {}
            }
        }
        own.or(file_wide)
    }

    /// The default specs for kernel `kernel` of `module`, one per name,
    /// strongest last-written.
    pub fn for_kernel(
        &self,
        module: &Module,
        kernel: &Kernel,
    ) -> Result<Vec<(String, Spec)>, InputError> {
        let mut file_wide = Vec::new();
        let mut own = Vec::new();
        for line in &self.lines {
            match scope(line, module, kernel)? {
                Scope::File => file_wide.extend(file_wide_specs(line, module, kernel)?),
                Scope::Kernel => own.extend(own_specs(line, kernel)?),
                Scope::Other => {}
            }
        }
        Ok(merge(last_wins(file_wide), last_wins(own)))
    }
}

/// `// default: ...` or `// default(K): ...`, after optional indentation;
/// any other line is `None`.
fn parse_line(text: &str, line: usize, offset: usize) -> Result<Option<DefaultLine>, InputError> {
    let indented = text.trim_start();
    let Some(comment) = indented.strip_prefix("//") else {
        return Ok(None);
    };
    // Where the comment starts, so an indented line in a kernel body is
    // inside the kernel even if the kernel's span starts mid-line.
    let offset = offset + (text.len() - indented.len());
    let Some(rest) = comment.trim_start().strip_prefix("default") else {
        return Ok(None);
    };
    let (target, body) = if let Some(body) = rest.strip_prefix(':') {
        (None, body)
    } else if let Some((kernel, body)) = rest.strip_prefix('(').and_then(|r| r.split_once("):")) {
        (Some(kernel.trim().to_string()), body)
    } else {
        // "// defaults are ..." is prose, not a default line.
        return Ok(None);
    };
    let in_line = |error| InputError::InDefault {
        line,
        error: Box::new(error),
    };
    let specs = split_args(body)
        .into_iter()
        .map(|word| parse_arg(word).map_err(in_line))
        .collect::<Result<_, _>>()?;
    Ok(Some(DefaultLine {
        line,
        offset,
        target,
        specs,
    }))
}

/// Splits a line of `NAME=SPEC` arguments at whitespace outside brackets
/// and parentheses: `x=[1, 2] y=uniform(0, 1)` is two arguments.
pub fn split_args(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut depth = 0i32;
    let mut start = None;
    for (i, c) in text.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        match (start, c.is_whitespace() && depth <= 0) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                words.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words
}

fn scope(line: &DefaultLine, module: &Module, kernel: &Kernel) -> Result<Scope, InputError> {
    if let Some(target) = &line.target {
        if module.kernel(target).is_none() {
            return Err(InputError::UnknownDefaultKernel {
                line: line.line,
                kernel: target.clone(),
                known: module.kernels.iter().map(|k| k.name.clone()).collect(),
            });
        }
        return Ok(if *target == kernel.name {
            Scope::Kernel
        } else {
            Scope::Other
        });
    }
    let inside = |k: &Kernel| (k.span.start as usize..k.span.end as usize).contains(&line.offset);
    Ok(match module.kernels.iter().find(|k| inside(k)) {
        None => Scope::File,
        Some(k) if k.name == kernel.name => Scope::Kernel,
        Some(_) => Scope::Other,
    })
}

/// A file-wide line gives each kernel the names it has.
fn file_wide_specs(
    line: &DefaultLine,
    module: &Module,
    kernel: &Kernel,
) -> Result<Vec<(String, Spec)>, InputError> {
    let mut specs = Vec::new();
    for (name, spec) in &line.specs {
        if takes(kernel, name) {
            specs.push((name.clone(), spec.clone()));
        } else if !module.kernels.iter().any(|k| takes(k, name)) {
            return Err(InputError::InDefault {
                line: line.line,
                error: Box::new(unknown(kernel, name)),
            });
        }
    }
    Ok(specs)
}

/// A kernel's own line must name only what the kernel takes.
fn own_specs(line: &DefaultLine, kernel: &Kernel) -> Result<Vec<(String, Spec)>, InputError> {
    match line.specs.iter().find(|(name, _)| !takes(kernel, name)) {
        Some((name, _)) => Err(InputError::InDefault {
            line: line.line,
            error: Box::new(unknown(kernel, name)),
        }),
        None => Ok(line.specs.clone()),
    }
}

fn takes(kernel: &Kernel, name: &str) -> bool {
    let param = kernel
        .params
        .values()
        .any(|p| p.name == name && matches!(p.role, ParamRole::Input | ParamRole::InOut));
    param || kernel.sizes.values().any(|s| s.name == name)
}

fn unknown(kernel: &Kernel, name: &str) -> InputError {
    if kernel.params.values().any(|p| p.name == name) {
        return InputError::OutputGiven {
            name: name.to_string(),
        };
    }
    InputError::UnknownName {
        name: name.to_string(),
        kernel: kernel.name.clone(),
        known: known_names(kernel),
    }
}

/// `defaults` without the sizes that an array in `given` fixes: a file's
/// `// default: n=1000000` is meant for runs that say nothing about `n`,
/// and must not contradict the user's own `x=data.npy` of 5 elements.
/// (A generator fixes no size, so `n` still applies to `x=uniform(0,1)`.)
pub fn yield_to_given_arrays(
    kernel: &Kernel,
    defaults: Vec<(String, Spec)>,
    given: &[(String, Spec)],
) -> Vec<(String, Spec)> {
    let fixed = |size_name: &str| {
        given.iter().any(|(name, spec)| {
            matches!(spec, Spec::Array(_) | Spec::Npy(_))
                && kernel.params.values().any(|p| {
                    p.name == *name && p.dims().iter().any(|&s| kernel.sizes[s].name == size_name)
                })
        })
    };
    defaults
        .into_iter()
        .filter(|(name, _)| !fixed(name))
        .collect()
}

/// `base` with every name in `overrides` replaced, the overrides last. A
/// name given twice in `overrides` stays twice, so [`super::materialize`]
/// reports it.
pub fn merge(base: Vec<(String, Spec)>, overrides: Vec<(String, Spec)>) -> Vec<(String, Spec)> {
    let mut merged: Vec<(String, Spec)> = base
        .into_iter()
        .filter(|(name, _)| !overrides.iter().any(|(n, _)| n == name))
        .collect();
    merged.extend(overrides);
    merged
}

/// Keeps the last spec of each name: within one level of defaults, a later
/// line wins.
fn last_wins(specs: Vec<(String, Spec)>) -> Vec<(String, Spec)> {
    let mut kept: Vec<(String, Spec)> = Vec::new();
    for (name, spec) in specs {
        kept.retain(|(n, _)| *n != name);
        kept.push((name, spec));
    }
    kept
}
