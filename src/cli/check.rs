//! `kjit check FILE`: every diagnostic of the file, then a summary line.
//!
//! Besides the front end's diagnostics, `check` reads the file's
//! `// default:` lines for every kernel, so a typo there shows up before
//! anyone runs the file.

use super::{print_diagnostics, read_source, summary, to_stderr, CliError};
use kjit::diagnostic::Diagnostic;
use kjit::inputs::{Defaults, InputError};
use kjit::ir::Module;
use kjit::span::Span;
use std::path::Path;

pub fn check(file: &Path) -> Result<(), CliError> {
    let source = read_source(file)?;
    let checked = kjit::check(&source);
    let mut diagnostics = checked.diagnostics;
    if let Some(module) = &checked.module {
        diagnostics.extend(check_defaults(&source, module));
    }
    let errors = print_diagnostics(file, &source, &diagnostics);
    to_stderr(&format!("{}: {}\n", file.display(), summary(&diagnostics)));
    if errors > 0 {
        Err(CliError::Diagnostics)
    } else {
        Ok(())
    }
}

/// The first problem in the `// default:` lines, as a diagnostic on its line.
fn check_defaults(source: &str, module: &Module) -> Option<Diagnostic> {
    let defaults = match Defaults::parse(source) {
        Ok(defaults) => defaults,
        Err(error) => return Some(default_diagnostic(source, &error)),
    };
    let error = module
        .kernels
        .iter()
        .find_map(|kernel| defaults.for_kernel(module, kernel).err())?;
    Some(default_diagnostic(source, &error))
}

fn default_diagnostic(source: &str, error: &InputError) -> Diagnostic {
    let line = match error {
        InputError::InDefault { line, .. } | InputError::UnknownDefaultKernel { line, .. } => {
            Some(*line)
        }
        _ => None,
    };
    let diagnostic = Diagnostic::error(error.to_string());
    match line.and_then(|line| line_span(source, line)) {
        Some(span) => diagnostic.primary(span, "in this default line"),
        None => diagnostic,
    }
}

/// The span of 1-based line `line`, without its newline.
fn line_span(source: &str, line: usize) -> Option<Span> {
    let mut start = 0;
    for (index, text) in source.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let body = text.trim_end_matches(['\n', '\r']);
            let indent = body.len() - body.trim_start().len();
            return Some(Span::new(start + indent, start + body.len()));
        }
        start += text.len();
    }
    None
}
