#include "wirescan/ingest/topic_follower.hpp"

#include <set>
#include <stdexcept>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "client_log.hpp"
#include "wirescan/obs/log.hpp"

namespace wirescan::ingest {

struct topic_follower::impl {
  client_log logs{"state reader"};  // outlives the consumer, which calls it
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::string topic;
  std::size_t partitions = 0;
};

topic_follower::topic_follower(const std::string& brokers, const std::string& topic,
                               const std::map<std::string, std::string>& props)
    : impl_(std::make_unique<impl>()) {
  impl_->topic = topic;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  std::vector<std::string> problems;
  const auto set = [&](const std::string& k, const std::string& v) {
    // Values are never echoed: they may be passwords.
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) problems.push_back("state reader property " + k + ": " + err);
  };
  for (const auto& [k, v] : props) {
    if (k.rfind("group.", 0) == 0 || k.rfind("session.", 0) == 0 || k == "partition.assignment.strategy" ||
        k == "auto.offset.reset" || k.rfind("enable.auto.", 0) == 0 || k.rfind("auto.commit", 0) == 0) {
      continue;
    }
    set(k, v);
  }
  set("bootstrap.servers", brokers);
  // librdkafka's KafkaConsumer wants a group id even for assign(); it never joins or commits.
  set("group.id", "wirescan-state-reader");
  set("enable.auto.commit", "false");
  set("enable.auto.offset.store", "false");
  set("enable.partition.eof", "true");
  set("isolation.level", "read_committed");
  // A fetch returns as soon as one byte has arrived, so a long wait costs the state no
  // freshness; the consumer's own wait (10 ms in a low-latency setup) would make this reader
  // ask the broker a hundred times a second on an idle wire.
  set("fetch.min.bytes", "1");
  set("fetch.wait.max.ms", "500");
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&impl_->logs), err) != RdKafka::Conf::CONF_OK) {
    problems.push_back("state reader: " + err);
  }
  if (!problems.empty()) throw std::runtime_error(problems.front());
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!impl_->consumer) throw std::runtime_error("state reader: " + err);
}

std::string topic_follower::assign_partitions(std::chrono::milliseconds timeout) {
  if (impl_->partitions > 0) return {};
  const auto& topic = impl_->topic;
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(impl_->consumer.get(), topic, nullptr, err));
  if (!t) return "state topic " + topic + ": " + err;
  RdKafka::Metadata* raw = nullptr;
  const auto rc = impl_->consumer->metadata(false, t.get(), &raw, static_cast<int>(timeout.count()));
  const std::unique_ptr<RdKafka::Metadata> md(raw);
  if (rc != RdKafka::ERR_NO_ERROR) return "state topic " + topic + ": " + RdKafka::err2str(rc);
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto* tm : *md->topics()) {
    if (tm->topic() != topic) continue;
    if (tm->err() != RdKafka::ERR_NO_ERROR) return "state topic " + topic + ": " + RdKafka::err2str(tm->err());
    for (const auto* pm : *tm->partitions()) {
      parts.push_back(RdKafka::TopicPartition::create(topic, pm->id(), RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  const auto assigned = parts.empty() ? RdKafka::ERR__UNKNOWN_PARTITION : impl_->consumer->assign(parts);
  const auto n = parts.size();
  RdKafka::TopicPartition::destroy(parts);
  if (assigned != RdKafka::ERR_NO_ERROR) {
    return "state topic " + topic + ": cannot read its partitions: " + RdKafka::err2str(assigned);
  }
  impl_->partitions = n;
  return {};
}

topic_follower::~topic_follower() {
  if (impl_->consumer) impl_->consumer->close();
}

bool topic_follower::catch_up(const std::function<void(std::string_view)>& fn, std::chrono::milliseconds timeout,
                              const std::function<bool()>& keep_going) {
  if (impl_->partitions == 0) throw std::logic_error("topic_follower::catch_up before assign_partitions");
  std::set<std::int32_t> at_end;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (at_end.size() < impl_->partitions) {
    if (std::chrono::steady_clock::now() > deadline || !keep_going()) return false;
    const std::unique_ptr<RdKafka::Message> m(impl_->consumer->consume(100));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      at_end.insert(m->partition());
    } else if (m->err() == RdKafka::ERR_NO_ERROR) {
      fn({static_cast<const char*>(m->payload()), m->len()});
    } else if (m->err() != RdKafka::ERR__TIMED_OUT) {
      obs::log().warn("novelty state topic {}: {}", impl_->topic, m->errstr());
    }
  }
  return true;
}

std::size_t topic_follower::poll(const std::function<void(std::string_view)>& fn) {
  std::size_t n = 0;
  for (;;) {
    const std::unique_ptr<RdKafka::Message> m(impl_->consumer->consume(0));
    if (m->err() == RdKafka::ERR__TIMED_OUT) return n;
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      fn({static_cast<const char*>(m->payload()), m->len()});
      ++n;
    } else if (m->err() != RdKafka::ERR__PARTITION_EOF) {
      obs::log().warn("novelty state topic {}: {}", impl_->topic, m->errstr());
      return n;
    }
  }
}

}  // namespace wirescan::ingest
