#pragma once
// The enrichment step: a pure function from a story to its findings.
//
// No I/O, no clock, no threads: everything it needs (rules, symbol tables) is given at
// construction and never changes afterwards, so one enricher may be shared by any number
// of threads. Detectors so far: cashtags (twitter-text semantics) and the wire's own
// pre-tagged tickers, merged into one mention per symbol.

#include "wirescan/core/event.hpp"
#include "wirescan/core/story.hpp"

namespace wirescan::enrich {

class enricher {
 public:
  enricher() = default;

  [[nodiscard]] core::findings enrich(const core::story& s) const;
};

}  // namespace wirescan::enrich
