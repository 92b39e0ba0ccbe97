#pragma once
// A decoded news story: the values that flow from ingest to enrich to sinks.
//
// A story owns all its text, so it outlives the parser buffer it was decoded from
// (simdjson views die with the parser). It is a plain value: copy or move it freely;
// no member is shared between threads unless the caller shares the whole story.

#include <cstddef>
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

// Buffers reused from one story to the next (the consumer's message, the file mode's lines, the
// decoder's story) let go of what one long story grew past this, so the slots a story passes
// through do not each keep a burst's memory.
inline constexpr std::size_t kept_buffer_bytes = 64 * 1024;

// Empties s for the next story: cleared, or released when a long story grew it past
// kept_buffer_bytes.
inline void clear_for_reuse(std::string& s) {
  if (s.capacity() > kept_buffer_bytes) {
    std::string().swap(s);
  } else {
    s.clear();
  }
}

}  // namespace wirescan::core
