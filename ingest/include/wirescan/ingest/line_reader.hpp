#pragma once
// Reads JSON Lines from a file or stdin, one story per line, with bounded memory.
//
// A line longer than the cap is not buffered whole: the reader keeps its first cap bytes
// (enough for the decoder to reject it as oversized and for a reject report to quote it),
// discards the rest up to the newline, and reports the real length. Lines are split on
// '\n' only; a trailing '\r' stays (JSON treats it as whitespace). A final line without
// '\n' is still a line; an empty file has none.
//
// Reads with read(2) on the FILE's descriptor, so a line is returned as soon as it has
// arrived on a pipe; do not mix with stdio reads of the same FILE.
//
// Threading: one reader per thread. The returned view is valid until the next call.

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace wirescan::ingest {

struct line {
  std::string_view bytes;  // the line, or its first cap bytes
  std::size_t full_size;   // the real length of the line, without the '\n'
  std::size_t number;      // 1-based
};

class line_reader {
 public:
  // Takes ownership of nothing: the caller keeps the FILE open for the reader's lifetime.
  line_reader(std::FILE* in, std::size_t cap);

  // The next line, or nullopt at end of input. Throws std::runtime_error on a read error.
  [[nodiscard]] std::optional<line> next();

  // Whether next() would wait for input now: no whole line is buffered and the input is a
  // pipe, FIFO or terminal with nothing to read yet. (A regular file never waits.) A caller
  // holding stories back writes them out first, so a streamed story's event does not wait
  // for the next story to arrive.
  [[nodiscard]] bool would_wait() const;

  // Bytes consumed so far, for progress reporting.
  [[nodiscard]] std::size_t bytes_read() const noexcept { return consumed_; }

 private:
  bool fill();

  std::FILE* in_;
  std::size_t cap_;
  std::string chunk_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::size_t last_newline_ = std::string::npos;  // in chunk_[0, len_), from the last fill()
  bool regular_file_ = false;
  bool eof_ = false;
  std::string line_;
  std::size_t number_ = 0;
  std::size_t consumed_ = 0;
};

}  // namespace wirescan::ingest
