#pragma once
// Private to ingest/: a librdkafka client's logs and errors through the service's log (named
// "kafka <client>: ..."), not librdkafka's own stderr lines, and the two signals the consumer
// takes from the same callback: every broker down, and statistics.

#include <atomic>
#include <functional>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "wirescan/ingest/kafka_stats.hpp"
#include "wirescan/obs/log.hpp"

namespace wirescan::ingest {

class client_log : public RdKafka::EventCb {
 public:
  explicit client_log(std::string client) : client_(std::move(client)) {}

  std::atomic<bool> all_down{false};
  std::function<void(const consumer_stats&)> on_stats;

  void event_cb(RdKafka::Event& e) override {
    if (e.type() == RdKafka::Event::EVENT_STATS) {
      if (on_stats) {
        if (const auto st = parse_consumer_stats(e.str())) on_stats(*st);
      }
      return;
    }
    if (e.type() == RdKafka::Event::EVENT_ERROR && e.err() == RdKafka::ERR__ALL_BROKERS_DOWN) all_down = true;
    if (e.type() == RdKafka::Event::EVENT_LOG) {
      obs::log().log(obs::level_from_syslog(static_cast<int>(e.severity())), "kafka {}: {} {}", client_, e.fac(),
                     e.str());
    } else if (e.type() == RdKafka::Event::EVENT_ERROR) {
      obs::log().warn("kafka {}: {} ({})", client_, e.str(), RdKafka::err2str(e.err()));
    }
  }

 private:
  std::string client_;
};

}  // namespace wirescan::ingest
