#include "pipeline.hpp"

#include "wirescan/obs/log.hpp"

namespace wirescan::app {

core::epoch_ms wall_now() {
  using namespace std::chrono;
  return core::epoch_ms{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

std::shared_ptr<const enrich::enricher> make_enricher(const config& cfg) {
  auto rules = enrich::load_rules(cfg.enrich.rules_dir);
  if (!rules) throw config_error(std::move(rules.error()));
  obs::log().debug("rules {} loaded from {}: {} phrases", rules.value()->version, cfg.enrich.rules_dir,
                   rules.value()->phrase_count);
  return std::make_shared<const enrich::enricher>(
      std::move(rules.value()), enrich::enricher_config{cfg.enrich.body_scan_bytes, cfg.enrich.source_weights});
}

pipeline::pipeline(const config& cfg, obs::metrics& m, std::shared_ptr<const enrich::enricher> enr)
    : decoder_(cfg.decode), enricher_(std::move(enr)), metrics_(m) {
  metrics_.rules_loaded(enricher_->rules()->version, enricher_->rules()->phrase_count);
}

std::vector<std::string> pipeline::reload(const config& cfg) {
  try {
    auto next = make_enricher(cfg);
    enricher_ = std::move(next);
    metrics_.rule_reload(true);
    metrics_.rules_loaded(enricher_->rules()->version, enricher_->rules()->phrase_count);
    return {};
  } catch (const config_error& e) {
    metrics_.rule_reload(false);
    return e.problems;
  }
}

processed pipeline::process(std::string_view bytes, std::size_t full_size) {
  const auto start = std::chrono::steady_clock::now();
  const core::epoch_ms received = wall_now();
  metrics_.story_consumed();
  auto decoded = decoder_.decode(bytes, received, full_size);
  processed out;
  if (!decoded) {
    metrics_.story_rejected(decoded.error().reason);
    out.rejection = std::move(decoded.error());
    return out;
  }
  story_ = std::move(decoded.value());
  findings_ = enricher_->enrich(story_);
  metrics_.count_findings(findings_);
  core::timing timing{received, wall_now(), 0};
  timing.processing_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  out.accepted = true;
  out.event = writer_.write(story_, findings_, timing);
  out.story_id = story_.id;
  out.published_at = story_.published_at;
  if (!findings_.mentions.empty()) out.primary_symbol = findings_.mentions.front().symbol;
  metrics_.observe_processing(static_cast<double>(timing.processing_us) / 1e6);
  return out;
}

}  // namespace wirescan::app
