#!/usr/bin/env bash
# APE review/rebuttal pairing given the argument spans: pair P/R/F1 on ape-rr/dev.txt, with a
# plain TF-IDF argmax and an order-only baseline computed by the same driver. Not run in CI.
# Usage: bench/ape.sh [--sweep]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/data/ape-rr/dev.txt
if [ ! -f "$DATA" ]; then
    echo "skipping: $DATA not present"
    exit 0
fi
cargo build --release --example bench
./target/release/examples/bench ape "$DATA" "$@"
