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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static wirescan::app::config cfg;
  static wirescan::obs::metrics metrics;
  static wirescan::app::pipeline pipe(cfg, metrics, wirescan::app::make_enricher(cfg));
  const auto out = pipe.process(std::string_view(reinterpret_cast<const char*>(data), size));
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
