#pragma once
// Story decoding: one JSON object's bytes in, a validated core::story or a reject out.
//
// Uses simdjson On-Demand over a padded buffer owned by the decoder and reused across
// calls, so steady-state decoding allocates only the story's own strings. Every byte of
// the input is checked: well-formed JSON, valid UTF-8, one object and nothing after it,
// and nesting no deeper than max_depth. Decoding never throws for any input and never
// reads past the bytes it is given (the copy into the padded buffer is bounded).
//
// Threading: a decoder is not thread-safe; give each thread its own.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "wirescan/core/reject.hpp"
#include "wirescan/core/result.hpp"
#include "wirescan/core/story.hpp"
#include "wirescan/ingest/field_map.hpp"

namespace wirescan::ingest {

struct decoder_config {
  field_map mapping = *field_map::preset("default");
  std::size_t max_story_bytes = 1 << 20;   // larger stories are rejected as oversized
  std::size_t max_depth = 64;              // deeper nesting is malformed_json
  std::size_t max_tickers = 1024;          // longer pre-tagged lists are oversized
  std::int64_t max_future_skew_ms = 86'400'000;  // published_at later than received_at + this is bad
};

class decoder {
 public:
  // The mapping must have passed validate(); a bad one is a programming error.
  explicit decoder(decoder_config cfg);
  ~decoder();
  decoder(decoder&&) noexcept;
  decoder& operator=(decoder&&) noexcept;
  decoder(const decoder&) = delete;
  decoder& operator=(const decoder&) = delete;

  // bytes: the story exactly as received. full_size: its real length when the caller
  // could only keep a prefix (a line longer than the reader's cap); 0 means bytes.size().
  // received_at anchors the future-timestamp check.
  [[nodiscard]] core::result<core::story, core::reject> decode(std::string_view bytes, core::epoch_ms received_at,
                                                               std::size_t full_size = 0);
  // The same into a story the caller keeps from one call to the next, so its strings' storage
  // is reused: the reject, or nothing when `into` holds the decoded story. After a reject
  // `into` holds whatever was read before it, and is not a story.
  [[nodiscard]] std::optional<core::reject> decode(std::string_view bytes, core::epoch_ms received_at,
                                                   std::size_t full_size, core::story& into);

  [[nodiscard]] const decoder_config& config() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wirescan::ingest
