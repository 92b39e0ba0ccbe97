#include "wirescan/obs/metrics.hpp"

namespace wirescan::obs {

metrics::metrics(const std::string& version) : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("wirescan_build_info")
      .Help("1, labelled with the running build's version")
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
  lag_ = &prometheus::BuildGauge()
              .Name("wirescan_consumer_lag_messages")
              .Help("Messages between the partition's high watermark and the committed offset (librdkafka statistics)")
              .Register(*registry_);
  auto& rebalances = prometheus::BuildCounter()
                         .Name("wirescan_rebalances_total")
                         .Help("Consumer group rebalances seen by this member, by what they did")
                         .Register(*registry_);
  rebalance_assign_ = &rebalances.Add({{"kind", "assign"}});
  rebalance_revoke_ = &rebalances.Add({{"kind", "revoke"}});
  producer_queue_ = &prometheus::BuildGauge()
                         .Name("wirescan_producer_queue_messages")
                         .Help("Messages waiting in the producer's local queue for delivery")
                         .Register(*registry_)
                         .Add({});
  producer_queue_full_ = &prometheus::BuildCounter()
                              .Name("wirescan_producer_queue_full_total")
                              .Help("Times a story waited for room in the full producer queue (backpressure)")
                              .Register(*registry_)
                              .Add({});
  in_flight_ = &prometheus::BuildGauge()
                    .Name("wirescan_in_flight_stories")
                    .Help("Stories consumed whose output is not yet delivered")
                    .Register(*registry_)
                    .Add({});
  delivery_stall_ = &prometheus::BuildGauge()
                         .Name("wirescan_delivery_stall_seconds")
                         .Help("Seconds since a story's output was last acknowledged while stories are in flight; "
                               "0 when none is")
                         .Register(*registry_)
                         .Add({});
  ready_ = &prometheus::BuildGauge()
                .Name("wirescan_ready")
                .Help("1 when the consumer group has given this member an assignment (an empty one too), brokers answer, "
                      "deliveries are not stalled and the service is not draining")
                .Register(*registry_)
                .Add({});
  // Why /readyz says 503, one series per reason, made at start so each reads 0 until it holds.
  auto& unready = prometheus::BuildGauge()
                      .Name("wirescan_unready_reason")
                      .Help("1 while this reason keeps the instance unready (/readyz 503): not_in_group, "
                            "brokers_unreachable, deliveries_stalled, draining")
                      .Register(*registry_);
  for (std::size_t i = 0; i < unready_.size(); ++i) {
    unready_[i] = &unready.Add({{"reason", std::string(unready_reasons[i].label)}});
  }
  end_to_end_ = &prometheus::BuildHistogram()
                     .Name("wirescan_end_to_end_latency_seconds")
                     .Help("Story published_at to event delivered: how stale events are when they land")
                     .Register(*registry_)
                     .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
                                                                      300, 900, 3600});
  broker_to_emit_ = &prometheus::BuildHistogram()
                         .Name("wirescan_broker_to_emit_seconds")
                         .Help("Input broker append time to event delivered: what wirescan and the output add")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                          0.05, 0.1, 0.25, 0.5, 1, 2.5, 10});
  // wirescan's own share of the above: tens of microseconds a story when nothing waits, up to
  // milliseconds behind a burst; what is left of broker_to_emit is Kafka's fetch and produce.
  in_service_ = &prometheus::BuildHistogram()
                     .Name("wirescan_in_service_seconds")
                     .Help("Story consumed to its event or dead letter handed to the producer: wirescan's own "
                           "share of broker_to_emit, waits behind other stories included")
                     .Register(*registry_)
                     .Add({}, prometheus::Histogram::BucketBoundaries{1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
                                                                      2.5e-3, 5e-3, 1e-2, 2.5e-2, 0.1, 1});
  stories_consumed_ = &prometheus::BuildCounter()
                           .Name("wirescan_stories_consumed_total")
                           .Help("Stories read from any input, accepted or rejected")
                           .Register(*registry_)
                           .Add({});
  events_published_ = &prometheus::BuildCounter()
                           .Name("wirescan_events_published_total")
                           .Help("Enriched events delivered to the output")
                           .Register(*registry_)
                           .Add({});
  auto& rejects = prometheus::BuildCounter()
                      .Name("wirescan_rejects_total")
                      .Help("Stories refused by decoding, by reason")
                      .Register(*registry_);
  for (auto r : core::all_reject_reasons) {
    rejects_[static_cast<std::size_t>(r)] = &rejects.Add({{"reason", std::string(core::to_string(r))}});
  }
  // 5 us .. ~10 ms: enrichment of one story is expected in the tens of microseconds.
  processing_ = &prometheus::BuildHistogram()
                     .Name("wirescan_processing_seconds")
                     .Help("Decode, enrich and serialise time of one story")
                     .Register(*registry_)
                     .Add({}, prometheus::Histogram::BucketBoundaries{5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4,
                                                                      1e-3, 2.5e-3, 1e-2});
  dead_letters_ = &prometheus::BuildCounter()
                       .Name("wirescan_dead_letters_total")
                       .Help("Rejected stories delivered to the dead-letter topic with their original bytes")
                       .Register(*registry_)
                       .Add({});
  delivery_errors_ = &prometheus::BuildCounter()
                          .Name("wirescan_delivery_errors_total")
                          .Help("Events or dead letters the producer could not deliver")
                          .Register(*registry_)
                          .Add({});
  auto& reloads = prometheus::BuildCounter()
                      .Name("wirescan_rule_reloads_total")
                      .Help("Rule reloads (SIGHUP), by result; a failed reload keeps the old rules")
                      .Register(*registry_);
  reload_ok_ = &reloads.Add({{"result", "success"}});
  reload_failed_ = &reloads.Add({{"result", "failure"}});
  rules_info_ = &prometheus::BuildGauge()
                     .Name("wirescan_rules_info")
                     .Help("1 for the active rule set, labelled by its content hash")
                     .Register(*registry_);
  assigned_partitions_ = &prometheus::BuildGauge()
                             .Name("wirescan_assigned_partitions")
                             .Help("Input partitions the consumer group has given this instance; 0 on a ready instance "
                                   "is a standby (more members than partitions)")
                             .Register(*registry_)
                             .Add({});
  cpus_usable_ = &prometheus::BuildGauge()
                      .Name("wirescan_cpus_usable")
                      .Help("CPUs this process may use: its CPU affinity and its cgroup's CPU quota, rounded up")
                      .Register(*registry_)
                      .Add({});
  staging_threads_ = &prometheus::BuildGauge()
                          .Name("wirescan_staging_threads")
                          .Help("Threads that decode and enrich stories beside the main one (0: everything on one)")
                          .Register(*registry_)
                          .Add({});
  rules_phrases_ = &prometheus::BuildGauge()
                        .Name("wirescan_rules_phrases")
                        .Help("Phrases compiled into the active Vectorscan database")
                        .Register(*registry_)
                        .Add({});
  // One series per asset class from the start, looked up by index: Family::Add per mention
  // (a label map built, hashed and looked up under a lock) cost 3% of a story's time.
  const auto by_asset_class = [&](const char* name, const char* help, std::array<prometheus::Counter*, 4>& series) {
    auto& family = prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
    for (const auto a : {core::asset_class::equity, core::asset_class::crypto, core::asset_class::etf,
                         core::asset_class::unknown}) {
      series[static_cast<std::size_t>(a)] = &family.Add({{"asset_class", std::string(core::to_string(a))}});
    }
  };
  by_asset_class("wirescan_mentions_total", "Symbol mentions found, by asset class", mentions_);
  by_asset_class("wirescan_exposures_total",
                 "Listed companies a shock reaches without the story naming them (the event's exposures), by asset class",
                 exposures_);
  shocks_ = &prometheus::BuildCounter()
                 .Name("wirescan_policy_shocks_total")
                 .Help("Policy shocks found, by category and direction")
                 .Register(*registry_);
  // Every category and direction from the start, as the mentions: prometheus-cpp 1.0.1's
  // Family::Add also makes a counter it throws away when the series exists, and a series that
  // appears only at its first shock gives rate() and alerts nothing to compare it with.
  for (std::size_t c = 0; c < core::policy_categories.size(); ++c) {
    for (const auto d : {core::direction::tightening, core::direction::easing}) {
      shock_series_[c][static_cast<std::size_t>(d)] =
          &shocks_->Add({{"category", std::string(core::policy_categories[c])},
                         {"direction", std::string(core::to_string(d))}});
    }
  }
  auto& likely = prometheus::BuildCounter()
                     .Name("wirescan_policy_likely_stories_total")
                     .Help("Stories the learned policy-likelihood model puts at or above enrich.likelihood_threshold, "
                           "by whether the rules found a policy shock in them (shock, none)")
                     .Register(*registry_);
  likely_with_shock_ = &likely.Add({{"rules", "shock"}});
  likely_without_shock_ = &likely.Add({{"rules", "none"}});
  auto& kinds = prometheus::BuildCounter()
                    .Name("wirescan_novelty_stories_total")
                    .Help("Stories assessed by the novelty stage, by kind (new, update, duplicate, rewrite)")
                    .Register(*registry_);
  auto& suppressed = prometheus::BuildCounter()
                         .Name("wirescan_novelty_suppressed_total")
                         .Help("Stories not published because their novelty kind is suppressed for the output")
                         .Register(*registry_);
  for (const auto k : {core::novelty_kind::fresh, core::novelty_kind::update, core::novelty_kind::duplicate,
                       core::novelty_kind::rewrite}) {
    novelty_kinds_[static_cast<std::size_t>(k)] = &kinds.Add({{"kind", std::string(core::to_string(k))}});
    novelty_suppressed_[static_cast<std::size_t>(k)] = &suppressed.Add({{"kind", std::string(core::to_string(k))}});
  }
  novelty_entries_ = &prometheus::BuildGauge()
                          .Name("wirescan_novelty_entries")
                          .Help("Stories the novelty index remembers (bounded by novelty.max_entries)")
                          .Register(*registry_)
                          .Add({});
  novelty_unremembered_ = &prometheus::BuildCounter()
                               .Name("wirescan_novelty_unremembered_total")
                               .Help("Stories assessed but not remembered: the index was full of stories in the window")
                               .Register(*registry_)
                               .Add({});
  auto& state = prometheus::BuildCounter()
                    .Name("wirescan_novelty_state_records_total")
                    .Help("Records read from the novelty state topic, by result (applied, invalid)")
                    .Register(*registry_);
  state_applied_ = &state.Add({{"result", "applied"}});
  state_invalid_ = &state.Add({{"result", "invalid"}});
}

void metrics::novelty_assessed(core::novelty_kind k, std::size_t entries, std::uint64_t unremembered) {
  novelty_kinds_[static_cast<std::size_t>(k)]->Increment();
  novelty_entries_->Set(static_cast<double>(entries));
  if (unremembered > unremembered_seen_) {
    novelty_unremembered_->Increment(static_cast<double>(unremembered - unremembered_seen_));
    unremembered_seen_ = unremembered;
  }
}

void metrics::count_findings(const core::findings& f, double likely_at) {
  if (f.market.policy_likelihood && *f.market.policy_likelihood >= likely_at) {
    (f.policy_shocks.empty() ? likely_without_shock_ : likely_with_shock_)->Increment();
  }
  for (const auto& m : f.mentions) mentions_[static_cast<std::size_t>(m.asset)]->Increment();
  for (const auto& x : f.exposures) exposures_[static_cast<std::size_t>(x.asset)]->Increment();
  for (const auto& s : f.policy_shocks) {
    const std::size_t c = core::category_index(s.category);
    if (c < shock_series_.size()) {
      shock_series_[c][static_cast<std::size_t>(s.dir)]->Increment();
    } else {  // not reached: the rule loader refuses other categories
      shocks_->Add({{"category", s.category}, {"direction", std::string(core::to_string(s.dir))}}).Increment();
    }
  }
}

const std::vector<std::string>& metrics::names() {
  static const std::vector<std::string> all{
      "wirescan_build_info",           "wirescan_stories_consumed_total",      "wirescan_events_published_total",
      "wirescan_rejects_total",        "wirescan_dead_letters_total",          "wirescan_delivery_errors_total",
      "wirescan_policy_shocks_total",  "wirescan_policy_likely_stories_total", "wirescan_mentions_total",              "wirescan_exposures_total",              "wirescan_processing_seconds",
      "wirescan_end_to_end_latency_seconds", "wirescan_broker_to_emit_seconds", "wirescan_in_service_seconds",
      "wirescan_consumer_lag_messages",
      "wirescan_rebalances_total",     "wirescan_producer_queue_messages",     "wirescan_producer_queue_full_total",     "wirescan_in_flight_stories",
      "wirescan_delivery_stall_seconds",
      "wirescan_ready",                "wirescan_unready_reason",              "wirescan_assigned_partitions",
      "wirescan_rule_reloads_total",   "wirescan_rules_info",
      "wirescan_rules_phrases",        "wirescan_novelty_stories_total",       "wirescan_novelty_suppressed_total",
      "wirescan_novelty_entries",      "wirescan_novelty_unremembered_total",  "wirescan_novelty_state_records_total",
      "wirescan_cpus_usable",          "wirescan_staging_threads"};
  return all;
}

void metrics::set_consumer_lag(const std::vector<std::tuple<std::string, std::int32_t, std::int64_t>>& lags) {
  // Partitions move between members: drop the series of partitions no longer fetched.
  for (auto* g : lag_series_) lag_->Remove(g);
  lag_series_.clear();
  for (const auto& [topic, partition, lag] : lags) {
    auto* g = &lag_->Add({{"topic", topic}, {"partition", std::to_string(partition)}});
    g->Set(static_cast<double>(lag));
    lag_series_.push_back(g);
  }
}

void metrics::rules_loaded(const std::string& version, std::size_t phrases) {
  if (current_rules_ != nullptr) rules_info_->Remove(current_rules_);
  current_rules_ = &rules_info_->Add({{"version", version}});
  current_rules_->Set(1);
  rules_phrases_->Set(static_cast<double>(phrases));
}

double metrics::rejected_total() const {
  double sum = 0;
  for (const auto* c : rejects_) sum += c->Value();
  return sum;
}

}  // namespace wirescan::obs
