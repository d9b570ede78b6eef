#!/usr/bin/env bash
# Fuzzes the reader + extractor (+ pairing) with cargo-fuzz. Not part of CI: it runs for as
# long as asked and needs libFuzzer's sanitizer flags.
#
#   fuzz/run.sh [SECONDS]                  # default 1800 (30 minutes), one job (target extract;
#                                          # the jsonl target: cargo fuzz run jsonl, see RUNS.md)
#   FUZZ_ON_STABLE=1 fuzz/run.sh [SECONDS]   # stable toolchain even if nightly is installed
#
# Crashes land in fuzz/artifacts/extract/; copy each into tests/fuzz-regressions/ (the
# fuzz_regressions test replays them) before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-1800}"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# cargo-fuzz passes -Z flags, which need nightly. Use it when installed; otherwise let the
# stable compiler accept them (RUSTC_BOOTSTRAP), since machines here cannot fetch toolchains.
if [ -z "${FUZZ_ON_STABLE:-}" ] && rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi

# Seed with the project's own sample articles so the fuzzer starts from real news shape.
mkdir -p corpus/extract
cp -n ../data/articles/*.txt corpus/extract/ 2>/dev/null || true

"${fuzz[@]}" run extract corpus/extract -- \
    -max_total_time="$secs" -jobs=1 -workers=1 -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1
