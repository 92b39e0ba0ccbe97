#include "wirescan/ingest/kafka_consumer.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <regex.h>

#include "client_log.hpp"
#include "wirescan/core/story.hpp"
#include "wirescan/obs/log.hpp"

namespace wirescan::ingest {
namespace {

void set(RdKafka::Conf& conf, const std::string& k, const std::string& v, std::vector<std::string>& problems) {
  std::string err;
  // Values are never echoed: they may be passwords.
  if (conf.set(k, v, err) != RdKafka::Conf::CONF_OK) problems.push_back("consumer property " + k + ": " + err);
}

std::vector<topic_partition> convert(const std::vector<RdKafka::TopicPartition*>& ps) {
  std::vector<topic_partition> out;
  out.reserve(ps.size());
  for (const auto* p : ps) out.push_back({p->topic(), core::partition_id{p->partition()}});
  return out;
}

}  // namespace

struct kafka_consumer::impl : RdKafka::RebalanceCb {
  hooks h;
  client_log logs{"consumer"};
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::size_t assigned = 0;
  std::size_t rebalances = 0;  // rebalance callbacks served, assignments and revocations
  bool member = false;         // an assignment, empty or not, and none lost since
  bool closed = false;
  bool transactional = false;
  // What a hook threw inside a librdkafka call (a rebalance is served inside poll and close):
  // held, and rethrown once that call has returned, for an exception must not unwind through
  // librdkafka's C frames (it left the handle half-closed, and its destructor closed it again).
  std::exception_ptr hook_failure;
  std::vector<std::string> topics;  // the subscription: names, or regexes starting with '^'

  // Whether this member may have sent a JoinGroup. librdkafka 2.0.2 sends none while no topic
  // matches the subscription: its cgrp debug log says "no matching topics" and it looks at the
  // metadata again every 2 s. A member with a member id has joined; one without may still be
  // about to, unless a fresh look at the cluster's topics finds none it subscribes to. When
  // that look fails, or a pattern does not compile, the answer is yes: the cautious one.
  bool may_have_joined(std::chrono::milliseconds timeout) const {
    return !consumer->memberid().empty() || subscribed_topic_exists(timeout).value_or(true);
  }

  // Whether the cluster has a topic the subscription names or matches; nullopt when the
  // cluster did not answer within timeout or a pattern does not compile.
  std::optional<bool> subscribed_topic_exists(std::chrono::milliseconds timeout) const {
    RdKafka::Metadata* raw = nullptr;
    // Every topic, not the subscribed ones by name: asking for a missing topic by name can
    // create it on a broker with auto.create.topics.enable.
    if (consumer->metadata(true, nullptr, &raw, static_cast<int>(timeout.count())) != RdKafka::ERR_NO_ERROR) {
      return std::nullopt;
    }
    const std::unique_ptr<RdKafka::Metadata> md(raw);
    for (const auto& t : topics) {
      if (t.rfind('^', 0) != 0) {
        for (const auto* tm : *md->topics()) {
          if (tm->topic() == t) return true;
        }
        continue;
      }
      // Matched as librdkafka matches a subscribed pattern (rdregex.c): libc's POSIX regex.
      regex_t re;
      if (::regcomp(&re, t.c_str(), REG_EXTENDED | REG_NOSUB) != 0) return std::nullopt;
      bool any = false;
      for (const auto* tm : *md->topics()) {
        if (::regexec(&re, tm->topic().c_str(), 0, nullptr, 0) == 0) any = true;
      }
      ::regfree(&re);
      if (any) return true;
    }
    return false;
  }

  template <class F>
  void hold_failure(F&& hook) {
    try {
      hook();
    } catch (...) {
      if (!hook_failure) hook_failure = std::current_exception();
    }
  }
  void rethrow_hook_failure() {
    if (hook_failure) std::rethrow_exception(std::exchange(hook_failure, nullptr));
  }

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = c->rebalance_protocol() == "COOPERATIVE";
    ++rebalances;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      member = true;
      if (cooperative) {
        if (auto e = c->incremental_assign(partitions)) obs::log().error("incremental_assign: {}", e->str());
        assigned += partitions.size();
      } else {
        c->assign(partitions);
        assigned = partitions.size();
      }
      obs::log().info("assigned {} partition(s), {} in all", partitions.size(), assigned);
      if (h.on_assign) hold_failure([&] { h.on_assign(convert(partitions)); });
      return;
    }
    const bool lost = c->assignment_lost();
    if (lost) member = false;  // the group moved on without this member: it joins again
    if (h.on_revoke) hold_failure([&] { h.on_revoke(convert(partitions), lost); });
    if (!lost && !transactional) {
      const auto e = c->commitSync();
      if (e != RdKafka::ERR_NO_ERROR && e != RdKafka::ERR__NO_OFFSET) {
        obs::log().warn("commit on revoke failed: {}", RdKafka::err2str(e));
      }
    }
    if (cooperative) {
      if (auto e = c->incremental_unassign(partitions)) obs::log().error("incremental_unassign: {}", e->str());
      assigned -= std::min(assigned, partitions.size());
    } else {
      c->unassign();
      assigned = 0;
    }
    obs::log().info("revoked {} partition(s){}, {} left", partitions.size(), lost ? " (lost)" : "", assigned);
  }
};

kafka_consumer::kafka_consumer(const consumer_config& cfg, hooks h) : impl_(std::make_unique<impl>()) {
  impl_->h = std::move(h);
  impl_->transactional = cfg.transactional;
  impl_->topics = cfg.topics;
  impl_->logs.on_stats = impl_->h.on_stats;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::vector<std::string> problems;
  // Defaults first; the pass-through map may override the tuning ones.
  set(*conf, "partition.assignment.strategy", "cooperative-sticky", problems);
  set(*conf, "enable.auto.commit", "true", problems);
  set(*conf, "auto.commit.interval.ms", "1000", problems);
  set(*conf, "auto.offset.reset", "earliest", problems);
  set(*conf, "enable.partition.eof", "false", problems);
  set(*conf, "statistics.interval.ms", "5000", problems);
  for (const auto& [k, v] : cfg.properties) set(*conf, k, v, problems);
  // Forced: the at-least-once contract depends on these.
  set(*conf, "bootstrap.servers", cfg.brokers, problems);
  set(*conf, "group.id", cfg.group_id, problems);
  set(*conf, "enable.auto.offset.store", "false", problems);
  if (cfg.transactional) {
    set(*conf, "enable.auto.commit", "false", problems);
    set(*conf, "isolation.level", "read_committed", problems);
  }
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(impl_.get()), err) != RdKafka::Conf::CONF_OK) {
    problems.push_back(err);
  }
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&impl_->logs), err) != RdKafka::Conf::CONF_OK) {
    problems.push_back(err);
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    throw std::runtime_error(all);
  }
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!impl_->consumer) throw std::runtime_error("cannot create Kafka consumer: " + err);
  if (const auto e = impl_->consumer->subscribe(cfg.topics); e != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("cannot subscribe: " + RdKafka::err2str(e));
  }
}

kafka_consumer::~kafka_consumer() {
  if (impl_->closed) return;
  try {
    close();
  } catch (const std::exception& e) {
    // Closed while unwinding from another failure: this one is only said.
    obs::log().error("closing the consumer: {}", e.what());
  }
}

std::optional<consumed_message> kafka_consumer::poll(std::chrono::milliseconds timeout) {
  consumed_message out;
  if (!poll(out, timeout)) return std::nullopt;
  return out;
}

bool kafka_consumer::poll(consumed_message& out, std::chrono::milliseconds timeout) {
  // The C API: the C++ one wraps every message, and every empty poll, in a heap object and
  // copies the topic name into a string of its own.
  rd_kafka_message_t* raw = rd_kafka_consumer_poll(impl_->consumer->c_ptr(), static_cast<int>(timeout.count()));
  const std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> m(raw, rd_kafka_message_destroy);
  impl_->rethrow_hook_failure();  // a message polled with it is dropped, its offset not stored
  if (raw == nullptr) return false;
  switch (m->err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR: {
      // assign(), not a new string: the buffers out already has are reused (core::clear_for_reuse
      // lets go of one a long story grew).
      core::clear_for_reuse(out.payload);
      out.pos.topic.assign(rd_kafka_topic_name(m->rkt));
      out.pos.partition = core::partition_id{m->partition};
      out.pos.off = core::offset{m->offset};
      out.payload.assign(static_cast<const char*>(m->payload), m->len);
      if (m->key != nullptr) {
        out.key.assign(static_cast<const char*>(m->key), m->key_len);
      } else {
        out.key.clear();
      }
      out.broker_time = core::epoch_ms{rd_kafka_message_timestamp(m.get(), nullptr)};
      return true;
    }
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__PARTITION_EOF: return false;
    default:
      if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        throw std::runtime_error(std::string("fatal consumer error: ") + rd_kafka_message_errstr(m.get()));
      }
      obs::log().warn("consume: {}", rd_kafka_message_errstr(m.get()));
      return false;
  }
}

void kafka_consumer::store_offsets(std::span<const done_up_to> progress) {
  if (progress.empty()) return;
  const std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> list(
      rd_kafka_topic_partition_list_new(static_cast<int>(progress.size())), rd_kafka_topic_partition_list_destroy);
  for (const auto& p : progress) {
    rd_kafka_topic_partition_list_add(list.get(), p.topic->c_str(), p.partition.value)->offset = p.next.value;
  }
  const auto e = rd_kafka_offsets_store(impl_->consumer->c_ptr(), list.get());
  if (e == RD_KAFKA_RESP_ERR__INVALID_ARG) {
    obs::log().warn("offsets_store: {}", rd_kafka_err2str(e));
    return;
  }
  // Per partition, whatever the call returned. __STATE: the partition is no longer
  // assigned; its new owner re-reads from the commit.
  for (int i = 0; i < list->cnt; ++i) {
    const auto& p = list->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR && p.err != RD_KAFKA_RESP_ERR__STATE) {
      obs::log().warn("offsets_store {}[{}]@{}: {}", p.topic, p.partition, p.offset, rd_kafka_err2str(p.err));
    }
  }
}

bool kafka_consumer::commit() {
  const auto e = impl_->consumer->commitSync();
  if (e == RdKafka::ERR_NO_ERROR || e == RdKafka::ERR__NO_OFFSET) return true;
  obs::log().warn("commit failed: {}", RdKafka::err2str(e));
  return false;
}

void kafka_consumer::rewind_to_committed() {
  std::vector<RdKafka::TopicPartition*> parts;
  if (impl_->consumer->assignment(parts) != RdKafka::ERR_NO_ERROR) return;
  if (const auto e = impl_->consumer->committed(parts, 10000); e != RdKafka::ERR_NO_ERROR) {
    RdKafka::TopicPartition::destroy(parts);
    throw std::runtime_error("cannot read committed offsets to rewind: " + RdKafka::err2str(e));
  }
  for (auto* p : parts) {
    // No commit yet: start where a fresh member would (auto.offset.reset=earliest).
    if (p->offset() < 0) p->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
    if (const auto e = impl_->consumer->seek(*p, 10000); e != RdKafka::ERR_NO_ERROR) {
      obs::log().warn("rewind {}[{}]: {}", p->topic(), p->partition(), RdKafka::err2str(e));
    }
  }
  RdKafka::TopicPartition::destroy(parts);
}

std::shared_ptr<void> kafka_consumer::group_metadata() {
  return std::shared_ptr<void>(impl_->consumer->groupMetadata(),
                               [](void* p) { delete static_cast<RdKafka::ConsumerGroupMetadata*>(p); });
}

void kafka_consumer::close(std::chrono::milliseconds first_assignment_wait) {
  if (impl_->closed) return;
  impl_->closed = true;
  // librdkafka 2.0.2 aborts the process around a cooperative-sticky member that joined the
  // group but has not received its first assignment: close() asserts while that assignment
  // is in progress (rd_kafka_cgrp_terminated, librdkafka#4792), and destroying the handle
  // asserts on the sticky assignor's state, still NULL (librdkafka#4312, fixed in 2.2.0). A
  // SIGTERM in the first seconds after start lands there (the first abort in a CI run, the
  // second within seconds under tests/stress/close_churn --no-wait).
  // So such a member first waits, bounded, for its first assignment. Nothing is processed
  // meanwhile: a message that arrives after the assignment is dropped with its offset
  // unstored, so the next owner reads it.
  // A member whose subscription matches no topic has not joined (may_have_joined): it has no
  // assignment coming and closes at once. A misspelt or not yet created input topic used to
  // hold every stop for the whole wait.
  if (impl_->rebalances == 0 && !impl_->logs.all_down.load() && first_assignment_wait.count() > 0) {
    if (!impl_->may_have_joined(std::min(first_assignment_wait, std::chrono::milliseconds(2000)))) {
      obs::log().info("closing before the first assignment: no subscribed topic exists, so this member has not "
                      "joined the group; closing at once");
    } else {
      obs::log().info("closing before the first assignment: waiting up to {} ms for it (librdkafka 2.0.2 would abort)",
                      first_assignment_wait.count());
      const auto until = std::chrono::steady_clock::now() + first_assignment_wait;
      while (impl_->rebalances == 0 && std::chrono::steady_clock::now() < until) {
        std::unique_ptr<RdKafka::Message> m(impl_->consumer->consume(20));
        impl_->rethrow_hook_failure();
      }
      // Still none: the group is stuck rebalancing (waiting out a dead member's session, say).
      // Closing can still abort, but waiting longer would overrun the shutdown deadline.
      if (impl_->rebalances == 0) {
        obs::log().warn("no assignment within {} ms; closing anyway", first_assignment_wait.count());
      }
    }
  }
  impl_->consumer->close();
  impl_->rethrow_hook_failure();
}

bool kafka_consumer::brokers_down() const { return impl_->logs.all_down.load(); }

bool kafka_consumer::probe_brokers(std::chrono::milliseconds timeout) {
  RdKafka::Metadata* md = nullptr;
  const auto e = impl_->consumer->metadata(false, nullptr, &md, static_cast<int>(timeout.count()));
  delete md;
  if (e == RdKafka::ERR_NO_ERROR) impl_->logs.all_down = false;
  return e == RdKafka::ERR_NO_ERROR;
}

std::size_t kafka_consumer::assignment_size() const { return impl_->assigned; }

bool kafka_consumer::in_group() const { return impl_->member; }

std::optional<bool> kafka_consumer::subscribed_topic_exists(std::chrono::milliseconds timeout) const {
  return impl_->subscribed_topic_exists(timeout);
}

}  // namespace wirescan::ingest
