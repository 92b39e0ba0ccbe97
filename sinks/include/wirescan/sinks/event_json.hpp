#pragma once
// Serialises an enriched event as one line of JSON, schema "wirescan.event/v1"
// (docs/event.schema.json), with RapidJSON's Writer for correct escaping. Output is valid
// UTF-8 because every input string is: story text is validated by ingest, evidence spans
// are checked to start and end on code point boundaries, and rule files are validated at load.
//
// Threading: an event_writer keeps a reusable buffer; give each thread its own.

#include <string>
#include <string_view>

#include "wirescan/core/event.hpp"
#include "wirescan/core/reject.hpp"
#include "wirescan/core/story.hpp"

namespace wirescan::sinks {

class event_writer {
 public:
  event_writer();
  ~event_writer();
  event_writer(const event_writer&) = delete;
  event_writer& operator=(const event_writer&) = delete;

  // The JSON text of the event, without a trailing newline. Valid until the next call.
  // Throws std::logic_error if an evidence span is out of range or splits a code point
  // (a detector bug, never an input problem).
  [[nodiscard]] std::string_view write(const core::story& s, const core::findings& f, const core::timing& t);

 private:
  struct impl;
  impl* impl_;
};

// A reject report for file mode: {"line", "reason", "detail", "raw", "raw_bytes",
// "raw_truncated"}. raw is the original bytes, cut at raw_limit on a code point boundary,
// with any invalid UTF-8 byte shown as U+FFFD so the report itself stays valid JSON.
[[nodiscard]] std::string reject_json(std::size_t line, const core::reject& r, std::string_view raw,
                                      std::size_t full_size, std::size_t raw_limit);

}  // namespace wirescan::sinks
