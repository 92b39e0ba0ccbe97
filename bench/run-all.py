#!/usr/bin/python3
"""Runs every benchmark and writes its output into docs/performance.md, between the markers
`<!-- bench:NAME begin -->` and `<!-- bench:NAME end -->`; the prose around them is kept.

  bench/run-all.py [--only inprocess,parts,novelty,rules,broker,instructions,latency,scaling] [--quick]
                   [--record-baseline]

--quick runs fewer rounds and smaller inputs (a smoke test of the script, not figures to keep).
--record-baseline also writes the in-process ratios to bench/baseline.json, under this machine's
CPU model, which CI's bench/check-regression.py compares against.
"""
import argparse, datetime, json, os, platform, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = f"{ROOT}/docs/performance.md"


def cpu_model():
    return next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")


def machine():
    model = cpu_model()
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{os.cpu_count()} cores ({model}), {mem / 1024 / 1024:.0f} GiB, Linux {platform.release()}; "
            f"load average {' '.join(load)} at the start; measured {datetime.date.today().isoformat()} by "
            f"`bench/run-all.py`. The machine is shared and noisy, so every figure that matters is a ratio "
            f"measured side by side in one run.")


def steps(quick):
    r = "2" if quick else "5"
    return {
        "inprocess": [f"{ROOT}/build/bench/inprocess", r],
        "parts": [f"{ROOT}/build/bench/story_parts", r],
        "novelty": [f"{ROOT}/build/bench/novelty_parts", r],
        "rules": [f"{ROOT}/build/bench/rules_scaling"],
        "broker": [f"{ROOT}/bench/broker_bench.py", "--stories", "10000" if quick else "50000", "--rounds", r],
        "instructions": [f"{ROOT}/bench/instructions.py"] + (["--stories", "5000"] if quick else []),
        "latency": [f"{ROOT}/bench/latency.py", "--rounds", r] + (["--seconds", "3"] if quick else []),
        "scaling": [f"{ROOT}/bench/scaling.py", "--rounds", r] + (["--stories", "5000"] if quick else []),
    }


def replace_block(text, name, body):
    begin, end = f"<!-- bench:{name} begin -->", f"<!-- bench:{name} end -->"
    if begin not in text or end not in text:
        sys.exit(f"docs/performance.md has no {begin} ... {end} block")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body.rstrip()}\n{end}{tail}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="inprocess,parts,novelty,rules,broker,instructions,latency,scaling")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--record-baseline", action="store_true")
    a = ap.parse_args()
    text = open(DOC).read()
    text = replace_block(text, "machine", machine())
    for name in a.only.split(","):
        cmd = steps(a.quick)[name]
        print(f"== {name}: {' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}",
              file=sys.stderr, flush=True)
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT).stdout
        shown = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)
        text = replace_block(text, name, f"```sh\n{shown}\n```\n\n```\n{out.strip()}\n```")
        if name == "inprocess" and a.record_baseline:
            rates = dict(re.findall(r"^\| (simdjson DOM parse|wirescan decode \+ enrich \+ serialise|the same with "
                                    r"the novelty stage) \| (\d+)", out, re.M))
            sj = float(rates["simdjson DOM parse"])
            # Per CPU model: the ratio itself moves with the CPU (simdjson's kernels and wirescan's
            # scan gain differently from AVX-512), so a baseline from one model would fail, or
            # excuse, another.
            path = f"{ROOT}/bench/baseline.json"
            baselines = json.load(open(path)) if os.path.exists(path) else {"by_cpu": {}}
            entry = {"recorded": datetime.date.today().isoformat(),
                     "wirescan_vs_simdjson": float(rates["wirescan decode + enrich + serialise"]) / sj,
                     "novelty_vs_simdjson": float(rates["the same with the novelty stage"]) / sj}
            baselines.setdefault("by_cpu", {})[cpu_model()] = entry
            with open(path, "w") as f:
                json.dump(baselines, f, indent=2)
                f.write("\n")
            print(f"bench/baseline.json: {cpu_model()}: {entry}", file=sys.stderr)
        with open(DOC, "w") as f:  # after every step, so a later failure keeps what was measured
            f.write(text)
    print("docs/performance.md updated", file=sys.stderr)


if __name__ == "__main__":
    main()
