"""Shared by the broker benchmarks (broker_bench.py, instructions.py, latency.py, scaling.py): the
story corpus, a broker of their own, topics filled with it, and `wirescan run` as a child process
with its /metrics."""
import csv, json, os, random, re, subprocess, tempfile, time, urllib.request

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus(n):
    """n stories: real headlines from ../shared/data (ABC News, finance tweets), bodies made by
    concatenating 3 to 8 other real headlines, as in bench/inprocess."""
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


class broker:
    """A single-node Kafka 3.9 of the benchmark's own (tests/broker/broker.sh)."""

    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="wirescan-bench-")
        subprocess.run(["bash", f"{ROOT}/tests/broker/broker.sh", "start", f"{self.work}/broker"], check=True,
                       stdout=subprocess.DEVNULL)
        self.bootstrap = dict(l.strip().split("=", 1) for l in open(f"{self.work}/broker/env"))["BOOTSTRAP"]
        self.admin = AdminClient({"bootstrap.servers": self.bootstrap})

    def create(self, topics, partitions, config=None):
        for f in self.admin.create_topics([NewTopic(t, partitions, 1, config=config or {}) for t in topics]).values():
            f.result()

    def fill(self, topic, stories):
        """Produces stories (e.g. corpus(n)) to topic, keyed by number; returns the bytes produced."""
        p = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 20, "compression.type": "lz4",
                      "enable.idempotence": True})
        size = 0
        for i, s in enumerate(stories):
            size += len(s)
            while True:
                try:
                    p.produce(topic, s, key=str(i))
                    break
                except BufferError:
                    p.poll(0.05)
        p.flush(120)
        return size

    def stop(self):
        subprocess.run(["bash", f"{ROOT}/tests/broker/broker.sh", "stop", f"{self.work}/broker"], check=True)


def metric(body, name):
    m = re.search(rf"^{name} (\S+)$", body, re.M)
    return float(m.group(1)) if m else 0.0


class wirescan:
    """`wirescan run` on src -> dst with a fresh group; extra_yaml is appended to the config."""

    def __init__(self, binary, work, brokers, src, dst, group, kafka_yaml="", top_yaml=""):
        cfg = f"{work}/{group}.yaml"
        with open(cfg, "w") as c:
            c.write(f"log_level: info\nhttp: {{listen: '127.0.0.1:0'}}\n{top_yaml}kafka:\n  brokers: {brokers}\n"
                    f"  group_id: {group}\n  input_topics: [{src}]\n  output_topic: {dst}\n"
                    f"  dead_letter_topic: {dst}-dead\n{kafka_yaml}")
        self.log = f"{work}/{group}.log"
        with open(self.log, "w") as lf:
            self.proc = subprocess.Popen([binary, "run", "--config", cfg], stdout=lf, stderr=lf)
        self.port = None
        for _ in range(600):
            m = re.search(r"/readyz on port (\d+)", open(self.log).read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError(f"wirescan did not start: {open(self.log).read()[-2000:]}")

    def get(self, path):
        for attempt in range(20):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, ""
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # the HTTP server is still starting, or reset one connection
        raise RuntimeError(f"wirescan's HTTP port {self.port} does not answer")

    def wait_ready(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.get("/readyz")[0] == 200:
                return
            time.sleep(0.05)
        raise RuntimeError("wirescan never became ready")

    def metrics(self):
        return self.get("/metrics")[1]

    def time_to_output(self, n, timeout=600):
        """Seconds from the first story consumed until n events and dead letters are delivered
        (from /metrics, polled every 20 ms)."""
        t0, end = None, time.monotonic() + timeout
        while True:
            body = self.metrics()
            now = time.monotonic()
            if t0 is None and metric(body, "wirescan_stories_consumed_total") > 0:
                t0 = now
            if metric(body, "wirescan_events_published_total") + metric(body, "wirescan_dead_letters_total") >= n:
                return now - t0
            if now > end:
                raise RuntimeError(f"wirescan did not deliver {n} stories in {timeout} s")
            time.sleep(0.02)

    def peak_rss_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.send_signal(15)
        return self.proc.wait(60)
