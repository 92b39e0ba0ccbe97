#pragma once
// A Kafka consumer in a consumer group, for at-least-once processing.
//
// Offsets are stored only when the caller says a story is done (enable.auto.offset.store
// is forced off) and committed by librdkafka's auto-commit and explicitly on revoke and
// close. Partition assignment is cooperative-sticky unless overridden.
//
// Threading: every call, and the hooks, run on the thread that calls poll(); the
// consumer is not thread-safe. librdkafka handles are owned here and never leave ingest.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wirescan/core/kafka_types.hpp"
#include "wirescan/core/time.hpp"
#include "wirescan/ingest/kafka_stats.hpp"

namespace wirescan::ingest {

struct consumer_config {
  std::string brokers;
  std::string group_id;
  std::vector<std::string> topics;  // names, or regexes starting with '^'
  // librdkafka properties passed through unchanged (TLS, SASL, tuning).
  std::map<std::string, std::string> properties;
  // Offsets go through the producer's transactions: auto-commit off, read_committed.
  bool transactional = false;
};

struct consumed_message {
  core::source_position pos;
  std::string payload;
  std::string key;
  core::epoch_ms broker_time;  // the message timestamp (append time or create time)
};

struct topic_partition {
  std::string topic;
  core::partition_id partition;
};

class kafka_consumer {
 public:
  struct hooks {
    // After partitions are assigned.
    std::function<void(const std::vector<topic_partition>&)> on_assign;
    // Before partitions are given up: finish their in-flight work and store offsets here;
    // the consumer commits right after. lost is true when the group already moved them.
    std::function<void(const std::vector<topic_partition>&, bool lost)> on_revoke;
    // Every statistics.interval.ms (default 5000): lag per partition, rebalance count.
    std::function<void(const consumer_stats&)> on_stats;
  };

  // Throws std::runtime_error on invalid configuration (every bad property named).
  kafka_consumer(const consumer_config& cfg, hooks h);
  ~kafka_consumer();
  kafka_consumer(const kafka_consumer&) = delete;
  kafka_consumer& operator=(const kafka_consumer&) = delete;

  // The next message, or nullopt on timeout or a transient error (logged). Throws
  // std::runtime_error on a fatal consumer error.
  [[nodiscard]] std::optional<consumed_message> poll(std::chrono::milliseconds timeout);
  // The same into out, whose strings keep their capacity: false where poll() gives nullopt
  // (out is then unspecified). A caller that hands its message on by swapping it for one it
  // is done with allocates nothing per message once the buffers have grown.
  [[nodiscard]] bool poll(consumed_message& out, std::chrono::milliseconds timeout);

  // One partition's progress for store_offsets: every message before next is done. The
  // topic is pointed at, not copied, for the length of the call.
  struct done_up_to {
    const std::string* topic;
    core::partition_id partition;
    core::offset next;
  };

  // Records each partition's progress in one call; committed later. A partition no longer
  // assigned is skipped (its new owner re-reads from the commit); any other refusal is logged.
  void store_offsets(std::span<const done_up_to> progress);

  // Synchronously commits stored offsets. Returns false (logged) on failure.
  bool commit();

  // Moves every assigned partition back to its committed offset (after an aborted
  // transaction, so the aborted stories are processed again).
  void rewind_to_committed();

  // The group metadata a transactional producer needs for send_offsets_to_transaction:
  // an opaque handle for sinks::kafka_producer, valid while this consumer lives.
  [[nodiscard]] std::shared_ptr<void> group_metadata();

  // Leaves the group (revoking partitions through the hook) and closes. A member that has
  // joined but not yet received its first assignment first waits for it, at most
  // first_assignment_wait: librdkafka 2.0.2 aborts on a close in that window (see the .cpp).
  // One whose subscription matches no topic has not joined, and closes at once.
  void close(std::chrono::milliseconds first_assignment_wait = std::chrono::seconds(10));

  // True after librdkafka reported every broker down, until probe_brokers() succeeds.
  [[nodiscard]] bool brokers_down() const;
  // A metadata request bounded by timeout; clears brokers_down() when a broker answers.
  bool probe_brokers(std::chrono::milliseconds timeout);

  // Partitions currently assigned.
  [[nodiscard]] std::size_t assignment_size() const;
  // True once the group has given this member an assignment, an empty one included (more
  // members than partitions), and until librdkafka reports the assignment lost.
  [[nodiscard]] bool in_group() const;
  // Whether the cluster has a topic the subscription names or matches (a metadata request for
  // every topic, bounded by timeout); nullopt when it did not answer. librdkafka sends no
  // JoinGroup while none does, so such a member is never in the group.
  [[nodiscard]] std::optional<bool> subscribed_topic_exists(std::chrono::milliseconds timeout) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wirescan::ingest
