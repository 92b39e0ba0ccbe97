#!/usr/bin/python3
"""Open-loop latency through a real broker: broker append of a story to broker append of its
output, for `wirescan run` and for the bare librdkafka pipe (bench/bare_pipe), both with
linger.ms=0 and fetch.wait.max.ms=10, at fixed rates, interleaved rounds.

  bench/latency.py [--rates 1000,5000] [--seconds 10] [--warmup 2] [--rounds 5] [--partitions 6] [--svg PATH]

A Python generator produces stories at the rate on a fixed schedule (open loop: it never waits
for the pipe), with linger.ms=0. Input and output topics use LogAppendTime, so both ends of
each measurement are the broker's own clock: latency = output append time - input append time
(millisecond resolution). The first --warmup seconds of each run (connections, first fetches,
the first metadata refresh) are produced but not counted. Prints p50/p99/p99.9 per rate and pipe (medians over rounds) and
writes an SVG chart of them.
"""
import argparse, os, re, statistics, subprocess, sys, threading, time

from confluent_kafka import Consumer, Producer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

LOW_LATENCY = {"p.linger.ms": "0", "c.fetch.wait.max.ms": "10"}
# wirescan1: the service with everything on one thread (kafka.prepare_ahead: 0), to show what
# the staging thread costs or saves in latency.
PIPES = ["bare", "wirescan", "wirescan1"]
LABELS = {"bare": "bare pipe", "wirescan": "wirescan", "wirescan1": "one thread"}


def generate(brokers, topic, stories, rate):
    """Produces stories[i] at t0 + i/rate; returns how far behind schedule it fell at worst."""
    p = benchlib_producer(brokers)
    t0 = time.monotonic() + 0.2
    worst = 0.0
    for i, s in enumerate(stories):
        due = t0 + i / rate
        while True:
            now = time.monotonic()
            if now >= due:
                break
            if due - now > 0.002:
                time.sleep(due - now - 0.001)
        worst = max(worst, time.monotonic() - due)
        p.produce(topic, s, key=str(i))
        p.poll(0)
    p.flush(60)
    return worst


def benchlib_producer(brokers):
    return Producer({"bootstrap.servers": brokers, "linger.ms": 0, "enable.idempotence": True})


def append_times(brokers, topic, n, key_of, timeout=120):
    """Reads topic from the start until n records: {story index: LogAppendTime ms}."""
    c = Consumer({"bootstrap.servers": brokers, "group.id": f"lat-reader-{topic}-{time.time()}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    out = {}
    end = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < end:
        for m in c.consume(1000, 0.5):
            if m.error():
                continue
            out[key_of(m.key().decode())] = m.timestamp()[1]
    c.close()
    return out


def in_service(end, start):
    """wirescan's own share of each story's latency, from wirescan_in_service_seconds (consumed
    to handed to the producer) between two /metrics bodies, the one at the end of the warm-up and
    the one at the end of the run: (mean ms, the bucket bound p99 is under)."""
    name = "wirescan_in_service_seconds"

    def read(body):
        buckets = {float(le): float(v) for le, v in re.findall(rf'^{name}_bucket{{le="([^"]+)"}} (\S+)$', body, re.M)}
        return benchlib.metric(body, f"{name}_count"), benchlib.metric(body, f"{name}_sum"), buckets

    (c1, s1, b1), (c0, s0, b0) = read(end), read(start)
    count = c1 - c0
    if count <= 0:
        return float("nan"), float("nan")
    p99 = next(le for le in sorted(b1) if b1[le] - b0.get(le, 0) >= 0.99 * count)
    return (s1 - s0) / count * 1e3, p99 * 1e3


def percentiles(xs):
    xs = sorted(xs)
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
    return pick(0.50), pick(0.99), pick(0.999)


def svg(results, path):
    """Grouped bars: per rate, p50/p99/p99.9 of each pipe, log-scaled milliseconds."""
    import math
    rates = sorted({r for r, _ in results})
    pipes = [p for p in ("bare", "wirescan", "wirescan1") if any(k == p for _, k in results)]
    colours = {"bare": "#8c8c8c", "wirescan": "#1f6fb4", "wirescan1": "#9ecae1"}
    w, h, left, bottom, top = 760, 360, 60, 50, 40
    top_ms = max(max(v) for v in results.values()) * 1.5
    y = lambda ms: top + (h - top - bottom) * (1 - math.log10(max(ms, 0.5) / 0.5) / math.log10(top_ms / 0.5))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">broker append to output append, ms '
             f'(log scale; median of rounds)</text>']
    for ms in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if ms <= top_ms:
            parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y(ms):.1f}" y2="{y(ms):.1f}" stroke="#e0e0e0"/>'
                         f'<text x="{left - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms}</text>')
    group_w = (w - left - 20) / len(rates)
    bar_w = group_w / (3 * len(pipes) + 2)
    for gi, rate in enumerate(rates):
        x0 = left + gi * group_w + bar_w
        for qi, q in enumerate(("p50", "p99", "p99.9")):
            for pi, pipe in enumerate(pipes):
                v = results.get((rate, pipe))
                if not v:
                    continue
                x = x0 + (qi * len(pipes) + pi) * bar_w
                parts.append(f'<rect x="{x:.1f}" y="{y(v[qi]):.1f}" width="{bar_w - 2:.1f}" '
                             f'height="{h - bottom - y(v[qi]):.1f}" fill="{colours[pipe]}"/>'
                             f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y(v[qi]) - 3:.1f}" text-anchor="middle" '
                             f'font-size="9">{v[qi]:g}</text>')
            parts.append(f'<text x="{x0 + (qi * len(pipes) + 1) * bar_w - 1:.1f}" y="{h - bottom + 14}" '
                         f'text-anchor="middle">{q}</text>')
        parts.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{h - bottom + 32}" text-anchor="middle" '
                     f'font-size="13">{rate:,} stories/s</text>')
    for pi, pipe in enumerate(pipes):
        parts.append(f'<rect x="{w - 330 + pi * 110}" y="30" width="12" height="12" fill="{colours[pipe]}"/>'
                     f'<text x="{w - 314 + pi * 110}" y="40">{LABELS[pipe]}</text>')
    parts.append("</svg>\n")
    with open(path, "w") as f:
        f.write("".join(parts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="1000,5000")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--build", default=f"{benchlib.ROOT}/build")
    ap.add_argument("--svg", default=f"{benchlib.ROOT}/docs/img/latency.svg")
    ap.add_argument("--wirescan-yaml", default="", help="extra top-level config for wirescan, e.g. 'novelty: {enabled: false}'")
    a = ap.parse_args()
    b = benchlib.broker()
    rates = [int(r) for r in a.rates.split(",")]
    runs = {}
    inside = {}  # (rate, pipe) -> [(mean ms, p99 bound ms)] per round
    try:
        for rate in rates:
            n = int(rate * (a.seconds + a.warmup))
            first = int(rate * a.warmup)
            stories = list(benchlib.corpus(n))
            for r in range(a.rounds):
                for k in PIPES[r % 3:] + PIPES[:r % 3]:
                    src, dst, group = f"lat.in.{rate}.{k}.{r}", f"lat.out.{rate}.{k}.{r}", f"lat-{rate}-{k}-{r}"
                    b.create([src, dst, f"{dst}-dead"], a.partitions, {"message.timestamp.type": "LogAppendTime"})
                    if k == "bare":
                        proc = subprocess.Popen([f"{a.build}/bench/bare_pipe", b.bootstrap, src, dst, group, str(n)]
                                                + [f"{x}={v}" for x, v in LOW_LATENCY.items()],
                                                stdout=subprocess.PIPE, text=True)
                        if "ready" not in proc.stdout.readline():
                            raise RuntimeError("bare_pipe did not get its partitions")
                        behind = generate(b.bootstrap, src, stories, rate)
                        proc.wait(120)
                    else:
                        w = benchlib.wirescan(f"{a.build}/wirescan", b.work, b.bootstrap, src, dst, group,
                                              "  consumer: {fetch.wait.max.ms: '10'}\n  producer: {linger.ms: '0'}\n"
                                              + ("  prepare_ahead: 0\n" if k == "wirescan1" else ""),
                                              a.wirescan_yaml + "\n" if a.wirescan_yaml else "")
                        w.wait_ready()
                        # /metrics at the end of the warm-up, so the time in service counts the
                        # same stories as the percentiles (those handed over after it, roughly).
                        warm = {}
                        timer = threading.Timer(0.2 + a.warmup, lambda: warm.setdefault("body", w.metrics()))
                        timer.start()
                        behind = generate(b.bootstrap, src, stories, rate)
                        timer.join()
                        w.time_to_output(n, timeout=120)
                        inside.setdefault((rate, k), []).append(in_service(w.metrics(), warm.get("body", "")))
                        w.stop()
                    ins = append_times(b.bootstrap, src, n, int)
                    outs = append_times(b.bootstrap, dst, n, lambda key: int(key.lstrip("s")))
                    lat = [outs[i] - ins[i] for i in outs if i in ins and i >= first]
                    p = percentiles(lat)
                    runs.setdefault((rate, k), []).append(p)
                    print(f"{rate}/s round {r + 1} {k:8s}: p50 {p[0]} p99 {p[1]} p99.9 {p[2]} ms "
                          f"({len(lat)} counted of {n}; generator at worst {behind * 1e3:.1f} ms behind)",
                          file=sys.stderr, flush=True)
    finally:
        b.stop()
    med = {key: tuple(statistics.median(p[q] for p in v) for q in range(3)) for key, v in runs.items()}
    print(f"open loop, {a.seconds:g} s counted per run after {a.warmup:g} s of warm-up, {a.partitions} partitions, linger.ms=0, fetch.wait.max.ms=10; "
          f"{a.rounds} interleaved rounds, median shown (ms, broker LogAppendTime)\n")
    print("| rate | pipe | p50 | p99 | p99.9 |\n|---|---|---|---|---|")
    for rate in rates:
        for k, label in (("bare", "bare librdkafka pipe"), ("wirescan", "wirescan run"),
                         ("wirescan1", "wirescan run, one thread (prepare_ahead: 0)")):
            v = med[(rate, k)]
            print(f"| {rate:,}/s | {label} | {v[0]:g} | {v[1]:g} | {v[2]:g} |")
    for rate in rates:
        print(f"\n{rate:,}/s: wirescan p99 - bare p99 = {med[(rate, 'wirescan')][1] - med[(rate, 'bare')][1]:g} ms; "
              f"one thread's p99 - bare p99 = {med[(rate, 'wirescan1')][1] - med[(rate, 'bare')][1]:g} ms")
        own = {k: (statistics.median(x[0] for x in inside[(rate, k)]), statistics.median(x[1] for x in inside[(rate, k)]))
               for k in ("wirescan", "wirescan1")}
        print(f"  inside wirescan (wirescan_in_service_seconds: consumed to handed to the producer, after the warm-up): "
              f"mean {own['wirescan'][0]:.3f} ms, p99 under {own['wirescan'][1]:g} ms; "
              f"one thread mean {own['wirescan1'][0]:.3f} ms, p99 under {own['wirescan1'][1]:g} ms")
    svg(med, a.svg)
    print(f"\nchart: {os.path.relpath(a.svg, benchlib.ROOT)}")


if __name__ == "__main__":
    main()
