#pragma once
// Test support: checks JSON documents against docs/event.schema.json with RapidJSON's
// schema validator, so tests assert the published contract, not a copy of it.

#include <string>
#include <string_view>

namespace wirescan::test {

// Empty when json is valid against the event schema; otherwise what failed and where.
[[nodiscard]] std::string event_schema_violation(std::string_view json);

// Empty when json parses as JSON; otherwise the parse error.
[[nodiscard]] std::string json_parse_error(std::string_view json);

[[nodiscard]] std::string read_file(const std::string& path);

}  // namespace wirescan::test
