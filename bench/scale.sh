#!/usr/bin/env bash
# Scale: 20,000 generated claims × 20,000 generated responses, top 10 per claim, through the
# CLI on THREADS threads (median of 3 runs: wall, CPU, peak RSS, with the load average at
# each run, since other jobs may share the machine), the recall of the exact all-pairs best
# on a sample of claims, and the peer (scikit-learn TF-IDF + sparse_dot_topn top 10, installed
# in bench/out/venv) on the same files, side by side. Everything is written under bench/out/.
# Not run in CI.
# Usage: bench/scale.sh [THREADS] [SAMPLE]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-2}
SAMPLE=${2:-500}
OUT=bench/out/scale
mkdir -p "$OUT"
cargo build --release --bin riposte --example bench
python3 bench/scale_gen.py "$OUT" 20000 20000
if [ ! -x bench/out/venv/bin/python ]; then
    python3 -m venv bench/out/venv
fi
bench/out/venv/bin/pip install -q scikit-learn sparse_dot_topn || \
    echo "sparse_dot_topn did not install: the peer falls back to a blocked sparse product"

# Prints "wall_s cpu_s rss_mib load1" for one /usr/bin/time -v log.
measure() {
    awk -v load="$2" '
        /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $NF } /System time/ { s = $NF }
        /Maximum resident set size/ { r = $NF / 1024 }
        END { printf "%.3f %.2f %.1f %s\n", w, u + s, r, load }' "$1"
}
median() { sort -n -k"$1" | awk -v k="$1" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }

run3() {
    local name=$1; shift
    : > "$OUT/$name.runs"
    for i in 1 2 3; do
        local load
        load=$(awk '{ print $1 }' /proc/loadavg)
        # Each run writes a fresh file: replacing the last run's 119 MB report made the kernel
        # drop its pages inside the timed rename (~0.1 s), which is not the tool's work.
        rm -f "$OUT/$name.out"
        /usr/bin/time -v "$@" 2> "$OUT/$name.time"
        measure "$OUT/$name.time" "$load" >> "$OUT/$name.runs"
    done
    echo "== $name (wall s, cpu s, peak RSS MiB, load1 at start)"
    cat "$OUT/$name.runs"
}

run3 riposte ./target/release/riposte pair --claims "$OUT/claims.jsonl" \
    --responses "$OUT/responses.jsonl" --top-k 10 --threads "$THREADS" -q -o "$OUT/riposte.out"
cp "$OUT/riposte.out" "$OUT/report.csv"
run3 peer bench/out/venv/bin/python bench/scale_peer.py "$OUT/claims.jsonl" \
    "$OUT/responses.jsonl" "$THREADS" "$OUT/peer.out"
# The report must not depend on the thread count.
./target/release/riposte pair --claims "$OUT/claims.jsonl" --responses "$OUT/responses.jsonl" \
    --top-k 10 --threads 1 -q -o "$OUT/report-t1.csv"
if cmp -s "$OUT/report.csv" "$OUT/report-t1.csv"; then
    echo "== report with --threads 1 and --threads $THREADS: byte-identical ($(md5sum < "$OUT/report.csv" | cut -c1-32))"
else
    echo "== report with --threads 1 differs from --threads $THREADS" >&2
    exit 1
fi
./target/release/examples/bench scale-recall "$OUT/claims.jsonl" "$OUT/responses.jsonl" \
    "$OUT/report.csv" "$SAMPLE" 10 | tee "$OUT/recall.txt"

RW=$(median 1 < "$OUT/riposte.runs"); RC=$(median 2 < "$OUT/riposte.runs")
RR=$(median 3 < "$OUT/riposte.runs"); RL=$(median 4 < "$OUT/riposte.runs")
PW=$(median 1 < "$OUT/peer.runs"); PC=$(median 2 < "$OUT/peer.runs")
PR=$(median 3 < "$OUT/peer.runs"); PL=$(median 4 < "$OUT/peer.runs")
echo "== medians of 3, --threads $THREADS; load averages now: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %8s %8s %10s %6s\n' run wall_s cpu_s rss_MiB load1
printf '%-10s %8s %8s %10s %6s\n' riposte "$RW" "$RC" "$RR" "$RL"
printf '%-10s %8s %8s %10s %6s\n' peer "$PW" "$PC" "$PR" "$PL"
awk -v rw="$RW" -v pw="$PW" -v rc="$RC" -v pc="$PC" -v rr="$RR" -v pr="$PR" 'BEGIN {
    printf "ratio riposte/peer: wall %.2f, cpu %.2f, peak RSS %.2f\n", rw / pw, rc / pc, rr / pr }'
