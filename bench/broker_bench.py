#!/usr/bin/python3
"""Through a real broker: `wirescan run` against a bare librdkafka consume->produce pipe
(bench/bare_pipe, wirescan's client settings) and the plain Python consumer people write first
(bench/python_baseline.py), on the same broker and the same input topic, interleaved rounds.

  bench/broker_bench.py [--stories 100000] [--rounds 5] [--partitions 6] [--build build]

Starts its own broker (tests/broker/broker.sh). The input is real headlines from ../shared/data
(ABC News, finance tweets), bodies made by concatenating 3 to 8 other real headlines, as in
bench/inprocess. Each contender reads the whole topic with a fresh group into a fresh output
topic; its time runs from its first consumed story to its last delivery report (wirescan's from
its /metrics counters, polled every 20 ms). Prints a markdown table of medians and the ratios.
"""
import argparse, os, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT


def run_wirescan(binary, work, brokers, src, dst, group, n, kafka_yaml="", top_yaml=""):
    w = benchlib.wirescan(binary, work, brokers, src, dst, group, kafka_yaml, top_yaml)
    t = w.time_to_output(n)
    w.stop()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--build", default=f"{ROOT}/build")
    ap.add_argument("--no-python", action="store_true")
    # Python's rate does not depend on how much it reads (about 170 stories/s), so it reads only
    # the topic's first stories: 50,000 took it five minutes a round.
    ap.add_argument("--python-stories", type=int, default=10_000)
    a = ap.parse_args()
    b = benchlib.broker()
    work, brokers = b.work, b.bootstrap
    topics = ["bench.in"] + [f"bench.out.{k}.{r}" for r in range(a.rounds) for k in ("bare", "wirescan", "python")]
    topics += [f"bench.out.{k}.{r}" for r in range(a.rounds) for k in ("wirescan1", "wirescan_local", "wirescan_plain")]
    topics += [f"{t}-dead" for t in topics if ".wirescan" in t]
    b.create(topics, a.partitions)
    size = b.fill("bench.in", benchlib.corpus(a.stories))
    print(f"input: {a.stories} stories, {size / a.stories:.0f} bytes/story, {a.partitions} partitions; "
          f"{a.rounds} interleaved rounds, median shown"
          + ("" if a.no_python else f"; Python reads the first {min(a.python_stories, a.stories)}") + "\n", flush=True)
    # wirescan1: the same service with everything on one thread (kafka.prepare_ahead: 0), which
    # is what the staging thread is measured against. wirescan_local: the novelty stage without
    # its state topic (novelty.persist: false), so no second record per story; wirescan_plain:
    # no novelty stage at all. Together they show what each part costs through the broker.
    kinds = ["bare", "wirescan", "wirescan1", "wirescan_local", "wirescan_plain"] + ([] if a.no_python else ["python"])
    top_yaml = {"wirescan_local": "novelty: {persist: false}\n", "wirescan_plain": "novelty: {enabled: false}\n"}
    times = {k: [] for k in kinds}
    count = {k: min(a.python_stories, a.stories) if k == "python" else a.stories for k in kinds}
    for r in range(a.rounds):
        order = kinds[r % len(kinds):] + kinds[:r % len(kinds)]
        for k in order:
            dst, group = f"bench.out.{k}.{r}", f"bench-{k}-{r}"
            if k == "bare":
                out = subprocess.run([f"{a.build}/bench/bare_pipe", brokers, "bench.in", dst, group, str(a.stories)],
                                     capture_output=True, text=True, check=True).stdout
                t = float(re.search(r"in ([\d.]+) s", out).group(1))
            elif k == "python":
                out = subprocess.run([f"{ROOT}/bench/python_baseline.py", brokers, "bench.in", dst, group,
                                      str(min(a.python_stories, a.stories))], capture_output=True, text=True,
                                     check=True).stdout
                t = float(re.search(r"in ([\d.]+) s", out).group(1))
            elif k == "wirescan1":
                t = run_wirescan(f"{a.build}/wirescan", work, brokers, "bench.in", dst, group, a.stories,
                                 "  prepare_ahead: 0\n")
            else:
                t = run_wirescan(f"{a.build}/wirescan", work, brokers, "bench.in", dst, group, a.stories, "",
                                 top_yaml.get(k, ""))
            times[k].append(t)
            print(f"round {r + 1}: {k:14s} {count[k] / t:10.0f} stories/s", file=sys.stderr, flush=True)
    b.stop()
    rate = {k: count[k] / statistics.median(v) for k, v in times.items()}
    print("| pipe | stories/s (median) | MB/s | vs bare pipe |\n|---|---|---|---|")
    for k, label in (("bare", "bare librdkafka consume -> produce"), ("wirescan", "wirescan run (at_least_once)"),
                     ("wirescan1", "wirescan run, one thread (prepare_ahead: 0)"),
                     ("wirescan_local", "wirescan run, no state topic (novelty.persist: false)"),
                     ("wirescan_plain", "wirescan run, no novelty stage (novelty.enabled: false)"),
                     ("python", "Python confluent-kafka + re")):
        if k in rate:
            print(f"| {label} | {rate[k]:.0f} | {rate[k] * size / a.stories / 1e6:.1f} | {rate[k] / rate['bare']:.2f} |")
    if "python" in rate:
        print(f"\nwirescan / Python baseline: {rate['wirescan'] / rate['python']:.1f}x")
    print(f"wirescan / bare pipe: {rate['wirescan'] / rate['bare']:.2f}")
    print(f"wirescan / wirescan on one thread: {rate['wirescan'] / rate['wirescan1']:.2f}")
    print(f"wirescan / wirescan without its state topic: {rate['wirescan'] / rate['wirescan_local']:.2f}")
    print(f"wirescan without its state topic / without the novelty stage: "
          f"{rate['wirescan_local'] / rate['wirescan_plain']:.2f}")


if __name__ == "__main__":
    main()
