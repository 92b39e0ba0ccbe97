#!/usr/bin/env python3
"""Draws the candidate headlines for the labelled development set (tests/data/devset.jsonl)
from ../shared/data with a fixed seed, so the draw is reproducible. Labels are not made
here: each row was labelled by hand afterwards (see tests/data/README.md).

Draw: 170 finance tweets with the policy-relevant topics (Fed, Legal | Regulation, Macro,
Politics), 170 with other topics, 50 FinEntity sentences and 40 ABC headlines."""
import csv, json, random, sys
from pathlib import Path

data = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data")
rng = random.Random(20261128)
policy_labels = {1, 12, 14, 16}
with open(data / "twitter-fin-news-topic" / "new_data_train.csv", newline="") as f:
    rows = [(i, r["text"], int(r["label"])) for i, r in enumerate(csv.DictReader(f), start=2)]
clean = lambda t: " ".join(t.replace("&amp;", "&").split())
policy = [r for r in rows if r[2] in policy_labels]
other = [r for r in rows if r[2] not in policy_labels]
out = []
for i, text, label in rng.sample(policy, 170) + rng.sample(other, 170):
    out.append({"id": f"tweet-{i}", "dataset": "twitter-fin-news-topic", "topic": label, "text": clean(text)})
fin = json.load(open(data / "finentity" / "FinEntity.json"))
for i in rng.sample(range(len(fin)), 50):
    out.append({"id": f"finentity-{i}", "dataset": "finentity", "text": clean(fin[i]["content"])})
with open(data / "abcnews-headlines" / "abcnews-date-text.csv", newline="") as f:
    abc = list(csv.DictReader(f))
for i in rng.sample(range(len(abc)), 40):
    out.append({"id": f"abc-{i}", "dataset": "abcnews-headlines", "text": abc[i]["headline_text"]})
for o in out:
    print(json.dumps(o, ensure_ascii=False))
