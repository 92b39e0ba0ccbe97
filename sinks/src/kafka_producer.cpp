#include "wirescan/sinks/kafka_producer.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "wirescan/obs/log.hpp"

namespace wirescan::sinks {
namespace {

delivery_failure failure_of(RdKafka::ErrorCode e) {
  switch (e) {
    case RdKafka::ERR__FATAL:
    case RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED:
    case RdKafka::ERR_CLUSTER_AUTHORIZATION_FAILED:
      return delivery_failure::broken;
    case RdKafka::ERR_MSG_SIZE_TOO_LARGE:       // the batch is over the topic's max.message.bytes
    case RdKafka::ERR_RECORD_LIST_TOO_LARGE:    // the batch is over the topic's segment.bytes
    case RdKafka::ERR_INVALID_RECORD:           // the topic refuses the record (no key on a compacted topic)
      return delivery_failure::refused;
    default:
      return delivery_failure::transient;
  }
}

}  // namespace

struct kafka_producer::impl : RdKafka::DeliveryReportCb, RdKafka::EventCb {
  delivery_fn on_delivery;
  std::unique_ptr<RdKafka::Producer> producer;
  std::atomic<bool> all_down{false};
  std::string last_error;  // set by event_cb, on the thread that polls
  bool transactional = false;
  // Topic handles by name, made on first use: producing by name would look the topic up
  // under a lock for every message.
  std::vector<std::pair<std::string, rd_kafka_topic_t*>> topics;

  impl() = default;
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl() override {
    for (auto& t : topics) rd_kafka_topic_destroy(t.second);
  }

  rd_kafka_topic_t* topic(std::string_view name) {
    for (auto& t : topics) {
      if (t.first == name) return t.second;
    }
    std::string owned(name);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer->c_ptr(), owned.c_str(), nullptr);
    if (rkt == nullptr) throw std::runtime_error("topic '" + owned + "': " + rd_kafka_err2str(rd_kafka_last_error()));
    topics.emplace_back(std::move(owned), rkt);
    return rkt;
  }

  void dr_cb(RdKafka::Message& m) override {
    const auto token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(m.msg_opaque()));
    if (m.err() == RdKafka::ERR_NO_ERROR) {
      all_down.store(false, std::memory_order_relaxed);
      on_delivery(token, {}, delivery_failure::none);
    } else {
      on_delivery(token, m.errstr(), failure_of(m.err()));
    }
  }

  void event_cb(RdKafka::Event& e) override {
    if (e.type() == RdKafka::Event::EVENT_LOG) {
      obs::log().log(obs::level_from_syslog(static_cast<int>(e.severity())), "kafka producer: {} {}", e.fac(), e.str());
    } else if (e.type() == RdKafka::Event::EVENT_ERROR) {
      if (e.err() == RdKafka::ERR__ALL_BROKERS_DOWN) {
        all_down.store(true, std::memory_order_relaxed);
      } else {  // the why ("Connection refused", "Authentication failed"), not the count
        last_error = e.str();
      }
      obs::log().warn("kafka producer: {} ({})", e.str(), RdKafka::err2str(e.err()));
    }
  }
};

kafka_producer::kafka_producer(const producer_config& cfg, delivery_fn on_delivery) : impl_(std::make_unique<impl>()) {
  impl_->on_delivery = std::move(on_delivery);
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::vector<std::string> problems;
  const auto set = [&](const std::string& k, const std::string& v) {
    std::string err;
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) problems.push_back("producer property " + k + ": " + err);
  };
  set("enable.idempotence", "true");
  set("message.timeout.ms", "0");
  set("linger.ms", "5");
  set("compression.type", "lz4");
  for (const auto& [k, v] : cfg.properties) set(k, v);
  set("bootstrap.servers", cfg.brokers);
  if (!cfg.transactional_id.empty()) {
    impl_->transactional = true;
    set("transactional.id", cfg.transactional_id);
    // Transactions need a finite timeout no larger than transaction.timeout.ms.
    if (!cfg.properties.count("message.timeout.ms")) set("message.timeout.ms", "60000");
  }
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(impl_.get()), err) != RdKafka::Conf::CONF_OK) {
    problems.push_back(err);
  }
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(impl_.get()), err) != RdKafka::Conf::CONF_OK) {
    problems.push_back(err);
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    throw std::runtime_error(all);
  }
  impl_->producer.reset(RdKafka::Producer::create(conf.get(), err));
  if (!impl_->producer) throw std::runtime_error("cannot create Kafka producer: " + err);
}

kafka_producer::~kafka_producer() = default;

produce_status kafka_producer::produce(std::string_view topic, std::string_view key, std::string_view payload,
                                       std::span<const header> headers, std::uint64_t token, payload_copy copy) {
  // The C API with a cached topic handle. The headers go as a list of ours, which librdkafka
  // owns once the produce succeeds and leaves to us when it fails. (Given one by one, a produce
  // the partitioner refuses, the topic's authorisation revoked, frees them twice in
  // rd_kafka_produceva: librdkafka #4627, which crashed the ACL test.)
  rd_kafka_topic_t* rkt = impl_->topic(topic);
  rd_kafka_headers_t* hs = nullptr;
  if (!headers.empty()) {
    hs = rd_kafka_headers_new(headers.size());
    for (const auto& h : headers) {
      rd_kafka_header_add(hs, h.key, -1, h.value.data(), static_cast<ssize_t>(h.value.size()));
    }
  }
  std::array<rd_kafka_vu_t, 6> a{};  // rd_kafka_producev's macros are C casts -Werror refuses
  std::size_t n = 0;
  const auto arg = [&](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    a[n].vtype = type;
    return a[n++];
  };
  arg(RD_KAFKA_VTYPE_RKT).u.rkt = rkt;
  arg(RD_KAFKA_VTYPE_MSGFLAGS).u.i = copy == payload_copy::yes ? RD_KAFKA_MSG_F_COPY : 0;
  auto& value = arg(RD_KAFKA_VTYPE_VALUE);
  value.u.mem.ptr = const_cast<char*>(payload.data());
  value.u.mem.size = payload.size();
  if (!key.empty()) {
    auto& k = arg(RD_KAFKA_VTYPE_KEY);
    k.u.mem.ptr = const_cast<char*>(key.data());
    k.u.mem.size = key.size();
  }
  arg(RD_KAFKA_VTYPE_OPAQUE).u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(token));
  if (hs != nullptr) arg(RD_KAFKA_VTYPE_HEADERS).u.headers = hs;
  rd_kafka_error_t* error = rd_kafka_produceva(impl_->producer->c_ptr(), a.data(), n);
  if (error == nullptr) return produce_status::queued;
  if (hs != nullptr) rd_kafka_headers_destroy(hs);  // on failure the headers stay ours
  const auto e = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) return produce_status::queue_full;
  if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) return produce_status::too_large;
  // The open transaction has already failed (librdkafka refuses every produce until it is
  // aborted): the caller lets the commit fail and the abort read the stories again.
  if (e == RD_KAFKA_RESP_ERR__STATE && impl_->transactional) return produce_status::transaction_failed;
  throw std::runtime_error("produce to " + std::string(topic) + ": " + rd_kafka_err2str(e));
}

bool kafka_producer::brokers_down() const { return impl_->all_down.load(std::memory_order_relaxed); }
void kafka_producer::brokers_reached() { impl_->all_down.store(false, std::memory_order_relaxed); }

const std::string& kafka_producer::last_error() const { return impl_->last_error; }

bool kafka_producer::probe_brokers(int timeout_ms) {
  RdKafka::Metadata* raw = nullptr;
  const auto e = impl_->producer->metadata(false, nullptr, &raw, timeout_ms);
  delete raw;
  if (e != RdKafka::ERR_NO_ERROR) return false;
  brokers_reached();
  return true;
}

std::vector<kafka_producer::topic_problem> kafka_producer::unusable_topics(const std::vector<std::string>& topics, int timeout_ms) {
  std::vector<topic_problem> problems;
  for (const auto& name : topics) {
    std::string err;
    std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(impl_->producer.get(), name, nullptr, err));
    if (!t) {
      problems.push_back({"topic '" + name + "': " + err});
      continue;
    }
    RdKafka::Metadata* raw = nullptr;
    if (impl_->producer->metadata(false, t.get(), &raw, timeout_ms) != RdKafka::ERR_NO_ERROR) continue;  // transient
    const std::unique_ptr<RdKafka::Metadata> md(raw);
    for (const auto* tm : *md->topics()) {
      if (tm->topic() != name) continue;
      if (tm->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) {
        problems.push_back({"topic '" + name + "' does not exist (create it; the broker does not auto-create)", true});
      } else if (tm->err() == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED) {
        problems.push_back({"topic '" + name + "': not authorised (the principal needs DESCRIBE and WRITE)"});
      }
    }
  }
  return problems;
}

namespace {
using admin_result = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;

// One admin request: submit(options, queue) sends it. Its own deadline is the caller's, so an
// unanswered request ends in a result (timed out) rather than running on after the caller
// stopped waiting; the result is waited for a little past it. Null when none came.
template <class Submit>
admin_result admin_request(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms, Submit submit) {
  char err[512];
  const std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)> options(
      rd_kafka_AdminOptions_new(rk, op), rd_kafka_AdminOptions_destroy);
  (void)rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, err, sizeof err);
  const std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> q(rd_kafka_queue_new(rk),
                                                                                  rd_kafka_queue_destroy);
  submit(options.get(), q.get());
  return {rd_kafka_queue_poll(q.get(), timeout_ms + 1000), rd_kafka_event_destroy};
}
}  // namespace

std::vector<kafka_producer::topic_problem> kafka_producer::batches_too_large_for(const std::vector<std::string>& topics,
                                                                                int timeout_ms) {
  rd_kafka_t* rk = impl_->producer->c_ptr();
  std::array<char, 32> value{};
  std::size_t size = value.size();
  std::int64_t sent = 0;
  if (rd_kafka_conf_get(rd_kafka_conf(rk), "message.max.bytes", value.data(), &size) != RD_KAFKA_CONF_OK ||
      std::from_chars(value.data(), value.data() + std::strlen(value.data()), sent).ec != std::errc{}) {
    return {};
  }
  using resource = std::unique_ptr<rd_kafka_ConfigResource_t, decltype(&rd_kafka_ConfigResource_destroy)>;
  std::vector<resource> owned;
  std::vector<rd_kafka_ConfigResource_t*> asked;
  for (const auto& t : topics) {
    owned.emplace_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.c_str()), rd_kafka_ConfigResource_destroy);
    asked.push_back(owned.back().get());
  }
  const auto ev = admin_request(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms, [&](auto* options, auto* q) {
    rd_kafka_DescribeConfigs(rk, asked.data(), asked.size(), options, q);
  });
  if (!ev || rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    obs::log().info("the output topics' max.message.bytes went unchecked: {}",
                    ev ? rd_kafka_event_error_string(ev.get()) : "no answer in time");
    return {};
  }
  std::vector<topic_problem> problems;
  std::size_t n = 0;
  const auto* const* described =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = rd_kafka_ConfigResource_name(described[i]);
    if (rd_kafka_ConfigResource_error(described[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      obs::log().info("topic '{}': max.message.bytes unchecked: {}", name,
                      rd_kafka_ConfigResource_error_string(described[i]));
      continue;
    }
    std::size_t entries = 0;
    const auto* const* configs = rd_kafka_ConfigResource_configs(described[i], &entries);
    for (std::size_t j = 0; j < entries; ++j) {
      if (std::string_view(rd_kafka_ConfigEntry_name(configs[j])) != "max.message.bytes") continue;
      const char* v = rd_kafka_ConfigEntry_value(configs[j]);
      std::int64_t limit = 0;
      if (v == nullptr || std::from_chars(v, v + std::strlen(v), limit).ec != std::errc{}) break;
      if (limit < sent + batch_framing_margin) {
        problems.push_back({"topic '" + name + "' takes record batches of at most " + std::to_string(limit) +
                            " bytes (its max.message.bytes), and the producer makes them up to " +
                            std::to_string(sent) + " (message.max.bytes): set kafka.producer message.max.bytes to " +
                            std::to_string(limit - batch_framing_margin) +
                            " or less, or raise the topic's max.message.bytes; the broker would refuse whole "
                            "batches of stories"});
      }
      break;
    }
  }
  return problems;
}

namespace {
// Errors a CreateTopics request can meet while the cluster is unreachable or between
// controllers; asked again later, the same request can succeed.
bool transient(rd_kafka_resp_err_t e) {
  switch (e) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return true;
    default:
      return false;
  }
}
}  // namespace

kafka_producer::creation kafka_producer::ensure_topic(const std::string& topic, int partitions,
                                                      const std::map<std::string, std::string>& configs,
                                                      int timeout_ms) {
  rd_kafka_t* rk = impl_->producer->c_ptr();
  char err[512];
  const std::unique_ptr<rd_kafka_NewTopic_t, decltype(&rd_kafka_NewTopic_destroy)> nt(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, err, sizeof err), rd_kafka_NewTopic_destroy);
  if (!nt) return {err};
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt.get(), k.c_str(), v.c_str());
  rd_kafka_NewTopic_t* topics[] = {nt.get()};
  const auto ev = admin_request(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms,
                                [&](auto* options, auto* q) { rd_kafka_CreateTopics(rk, topics, 1, options, q); });
  if (!ev) return {"no answer from the cluster in " + std::to_string(timeout_ms) + " ms", true};
  if (const auto e = rd_kafka_event_error(ev.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return {rd_kafka_event_error_string(ev.get()), transient(e)};
  }
  std::size_t n = 0;
  const auto* const* results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto e = rd_kafka_topic_result_error(results[i]);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      return {msg != nullptr ? msg : rd_kafka_err2str(e), transient(e)};
    }
  }
  return {};
}

void kafka_producer::poll(int timeout_ms) { impl_->producer->poll(timeout_ms); }

bool kafka_producer::flush(int timeout_ms) {
  impl_->producer->flush(timeout_ms);
  return impl_->producer->outq_len() == 0;
}

int kafka_producer::queue_length() const { return impl_->producer->outq_len(); }

namespace {
void check(RdKafka::Error* e, const char* what) {
  if (e == nullptr) return;
  const bool abortable = e->txn_requires_abort();
  const bool retriable = e->is_retriable();
  const std::string msg = std::string(what) + ": " + e->str() + (abortable ? " (abortable)" : "") +
                          (retriable ? " (retriable)" : "") + (e->is_fatal() ? " (fatal)" : "");
  delete e;
  throw transaction_error(msg, abortable, retriable);
}
}  // namespace

void kafka_producer::init_transactions(int timeout_ms) {
  check(impl_->producer->init_transactions(timeout_ms), "init_transactions");
}
void kafka_producer::send_offsets(const std::vector<core::source_position>& next,
                                  const std::shared_ptr<void>& group_metadata, int timeout_ms) {
  std::vector<RdKafka::TopicPartition*> parts;
  parts.reserve(next.size());
  for (const auto& n : next) parts.push_back(RdKafka::TopicPartition::create(n.topic, n.partition.value, n.off.value));
  RdKafka::Error* e = impl_->producer->send_offsets_to_transaction(
      parts, static_cast<RdKafka::ConsumerGroupMetadata*>(group_metadata.get()), timeout_ms);
  RdKafka::TopicPartition::destroy(parts);
  check(e, "send_offsets_to_transaction");
}

void kafka_producer::begin_transaction() { check(impl_->producer->begin_transaction(), "begin_transaction"); }
void kafka_producer::commit_transaction(int timeout_ms) {
  check(impl_->producer->commit_transaction(timeout_ms), "commit_transaction");
}
void kafka_producer::abort_transaction(int timeout_ms) {
  check(impl_->producer->abort_transaction(timeout_ms), "abort_transaction");
}

}  // namespace wirescan::sinks
