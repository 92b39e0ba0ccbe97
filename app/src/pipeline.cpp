#include "pipeline.hpp"

#include <random>

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
      std::move(rules.value()), enrich::enricher_config{cfg.enrich.body_scan_bytes, cfg.enrich.source_weights, cfg.enrich.policy_likelihood});
}

std::shared_ptr<const novelty::lexicon> make_lexicon(const config& cfg) {
  auto lx = novelty::load_lexicon(cfg.enrich.rules_dir);
  if (!lx) throw config_error(std::move(lx.error()));
  return std::make_shared<const novelty::lexicon>(std::move(lx.value()));
}

novelty::index_config novelty_settings(const config& cfg) {
  return {static_cast<std::int64_t>(cfg.novelty.window_minutes) * 60000, cfg.novelty.max_entries,
          cfg.novelty.rewrite_threshold, cfg.novelty.duplicate_threshold, cfg.novelty.decay};
}

namespace {

std::uint64_t random_instance() {
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 1;  // never 0, which means "none"
}

}  // namespace

pipeline::pipeline(const config& cfg, obs::metrics& m, std::shared_ptr<const enrich::enricher> enr, bool share_state)
    : decoder_(cfg.decode),
      enricher_(std::move(enr)),
      metrics_(m),
      share_state_(share_state),
      likely_at_(cfg.enrich.likelihood_threshold) {
  metrics_.rules_loaded(enricher_->rules()->version, enricher_->rules()->phrase_count);
  if (cfg.novelty.enabled) {
    lexicon_ = make_lexicon(cfg);
    novelty_.emplace(novelty_settings(cfg), random_instance());
  }
}

bool pipeline::apply_state(std::string_view record_bytes) {
  if (!novelty_) return true;
  const auto now_ms = wall_now().value;
  const auto apply_one = [&](std::string_view bytes) {
    auto r = novelty::decode(bytes);
    metrics_.novelty_state_record(r.has_value());
    if (r) novelty_->apply(r.value(), now_ms);
    return r.has_value();
  };
  if (!novelty::is_batch(record_bytes)) return apply_one(record_bytes);
  const auto b = novelty::split_batch(record_bytes);
  if (!b) {
    metrics_.novelty_state_record(false);
    return false;
  }
  // This process's own stories are in its index already (index::apply would skip each anyway).
  if (b->instance == novelty_->instance()) {
    metrics_.novelty_state_record(true, static_cast<double>(b->records.size()));
    return true;
  }
  bool all = true;
  for (const auto rec : b->records) all = apply_one(rec) && all;
  return all;
}

std::vector<std::string> pipeline::reload(const config& cfg) {
  try {
    auto next = make_enricher(cfg);
    auto next_lexicon = novelty_ ? make_lexicon(cfg) : nullptr;
    enricher_ = std::move(next);
    lexicon_ = std::move(next_lexicon);
    metrics_.rule_reload(true);
    metrics_.rules_loaded(enricher_->rules()->version, enricher_->rules()->phrase_count);
    return {};
  } catch (const config_error& e) {
    metrics_.rule_reload(false);
    return e.problems;
  }
}

processed pipeline::process(std::string_view bytes, std::size_t full_size) {
  prepare(bytes, full_size, current_);
  return finish(current_);
}

void pipeline::prepare(std::string_view bytes, std::size_t full_size, prepared& p, ingest::decoder& dec) {
  p.start = std::chrono::steady_clock::now();
  p.received = wall_now();
  metrics_.story_consumed();
  if (auto rejected = dec.decode(bytes, p.received, full_size, p.story)) {
    metrics_.story_rejected(rejected->reason);
    p.accepted = false;
    p.rejection = std::move(*rejected);
    return;
  }
  p.accepted = true;
  p.findings = enricher_->enrich(p.story);
  metrics_.count_findings(p.findings, likely_at_);
  if (lexicon_) novelty::make_fingerprint(p.story, p.findings, *lexicon_, p.fingerprint);
}

processed pipeline::finish(prepared& p) {
  processed out;
  if (!p.accepted) {
    out.rejection = std::move(p.rejection);
    return out;
  }
  if (novelty_) {
    novelty_->assess(p.story, p.fingerprint, novelty::story_time(p.story, p.received), verdict_);
    const auto& rec = verdict_;
    p.findings.novelty = rec.verdict;
    out.novelty = rec.verdict.kind;
    const auto st = novelty_->stats();
    metrics_.novelty_assessed(rec.verdict.kind, st.entries, st.unremembered);
    if (share_state_ && !rec.story_id.empty()) {
      novelty::encode(rec, record_);
      record_key_.assign(rec.source).append(1, '\x1f').append(rec.story_id);
      out.state_record = record_;
      out.state_key = record_key_;
    }
  }
  core::timing timing{p.received, wall_now(), 0};
  timing.processing_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - p.start).count();
  out.accepted = true;
  out.event = writer_.write(p.story, p.findings, timing);
  out.story_id = p.story.id;
  out.published_at = p.story.published_at;
  if (!p.findings.mentions.empty()) out.primary_symbol = p.findings.mentions.front().symbol;
  metrics_.observe_processing(static_cast<double>(timing.processing_us) / 1e6);
  return out;
}

}  // namespace wirescan::app
