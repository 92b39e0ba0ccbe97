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

// A value from the test broker's env file (BOOTSTRAP_SSL, BROKER_CA, SCRAM_USER, PROXY_PORT_1, ...;
// see tests/broker/broker.sh); throws if absent.
[[nodiscard]] std::string broker_env(const std::string& key);

// One of the test broker's proxied listeners (broker.sh: PROXY_PORT_N advertised, served on
// PROXY_TARGET_PORT_N), held for this object's life so that no other test process uses it
// meanwhile: a test that cuts or freezes its proxy runs beside the rest of the suite, and
// beside up to two others doing the same. Waits while all three are taken. The hold is an
// flock on a file in the broker's directory, so a crashed test releases it with its process.
class proxied_listener {
 public:
  proxied_listener();
  ~proxied_listener();
  proxied_listener(const proxied_listener&) = delete;
  proxied_listener& operator=(const proxied_listener&) = delete;

  [[nodiscard]] int proxy_port() const { return proxy_port_; }    // where the test's proxy listens
  [[nodiscard]] int target_port() const { return target_port_; }  // where the proxy forwards to
  [[nodiscard]] std::string bootstrap() const { return "127.0.0.1:" + std::to_string(proxy_port_); }

 private:
  int fd_ = -1;
  int proxy_port_ = 0;
  int target_port_ = 0;
};

// Denies principal (e.g. "User:restricted") every operation on topic.
void deny_all_on_topic(const std::string& topic, const std::string& principal);

// Sets one topic-level config (AlterConfigs: the topic's other settings go back to their
// defaults, as librdkafka 2.0.2 has no incremental form).
void set_topic_config(const std::string& topic, const std::string& key, const std::string& value);

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
