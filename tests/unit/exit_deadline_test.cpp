// The deadline on a shutdown's last steps: it ends the process with status 1 when they overrun,
// and does nothing when they finish first. Each case runs in a forked child.
#include <atomic>
#include <chrono>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>

#include "exit_deadline.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// Runs body in a child process that exits 0 after it; returns the child's exit status.
template <class F>
int in_child(F body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("an exit deadline that passes ends the process with status 1, at once", "[run]") {
  const auto t0 = clock_type::now();
  CHECK(in_child([] {
          const wirescan::app::exit_deadline d(clock_type::now() + 100ms, "test: the deadline passed");
          std::this_thread::sleep_for(30s);  // a close() that never returns
        }) == 1);
  CHECK(clock_type::now() - t0 < 10s);
}

TEST_CASE("an exit deadline destroyed before it passes does nothing", "[run]") {
  CHECK(in_child([] {
          { const wirescan::app::exit_deadline d(clock_type::now() + 60s, "test: must not fire"); }
          std::this_thread::sleep_for(200ms);
        }) == 0);
}

TEST_CASE("a stop deadline starts counting at the stop, and ends a stop that overruns it with status 1", "[run]") {
  std::atomic<bool> stop{false};
  const auto t0 = clock_type::now();
  CHECK(in_child([&] {
          const wirescan::app::stop_deadline d(stop, 300ms, "test: the stop overran");
          std::this_thread::sleep_for(1s);  // no stop yet: running long is not overrunning
          stop.store(true);
          std::this_thread::sleep_for(30s);  // a transactional call that ignores its timeout
        }) == 1);
  const auto took = clock_type::now() - t0;
  CHECK(took >= 1300ms);
  CHECK(took < 10s);
}

TEST_CASE("a stop deadline destroyed before the stop, or before its budget ends, does nothing", "[run]") {
  std::atomic<bool> stop{false};
  CHECK(in_child([&] {
          { const wirescan::app::stop_deadline d(stop, 100ms, "test: must not fire"); }
          stop.store(true);
          std::this_thread::sleep_for(300ms);
        }) == 0);
  CHECK(in_child([&] {
          {
            const wirescan::app::stop_deadline d(stop, 60s, "test: must not fire");
            stop.store(true);
            std::this_thread::sleep_for(300ms);
          }
          std::this_thread::sleep_for(200ms);
        }) == 0);
}
