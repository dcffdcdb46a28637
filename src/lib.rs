//! kjit: a data-parallel array-kernel language, vectorized and JIT-compiled.
//!
//! The pipeline, one module per stage (see ARCHITECTURE.md):
//! source → [`syntax`] (tokens, AST) → [`sema`] (names, types, race freedom;
//! lowers to IR) → [`ir`] (kernel IR, verifier, dump) → [`eval`] (reference
//! evaluator) → [`plan`] (the vector plan) → [`codegen`] (Cranelift) →
//! [`runtime`] (rayon); [`semantics`] defines every operation for all.
//!
//! The README follows; its library example runs as a doctest.
#![doc = include_str!("../README.md")]

pub mod abi;
pub mod api;
pub mod codegen;
pub mod diagnostic;
pub mod eval;
pub mod frontend;
pub mod inputs;
pub mod ir;
pub mod memory;
pub mod npy;
pub mod options;
pub mod passes;
pub mod plan;
pub mod runtime;
pub mod sema;
pub mod semantics;
pub mod signature;
pub mod span;
pub mod syntax;
pub mod types;
pub mod value;
pub mod vmath;

pub use frontend::{check, compile, Checked};
