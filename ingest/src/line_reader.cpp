#include "wirescan/ingest/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wirescan::ingest {

line_reader::line_reader(std::FILE* in, std::size_t cap) : in_(in), cap_(cap), chunk_(1 << 16, '\0') {
  struct stat st {};
  regular_file_ = ::fstat(::fileno(in_), &st) == 0 && S_ISREG(st.st_mode);
}

bool line_reader::would_wait() const {
  if (eof_) return false;
  // A newline at or after pos_ ends a line next() returns without reading.
  if (last_newline_ != std::string::npos && pos_ <= last_newline_) return false;
  if (regular_file_) return false;
  pollfd p{::fileno(in_), POLLIN, 0};
  int n = 0;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 0;  // nothing to read yet (an error or a hang-up is for read() to report)
}

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
    const void* nl = ::memrchr(chunk_.data(), '\n', len_);
    last_newline_ = nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - chunk_.data())
                                  : std::string::npos;
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
