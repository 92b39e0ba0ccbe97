// How long `wirescan run`'s fetch may sleep, for what its loop is waiting for.

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "broker_probe.hpp"
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

// The broker probe: the run loop asks and goes on; the answer comes when the brokers give it.
using wirescan::app::broker_probe;

namespace {
// Polls the probe for its answer as the run loop does, for up to `limit`.
std::optional<bool> await_answer(broker_probe& p, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (auto a = p.answer()) return a;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::nullopt;
}
}  // namespace

TEST_CASE("asking the brokers does not wait for their answer, which is taken once when it comes", "[run]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> asked{0};
  std::atomic<long long> timeout_ms{0};
  broker_probe probe([&](std::chrono::milliseconds timeout) {
    ++asked;
    timeout_ms = timeout.count();
    released.wait();  // a broker slow to answer, for as long as the test says
    return true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(probe.ask(500ms));
  // The old probe asked on the caller's thread: ask() would not have returned before release.
  CHECK(std::chrono::steady_clock::now() - t0 < 100ms);
  CHECK_FALSE(probe.ask(500ms));  // one question at a time
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(probe.answer().has_value());
  release.set_value();
  const auto a = await_answer(probe, 5000ms);
  REQUIRE(a.has_value());
  CHECK(*a);
  CHECK_FALSE(probe.answer().has_value());  // taken
  CHECK(asked == 1);
  CHECK(timeout_ms == 500);
  // The next question is asked again, with its own timeout.
  REQUIRE(probe.ask(2000ms));
  CHECK(await_answer(probe, 5000ms) == std::optional<bool>(true));
  CHECK(asked == 2);
  CHECK(timeout_ms == 2000);
}

TEST_CASE("a probe no broker answers says so, and one that throws counts as unanswered", "[run]") {
  std::atomic<int> n{0};
  broker_probe probe([&](std::chrono::milliseconds) -> bool {
    if (++n == 2) throw std::runtime_error("metadata request failed");
    return false;
  });
  REQUIRE(probe.ask(500ms));
  CHECK(await_answer(probe, 5000ms) == std::optional<bool>(false));
  REQUIRE(probe.ask(500ms));
  CHECK(await_answer(probe, 5000ms) == std::optional<bool>(false));
  CHECK(n == 2);
}

TEST_CASE("stopping the probe waits for a question under way, and asks nothing after", "[run]") {
  std::atomic<bool> finished{false};
  std::atomic<int> asked{0};
  broker_probe probe([&](std::chrono::milliseconds) {
    ++asked;
    std::this_thread::sleep_for(200ms);
    finished = true;
    return true;
  });
  REQUIRE(probe.ask(500ms));
  while (asked == 0) std::this_thread::sleep_for(1ms);
  probe.stop();
  // What the question used (the consumer) may be closed now: nothing runs it any more.
  CHECK(finished);
  CHECK_FALSE(probe.ask(500ms));
  probe.stop();  // again: nothing
  CHECK(asked == 1);
}
