#!/usr/bin/env python3
"""Where the wall time inside one function goes, inlined stages included (issue 7).

    perf record -e cpu-clock -F 3000 --call-graph dwarf,16384 -o p.data \
        target/release/riposte pair bench/out/corpus-10000.jsonl -o X.csv --threads 1 -q
    perf script -i p.data -F ip,sym > p.txt
    python3 bench/perf_fold.py p.txt 'riposte::attribute::attribute' 40

Prints the share of all samples that fall inside the function (its outermost frame on the
stack) and splits it by the frame directly below it. perf's `--children` report cannot do
that for the pipeline's stages, which are mostly inlined into one another.
"""
import sys, collections, re
target = sys.argv[2]
samples=[]; cur=[]
for line in open(sys.argv[1]):
    line=line.rstrip('\n')
    if not line.strip():
        if cur: samples.append(cur); cur=[]
        continue
    parts=line.strip().split(None,1)
    sym=parts[1] if len(parts)>1 else '?'
    sym=re.sub(r'\+0x[0-9a-f]+$','',sym)
    cur.append(sym)
if cur: samples.append(cur)
tot=len(samples); c=collections.Counter(); inside=0
for s in samples:
    # s[0] is leaf; find outermost occurrence of target
    idx=[i for i,f in enumerate(s) if target in f]
    if not idx: continue
    inside+=1
    i=max(idx)
    child = s[i-1] if i>0 else '(self)'
    c[child]+=1
print(f"total {tot}, in {target}: {inside} ({100*inside/tot:.1f}%)")
for k,v in c.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 40):
    print(f"{100*v/tot:5.1f}%  {k[:130]}")
