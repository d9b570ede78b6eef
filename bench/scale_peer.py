#!/usr/bin/env python3
"""The scale benchmark's peer: scikit-learn TF-IDF and sparse_dot_topn top-10 per claim.

Fits one vocabulary over both sides (as riposte does), L2-normalised sublinear TF-IDF, then
the claims × responses cosine keeping the best 10 per claim without materialising the full
product. Falls back to a blocked scikit-learn sparse product + argpartition when
sparse_dot_topn is not installed, and says so.

Usage: scale_peer.py CLAIMS.jsonl RESPONSES.jsonl THREADS OUT.tsv
"""

import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def load(path):
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            u = json.loads(line)
            ids.append(u["id"])
            texts.append(u["text"])
    return ids, texts


def topn_fallback(a, b, k):
    rows = []
    bt = b.T.tocsc()
    for lo in range(0, a.shape[0], 1000):
        block = (a[lo : lo + 1000] @ bt).toarray()
        part = np.argpartition(-block, k, axis=1)[:, :k]
        for i, cols in enumerate(part):
            vals = block[i, cols]
            order = np.argsort(-vals)
            rows.append([(int(cols[j]), float(vals[j])) for j in order if vals[j] > 0])
    return rows


def main():
    claims_path, resp_path, threads, out = sys.argv[1:5]
    t0 = time.perf_counter()
    cid, ctext = load(claims_path)
    rid, rtext = load(resp_path)
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32)
    vec.fit(ctext + rtext)
    a = vec.transform(ctext)
    b = vec.transform(rtext)
    try:
        from sparse_dot_topn import sp_matmul_topn

        c = sp_matmul_topn(a, b.T, top_n=10, threshold=0.0, sort=True, n_threads=int(threads))
        rows = []
        for i in range(c.shape[0]):
            s, e = c.indptr[i], c.indptr[i + 1]
            rows.append(list(zip(c.indices[s:e].tolist(), c.data[s:e].tolist())))
        how = "sparse_dot_topn"
    except ImportError:
        rows = topn_fallback(a, b, 10)
        how = "scikit-learn product + argpartition (sparse_dot_topn not installed)"
    with open(out, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            for j, v in r:
                f.write(f"{cid[i]}\t{rid[j]}\t{v:.4f}\n")
    print(f"peer: {how}; {len(cid)} x {len(rid)}; {time.perf_counter() - t0:.2f}s in-process", file=sys.stderr)


if __name__ == "__main__":
    main()
