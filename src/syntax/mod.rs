//! Source text → tokens → AST.
//!
//! In: the text of one `.kern` file. Out: a [`ast::SourceFile`] and every
//! syntax error found, never a panic. The parser recovers at statement and
//! item boundaries, so one typo yields one diagnostic.

pub mod ast;
pub mod dump;
pub mod habits;
pub mod lexer;
pub mod parser;

pub use parser::parse;
