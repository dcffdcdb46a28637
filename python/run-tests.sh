#!/usr/bin/env bash
# Builds the Python binding into a virtualenv under target/ and runs its
# pytest suite (python/tests). Part of ./test.sh, which CI runs.
#
# The venv (target/python-venv) is made once and reused; PYTHON picks the
# interpreter that makes it (default: python3, 3.9 or later). The extension
# builds in the workspace's target directory, so after `cargo test
# --release` only the kjit and kjit-python crates compile, not Cranelift.
# Arguments go to pytest (`python/run-tests.sh -k dask -x`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/python-venv"
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/python/test-requirements.txt"
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
    maturin develop --release --quiet --manifest-path "$root/python/Cargo.toml"
cd "$root/python"
"$venv/bin/python" -m pytest -q tests "$@"
