#!/usr/bin/env bash
# A bounded fuzz run of every target: SECONDS_PER_TARGET (default 60) each.
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer=address); the stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, which is what this sets.
# Needs `cargo install cargo-fuzz` (0.13). Findings land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${SECONDS_PER_TARGET:-60}"
export RUSTC_BOOTSTRAP=1
# Seed the front end with the example kernels (copied: libFuzzer adds to
# the first corpus directory, and kernels/ is not a place for its files).
mkdir -p corpus/front_end
cp ../kernels/*.kern corpus/front_end/
cargo fuzz run -O front_end corpus/front_end -- \
    -max_total_time="$seconds" -max_len=4096
# Tapes of up to 1024 choices (two bytes each) plus 16 bytes of shapes and
# values; -len_control=0 tries long tapes (big kernels) from the start.
cargo fuzz run -O jit_vs_eval -- \
    -max_total_time="$seconds" -max_len=2064 -len_control=0 -rss_limit_mb=4096
