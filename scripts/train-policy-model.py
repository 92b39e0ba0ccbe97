#!/usr/bin/env python3
"""Trains the policy-likelihood model: rules/policy-model.tsv.

A logistic regression over a headline's words and word pairs that says how likely the story is to
report a policy shock, whether or not a rule found one (docs/quality.md, "A learned baseline"). It
is trained on every labelled set (tests/data/devset.jsonl and heldout*.jsonl; a story counts as
positive when it has a shock), so those sets cannot measure it: only a set drawn after it can.

The features, which enrich/src/policy_model.cpp computes the same way byte for byte:
  1. every run that starts with "http://" or "https://" and goes up to the next ASCII space
     character (space, tab, LF, VT, FF, CR) becomes one space;
  2. ASCII letters are lowered; other bytes stay as they are;
  3. the tokens are, left to right, the longest runs that start with a-z or $, go on with
     a-z 0-9 ' $ % . -, and end with a-z 0-9 %; or runs of digits;
  4. the features are the distinct tokens and the distinct pairs of neighbouring tokens, joined by
     one space.
The model keeps the weights of the `--keep` features with the largest magnitude; the intercept is
the line whose feature is "<bias>".

  scripts/train-policy-model.py [--keep N] [--check]
    --keep N  the features kept (3000: the rules folder is a Kubernetes ConfigMap, at most 1 MiB)
    --check   train as the shipped file was and fail unless it is byte for byte what is shipped
  scripts/train-policy-model.py --cases
    writes tests/data/policy-model-cases.tsv from the shipped model: the texts the C++ side is
    held to, with their features and probabilities
"""
import glob, json, math, random, re, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r"[a-z$][a-z0-9'$%.-]*[a-z0-9%]|[0-9]+")
URL = re.compile(r"https?://[^ \t\n\x0b\x0c\r]*")
LOWER = {c: c + 32 for c in range(65, 91)}


def features(text):
    b = URL.sub(" ", text).encode("utf-8").translate(bytes(LOWER.get(i, i) for i in range(256)))
    tokens = TOKEN.findall(b.decode("latin-1"))
    return set(tokens) | {a + " " + c for a, c in zip(tokens, tokens[1:])}


def train(data, epochs=15, lr=0.2, l2=1e-4):
    w, b = {}, 0.0
    random.seed(1)
    data = data[:]
    pos = sum(y for _, y in data)
    weight = {1: (len(data) - pos) / max(pos, 1) * 0.5, 0: 1.0}
    for _ in range(epochs):
        random.shuffle(data)
        for f, y in data:
            p = 1 / (1 + math.exp(-max(-30, min(30, b + sum(w.get(x, 0.0) for x in f)))))
            g = (p - y) * weight[y]
            b -= lr * g
            for x in f:
                w[x] = w.get(x, 0.0) * (1 - lr * l2) - lr * g
    return w, b


# Texts the C++ feature function and probability are held to (tests/data/policy-model-cases.tsv).
CASES = [
    "Fed raises interest rates by 75 basis points",
    "ECB's Lagarde: TPI Existence Allowed ECB To Opt For Larger Hike",
    "China cuts U.S. tariffs; $SOL and $BTC jump 3.5% https://t.co/AbC123 more",
    "Apple shares rise",
    "HTTPS://EXAMPLE.COM stays, http://x.y/z goes",
    "a b c 1 22 333 x- -y $ $$ 'q' it's 50% U.S.-China",
    "Beijing’s ban on “Nvidia” chips — état, naïve, 東京",
    "fed FED Fed fed fed",
    "...---''$$$%%% x.y.",
    "",
]


def cases(model):
    w, b = model
    lines = ["# text<TAB>features, sorted, joined by |<TAB>probability: written by scripts/train-policy-model.py --cases"]
    for t in CASES:
        f = sorted(features(t))
        z = b + sum(w.get(x, 0.0) for x in f)
        lines.append(f"{t}\t{'|'.join(f)}\t{1 / (1 + math.exp(-max(-30, min(30, z)))):.12f}")
    return "\n".join(lines) + "\n"


def read_model(path):
    w, b = {}, 0.0
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f, v = line.rstrip("\n").split("\t")
        if f == "<bias>":
            b = float(v)
        else:
            w[f] = float(v)
    return w, b


def main():
    if "--cases" in sys.argv:
        target = root / "tests" / "data" / "policy-model-cases.tsv"
        target.write_text(cases(read_model(root / "rules" / "policy-model.tsv")), encoding="utf-8")
        print(f"{target}: {len(CASES)} cases")
        return
    keep = int(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else 3000
    paths = sorted(glob.glob(str(root / "tests" / "data" / "*.jsonl")))
    rows = [json.loads(l) for p in paths for l in open(p) if l.strip()]
    data = [(sorted(features(r["text"])), 1 if r["shocks"] else 0) for r in rows]
    w, b = train(data)
    kept = sorted(w.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:keep]
    out = ["# wirescan policy-likelihood model (scripts/train-policy-model.py; features as it documents)",
           f"# trained on {len(rows)} labelled stories, {sum(y for _, y in data)} with a shock:"
           f" {', '.join(Path(p).name for p in paths)}",
           f"# {len(kept)} of {len(w)} features kept, by weight",
           f"<bias>\t{b:.6f}"]
    out += [f"{f}\t{v:.6f}" for f, v in sorted(kept)]
    text = "\n".join(out) + "\n"
    target = root / "rules" / "policy-model.tsv"
    if "--check" in sys.argv:
        if target.read_text() != text:
            sys.exit(f"{target} is not what scripts/train-policy-model.py trains now")
        print(f"{target}: as trained")
        return
    target.write_text(text)
    print(f"{target}: {len(kept)} features, {len(text)} bytes")


if __name__ == "__main__":
    main()
