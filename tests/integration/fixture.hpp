#pragma once
// Shared by the integration tests: a per-test set of topics and a config for `wirescan run`
// against the real broker, story generators, and small probes (HTTP, logs).
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "kafka.hpp"
#include "process.hpp"
#include "schema.hpp"

namespace wirescan::test::it {

using namespace std::chrono_literals;

inline constexpr int partitions = 6;

// How a test wants its topics and its wirescan config; the defaults suit most tests.
struct setup_options {
  std::string extra_kafka_yaml;  // appended under kafka:
  bool regex = false;            // subscribe by a pattern that matches the input topic
  std::string brokers;           // empty: the broker's PLAINTEXT listener
  std::map<std::string, std::string> client;    // librdkafka properties for consumer and producer
  std::map<std::string, std::string> producer;  // librdkafka properties for the producer only
  int input_partitions = partitions;
  std::map<std::string, std::string> input_topic_configs;
  std::map<std::string, std::string> output_topic_configs;
  bool create_input = true;      // false: the input topic does not exist
  bool create_output = true;     // false: the output topic does not exist
  std::string top_level_yaml;    // appended at the top level (enrich:, log_level: ...)
  std::string log_level = "info";
  int drain_timeout_ms = 15000;
  int session_timeout_ms = 10000;
};

struct setup {
  std::string in = unique_name("stories");
  std::string out = unique_name("events");
  std::string dlq = unique_name("dead");
  std::string group = unique_name("wirescan");
  std::string config_path;

  explicit setup(const std::string& extra_kafka_yaml = "", bool regex = false)
      : setup([&] {
          setup_options o;
          o.extra_kafka_yaml = extra_kafka_yaml;
          o.regex = regex;
          return o;
        }()) {}

  explicit setup(const setup_options& o) {
    if (o.create_input) create_topic(in, o.input_partitions, o.input_topic_configs);
    if (o.create_output) create_topic(out, partitions, o.output_topic_configs);
    create_topic(dlq, 1);
    config_path = make_temp_dir() + "/wirescan.yaml";
    std::ofstream c(config_path);
    c << "log_level: " << o.log_level << "\n"
      << "http: {listen: '127.0.0.1:0'}\n"
      << o.top_level_yaml << "kafka:\n"
      << "  brokers: ${TEST_BROKERS:-" << (o.brokers.empty() ? broker_bootstrap() : o.brokers) << "}\n"
      << "  group_id: " << group << "\n"
      << "  input_topics: [\"" << (o.regex ? "^" + in + "(-v[0-9]+)?$" : in) << "\"]\n"
      << "  output_topic: " << out << "\n"
      << "  dead_letter_topic: " << dlq << "\n"
      << "  drain_timeout_ms: " << o.drain_timeout_ms << "\n"
      << "  consumer: {session.timeout.ms: '" << o.session_timeout_ms << "'";
    for (const auto& [k, v] : o.client) c << ", " << k << ": '" << v << "'";
    c << "}\n  producer: {";
    bool first = true;
    for (const auto& m : {o.client, o.producer}) {
      for (const auto& [k, v] : m) {
        c << (first ? "" : ", ") << k << ": '" << v << "'";
        first = false;
      }
    }
    c << "}\n" << o.extra_kafka_yaml;
  }
};

inline std::string story(std::size_t i) {
  return R"({"id":"story-)" + std::to_string(i) + R"(","headline":"Story )" + std::to_string(i) +
         R"( moves $NVDA","published_at":"2026-11-28T10:00:00Z","source":"test"})";
}

// Stories 0..n-1 spread round-robin over the partitions; every tenth is poison when asked.
inline std::vector<std::pair<int, std::string>> stories(std::size_t n, bool poison) {
  std::vector<std::pair<int, std::string>> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string s = story(i);
    if (poison && i % 10 == 7) s = i % 20 == 7 ? s.substr(0, s.size() / 2) : R"({"id":"x","headline":5})";
    v.emplace_back(static_cast<int>(i % partitions), std::move(s));
  }
  return v;
}

// Per output partition, the source offsets of each input partition must only grow.
inline void check_order(const std::vector<record>& events) {
  std::map<std::pair<int, std::string>, std::int64_t> last;
  for (const auto& e : events) {
    const auto key = std::make_pair(e.partition, e.headers.at("wirescan.source.partition"));
    const auto off = std::stoll(e.headers.at("wirescan.source.offset"));
    auto it = last.find(key);
    if (it != last.end()) REQUIRE(off > it->second);
    last[key] = off;
  }
}

inline std::set<std::string> source_ids(const std::vector<record>& rs) {
  std::set<std::string> ids;
  for (const auto& r : rs) ids.insert(r.headers.at("wirescan.source.partition") + "/" + r.headers.at("wirescan.source.offset"));
  return ids;
}

// Starts `wirescan run` and returns once it holds partitions. Stories produced after this are
// still arriving when a test signals it, however long it took to start (seconds under a
// sanitizer, where a fixed schedule had delivered every story before the instance was up).
[[nodiscard]] inline background start_assigned(const std::string& config_path) {
  auto proc = start_wirescan({"run", "--config", config_path});
  REQUIRE(wait_for_log(proc, "assigned [1-9]", 60));
  return proc;
}

// Produces the stories in `batches` batches with `pause` after each, so the stream is still
// flowing while a test signals or kills wirescan. A jthread: a failed REQUIRE waits for the
// producing to end instead of ending the test program in std::terminate.
inline std::jthread paced_produce(const std::string& topic, std::vector<std::pair<int, std::string>> all, int batches,
                          std::chrono::milliseconds pause) {
  return std::jthread([topic, all = std::move(all), batches, pause] {
    const std::size_t per = all.size() / static_cast<std::size_t>(batches);
    for (int b = 0; b < batches; ++b) {
      const auto first = all.begin() + static_cast<std::ptrdiff_t>(per * static_cast<std::size_t>(b));
      const auto last = b + 1 == batches ? all.end() : first + static_cast<std::ptrdiff_t>(per);
      produce(topic, {first, last});
      std::this_thread::sleep_for(pause);
    }
  });
}


// "consumed N" from a stopped instance's last summary line.
inline long consumed_by(const std::string& log) {
  const auto at = log.rfind("stopped cleanly: consumed ");
  return at == std::string::npos ? -1 : std::stol(log.substr(at + 26));
}

// Status code and body of GET http://127.0.0.1:port/path, via curl.
inline std::pair<int, std::string> http_get(int port, const std::string& path) {
  const std::string dir = make_temp_dir();
  const std::string cmd = "curl -s -o " + dir + "/body -w '%{http_code}' http://127.0.0.1:" + std::to_string(port) +
                          path + " > " + dir + "/code";
  (void)std::system(cmd.c_str());
  return {std::stoi("0" + read_file(dir + "/code")), read_file(dir + "/body")};
}

// A counter's, gauge's or histogram line's value in a /metrics body (the first series whose
// line starts with name_and_labels); -1 when absent.
inline double metric(const std::string& body, const std::string& name_and_labels) {
  const auto at = body.find("\n" + name_and_labels + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + name_and_labels.size() + 2));
}

// The /metrics body once the series name_and_labels satisfies ok, read every 20 ms for up to
// timeout; the last body read when it never does.
template <typename Ok>
std::string metrics_when(int port, const std::string& name_and_labels, Ok ok, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string body = http_get(port, "/metrics").second;
  while (!ok(metric(body, name_and_labels)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    body = http_get(port, "/metrics").second;
  }
  return body;
}

// ... once wirescan_events_published_total reaches n.
inline std::string metrics_once_published(int port, double n, std::chrono::milliseconds timeout) {
  return metrics_when(port, "wirescan_events_published_total", [n](double v) { return v >= n; }, timeout);
}

// ... once the series reads value.
inline std::string metrics_once(int port, const std::string& name_and_labels, double value,
                                std::chrono::milliseconds timeout) {
  return metrics_when(port, name_and_labels, [value](double v) { return v == value; }, timeout);
}

// Polls GET path every 100 ms until it answers code; false after timeout.
inline bool wait_http(int port, const std::string& path, int code, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(port, path).first == code) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace wirescan::test::it
