#pragma once
// wirescan's configuration: one struct per component, each field with a default, a
// one-line doc (docs/config.md) and a validator. Loading is pure (reads the one file,
// touches nothing else); unknown keys are errors; every problem is reported at once.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http_server.hpp"
#include "wirescan/ingest/decoder.hpp"

namespace wirescan::app {

#ifndef WIRESCAN_DEFAULT_RULES_DIR
#define WIRESCAN_DEFAULT_RULES_DIR "rules"
#endif

struct enrich_config {
  std::string rules_dir = WIRESCAN_DEFAULT_RULES_DIR;  // policy.yaml, aliases.yaml, symbols.tsv
  std::size_t body_scan_bytes = 1024;                  // lede searched for shocks (names: whole body)
  std::map<std::string, double> source_weights;        // market-moving weight per source
  // The learned policy likelihood (<rules_dir>/policy-model.tsv): false leaves it out of events
  // even when the file is there. Stories at or above the threshold count in
  // wirescan_policy_likely_stories_total, by whether the rules found a shock.
  bool policy_likelihood = true;
  double likelihood_threshold = 0.7;
};

struct output_config {
  std::size_t reject_raw_limit = 4096;  // bytes of the original story quoted in a reject report
};

enum class delivery_mode : std::uint8_t { at_least_once, exactly_once };
enum class key_mode : std::uint8_t { story_id, primary_ticker };

struct kafka_config {
  std::string brokers = "127.0.0.1:9092";
  std::string group_id = "wirescan";
  std::vector<std::string> input_topics = {"news.stories"};  // names, or regexes starting with '^'
  std::string output_topic = "news.events";
  std::string dead_letter_topic = "news.dead-letter";
  key_mode key = key_mode::story_id;
  delivery_mode delivery = delivery_mode::at_least_once;
  int drain_timeout_ms = 10000;  // SIGTERM: time allowed to deliver in-flight stories
  int shutdown_delay_ms = 0;     // SIGTERM: stay up but unready this long before draining
  // Unready while stories are in flight and the output has acknowledged none of them for this
  // long (a hung broker, a black-holed network path); 0: never.
  int stall_timeout_ms = 15000;
  // exactly_once: stable per instance, so a restart fences its predecessor's open
  // transaction at once. Empty: "<group_id>-<hostname>".
  std::string transactional_id;
  int transaction_interval_ms = 100;  // exactly_once: how long one transaction collects stories
  // Stories decoded and enriched ahead, on a thread of their own, while this thread runs the
  // novelty stage and Kafka (app/src/staged.hpp); 0 does everything on one thread. Unset
  // ("auto", the default): default_prepare_ahead when the process can use two CPUs or more
  // (its affinity and its cgroup's CPU quota, app/src/cpus.hpp), else 0.
  std::optional<std::size_t> prepare_ahead;
  static constexpr std::size_t default_prepare_ahead = 64;
  // How many threads prepare those stories, when prepare_ahead is not 0. Unset ("auto", the
  // default): one fewer than the CPUs the process may use, at least 1, at most
  // cpu_limit::max_auto_preparers (app/src/cpus.hpp).
  std::optional<std::size_t> prepare_threads;
  static constexpr std::size_t max_prepare_threads = 64;
  std::map<std::string, std::string> consumer;  // librdkafka pass-through
  std::map<std::string, std::string> producer;  // librdkafka pass-through
};

// The novelty stage (docs/novelty.md). Its vocabulary is <rules_dir>/novelty.yaml.
struct novelty_config {
  bool enabled = true;
  int window_minutes = 1440;         // how long a story stays comparable
  std::size_t max_entries = 200000;  // stories remembered at most (about 0.6 KiB each)
  double rewrite_threshold = 0.5;    // headline-feature Jaccard for "the same event"
  double duplicate_threshold = 0.85; // at or above: a duplicate rather than a rewrite
  double decay = 0.75;               // score = 100 x decay^similar_count
  bool persist = true;               // run: share and keep state through state_topic
  std::string state_topic;           // empty: "<kafka.group_id>.novelty"; created when missing
  std::size_t state_batch = 64;      // stories per state record; 1: one record per story, keyed by story
  std::vector<std::string> suppress_kafka;  // kinds not published to kafka.output_topic
  std::vector<std::string> suppress_file;   // kinds not written by `wirescan enrich`
  [[nodiscard]] std::string topic(const std::string& group_id) const {
    return state_topic.empty() ? group_id + ".novelty" : state_topic;
  }
};

struct config {
  std::string log_level = "info";
  kafka_config kafka;
  http_config http;
  std::string preset = "default";
  ingest::decoder_config decode;
  enrich_config enrich;
  output_config output;
  novelty_config novelty;
};

// Thrown by load_config with every problem found, one per line.
struct config_error : std::runtime_error {
  explicit config_error(std::vector<std::string> problems);
  std::vector<std::string> problems;
};

// Reads and validates a YAML config file; an empty path gives the defaults.
[[nodiscard]] config load_config(const std::string& path);
// The same from the file's text; path only names it in problems. Throws config_error for
// any text, never anything else (the config fuzzer holds it to that).
[[nodiscard]] config parse_config(const std::string& text, const std::string& path);

// Replaces ${VAR} and ${VAR:-default} with the environment; "$$" is a literal '$'.
// Adds a problem for an unset variable without a default.
[[nodiscard]] std::string interpolate(const std::string& s, std::vector<std::string>& problems);

// Whether a librdkafka property holds a secret (passwords, keys, tokens, JAAS config).
[[nodiscard]] bool is_secret_property(const std::string& key);

// Settings that are valid but cost what their author may not expect, one sentence each, for
// `wirescan validate` and the start of `run` and `demo`: today the consumer's prefetch limits,
// below which librdkafka 2.0.2 starves the pipeline (config.cpp says how).
[[nodiscard]] std::vector<std::string> config_advice(const config& c);

// The effective configuration as YAML, for `wirescan validate --print`; secrets redacted.
[[nodiscard]] std::string print_config(const config& c);

}  // namespace wirescan::app
