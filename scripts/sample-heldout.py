#!/usr/bin/env python3
"""Draws a held-out set of finance tweets that are in no earlier set, to be labelled blind
(text only, before the engine's output is looked at) and never used to tune rules.

  sample-heldout.py            -> tests/data/heldout.jsonl   (seed 7: 100 policy topics, 50 other)
  sample-heldout.py --second   -> tests/data/heldout2.jsonl  (seed 11: 100 policy topics incl.
                                  Macro, 30 other), drawn after rules were changed in response
                                  to the first held-out set's errors, to measure those changes.
  sample-heldout.py --third    -> tests/data/heldout3.jsonl  (seed 17: 160 policy topics incl.
                                  Macro, 20 other), drawn and labelled before the rule changes of
                                  2026-11-29 that answer the first two sets' errors.
  sample-heldout.py --fourth   -> tests/data/heldout4.jsonl  (seed 19: 160 policy topics incl.
                                  Macro, 20 other), drawn and labelled before the speaker model
                                  of 2026-11-29, to measure it.
  sample-heldout.py --fifth    -> tests/data/heldout5.jsonl  (seed 23: 160 policy topics incl.
                                  Macro, 20 other), drawn and labelled before the trigger
                                  grammar of 2026-11-29 (policy verbs x policy objects), to
                                  measure it.
  sample-heldout.py --sixth    -> tests/data/heldout6.jsonl  (seed 29: the same mix), drawn and
                                  labelled after the trigger grammar was committed, to measure
                                  it against the engine before it.
  sample-heldout.py --seventh  -> tests/data/heldout7.jsonl  (seed 31: the same mix), drawn and
                                  labelled after the grammar's second round (answering set 6)
                                  was committed.
  sample-heldout.py --eighth   -> tests/data/heldout8.jsonl  (seed 37: the same mix), drawn and
                                  labelled after named moves (a rate hike counts only when its
                                  decider acts) were committed.
  sample-heldout.py --ninth    -> tests/data/heldout9.jsonl  (seed 41: the same mix), drawn and
                                  labelled after generic deciders and the rate-verb fix.
  sample-heldout.py --tenth    -> tests/data/heldout10.jsonl (seed 43: the same mix), drawn and
                                  labelled after the ninth set's errors were answered.
  sample-heldout.py --eleventh -> tests/data/heldout11.jsonl (seed 47: the same mix), drawn and
                                  labelled after the tenth set's errors were answered.
  sample-heldout.py --twelfth  -> tests/data/heldout12.jsonl (seed 53: the same mix), drawn and
                                  labelled after the eleventh set's errors were answered.
  sample-heldout.py --thirteenth -> tests/data/heldout13.jsonl (seed 59: the same mix), drawn and
                                  labelled after the twelfth set's errors were answered.
  sample-heldout.py --fourteenth -> tests/data/heldout14.jsonl (seed 61: the same mix), drawn and
                                  labelled after the thirteenth set's errors were answered.
  sample-heldout.py --fifteenth -> tests/data/heldout15.jsonl (seed 67: the same mix), drawn and
                                  labelled after the fortieth session, 32 sessions after set 14,
                                  to measure everything built since on text nobody has read.
  sample-heldout.py --sixteenth -> tests/data/heldout16.jsonl (seed 71: the same mix), drawn and
                                  labelled after set 15's errors were answered.
  sample-heldout.py --seventeenth -> tests/data/heldout17.jsonl (seed 73: the same mix), drawn
                                  and labelled after the forty-second session's engine was
                                  committed (wirescan explain, gaps across "U.S."), to measure it
                                  and to count its blind misses by cause.
  sample-heldout.py --eighteenth -> tests/data/heldout18.jsonl (seed 79: the same mix), drawn
                                  and labelled after the learned policy likelihood shipped, to
                                  measure it and the rules on text neither has seen.
  sample-heldout.py --nineteenth -> tests/data/heldout19.jsonl (seed 83: the same mix), drawn
                                  and labelled after set 18's answers and the model retrained
                                  with it, to measure both blind again."""
import csv, json, random, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
# The sets in the order they were drawn: each excludes the development set and every set
# before it.
flags = ["", "--second", "--third", "--fourth", "--fifth", "--sixth", "--seventh", "--eighth", "--ninth", "--tenth", "--eleventh", "--twelfth", "--thirteenth", "--fourteenth", "--fifteenth", "--sixteenth", "--seventeenth", "--eighteenth", "--nineteenth"]
seeds = [7, 11, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83]
given = [f for f in flags[1:] if f in sys.argv]
k = flags.index(given[-1]) if given else 0  # 0 for the first set
second, third = k >= 1, k >= 2
args = [a for a in sys.argv[1:] if a not in flags]
data = Path(args[0] if args else root.parent / "shared" / "data")
sets = ["devset.jsonl"] + ["heldout.jsonl"] + [f"heldout{n}.jsonl" for n in range(2, k + 1)]
dev = {json.loads(l)["id"] for name in sets for l in open(root / "tests" / "data" / name)}
rng = random.Random(seeds[k])
with open(data / "twitter-fin-news-topic" / "new_data_train.csv", newline="") as f:
    rows = [(i, r["text"], int(r["label"])) for i, r in enumerate(csv.DictReader(f), start=2)]
rows = [r for r in rows if f"tweet-{r[0]}" not in dev]
clean = lambda t: " ".join(t.replace("&amp;", "&").split())
pol = [r for r in rows if r[2] in ((1, 12, 14, 16) if second else (1, 12, 16))]
rest = [r for r in rows if r[2] not in (1, 12, 14, 16)]
n_pol, n_rest = (160, 20) if third else (100, 30) if second else (100, 50)
for i, text, label in rng.sample(pol, n_pol) + rng.sample(rest, n_rest):
    print(json.dumps({"id": f"tweet-{i}", "dataset": "twitter-fin-news-topic", "topic": label, "text": clean(text)},
                     ensure_ascii=False))
