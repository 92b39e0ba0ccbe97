#include "run_command.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <unistd.h>

#include "broker_probe.hpp"
#include "cpus.hpp"
#include "exit_deadline.hpp"
#include "http_server.hpp"
#include "pipeline.hpp"
#include "staged.hpp"
#include "wirescan/ingest/kafka_consumer.hpp"
#include "wirescan/ingest/topic_follower.hpp"
#include "wirescan/obs/log.hpp"
#include "wirescan/sinks/kafka_producer.hpp"

namespace wirescan::app {
namespace {

using clock_type = std::chrono::steady_clock;

// In-flight offsets of one input partition, in consumption order. Delivery reports can
// complete out of order (different output partitions), so an offset is stored only when
// everything before it is done: storing past a pending story would lose it on a crash.
struct partition_state {
  std::string topic;
  core::partition_id partition;
  std::deque<std::pair<std::int64_t, bool>> pending;  // offset, done
  bool assigned = true;
  std::int64_t to_store = -1;  // the next offset to store, once the tracker stores; -1: none waiting
};

struct in_flight {
  partition_state* ps;
  std::int64_t offset;
  std::int64_t published_ms = -1;     // story published_at, for end-to-end latency
  std::int64_t broker_ms = -1;        // input message timestamp
  clock_type::time_point consumed{};  // handed over by the consumer, for the time in service
  bool dead_letter = false;
  // The event, produced from here without a copy: librdkafka reads it until its delivery
  // report, and the record (with the string's buffer) is reused for a later story after.
  std::string event{};
  int parts = 1;        // deliveries still to come: the event or dead letter, and a novelty state record
  bool ok = true;       // false once any part failed: the story is never marked done
};

// A consumed story on its way through the staged pipeline, with its tracking record.
struct staged_story : ingest::consumed_message {
  in_flight* f = nullptr;
};

// A delivery token is a pointer with its low bits saying what was delivered: a story's event
// or dead letter (no bit), its own novelty state record (novelty.state_batch: 1), or a batch
// of stories' state records.
constexpr std::uintptr_t state_part = 1;
constexpr std::uintptr_t state_batch_part = 2;
constexpr std::uintptr_t part_mask = 3;
static_assert(alignof(in_flight) > part_mask);

// Why a story failed when a stop gave up waiting for room in the producer's queue.
constexpr const char* stalled_queue_full =
    "stopping with the producer's queue full: the output acknowledged nothing for kafka.drain_timeout_ms";

// Why a story was not produced when its exactly_once transaction had already failed. Said
// before the run knows whether it goes on (the transaction is aborted at its commit and the
// stories read again) or stops (aborted at the exit or by the next instance, which reads them).
constexpr const char* transaction_failed_refusal =
    "exactly_once: the open transaction has failed, so its remaining stories were not produced; the "
    "transaction is aborted and they are read again";

// Stories' novelty state records gathered into one state-topic record (novelty::begin_batch);
// each story counts it as one of its parts until the batch is delivered. Produced without a
// copy (librdkafka reads bytes in place until the delivery report), then reused.
struct state_batch {
  std::string bytes;
  std::vector<in_flight*> stories;
  clock_type::time_point started;
};
static_assert(alignof(state_batch) > part_mask);

// Objects kept for a later use with the buffers they grew, at most max_kept of them, so what a
// burst or an outage had in flight is given back after it.
template <class T, std::size_t max_kept>
class spares {
 public:
  // A kept object, or null when none is.
  std::unique_ptr<T> take() {
    if (kept_.empty()) return nullptr;
    auto p = std::move(kept_.back());
    kept_.pop_back();
    return p;
  }
  void keep(std::unique_ptr<T> p) {
    if (kept_.size() < max_kept) kept_.push_back(std::move(p));
  }

 private:
  std::vector<std::unique_ptr<T>> kept_;
};

// Delivered batches, kept with their buffers for the next ones: a batch grows to tens of KiB,
// and each new one's growth, with glibc, also merged every small block the delivery reports
// had just freed (malloc_consolidate), so the next headers were carved out the slow way.
class batch_pool {
 public:
  std::unique_ptr<state_batch> get() {
    auto b = spare_.take();
    return b ? std::move(b) : std::make_unique<state_batch>();
  }
  void put(std::unique_ptr<state_batch> b) {
    b->stories.clear();
    b->bytes.clear();
    spare_.keep(std::move(b));
  }

 private:
  // Four times the batches in flight during the state producer's 15 ms linger at 60,000 stories/s.
  spares<state_batch, 64> spare_;
};

class tracker {
 public:
  // store: false under exactly_once, where offsets travel inside transactions.
  tracker(ingest::kafka_consumer*& consumer, bool store) : consumer_(consumer), store_(store) {}

  partition_state& state(const std::string& topic, core::partition_id p) {
    // Messages come in runs from one partition (a fetch's worth each), so the last one's
    // state usually serves: no map lookup, and no copy of the topic's name to look it up.
    if (last_ == nullptr || last_->partition.value != p.value || last_->topic != topic) {
      auto& slot = parts_[{topic, p.value}];
      if (!slot) slot = std::make_unique<partition_state>(partition_state{topic, p, {}, true});
      last_ = slot.get();  // states are never erased, so the pointer stays good
    }
    last_->assigned = true;
    return *last_;
  }

  in_flight* begin(partition_state& ps, std::int64_t offset) {
    ps.pending.emplace_back(offset, false);
    ++outstanding_;
    auto f = spare_.take();
    if (!f) {
      f = std::make_unique<in_flight>();
      f->event.reserve(event_reserve);  // most events fit, so a reused record seldom grows
    }
    std::string event = std::move(f->event);
    event.clear();
    *f = in_flight{.ps = &ps, .offset = offset, .event = std::move(event)};
    return f.release();
  }

  // A story's record once nothing refers to it any more (every part delivered or failed),
  // kept for a later story with its event's buffer, unless a long event grew it past
  // max_kept_event.
  void release(in_flight* f) {
    std::unique_ptr<in_flight> owned(f);
    if (owned->event.capacity() <= max_kept_event) spare_.keep(std::move(owned));
  }

  // Marks a story done. The partition's new low-water mark is stored by store_offsets(),
  // once for every partition that moved, not once a story: the delivery reports of one
  // poll finish tens of stories, and each store is a list, a lock and a lookup in librdkafka.
  void done(const in_flight& f) {
    auto& q = f.ps->pending;
    auto it = std::lower_bound(q.begin(), q.end(), f.offset, [](const auto& e, std::int64_t o) { return e.first < o; });
    if (it != q.end() && it->first == f.offset) it->second = true;
    std::int64_t next = -1;
    while (!q.empty() && q.front().second) {
      next = q.front().first + 1;
      q.pop_front();
    }
    --outstanding_;
    ++completed_;
    if (next >= 0 && f.ps->assigned && store_) {
      if (f.ps->to_store < 0) moved_.push_back(f.ps);
      f.ps->to_store = next;
    }
  }

  // Stores what done() recorded since the last call, for the partitions still assigned.
  // Called after every poll of the producers (where delivery reports arrive), before a
  // partition is revoked and before the final commit, so nothing done waits longer than
  // one turn of the run loop.
  void store_offsets() {
    if (moved_.empty()) return;
    progress_.clear();
    for (auto* ps : moved_) {
      if (ps->assigned) progress_.push_back({&ps->topic, ps->partition, core::offset{ps->to_store}});
      ps->to_store = -1;
    }
    moved_.clear();
    if (consumer_ != nullptr) consumer_->store_offsets(progress_);
  }

  void revoked(const std::vector<ingest::topic_partition>& ps) {
    store_offsets();  // what was done before the revoke still counts, as it did when it was done
    for (const auto& p : ps) {
      auto it = parts_.find({p.topic, p.partition.value});
      if (it != parts_.end()) it->second->assigned = false;
    }
  }

  [[nodiscard]] std::uint64_t outstanding() const { return outstanding_; }
  [[nodiscard]] std::uint64_t completed() const { return completed_; }

 private:
  ingest::kafka_consumer*& consumer_;
  bool store_;
  std::map<std::pair<std::string, std::int32_t>, std::unique_ptr<partition_state>> parts_;
  partition_state* last_ = nullptr;           // the one state() last returned
  std::vector<partition_state*> moved_;       // partitions with an offset waiting to be stored
  std::vector<ingest::kafka_consumer::done_up_to> progress_;  // store_offsets()'s, reused
  static constexpr std::size_t event_reserve = 2048;  // the bench corpus's events: p99 1.9 KB
  static constexpr std::size_t max_kept_event = 8 * 1024;  // 4,096 kept records hold at most 32 MiB
  spares<in_flight, 4096> spare_;  // released records, for begin() to reuse
  std::uint64_t outstanding_ = 0;
  std::uint64_t completed_ = 0;
};

}  // namespace

int fetch_wait_ms(const loop_state& s) {
  if (s.preparing) return 0;
  if (s.awaiting) return s.brokers_up ? 1 : 20;
  return s.exactly_once ? 10 : 100;
}

int run_service(const config& cfg, obs::metrics& m, const std::atomic<bool>& stop, const run_options& opts) {
  const bool eos = cfg.kafka.delivery == delivery_mode::exactly_once;
  std::string txn_id = cfg.kafka.transactional_id;
  if (eos && txn_id.empty()) {
    std::array<char, 256> host{};
    ::gethostname(host.data(), host.size() - 1);
    txn_id = cfg.kafka.group_id + "-" + host.data();
  }
  // exactly_once: delivered outputs count only once their transaction commits (an aborted
  // transaction's events are invisible to read_committed readers, so they were not published).
  std::uint64_t txn_events = 0;
  std::uint64_t txn_dead = 0;
  obs::health health;
  std::optional<http_server> http;
  if (cfg.http.enabled) {
    http.emplace(cfg.http, m, health);
    obs::log().info("serving /metrics, /healthz and /readyz on port {}", http->port());
  }
  health.beat();
  ingest::kafka_consumer* consumer_ptr = nullptr;
  tracker track(consumer_ptr, !eos);
  bool failed = false;

  // Before the clients, so it bounds their destruction too.
  const auto stop_within = stop_budget(cfg.kafka.shutdown_delay_ms, cfg.kafka.drain_timeout_ms);
  const stop_deadline bounded_stop(
      stop, stop_within,
      fmt::format("the stop did not finish within {} ms (kafka.shutdown_delay_ms + 2 x kafka.drain_timeout_ms + 15 s); "
                  "exiting 1 (no offset past an undelivered story was committed; under exactly_once the open "
                  "transaction is aborted when its transactional id starts again, or by the broker after "
                  "transaction.timeout.ms)",
                  stop_within.count()));

  batch_pool batches;  // before the producers, which may hold batches until they are destroyed
  std::map<std::string, long> delivery_failures;  // error text -> stories it failed
  bool batches_refused = false;  // a broker refused a batch as too large: its topic's limit is said at exit
  bool refused_in_transaction = false;  // exactly_once: stopped by a delivery the cluster refused (it answers)
  // One part of a story delivered (or failed): its event or dead letter, or its state record.
  const auto part_delivered = [&](in_flight* raw, bool state_record, std::string_view error,
                                  sinks::delivery_failure failure) {
    const bool last = --raw->parts == 0;
    const auto release = [&](in_flight* f) { track.release(f); };
    const std::unique_ptr<in_flight, decltype(release)> f(last ? raw : nullptr, release);
    if (!error.empty()) raw->ok = false;
    if (!error.empty() && eos && failure == sinks::delivery_failure::transient) {
      // The transaction fails at commit and is aborted and retried.
      m.delivery_error();
      return;
    }
    if (!error.empty()) {
      // With no local timeout only permanent errors arrive here under at_least_once. Under
      // exactly_once, a record the broker refuses would be refused again after each abort and
      // re-read, without end (2026-12-04: a topic's max.message.bytes lowered mid-stream), so
      // it stops the run as well.
      m.delivery_error();
      // One line per distinct error, not one per story.
      if (++delivery_failures[std::string(error)] == 1) {
        obs::log().error("delivery failed for {}[{}]@{}{}: {} (further failures "
                         "like it are counted, not logged)",
                         raw->ps->topic, raw->ps->partition.value, raw->offset,
                         failure == sinks::delivery_failure::broken    ? " (the producer cannot go on)"
                         : failure == sinks::delivery_failure::refused ? " (refused by the broker)"
                                                                       : "",
                         error);
      }
      batches_refused |= failure == sinks::delivery_failure::refused;
      refused_in_transaction = eos;
      failed = true;
      return;
    }
    if (!state_record) {
      const auto now_ms = wall_now().value;
      if (raw->broker_ms > 0) m.observe_broker_to_emit(static_cast<double>(now_ms - raw->broker_ms) / 1e3);
      if (raw->published_ms > 0) m.observe_end_to_end(static_cast<double>(now_ms - raw->published_ms) / 1e3);
      if (eos) {
        ++(raw->dead_letter ? txn_dead : txn_events);
      } else if (raw->dead_letter) {
        m.dead_lettered();
      } else {
        m.event_published();
        if (opts.on_event) opts.on_event(raw->event);
      }
    }
    if (last && raw->ok) track.done(*raw);
  };
  const sinks::kafka_producer::delivery_fn on_delivery = [&](std::uint64_t token, std::string_view error,
                                                             sinks::delivery_failure failure) {
    if ((token & part_mask) == state_batch_part) {
      std::unique_ptr<state_batch> b(reinterpret_cast<state_batch*>(token & ~std::uint64_t{part_mask}));
      for (auto* f : b->stories) part_delivered(f, true, error, failure);
      batches.put(std::move(b));
      return;
    }
    part_delivered(reinterpret_cast<in_flight*>(token & ~std::uint64_t{part_mask}), (token & state_part) != 0, error,
                   failure);
  };
  sinks::kafka_producer producer({cfg.kafka.brokers, cfg.kafka.producer, eos ? txn_id : std::string{}}, on_delivery);

  // The start-up's questions to the cluster below each have a deadline, so a broker must answer
  // first. Until one does, wirescan waits: live, so an orchestrator does not restart it for
  // Kafka's outage (the start-up used to block for 40 s, past /healthz's 30 s stall limit, then
  // exit 1 on the state topic's metadata), unready, and stopped by a signal at once, having
  // consumed nothing.
  for (auto waiting_since = clock_type::now(), said = waiting_since - std::chrono::minutes(1);
       !producer.probe_brokers(1000);) {
    producer.poll(0);  // librdkafka's error events: why no broker answers
    health.beat();
    health.set_brokers_up(false);
    if (stop.load(std::memory_order_relaxed)) {
      obs::log().info("stopped before any broker answered; nothing was consumed");
      return 0;
    }
    if (const auto now = clock_type::now(); now - said >= std::chrono::seconds(30)) {
      said = now;
      obs::log().warn("waiting for the brokers ({}): none has answered for {} s{}; unready until one does",
                      cfg.kafka.brokers, std::chrono::duration_cast<std::chrono::seconds>(now - waiting_since).count(),
                      producer.last_error().empty() ? "" : " (last error: " + producer.last_error() + ")");
    }
  }
  health.set_brokers_up(true);

  // Fail fast on outputs the broker says cannot be written: consuming first would only hold
  // stories in flight until their deliveries fail.
  if (const auto bad = producer.unusable_topics({cfg.kafka.output_topic, cfg.kafka.dead_letter_topic}, 10000);
      !bad.empty()) {
    for (const auto& b : bad) obs::log().error("cannot start: {}", b.text);
    return 1;
  }

  // The novelty state topic: compacted, kept a little longer than the window, created when
  // missing (like a Kafka Streams changelog), read from its start before any story.
  const bool share_state = cfg.novelty.enabled && cfg.novelty.persist;
  const std::string state_topic = cfg.novelty.topic(cfg.kafka.group_id);

  // The brokers answered moments ago, but may stop before the start-up's next questions are
  // answered (the state topic created or read, the transactions initialised). ask() (one
  // question, its error or "") is asked again until it succeeds, at most once a second, waiting
  // as at the start (live, unready, a warning every 10 s) rather than exiting 1 for the
  // orchestrator to restart. False after a stop, having consumed nothing.
  const auto ask_until_answered = [&](std::string_view what, std::string_view until,
                                      const std::function<std::string()>& ask) {
    for (auto started = clock_type::now(), said = started;;) {
      const auto asked = clock_type::now();
      const std::string error = ask();
      if (error.empty()) return true;
      while (!stop.load(std::memory_order_relaxed) && clock_type::now() - asked < std::chrono::seconds(1)) {
        health.beat();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      health.beat();
      if (stop.load(std::memory_order_relaxed)) {
        obs::log().info("stopped at start while waiting for {}; nothing was consumed", what);
        return false;
      }
      if (const auto now = clock_type::now(); now - said >= std::chrono::seconds(10)) {
        said = now;
        obs::log().warn("{}: {} after {} s; unready until {}", what, error,
                        std::chrono::duration_cast<std::chrono::seconds>(now - started).count(), until);
      }
    }
  };
  const std::string state_what = "novelty state topic " + state_topic;
  if (share_state) {
    const auto retention_ms = (static_cast<std::int64_t>(cfg.novelty.window_minutes) + 60) * 60000;
    // Asked first: a cluster that cannot create topics (the embedded one) may still have it.
    // Brokers that stop answering during the request are waited out; only the cluster's
    // refusal ends the start-up.
    if (!producer.unusable_topics({state_topic}, 10000).empty()) {
      std::string refused;
      const bool created = ask_until_answered(state_what, "it is created", [&] {
        auto made = producer.ensure_topic(
            state_topic, 1, {{"cleanup.policy", "compact,delete"}, {"retention.ms", std::to_string(retention_ms)}},
            5000);
        if (!made.transient) refused = std::move(made.error);
        return made.transient ? made.error : std::string{};
      });
      if (!created) return 0;
      if (!refused.empty()) {
        obs::log().error("cannot start: novelty state topic '{}': {} (create it compacted, or set novelty.persist: false)",
                         state_topic, refused);
        return 1;
      }
    }
    // A topic just created can take a moment to appear in every broker's metadata (a clean-
    // clone CI run caught wirescan exiting on "does not exist" right after creating it). Any
    // other problem (not authorised) will not pass by waiting.
    auto bad = producer.unusable_topics({state_topic}, 10000);
    for (int attempt = 0; attempt < 50 && !bad.empty() && bad.front().missing; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      bad = producer.unusable_topics({state_topic}, 10000);
    }
    if (!bad.empty()) {
      obs::log().error("cannot start: {}", bad.front().text);
      return 1;
    }
  }

  // A topic that takes smaller record batches than the producers make would refuse whole
  // batches of stories, each time they are sent again: under at_least_once an exit 1 on every
  // start, under exactly_once an abort and re-read without end. Said at start instead.
  std::vector<std::string> written{cfg.kafka.output_topic, cfg.kafka.dead_letter_topic};
  if (share_state) written.push_back(state_topic);
  if (opts.check_topic_limits) {
    if (const auto small = producer.batches_too_large_for(written, 10000); !small.empty()) {
      for (const auto& p : small) obs::log().error("cannot start: {}", p.text);
      return 1;
    }
  }

  // State records go through a producer of their own (at_least_once): batched with a linger,
  // so they neither add requests to nor wait behind the events, whose latency is what desks
  // see (bench/latency.py: event p99 at 5,000 stories/s went from 48 ms to 23 ms).
  // exactly_once keeps them in the events' transaction. A batch of stories' records is
  // produced at most state_batch_age after its first story, so with the linger a story's state
  // leaves within 20 ms of it, as when each story had a record of its own and a 20 ms linger.
  constexpr auto state_batch_age = std::chrono::milliseconds(5);
  // A batch also stays under the producer's message.max.bytes, less room for its key and
  // Kafka's record overhead, so a small limit makes smaller batches rather than failures (a
  // story's record over it alone fails as too large, as it did when each story had one).
  std::size_t state_batch_bytes = 64 * 1024;
  if (const auto it = cfg.kafka.producer.find("message.max.bytes"); it != cfg.kafka.producer.end()) {
    std::size_t limit = 0;
    const auto& v = it->second;
    if (std::from_chars(v.data(), v.data() + v.size(), limit).ec == std::errc{}) {
      state_batch_bytes = std::min(state_batch_bytes, limit > 2048 ? limit - 1024 : limit / 2);
    }
  }
  std::optional<sinks::kafka_producer> state_producer;
  if (share_state && !eos) {
    auto props = cfg.kafka.producer;
    props["linger.ms"] = cfg.novelty.state_batch > 1 ? "15" : "20";
    state_producer.emplace(sinks::producer_config{cfg.kafka.brokers, props, {}}, on_delivery);
  }
  sinks::kafka_producer& state_out = state_producer ? *state_producer : producer;

  // A stall (delivery_watch, run_command.hpp) makes the instance unready, is said once in the
  // log, and the gauge shows how long. Checked on every turn of the run loop and while a story
  // waits for room in a full producer queue.
  delivery_watch deliveries(std::chrono::milliseconds(cfg.kafka.stall_timeout_ms), clock_type::now());
  const auto watch_deliveries = [&](clock_type::time_point now) {
    const auto change = deliveries.observe(track.outstanding(), track.completed(), now);
    m.set_delivery_stall(std::chrono::duration<double>(deliveries.quiet(now)).count());
    if (change == delivery_watch::change::none) return;
    health.set_deliveries_stalled(deliveries.stalled());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deliveries.stalled_for()).count();
    if (change == delivery_watch::change::stalled) {
      obs::log().warn("deliveries stalled: {} stor{} in flight and none acknowledged for {} ms "
                      "(kafka.stall_timeout_ms); unready until the output acknowledges again",
                      track.outstanding(), track.outstanding() == 1 ? "y" : "ies", ms);
    } else {
      obs::log().info("deliveries resumed after {} ms without an acknowledgement; {} stor{} in flight", ms,
                      track.outstanding(), track.outstanding() == 1 ? "y" : "ies");
    }
  };
  // A story waiting for room in a full producer queue serves delivery reports meanwhile, and
  // counts as work (the loop is not stuck, the output is). Returns false to give up: on a stop,
  // once the output has acknowledged nothing for kafka.drain_timeout_ms, as a drain would.
  const auto await_room = [&](sinks::kafka_producer& p) {
    m.producer_queue_full();
    p.poll(50);
    const auto now = clock_type::now();
    health.beat();
    watch_deliveries(now);
    return !(stop.load(std::memory_order_relaxed) &&
             deliveries.quiet(now) >= std::chrono::milliseconds(cfg.kafka.drain_timeout_ms));
  };
  const auto poll_producers = [&](int timeout_ms) {
    producer.poll(timeout_ms);
    if (state_producer) state_producer->poll(0);
    track.store_offsets();  // what the delivery reports just finished
  };
  // A state record (one story's, or a batch) to the state producer; a full local queue is
  // backpressure, served until there is room. Returns queued, too_large, or queue_full when
  // await_room gave up.
  const auto produce_state = [&](std::string_view key, std::string_view bytes, std::uintptr_t token,
                                 sinks::payload_copy copy) {
    for (;;) {
      const auto st = state_out.produce(state_topic, key, bytes, {}, token, copy);
      if (st != sinks::produce_status::queue_full) return st;
      if (state_producer) producer.poll(0);  // the events' reports finish stories too
      const bool wait = await_room(state_out);
      track.store_offsets();
      if (!wait) return st;
    }
  };
  // Both producers within one timeout_ms, not one each.
  const auto flush_producers = [&](int timeout_ms) {
    const auto until = clock_type::now() + std::chrono::milliseconds(timeout_ms);
    const bool events = producer.flush(timeout_ms);
    if (!state_producer) return events;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now()).count();
    return state_producer->flush(static_cast<int>(std::max<std::int64_t>(left, 0))) && events;
  };

  const int drain_ms = cfg.kafka.drain_timeout_ms;
  // exactly_once: the open transaction and the next offset of each partition it covers.
  bool txn_open = false;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> txn_next;
  auto txn_started = clock_type::now();
  std::function<void()> finish_transaction;  // set once the consumer exists
  std::function<void()> drain_staged;        // set once the pipeline exists

  ingest::kafka_consumer consumer(
      {cfg.kafka.brokers, cfg.kafka.group_id, cfg.kafka.input_topics, cfg.kafka.consumer, eos},
      {.on_assign =
           [&](const std::vector<ingest::topic_partition>&) {
             m.rebalance(true);
             health.set_in_group(consumer_ptr->in_group());
           },
       .on_revoke =
           [&](const std::vector<ingest::topic_partition>& ps, bool lost) {
             m.rebalance(false);
             health.beat();  // a long flush here is work, not a stall
             // The revoked partitions' stories still being prepared go out first (this
             // member has processed them; the next one starts after their offsets).
             if (drain_staged) drain_staged();
             if (eos) {
               // Commit (or abort) before the partitions move: their offsets live in it. Not
               // after a failure, which may have left stories of it undelivered, nor once the
               // run has ended (below, `forget`).
               if (txn_open && !failed && finish_transaction) finish_transaction();
               track.revoked(ps);
               return;
             }
             // Deliver what is in flight before the partitions move, so their offsets are
             // stored and committed by this member, not re-read by the next one.
             if (!lost && !flush_producers(drain_ms)) {
               obs::log().warn("revoke: {} message(s) still undelivered after {} ms", producer.queue_length(), drain_ms);
             }
             track.revoked(ps);
           },
       .on_stats =
           [&](const ingest::consumer_stats& st) {
             std::vector<std::tuple<std::string, std::int32_t, std::int64_t>> lags;
             for (const auto& l : st.lags) lags.emplace_back(l.topic, l.partition.value, l.lag);
             m.set_consumer_lag(lags);
           }});
  consumer_ptr = &consumer;
  // A transactional call that fails with a retriable error (the cluster out of reach for a
  // moment) is made again, as librdkafka allows: the transaction stays open meanwhile, until
  // the coordinator's transaction.timeout.ms aborts it and the call says abortable. The
  // instance stays live and shows the brokers unreachable. A stop ends the retries, throwing
  // the last error.
  const auto again_while_retriable = [&](const std::function<void()>& call) {
    const auto started = clock_type::now();
    auto said = started;
    for (int failures = 0;; ++failures) {
      try {
        {
          const auto waiting = health.waiting_on_cluster();  // unready if it is held past its patience
          call();
        }
        if (failures > 0) {
          obs::log().info("exactly_once: the cluster answered again after {} s",
                          std::chrono::duration_cast<std::chrono::seconds>(clock_type::now() - started).count());
        }
        return;
      } catch (const sinks::transaction_error& e) {
        if (!e.retriable || stop.load(std::memory_order_relaxed)) throw;
        health.set_brokers_up(false);
        if (const auto now = clock_type::now(); failures == 0 || now - said >= std::chrono::seconds(10)) {
          said = now;
          obs::log().warn("{}; calling it again, unready until it succeeds", e.what());
        }
        for (int i = 0; i < 5 && !stop.load(std::memory_order_relaxed); ++i) {
          health.beat();
          producer.poll(100);
        }
        // Stopped meanwhile: no call again, which could block past its timeout (librdkafka #5456).
        if (stop.load(std::memory_order_relaxed)) throw;
      }
    }
  };
  finish_transaction = [&] {
    // The transaction's offsets cover every story consumed so far, so each must be in it.
    if (drain_staged) drain_staged();
    std::vector<core::source_position> next;
    for (const auto& [tp, off] : txn_next) next.push_back({tp.first, core::partition_id{tp.second}, core::offset{off}});
    try {
      if (!next.empty()) {
        again_while_retriable([&] { producer.send_offsets(next, consumer.group_metadata(), drain_ms); });
      }
      again_while_retriable([&] { producer.commit_transaction(drain_ms); });
      for (; txn_events > 0; --txn_events) m.event_published();
      for (; txn_dead > 0; --txn_dead) m.dead_lettered();
    } catch (const sinks::transaction_error& e) {
      if (!e.abortable) {
        obs::log().error("{}; stopping ({})", e.what(),
                         e.retriable ? "stopped while the cluster did not answer" : "the producer was fenced or broke");
        failed = true;
      } else {
        // Nothing of this transaction is visible to read_committed readers; read it again.
        obs::log().warn("{}; aborting and re-reading {} partition(s) from their commits", e.what(), next.size());
        try {
          again_while_retriable([&] { producer.abort_transaction(drain_ms); });
          const auto waiting = health.waiting_on_cluster();  // reads the committed offsets: up to 10 s
          consumer.rewind_to_committed();
        } catch (const std::exception& e2) {
          obs::log().error("abort failed: {}; stopping", e2.what());
          failed = true;
        }
      }
    }
    txn_open = false;
    txn_next.clear();
    txn_events = txn_dead = 0;  // committed above, or aborted and to be re-read
  };
  if (eos) {
    // A timeout is retriable (librdkafka: call it again); anything else ends the start-up.
    std::optional<sinks::transaction_error> refused;
    const bool initialised = ask_until_answered("exactly_once: initialising transactions", "they are", [&] {
      try {
        producer.init_transactions(5000);
        return std::string{};
      } catch (const sinks::transaction_error& e) {
        if (!e.retriable) refused = e;
        return e.retriable ? std::string(e.what()) : std::string{};
      }
    });
    if (!initialised) return 0;
    if (refused) throw *refused;
    obs::log().info("exactly_once: transactional id {}", txn_id);
  }

  pipeline pipe(cfg, m, opts.enricher ? opts.enricher : make_enricher(cfg), share_state);
  std::optional<ingest::topic_follower> state;
  const auto apply_state = [&](std::string_view record) {
    if (!pipe.apply_state(record)) obs::log().warn("novelty state topic {}: skipped a record that is not one", state_topic);
  };
  if (share_state) {
    const auto started = clock_type::now();
    state.emplace(cfg.kafka.brokers, state_topic, cfg.kafka.consumer);
    if (!ask_until_answered(state_what, "it can be read",
                            [&] { return state->assign_partitions(std::chrono::seconds(2)); })) {
      return 0;
    }
    const bool read = state->catch_up(apply_state, std::chrono::seconds(60), [&] {
      health.beat();
      return !stop.load(std::memory_order_relaxed);
    });
    if (stop.load(std::memory_order_relaxed)) {
      obs::log().info("stopped while reading the novelty state topic; nothing was consumed");
      return 0;
    }
    if (!read) {
      obs::log().warn("novelty state topic {}: not read to its end in 60 s; going on with what was read", state_topic);
    }
    const auto st = pipe.novelty_index()->stats();
    obs::log().info("novelty state: {} stories in the window restored from {} in {} ms", st.entries, state_topic,
                    std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started).count());
  }
  // The stories' state records gathered so far, produced as one record (novelty.state_batch);
  // its key only has to be unique, the records inside carry their stories' keys.
  auto batch = batches.get();
  std::uint64_t batches_produced = 0;
  const auto produce_state_batch = [&] {
    if (batch->stories.empty()) return;
    const auto key = fmt::format("{:016x}\x1f{}", pipe.novelty_index()->instance(), ++batches_produced);
    const auto st = produce_state(key, batch->bytes, reinterpret_cast<std::uintptr_t>(batch.get()) | state_batch_part,
                                  sinks::payload_copy::no);
    if (st == sinks::produce_status::queued) {
      (void)batch.release();  // the delivery report owns it now, and its bytes until then
      batch = batches.get();
      return;
    }
    // Over the producer's message.max.bytes, or given up on at a stop: like a failed delivery
    // for each of its stories. Refused by a failed transaction: the same, but the abort after
    // the failed commit reads them again, as for a failed delivery under exactly_once.
    const bool txn_failed = st == sinks::produce_status::transaction_failed;
    const std::string error = st == sinks::produce_status::queue_full ? std::string(stalled_queue_full)
                              : txn_failed ? std::string(transaction_failed_refusal)
                                           : fmt::format("a novelty state batch of {} bytes exceeds the producer's "
                                                         "message.max.bytes (lower novelty.state_batch)",
                                                         batch->bytes.size());
    for (auto* f : batch->stories) {
      f->ok = false;
      if (--f->parts == 0) track.release(f);
      m.delivery_error();
    }
    if (++delivery_failures[error] == 1) {
      obs::log().log(txn_failed ? spdlog::level::warn : spdlog::level::err, "{}", error);
    }
    failed = failed || !txn_failed;
    batch->stories.clear();
  };
  const std::string schema_header(core::event_schema_v1);
  std::vector<sinks::header> headers;  // one story's, reused
  auto last_log = clock_type::now();
  // Long enough ago that the first suspicion of a broker outage is probed at once.
  auto last_probe = clock_type::now() - std::chrono::seconds(3);
  // Probes of the brokers unanswered in a row. One is not enough to believe the producer: on a
  // loaded host a probe that is answered takes 100-450 ms, and one or two in ~15 missed their
  // 500 ms (the instance was then unready for 1.5 s with the broker fine).
  int probes_unanswered = 0;
  constexpr int probes_to_believe = 2;
  // A probe on librdkafka's word that every broker is down waits 500 ms for its answer. A probe
  // on a quiet wire (below) has no such word behind it, so it waits 2 s: a loaded host's slow
  // answer must not make a healthy instance unready.
  constexpr auto suspect_probe_timeout = std::chrono::milliseconds(500);
  constexpr auto quiet_probe_timeout = std::chrono::milliseconds(2000);
  // No story consumed, no delivery report and no probe answered for this long is a quiet wire:
  // a hung broker (a frozen JVM, a stuck disk, a network path that drops packets) keeps every
  // connection open, and with nothing in flight there is no stall to see either, so librdkafka
  // said nothing until the group session ran out (45 s by default) and the instance stayed
  // ready. A quiet wire is probed, so an idle instance asks a broker about every 10 s.
  constexpr auto quiet_after = std::chrono::seconds(10);
  auto last_sign_of_life = clock_type::now();
  std::uint64_t completed_seen = 0;
  auto probe_timeout = suspect_probe_timeout;  // the last probe's, for its log lines
  broker_probe probe([&consumer](std::chrono::milliseconds timeout) { return consumer.probe_brokers(timeout); });
  bool brokers_up = true;         // as the last iteration judged them (readiness)
  auto last_state_poll = clock_type::now();
  std::uint64_t consumed = 0;
  std::size_t partitions_shown = 0;  // wirescan_assigned_partitions, 0 until an assignment
  // When the loop last saw this member in the group, and when to say why it is not (below).
  auto in_group_at = clock_type::now();
  auto group_note_due = in_group_at + std::chrono::seconds(10);

  // After the story was prepared (decoded and enriched, on the staging thread): the novelty
  // stage and the event here, then the event or dead letter (and the story's state record)
  // to the producer. Stories come here in consumption order.
  const auto emit = [&](staged_story& in, prepared& story) {
    const staged_story* msg = &in;
    in_flight* f = in.f;
    const auto r = pipe.finish(story);
    if (r.published_at) f->published_ms = r.published_at->value;
    const std::string partition = std::to_string(msg->pos.partition.value);
    const std::string offset = std::to_string(msg->pos.off.value);
    const std::array<sinks::header, 3> source{{{"wirescan.source.topic", msg->pos.topic},
                                               {"wirescan.source.partition", partition},
                                               {"wirescan.source.offset", offset}}};
    headers.clear();
    std::string_view topic;
    std::string_view key;
    std::string_view payload;
    const bool suppressed =
        r.accepted && r.novelty &&
        std::find(cfg.novelty.suppress_kafka.begin(), cfg.novelty.suppress_kafka.end(), core::to_string(*r.novelty)) !=
            cfg.novelty.suppress_kafka.end();
    if (suppressed) m.novelty_suppressed(*r.novelty);
    if (r.accepted) {
      headers.push_back({"wirescan.schema", schema_header});
      headers.push_back({"content-type", "application/json"});
      if (r.novelty) headers.push_back({"wirescan.novelty.kind", core::to_string(*r.novelty)});
      topic = cfg.kafka.output_topic;
      key = cfg.kafka.key == key_mode::primary_ticker && !r.primary_symbol.empty() ? r.primary_symbol : r.story_id;
      f->event.assign(r.event);  // its own copy, which librdkafka reads in place (below)
      payload = f->event;
    } else {
      headers.push_back({"wirescan.reject.reason", core::to_string(r.rejection.reason)});
      headers.push_back({"wirescan.reject.detail", r.rejection.detail});
      topic = cfg.kafka.dead_letter_topic;
      key = msg->key;
      payload = msg->payload;  // the original bytes, untouched
      f->dead_letter = true;
    }
    headers.insert(headers.end(), source.begin(), source.end());
    // A full local queue is backpressure: serve delivery reports until there is room.
    const auto send = [&] {
      for (;;) {
        // An event is read from the story's record, which outlives its delivery report; a dead
        // letter's bytes are the staging ring's, which a later story reuses, so they are copied.
        const auto copy = payload.data() == f->event.data() ? sinks::payload_copy::no : sinks::payload_copy::yes;
        const auto st = producer.produce(topic, key, payload, headers, reinterpret_cast<std::uintptr_t>(f), copy);
        if (st == sinks::produce_status::transaction_failed) {
          throw sinks::transaction_error(transaction_failed_refusal, true);
        }
        if (st != sinks::produce_status::queue_full) return st;
        if (!await_room(producer)) throw std::runtime_error(stalled_queue_full);
      }
    };
    try {
      if (!r.state_record.empty() && cfg.novelty.state_batch > 1) {
        // Gathered first, so a story counts as done only once its batch is delivered too.
        if (!batch->stories.empty() && batch->bytes.size() + 4 + r.state_record.size() > state_batch_bytes) {
          produce_state_batch();
        }
        if (batch->stories.empty()) {
          novelty::begin_batch(pipe.novelty_index()->instance(), batch->bytes);
          batch->started = clock_type::now();
        }
        novelty::append_to_batch(r.state_record, batch->bytes);
        batch->stories.push_back(f);
        ++f->parts;
        if (batch->stories.size() >= cfg.novelty.state_batch) produce_state_batch();
      } else if (!r.state_record.empty()) {
        // Produced first, so a story counts as done only once its state record is delivered too.
        const auto st = produce_state(r.state_key, r.state_record, reinterpret_cast<std::uintptr_t>(f) | state_part,
                                      sinks::payload_copy::yes);
        if (st == sinks::produce_status::queue_full) throw std::runtime_error(stalled_queue_full);
        if (st == sinks::produce_status::too_large) throw std::runtime_error("novelty state record too large");
        if (st == sinks::produce_status::transaction_failed) {
          throw sinks::transaction_error(transaction_failed_refusal, true);
        }
        ++f->parts;
      }
      if (suppressed) {
        // Not published, by configuration; done once its state record (if any) is delivered.
        if (--f->parts == 0) {
          track.done(*f);
          track.release(f);
        }
        return;
      }
      m.observe_in_service(std::chrono::duration<double>(clock_type::now() - f->consumed).count());
      if (send() == sinks::produce_status::too_large) {
        // Bigger than the producer's message.max.bytes. An event that large goes to the dead
        // letters as oversized; a dead letter that large keeps its first reject_raw_limit bytes,
        // says so in a header, and names its source offset so the whole story can be re-read.
        const std::string original_size = std::to_string(msg->payload.size());
        auto reason = r.rejection.reason;
        std::string detail = r.rejection.detail;
        if (r.accepted) {
          reason = core::reject_reason::oversized;
          detail = "the event (" + std::to_string(payload.size()) + " bytes) exceeds the producer's message.max.bytes";
          m.story_rejected(reason);
          f->dead_letter = true;
          f->event.clear();
        }
        topic = cfg.kafka.dead_letter_topic;
        key = msg->key;
        payload = msg->payload;
        headers = {{"wirescan.reject.reason", core::to_string(reason)}, {"wirescan.reject.detail", detail}};
        headers.insert(headers.end(), source.begin(), source.end());
        if (send() == sinks::produce_status::too_large) {
          payload = payload.substr(0, std::min(payload.size(), cfg.output.reject_raw_limit));
          headers.push_back({"wirescan.reject.truncated_from", original_size});
          obs::log().warn("{}[{}]@{}: dead letter of {} bytes exceeds message.max.bytes; sent its first {} bytes",
                          msg->pos.topic, partition, offset, original_size, payload.size());
          if (send() != sinks::produce_status::queued) throw std::runtime_error("dead letter still too large to produce");
        }
      }
    } catch (const std::runtime_error& e) {
      // A produce the client refuses for good (the topic's authorisation revoked, say): like a
      // failed delivery. The story stays pending, so nothing is committed past it; a state
      // record already queued for it still holds the pointer. One refused because the open
      // transaction failed before this story (a delivery in it failed, say) fails only that
      // transaction, as a failed delivery does under exactly_once: the commit fails and the
      // abort reads the story again.
      const bool transaction_only = dynamic_cast<const sinks::transaction_error*>(&e) != nullptr;
      f->ok = false;
      if (--f->parts == 0) track.release(f);
      m.delivery_error();
      if (++delivery_failures[e.what()] == 1) {
        obs::log().log(transaction_only ? spdlog::level::warn : spdlog::level::err, "{}", e.what());
      }
      if (!transaction_only) failed = true;
    }
  };
  const cpu_limit cpus = read_cpu_limit();
  const std::size_t ahead =
      cfg.kafka.prepare_ahead.value_or(cpus.preparers() > 0 ? kafka_config::default_prepare_ahead : 0);
  const std::size_t preparers = ahead == 0 ? 0 : cfg.kafka.prepare_threads.value_or(std::max(1U, cpus.preparers()));
  if (ahead > 0) {
    obs::log().info("{} up to {} stories ahead (kafka.prepare_threads: {}); {}",
                    preparers == 1 ? std::string("a second thread decodes and enriches")
                                   : fmt::format("{} more threads decode and enrich", preparers),
                    ahead, cfg.kafka.prepare_threads ? std::to_string(preparers) : std::string("auto"),
                    cpus.describe());
  } else {
    obs::log().info("everything on one thread (kafka.prepare_ahead: {}); {}",
                    cfg.kafka.prepare_ahead ? "0" : "auto", cpus.describe());
  }
  staged_pipeline<staged_story> staged(pipe, ahead, preparers);
  // The input being polled: swapped into the ring, it comes back with the buffers of a story
  // the ring has finished with, so consuming a story allocates nothing once they have grown
  // (a fresh message each time was one to three allocations a story on the busiest thread).
  staged_story next;
  m.set_threads(cpus.usable(), staged.threads());
  const auto emit_front = [&](bool wait) {
    auto* s = staged.front(wait);
    if (s == nullptr) return false;
    emit(s->item, s->story);
    staged.pop();
    return true;
  };
  // Before a commit, a revoke, a reload or the end: nothing consumed is left unemitted, and
  // no state record is left unproduced.
  drain_staged = [&] {
    while (!failed && emit_front(true)) {
    }
    // Under exactly_once a failure has failed the open transaction, which would only refuse the
    // batch. Its stories stay undelivered, and are counted as such at exit.
    if (!(eos && failed)) produce_state_batch();
  };
  // Should anything below throw, the consumer's destructor still leaves the group and calls
  // on_revoke, after the staging ring, the state batch and the lambdas these two use are gone
  // (a heap use after free in the sanitizer build, CI 2026-12-04): it must find nothing to do.
  struct forget_t {
    std::function<void()>& drain;
    std::function<void()>& finish;
    ~forget_t() {
      drain = nullptr;
      finish = nullptr;
    }
  } const forget{drain_staged, finish_transaction};

  while (!stop.load(std::memory_order_relaxed) && !failed) {
    // Emit what the staging thread has ready, without waiting.
    while (!failed && emit_front(false)) {
    }
    if (opts.stop_after != 0 && consumed >= opts.stop_after) {
      drain_staged();
      if (track.completed() >= opts.stop_after) break;
      poll_producers(10);
      continue;
    }
    poll_producers(0);
    if (eos && txn_open &&
        clock_type::now() - txn_started >= std::chrono::milliseconds(cfg.kafka.transaction_interval_ms)) {
      finish_transaction();
      if (failed) break;
    }
    if (opts.reload != nullptr && opts.reload->exchange(false)) {
      drain_staged();  // the stories already consumed finish on the old rules
      const auto problems = pipe.reload(cfg);
      if (problems.empty()) {
        obs::log().info("rules reloaded from {}", cfg.enrich.rules_dir);
      } else {
        obs::log().error("rules reload refused, keeping the old rules: {} problem(s), first: {}", problems.size(),
                         problems.front());
      }
    }
    // How long the fetch may sleep depends on what the loop waits for (run_command.hpp).
    const int fetch_wait = fetch_wait_ms({.preparing = !staged.empty(),
                                          .awaiting = !batch->stories.empty() || track.outstanding() > 0,
                                          .brokers_up = brokers_up,
                                          .exactly_once = eos});
    const bool got = consumer.poll(next, std::chrono::milliseconds(fetch_wait));
    const staged_story* msg = got ? &next : nullptr;
    // One clock read an iteration: the state batch's age, the state reader's pace, the log's
    // pace and the story's time in service all start from it.
    const auto now = clock_type::now();
    if (state) {  // only with state shared (then the follower exists)
      if (!batch->stories.empty() && now - batch->started >= state_batch_age) produce_state_batch();
      // What the other instances decided so far, before this story is judged: read when idle and
      // at most a millisecond apart while stories flow, not once per story (an empty consume
      // each). The records come in batches anyway: up to 64 stories each, behind a 15 ms linger.
      if (!msg || now - last_state_poll >= std::chrono::milliseconds(1)) {
        state->poll(apply_state);
        last_state_poll = now;
      }
    }
    health.beat();
    health.set_in_group(consumer.in_group());
    if (consumer.in_group()) {
      in_group_at = now;
      group_note_due = now + std::chrono::seconds(10);
    } else if (now >= group_note_due) {
      // /readyz says only "not in the consumer group". librdkafka names a missing topic
      // ("Subscribed topic not available") but says nothing of a pattern that matches none, and
      // a member whose subscription matches nothing never joins, so say which case this is.
      group_note_due = now + std::chrono::seconds(60);
      if (consumer.subscribed_topic_exists(std::chrono::milliseconds(500)) == false) {
        obs::log().warn("not in the consumer group for {} s: no topic matches the subscription ({}); the instance "
                        "joins once one is created",
                        std::chrono::duration_cast<std::chrono::seconds>(now - in_group_at).count(),
                        fmt::join(cfg.kafka.input_topics, ", "));
      }
    }
    if (const auto n = consumer.assignment_size(); n != partitions_shown) {
      partitions_shown = n;  // the gauge only on a change: the loop turns once a story
      m.set_assigned_partitions(n);
    }
    // librdkafka does not always tell the consumer that every broker is down (seen with the
    // broker stopped 0.2 s after an assignment: only the producer was told, and the consumer
    // lost its group session 10 s later), so the events' producer is asked too. But an idle
    // producer is also told so when the broker closes its idle connection (librdkafka #5142),
    // so its word counts only once probes, 2 s apart, go unanswered twice in a row; and a
    // quiet wire is probed the same way. A broker that answers a probe clears both.
    // The probe asks on a thread of its own (broker_probe.hpp): its answer is taken here when
    // it has come, and no story waits for it.
    if (msg != nullptr || track.completed() != completed_seen) {
      completed_seen = track.completed();
      last_sign_of_life = now;
    }
    const bool suspect = consumer.brokers_down() || producer.brokers_down();
    if (const auto answered = probe.answer()) {
      if (*answered) {
        producer.brokers_reached();
        last_sign_of_life = now;
        if (probes_unanswered >= probes_to_believe) obs::log().info("a broker answered a probe again");
        probes_unanswered = 0;
      } else if (++probes_unanswered < probes_to_believe) {
        obs::log().info("no broker answered a probe within {} ms ({}); asking again in 2 s before it counts",
                        probe_timeout.count(),
                        suspect ? "librdkafka reports every broker down" : "nothing consumed or acknowledged for 10 s");
      } else if (probes_unanswered == probes_to_believe) {
        obs::log().warn("no broker answered {} probes 2 s apart ({}); unready (brokers unreachable) until one answers",
                        probes_to_believe,
                        suspect ? "librdkafka reports every broker down" : "nothing consumed or acknowledged for 10 s");
      }
    }
    const bool quiet = now - last_sign_of_life >= quiet_after;
    if (!suspect && !quiet) {
      probes_unanswered = 0;
    } else if (now - last_probe > std::chrono::seconds(2)) {
      const auto timeout = suspect ? suspect_probe_timeout : quiet_probe_timeout;
      if (probe.ask(timeout)) {
        last_probe = now;
        probe_timeout = timeout;
      }
    }
    brokers_up = !consumer.brokers_down() && probes_unanswered < probes_to_believe;
    health.set_brokers_up(brokers_up);
    watch_deliveries(now);
    m.set_producer_queue(producer.queue_length());
    m.set_in_flight(static_cast<double>(track.outstanding()));
    if (now - last_log > std::chrono::seconds(10)) {
      last_log = now;
      obs::log().info("consumed {}, published {}, dead-lettered {}, in flight {}, partitions {}", consumed,
                      m.events_published(), m.dead_letters(), track.outstanding(), consumer.assignment_size());
    }
    if (!msg) {
      (void)emit_front(true);  // nothing new: wait for the oldest story being prepared
      continue;
    }
    ++consumed;
    if (eos && !txn_open) {
      producer.begin_transaction();
      txn_open = true;
      txn_started = clock_type::now();
    }
    if (eos) txn_next[{msg->pos.topic, msg->pos.partition.value}] = msg->pos.off.value + 1;
    auto& ps = track.state(msg->pos.topic, msg->pos.partition);
    auto* f = track.begin(ps, msg->pos.off.value);
    f->broker_ms = msg->broker_time.value;
    f->consumed = now;
    if (staged.full()) (void)emit_front(true);
    next.f = f;
    staged.push_swap(next);  // next comes back holding a finished story's buffers, to poll into
  }

  // Drain: no more fetching; deliver what is in flight, store and commit, leave the group.
  // Readiness turns off first, so no load balancer or probe counts on this instance.
  health.set_draining();
  probe.stop();  // before the consumer it asks through closes
  drain_staged();
  if (cfg.kafka.shutdown_delay_ms > 0 && !failed) {
    // Unready but still delivering, so probes and load balancers see it before we leave.
    obs::log().info("unready; draining in {} ms", cfg.kafka.shutdown_delay_ms);
    const auto until = clock_type::now() + std::chrono::milliseconds(cfg.kafka.shutdown_delay_ms);
    while (clock_type::now() < until) {
      poll_producers(50);
      health.beat();
    }
  }
  obs::log().info("draining {} in-flight stor{} (deadline {} ms)", track.outstanding(),
                  track.outstanding() == 1 ? "y" : "ies", drain_ms);
  if (eos && txn_open && !failed) finish_transaction();
  if (eos && txn_open && refused_in_transaction) {
    // A record the broker refused stopped the run: the cluster answers, so the open transaction
    // is aborted now rather than left to hold read_committed readers of its partitions until
    // the next instance with this transactional id, or transaction.timeout.ms, ends it.
    try {
      const auto waiting = health.waiting_on_cluster();
      producer.abort_transaction(drain_ms);
      obs::log().info("exactly_once: aborted the open transaction");
    } catch (const std::exception& e) {
      obs::log().warn("exactly_once: the open transaction could not be aborted ({}); the next instance with "
                      "transactional id {} aborts it, or the broker after transaction.timeout.ms",
                      e.what(), txn_id);
    }
  }
  // Under exactly_once a failure leaves the open transaction uncommitted: what it holds will
  // never be visible to a read_committed reader, so waiting for its delivery is no use.
  const bool drained = !(eos && failed) && flush_producers(drain_ms);
  if (batches_refused && opts.check_topic_limits) {
    // Lowered since the start-up's check, most likely: say what to set, as that check does.
    for (const auto& p : producer.batches_too_large_for(written, 10000)) obs::log().error("{}", p.text);
  }
  // Said before the leave, which a hung coordinator can cut short (below).
  if (failed || !drained) {
    for (const auto& [error, n] : delivery_failures) {
      obs::log().error("{} deliver{} failed: {}", n, n == 1 ? "y" : "ies", error);
    }
    obs::log().error("stopping with {} undelivered stor{}; their offsets were not committed and will be re-read",
                     track.outstanding(), track.outstanding() == 1 ? "y" : "ies");
  }
  {
    // The commit and the leave wait on the group coordinator, with no deadline of their own.
    // They get leave_budget (run_command.hpp), and drain_ms more for a member still awaiting
    // its first assignment (kafka_consumer::close), which has nothing in flight to flush.
    const auto budget =
        leave_budget + (consumer.assignment_size() == 0 ? std::chrono::milliseconds(drain_ms) : std::chrono::milliseconds(0));
    const exit_deadline deadline(
        clock_type::now() + budget,
        fmt::format("the group coordinator did not answer the final commit and leave within {} ms; exiting 1 "
                    "(what it did not commit, the next owner reads again; the group drops this member after "
                    "its session timeout)",
                    budget.count()));
    track.store_offsets();
    if (!eos) consumer.commit();
    consumer.close(std::chrono::milliseconds(drain_ms));
  }
  consumer_ptr = nullptr;
  drain_staged = nullptr;
  if (failed || !drained) return 1;
  obs::log().info("stopped cleanly: consumed {}, published {}, dead-lettered {}", consumed, m.events_published(),
                  m.dead_letters());
  return 0;
}

}  // namespace wirescan::app
