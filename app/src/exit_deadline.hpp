#pragma once
// A deadline for the last steps of a shutdown that wait on Kafka without one of their own: the
// final commit and leaving the group wait for the group coordinator, which a hung broker (or a
// network path that drops packets) never answers. librdkafka's close() has no timeout; it waited
// out two minutes of request timeouts in the hung-broker test, past any termination grace
// period. Armed, the deadline exits the process with status 1 when it passes, after logging why;
// destroyed first, it does nothing. Exiting cannot lose a story: no offset past an undelivered
// one was ever stored, and what was delivered but not committed is read again (at-least-once).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "wirescan/obs/log.hpp"

namespace wirescan::app {

class exit_deadline {
 public:
  exit_deadline(std::chrono::steady_clock::time_point at, std::string why)
      : why_(std::move(why)), thread_([this, at] {
          std::unique_lock lock(mu_);
          if (cv_.wait_until(lock, at, [this] { return done_; })) return;
          obs::log().error("{}", why_);
          obs::log().flush();
          std::_Exit(1);  // no destructor may wait on the brokers again
        }) {}
  ~exit_deadline() {
    {
      const std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  exit_deadline(const exit_deadline&) = delete;
  exit_deadline& operator=(const exit_deadline&) = delete;

 private:
  std::string why_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: started once the members it reads exist
};

// The whole of a stop, bounded: once `stop` is set, the process has `budget` to finish (drain,
// commit, leave the group, destroy its clients) before it exits 1 as exit_deadline does. The
// steps of a drain have deadlines of their own, and this is the bound over them all; it matters
// where librdkafka blocks past the timeout it was given (send_offsets_to_transaction with its
// transaction coordinator out of reach, librdkafka #5456), so a pod's termination grace period
// sized from the budget is never met by a SIGKILL. Destroyed first, it does nothing.
class stop_deadline {
 public:
  stop_deadline(const std::atomic<bool>& stop, std::chrono::milliseconds budget, std::string why)
      : thread_([this, &stop, budget, why = std::move(why)] {
          std::unique_lock lock(mu_);
          while (!stop.load(std::memory_order_relaxed)) {
            if (cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; })) return;
          }
          const exit_deadline deadline(std::chrono::steady_clock::now() + budget, why);
          cv_.wait(lock, [this] { return done_; });
        }) {}
  ~stop_deadline() {
    {
      const std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  stop_deadline(const stop_deadline&) = delete;
  stop_deadline& operator=(const stop_deadline&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: started once the members it reads exist
};

}  // namespace wirescan::app
