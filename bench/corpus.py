#!/usr/bin/env python3
"""Synthetic news corpus for the speed benchmark (bench/speed.sh).

Builds N articles from the bundled samples in data/articles: each one is a sample article
with paragraphs of a second sample spliced in (so articles are 3-5 KB, like wire copy, and
no two are alike), and with the people's names swapped for names drawn from a pool (so the
names, and the terms the pairing stage weighs, vary across the corpus). Deterministic for a
given seed. Writes both layouts riposte reads, so the two can be timed on the same text:

    OUT/files-N/<id>.txt    one article per file
    OUT/corpus-N.jsonl      {"id", "text"} per line

Usage: bench/corpus.py N [N ...] --out bench/out [--seed 7]
"""

import argparse
import json
import os
import random
import re
import sys

FIRST = """Amara Bilal Chen Dario Elena Farid Greta Hassan Ines Jonas Kavya Lars Mei Nadia Omar
Priya Quentin Rosa Samir Tomas Ulla Viktor Wen Yusuf Zofia Adel Bruno Carla Dmitri Esther
Felipe Hana Ivan Jana Kemal Lina Marco Noor Oskar Paula Rafael Sana Teodor Vera Wojciech
Ximena Yara Zane""".split()
LAST = """Abara Baptiste Castell Dorsey Eklund Farouk Gallo Haddad Iwata Jovanovic Kowalski
Lindqvist Mensah Navarro Okafor Petrov Quispe Rahman Sato Tanaka Umarov Varga Wexler Yilmaz
Zamora Ahlberg Brennan Cirillo Delacroix Esposito Fontaine Grieve Halloran Ibarra Jensen
Kerrigan Lachance Moreau Nilsson Oyelaran Pereira Rinaldi Sorensen Thorne Valdez Whitlock""".split()

NOT_FIRST = set("""The A An In On At For From What When Under Its His Her Their But And
According Defence Foreign Interior Minister Secretary""".split())
NAME = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]{2,})\b")


def load(src):
    # Place names are parties to riposte (the gazetteer): swapping them would change who is
    # in the dispute, not just who speaks.
    gaz = os.path.join(src, "..", "gazetteer", "parties.tsv")
    with open(gaz, encoding="utf-8") as fh:
        places = {w for l in fh if not l.startswith("#") for w in l.split("\t")[0].split()}
    arts = []
    for f in sorted(os.listdir(src)):
        if f.endswith((".txt", ".md")):
            with open(os.path.join(src, f), encoding="utf-8") as fh:
                text = fh.read().strip("\n")
            paras = [p for p in text.split("\n\n") if p.strip()]
            # A person is a "First Last" whose surname also stands alone as a speaker
            # ("Rahimi said", "said Rahimi"); "Revolutionary Guards" or "The Kremlin" never do.
            people = set()
            for m in NAME.finditer(text):
                first, last = m.groups()
                speaks = re.search(r"\b%s (said|says|told|added)\b|\bsaid %s\b" % (last, last), text)
                if speaks and not {first, last} & (NOT_FIRST | places):
                    people.add((first, last))
            arts.append((f.rsplit(".", 1)[0], paras, sorted(people)))
    return arts


def swap_names(text, people, rng):
    mapping = {}
    for first, last in people:
        mapping.setdefault(last, rng.choice(LAST))
        mapping.setdefault(first, rng.choice(FIRST))
    if not mapping:
        return text
    pat = re.compile(r"\b(%s)\b" % "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return pat.sub(lambda m: mapping[m.group(1)], text)


def article(i, arts, rng):
    slug, paras, people = arts[rng.randrange(len(arts))]
    _, other, other_people = arts[rng.randrange(len(arts))]
    # Keep the base article's order (its lede, claims before answers) and splice in a run of
    # another article's body paragraphs at a random point after the lede, to reach 3-5 KB.
    k = rng.randint(3, max(3, len(other) - 1))
    start = rng.randint(1, max(1, len(other) - k))
    extra = other[start:start + k]
    at = rng.randint(2, len(paras))
    body = paras[:at] + extra + paras[at:]
    text = "\n\n".join(body) + "\n"
    text = swap_names(text, people + other_people, rng)
    return "a%06d-%s" % (i, slug), text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", type=int, nargs="+")
    ap.add_argument("--out", default="bench/out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--src", default=os.path.join(os.path.dirname(__file__), "..", "data", "articles"))
    a = ap.parse_args()
    arts = load(a.src)
    for n in a.sizes:
        rng = random.Random(a.seed * 1_000_003 + n)
        d = os.path.join(a.out, "files-%d" % n)
        jl = os.path.join(a.out, "corpus-%d.jsonl" % n)
        if os.path.isdir(d) and os.path.exists(jl) and len(os.listdir(d)) == n:
            print("corpus %d: exists (%s, %s)" % (n, d, jl), file=sys.stderr)
            continue
        os.makedirs(d, exist_ok=True)
        total = 0
        with open(jl + ".tmp", "w", encoding="utf-8") as out:
            for i in range(n):
                aid, text = article(i, arts, rng)
                total += len(text.encode("utf-8"))
                with open(os.path.join(d, aid + ".txt"), "w", encoding="utf-8") as fh:
                    fh.write(text)
                out.write(json.dumps({"id": aid, "text": text}, ensure_ascii=False) + "\n")
        os.replace(jl + ".tmp", jl)
        print("corpus %d: %.1f MB, mean %.0f bytes/article" % (n, total / 1e6, total / n), file=sys.stderr)


if __name__ == "__main__":
    main()
