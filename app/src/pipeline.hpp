#pragma once
// The one processing path every input mode shares: bytes → decode → enrich → serialise.
// `wirescan enrich` and `wirescan run` both call process(), so file mode and Kafka mode
// cannot drift apart. Not thread-safe: one pipeline per processing thread.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>
#include <string_view>

#include "config.hpp"
#include "wirescan/core/reject.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/ingest/decoder.hpp"
#include "wirescan/obs/metrics.hpp"
#include "wirescan/sinks/event_json.hpp"

namespace wirescan::app {

struct processed {
  bool accepted = false;
  std::string_view event;     // the event JSON when accepted; valid until the next process()
  std::string_view story_id;  // valid until the next process()
  std::string_view primary_symbol;  // first mention's symbol, empty when none
  std::optional<core::epoch_ms> published_at;
  core::reject rejection;     // when not accepted
};

// Loads the rules named by the config into an enricher; throws config_error listing every
// problem in the rule files.
[[nodiscard]] std::shared_ptr<const enrich::enricher> make_enricher(const config& cfg);

class pipeline {
 public:
  pipeline(const config& cfg, obs::metrics& m, std::shared_ptr<const enrich::enricher> enr);

  // Swaps in new rules between stories: the story being processed (if any) finished on
  // the old ones. A rule set that fails to load is refused and the old one stays; the
  // problems are returned. Counted in wirescan_rule_reloads_total{result}.
  std::vector<std::string> reload(const config& cfg);

  // full_size: the real length when bytes is only a prefix (see ingest::line_reader).
  processed process(std::string_view bytes, std::size_t full_size = 0);

 private:
  ingest::decoder decoder_;
  std::shared_ptr<const enrich::enricher> enricher_;
  sinks::event_writer writer_;
  obs::metrics& metrics_;
  core::story story_;
  core::findings findings_;
};

[[nodiscard]] core::epoch_ms wall_now();

}  // namespace wirescan::app
