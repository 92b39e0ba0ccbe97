#pragma once
// Test support: a thin librdkafka client for integration tests against the real broker
// that tests/broker/broker.sh starts (its address is read from the broker's env file).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wirescan::test {

// The running test broker's bootstrap address; throws if no broker was started.
[[nodiscard]] std::string broker_bootstrap();

// A value from the test broker's env file (BOOTSTRAP_SSL, BROKER_CA, SCRAM_USER, PROXY_PORT, ...;
// see tests/broker/broker.sh); throws if absent.
[[nodiscard]] std::string broker_env(const std::string& key);

// Denies principal (e.g. "User:restricted") every operation on topic.
void deny_all_on_topic(const std::string& topic, const std::string& principal);

// Stops or restarts the shared test broker (broker.sh stop/restart on the same data).
void broker_stop();
void broker_restart();

// configs: topic-level settings (e.g. max.message.bytes).
void create_topic(const std::string& topic, int partitions, const std::map<std::string, std::string>& configs = {});

struct record {
  std::string topic;
  int partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
};

// Produces each (partition, value) in order with key = value's position; waits for delivery.
// Each message is keyed with its index in messages ("0", "1", ...); with odd_unkeyed, the
// odd-numbered ones have no key. With per_second, one at a time on that schedule (linger.ms 0),
// as a wire delivers them, instead of in batches.
void produce(const std::string& topic, const std::vector<std::pair<int, std::string>>& messages,
             bool odd_unkeyed = false, double per_second = 0);

// Reads topic from the beginning (read_committed) until count records arrived or the
// timeout passed, then keeps reading for settle more, so duplicates are seen too.
[[nodiscard]] std::vector<record> consume(const std::string& topic, std::size_t count,
                                          std::chrono::milliseconds timeout,
                                          std::chrono::milliseconds settle = std::chrono::milliseconds(1000));

// Committed offsets of group on topic, per partition (negative, RD_KAFKA_OFFSET_INVALID, when none).
[[nodiscard]] std::map<int, std::int64_t> committed_offsets(const std::string& group, const std::string& topic,
                                                            int partitions);

// A unique suffix for topic and group names.
[[nodiscard]] std::string unique_name(const std::string& prefix);

}  // namespace wirescan::test
