#!/usr/bin/python3
"""Instructions a story through a real broker, counted by callgrind: `wirescan run` against the
bare librdkafka pipe (bench/bare_pipe) on the same broker and input topic, and where wirescan's
instructions go.

  bench/instructions.py [--stories 20000] [--partitions 6] [--build build] [--keep DIR]

Throughput on this shared 2-core machine moves by a third from one round to the next, with every
thread of a process slower together (the machine's other load, not the process). An instruction
count does not move: it says how much work each pipe does for a story, which is what the
throughput ratio comes down to on a saturated machine. Each pipe runs alone under
`valgrind --tool=callgrind` with instrumentation switched on once it is up (bare_pipe's "ready",
wirescan's HTTP port) and counted per story it finished in that window (calls to its produce,
or to `pipeline::finish`), over all its threads, librdkafka's included.

Under valgrind the libraries pick other kernels than on the bare CPU: simdjson its portable one
(so decoding counts several times the instructions it runs natively) and Vectorscan its AVX2 one
where this CPU runs AVX-512. Instructions are not time either: the event writer's are cheap ones
(1.0 us natively against the Vectorscan pass's 2.7 us, docs/performance.md).
"""
import argparse, os, re, shutil, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
CALLGRIND = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]

# wirescan's parts, each a function whose inclusive count is the part (none inside another but
# the scan, which is inside enrich).
PARTS = [
    ("decode (simdjson's portable kernel under valgrind)", r"wirescan::ingest::decoder::decode\("),
    ("enrich", r"wirescan::enrich::enricher::enrich\("),
    ("  of which the Vectorscan pass", r"wirescan::enrich::rule_set::scan\("),
    ("novelty fingerprint", r"wirescan::novelty::make_fingerprint\(wirescan::core::story const&, "
                            r"wirescan::core::findings const&, wirescan::novelty::lexicon const&, "
                            r"wirescan::novelty::fingerprint&\)"),
    ("novelty judging (assess)", r"wirescan::novelty::index::assess\(wirescan::core::story const&, "
                                 r"wirescan::novelty::fingerprint const&, long, wirescan::novelty::record&\)"),
    ("write the event", r"wirescan::sinks::event_writer::write\("),
    ("produce (the event, and the state batches)", r"wirescan::sinks::kafka_producer::produce\("),
    ("consume", r"wirescan::ingest::kafka_consumer::poll\("),
    ("delivery reports (librdkafka's poll and wirescan's callback)", r"\?\?\?:rd_kafka_poll "),
]
LZ4 = [("LZ4 compression (librdkafka's threads)", r"\?\?\?:LZ4F_compress(Update|End|Begin) "),
       ("LZ4 decompression (librdkafka's threads)", r"\?\?\?:LZ4F_decompress ")]


def annotate(path):
    return subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=calling", "--threshold=100", path],
                          stdout=subprocess.PIPE, text=True, check=True).stdout


def total(text):
    return int(re.search(r"^\s*([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text, re.M).group(1).replace(",", ""))


def functions(text, pattern):
    """Inclusive counts of the functions matching pattern: their own lines of the call tree,
    marked '*' (one per function and source file it was inlined from)."""
    return [int(m.group(1).replace(",", "")) for m in re.finditer(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+\*\s+(.*)$", text, re.M)
            if re.search(pattern, m.group(2))]


def inclusive(text, pattern):
    """A function's inclusive count (the largest of its lines, as inlining can split it)."""
    return max(functions(text, pattern), default=0)


def summed(text, pattern):
    """The sum over several functions (LZ4's entry points)."""
    return sum(functions(text, pattern))


def calls(text, pattern):
    """Calls made to a function, summed over its call sites."""
    return sum(int(m.group(2).replace(",", "")) for m in re.finditer(r"=> (.*) \(([\d,]+)x\)", text)
               if re.search(pattern, m.group(1)))


def run_bare(binary, brokers, n, out):
    cmd = CALLGRIND + [f"--callgrind-out-file={out}", binary, brokers, "ins.in", "ins.bare", "ins-bare", str(n)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if "bare_pipe ready" in line:
            subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], stdout=subprocess.DEVNULL, check=True)
            break
    rest = proc.stdout.read()
    if proc.wait() != 0 or "messages in" not in rest:
        sys.exit(f"bare_pipe under callgrind failed: {rest}")


def run_wirescan(binary, work, brokers, n, out):
    cfg, log = f"{work}/ins.yaml", f"{work}/ins.log"
    with open(cfg, "w") as c:
        c.write(f"log_level: info\nhttp: {{listen: '127.0.0.1:0'}}\nkafka:\n  brokers: {brokers}\n"
                f"  group_id: ins-wirescan\n  input_topics: [ins.in]\n  output_topic: ins.ws\n"
                f"  dead_letter_topic: ins.ws-dead\n")
    with open(log, "w") as lf:
        proc = subprocess.Popen(CALLGRIND + [f"--callgrind-out-file={out}", binary, "run", "--config", cfg],
                                stdout=lf, stderr=lf)
    port, end = None, time.monotonic() + 600
    while port is None:
        m = re.search(r"/readyz on port (\d+)", open(log).read())
        if m:
            port = int(m.group(1))
        elif proc.poll() is not None or time.monotonic() > end:
            sys.exit(f"wirescan under callgrind did not start: {open(log).read()[-2000:]}")
        else:
            time.sleep(0.05)
    subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], stdout=subprocess.DEVNULL, check=True)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as r:
                body = r.read().decode()
            done = benchlib.metric(body, "wirescan_events_published_total") + \
                benchlib.metric(body, "wirescan_dead_letters_total")
            if done >= n:
                break
        except OSError:
            pass  # the HTTP server is slow to answer under valgrind
        if time.monotonic() > end:
            sys.exit(f"wirescan under callgrind did not deliver {n} stories: {open(log).read()[-2000:]}")
        time.sleep(0.2)
    subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], stdout=subprocess.DEVNULL, check=True)
    proc.send_signal(15)
    proc.wait(300)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=20_000)
    ap.add_argument("--partitions", type=int, default=6)
    ap.add_argument("--build", default=f"{ROOT}/build")
    ap.add_argument("--keep", metavar="DIR", help="copy both callgrind outputs here, to read with callgrind_annotate")
    a = ap.parse_args()
    b = benchlib.broker()
    try:
        b.create(["ins.in", "ins.bare", "ins.ws", "ins.ws-dead"], a.partitions)
        size = b.fill("ins.in", benchlib.corpus(a.stories))
        bare_out, ws_out = f"{b.work}/bare.callgrind", f"{b.work}/wirescan.callgrind"
        run_bare(f"{a.build}/bench/bare_pipe", b.bootstrap, a.stories, bare_out)
        run_wirescan(f"{a.build}/wirescan", b.work, b.bootstrap, a.stories, ws_out)
        bare, ws = annotate(bare_out), annotate(ws_out)
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in (bare_out, ws_out):
                shutil.copy(f, a.keep)
    finally:
        b.stop()

    bare_n = calls(bare, r"RdKafka::ProducerImpl::produce\(")
    ws_n = calls(ws, r"wirescan::app::pipeline::finish\(")
    # This script's own polls of /metrics (every 0.2 s, to see the run finish) cost wirescan about
    # 2% of its count under valgrind; a Prometheus scrape every 15 s costs it nothing measurable.
    polls = inclusive(ws, r"metrics_handler::handleGet\(")
    bare_each, ws_each = total(bare) / bare_n, (total(ws) - polls) / ws_n
    print(f"input: {a.stories} stories, {size / a.stories:.0f} bytes/story, {a.partitions} partitions; "
          f"callgrind, each pipe alone, counted from when it was up: bare pipe {bare_n} messages, "
          f"wirescan {ws_n} stories\n")
    print("| pipe | instructions a story (all threads) | bare pipe / it |")
    print("|---|---|---|")
    print(f"| bare librdkafka consume -> produce | {bare_each:,.0f} | 1.00 |")
    print(f"| wirescan run (default configuration) | {ws_each:,.0f} | {bare_each / ws_each:.3f} |")
    print("\nwhere wirescan's go:\n")
    print("| part | instructions a story | share |")
    print("|---|---|---|")
    counted = 0
    for label, pattern in PARTS:
        v = inclusive(ws, pattern) / ws_n
        if not label.startswith(" "):
            counted += v
        print(f"| {label} | {v:,.0f} | {v / ws_each:.0%} |")
    for label, pattern in LZ4:
        v = summed(ws, pattern) / ws_n
        counted += v
        print(f"| {label} | {v:,.0f} | {v / ws_each:.0%} |")
    print(f"| (not counted: this script's polls of /metrics, {polls / ws_n:,.0f} a story) | | |")
    print(f"| the rest: librdkafka's threads, the run loop, allocation, metrics, waits | "
          f"{ws_each - counted:,.0f} | {(ws_each - counted) / ws_each:.0%} |")
    print("\nthe bare pipe's, for comparison:\n")
    print("| part | instructions a message |")
    print("|---|---|")
    for label, pattern in LZ4:
        print(f"| {label} | {summed(bare, pattern) / bare_n:,.0f} |")


if __name__ == "__main__":
    main()
