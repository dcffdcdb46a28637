//! IR → IR passes, run in one pipeline between the checker and the vector
//! plan: [`lower`] reads top to bottom, as Halide's `lower_impl` and
//! Cranelift's `Context::compile` do.
//!
//! In: a verified module and the [`Options`]. Out: the same module,
//! rewritten, still verified (tests check after every pass through the
//! `log` hook) and meaning exactly what it meant, bit for bit, except for
//! `fast_math`, which both engines then run. The library and the CLI call
//! this one function; `kjit emit ir --after PASS` prints any stage.

mod fast_math;
mod fold;
mod unroll;

pub use fast_math::fast_math;
pub use fold::fold;
pub use unroll::{unroll, UNROLL_TRIPS};

use crate::ir::Module;
use crate::options::Options;

/// The passes, in pipeline order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Fast maths (only with `Options::fast_math`).
    FastMath,
    /// Short constant-bounds `for` loops copied out.
    Unroll,
    /// Operations on constants computed.
    Fold,
}

impl Pass {
    pub const ALL: [Pass; 3] = [Pass::FastMath, Pass::Unroll, Pass::Fold];

    pub fn name(self) -> &'static str {
        match self {
            Pass::FastMath => "fast-math",
            Pass::Unroll => "unroll",
            Pass::Fold => "fold",
        }
    }

    pub fn from_name(name: &str) -> Option<Pass> {
        Pass::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Runs every pass on `module`, calling `log` after each one that ran.
pub fn lower(module: &mut Module, options: &Options, log: &mut dyn FnMut(Pass, &Module)) {
    if options.fast_math {
        fast_math(module);
        log(Pass::FastMath, module);
    }
    unroll(module);
    log(Pass::Unroll, module);
    fold(module);
    log(Pass::Fold, module);
}

/// [`lower`] with no log: what compiling a module means.
pub fn lowered(module: &Module, options: &Options) -> Module {
    let mut copy = module.clone();
    lower(&mut copy, options, &mut |_, _| {});
    copy
}

#[cfg(test)]
mod tests;
