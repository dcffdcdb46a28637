//! One source file under differential test: checked once, compiled by the
//! JIT once per thread count, and once more (2 threads) without AVX-512
//! so the code for CPUs without it is checked on one that has it, then
//! run case by case on every engine.

use super::compare;
use super::engine::{self, Jit, Outcome, THREADS};
use kjit::ir::Module;
use kjit::options::Cpu;
use kjit::value::Args;

pub struct Subject {
    pub module: Module,
    jits: Vec<Jit>,
    /// The module in fast maths (`passes::fast_math`) and its JIT, which must
    /// agree with each other as the precise pair does.
    fast_module: Module,
    fast_jit: Jit,
}

impl Subject {
    /// Checks `source`, which must have no errors (warnings are fine), and
    /// compiles it at every thread count of [`THREADS`], and once (2
    /// threads) in fast maths.
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
                Jit::compile(source, threads, false).map_err(|e| {
                    format!("the JIT (threads {threads}) cannot compile it: {}", cut(&e))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let no_avx512 = Jit::compile_for(source, 2, false, Cpu::NoAvx512)
            .map_err(|e| format!("the JIT (no AVX-512) cannot compile it: {}", cut(&e)))?;
        let jits = jits.into_iter().chain([no_avx512]).collect();
        let mut fast_module = module.clone();
        kjit::passes::fast_math(&mut fast_module);
        let fast_jit = Jit::compile(source, 2, true)
            .map_err(|e| format!("the JIT (fast maths) cannot compile it: {}", cut(&e)))?;
        Ok(Subject {
            module,
            jits,
            fast_module,
            fast_jit,
        })
    }

    /// Runs `kernel` on `args` on the evaluator and on every JIT. Returns
    /// the evaluator's outcome, or a report naming the kernel, the thread
    /// count and the first difference.
    pub fn check(&self, kernel: &str, args: &Args) -> Result<Outcome, String> {
        let expected = engine::evaluate(&self.module, kernel, args);
        for jit in &self.jits {
            let actual = jit.call(kernel, args);
            if let Some(difference) = compare::diff(&expected, &actual) {
                let cpu = match jit.cpu {
                    Cpu::Host => "",
                    Cpu::NoAvx512 => ", no AVX-512",
                };
                return Err(format!(
                    "kernel `{kernel}`, threads {}{cpu}: {difference}",
                    jit.threads
                ));
            }
        }
        let fast_expected = engine::evaluate(&self.fast_module, kernel, args);
        let fast_actual = self.fast_jit.call(kernel, args);
        if let Some(difference) = compare::diff(&fast_expected, &fast_actual) {
            return Err(format!("kernel `{kernel}`, fast maths: {difference}"));
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
