// wirescan run against a real Apache Kafka broker: nothing lost, order kept, poison routed.
#include "fixture.hpp"

#include <catch2/generators/catch_generators.hpp>

#include <sched.h>

#include <algorithm>

using namespace wirescan::test;
using namespace wirescan::test::it;

TEST_CASE("20,000 stories across 6 partitions come out as 20,000 schema-valid events in order", "[kafka]") {
  // As the defaults arrange it here, and with three staging threads finishing stories out of
  // order among themselves (kafka.prepare_threads), which a larger machine's auto starts.
  const std::string threads = GENERATE(std::string(), std::string("  prepare_threads: 3\n"));
  INFO("extra config: " << threads);
  setup s(threads);
  produce(s.in, stories(20'000, false));
  const auto proc = start_wirescan({"run", "--config", s.config_path});
  const auto events = consume(s.out, 20'000, 120s);
  INFO(read_file(proc.log_path));
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  REQUIRE(events.size() == 20'000);
  CHECK(source_ids(events).size() == 20'000);
  check_order(events);
  for (const auto& e : events) {
    REQUIRE(event_schema_violation(e.value).empty());
    REQUIRE(e.headers.at("wirescan.schema") == "wirescan.event/v1");
    REQUIRE(e.key.rfind("story-", 0) == 0);
  }
  const auto committed = committed_offsets(s.group, s.in, partitions);
  for (int p = 0; p < partitions; ++p) CHECK(committed.at(p) == 20'000 / partitions + (p < 20'000 % partitions));
  if (!threads.empty()) {
    CHECK(read_file(proc.log_path).find("3 more threads decode and enrich") != std::string::npos);
  }
}

TEST_CASE("poison stories go to the dead-letter topic with their bytes and reason; the rest flow", "[kafka]") {
  setup s("", true);  // also covers subscribing by regex
  const auto input = stories(5'000, true);
  produce(s.in, input, true);  // keyed and unkeyed in turn: a dead letter keeps its story's key, or none
  const auto proc = start_wirescan({"run", "--config", s.config_path});
  const auto events = consume(s.out, 4'500, 120s);
  const auto dead = consume(s.dlq, 500, 60s);
  INFO(read_file(proc.log_path));
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  REQUIRE(events.size() == 4'500);
  REQUIRE(dead.size() == 500);
  std::map<std::string, int> reasons;
  for (const auto& d : dead) {
    ++reasons[d.headers.at("wirescan.reject.reason")];
    const auto p = std::stoi(d.headers.at("wirescan.source.partition"));
    const auto off = std::stoll(d.headers.at("wirescan.source.offset"));
    // The original bytes, exactly: story index = offset * partitions + partition.
    const auto index = static_cast<std::size_t>(off * partitions + p);
    REQUIRE(d.value == input.at(index).second);
    REQUIRE(d.key == (index % 2 == 0 ? std::to_string(index) : std::string()));
    REQUIRE_FALSE(d.headers.at("wirescan.reject.detail").empty());
  }
  CHECK(reasons["malformed_json"] == 250);
  CHECK(reasons["wrong_type"] == 250);
}

TEST_CASE("SIGTERM under load drains in-flight stories, commits and exits 0", "[kafka]") {
  setup s;
  const auto proc = start_assigned(s.config_path);
  auto producer = paced_produce(s.in, stories(20'000, false), 40, 150ms);
  (void)consume(s.out, 2'000, 60s, 0ms);  // wirescan is publishing while stories keep arriving
  const int code = signal_and_wait(proc, SIGTERM, 20);  // drain deadline 15 s
  producer.join();
  INFO(read_file(proc.log_path));
  REQUIRE(code == 0);
  const auto committed = committed_offsets(s.group, s.in, partitions);
  const auto events = consume(s.out, 20'000, 10s, 0ms);
  const auto ids = source_ids(events);
  std::size_t covered = 0;
  for (int p = 0; p < partitions; ++p) {
    // Every offset below the commit was delivered before the commit was made.
    for (std::int64_t o = 0; o < committed.at(p); ++o) REQUIRE(ids.count(std::to_string(p) + "/" + std::to_string(o)));
    covered += static_cast<std::size_t>(std::max<std::int64_t>(committed.at(p), 0));
  }
  WARN("SIGTERM: stopped after " << covered << " committed, " << events.size() << " published, of 20000");
  CHECK(covered < 20'000);  // the signal really came mid-stream
  CHECK(events.size() == covered);  // drained: everything consumed was delivered and committed
}

TEST_CASE("kill -9 mid-stream and a restart lose nothing (at_least_once)", "[kafka]") {
  setup s;
  auto first = start_assigned(s.config_path);
  auto producer = paced_produce(s.in, stories(20'000, false), 40, 150ms);
  (void)consume(s.out, 2'000, 60s, 0ms);
  REQUIRE(signal_and_wait(first, SIGKILL, 10) == 128 + SIGKILL);
  const auto before = consume(s.out, 20'000, 3s, 0ms).size();
  CHECK(before < 20'000);  // killed mid-stream
  auto second = start_wirescan({"run", "--config", s.config_path});
  const auto events = consume(s.out, 20'000, 120s, 3000ms);
  INFO(read_file(second.log_path));
  REQUIRE(signal_and_wait(second, SIGTERM, 30) == 0);
  producer.join();
  const auto ids = source_ids(events);
  CHECK(ids.size() == 20'000);  // none lost
  WARN("kill -9 restart: " << events.size() - ids.size() << " duplicate(s) of 20000");
}

TEST_CASE("a broker stopped for 20 s mid-stream is survived without loss", "[kafka][outage]") {
  setup s;
  produce(s.in, stories(10'000, false));
  auto proc = start_wirescan({"run", "--config", s.config_path});
  (void)consume(s.out, 500, 60s, 0ms);
  broker_stop();
  std::this_thread::sleep_for(20s);
  broker_restart();
  const auto events = consume(s.out, 10'000, 180s, 3000ms);
  INFO(read_file(proc.log_path));
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  const auto ids = source_ids(events);
  CHECK(ids.size() == 10'000);
  WARN("broker outage: " << events.size() - ids.size() << " duplicate(s) of 10000");
}


TEST_CASE("a second instance joins mid-stream and leaves again: nothing lost, duplicates bounded", "[kafka]") {
  setup s;
  auto all = stories(20'000, false);
  const auto split = all.begin() + 6'000;
  auto a = start_wirescan({"run", "--config", s.config_path});
  // The first 6,000 stories arrive while only a runs. The rest arrive only once b holds
  // partitions: with a fixed schedule, a slow host (a sanitizer build starts in seconds) let a
  // read every story before b was assigned, and b had nothing left to take.
  produce(s.in, {all.begin(), split});
  (void)consume(s.out, 3'000, 60s, 0ms);
  auto b = start_assigned(s.config_path);
  const int b_port = http_port(b);
  REQUIRE(b_port > 0);
  // 70 batches 100 ms apart, spread over all partitions: about half land on b's.
  auto producer = paced_produce(s.in, {split, all.end()}, 70, 100ms);
  // b leaves, while stories still arrive, once it has published 1,000 from its partitions.
  REQUIRE(metric(metrics_once_published(b_port, 1'000, 60s), "wirescan_events_published_total") >= 1'000);
  const int b_code = signal_and_wait(b, SIGTERM, 30);  // its partitions go back to a
  producer.join();
  const auto events = consume(s.out, 20'000, 120s, 3000ms);
  const int a_code = signal_and_wait(a, SIGTERM, 30);
  const auto a_log = read_file(a.log_path);
  const auto b_log = read_file(b.log_path);
  INFO(b_log);
  REQUIRE(b_code == 0);
  REQUIRE(a_code == 0);
  const auto ids = source_ids(events);
  CHECK(ids.size() == 20'000);  // none lost
  const auto duplicates = events.size() - ids.size();
  WARN("rebalance: instance a consumed " << consumed_by(a_log) << ", instance b consumed " << consumed_by(b_log)
                                         << ", duplicates " << duplicates << " of 20000");
  CHECK(consumed_by(b_log) > 0);     // b really took a share, and said so in its summary
  CHECK(duplicates <= 1'000);        // bounded by what was in flight at each handover
}

TEST_CASE("more instances than partitions: the one without a partition is a ready standby and takes over", "[kafka]") {
  // A member the group gives an empty assignment is healthy. It used to be unready for good
  // ("no partitions assigned"), so a rollout waiting for new pods to turn ready could stall,
  // and WirescanNotReady paged for a standby.
  setup_options o;
  o.input_partitions = 1;
  setup s(o);
  auto a = start_assigned(s.config_path);
  const int a_port = http_port(a);
  REQUIRE(a_port > 0);
  REQUIRE(wait_http(a_port, "/readyz", 200, 60s));
  auto b = start_wirescan({"run", "--config", s.config_path});
  const int b_port = http_port(b);
  REQUIRE(b_port > 0);
  REQUIRE(wait_for_log(b, "assigned 0 partition\\(s\\), 0 in all", 60));
  CHECK(wait_http(b_port, "/readyz", 200, 10s));
  // The gauges follow within a turn of b's loop (up to its 100 ms idle fetch).
  const auto b_metrics = metrics_once(b_port, "wirescan_ready", 1, 5s);
  CHECK(metric(b_metrics, "wirescan_ready") == 1);
  CHECK(metric(b_metrics, "wirescan_assigned_partitions") == 0);
  CHECK(metric(b_metrics, "wirescan_unready_reason{reason=\"not_in_group\"}") == 0);
  CHECK(metric(http_get(a_port, "/metrics").second, "wirescan_assigned_partitions") == 1);
  // All to the one partition.
  const auto one_partition = [](std::size_t from, std::size_t n) {
    std::vector<std::pair<int, std::string>> v;
    for (std::size_t i = from; i < from + n; ++i) v.emplace_back(0, story(i));
    return v;
  };
  produce(s.in, one_partition(0, 100));
  CHECK(source_ids(consume(s.out, 100, 60s, 0ms)).size() == 100);
  // a leaves; b takes its partition and everything after a's last commit.
  REQUIRE(signal_and_wait(a, SIGTERM, 30) == 0);
  CHECK(consumed_by(read_file(a.log_path)) == 100);
  REQUIRE(wait_for_log(b, "assigned 1 partition\\(s\\), 1 in all", 60));
  produce(s.in, one_partition(100, 100));  // offsets 100-199
  const auto events = consume(s.out, 200, 60s);
  CHECK(source_ids(events).size() == 200);
  CHECK(metric(metrics_once(b_port, "wirescan_assigned_partitions", 1, 5s), "wirescan_assigned_partitions") == 1);
  REQUIRE(signal_and_wait(b, SIGTERM, 30) == 0);
  CHECK(consumed_by(read_file(b.log_path)) == 100);
}

TEST_CASE("exactly_once: kill -9 mid-stream and a restart; a read_committed reader sees every story once", "[kafka]") {
  setup s("  delivery: exactly_once\n  transactional_id: " + unique_name("txn") + "\n");
  auto first = start_assigned(s.config_path);
  auto producer = paced_produce(s.in, stories(20'000, true), 40, 150ms);
  (void)consume(s.out, 2'000, 60s, 0ms);
  REQUIRE(signal_and_wait(first, SIGKILL, 10) == 128 + SIGKILL);
  auto second = start_wirescan({"run", "--config", s.config_path});
  const auto events = consume(s.out, 18'000, 180s, 5000ms);
  const auto dead = consume(s.dlq, 2'000, 60s, 2000ms);
  producer.join();
  const int code = signal_and_wait(second, SIGTERM, 30);
  INFO(read_file(first.log_path) << "\n---- restarted ----\n" << read_file(second.log_path));
  REQUIRE(code == 0);
  const auto ids = source_ids(events);
  CHECK(ids.size() == 18'000);     // none lost
  CHECK(events.size() == 18'000);  // none twice
  CHECK(source_ids(dead).size() == 2'000);
  CHECK(dead.size() == 2'000);
  check_order(events);
}


TEST_CASE("readyz turns ready after assignment; healthz and metrics answer on the configured port", "[kafka]") {
  setup s;
  produce(s.in, stories(3'000, false));
  auto proc = start_wirescan({"run", "--config", s.config_path});
  const int port = http_port(proc);
  REQUIRE(port > 0);
  int ready = 0;
  for (int i = 0; i < 200 && ready != 200; ++i) {
    ready = http_get(port, "/readyz").first;
    if (ready != 200) std::this_thread::sleep_for(100ms);
  }
  CHECK(ready == 200);
  CHECK(http_get(port, "/healthz").first == 200);
  (void)consume(s.out, 3'000, 60s, 0ms);
  // Readers can see events a moment before wirescan's producer has their acks.
  std::pair<int, std::string> got;
  for (int i = 0; i < 300; ++i) {
    got = http_get(port, "/metrics");
    if (got.second.find("wirescan_events_published_total 3000") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  const auto& [code, metrics] = got;
  CHECK(code == 200);
  CHECK(metrics.find("wirescan_events_published_total 3000") != std::string::npos);
  CHECK(metrics.find("wirescan_rejects_total{reason=\"malformed_json\"} 0") != std::string::npos);
  CHECK(metrics.find("wirescan_ready 1") != std::string::npos);
  CHECK(metrics.find("wirescan_broker_to_emit_seconds_count 3000") != std::string::npos);
  // Each story's time in service (consumed to produced) lies inside its broker append to
  // delivery, so the sums nest; and it is there at all (above zero).
  CHECK(metric(metrics, "wirescan_in_service_seconds_count") == 3000);
  CHECK(metric(metrics, "wirescan_in_service_seconds_sum") > 0);
  CHECK(metric(metrics, "wirescan_in_service_seconds_sum") < metric(metrics, "wirescan_broker_to_emit_seconds_sum"));
  // What the instance counted at start (never more than the CPUs its affinity allows; a
  // cgroup quota may allow fewer), and the staging threads kafka.prepare_threads: auto chose
  // from it: one fewer than the usable CPUs, at most four.
  cpu_set_t mask;
  REQUIRE(sched_getaffinity(0, sizeof mask, &mask) == 0);
  const double usable = metric(metrics, "wirescan_cpus_usable");
  CHECK(usable >= 1);
  CHECK(usable <= CPU_COUNT(&mask));
  CHECK(metric(metrics, "wirescan_staging_threads") == std::min(usable - 1, 4.0));
  {
    // The exposition passes Prometheus's own linter.
    const std::string file = make_temp_dir() + "/metrics.txt";
    std::ofstream(file) << metrics;
    CHECK(std::system(("promtool check metrics < " + file).c_str()) == 0);
  }
  // Lag comes from librdkafka statistics every 5 s; after a full drain it is 0 per partition.
  bool lag_seen = false;
  for (int i = 0; i < 80 && !lag_seen; ++i) {
    lag_seen = http_get(port, "/metrics").second.find("wirescan_consumer_lag_messages{") != std::string::npos;
    if (!lag_seen) std::this_thread::sleep_for(100ms);
  }
  CHECK(lag_seen);
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  CHECK(read_file(proc.log_path).find("stopped cleanly") != std::string::npos);
}

TEST_CASE("on a quiet wire a story counts as delivered when its report comes, not after an idle fetch", "[kafka]") {
  // Delivery reports are served on the main thread between fetches. With nothing to fetch it
  // used to sleep 100 ms in the fetch first, so each story of a quiet wire read about 100 ms in
  // wirescan_broker_to_emit_seconds where the broker's own append times said about 10 (and its
  // offset was stored as late).
  // The input topic stamps each story with the broker's append time. With Kafka's default
  // (CreateTime) the stamp is the test producer's, and its first stories wait for its
  // connection and producer id: under ASan on a loaded host that put 0.5-2.5 s on up to four
  // of them, which is the test's own producer, not wirescan.
  setup_options o;
  o.input_topic_configs = {{"message.timestamp.type", "LogAppendTime"}};
  setup s(o);
  auto proc = start_wirescan({"run", "--config", s.config_path});
  const int port = http_port(proc);
  REQUIRE(port > 0);
  REQUIRE(wait_http(port, "/readyz", 200, 60s));
  // The first stories pay for connections and metadata; they are not counted.
  produce(s.in, {{0, story(0)}, {1, story(1)}});
  const auto before = metrics_once_published(port, 2, 30s);
  constexpr int quiet = 10;
  std::vector<std::pair<int, std::string>> spaced;
  for (int i = 0; i < quiet; ++i) spaced.emplace_back(i % partitions, story(2 + i));
  produce(s.in, spaced, false, 1 / 0.3);  // one every 0.3 s
  const auto after = metrics_once_published(port, 2 + quiet, 30s);
  REQUIRE(metric(after, "wirescan_events_published_total") == 2 + quiet);
  const std::string within_50ms = "wirescan_broker_to_emit_seconds_bucket{le=\"0.05\"}";
  INFO(after);
  // About 10 ms each now (the producer's 5 ms linger and a fetch); with the 100 ms sleep, none.
  CHECK(metric(after, within_50ms) - metric(before, within_50ms) >= quiet - 2);
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
}

TEST_CASE("readyz turns unready while the broker is down, ready again after, and unready first at shutdown; healthz stays up", "[kafka][outage]") {
  setup s("  shutdown_delay_ms: 3000\n");
  produce(s.in, stories(500, false));
  auto proc = start_wirescan({"run", "--config", s.config_path});
  const int port = http_port(proc);
  REQUIRE(port > 0);
  const auto wait_for = [&](int code, int seconds) {
    return wait_http(port, "/readyz", code, std::chrono::seconds(seconds));
  };
  REQUIRE(wait_for(200, 60));
  broker_stop();
  CHECK(wait_for(503, 60));
  const auto [live, live_body] = http_get(port, "/healthz");
  CHECK(live == 200);
  const auto [down, down_body] = http_get(port, "/readyz");
  INFO("readyz with the broker down: " << down << " " << down_body);
  CHECK(down_body.find("brokers unreachable") != std::string::npos);
  broker_restart();
  CHECK(wait_for(200, 90));
  // At shutdown: unready first (for shutdown_delay_ms), alive throughout, then exit 0.
  ::kill(proc.pid, SIGTERM);
  CHECK(wait_for(503, 3));
  CHECK(http_get(port, "/healthz").first == 200);
  CHECK(http_get(port, "/readyz").second.find("draining") != std::string::npos);
  INFO(read_file(proc.log_path));
  REQUIRE(wait_exit(proc, 30) == 0);
}
