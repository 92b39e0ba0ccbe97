#pragma once
// wirescan's configuration: one struct per component, each field with a default, a
// one-line doc (docs/config.md) and a validator. Loading is pure (reads the one file,
// touches nothing else); unknown keys are errors; every problem is reported at once.

#include <string>
#include <vector>

#include "wirescan/ingest/decoder.hpp"

namespace wirescan::app {

struct output_config {
  std::size_t reject_raw_limit = 4096;  // bytes of the original story quoted in a reject report
};

struct config {
  std::string log_level = "info";
  std::string preset = "default";
  ingest::decoder_config decode;
  output_config output;
};

// Thrown by load_config with every problem found, one per line.
struct config_error : std::runtime_error {
  explicit config_error(std::vector<std::string> problems);
  std::vector<std::string> problems;
};

// Reads and validates a YAML config file; an empty path gives the defaults.
[[nodiscard]] config load_config(const std::string& path);

// The effective configuration as YAML, for `wirescan validate --print`.
[[nodiscard]] std::string print_config(const config& c);

}  // namespace wirescan::app
