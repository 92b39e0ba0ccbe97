#pragma once
// A Kafka producer for enriched events and dead letters, idempotent by default.
//
// Every produce() carries a caller token that comes back in exactly one delivery report,
// served from poll() or flush() on the calling thread. A full local queue is reported to
// the caller (who should poll and retry: that is the backpressure), never dropped.
// message.timeout.ms defaults to 0 (no local timeout): while the broker is away messages
// wait and are retried, so a broker restart costs latency, not stories.
//
// Threading: one thread produces and polls. librdkafka handles never leave sinks.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <stdexcept>
#include <vector>

#include "wirescan/core/kafka_types.hpp"

namespace wirescan::sinks {

struct producer_config {
  std::string brokers;
  std::map<std::string, std::string> properties;  // librdkafka pass-through
  std::string transactional_id;                    // non-empty: transactional producer
};

struct header {
  const char* key;  // NUL-terminated (a literal): librdkafka takes the name as a C string
  std::string_view value;
};

// A failed transactional call. abortable: abort_transaction() and a rewind recover;
// otherwise the producer is fenced or fatally broken and must be recreated.
// abortable: abort the transaction and go on; retriable: the same call may succeed if made
// again (librdkafka timed out waiting for the cluster, say).
struct transaction_error : std::runtime_error {
  transaction_error(const std::string& what, bool abortable_, bool retriable_ = false)
      : std::runtime_error(what), abortable(abortable_), retriable(retriable_) {}
  bool abortable;
  bool retriable;
};

// no: the payload is read in place until its delivery report, so the caller keeps it unchanged
// until then; librdkafka makes no copy of it (and no allocation the size of it).
enum class payload_copy : bool { no, yes };

// too_large: the message exceeds the producer's message.max.bytes (nothing was queued).
// transaction_failed: a transactional producer's open transaction has failed (a delivery in it
// failed, say), so librdkafka refuses to add to it; only an abort ends that.
enum class produce_status : std::uint8_t { queued, queue_full, too_large, transaction_failed };

// How a failed delivery may end if the record is produced again (after a transaction's abort
// and re-read, or by the next instance):
// transient: it may succeed (a timeout, a transaction that failed for another reason).
// refused: the broker refuses the record itself (its batch over the topic's max.message.bytes,
//   an invalid record), so it would be refused again.
// broken: the producer cannot continue (a fatal idempotence error) or may not write the topic.
enum class delivery_failure : std::uint8_t { none, transient, refused, broken };

class kafka_producer {
 public:
  // token: the value given to produce(). error: empty on success. failure: what producing the
  // record again could do (none on success).
  using delivery_fn = std::function<void(std::uint64_t token, std::string_view error, delivery_failure failure)>;

  // Throws std::runtime_error on invalid configuration.
  kafka_producer(const producer_config& cfg, delivery_fn on_delivery);
  ~kafka_producer();
  kafka_producer(const kafka_producer&) = delete;
  kafka_producer& operator=(const kafka_producer&) = delete;

  // Throws std::runtime_error on any other non-retriable produce error.
  [[nodiscard]] produce_status produce(std::string_view topic, std::string_view key, std::string_view payload,
                                       std::span<const header> headers, std::uint64_t token,
                                       payload_copy copy = payload_copy::yes);

  // Asks the cluster about each topic. Returns one problem per topic the broker definitively
  // says is missing or not authorised; an unreachable broker is not a problem here (the run
  // loop waits for it), so this never fails on a transient fault.
  struct topic_problem {
    std::string text;      // "topic 'x' does not exist (...)", for the log
    bool missing = false;  // the topic does not exist (rather than being forbidden, say)
  };
  [[nodiscard]] std::vector<topic_problem> unusable_topics(const std::vector<std::string>& topics, int timeout_ms);

  // Asks the cluster each topic's max.message.bytes: the largest record batch the broker takes.
  // librdkafka batches records up to this producer's message.max.bytes and does not split a
  // batch the broker refuses, so every record in it fails. Returns one problem per topic whose
  // limit leaves less than batch_framing_margin above message.max.bytes. A topic the cluster
  // does not describe in time, or will not (no DESCRIBE_CONFIGS permission), is not a problem:
  // the log says it went unchecked.
  static constexpr std::int64_t batch_framing_margin = 512;
  [[nodiscard]] std::vector<topic_problem> batches_too_large_for(const std::vector<std::string>& topics,
                                                                 int timeout_ms);

  // What ensure_topic says: no error on success or when the topic already exists; else the
  // error, and whether it may pass if asked again (no answer in time, no broker or controller
  // reachable) rather than being the cluster's refusal (not authorised, an invalid config).
  struct creation {
    std::string error;
    bool transient = false;
  };
  // Creates topic with the given partitions and topic configs (the broker's default
  // replication) unless it exists, waiting up to timeout_ms for the cluster's answer.
  [[nodiscard]] creation ensure_topic(const std::string& topic, int partitions,
                                      const std::map<std::string, std::string>& configs, int timeout_ms);

  // Serves delivery reports for up to timeout_ms.
  void poll(int timeout_ms);

  // Waits up to timeout_ms for every queued message's report; true when none is left.
  bool flush(int timeout_ms);

  [[nodiscard]] int queue_length() const;

  // True after librdkafka reported every broker of this producer down, until a delivery
  // succeeds or brokers_reached() says the cluster answered another client.
  [[nodiscard]] bool brokers_down() const;
  void brokers_reached();
  // A metadata request for no topic, bounded by timeout_ms: true when a broker answered
  // (which also clears brokers_down()).
  [[nodiscard]] bool probe_brokers(int timeout_ms);
  // The text of the last error librdkafka reported to poll() other than "all brokers down":
  // why they are down. Empty until one comes.
  [[nodiscard]] const std::string& last_error() const;

  // Transactions (transactional_id set). Each throws transaction_error on failure.
  void init_transactions(int timeout_ms);
  // Adds the consumer's next offsets (topic, partition, offset of the next story) to the
  // open transaction. group_metadata: ingest::kafka_consumer::group_metadata().
  void send_offsets(const std::vector<core::source_position>& next, const std::shared_ptr<void>& group_metadata,
                    int timeout_ms);
  void begin_transaction();
  void commit_transaction(int timeout_ms);
  void abort_transaction(int timeout_ms);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wirescan::sinks
