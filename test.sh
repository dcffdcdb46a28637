#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): the Rust crate, then the
# Python binding (built into a venv under target/, see python/run-tests.sh).
set -euo pipefail
cd "$(dirname "$0")"
cargo test --release
python/run-tests.sh
