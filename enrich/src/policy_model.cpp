#include "wirescan/enrich/policy_model.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_set>

namespace wirescan::enrich {
namespace {

constexpr bool url_end(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// What a lowered byte may be in a token: start it (a-z, $), go on in it (a-z 0-9 ' $ % . -),
// end it (a-z 0-9 %); digits also make tokens of their own.
enum : std::uint8_t { starts = 1, goes_on = 2, ends = 4, digit = 8 };
constexpr auto classes = [] {
  std::array<std::uint8_t, 256> c{};
  for (int x = 'a'; x <= 'z'; ++x) c[x] = starts | goes_on | ends;
  for (int x = '0'; x <= '9'; ++x) c[x] = goes_on | ends | digit;
  c['$'] = starts | goes_on;
  c['%'] = goes_on | ends;
  c['\''] = goes_on;
  c['.'] = goes_on;
  c['-'] = goes_on;
  return c;
}();
constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
// The same by the byte as sent, capitals included: one load a byte.
constexpr auto raw_classes = [] {
  std::array<std::uint8_t, 256> c{};
  for (int x = 0; x < 256; ++x) c[x] = classes[static_cast<unsigned char>(lower(static_cast<char>(x)))];
  return c;
}();
constexpr std::uint8_t cls(char c) noexcept { return raw_classes[static_cast<unsigned char>(c)]; }

// Whether a link starts at text[i], which is 'h'.
bool link_at(std::string_view text, std::size_t i) noexcept {
  return text.compare(i, 7, "http://") == 0 || text.compare(i, 8, "https://") == 0;
}

// A token's key, from its bytes lowered: every byte a token may hold (a-z, A-Z, 0-9, $ % ' . -)
// has or takes the 0x20 bit, so OR-ing it in lowers the capitals and leaves the rest. Eight bytes
// at a time; the last few are read as a whole word when the text goes on that far (`limit`), and
// masked. The key is the file's features' too (parse() reads them through the same cursor).
static_assert(std::endian::native == std::endian::little, "token_key reads words little-endian");
[[gnu::always_inline]] inline std::uint64_t token_key(const char* s, std::size_t len, const char* limit) noexcept {
  constexpr std::uint64_t lows = 0x2020202020202020ULL;
  const auto mix = [](std::uint64_t h) {
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 32);
  };
  std::uint64_t h = 0x6A09E667F3BCC909ULL ^ (std::uint64_t{len} << 56);
  for (; len >= 8; s += 8, len -= 8) {
    std::uint64_t w;
    std::memcpy(&w, s, 8);
    h = mix(h ^ (w | lows));
  }
  if (len != 0) {
    std::uint64_t w = 0;
    if (limit - s >= 8) {
      std::memcpy(&w, s, 8);
      w &= ~std::uint64_t{0} >> (64 - 8 * len);
    } else {
      for (std::size_t k = 0; k < len; ++k) w |= std::uint64_t{static_cast<unsigned char>(s[k])} << (8 * k);
    }
    h = mix(h ^ (w | (lows >> (64 - 8 * len))));
  }
  return h;
}

// The tokens of a text, left to right, as the trainer's regular expression finds them in the text
// with its links made spaces and its ASCII letters lowered: each token's key (token_key) and where
// it stands. A link separates tokens as the space it becomes does; no byte of a link is in a
// token. The bytes are walked once to find a token's end, then keyed a word at a time.
class token_cursor {
 public:
  explicit token_cursor(std::string_view text) noexcept : t_(text) {}

  [[gnu::always_inline]] bool next(std::uint64_t& key, std::size_t& from, std::size_t& to) noexcept {
    const std::string_view t = t_;
    const std::size_t n = t.size();
    std::size_t i = i_;
    while (i < n) {
      const char c0 = t[i];
      const std::uint8_t k0 = cls(c0);
      if (k0 == 0) {  // spaces, most punctuation, every non-ASCII byte
        ++i;
        continue;
      }
      if (c0 == 'h' && link_at(t, i)) {
        while (i < n && !url_end(t[i])) ++i;
        continue;
      }
      std::size_t end = 0;
      if ((k0 & starts) != 0) {
        // The longest run that goes on, then back to its last byte that may end a token.
        for (std::size_t j = i + 1; j < n; ++j) {
          const char c = t[j];
          const std::uint8_t k = cls(c);
          if ((k & goes_on) == 0 || (c == 'h' && link_at(t, j))) break;
          if ((k & ends) != 0) end = j + 1;
        }
      } else if ((k0 & digit) != 0) {
        end = i + 1;
        while (end < n && (cls(t[end]) & digit) != 0) ++end;
      }
      if (end == 0) {
        ++i;
        continue;
      }
      key = token_key(t.data() + i, end - i, t.data() + n);
      from = i;
      to = i_ = end;
      return true;
    }
    i_ = i;
    return false;
  }

 private:
  std::string_view t_;
  std::size_t i_ = 0;
};

// Calls f(key, from, to) for each token of text (token_cursor).
template <class F>
void tokens(std::string_view text, F f) {
  token_cursor cur(text);
  std::uint64_t key = 0;
  std::size_t from = 0, to = 0;
  while (cur.next(key, from, to)) f(key, from, to);
}

// A pair's key: the two tokens' keys mixed. The file's features are keyed the same way when it
// is read, so no string is made while a story is judged.
std::uint64_t pair_key(std::uint64_t a, std::uint64_t b) noexcept {
  std::uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL);
  h ^= h >> 29;
  return h * 0xBF58476D1CE4E5B9ULL;
}

// The slot of a key in a table of `mask + 1` slots: the key's high bits, well mixed by FNV.
std::size_t slot(std::uint64_t key, std::size_t mask) noexcept { return static_cast<std::size_t>(key >> 17) & mask; }

}  // namespace

std::optional<policy_model> policy_model::parse(std::string_view text, const std::string& where,
                                                std::vector<std::string>& problems) {
  policy_model m;
  bool bias = false;
  const std::size_t before = problems.size();
  std::size_t number = 0;
  std::vector<std::pair<std::uint64_t, double>> entries;
  std::unordered_set<std::uint64_t> seen;
  // A feature is one lower-case token, whole, as the feature function makes it.
  const auto one_token = [](std::string_view s, std::uint64_t& key) {
    std::size_t n = 0;
    bool whole = false;
    tokens(s, [&](std::uint64_t k, std::size_t from, std::size_t to) {
      ++n;
      key = k;
      whole = from == 0 && to == s.size();
    });
    return n == 1 && whole && std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  };
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t nl = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const auto bad = [&](const std::string& why) {
      problems.push_back(where + ":" + std::to_string(number) + ": " + why);
    };
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos || line.find('\t', tab + 1) != std::string_view::npos) {
      bad("want feature<TAB>weight");
      continue;
    }
    const std::string_view feature = line.substr(0, tab), number_text = line.substr(tab + 1);
    double w = 0;
    const auto [end, ec] = std::from_chars(number_text.data(), number_text.data() + number_text.size(), w);
    if (ec != std::errc() || end != number_text.data() + number_text.size() || !std::isfinite(w)) {
      bad("weight '" + std::string(number_text) + "' is not a finite number");
      continue;
    }
    if (feature == "<bias>") {
      m.bias_ = w;
      bias = true;
      continue;
    }
    const std::size_t space = feature.find(' ');
    std::uint64_t first = 0, second = 0;
    if (!one_token(feature.substr(0, space), first) ||
        (space != std::string_view::npos && !one_token(feature.substr(space + 1), second))) {
      bad("'" + std::string(feature) + "' is not a token or two tokens joined by one space");
      continue;
    }
    const std::uint64_t key = space == std::string_view::npos ? first : pair_key(first, second);
    if (!seen.insert(key).second) {
      bad("'" + std::string(feature) + "' is given twice");
      continue;
    }
    entries.emplace_back(key, w);
  }
  if (!bias) problems.push_back(where + ": no <bias> line");
  if (problems.size() != before) return std::nullopt;
  // Open addressing, at most half full: a probe is one or two reads of one small table.
  std::size_t slots = 16;
  while (slots < 2 * entries.size()) slots *= 2;
  m.keys_.assign(slots, 0);
  m.weights_.assign(slots, 0.0);
  m.mask_ = slots - 1;
  for (auto [key, w] : entries) {
    if (key == 0) key = 1;  // 0 marks an empty slot; lookups make the same change
    std::size_t at = slot(key, m.mask_);
    while (m.keys_[at] != 0) at = (at + 1) & m.mask_;
    m.keys_[at] = key;
    m.weights_[at] = w;
  }
  m.size_ = entries.size();
  return m;
}

double policy_model::weight(std::uint64_t key) const noexcept {
  if (key == 0) key = 1;
  for (std::size_t at = slot(key, mask_);; at = (at + 1) & mask_) {
    if (keys_[at] == key) return weights_[at];
    if (keys_[at] == 0) return 0.0;
  }
}

double policy_model::probability(std::string_view headline) const {
  // The trainer counts each distinct feature once. A headline has a few dozen at most and seldom
  // one twice: a 64-bit mask of the keys' low bits says which can have been seen, and only those
  // are looked for among the ones seen.
  thread_local std::vector<std::uint64_t> seen;
  seen.clear();
  std::uint64_t maybe_seen = 0;
  double z = bias_;
  const auto add = [&](std::uint64_t k) __attribute__((always_inline)) {
    const std::uint64_t bit = std::uint64_t{1} << (k & 63);
    if ((maybe_seen & bit) != 0 && std::find(seen.begin(), seen.end(), k) != seen.end()) return;
    maybe_seen |= bit;
    seen.push_back(k);
    z += weight(k);
  };
  token_cursor cur(headline);
  std::uint64_t k = 0, previous = 0;
  std::size_t from = 0, to = 0;
  for (bool first = true; cur.next(k, from, to); first = false) {
    add(k);
    if (!first) add(pair_key(previous, k));
    previous = k;
  }
  return 1.0 / (1.0 + std::exp(-std::clamp(z, -30.0, 30.0)));
}

std::vector<std::string> policy_model::features(std::string_view text) {
  std::vector<std::string> out;
  std::string previous;
  bool first = true;
  tokens(text, [&](std::uint64_t, std::size_t from, std::size_t to) {
    std::string tok(text.substr(from, to - from));
    for (auto& c : tok) c = lower(c);
    if (!first) out.push_back(previous + " " + tok);
    out.push_back(tok);
    previous = std::move(tok);
    first = false;
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace wirescan::enrich
