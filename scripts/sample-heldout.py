#!/usr/bin/env python3
"""Draws the held-out set (tests/data/heldout.jsonl): finance tweets not in the development
set, labelled blind (text only, before the engine's output was looked at) and never used to
tune rules. 100 from Fed | Central Banks, Legal | Regulation and Politics, 50 from the rest."""
import csv, json, random, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
data = Path(sys.argv[1] if len(sys.argv) > 1 else root.parent / "shared" / "data")
dev = {json.loads(l)["id"] for l in open(root / "tests" / "data" / "devset.jsonl")}
rng = random.Random(7)
with open(data / "twitter-fin-news-topic" / "new_data_train.csv", newline="") as f:
    rows = [(i, r["text"], int(r["label"])) for i, r in enumerate(csv.DictReader(f), start=2)]
rows = [r for r in rows if f"tweet-{r[0]}" not in dev]
clean = lambda t: " ".join(t.replace("&amp;", "&").split())
pol = [r for r in rows if r[2] in (1, 12, 16)]
rest = [r for r in rows if r[2] not in (1, 12, 14, 16)]
for i, text, label in rng.sample(pol, 100) + rng.sample(rest, 50):
    print(json.dumps({"id": f"tweet-{i}", "dataset": "twitter-fin-news-topic", "topic": label, "text": clean(text)},
                     ensure_ascii=False))
