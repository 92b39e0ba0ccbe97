// Fuzz target: config parsing. Any text gives a config or a config_error listing problems;
// any other exception escaping parse_config is a finding (libFuzzer reports it as a crash).
#include <cstdint>
#include <string>

#include "config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)wirescan::app::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  } catch (const wirescan::app::config_error&) {
  }
  return 0;
}
