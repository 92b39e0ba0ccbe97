// Fuzz target: the whole decode -> enrich -> serialise path with the shipped rules. Every
// input must come out as an event that is valid JSON matching docs/event.schema.json, or
// as a reject with a reason. Anything else (a crash, a sanitizer report, an event that
// breaks the schema) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "pipeline.hpp"
#include "schema.hpp"

namespace {
wirescan::app::pipeline* shared_pipeline = nullptr;
}  // namespace

// The pipeline is made once, before any input: compiling the rules and faulting in the novelty
// index's tables (sized for a million stories) took over 12 s under ASan on a loaded machine,
// and made inside the first input that counted against libFuzzer's per-input timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static wirescan::app::config cfg;
  static wirescan::obs::metrics metrics;
  static wirescan::app::pipeline made(cfg, metrics, wirescan::app::make_enricher(cfg));
  shared_pipeline = &made;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto out = shared_pipeline->process(std::string_view(reinterpret_cast<const char*>(data), size));
  if (out.accepted) {
    if (const auto why = wirescan::test::event_schema_violation(out.event); !why.empty()) {
      std::fprintf(stderr, "event breaks the schema: %s\n%.*s\n", why.c_str(), static_cast<int>(out.event.size()),
                   out.event.data());
      std::abort();
    }
  } else if (wirescan::core::to_string(out.rejection.reason).empty()) {
    std::abort();
  }
  return 0;
}
