#!/usr/bin/python3
"""CI's performance guard: runs the in-process benchmark briefly and fails when wirescan's
throughput relative to simdjson's parse of the same corpus (measured side by side, so the
machine's speed cancels out) fell more than 30% below the ratio recorded in bench/baseline.json
(`bench/run-all.py --only inprocess --record-baseline` records it, per CPU model: the ratio moves
with the CPU).

  bench/check-regression.py [--rounds 3] [--tolerance 0.30]
"""
import argparse, json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ap = argparse.ArgumentParser()
ap.add_argument("--rounds", default="3")
ap.add_argument("--tolerance", type=float, default=0.30)
ap.add_argument("--build", default=f"{ROOT}/build")
a = ap.parse_args()
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
recorded = json.load(open(f"{ROOT}/bench/baseline.json"))["by_cpu"]
if model in recorded:
    base = recorded[model]
    print(f"baseline for this CPU ({model}), recorded {base['recorded']}")
else:
    # A CPU with no baseline of its own: the lowest ratio recorded on any, so a machine that is
    # merely different does not fail, while a collapse still does.
    base = {k: min(b[k] for b in recorded.values()) for k in ("wirescan_vs_simdjson", "novelty_vs_simdjson")}
    base["recorded"] = "lowest of " + ", ".join(sorted(recorded))
    print(f"no baseline for this CPU ({model}); using the lowest recorded on {', '.join(sorted(recorded))}")


def measure():
    """Each guarded ratio and whether it holds its floor, printed."""
    out = subprocess.run([f"{a.build}/bench/inprocess", a.rounds], capture_output=True, text=True, check=True).stdout
    rates = dict(re.findall(r"^\| ([^|]+?) \| (\d+) \|", out, re.M))
    sj = float(rates["simdjson DOM parse"])
    ok = True
    for key, row in (("wirescan_vs_simdjson", "wirescan decode + enrich + serialise"),
                     ("novelty_vs_simdjson", "the same with the novelty stage")):
        now = float(rates[row]) / sj
        floor = base[key] * (1 - a.tolerance)
        ok &= now >= floor
        print(f"{row}: {now:.4f} of simdjson's parse; recorded {base[key]:.4f} ({base['recorded']}); "
              f"floor {floor:.4f}: {'ok' if now >= floor else 'REGRESSION'}")
    return ok


# A regression is in the code and shows in every measurement; the shared machine's noise rarely
# shows in two in a row (CI's ratio with the novelty stage ranged from 0.025 to 0.032 across
# commits that did not touch the pipeline, against a floor of 0.022). So a miss is measured
# once more, and only a second miss fails.
if measure():
    sys.exit(0)
print("below the floor: measuring again, to tell a regression from the machine's noise")
sys.exit(0 if measure() else 1)
