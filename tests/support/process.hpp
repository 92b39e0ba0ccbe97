#pragma once
// Test support: runs the wirescan binary as a user would, with files for stdin/stdout.

#include <string>
#include <vector>

namespace wirescan::test {

struct run_result {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs WIRESCAN_BINARY with args; stdin from stdin_path (or /dev/null when empty).
[[nodiscard]] run_result run_wirescan(const std::vector<std::string>& args, const std::string& stdin_path = "");

// A fresh empty directory under the system temp dir, removed by the caller if wanted.
[[nodiscard]] std::string make_temp_dir();

}  // namespace wirescan::test
