#pragma once
// Test support: the hostile-input corpus in tests/data/hostile/cases.tsv, decoded into bytes.

#include <string>
#include <vector>

namespace wirescan::test {

struct hostile_case {
  std::string name;
  std::string expect;  // "event" or a reject reason
  std::string bytes;
  bool kafka_only = false;  // holds a raw LF, so it cannot be one line of a JSON Lines file
};

// Every case in the corpus file, large generated ones included; throws on a malformed row.
[[nodiscard]] std::vector<hostile_case> load_hostile_cases();

}  // namespace wirescan::test
