#!/usr/bin/env python3
"""Generates the scale benchmark's claims and responses as JSONL units.

Sentences come from a word-bigram chain over the bundled news articles (data/articles and
data/heldout/articles), so the vocabulary and its frequencies are those of real reporting,
not uniform noise. About 60 % of the responses rework one claim (a denial lead, some words
dropped or swapped), so every claim has a plausible best answer that is not a verbatim copy;
the rest are unrelated distractors. The seed is fixed: the same files on every machine.

Usage: scale_gen.py OUT_DIR [N_CLAIMS] [N_RESPONSES]
"""

import glob
import json
import os
import random
import re
import sys

SEED = 20260
MIN_CHARS, MAX_CHARS = 80, 300
LEADS = [
    "The ministry rejected the claim that",
    "Officials denied that",
    "It is simply not true that",
    "A spokesman dismissed reports that",
    "The company said it was false that",
    "Those allegations are baseless:",
    "We categorically deny that",
    "The government insisted that it was wrong to say",
]


def corpus_tokens(root):
    paths = sorted(
        glob.glob(os.path.join(root, "data/articles/*.txt"))
        + glob.glob(os.path.join(root, "data/heldout/articles/*.txt"))
    )
    sents = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        for s in re.split(r"(?<=[.!?])\s+", text):
            words = s.replace('"', "").split()
            if len(words) >= 4:
                sents.append(words)
    return sents


def chain(sents):
    nxt = {}
    starts = []
    for ws in sents:
        starts.append(ws[0])
        for a, b in zip(ws, ws[1:]):
            nxt.setdefault(a, []).append(b)
    return starts, nxt


def fit(words, rng):
    """Joins words into a sentence of MIN_CHARS..MAX_CHARS characters ending with a stop."""
    target = rng.randint(MIN_CHARS, MAX_CHARS)
    out = []
    n = 0
    for w in words:
        if n + len(w) + 1 > target and n >= MIN_CHARS:
            break
        out.append(w)
        n += len(w) + 1
    s = " ".join(out).rstrip(",;:")
    if not s.endswith((".", "!", "?")):
        s += "."
    return s[:MAX_CHARS]


def walk(starts, nxt, rng):
    w = rng.choice(starts)
    out = [w]
    while sum(len(x) + 1 for x in out) < MAX_CHARS + 20:
        cands = nxt.get(w)
        if not cands:
            w = rng.choice(starts)
        else:
            w = rng.choice(cands)
        out.append(w)
    return out


def sentence(starts, nxt, rng):
    while True:
        s = fit(walk(starts, nxt, rng), rng)
        if len(s) >= MIN_CHARS:
            return s


def rework(claim, starts, nxt, rng):
    words = claim.rstrip(".!?").split()
    kept = []
    for w in words:
        r = rng.random()
        if r < 0.15:
            continue
        if r < 0.30:
            cands = nxt.get(kept[-1] if kept else w)
            kept.append(rng.choice(cands) if cands else w)
        else:
            kept.append(w)
    lead = rng.choice(LEADS).split()
    if kept:
        kept[0] = kept[0][0].lower() + kept[0][1:]
    tail = walk(starts, nxt, rng)
    s = fit(lead + kept + tail, rng)
    if len(s) < MIN_CHARS:
        s = fit(lead + kept + tail + walk(starts, nxt, rng), rng)
    return s


def main():
    out = sys.argv[1]
    n_claims = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    n_resp = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    starts, nxt = chain(corpus_tokens(root))
    rng = random.Random(SEED)
    claims = [sentence(starts, nxt, rng) for _ in range(n_claims)]
    responses = []
    for _ in range(n_resp):
        if rng.random() < 0.6:
            responses.append(rework(rng.choice(claims), starts, nxt, rng))
        else:
            responses.append(sentence(starts, nxt, rng))
    os.makedirs(out, exist_ok=True)
    for name, texts, prefix in (("claims", claims, "c"), ("responses", responses, "r")):
        with open(os.path.join(out, name + ".jsonl"), "w", encoding="utf-8") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"id": f"{prefix}{i}", "text": t}) + "\n")


if __name__ == "__main__":
    main()
