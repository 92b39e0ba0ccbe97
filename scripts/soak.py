#!/usr/bin/python3
"""Soak: wirescan against a real broker at a steady rate for a set time, with faults.

  scripts/soak.py [--minutes 10] [--rate 500] [--kill-every 60] [--steady] [--novelty-max-entries 20000] [--build build]

Starts its own broker (tests/broker/broker.sh) and two wirescan instances in one group:
A runs throughout and is measured (RSS and open file descriptors every 5 s); B is killed
with SIGKILL every --kill-every seconds and restarted 5 s later. Halfway through, the broker
itself is stopped for 10 s and restarted (--steady: neither, for the steady-run memory goal).
A generator produces --rate stories/s with unique
ids. At the end every story must have come out (as an event or a dead letter); duplicates
are allowed (at_least_once) and counted. Prints a markdown report; exits 1 on any loss or if
A's memory or descriptors grew after warm-up. Needs Debian's python3-confluent-kafka.
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, threading, time
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def broker(cmd, d):
    subprocess.run(["bash", f"{ROOT}/tests/broker/broker.sh", cmd, d], check=True, stdout=subprocess.DEVNULL)


def env(d):
    return dict(l.strip().split("=", 1) for l in open(f"{d}/env") if "=" in l)


def rss_fds(pid):
    try:
        rss = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=500)
    ap.add_argument("--kill-every", type=float, default=60)
    ap.add_argument("--steady", action="store_true",
                    help="no faults: B is never killed and the broker never stopped (issue 6's steady-run memory goal)")
    ap.add_argument("--build", default=f"{ROOT}/build")
    # Small enough that the novelty index fills within the first minutes: from then on it must
    # evict as fast as it remembers, and RSS must stay flat.
    ap.add_argument("--novelty-max-entries", type=int, default=20000)
    a = ap.parse_args()
    duration = a.minutes * 60
    work = tempfile.mkdtemp(prefix="wirescan-soak-")
    bdir = f"{work}/broker"
    broker("start", bdir)
    bootstrap = env(bdir)["BOOTSTRAP"]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_topics([NewTopic("soak.in", 6, 1), NewTopic("soak.out", 6, 1),
                                  NewTopic("soak.dead", 1, 1)]).values():
        f.result()
    cfg = f"{work}/wirescan.yaml"
    with open(cfg, "w") as c:
        c.write(f"log_level: info\nhttp: {{listen: '127.0.0.1:0'}}\nnovelty: {{max_entries: {a.novelty_max_entries}}}\nkafka:\n"
                f"  brokers: {bootstrap}\n  group_id: soak\n  input_topics: [soak.in]\n"
                "  output_topic: soak.out\n  dead_letter_topic: soak.dead\n"
                "  consumer: {session.timeout.ms: '10000'}\n")
    binary = f"{a.build}/wirescan"

    def start(name):
        log = open(f"{work}/{name}.log", "ab")
        return subprocess.Popen([binary, "run", "--config", cfg], stdout=log, stderr=log)

    a_proc, b_proc = start("a"), start("b")
    produced, stop = [0], threading.Event()

    def generate():
        p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "enable.idempotence": True,
                      "message.timeout.ms": 0})
        t0, i = time.time(), 0
        while time.time() - t0 < duration:
            target = int((time.time() - t0) * a.rate)
            while i < target:
                story = {"id": f"soak-{i}", "headline": f"Story {i}: US weighs new export curbs on $NVDA chips",
                         "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "source": "soak"}
                if i % 97 == 0:
                    story = {"id": f"soak-{i}", "headline": 5}  # poison: must be dead-lettered
                while True:
                    try:
                        p.produce("soak.in", json.dumps(story).encode(), key=str(i))
                        break
                    except BufferError:
                        p.poll(0.05)
                i += 1
            p.poll(0)
            time.sleep(0.01)
        p.flush(120)
        produced[0] = i

    gen = threading.Thread(target=generate)
    gen.start()
    samples, kills, t0, next_kill, broker_done = [], 0, time.time(), a.kill_every, False
    while gen.is_alive():
        el = time.time() - t0
        s = rss_fds(a_proc.pid)
        if s:
            samples.append((el, *s))
        if not a.steady and el >= next_kill and b_proc.poll() is None:
            b_proc.send_signal(signal.SIGKILL)
            b_proc.wait()
            kills += 1
            time.sleep(5)
            b_proc = start("b")
            next_kill += a.kill_every
        if not a.steady and not broker_done and el >= duration / 2:
            broker("stop", bdir)
            time.sleep(10)
            broker("restart", bdir)
            broker_done = True
        time.sleep(5)
    gen.join()

    # Everything out? Read the outputs until every id is seen or 3 minutes pass.
    want = {f"soak-{i}" for i in range(produced[0])}
    seen, events, dead = set(), 0, 0
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "soak-verify", "auto.offset.reset": "earliest",
                  "isolation.level": "read_committed"})
    c.subscribe(["soak.out", "soak.dead"])
    deadline = time.time() + 180
    while time.time() < deadline and not want <= seen:
        for m in c.consume(1000, 1.0):
            if m.error():
                continue
            if m.topic() == "soak.out":
                events += 1
                seen.add(json.loads(m.value())["story"]["id"])
            else:
                dead += 1
                seen.add(json.loads(m.value())["id"])
    c.close()
    for p in (a_proc, b_proc):
        p.send_signal(signal.SIGTERM)
    codes = [p.wait(60) for p in (a_proc, b_proc)]
    broker("stop", bdir)

    missing = len(want - seen)
    warm = [s for s in samples if s[0] >= min(120, duration / 5)]
    third = max(1, len(warm) // 3)
    first, last = warm[:third], warm[-third:]
    rss_first = max(s[1] for s in first) / 1024
    rss_last = max(s[1] for s in last) / 1024
    fd_first, fd_last = max(s[2] for s in first), max(s[2] for s in last)
    rss_flat = rss_last <= rss_first * 1.10 + 2
    fd_flat = fd_last <= fd_first + 2
    print(f"## Soak: {a.minutes:g} min at {a.rate} stories/s\n")
    faults = ("no faults (--steady)" if a.steady else
              f"instance B killed {kills} times; broker stopped for 10 s once at {duration / 2:.0f} s")
    print(f"- stories produced: {produced[0]} (every 97th a poison story); {faults}")
    print(f"- came out: {len(seen)} distinct ({events} events, {dead} dead letters); **missing: {missing}**; "
          f"duplicates: {events + dead - len(seen)}")
    print(f"- instance A after warm-up: peak RSS {rss_first:.1f} MiB in the first third, {rss_last:.1f} MiB in the "
          f"last ({'flat' if rss_flat else 'GREW'}); open fds {fd_first} then {fd_last} "
          f"({'flat' if fd_flat else 'GREW'}); {len(samples)} samples")
    print(f"- exit codes at SIGTERM: A {codes[0]}, B {codes[1]}")
    print(f"- logs: {work}")
    ok = missing == 0 and rss_flat and fd_flat and codes == [0, 0]
    print(f"\n{'PASS' if ok else 'FAIL'}")
    with open(f"{work}/samples.tsv", "w") as f:
        f.writelines(f"{t:.0f}\t{r}\t{n}\n" for t, r, n in samples)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
