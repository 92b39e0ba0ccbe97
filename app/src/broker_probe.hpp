#pragma once
// Asks whether a broker answers, on a thread of its own, so the thread that serves stories
// never waits for the answer.
//
// Why: `wirescan run` asks (a metadata request, 500 ms at most) whenever librdkafka says every
// broker is down, which an idle producer also says when the broker closes its idle connection
// (librdkafka #5142). Asked on the run loop's thread, the question held up every story behind
// it for as long as the answer took: about a millisecond on a quiet host, 100-450 ms on a
// loaded one, and the whole 500 ms, every 2 s, while no broker answered. It now also asks on a
// quiet wire, with 2 s to answer.
//
// librdkafka's metadata request may run beside the same handle's other calls on other threads
// (librdkafka #3536), but the handle must outlive it (#3085): hence stop() below.
//
// One thread asks and takes the answers (the run loop's); the probe's thread only runs `ask_`.
// A question still unanswered is not asked again. stop() waits for an answer under way (at
// most the question's own timeout) and must come before whatever `ask_` uses is closed.

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace wirescan::app {

class broker_probe {
 public:
  // `ask` asks the brokers, waiting at most the timeout it is given: whether one answered.
  explicit broker_probe(std::function<bool(std::chrono::milliseconds)> ask) : ask_(std::move(ask)), thread_([this] { serve(); }) {}
  ~broker_probe() { stop(); }
  broker_probe(const broker_probe&) = delete;
  broker_probe& operator=(const broker_probe&) = delete;

  // Starts a question that waits at most `timeout` for its answer; false (and nothing started)
  // while the last one is unanswered or its answer untaken, or once stopped.
  bool ask(std::chrono::milliseconds timeout) {
    if (state_.load(std::memory_order_acquire) != idle) return false;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return false;
      timeout_ = timeout;
      state_.store(asked, std::memory_order_release);
    }
    wake_.notify_one();
    return true;
  }

  // The last question's answer, once (whether a broker answered); nothing while none is new.
  // One atomic load when there is none, so the run loop may call it every iteration.
  [[nodiscard]] std::optional<bool> answer() {
    const auto s = state_.load(std::memory_order_acquire);
    if (s != answered_yes && s != answered_no) return std::nullopt;
    state_.store(idle, std::memory_order_release);
    return s == answered_yes;
  }

  // Waits for a question under way, then ends the thread. Idempotent.
  void stop() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  enum : std::uint8_t { idle, asked, answered_yes, answered_no };

  void serve() {
    pthread_setname_np(pthread_self(), "wirescan-probe");
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || state_.load(std::memory_order_acquire) == asked; });
      if (stopping_) return;
      const auto timeout = timeout_;
      lock.unlock();
      bool yes = false;
      try {
        yes = ask_(timeout);
      } catch (...) {  // an answer it could not get is no answer
      }
      state_.store(yes ? answered_yes : answered_no, std::memory_order_release);
      lock.lock();
    }
  }

  std::function<bool(std::chrono::milliseconds)> ask_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under mutex_
  std::chrono::milliseconds timeout_{0};  // under mutex_: the question's
  std::atomic<std::uint8_t> state_{idle};
  std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace wirescan::app
