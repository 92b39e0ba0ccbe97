#!/usr/bin/python3
# Stress, not a test: an attempt to reproduce librdkafka#4783 (the cooperative-sticky
# assignor looping at 100% CPU) with Debian's python3-confluent-kafka, which uses the system's
# librdkafka 2.0.2. One group: 10 members subscribed to topic A, then one more subscribed to
# topic B every 5 s, all with librdkafka's default client.id unless --unique. Prints the
# process's CPU over each 5 s (a looping assignor shows as 100% of a core) and how many
# partitions the members have been given. docs/reliability.md has the results.
#
#   PARTS=2 B=8 /usr/bin/python3 tests/stress/assignor_loop.py BOOTSTRAP [--unique]
import sys, threading, time, uuid, os
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, unique = sys.argv[1], "--unique" in sys.argv
parts = int(os.environ.get("PARTS", "2"))
suffix = uuid.uuid4().hex[:8]
ta, tb, group = f"r-a-{suffix}", f"r-b-{suffix}", f"r-g-{suffix}"
a = AdminClient({"bootstrap.servers": bootstrap})
for f in a.create_topics([NewTopic(ta, parts, 1), NewTopic(tb, parts, 1)]).values(): f.result()
stop = False
assigned = {}
def run(i, topic):
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "partition.assignment.strategy": "cooperative-sticky"}
    if unique: conf["client.id"] = f"c-{i}-{uuid.uuid4().hex[:6]}"
    c = Consumer(conf)
    def on_assign(cons, ps): assigned[i] = assigned.get(i, 0) + len(ps)
    c.subscribe([topic], on_assign=on_assign)
    while not stop: c.poll(0.1)
    c.close()
threads = []
for i in range(10):
    t = threading.Thread(target=run, args=(i, ta), daemon=True); t.start(); threads.append(t)
time.sleep(5)
last = time.process_time()
for j in range(int(os.environ.get("B", "8"))):
    t = threading.Thread(target=run, args=(100 + j, tb), daemon=True); t.start(); threads.append(t)
    time.sleep(5)
    now = time.process_time()
    print(f"after B member {j+1}: CPU {100*(now-last)/5:.0f}% of a core over 5 s; partitions handed out so far {sum(assigned.values())}", flush=True)
    last = now
stop = True
os._exit(0)
