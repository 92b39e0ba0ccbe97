#include "wirescan/obs/metrics.hpp"

namespace wirescan::obs {

metrics::metrics() : registry_(std::make_shared<prometheus::Registry>()) {
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
  rules_phrases_ = &prometheus::BuildGauge()
                        .Name("wirescan_rules_phrases")
                        .Help("Phrases compiled into the active Vectorscan database")
                        .Register(*registry_)
                        .Add({});
  mentions_ = &prometheus::BuildCounter()
                   .Name("wirescan_mentions_total")
                   .Help("Symbol mentions found, by asset class")
                   .Register(*registry_);
  shocks_ = &prometheus::BuildCounter()
                 .Name("wirescan_policy_shocks_total")
                 .Help("Policy shocks found, by category and direction")
                 .Register(*registry_);
}

void metrics::count_findings(const core::findings& f) {
  for (const auto& m : f.mentions) {
    mentions_->Add({{"asset_class", std::string(core::to_string(m.asset))}}).Increment();
  }
  for (const auto& s : f.policy_shocks) {
    shocks_->Add({{"category", s.category}, {"direction", std::string(core::to_string(s.dir))}}).Increment();
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
