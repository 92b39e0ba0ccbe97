#pragma once
// A deadline for the last steps of a shutdown that wait on Kafka without one of their own: the
// final commit and leaving the group wait for the group coordinator, which a hung broker (or a
// network path that drops packets) never answers. librdkafka's close() has no timeout; it waited
// out two minutes of request timeouts in the hung-broker test, past any termination grace
// period. Armed, the deadline exits the process with status 1 when it passes, after logging why;
// destroyed first, it does nothing. Exiting cannot lose a story: no offset past an undelivered
// one was ever stored, and what was delivered but not committed is read again (at-least-once).

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

}  // namespace wirescan::app
