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
import argparse, csv, json, os, random, re, signal, statistics, subprocess, sys, tempfile, time, urllib.request
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus(n):
    data = os.path.join(ROOT, "..", "shared", "data")
    heads = []
    with open(f"{data}/abcnews-headlines/abcnews-date-text.csv", newline="") as f:
        heads += [r[1] for r in csv.reader(f) if len(r) == 2 and r[0] != "publish_date"]
    with open(f"{data}/twitter-fin-news-topic/new_data_train.csv", newline="") as f:
        heads += [r[0] for r in csv.reader(f) if len(r) == 2 and r[1] != "label"]
    rng = random.Random(7)
    for i in range(n):
        body = ". ".join(rng.choice(heads) for _ in range(rng.randint(3, 8))) + "."
        yield json.dumps({"id": f"s{i}", "headline": heads[i % len(heads)], "body": body, "source": "bench",
                          "published_at": "2026-11-28T10:00:00Z", "url": "https://news.example/s",
                          "language": "en"}).encode()


def metric(body, name):
    m = re.search(rf"^{name} (\S+)$", body, re.M)
    return float(m.group(1)) if m else 0.0


def run_wirescan(binary, work, brokers, src, dst, group, n):
    cfg = f"{work}/{group}.yaml"
    with open(cfg, "w") as c:
        c.write(f"log_level: info\nhttp: {{listen: '127.0.0.1:0'}}\nkafka:\n  brokers: {brokers}\n"
                f"  group_id: {group}\n  input_topics: [{src}]\n  output_topic: {dst}\n"
                f"  dead_letter_topic: {dst}-dead\n")
    log = f"{work}/{group}.log"
    with open(log, "w") as lf:
        p = subprocess.Popen([binary, "run", "--config", cfg], stdout=lf, stderr=lf)
    port = None
    for _ in range(200):
        m = re.search(r"/readyz on port (\d+)", open(log).read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.05)
    t0 = None
    while True:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
        now = time.monotonic()
        if t0 is None and metric(body, "wirescan_stories_consumed_total") > 0:
            t0 = now
        if metric(body, "wirescan_events_published_total") + metric(body, "wirescan_dead_letters_total") >= n:
            break
        time.sleep(0.02)
    p.send_signal(signal.SIGTERM)
    p.wait(60)
    return now - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--build", default=f"{ROOT}/build")
    ap.add_argument("--no-python", action="store_true")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="wirescan-bench-")
    subprocess.run(["bash", f"{ROOT}/tests/broker/broker.sh", "start", f"{work}/broker"], check=True,
                   stdout=subprocess.DEVNULL)
    brokers = dict(l.strip().split("=", 1) for l in open(f"{work}/broker/env"))["BOOTSTRAP"]
    admin = AdminClient({"bootstrap.servers": brokers})
    topics = ["bench.in"] + [f"bench.out.{k}.{r}" for r in range(a.rounds) for k in ("bare", "wirescan", "python")]
    topics += [f"{t}-dead" for t in topics if ".wirescan." in t]
    for f in admin.create_topics([NewTopic(t, a.partitions, 1) for t in topics]).values():
        f.result()
    p = Producer({"bootstrap.servers": brokers, "linger.ms": 20, "compression.type": "lz4",
                  "enable.idempotence": True})
    size = 0
    for i, s in enumerate(corpus(a.stories)):
        size += len(s)
        while True:
            try:
                p.produce("bench.in", s, key=str(i))
                break
            except BufferError:
                p.poll(0.05)
    p.flush(120)
    print(f"input: {a.stories} stories, {size / a.stories:.0f} bytes/story, {a.partitions} partitions; "
          f"{a.rounds} interleaved rounds, median shown\n", flush=True)
    kinds = ["bare", "wirescan"] + ([] if a.no_python else ["python"])
    times = {k: [] for k in kinds}
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
                                      str(a.stories)], capture_output=True, text=True, check=True).stdout
                t = float(re.search(r"in ([\d.]+) s", out).group(1))
            else:
                t = run_wirescan(f"{a.build}/wirescan", work, brokers, "bench.in", dst, group, a.stories)
            times[k].append(t)
            print(f"round {r + 1}: {k:9s} {a.stories / t:10.0f} stories/s", file=sys.stderr, flush=True)
    subprocess.run(["bash", f"{ROOT}/tests/broker/broker.sh", "stop", f"{work}/broker"], check=True)
    rate = {k: a.stories / statistics.median(v) for k, v in times.items()}
    print("| pipe | stories/s (median) | MB/s | vs bare pipe |\n|---|---|---|---|")
    for k, label in (("bare", "bare librdkafka consume -> produce"), ("wirescan", "wirescan run (at_least_once)"),
                     ("python", "Python confluent-kafka + re")):
        if k in rate:
            print(f"| {label} | {rate[k]:.0f} | {rate[k] * size / a.stories / 1e6:.1f} | {rate[k] / rate['bare']:.2f} |")
    if "python" in rate:
        print(f"\nwirescan / Python baseline: {rate['wirescan'] / rate['python']:.1f}x")
    print(f"wirescan / bare pipe: {rate['wirescan'] / rate['bare']:.2f}")


if __name__ == "__main__":
    main()
