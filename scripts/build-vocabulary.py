#!/usr/bin/python3
"""Writes rules/novelty-vocabulary.txt: the words common enough in general news headlines
that sharing one says little about whether two headlines name the same company or person.

The novelty stage treats any other word as a name (docs/novelty.md): two headlines that
each name something and share no name are different events. The list comes from sources
in ../shared/data that the pair set is not drawn from (it comes from the finance tweets):
- ABC news headlines: words in at least --min headlines (general news);
- FinEntity's Reuters sentences: words in at least two sentences, outside the spans the
  dataset annotates as entities (so company names stay names) -- the finance vocabulary
  ("bps", "EPS", "guidance") that general news lacks.
A full English word list (Debian's wamerican) was tried as a third source and lowered
precision on the pair set from 0.92 to 0.86: company names are ordinary words too often
("Water", "Dream", "Ball"), so the vocabulary stays with words seen in news.

Usage: scripts/build-vocabulary.py [--min 3] [--data ../shared/data] > rules/novelty-vocabulary.txt
"""
import argparse
import collections
import csv
import os
import re
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--min", type=int, default=3, help="headlines a word must appear in")
parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
args = parser.parse_args()

path = os.path.join(args.data, "abcnews-headlines", "abcnews-date-text.csv")
df = collections.Counter()
rows = 0
with open(path, newline="") as f:
    for r in csv.reader(f):
        if r[0] == "publish_date":
            continue
        rows += 1
        df.update(set(re.findall(r"[a-z]+", r[1].lower())))
words = {w for w, c in df.items() if c >= args.min and len(w) >= 2}
import json
fin = collections.Counter()
with open(os.path.join(args.data, "finentity", "FinEntity.json")) as f:
    sentences = json.load(f)
for s in sentences:
    text = s["content"]
    for a in sorted(s.get("annotations", []), key=lambda a: -a["start"]):
        text = text[: a["start"]] + " " + text[a["end"]:]
    fin.update(set(re.findall(r"[a-z]+", text.lower())))
words |= {w for w, c in fin.items() if c >= 2 and len(w) >= 2}
words = sorted(words)
print(f"# {len(words)} common words: ABC news headlines (in >= {args.min} of {rows}) and FinEntity "
      f"(>= 2 of {len(sentences)} sentences, entity spans left out); scripts/build-vocabulary.py")
for w in words:
    print(w)
print(f"{len(words)} words", file=sys.stderr)
