#pragma once
// The metric catalogue: every metric wirescan exports is declared here and only here, so
// Prometheus rules and Grafana dashboards have one list to be checked against
// (docs/metrics.md). Label sets are bounded: reasons, categories and asset classes come
// from fixed enums or the loaded taxonomy, never from story text.
//
// Thread safety: prometheus-cpp counters and histograms are safe to update from any
// thread. Construct one catalogue per process and share it by reference.

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "wirescan/core/event.hpp"
#include "wirescan/core/reject.hpp"
#include "wirescan/obs/health.hpp"

namespace wirescan::obs {

class metrics {
 public:
  // version: the build's version, exported as wirescan_build_info{version}.
  explicit metrics(const std::string& version = "dev");

  [[nodiscard]] const std::shared_ptr<prometheus::Registry>& registry() const noexcept { return registry_; }

  // Every metric family this catalogue declares, including labelled families that have no
  // series yet (prometheus-cpp's Collect() omits those). Dashboards and alerts are checked
  // against this list.
  [[nodiscard]] static const std::vector<std::string>& names();

  // One per story read from any input, accepted or not.
  void story_consumed() { stories_consumed_->Increment(); }
  void event_published() { events_published_->Increment(); }
  void story_rejected(core::reject_reason r) { rejects_[static_cast<std::size_t>(r)]->Increment(); }
  void observe_processing(double seconds) { processing_->Observe(seconds); }
  void dead_lettered() { dead_letters_->Increment(); }
  void rule_reload(bool ok) { (ok ? reload_ok_ : reload_failed_)->Increment(); }
  // Replaces every lag series with the given (topic, partition, lag) set.
  void set_consumer_lag(const std::vector<std::tuple<std::string, std::int32_t, std::int64_t>>& lags);
  void rebalance(bool assign) { (assign ? rebalance_assign_ : rebalance_revoke_)->Increment(); }
  void set_producer_queue(double messages) { producer_queue_->Set(messages); }
  void producer_queue_full() { producer_queue_full_->Increment(); }
  void set_in_flight(double stories) { in_flight_->Set(stories); }
  void set_delivery_stall(double seconds) { delivery_stall_->Set(seconds); }
  void set_assigned_partitions(std::size_t n) { assigned_partitions_->Set(static_cast<double>(n)); }
  // wirescan_ready, and wirescan_unready_reason{reason} 1 for each reason /readyz gives. The
  // /metrics handler calls it before each scrape, so the gauges say what /readyz would say at
  // that moment, even while the loop waits in a call to the cluster. Callers on more than one
  // thread serialise their calls.
  void set_readiness(const health& h) {
    const unsigned reasons = h.unready();
    ready_->Set(reasons == 0 ? 1 : 0);  // health::ready(): no reason holds
    for (std::size_t i = 0; i < unready_.size(); ++i) unready_[i]->Set((reasons >> i) & 1U);
  }
  // What the process counted at start (its CPU affinity and cgroup quota) and how many
  // threads it started to decode and enrich beside the main one (0: everything on one).
  void set_threads(unsigned cpus_usable, std::size_t staging) {
    cpus_usable_->Set(cpus_usable);
    staging_threads_->Set(static_cast<double>(staging));
  }
  void observe_end_to_end(double seconds) { end_to_end_->Observe(seconds); }
  void observe_broker_to_emit(double seconds) { broker_to_emit_->Observe(seconds); }
  // A story's time inside wirescan: consumed to its event or dead letter handed to the producer.
  void observe_in_service(double seconds) { in_service_->Observe(seconds); }
  // Sets wirescan_rules_info{version} to 1 (and drops the previous version's series).
  void rules_loaded(const std::string& version, std::size_t phrases);
  [[nodiscard]] double rule_reloads(bool ok) const { return (ok ? reload_ok_ : reload_failed_)->Value(); }
  void delivery_error() { delivery_errors_->Increment(); }
  // A story whose policy likelihood is at or above likely_at also counts in
  // wirescan_policy_likely_stories_total, by whether the rules found a shock in it.
  void count_findings(const core::findings& f, double likely_at = 0.7);
  // The novelty stage: one per assessed story, with the index's size and its running count
  // of stories it could not remember (full of stories still in the window).
  void novelty_assessed(core::novelty_kind k, std::size_t entries, std::uint64_t unremembered);
  void novelty_suppressed(core::novelty_kind k) { novelty_suppressed_[static_cast<std::size_t>(k)]->Increment(); }
  // Stories' records read from the state topic: applied, or not records (counted, skipped).
  void novelty_state_record(bool ok, double stories = 1) { (ok ? state_applied_ : state_invalid_)->Increment(stories); }
  [[nodiscard]] double novelty_state_records(bool ok) const { return (ok ? state_applied_ : state_invalid_)->Value(); }
  [[nodiscard]] double novelty_stories(core::novelty_kind k) const { return novelty_kinds_[static_cast<std::size_t>(k)]->Value(); }
  [[nodiscard]] double novelty_suppressed_count(core::novelty_kind k) const {
    return novelty_suppressed_[static_cast<std::size_t>(k)]->Value();
  }

  [[nodiscard]] double stories_consumed() const { return stories_consumed_->Value(); }
  [[nodiscard]] double events_published() const { return events_published_->Value(); }
  [[nodiscard]] double rejected(core::reject_reason r) const { return rejects_[static_cast<std::size_t>(r)]->Value(); }
  [[nodiscard]] double rejected_total() const;
  [[nodiscard]] double dead_letters() const { return dead_letters_->Value(); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter* stories_consumed_;
  prometheus::Counter* events_published_;
  std::array<prometheus::Counter*, core::all_reject_reasons.size()> rejects_{};
  prometheus::Histogram* processing_;
  prometheus::Counter* dead_letters_;
  prometheus::Family<prometheus::Gauge>* lag_;
  std::vector<prometheus::Gauge*> lag_series_;
  prometheus::Counter* rebalance_assign_;
  prometheus::Counter* rebalance_revoke_;
  prometheus::Gauge* producer_queue_;
  prometheus::Counter* producer_queue_full_;
  prometheus::Gauge* in_flight_;
  prometheus::Gauge* delivery_stall_;
  prometheus::Gauge* ready_;
  std::array<prometheus::Gauge*, unready_reasons.size()> unready_{};  // in unready_reasons' order
  prometheus::Gauge* assigned_partitions_;
  prometheus::Gauge* cpus_usable_;
  prometheus::Gauge* staging_threads_;
  prometheus::Histogram* end_to_end_;
  prometheus::Histogram* broker_to_emit_;
  prometheus::Histogram* in_service_;
  prometheus::Counter* reload_ok_;
  prometheus::Counter* reload_failed_;
  prometheus::Family<prometheus::Gauge>* rules_info_;
  prometheus::Gauge* rules_phrases_;
  prometheus::Gauge* current_rules_ = nullptr;
  prometheus::Counter* delivery_errors_;
  std::array<prometheus::Counter*, 4> mentions_{};  // by core::asset_class
  std::array<prometheus::Counter*, 4> exposures_{};  // by core::asset_class
  prometheus::Family<prometheus::Counter>* shocks_;
  // by core::category_index, then core::direction
  std::array<std::array<prometheus::Counter*, 2>, core::policy_categories.size()> shock_series_{};
  std::array<prometheus::Counter*, 4> novelty_kinds_{};
  prometheus::Counter* likely_with_shock_;
  prometheus::Counter* likely_without_shock_;
  std::array<prometheus::Counter*, 4> novelty_suppressed_{};
  prometheus::Gauge* novelty_entries_;
  prometheus::Counter* novelty_unremembered_;
  std::uint64_t unremembered_seen_ = 0;
  prometheus::Counter* state_applied_;
  prometheus::Counter* state_invalid_;
};

}  // namespace wirescan::obs
