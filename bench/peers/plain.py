#!/usr/bin/env python3
"""Peer (a) of bench/speed.sh: the claim/rebuttal pairing a user would write in plain Python.

Regex sentence split, the cue lists riposte itself ships (data/lexicon/cues.tsv) as one
regex per class, and rapidfuzz token_set_ratio to pair each rebuttal with the most similar
claim of its article. No speakers, no disputes, no quote handling: the fast, naive baseline.

Usage: plain.py INPUT (directory of .txt/.md, or .jsonl) -o OUT.csv [--procs N]
"""

import argparse
import csv
import json
import os
import re
import sys
from multiprocessing import Pool

from rapidfuzz import fuzz

HERE = os.path.dirname(os.path.abspath(__file__))
CUES = os.path.join(HERE, "..", "..", "data", "lexicon", "cues.tsv")

SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n")


def cue_regex(classes):
    forms = []
    with open(CUES, encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) >= 2 and not line.startswith("#") and f[1] in classes:
                forms.append(re.escape(f[0]).replace(r"\ ", r"\s+"))
    forms.sort(key=len, reverse=True)
    return re.compile(r"\b(?:%s)\b" % "|".join(forms), re.IGNORECASE)


ACCUSE = cue_regex({"accuse"})
REBUT = cue_regex({"rebut", "nondenial"})


def articles(path):
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    o = json.loads(line)
                    yield o["id"], o["text"]
    else:
        for root, _, files in os.walk(path):
            for f in sorted(files):
                if f.endswith((".txt", ".md")):
                    with open(os.path.join(root, f), encoding="utf-8") as fh:
                        yield f.rsplit(".", 1)[0], fh.read()


def pair(item):
    aid, text = item
    claims, rebuttals = [], []
    for s in SENT.split(text):
        s = s.strip()
        if not s:
            continue
        if REBUT.search(s):
            rebuttals.append(s)
        elif ACCUSE.search(s):
            claims.append(s)
    rows = []
    for r in rebuttals:
        best, score = None, 0.0
        for c in claims:
            x = fuzz.token_set_ratio(c, r)
            if x > score:
                best, score = c, x
        if best is not None and score >= 50:
            rows.append((aid, "paired", round(score, 1), best, r))
        else:
            rows.append((aid, "unmatched", "", "", r))
    answered = {row[3] for row in rows}
    rows += [(aid, "unanswered", "", c, "") for c in claims if c not in answered]
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--procs", type=int, default=1)
    a = ap.parse_args()
    n = 0
    with open(a.output, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["article", "status", "score", "claim_text", "rebuttal_text"])
        if a.procs > 1:
            with Pool(a.procs) as pool:
                for rows in pool.imap(pair, articles(a.input), chunksize=64):
                    w.writerows(rows)
                    n += 1
        else:
            for item in articles(a.input):
                w.writerows(pair(item))
                n += 1
    print("plain: %d articles" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
