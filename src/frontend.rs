//! The front end in one function: source text → AST → checked kernel IR.
//!
//! This is the entry point the CLI, the tests and library users call; the
//! pipeline reads top to bottom in [`check`].

use crate::diagnostic::Diagnostic;
use crate::ir;
use crate::syntax::{self, ast};

/// Everything the front end learned about one source file.
pub struct Checked {
    pub ast: ast::SourceFile,
    /// Present when there were no errors (warnings allowed).
    pub module: Option<ir::Module>,
    /// Syntax errors first, then semantic ones, each group in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and checks `source`. Never panics on any input.
pub fn check(source: &str) -> Checked {
    let (ast, mut diagnostics) = syntax::parse(source);
    // A file with syntax errors is still checked: the parser left `Error`
    // nodes where it recovered, and the checker stays quiet about those, so
    // the user sees every independent mistake in one run.
    let (module, semantic) = crate::sema::check(&ast);
    diagnostics.extend(semantic);
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    if ok {
        debug_assert!(ir::verify(&module).is_ok(), "sema produced invalid IR");
    }
    Checked {
        ast,
        module: ok.then_some(module),
        diagnostics,
    }
}

/// Compiles `source` to kernel IR, or returns its diagnostics.
pub fn compile(source: &str) -> Result<ir::Module, Vec<Diagnostic>> {
    let checked = check(source);
    match checked.module {
        Some(module) => Ok(module),
        None => Err(checked.diagnostics),
    }
}
