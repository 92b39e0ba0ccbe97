#pragma once
// A decoded news story: the values that flow from ingest to enrich to sinks.
//
// A story owns all its text, so it outlives the parser buffer it was decoded from
// (simdjson views die with the parser). It is a plain value: copy or move it freely;
// no member is shared between threads unless the caller shares the whole story.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wirescan/core/time.hpp"

namespace wirescan::core {

// The text fields of a story that evidence spans may point into.
enum class story_field : std::uint8_t { headline, body };

[[nodiscard]] std::string_view to_string(story_field f) noexcept;

struct story {
  std::string id;
  std::string headline;
  std::string body;      // empty when the wire sent none
  std::string source;    // empty when the wire sent none
  std::string url;       // empty when the wire sent none
  std::string language;  // empty when the wire sent none
  std::optional<epoch_ms> published_at;  // absent when the wire sent none and it is not required
  // Symbols the wire itself attached to the story, in the order it sent them.
  std::vector<std::string> tickers;

  [[nodiscard]] const std::string& text(story_field f) const noexcept {
    return f == story_field::headline ? headline : body;
  }
};

}  // namespace wirescan::core
