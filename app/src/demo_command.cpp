#include "demo_command.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <unistd.h>

#include "run_command.hpp"
#include "wirescan/ingest/embedded_cluster.hpp"
#include "wirescan/obs/log.hpp"
#include "wirescan/sinks/kafka_producer.hpp"

namespace wirescan::app {
namespace {

// One readable line per event for a terminal: age, headline, mentions, shocks, and the companies
// the shocks reach unnamed.
void print_readable(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) return;
  std::string mentions;
  for (const auto& m : d["mentions"].GetArray()) {
    mentions += (mentions.empty() ? "" : " ") + std::string(m["symbol"].GetString()) + "(" +
                m["asset_class"].GetString() + ")";
  }
  std::string shocks;
  const auto& all = d["policy_shocks"];
  for (rapidjson::SizeType i = 0; i < all.Size(); ++i) {
    shocks += (shocks.empty() ? "" : " ") + std::string(all[i]["category"].GetString()) + "/" + all[i]["direction"].GetString();
    // The companies this shock reaches unnamed, beside it.
    std::string reached;
    if (d.HasMember("exposures")) {
      for (const auto& x : d["exposures"].GetArray()) {
        if (x["shock"].GetUint() == i) reached += std::string(" ") + x["symbol"].GetString();
      }
    }
    if (!reached.empty()) shocks += " (reaching" + reached + ")";
  }
  std::printf("\033[1m%-10s\033[0m %s\n           mentions: %s   shocks: %s   score: %.2f   %lld us\n",
              d["story"]["id"].GetString(), d["story"]["headline"].GetString(),
              mentions.empty() ? "-" : mentions.c_str(), shocks.empty() ? "-" : shocks.c_str(),
              d["market_moving"]["score"].GetDouble(),
              static_cast<long long>(d["timing"]["processing_us"].GetInt64()));
}

}  // namespace

int run_demo(const demo_options& opts, config cfg, obs::metrics& m, const std::atomic<bool>& stop,
             std::shared_ptr<const enrich::enricher> enr) {
  std::ifstream feed(opts.feed);
  if (!feed) throw std::runtime_error("cannot open the sample feed " + opts.feed);
  std::vector<std::string> lines;
  for (std::string l; std::getline(feed, l);) lines.push_back(l);

  ingest::embedded_cluster cluster(1);
  cfg.kafka.brokers = cluster.bootstraps();
  cluster.create_topic(cfg.kafka.input_topics.front(), 3);
  cluster.create_topic(cfg.kafka.output_topic, 3);
  cluster.create_topic(cfg.kafka.dead_letter_topic, 1);
  if (cfg.novelty.enabled && cfg.novelty.persist) cluster.create_topic(cfg.novelty.topic(cfg.kafka.group_id), 1);
  obs::log().info("embedded Kafka cluster at {}; loading {} stories into {}", cfg.kafka.brokers, lines.size(),
                  cfg.kafka.input_topics.front());
  {
    sinks::kafka_producer loader({cfg.kafka.brokers, {}, {}}, [](std::uint64_t, std::string_view err, sinks::delivery_failure) {
      if (!err.empty()) obs::log().error("loading the sample feed: {}", err);
    });
    for (const auto& l : lines) {
      while (loader.produce(cfg.kafka.input_topics.front(), {}, l, {}, 0) == sinks::produce_status::queue_full) {
        loader.poll(10);
      }
    }
    if (!loader.flush(10000)) throw std::runtime_error("could not load the sample feed into the embedded cluster");
  }

  const bool json = opts.json || ::isatty(STDOUT_FILENO) != 1;
  run_options ro;
  ro.enricher = std::move(enr);
  ro.stop_after = opts.keep_running ? 0 : lines.size();
  ro.check_topic_limits = false;  // the embedded cluster cannot answer it (run_options)
  ro.on_event = [json](std::string_view event) {
    if (json) {
      std::fwrite(event.data(), 1, event.size(), stdout);
      std::fputc('\n', stdout);
    } else {
      print_readable(event);
    }
  };
  const int code = run_service(cfg, m, stop, ro);
  std::fflush(stdout);
  std::fprintf(stderr, "wirescan demo: %zu stories through the embedded cluster: %.0f events, %.0f dead letters\n",
               lines.size(), m.events_published(), m.dead_letters());
  return code;
}

}  // namespace wirescan::app
