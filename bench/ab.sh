#!/usr/bin/env bash
# usage: bench/ab.sh REFBIN NEWBIN [ROUNDS=7] [THREADS=1] [INPUT=bench/out/corpus-10000.jsonl]
# Two builds of riposte compared in time (issue 7): alternating runs of `pair` on the same
# input, under an exclusive lock on /tmp/riposte-cpu.lock (take it shared, `flock -s`, for
# builds and tests run alongside, so none lands inside a timing),
# then medians of CPU (user+sys, from wait4, microseconds) and wall per binary, and NEW/REF.
exec flock -x /tmp/riposte-cpu.lock python3 - "$@" <<'PY'
import os, sys, time, statistics, subprocess, tempfile
ref, new = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 7
threads = sys.argv[4] if len(sys.argv) > 4 else "1"
inp = sys.argv[5] if len(sys.argv) > 5 else "bench/out/corpus-10000.jsonl"
out = tempfile.mktemp(suffix=".csv", prefix="/tmp/time-out-")
print("load at start:", open("/proc/loadavg").read().split()[:3], file=sys.stderr)
d = {ref: [], new: []}
for i in range(rounds):
    for b in ((ref, new) if i % 2 == 0 else (new, ref)):
        t0 = time.perf_counter()
        p = subprocess.Popen([b, "pair", inp, "-o", out, "--threads", threads, "-q"])
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if status != 0: sys.exit(f"{b} failed: {status}")
        d[b].append((wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
os.unlink(out)
m = {}
for b in (ref, new):
    v = d[b]; w = statistics.median(x[0] for x in v); c = statistics.median(x[1] for x in v)
    m[b] = (w, c)
    print(f"{'REF' if b == ref else 'NEW'} {b}: wall median {w:.4f} (min {min(x[0] for x in v):.4f}), "
          f"cpu median {c:.4f} (min {min(x[1] for x in v):.4f}), max RSS {max(x[2] for x in v)/1024:.1f} MiB")
print(f"NEW/REF: wall {m[new][0]/m[ref][0]:.4f}, cpu {m[new][1]/m[ref][1]:.4f}  ({rounds} rounds, {threads} thread(s))")
PY
