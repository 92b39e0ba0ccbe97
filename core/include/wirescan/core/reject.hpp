#pragma once
// Why a story was refused. The set is small and fixed on purpose: each reason is a
// metric label value and a dead-letter header, so it must never grow from input.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wirescan::core {

enum class reject_reason : std::uint8_t {
  malformed_json,  // not one well-formed JSON text (syntax, trailing bytes, BOM, empty, too deep)
  missing_field,   // a required field is absent, null or empty
  wrong_type,      // a field (or the story itself) has a JSON type the mapping does not accept
  oversized,       // larger than the configured story limit
  invalid_utf8,    // bytes that are not UTF-8, or escapes that decode to lone surrogates
  bad_timestamp,   // published_at unparseable, out of range, or too far in the future
};

inline constexpr std::array all_reject_reasons{
    reject_reason::malformed_json, reject_reason::missing_field, reject_reason::wrong_type,
    reject_reason::oversized,      reject_reason::invalid_utf8,  reject_reason::bad_timestamp,
};

[[nodiscard]] std::string_view to_string(reject_reason r) noexcept;
[[nodiscard]] std::optional<reject_reason> reject_reason_from_string(std::string_view s) noexcept;

// A refusal: the reason plus a one-line human detail (never used as a metric label).
struct reject {
  reject_reason reason;
  std::string detail;
};

}  // namespace wirescan::core
