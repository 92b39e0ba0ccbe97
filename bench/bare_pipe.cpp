// The floor for `wirescan run`: a bare librdkafka consume -> produce pipe with wirescan's own
// client settings, copying each payload to the output topic unchanged. No decoding, no
// enrichment, no offset bookkeeping beyond auto-commit.
//
//   bench/bare_pipe BROKERS INPUT_TOPIC OUTPUT_TOPIC GROUP COUNT [p.PROP=VALUE | c.PROP=VALUE ...]
//
// Extra arguments override a producer (p.) or consumer (c.) property, as wirescan's
// kafka.producer and kafka.consumer maps do (bench/latency.py sets linger.ms and
// fetch.wait.max.ms this way). Prints "bare_pipe ready" once partitions are assigned, then one
// line: "bare_pipe COUNT messages in SECONDS s", timed from the first message consumed to the
// COUNT-th delivery report.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

namespace {

using clk = std::chrono::steady_clock;

struct counter : RdKafka::DeliveryReportCb {
  long delivered = 0;
  long failed = 0;
  void dr_cb(RdKafka::Message& m) override { ++(m.err() ? failed : delivered); }
};

void set(RdKafka::Conf& c, const char* k, const std::string& v) {
  std::string err;
  if (c.set(k, v, err) != RdKafka::Conf::CONF_OK) {
    std::fprintf(stderr, "bare_pipe: %s: %s\n", k, err.c_str());
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bare_pipe BROKERS INPUT_TOPIC OUTPUT_TOPIC GROUP COUNT [p.PROP=VALUE|c.PROP=VALUE ...]\n");
    return 2;
  }
  const std::string brokers = argv[1], in = argv[2], out = argv[3], group = argv[4];
  const long count = std::atol(argv[5]);
  counter dr;
  std::string err;
  // The same settings wirescan's consumer and producer use by default (ingest/, sinks/).
  std::unique_ptr<RdKafka::Conf> pc(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set(*pc, "bootstrap.servers", brokers);
  set(*pc, "enable.idempotence", "true");
  set(*pc, "message.timeout.ms", "0");
  set(*pc, "linger.ms", "5");
  set(*pc, "compression.type", "lz4");
  pc->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&dr), err);
  std::vector<std::pair<std::string, std::string>> consumer_overrides;
  for (int i = 6; i < argc; ++i) {
    const std::string a = argv[i];
    const auto eq = a.find('=');
    if (a.size() < 3 || a[1] != '.' || eq == std::string::npos || (a[0] != 'p' && a[0] != 'c')) {
      std::fprintf(stderr, "bare_pipe: '%s' is not p.PROP=VALUE or c.PROP=VALUE\n", a.c_str());
      return 2;
    }
    if (a[0] == 'p') {
      set(*pc, a.substr(2, eq - 2).c_str(), a.substr(eq + 1));
    } else {
      consumer_overrides.emplace_back(a.substr(2, eq - 2), a.substr(eq + 1));
    }
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pc.get(), err));
  std::unique_ptr<RdKafka::Conf> cc(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set(*cc, "bootstrap.servers", brokers);
  set(*cc, "group.id", group);
  set(*cc, "partition.assignment.strategy", "cooperative-sticky");
  set(*cc, "enable.auto.commit", "true");
  set(*cc, "auto.commit.interval.ms", "1000");
  set(*cc, "auto.offset.reset", "earliest");
  set(*cc, "enable.partition.eof", "false");
  set(*cc, "statistics.interval.ms", "5000");
  for (const auto& [k, v] : consumer_overrides) set(*cc, k.c_str(), v);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(cc.get(), err));
  if (!producer || !consumer) {
    std::fprintf(stderr, "bare_pipe: %s\n", err.c_str());
    return 1;
  }
  // wirescan asks about its output topics before it consumes, which also connects the producer
  // and gets its idempotence id; do the same so neither pays that inside the timed window.
  {
    std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(producer.get(), out, nullptr, err));
    RdKafka::Metadata* md = nullptr;
    if (producer->metadata(false, t.get(), &md, 10000) == RdKafka::ERR_NO_ERROR) delete md;
  }
  consumer->subscribe({in});
  long consumed = 0;
  clk::time_point t0;
  bool ready = false;
  while (dr.delivered + dr.failed < count) {
    // Once everything is consumed, only delivery reports are left to wait for.
    if (consumed >= count) {
      producer->poll(10);
      continue;
    }
    std::unique_ptr<RdKafka::Message> m(consumer->consume(10));
    if (!ready) {
      std::vector<RdKafka::TopicPartition*> parts;
      if (consumer->assignment(parts) == RdKafka::ERR_NO_ERROR && !parts.empty()) {
        ready = true;
        std::printf("bare_pipe ready\n");
        std::fflush(stdout);
      }
      RdKafka::TopicPartition::destroy(parts);
    }
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      if (consumed++ == 0) t0 = clk::now();
      for (;;) {
        const auto e = producer->produce(out, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                         m->payload(), m->len(), m->key_pointer(), m->key_len(), 0, nullptr);
        if (e != RdKafka::ERR__QUEUE_FULL) break;
        producer->poll(50);
      }
    }
    producer->poll(0);
  }
  const double s = std::chrono::duration<double>(clk::now() - t0).count();
  std::printf("bare_pipe %ld messages in %.3f s (%ld failed)\n", count, s, dr.failed);
  consumer->close();
  return dr.failed == 0 ? 0 : 1;
}
