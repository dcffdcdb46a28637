//! Deterministic text dump of the AST. Placeholder.
