#include "wirescan/enrich/cashtag.hpp"

#include "wirescan/core/ascii.hpp"

namespace wirescan::enrich {
namespace {

using core::is_ascii_alnum;
using core::is_ascii_letter;

bool is_ascii_punct(char c) noexcept {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// twitter-text's UNICODE_SPACES.
bool is_unicode_space(std::uint32_t cp) noexcept {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 || cp == 0x180E ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

// The code point that ends just before pos (text is valid UTF-8, guaranteed by ingest).
std::uint32_t code_point_before(std::string_view text, std::size_t pos) noexcept {
  std::size_t start = pos - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80 && pos - start < 4) --start;
  const auto b0 = static_cast<unsigned char>(text[start]);
  const std::size_t n = pos - start;
  if (n == 1) return b0;
  std::uint32_t cp = b0 & (0xFF >> (n + 1));
  for (std::size_t i = start + 1; i < pos; ++i) cp = (cp << 6) | (static_cast<unsigned char>(text[i]) & 0x3F);
  return cp;
}

// Whether the text at pos may follow a cashtag: end, whitespace or ASCII punctuation.
bool boundary_at(std::string_view text, std::size_t pos) noexcept {
  if (pos == text.size()) return true;
  const char c = text[pos];
  if (c == ' ' || (c >= '\t' && c <= '\r') || is_ascii_punct(c)) return true;
  if (static_cast<unsigned char>(c) >= 0x80) {
    // A Unicode space (NBSP, thin space ...) ends a cashtag as well.
    std::size_t end = pos + 1;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    return is_unicode_space(code_point_before(text, end));
  }
  return false;
}

std::size_t letters_from(std::string_view text, std::size_t pos) noexcept {
  std::size_t n = 0;
  while (pos + n < text.size() && is_ascii_letter(text[pos + n])) ++n;
  return n;
}

// Unicode punctuation wires use around symbols: dashes, quotes, ellipsis, CJK and
// full-width punctuation.
bool is_unicode_punct(std::uint32_t cp) noexcept {
  return (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFF01 && cp <= 0xFF0F) || cp == 0xAB || cp == 0xBB || cp == 0xA1 || cp == 0xBF;
}

std::uint32_t code_point_at(std::string_view text, std::size_t pos, std::size_t& len) noexcept {
  len = 1;
  while (pos + len < text.size() && (static_cast<unsigned char>(text[pos + len]) & 0xC0) == 0x80 && len < 4) ++len;
  return code_point_before(text, pos + len);
}

bool extended_boundary_at(std::string_view text, std::size_t pos) noexcept {
  if (boundary_at(text, pos)) return true;
  std::size_t len = 0;
  return static_cast<unsigned char>(text[pos]) >= 0x80 && is_unicode_punct(code_point_at(text, pos, len));
}

bool opener_before(std::string_view text, std::size_t pos) noexcept {
  if (pos == 0) return true;
  const char c = text[pos - 1];
  if (c == '(' || c == '[' || c == '{' || c == '"' || c == '\'' || c == '/' || c == '-' || c == ',' || c == ';' ||
      c == ':' || c == '!' || c == '?' || c == '*' || c == '#' || c == '>') {
    return true;
  }
  const std::uint32_t cp = code_point_before(text, pos);
  return is_unicode_space(cp) || is_unicode_punct(cp);
}

// Whether only whitespace and further "$SYMBOL" tags follow pos.
bool only_tags_follow(std::string_view text, std::size_t pos) noexcept {
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      ++pos;
    } else if (c == '$') {
      ++pos;
      while (pos < text.size() && (is_ascii_alnum(text[pos]) || text[pos] == '.' || text[pos] == '_')) ++pos;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

namespace detail {

bool extended_cashtag_at(std::string_view text, std::size_t i, bool (*known)(const void*, std::string_view),
                         const void* ctx, extended_cashtag& out) {
  std::size_t n = 0;
  bool letter = false;
  bool digit = false;
  while (i + 1 + n < text.size() && is_ascii_alnum(text[i + 1 + n]) && n < 11) {
    (is_ascii_letter(text[i + 1 + n]) ? letter : digit) = true;
    ++n;
  }
  // A digit first ("$1INCH") is fine only for a known symbol; amounts never have a letter.
  if (n == 0 || n > 10 || !letter || (!is_ascii_letter(text[i + 1]) && !known(ctx, text.substr(i + 1, n)))) return false;
  std::size_t end = i + 1 + n;
  bool stocktwits = false;
  if (end + 1 < text.size() && text[end] == '.' && (text[end + 1] == 'X' || text[end + 1] == 'x') &&
      extended_boundary_at(text, end + 2)) {
    stocktwits = true;
  } else if (end < text.size() && (text[end] == '.' || text[end] == '_')) {
    const std::size_t suffix = letters_from(text, end + 1);
    if (suffix >= 1 && suffix <= 2 && extended_boundary_at(text, end + 1 + suffix)) end += 1 + suffix;
  }
  const std::size_t after = stocktwits ? end + 2 : end;
  if (!extended_boundary_at(text, after)) return false;
  const std::string_view symbol = text.substr(i + 1, end - i - 1);
  // Long or digit-bearing symbols must be known: "$5B" or "$ABCDEFGH" are not tickers.
  if ((digit || n > 6) && !known(ctx, symbol)) return false;
  if (!opener_before(text, i)) {
    // Glued to a word: only a distributor's trailing tag counts.
    if (!is_ascii_letter(text[i - 1]) || !only_tags_follow(text, after)) return false;
  }
  out = {{symbol, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(after)}, stocktwits};
  return true;
}

}  // namespace detail

void extract_cashtags(std::string_view text, std::vector<cashtag>& out) {
  for (std::size_t i = text.find('$'); i != std::string_view::npos; i = text.find('$', i + 1)) {
    if (i > 0 && !is_unicode_space(code_point_before(text, i))) continue;
    const std::size_t base = letters_from(text, i + 1);
    if (base == 0 || base > 6) continue;
    std::size_t end = i + 1 + base;
    if (end < text.size() && (text[end] == '.' || text[end] == '_')) {
      const std::size_t suffix = letters_from(text, end + 1);
      if (suffix >= 1 && suffix <= 2 && boundary_at(text, end + 1 + suffix)) {
        end += 1 + suffix;
      }
    }
    if (!boundary_at(text, end)) continue;
    out.push_back({text.substr(i + 1, end - i - 1), static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end)});
  }
}

}  // namespace wirescan::enrich
