#include "wirescan/ingest/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

namespace wirescan::ingest {

line_reader::line_reader(std::FILE* in, std::size_t cap) : in_(in), cap_(cap), chunk_(1 << 16, '\0') {}

bool line_reader::fill() {
  if (eof_) return false;
  // read(2), not fread: on a pipe or FIFO it returns what has arrived instead of waiting
  // for a whole 64 KiB, so a streamed story is processed when its line is complete.
  for (;;) {
    const ssize_t n = ::read(::fileno(in_), chunk_.data(), chunk_.size());
    if (n < 0 && errno == EINTR) continue;  // a signal (SIGHUP reload) interrupted the wait
    if (n < 0) throw std::runtime_error(std::string("read error: ") + std::strerror(errno));
    pos_ = 0;
    len_ = static_cast<std::size_t>(n);
    if (n == 0) {
      eof_ = true;
      return false;
    }
    return true;
  }
}

std::optional<line> line_reader::next() {
  line_.clear();
  std::size_t full = 0;
  bool any = false;
  for (;;) {
    if (pos_ == len_ && !fill()) {
      if (!any) return std::nullopt;
      break;
    }
    any = true;
    const char* start = chunk_.data() + pos_;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
    const std::size_t n = nl ? static_cast<std::size_t>(nl - start) : len_ - pos_;
    if (line_.size() < cap_) line_.append(start, std::min(n, cap_ - line_.size()));
    full += n;
    pos_ += n;
    consumed_ += n;
    if (nl) {
      ++pos_;
      ++consumed_;
      break;
    }
  }
  return line{line_, full, ++number_};
}

}  // namespace wirescan::ingest
