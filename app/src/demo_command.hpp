#pragma once
// `wirescan demo`: the embedded default. Starts an in-process Kafka-protocol cluster,
// loads the bundled sample feed into its input topic, and runs the very same service path
// as `wirescan run` against it, printing each event as it is delivered.

#include <atomic>
#include <string>

#include "config.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/obs/metrics.hpp"

namespace wirescan::app {

struct demo_options {
  std::string feed = "data/sample-feed.jsonl";
  bool json = false;  // JSON Lines even on a terminal (always when stdout is not one)
  bool keep_running = false;  // keep consuming and serving metrics until SIGINT/SIGTERM
};

int run_demo(const demo_options& opts, config cfg, obs::metrics& m, const std::atomic<bool>& stop,
             std::shared_ptr<const enrich::enricher> enr);

}  // namespace wirescan::app
