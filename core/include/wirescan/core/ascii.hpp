#pragma once
// ASCII character classes, inline. The <cctype> functions are calls through the locale's
// table; these are what they answer in the "C" locale the service runs in (it never calls
// setlocale), and every byte at or above 0x80 is none of them.

namespace wirescan::core {

[[nodiscard]] constexpr bool is_ascii_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
[[nodiscard]] constexpr bool is_ascii_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
[[nodiscard]] constexpr bool is_ascii_letter(char c) noexcept { return is_ascii_upper(c) || is_ascii_lower(c); }
[[nodiscard]] constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_ascii_alnum(char c) noexcept { return is_ascii_letter(c) || is_ascii_digit(c); }

}  // namespace wirescan::core
