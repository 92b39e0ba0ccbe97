#pragma once
// A pipeline on two threads: a thread of its own decodes and enriches (pipeline::prepare)
// up to `depth` stories ahead, while the caller's thread takes them back in input order for
// the novelty stage, the event and whatever comes after (Kafka's produce, say).
//
// Why: the two halves then run on two cores, and the novelty index's random probes no
// longer evict the enricher's tables from the same core's cache (docs/performance.md).
// Order is kept: stories are prepared and handed back first in, first out, so the novelty
// index sees them in input order and a partition's events leave in its order.
//
// Single producer, single consumer: push(), front(), pop() and drain() are called from
// one thread (the caller's); the preparing thread only runs prepare(). Item is the
// caller's record of one input (it must have a `payload` the story is decoded from); it
// stays in its slot until pop().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "pipeline.hpp"

namespace wirescan::app {

namespace detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls `ready` for up to `bound` before the caller sleeps on a futex: a sleep and a wake-up
// cost a few microseconds each, more than a short wait.
template <class Ready>
bool spin_until(std::chrono::microseconds bound, Ready&& ready) {
  const auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      if (ready()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= until) return ready();
  }
}

}  // namespace detail

template <class Item>
class staged_pipeline {
 public:
  struct slot {
    Item item;
    prepared story;
  };

  // ahead: how many stories may be pushed and not yet popped. 0 runs prepare() inside
  // push(), on the caller's thread, with no second thread at all. first: the first story's
  // sequence number (tests start near 2^32, where the 32-bit counters wrap).
  staged_pipeline(pipeline& p, std::size_t ahead, std::uint64_t first = 0)
      : pipe_(p),
        slots_(ahead < 1 ? 1 : ahead),
        pushed_(first),
        popped_(first),
        published_(static_cast<std::uint32_t>(first)),
        prepared_(static_cast<std::uint32_t>(first)),
        inline_(ahead == 0) {
    if (!inline_) worker_ = std::thread([this, first] { work(first); });
  }
  ~staged_pipeline() {
    if (inline_) return;
    stop_.store(true, std::memory_order_seq_cst);
    wake();
    worker_.join();
  }
  staged_pipeline(const staged_pipeline&) = delete;
  staged_pipeline& operator=(const staged_pipeline&) = delete;

  [[nodiscard]] std::size_t size() const noexcept { return pushed_ - popped_; }
  [[nodiscard]] bool empty() const noexcept { return pushed_ == popped_; }
  [[nodiscard]] bool full() const noexcept { return size() == slots_.size(); }

  // Hands an input to the preparing thread. Precondition: !full().
  void push(Item item) {
    auto& s = slots_[pushed_ % slots_.size()];
    s.item = std::move(item);
    ++pushed_;
    if (inline_) {
      pipe_.prepare(s.item.payload, 0, s.story);
      prepared_.store(static_cast<std::uint32_t>(pushed_), std::memory_order_relaxed);
      return;
    }
    published_.store(static_cast<std::uint32_t>(pushed_), std::memory_order_seq_cst);
    // A sleeping preparer is woken once a few stories wait for it, not for every one (the
    // futex call is the caller's cost, and the caller is the busier thread under load), and
    // whenever the caller is about to wait for it (front). An awake one finds them itself.
    const std::uint32_t waiting = static_cast<std::uint32_t>(pushed_) - prepared_.load(std::memory_order_relaxed);
    if (waiting >= wake_batch) wake();
  }

  // The oldest input once it is prepared: nullptr when there is none, or when it is not
  // ready and wait is false. With wait, blocks until it is ready.
  slot* front(bool wait) {
    if (empty()) return nullptr;
    const auto oldest = static_cast<std::uint32_t>(popped_);
    auto done = prepared_.load(std::memory_order_acquire);
    while (done == oldest) {
      if (!wait) return nullptr;
      wake();
      // A story takes 10-15 µs to prepare: wait for it awake. On the 2-core machine a bound
      // of 512 pauses (about 5 µs there) slept on nearly every story, and the two-thread
      // pipeline ran at 68-69k stories/s; 50 µs at 76-92k (bench/inprocess).
      if (detail::spin_until(std::chrono::microseconds(50),
                             [&] { return prepared_.load(std::memory_order_acquire) != oldest; })) {
        break;
      }
      prepared_.wait(done, std::memory_order_acquire);
      done = prepared_.load(std::memory_order_acquire);
    }
    return &slots_[popped_ % slots_.size()];
  }

  // Frees the oldest slot (after front() returned it).
  void pop() { ++popped_; }

  // Calls f(slot&) for every pushed input in order, waiting for each, and pops it: nothing
  // is left on the preparing thread afterwards (before a reload, a revoke, a commit).
  template <class F>
  void drain(F&& f) {
    while (slot* s = front(true)) {
      f(*s);
      pop();
    }
  }

 private:
  static constexpr std::uint32_t wake_batch = 8;

  void wake() {
    wake_.fetch_add(1, std::memory_order_seq_cst);
    wake_.notify_one();  // no system call unless the preparer sleeps
  }

  void work(std::uint64_t done) {  // 64-bit like pushed_, so both index the same slot past 2^32
    for (;;) {
      const auto w = wake_.load(std::memory_order_seq_cst);
      const auto done32 = static_cast<std::uint32_t>(done);
      if (published_.load(std::memory_order_seq_cst) == done32) {
        if (stop_.load(std::memory_order_acquire)) return;
        // Idle: look again briefly, then sleep until woken. Spinning longer kept this thread
        // busy between stories under load through a broker, on a core the broker's and
        // librdkafka's threads needed.
        if (detail::spin_until(std::chrono::microseconds(5),
                               [&] { return published_.load(std::memory_order_acquire) != done32; })) {
          continue;
        }
        wake_.wait(w, std::memory_order_seq_cst);
        continue;
      }
      auto& s = slots_[done % slots_.size()];
      pipe_.prepare(s.item.payload, 0, s.story);
      prepared_.store(static_cast<std::uint32_t>(++done), std::memory_order_release);
      prepared_.notify_one();
    }
  }

  pipeline& pipe_;
  std::vector<slot> slots_;
  std::uint64_t pushed_;  // the caller's
  std::uint64_t popped_;  // the caller's
  // 32-bit, so waiting on them is a futex on their own address. They wrap; only equality
  // and differences below the ring's size are used.
  std::atomic<std::uint32_t> published_;  // pushed_, for the preparing thread
  std::atomic<std::uint32_t> prepared_;   // the preparing thread's count
  std::atomic<std::uint32_t> wake_{0};       // changes whenever the preparer is woken, and on stop
  std::atomic<bool> stop_{false};
  bool inline_;
  std::thread worker_;
};

}  // namespace wirescan::app
