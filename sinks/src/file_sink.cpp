#include "wirescan/sinks/file_sink.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

namespace wirescan::sinks {

file_sink::file_sink(const std::string& path) : path_(path), f_(nullptr), owned_(path != "-") {
  f_ = owned_ ? std::fopen(path.c_str(), "wb") : stdout;
  if (f_ == nullptr) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
}

file_sink::~file_sink() {
  if (owned_ && f_ != nullptr) std::fclose(f_);
}

void file_sink::write_line(std::string_view json) {
  if (std::fwrite(json.data(), 1, json.size(), f_) != json.size() || std::fputc('\n', f_) == EOF) {
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
  }
}

void file_sink::flush() {
  if (std::fflush(f_) != 0) throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
}

bool file_sink::is_terminal() const noexcept { return ::isatty(::fileno(f_)) == 1; }

}  // namespace wirescan::sinks
