#include "pipeline.hpp"

namespace wirescan::app {

core::epoch_ms wall_now() {
  using namespace std::chrono;
  return core::epoch_ms{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

pipeline::pipeline(const config& cfg, obs::metrics& m) : decoder_(cfg.decode), metrics_(m) {}

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
  findings_ = enricher_.enrich(story_);
  metrics_.count_findings(findings_);
  core::timing timing{received, wall_now(), 0};
  timing.processing_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  out.accepted = true;
  out.event = writer_.write(story_, findings_, timing);
  out.story_id = story_.id;
  if (!findings_.mentions.empty()) out.primary_symbol = findings_.mentions.front().symbol;
  metrics_.observe_processing(static_cast<double>(timing.processing_us) / 1e6);
  return out;
}

}  // namespace wirescan::app
