//! What kern's operations mean, below every engine: the operator and
//! builtin names ([`ops`]), their values on scalars ([`scalar`]: unary,
//! binary, casts; [`builtins`]: builtin functions; [`reduce`]: reduction
//! identities, steps and the lane tree), and
//! the maths precision choice. The transcendental builtins are defined in
//! [`crate::vmath`], which these files call.
//!
//! In: operand values whose types the IR verifier has checked. Out: results,
//! exactly as docs/LANGUAGE.md says. These files ARE the definition.
//!
//! Who uses it: the reference evaluator (an interpreter and nothing else),
//! the constant folding of the IR passes, codegen's out-of-line float `%`
//! and the runtime's combine of reduction partials. So no product path
//! depends on the evaluator, and folding or combining cannot disagree with
//! it.

pub mod builtins;
pub mod ops;
pub mod reduce;
pub mod scalar;

pub use builtins::builtin;
pub use ops::{BinaryOp, Builtin, BuiltinSignature, Precision, ReduceOp, ReduceResult, UnaryOp};
pub use scalar::{binary, cast, unary};

#[cfg(test)]
mod tests;
