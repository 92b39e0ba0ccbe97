#pragma once
// One enricher built from the shipped rules, for every pipeline a test file makes. It is
// immutable and shared between pipelines in `wirescan run` too; building it (the rules'
// Vectorscan databases) for each pipeline was most of these tests' time: 15 s of the staged
// pipeline test's 15.1, and under ASan minutes.

#include <memory>

#include "pipeline.hpp"

namespace wirescan::test {

inline std::shared_ptr<const enrich::enricher> shipped_enricher() {
  static const auto e = app::make_enricher(app::config{});
  return e;
}

}  // namespace wirescan::test
