#pragma once
// A pipeline on two threads or more: threads of their own decode and enrich
// (pipeline::prepare) up to `ahead` stories ahead, while the caller's thread takes them back
// in input order for the novelty stage, the event and whatever comes after (Kafka's produce,
// say).
//
// Why: the two halves then run on two cores or more, and the novelty index's random probes
// no longer evict the enricher's tables from the same core's cache (docs/performance.md).
// Preparing a story costs more than finishing it, so on a machine with more cores more than
// one preparing thread keeps the caller's half busy (`threads`; the default is one).
// Order is kept: stories are handed back first in, first out, so the novelty index sees them
// in input order and a partition's events leave in its order.
//
// When the caller must wait for the oldest story and no preparing thread has started it,
// the caller prepares it itself (with the pipeline's own decoder). At a few stories a second
// the preparing threads then never run at all and a story waits for no other thread to be
// scheduled: with a hand-off per story, p99 latency through a busy 2-core machine rose from
// about 5 to 10 ms at 1,000 stories/s (bench/latency.py). When a preparing thread has the
// oldest, the caller prepares the next ones nobody has started instead of waiting idle, so
// under load every thread prepares and the caller's share is what its own half leaves over.
//
// One producer and consumer, any number of preparers: push(), front(), pop() and drain()
// are called from one thread (the caller's); the preparing threads only run prepare(), each
// with a decoder of its own, and claim stories one at a time through one counter, so each
// story is prepared once, by whoever claims it. Item is the
// caller's record of one input (it must have a `payload` the story is decoded from, and may
// have a `full_size`, the input's real length when the payload is only its first bytes:
// ingest::line_reader's lines); it stays in its slot until pop().

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <utility>
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

// Pipe is a pipeline, or anything with its prepare() overloads and decode_config() (the
// tests' stand-in, which decides how long a story takes).
template <class Item, class Pipe = pipeline>
class staged_pipeline {
 public:
  struct slot {
    Item item;
    prepared story;
    std::atomic<std::uint64_t> ready{0};  // the story's sequence number + 1, once prepared
    std::exception_ptr error;             // what prepare() threw, if it did (set before ready)
  };

  // ahead: how many stories may be pushed and not yet popped. 0 runs prepare() inside
  // push(), on the caller's thread, with no other thread at all. threads: how many threads
  // of their own prepare stories (at least 1, unless ahead is 0). first: the first story's
  // sequence number (tests start near 2^32, where the 32-bit wake counter wraps).
  staged_pipeline(Pipe& p, std::size_t ahead, std::size_t threads = 1, std::uint64_t first = 0)
      : pipe_(p),
        slots_(ahead < 1 ? 1 : ahead),
        pushed_(first),
        popped_(first),
        published_(first),
        claimed_(first),
        inline_(ahead == 0) {
    if (inline_) return;
    const std::size_t n = threads < 1 ? 1 : threads;
    for (std::size_t i = 0; i < n; ++i) theirs_.push_back(std::make_unique<ingest::decoder>(p.decode_config()));
    workers_.reserve(n);
    try {
      for (std::size_t i = 0; i < n; ++i) {
        workers_.emplace_back([this, i] {
          // Named for `top -H`, perf and gdb, beside librdkafka's "rdk:..." threads; the main
          // thread keeps the process's name. At most 15 characters.
          const std::string name = "ws-prepare-" + std::to_string(i + 1);
          pthread_setname_np(pthread_self(), name.c_str());
          work(*theirs_[i]);
        });
      }
    } catch (...) {
      stop();  // the threads already started, before the error leaves the constructor
      throw;
    }
  }
  ~staged_pipeline() { stop(); }
  staged_pipeline(const staged_pipeline&) = delete;
  staged_pipeline& operator=(const staged_pipeline&) = delete;

  // How many threads of their own prepare stories: 0 when push() prepares them inline.
  [[nodiscard]] std::size_t threads() const noexcept { return workers_.size(); }
  [[nodiscard]] std::size_t size() const noexcept { return pushed_ - popped_; }
  [[nodiscard]] bool empty() const noexcept { return pushed_ == popped_; }
  [[nodiscard]] bool full() const noexcept { return size() == slots_.size(); }

  // Hands an input over to be prepared. Precondition: !full().
  void push(Item item) { push_swap(item); }
  // The same, swapping the input with the slot's last one, which the caller gets back (a
  // finished input, or a default one): polled into again, its buffers take the next input
  // without allocating.
  void push_swap(Item& item) {
    auto& s = slots_[pushed_ % slots_.size()];
    using std::swap;
    swap(s.item, item);
    s.error = nullptr;
    const auto seq = pushed_++;
    if (inline_) {
      prepare(s, seq, nullptr);
      claimed_.store(pushed_, std::memory_order_relaxed);
      return;
    }
    published_.store(pushed_, std::memory_order_seq_cst);
    // Sleeping preparers are woken once a few stories wait for them, not for every one (the
    // futex call is the caller's cost, and the caller is the busier thread under load); a
    // story the caller then needs first, it prepares itself (front). An awake preparer
    // finds the stories on its own.
    if (pushed_ - claimed_.load(std::memory_order_relaxed) >= wake_batch) wake();
  }

  // The oldest input once it is prepared: nullptr when there is none, or when it is not
  // ready and wait is false. With wait: while a preparing thread has the oldest, the caller
  // prepares the next stories nobody has started (the oldest too, if nobody has), then waits.
  // If preparing the oldest threw, on whichever thread, this throws the same, here, at its
  // turn, and again at every call: a story that could not be prepared is never handed out,
  // and nothing behind it either.
  slot* front(bool wait) {
    if (empty()) return nullptr;
    const auto seq = popped_;
    auto& s = slots_[seq % slots_.size()];
    const auto ready = [&] { return s.ready.load(std::memory_order_acquire) == seq + 1; };
    const auto handed = [&] {
      if (s.error) std::rethrow_exception(s.error);
      return &s;
    };
    if (ready()) return handed();
    if (!wait) return nullptr;
    // Waiting idle would leave one core's worth of preparing to the other thread, while the
    // caller's own half of a story (novelty verdict, event) is the smaller one. Each story it
    // takes costs the oldest at most one story's preparing time.
    for (auto next = claimed_.load(std::memory_order_acquire); !ready() && next != pushed_;
         next = claimed_.load(std::memory_order_acquire)) {
      if (!claimed_.compare_exchange_strong(next, next + 1, std::memory_order_acq_rel)) continue;
      prepare(slots_[next % slots_.size()], next, nullptr);  // with the pipeline's own decoder
      ++prepared_here_;
    }
    // A preparing thread has it: a story takes 10-15 µs, so wait awake first. On the
    // 2-core machine a bound of 512 pauses (about 5 µs there) slept on nearly every story,
    // and the two-thread pipeline ran at 68-69k stories/s; 50 µs at 76-92k (bench/inprocess).
    if (!detail::spin_until(std::chrono::microseconds(50), ready)) {
      for (auto r = s.ready.load(std::memory_order_acquire); r != seq + 1; r = s.ready.load(std::memory_order_acquire)) {
        s.ready.wait(r, std::memory_order_acquire);
      }
    }
    return handed();
  }

  // How many stories the caller prepared itself, in front(), rather than a preparing thread.
  [[nodiscard]] std::uint64_t prepared_here() const noexcept { return prepared_here_; }

  // Frees the oldest slot (after front() returned it).
  void pop() { ++popped_; }

  // Calls f(slot&) for every pushed input in order, waiting for each, and pops it: nothing
  // is left on the preparing threads afterwards (before a reload, a revoke, a commit).
  template <class F>
  void drain(F&& f) {
    while (slot* s = front(true)) {
      f(*s);
      pop();
    }
  }

 private:
  static constexpr std::uint64_t wake_batch = 8;

  static std::size_t full_size(const Item& item) noexcept {
    if constexpr (requires { item.full_size; }) {
      return item.full_size;
    } else {
      return 0;  // the payload is the whole input
    }
  }

  // Prepares slot s, story seq, with dec (a preparing thread's) or the pipeline's own decoder
  // (the caller's), and marks it ready. What prepare() throws is kept for front() to throw on
  // the caller's thread: escaping a preparing thread, it would end the process unlogged.
  void prepare(slot& s, std::uint64_t seq, ingest::decoder* dec) {
    try {
      if (dec != nullptr) {
        pipe_.prepare(s.item.payload, full_size(s.item), s.story, *dec);
      } else {
        pipe_.prepare(s.item.payload, full_size(s.item), s.story);
      }
    } catch (...) {
      s.error = std::current_exception();
    }
    s.ready.store(seq + 1, std::memory_order_release);
  }

  // One preparer a call: push() calls it for every story while wake_batch or more wait, so
  // a backlog that lasts wakes one more preparer a story, and a short burst only one.
  void wake() {
    wake_.fetch_add(1, std::memory_order_seq_cst);
    wake_.notify_one();  // no system call unless a preparer sleeps
  }

  void stop() {
    if (workers_.empty()) return;
    stop_.store(true, std::memory_order_seq_cst);
    wake_.fetch_add(1, std::memory_order_seq_cst);
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void work(ingest::decoder& dec) {
    for (;;) {
      const auto w = wake_.load(std::memory_order_seq_cst);
      auto seq = claimed_.load(std::memory_order_seq_cst);
      if (seq == published_.load(std::memory_order_seq_cst)) {
        if (stop_.load(std::memory_order_acquire)) return;
        // Idle: look again briefly, then sleep until woken. Spinning longer kept this thread
        // busy between stories under load through a broker, on a core the broker's and
        // librdkafka's threads needed.
        if (!detail::spin_until(std::chrono::microseconds(5), [&] {
              return claimed_.load(std::memory_order_acquire) != published_.load(std::memory_order_acquire);
            })) {
          wake_.wait(w, std::memory_order_seq_cst);
        }
        continue;
      }
      if (!claimed_.compare_exchange_strong(seq, seq + 1, std::memory_order_acq_rel)) continue;  // someone else took it
      auto& s = slots_[seq % slots_.size()];
      prepare(s, seq, &dec);
      s.ready.notify_one();  // no system call unless the caller sleeps on it
    }
  }

  Pipe& pipe_;
  std::vector<slot> slots_;
  std::vector<std::unique_ptr<ingest::decoder>> theirs_;  // one per preparing thread; the caller uses the pipeline's own
  std::uint64_t pushed_;    // the caller's
  std::uint64_t popped_;    // the caller's
  std::uint64_t prepared_here_ = 0;  // the caller's
  std::atomic<std::uint64_t> published_;  // pushed_, for the preparing threads
  std::atomic<std::uint64_t> claimed_;    // the next story to prepare: whoever moves it on prepares it
  std::atomic<std::uint32_t> wake_{0};    // changes whenever the preparers are woken, and on stop
  std::atomic<bool> stop_{false};
  bool inline_;
  std::vector<std::thread> workers_;
};

}  // namespace wirescan::app
