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
