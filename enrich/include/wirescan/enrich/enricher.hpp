#pragma once
// The enrichment step: a pure function from a story to its findings.
//
// No I/O, no clock, no threads: everything it needs (the compiled rule_set, the scoring
// settings) is given at construction and never changes, so one enricher may be shared
// by any number of threads. To change rules, build a new enricher and swap the pointer
// (see app's reload): stories in flight finish on the enricher they started with.
//
// Detectors: cashtags (twitter-text plus wire typography), company and asset names,
// product names, exchange-qualified symbols, the wire's pre-tagged tickers, and policy
// shocks (a trigger phrase, the nearest actor in the same sentence, the stage cue next to
// it). The market-moving score combines them; docs/scoring.md gives the formula.

#include <map>
#include <memory>
#include <string>

#include "wirescan/core/event.hpp"
#include "wirescan/core/story.hpp"
#include "wirescan/enrich/rules.hpp"

namespace wirescan::enrich {

struct enricher_config {
  std::size_t body_scan_bytes = 1024;  // the lede (first paragraph, at most this much) is searched for shocks
  std::map<std::string, double> source_weights;  // by story source; default 1.0
};

class enricher {
 public:
  // Without rules: cashtags and pre-tagged tickers only (asset class unknown).
  enricher() = default;
  explicit enricher(std::shared_ptr<const rule_set> rules, enricher_config cfg = {});

  [[nodiscard]] core::findings enrich(const core::story& s) const;

  [[nodiscard]] const std::shared_ptr<const rule_set>& rules() const noexcept { return rules_; }

 private:
  std::shared_ptr<const rule_set> rules_;
  enricher_config cfg_;
};

// Severity of a shock category in the score (0..1); docs/scoring.md.
[[nodiscard]] double category_severity(std::string_view category) noexcept;

}  // namespace wirescan::enrich
