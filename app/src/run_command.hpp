#pragma once
// `wirescan run`: the Kafka service. Consumes stories in a consumer group, runs the shared
// pipeline, publishes each event (or dead letter) and stores the input offset only after
// that output's delivery report, as the contiguous low watermark per partition.

#include <atomic>
#include <chrono>
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
  // Ask the cluster at start whether the output topics take the batches the producer makes
  // (kafka_producer::batches_too_large_for). The embedded cluster has no controller to answer
  // DescribeConfigs, and the demo would wait 10 s for nothing.
  bool check_topic_limits = true;
};

// What the run loop is waiting for when it fetches, and so how long the fetch may sleep (ms).
// - Stories being prepared: not at all; the loop waits for them instead.
// - Delivery reports: a millisecond at most. They are served on the loop's thread between
//   fetches, and a story counts as published, observes its latency and stores its offset only
//   then (with 100 ms, a quiet wire's wirescan_broker_to_emit_seconds read about 105 ms where
//   the broker's own append times said 10, and the last stories of a burst waited as long).
// - An open novelty state batch: a millisecond at most too, as it goes out at its age, not as
//   soon as there is nothing to fetch (on a wire of single stories that was after every story:
//   1,720 state records for 2,000 stories at 2,000 a second, which every instance reads back).
// - Either of those with every broker down: 20 ms. No report can come, and the loop's thread
//   woke a thousand times a second for nothing: 1.0-1.1% of a core during a network cut with
//   17,000 stories in flight, 0.2% with 20 ms. Once a broker answers, the first reports wait
//   at most 20 ms more, after an outage of seconds.
// - Nothing: 100 ms, or 10 with exactly-once, whose open transaction is finished on time.
struct loop_state {
  bool preparing = false;
  bool awaiting = false;  // delivery reports, or an open state batch's age
  bool brokers_up = true;  // as /readyz reports them
  bool exactly_once = false;
};
[[nodiscard]] int fetch_wait_ms(const loop_state& s);

// Whether the output has stalled: stories in flight and none of them completed for the limit.
// A hung broker (a frozen JVM, a stuck disk) or a network path that drops packets without a
// reset keeps every connection open, so librdkafka says nothing until a request times out
// (60 s) or the group session expires (45 s); until then the instance looked ready and healthy
// with nothing coming out. Throttling is no stall: completions slow down but keep coming.
class delivery_watch {
 public:
  using clock = std::chrono::steady_clock;
  enum class change : std::uint8_t { none, stalled, resumed };

  // limit 0: never stalled.
  delivery_watch(std::chrono::milliseconds limit, clock::time_point now) : limit_(limit), last_progress_(now) {}

  // Called on each turn of the run loop with the tracker's counts: stories in flight, and
  // stories completed so far (a running total).
  change observe(std::uint64_t in_flight, std::uint64_t completed, clock::time_point now) {
    const auto quiet_since = last_progress_;
    if (in_flight == 0 || completed != completed_) {
      completed_ = completed;
      last_progress_ = now;
    }
    const bool stalled = limit_.count() > 0 && now - last_progress_ >= limit_;
    if (stalled == stalled_) return change::none;
    stalled_ = stalled;
    stalled_for_ = now - quiet_since;
    return stalled ? change::stalled : change::resumed;
  }

  [[nodiscard]] bool stalled() const { return stalled_; }
  // Since the last completion, or since nothing was in flight: normally milliseconds.
  [[nodiscard]] clock::duration quiet(clock::time_point now) const { return now - last_progress_; }
  // At the last change: how long nothing had completed.
  [[nodiscard]] clock::duration stalled_for() const { return stalled_for_; }

 private:
  std::chrono::milliseconds limit_;
  clock::time_point last_progress_;
  std::uint64_t completed_ = 0;
  bool stalled_ = false;
  clock::duration stalled_for_{};
};

// At the end of a drain: how long the final commit and the group's leave may wait on the
// group coordinator before the process exits 1 on its own (app/src/exit_deadline.hpp). Each
// is one round trip, normally milliseconds; a hung broker never answers. A pod's termination
// grace period must exceed stop_budget, below.
inline constexpr std::chrono::milliseconds leave_budget{10000};

// The most a stop may take, from the signal to the exit, before the process exits 1 on its own
// (stop_deadline, app/src/exit_deadline.hpp): the unready delay, the drain, either an
// exactly_once transaction's last offsets and commit or the wait for a first assignment (each
// bounded by drain_timeout_ms), the leave, and 5 s for destroying the clients. A pod's
// termination grace period must exceed it.
constexpr std::chrono::milliseconds stop_budget(int shutdown_delay_ms, int drain_timeout_ms) {
  return std::chrono::milliseconds(shutdown_delay_ms) + 2 * std::chrono::milliseconds(drain_timeout_ms) + leave_budget +
         std::chrono::seconds(5);
}

// Returns the process exit code: 0 after a clean drain, 1 when stories could not be
// delivered (nothing past them is committed; a restart re-reads them).
// Throws std::runtime_error on a start-up failure (bad librdkafka property).
int run_service(const config& cfg, obs::metrics& m, const std::atomic<bool>& stop, const run_options& opts = {});

}  // namespace wirescan::app
