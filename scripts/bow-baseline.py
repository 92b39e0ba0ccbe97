#!/usr/bin/env python3
"""A bag-of-words baseline for policy-shock detection, measured the way the rules were.

Is a learned detector a better way to the shocks the rules miss? This trains a logistic
regression (word unigrams and bigrams, links dropped, positives weighted up; the features and
training of scripts/train-policy-model.py, without its cut to the strongest features) on labelled
sets and judges, story by story, whether a finance tweet reports a shock (docs/quality.md,
"A learned baseline"). Plain Python, no dependencies, a few seconds.

  scripts/bow-baseline.py                 forward chaining: each held-out set N from 3 on is
                                          judged by a model trained on the development set and
                                          sets 1..N-1 (what a model could have known when set N
                                          was measured blind), beside the rules' blind figures;
                                          then leave-one-set-out over every held-out set
  scripts/bow-baseline.py --with BINARY   also the newest set judged by BINARY's rules (a build
                                          that has not read that set's errors), by the model, and
                                          by either

Texts that repeat a test set's (links aside) are left out of its training data.
"""
import glob, importlib.util, json, math, subprocess, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
sets = {}
for p in sorted(glob.glob(str(root / "tests" / "data" / "*.jsonl"))):
    rows = [json.loads(l) for l in open(p) if l.strip()]
    sets[Path(p).stem] = [(r["text"], 1 if r["shocks"] else 0) for r in rows]
order = ["heldout"] + [f"heldout{i}" for i in range(2, 100) if f"heldout{i}" in sets]
# Each set's first, blind measurement by the rules of its day (docs/quality.md, the summary).
blind = {"heldout3": (0.800, 0.444), "heldout4": (0.611, 0.393), "heldout5": (0.600, 0.469),
         "heldout6": (0.611, 0.306), "heldout7": (0.545, 0.414), "heldout8": (0.538, 0.483),
         "heldout9": (0.647, 0.500), "heldout10": (0.750, 0.514), "heldout11": (0.636, 0.269),
         "heldout12": (0.704, 0.760), "heldout13": (0.762, 0.593), "heldout14": (0.647, 0.458),
         "heldout15": (0.686, 0.615), "heldout16": (0.737, 0.560), "heldout17": (0.727, 0.457), "heldout18": (0.720, 0.581), "heldout19": (0.762, 0.640)}


# The trainer's features and training (scripts/train-policy-model.py), so that what this measures
# is what ships.
_spec = importlib.util.spec_from_file_location("train_policy_model", root / "scripts" / "train-policy-model.py")
_trainer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_trainer)


def feats(t):
    return sorted(_trainer.features(t))


def key(t):
    return " ".join(feats(t))


def train(data):
    return _trainer.train(data)


def prob(m, f):
    w, b = m
    return 1 / (1 + math.exp(-max(-30, min(30, b + sum(w.get(x, 0.0) for x in f)))))


def model_for(test, names):
    held = {key(t) for t, _ in sets[test]}
    return train([(feats(t), y) for n in names for t, y in sets[n] if key(t) not in held])


def prf(pred, rows):
    tp = sum(p and y for p, (_, y) in zip(pred, rows))
    fp = sum(p and not y for p, (_, y) in zip(pred, rows))
    fn = sum((not p) and y for p, (_, y) in zip(pred, rows))
    return tp, fp, fn


def fmt(tp, fp, fn):
    return f"{tp / max(tp + fp, 1):.3f} ({tp}/{tp + fp}) / {tp / max(tp + fn, 1):.3f} ({tp}/{tp + fn})"


print("forward chaining: set N judged by a model trained on the development set and sets before N\n")
print("| set | rules, blind (precision / recall) | model, p >= 0.5 | model, p >= 0.7 |\n|---|---|---|---|")
pooled = {"rules": [0, 0, 0], 0.5: [0, 0, 0], 0.7: [0, 0, 0]}
for i, s in enumerate(order):
    if s not in blind:
        continue
    m = model_for(s, ["devset"] + order[:i])
    rows = sets[s]
    gold = sum(y for _, y in rows)
    bp, br = blind[s]
    tp = round(br * gold)
    r = (tp, round(tp / bp) - tp, gold - tp)
    cells = [fmt(*r)]
    pooled["rules"] = [a + b for a, b in zip(pooled["rules"], r)]
    for th in (0.5, 0.7):
        x = prf([prob(m, feats(t)) >= th for t, _ in rows], rows)
        pooled[th] = [a + b for a, b in zip(pooled[th], x)]
        cells.append(fmt(*x))
    print(f"| {s} | " + " | ".join(cells) + " |")
print("| **pooled** | " + " | ".join(fmt(*pooled[k]) for k in ("rules", 0.5, 0.7)) + " |")

print("\nleave one set out: each held-out set judged by a model trained on all the others\n")
for th in (0.5, 0.7, 0.85):
    tot = [0, 0, 0]
    for s in order:
        m = model_for(s, [n for n in sets if n != s])
        tot = [a + b for a, b in zip(tot, prf([prob(m, feats(t)) >= th for t, _ in sets[s]], sets[s]))]
    print(f"p >= {th}: {fmt(*tot)}")

if "--with" in sys.argv:
    binary = sys.argv[sys.argv.index("--with") + 1]
    newest = order[-1]
    rows = sets[newest]
    m = model_for(newest, ["devset"] + order[:-1])
    stories = "".join(json.dumps({"id": f"r{i}", "headline": t, "published_at": "2026-12-04T10:00:00Z"}) + "\n"
                      for i, (t, _) in enumerate(rows))
    out = subprocess.run([binary, "enrich", "-i", "-"], input=stories, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    rules = [bool(json.loads(l)["policy_shocks"]) for l in out]
    print(f"\n{newest}, with {binary}'s rules\n")
    print(f"rules alone: {fmt(*prf(rules, rows))}")
    for th in (0.5, 0.7, 0.85):
        model = [prob(m, feats(t)) >= th for t, _ in rows]
        print(f"model, p >= {th}: {fmt(*prf(model, rows))}; rules or model: "
              f"{fmt(*prf([a or b for a, b in zip(rules, model)], rows))}")
