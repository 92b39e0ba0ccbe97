#!/usr/bin/python3
"""Throughput and memory against partitions and queue limits, through a real broker: `wirescan
run` and the bare librdkafka pipe on 1, 6 and 24 input partitions; wirescan's peak RSS (VmHWM)
with small and default librdkafka queue limits, set explicitly, and the bare pipe with the small
consumer queue too (librdkafka 2.0.2 pauses a full prefetch queue for a second, which caps both).
Interleaved rounds, medians.

  bench/scaling.py [--stories 30000] [--rounds 5] [--partitions 1,6,24]
"""
import argparse, os, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

# consumer queued.max.messages.kbytes (prefetch per client), producer queue.buffering.max.kbytes
QUEUES = {"default": (65536, 1048576), "small consumer": (2048, 1048576), "small producer": (65536, 16384)}


def run_wirescan(a, b, src, dst, group, n, queues):
    cq, pq = QUEUES[queues]
    w = benchlib.wirescan(f"{a.build}/wirescan", b.work, b.bootstrap, src, dst, group,
                          f"  consumer: {{queued.max.messages.kbytes: '{cq}'}}\n"
                          f"  producer: {{queue.buffering.max.kbytes: '{pq}'}}\n")
    t = w.time_to_output(n)
    rss = w.peak_rss_kib()
    w.stop()
    return t, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=30_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--partitions", default="1,6,24")
    ap.add_argument("--build", default=f"{benchlib.ROOT}/build")
    a = ap.parse_args()
    parts = [int(x) for x in a.partitions.split(",")]
    b = benchlib.broker()
    stories = list(benchlib.corpus(a.stories))
    rate, rss = {}, {}
    try:
        for P in parts:
            src = f"scale.in.{P}"
            b.create([src], P)
            b.fill(src, stories)
            kinds = ["bare", "bare:small consumer"] + [f"wirescan:{q}" for q in QUEUES]
            for r in range(a.rounds):
                for k in kinds[r % len(kinds):] + kinds[:r % len(kinds)]:
                    tag = re.sub(r"[^a-z0-9]+", "-", k)
                    dst, group = f"scale.out.{P}.{tag}.{r}", f"scale-{P}-{tag}-{r}"
                    b.create([dst, f"{dst}-dead"], P)
                    if k.startswith("bare"):
                        queue = [f"c.queued.max.messages.kbytes={QUEUES['small consumer'][0]}"] if ":" in k else []
                        out = subprocess.run([f"{a.build}/bench/bare_pipe", b.bootstrap, src, dst, group,
                                              str(a.stories)] + queue, capture_output=True, text=True, check=True).stdout
                        t = float(re.search(r"in ([\d.]+) s", out).group(1))
                    else:
                        t, peak = run_wirescan(a, b, src, dst, group, a.stories, k.split(":")[1])
                        rss.setdefault((P, k), []).append(peak)
                    rate.setdefault((P, k), []).append(a.stories / t)
                    print(f"{P} partitions round {r + 1} {k:24s} {a.stories / t:8.0f} stories/s"
                          + (f", peak RSS {rss[(P, k)][-1] / 1024:.1f} MiB" if (P, k) in rss else ""),
                          file=sys.stderr, flush=True)
    finally:
        b.stop()
    print(f"{a.stories} stories per run, {a.rounds} interleaved rounds, median shown; queue limits set explicitly: "
          + "; ".join(f"{k}: consumer queued.max.messages.kbytes={c}, producer queue.buffering.max.kbytes={p}"
                      for k, (c, p) in QUEUES.items()) + "\n")
    med = {k: statistics.median(v) for k, v in rate.items()}
    mrss = {k: statistics.median(v) / 1024 for k, v in rss.items()}
    print("| partitions | bare pipe stories/s | bare pipe, small consumer queues | "
          + " | ".join(f"wirescan, {q} queues: stories/s (vs bare), peak RSS" for q in QUEUES) + " |")
    print("|---|---|---|" + "---|" * len(QUEUES))
    for P in parts:
        cells = [f"{med[(P, f'wirescan:{q}')]:.0f} ({med[(P, f'wirescan:{q}')] / med[(P, 'bare')]:.2f}), "
                 f"{mrss[(P, f'wirescan:{q}')]:.1f} MiB" for q in QUEUES]
        small = med[(P, "bare:small consumer")]
        print(f"| {P} | {med[(P, 'bare')]:.0f} | {small:.0f} ({small / med[(P, 'bare')]:.2f}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
