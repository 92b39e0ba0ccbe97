#include "wirescan/core/utf8.hpp"

namespace wirescan::core {

std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept {
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = at(pos);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned lo = 0x80;
  unsigned hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  if (at(pos + 1) < lo || at(pos + 1) > hi) return 0;
  for (std::size_t i = 2; i < len; ++i) {
    if (at(pos + i) < 0x80 || at(pos + i) > 0xBF) return 0;
  }
  return len;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string utf8_lossy_prefix(std::string_view s, std::size_t max_bytes, bool& truncated) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
  truncated = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = utf8_sequence_length(s, i);
    const std::string_view piece = n == 0 ? replacement : s.substr(i, n);
    if (out.size() + piece.size() > max_bytes) {
      truncated = true;
      break;
    }
    out.append(piece);
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace wirescan::core
