// How long `wirescan run`'s fetch may sleep, for what its loop is waiting for.

#include <catch2/catch_test_macros.hpp>

#include "run_command.hpp"

using wirescan::app::fetch_wait_ms;
using wirescan::app::loop_state;

TEST_CASE("the run loop's fetch does not sleep while stories are being prepared", "[run]") {
  CHECK(fetch_wait_ms({.preparing = true}) == 0);
  CHECK(fetch_wait_ms({.preparing = true, .awaiting = true, .brokers_up = false}) == 0);
  CHECK(fetch_wait_ms({.preparing = true, .exactly_once = true}) == 0);
}

TEST_CASE("the run loop's fetch sleeps a millisecond at most while delivery reports are due", "[run]") {
  CHECK(fetch_wait_ms({.awaiting = true}) == 1);
  CHECK(fetch_wait_ms({.awaiting = true, .exactly_once = true}) == 1);
}

TEST_CASE("with every broker down, the run loop stops waking every millisecond for reports that cannot come",
          "[run]") {
  const int down = fetch_wait_ms({.awaiting = true, .brokers_up = false});
  CHECK(down >= 10);
  // but not so long that the first reports after the outage wait long, or the loop falls
  // behind its idle pace
  CHECK(down <= fetch_wait_ms({}));
  CHECK(fetch_wait_ms({.awaiting = true, .brokers_up = false, .exactly_once = true}) == down);
}

TEST_CASE("the run loop's fetch sleeps longest on an idle wire, less under exactly-once", "[run]") {
  CHECK(fetch_wait_ms({}) == 100);
  CHECK(fetch_wait_ms({.brokers_up = false}) == 100);
  CHECK(fetch_wait_ms({.exactly_once = true}) == 10);
}

// The delivery watch: stories in flight and none completed for the limit is a stall.
using wirescan::app::delivery_watch;
using change = delivery_watch::change;
using namespace std::chrono_literals;

TEST_CASE("the delivery watch calls a stall only with stories in flight and none completed for its limit", "[run]") {
  const auto t0 = delivery_watch::clock::now();
  delivery_watch w(2000ms, t0);
  // Idle: nothing in flight is never a stall, however long.
  CHECK(w.observe(0, 0, t0 + 60s) == change::none);
  CHECK(w.quiet(t0 + 60s) == 0s);
  // Stories in flight, completing: no stall across many limits.
  std::uint64_t completed = 0;
  for (auto t = t0 + 60s; t < t0 + 70s; t += 500ms) CHECK(w.observe(100, completed += 10, t) == change::none);
  CHECK_FALSE(w.stalled());
  // In flight, and no completion since t0 + 69.5 s.
  CHECK(w.observe(100, completed, t0 + 71s) == change::none);
  CHECK(w.observe(100, completed, t0 + 71s + 499ms) == change::none);
  CHECK(w.observe(100, completed, t0 + 71s + 500ms) == change::stalled);
  CHECK(w.stalled());
  CHECK(w.stalled_for() == 2000ms);
  CHECK(w.observe(100, completed, t0 + 80s) == change::none);  // said once
  CHECK(w.quiet(t0 + 80s) == 10500ms);
  // One completion ends it, and says how long nothing had completed.
  CHECK(w.observe(99, completed + 1, t0 + 81s) == change::resumed);
  CHECK_FALSE(w.stalled());
  CHECK(w.stalled_for() == 11500ms);
  CHECK(w.quiet(t0 + 81s) == 0s);
}

TEST_CASE("a stall also ends when nothing is in flight any more, and a limit of 0 never calls one", "[run]") {
  const auto t0 = delivery_watch::clock::now();
  delivery_watch w(1000ms, t0);
  CHECK(w.observe(5, 0, t0 + 1s) == change::stalled);
  // The stories left some other way (their partitions revoked and their failures counted).
  CHECK(w.observe(0, 0, t0 + 2s) == change::resumed);
  delivery_watch never(0ms, t0);
  CHECK(never.observe(5, 0, t0 + 24h) == change::none);
  CHECK_FALSE(never.stalled());
  CHECK(never.quiet(t0 + 24h) == 24h);  // the gauge still shows it
}
