#!/usr/bin/env python3
"""Draws headline pairs for the novelty pair sets, unlabelled, to be labelled by hand.

Pairs of finance-tweet headlines whose plain word overlap (Jaccard over lower-case words) lies
between 0.3 and 0.95, sampled evenly across that range: the same method as
tests/data/novelty/pairs.tsv. Headlines already in any file given with --exclude are left out,
so a held-out set shares no headline with the set the guards were tuned on.

  sample-pairs.py --seed 13 --per-bucket 14 --exclude tests/data/novelty/pairs.tsv \\
      > /tmp/unlabelled.tsv      (then label each row: same|different and a kind)
"""
import argparse
import collections
import csv
import random
import re
from pathlib import Path

root = Path(__file__).resolve().parents[1]
ap = argparse.ArgumentParser()
ap.add_argument("--data", default=str(root.parent / "shared" / "data"))
ap.add_argument("--seed", type=int, default=13)
ap.add_argument("--per-bucket", type=int, default=14)
ap.add_argument("--exclude", action="append", default=[])
args = ap.parse_args()

clean = lambda t: " ".join(t.replace("&amp;", "&").split())
# Tweets end in links; a headline is the text before them.
headline = lambda t: clean(re.sub(r"https?://\S+", "", t))
data = Path(args.data)
texts = []
with open(data / "twitter-fin-news-topic" / "new_data_train.csv", newline="") as f:
    texts += [headline(r["text"]) for r in csv.DictReader(f)]
for name in ("sent_train.csv", "sent_valid.csv"):
    with open(data / "twitter-fin-news-sentiment" / name, newline="") as f:
        texts += [headline(r["text"]) for r in csv.DictReader(f)]
excluded = set()
for path in args.exclude:
    for line in open(path, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) == 5 and not line.startswith("#"):
            excluded |= {cols[3], cols[4]}
texts = sorted({t for t in texts if t and t not in excluded and len(t.split()) >= 4})
words = [frozenset(re.findall(r"[a-z0-9]+", t.lower())) for t in texts]

# Candidate pairs share at least one word that is rare in the corpus (in at most 50 headlines).
df = collections.Counter(w for ws in words for w in ws)
postings = collections.defaultdict(list)
for i, ws in enumerate(words):
    for w in ws:
        if 1 < df[w] <= 50:
            postings[w].append(i)
buckets = collections.defaultdict(set)
for ids in postings.values():
    for x in range(len(ids)):
        for y in range(x + 1, len(ids)):
            a, b = ids[x], ids[y]
            j = len(words[a] & words[b]) / len(words[a] | words[b])
            if 0.3 <= j < 0.95:
                buckets[int(j * 10)].add((a, b))
rng = random.Random(args.seed)
print("# label\tkind\torigin\theadline_a\theadline_b")
for k in sorted(buckets):
    for a, b in rng.sample(sorted(buckets[k]), min(args.per_bucket, len(buckets[k]))):
        print(f"?\t?\ttweets\t{texts[a]}\t{texts[b]}")
