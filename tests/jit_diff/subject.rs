//! One source file under differential test: checked once, compiled by the
//! JIT once per thread count, then run case by case on every engine.

use super::compare;
use super::engine::{self, Jit, Outcome, THREADS};
use kjit::ir::Module;
use kjit::value::Args;

pub struct Subject {
    pub module: Module,
    jits: Vec<Jit>,
}

impl Subject {
    /// Checks `source`, which must have no errors (warnings are fine), and
    /// compiles it at every thread count of [`THREADS`].
    pub fn new(source: &str) -> Result<Subject, String> {
        let checked = kjit::check(source);
        if checked.has_errors() {
            return Err(format!(
                "the source has errors:\n{}",
                kjit::diagnostic::render(&checked.diagnostics, "input.kern", source, false)
            ));
        }
        let module = checked.module.ok_or("no module without errors")?;
        let jits = THREADS
            .iter()
            .map(|&threads| {
                Jit::compile(source, threads).map_err(|e| {
                    format!("the JIT (threads {threads}) cannot compile it: {}", cut(&e))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Subject { module, jits })
    }

    /// Runs `kernel` on `args` on the evaluator and on every JIT. Returns
    /// the evaluator's outcome, or a report naming the kernel, the thread
    /// count and the first difference.
    pub fn check(&self, kernel: &str, args: &Args) -> Result<Outcome, String> {
        let expected = engine::evaluate(&self.module, kernel, args);
        for jit in &self.jits {
            let actual = jit.call(kernel, args);
            if let Some(difference) = compare::diff(&expected, &actual) {
                return Err(format!(
                    "kernel `{kernel}`, threads {}: {difference}",
                    jit.threads
                ));
            }
        }
        Ok(expected)
    }
}

/// Compiler errors can carry whole verifier dumps; the head says enough.
fn cut(message: &str) -> String {
    const LIMIT: usize = 600;
    match message.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{} [... {} more bytes]", &message[..at], message.len() - at),
        None => message.to_string(),
    }
}
