#!/usr/bin/env bash
# ArguAna counter-argument retrieval through the CLI: `riposte pair --claims queries
# --responses corpus`, nDCG@10 (query's own id removed), throughput and peak RSS. Not run in CI.
# Usage: bench/arguana.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/data/arguana
if [ ! -f "$DATA/corpus.jsonl" ]; then
    echo "skipping: $DATA not present"
    exit 0
fi
THREADS=${1:-2}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cargo build --release --bin riposte --example bench
for HUB in 0 5; do
    /usr/bin/time -v ./target/release/riposte pair --claims "$DATA/queries.jsonl" \
        --responses "$DATA/corpus.jsonl" --exclude-same-id --top-k 10 --hubness "$HUB" \
        --config bench/arguana.toml --threads "$THREADS" -o "$OUT/report.csv" 2> "$OUT/time.txt"
    echo "== --hubness $HUB, --threads $THREADS"
    ./target/release/examples/bench arguana-score "$OUT/report.csv" "$DATA/qrels/test.tsv"
    WALL=$(grep 'Elapsed (wall clock)' "$OUT/time.txt" | awk '{print $NF}')
    RSS=$(grep 'Maximum resident set size' "$OUT/time.txt" | awk '{print $NF}')
    QUERIES=$(wc -l < "$DATA/queries.jsonl")
    awk -v w="$WALL" -v r="$RSS" -v q="$QUERIES" 'BEGIN {
        n = split(w, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i];
        printf "wall %.2fs  throughput %.0f queries/s  peak RSS %.1f MiB\n", s, q / s, r / 1024 }'
done
# Library-level comparison of index-only TF-IDF / BM25 and the composite (same weights).
./target/release/examples/bench arguana "$DATA"
