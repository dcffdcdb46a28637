//! kjit: a data-parallel array-kernel language, vectorized and JIT-compiled.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//! source → [`syntax`] (tokens, AST) → [`sema`] (names, types, race freedom;
//! lowers to IR) → [`ir`] (kernel IR, verifier, dump) → [`eval`] (reference
//! evaluator). The JIT stages come next.

pub mod diagnostic;
pub mod eval;
pub mod ir;
pub mod sema;
pub mod span;
pub mod syntax;
pub mod types;
