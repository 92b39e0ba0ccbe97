#!/usr/bin/python3
"""The alternative people write first: a plain Python consumer (Debian's python3-confluent-kafka)
that parses each story with json, finds cashtags and the same trigger phrases wirescan's rules
hold (rules/policy.yaml, all categories, one compiled `re` alternation, case-insensitive), and
produces a small JSON result. Same client settings as wirescan's defaults.

  bench/python_baseline.py BROKERS INPUT_TOPIC OUTPUT_TOPIC GROUP COUNT

Prints "python_baseline COUNT messages in SECONDS s", timed from the first message consumed to
the COUNT-th delivery report.
"""
import json, os, re, sys, time

import yaml
from confluent_kafka import Consumer, Producer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    brokers, src, dst, group, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    policy = yaml.safe_load(open(f"{ROOT}/rules/policy.yaml"))
    phrases = [p for rules in policy["triggers"].values() for r in rules for p in r["phrases"]]
    keywords = re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in phrases) + r")\b", re.IGNORECASE)
    cashtag = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9]{0,9}(?:\.[A-Za-z]{1,2})?)\b")
    delivered = [0, 0]

    def on_delivery(err, _msg):
        delivered[1 if err else 0] += 1

    p = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "message.timeout.ms": 0,
                  "linger.ms": 5, "compression.type": "lz4"})
    c = Consumer({"bootstrap.servers": brokers, "group.id": group,
                  "partition.assignment.strategy": "cooperative-sticky", "enable.auto.commit": True,
                  "auto.commit.interval.ms": 1000, "auto.offset.reset": "earliest"})
    c.subscribe([src])
    consumed, t0 = 0, None
    while sum(delivered) < count:
        if consumed >= count:  # only delivery reports are left to wait for
            p.poll(0.01)
            continue
        for m in c.consume(500, 0.01):
            if m.error():
                continue
            if consumed == 0:
                t0 = time.monotonic()
            consumed += 1
            try:
                story = json.loads(m.value())
                text = story.get("headline", "") + "\n" + story.get("body", "")
                out = {"id": story.get("id"), "cashtags": cashtag.findall(text),
                       "keywords": [k.group(0) for k in keywords.finditer(text)]}
            except (ValueError, AttributeError, TypeError) as e:
                out = {"reject": str(e)}
            while True:
                try:
                    p.produce(dst, json.dumps(out).encode(), key=m.key(), on_delivery=on_delivery)
                    break
                except BufferError:
                    p.poll(0.05)
            p.poll(0)
        p.poll(0)
    print(f"python_baseline {count} messages in {time.monotonic() - t0:.3f} s ({delivered[1]} failed)")
    c.close()


if __name__ == "__main__":
    main()
