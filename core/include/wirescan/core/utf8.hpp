#pragma once
// UTF-8 helpers for the slow paths: locating the first bad byte for an error message,
// and making arbitrary bytes printable for reject reports. The hot path validates with
// simdjson and never calls these.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wirescan::core {

// Byte offset of the first byte that does not start or continue a valid UTF-8 sequence
// (overlong forms, surrogates and values above U+10FFFF are invalid), or nullopt.
[[nodiscard]] std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept;

// Length of the valid UTF-8 sequence at s[pos], or 0 when there is none.
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept;

// Copies at most max_bytes of s, replacing each invalid byte with U+FFFD and never
// cutting a code point in half. Sets truncated when s did not fit.
[[nodiscard]] std::string utf8_lossy_prefix(std::string_view s, std::size_t max_bytes, bool& truncated);

}  // namespace wirescan::core
