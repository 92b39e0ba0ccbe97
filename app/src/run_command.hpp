#pragma once
// `wirescan run`: the Kafka service. Consumes stories in a consumer group, runs the shared
// pipeline, publishes each event (or dead letter) and stores the input offset only after
// that output's delivery report, as the contiguous low watermark per partition.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "config.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/obs/metrics.hpp"

namespace wirescan::app {

struct run_options {
  // Stop (and drain) once this many stories are done; 0 runs until stop is set.
  std::uint64_t stop_after = 0;
  // Called with each delivered event's JSON (the demo prints them); may be empty.
  std::function<void(std::string_view)> on_event;
  // Set by SIGHUP: reload the rules between two stories.
  std::atomic<bool>* reload = nullptr;
  // The enricher to start with (loaded from cfg when empty).
  std::shared_ptr<const enrich::enricher> enricher;
};

// Returns the process exit code: 0 after a clean drain, 1 when stories could not be
// delivered (nothing past them is committed; a restart re-reads them).
// Throws std::runtime_error on a start-up failure (bad librdkafka property).
int run_service(const config& cfg, obs::metrics& m, const std::atomic<bool>& stop, const run_options& opts = {});

}  // namespace wirescan::app
