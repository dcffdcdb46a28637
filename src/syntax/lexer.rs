//! Tokens (logos). Owned by the parser work; placeholder.
