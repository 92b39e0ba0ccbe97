#pragma once
// Writes JSON Lines to a file or stdout, one record per line, and reports write errors
// (disk full, closed pipe) as exceptions instead of losing lines silently.
//
// Threading: one writer per thread.

#include <cstdio>
#include <string>
#include <string_view>

namespace wirescan::sinks {

class file_sink {
 public:
  // path "-" is stdout. Throws std::runtime_error when the file cannot be opened.
  explicit file_sink(const std::string& path);
  ~file_sink();
  file_sink(const file_sink&) = delete;
  file_sink& operator=(const file_sink&) = delete;

  // Throws std::runtime_error on a write error.
  void write_line(std::string_view json);
  // Flushes buffered lines; throws std::runtime_error on error.
  void flush();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] bool is_terminal() const noexcept;

 private:
  std::string path_;
  std::FILE* f_;
  bool owned_;
};

}  // namespace wirescan::sinks
