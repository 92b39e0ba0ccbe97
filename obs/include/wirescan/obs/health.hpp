#pragma once
// Health state shared by the processing loop (writer) and the HTTP endpoints (readers).
//
// live: the loop has beaten within the stall limit. ready: the consumer group has given this
// member an assignment (an empty one too: a standby, when the group has more members than
// partitions), the brokers answer, deliveries are not stalled, and the service is not
// draining; unready() says which of these fail. All members are atomics: any thread may read,
// the loop thread writes.
//
// The loop judges the brokers between stories, so while it waits inside a call to the
// cluster it judges nothing. librdkafka may hold such a call far past its timeout (an
// exactly_once send_offsets_to_transaction held 12 s against its 3 s with the network cut,
// past the group's session timeout; librdkafka #5456), and /readyz kept saying ready all that
// while. So the loop marks the calls it waits in (waiting_on_cluster()), and one that has not
// returned within cluster_call_patience counts as brokers unreachable, read by whichever thread
// asks.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace wirescan::obs {

// Why an instance is unready, in health::unready()'s bit order: the label of
// wirescan_unready_reason{reason} and the words /readyz says, kept in one list.
struct unready_reason {
  std::string_view label;
  std::string_view text;
};
inline constexpr std::array<unready_reason, 4> unready_reasons{{{"not_in_group", "not in the consumer group"},
                                                                {"brokers_unreachable", "brokers unreachable"},
                                                                {"deliveries_stalled", "deliveries stalled"},
                                                                {"draining", "draining"}}};

class health {
 public:
  // A call the loop waits in this long says the cluster does not answer: several times what
  // a commit takes on a loaded host, and shorter than the 2 probes 2 s apart that judge an
  // idle loop's brokers.
  static constexpr std::chrono::milliseconds default_cluster_call_patience{2000};

  explicit health(std::chrono::milliseconds cluster_call_patience = default_cluster_call_patience) noexcept
      : patience_ns_(std::chrono::nanoseconds(cluster_call_patience).count()) {}

  // Marks the loop as waiting in a call to the cluster until the guard goes out of scope.
  class cluster_call {
   public:
    explicit cluster_call(health& h) noexcept : h_(h) { h_.call_since_ns_.store(now_ns(), std::memory_order_relaxed); }
    ~cluster_call() { h_.call_since_ns_.store(0, std::memory_order_relaxed); }
    cluster_call(const cluster_call&) = delete;
    cluster_call& operator=(const cluster_call&) = delete;

   private:
    health& h_;
  };
  [[nodiscard]] cluster_call waiting_on_cluster() noexcept { return cluster_call(*this); }

  void beat() noexcept { last_beat_ns_.store(now_ns(), std::memory_order_relaxed); }
  void set_in_group(bool in) noexcept { in_group_.store(in, std::memory_order_relaxed); }
  void set_brokers_up(bool up) noexcept { brokers_up_.store(up, std::memory_order_relaxed); }
  void set_deliveries_stalled(bool stalled) noexcept { stalled_.store(stalled, std::memory_order_relaxed); }
  void set_draining() noexcept { draining_.store(true, std::memory_order_relaxed); }

  [[nodiscard]] bool live(std::chrono::seconds stall_limit = std::chrono::seconds(30)) const noexcept {
    const auto last = last_beat_ns_.load(std::memory_order_relaxed);
    return last != 0 && now_ns() - last < std::chrono::nanoseconds(stall_limit).count();
  }
  [[nodiscard]] bool ready() const noexcept { return unready() == 0; }
  // Bit i set while unready_reasons[i] holds; 0 when ready.
  [[nodiscard]] unsigned unready() const noexcept {
    return (in_group_.load(std::memory_order_relaxed) ? 0U : 1U) | (brokers_up() ? 0U : 2U) |
           (stalled_.load(std::memory_order_relaxed) ? 4U : 0U) | (draining_.load(std::memory_order_relaxed) ? 8U : 0U);
  }

 private:
  static std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  [[nodiscard]] bool brokers_up() const noexcept {
    if (!brokers_up_.load(std::memory_order_relaxed)) return false;
    const auto since = call_since_ns_.load(std::memory_order_relaxed);
    return since == 0 || now_ns() - since < patience_ns_;
  }

  std::int64_t patience_ns_;
  std::atomic<std::int64_t> call_since_ns_{0};  // when the call the loop waits in began; 0: none
  std::atomic<std::int64_t> last_beat_ns_{0};
  std::atomic<bool> in_group_{false};
  std::atomic<bool> brokers_up_{true};
  std::atomic<bool> stalled_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace wirescan::obs
