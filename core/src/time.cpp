#include "wirescan/core/time.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace wirescan::core {
namespace {

constexpr bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly n ASCII digits at s[pos]; advances pos. Returns -1 when they are not there.
int digits(std::string_view s, std::size_t& pos, std::size_t n) noexcept {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) noexcept {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<epoch_ms> compose(int y, int mo, int d, int h, int mi, int sec, int ms, int offset_min) noexcept {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo)) ||
      h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - std::int64_t{offset_min} * 60;
  return epoch_ms{secs * 1000 + ms};
}

}  // namespace

std::optional<epoch_ms> parse_rfc3339(std::string_view s) noexcept {
  std::size_t p = 0;
  const int y = digits(s, p, 4);
  if (y < 0 || !expect(s, p, '-')) return std::nullopt;
  const int mo = digits(s, p, 2);
  if (mo < 0 || !expect(s, p, '-')) return std::nullopt;
  const int d = digits(s, p, 2);
  if (d < 0 || p >= s.size()) return std::nullopt;
  const char sep = s[p++];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  const int h = digits(s, p, 2);
  if (h < 0 || !expect(s, p, ':')) return std::nullopt;
  const int mi = digits(s, p, 2);
  if (mi < 0 || !expect(s, p, ':')) return std::nullopt;
  const int sec = digits(s, p, 2);
  if (sec < 0) return std::nullopt;
  int ms = 0;
  if (expect(s, p, '.')) {
    const std::size_t start = p;
    int scale = 100;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
      ms += (s[p] - '0') * scale;
      scale /= 10;
      ++p;
    }
    if (p == start || p - start > 9) return std::nullopt;
  }
  if (p >= s.size()) return std::nullopt;
  int offset_min = 0;
  const char z = s[p++];
  if (z == 'Z' || z == 'z') {
    offset_min = 0;
  } else if (z == '+' || z == '-') {
    const int oh = digits(s, p, 2);
    if (oh < 0 || oh > 23 || !expect(s, p, ':')) return std::nullopt;
    const int om = digits(s, p, 2);
    if (om < 0 || om > 59) return std::nullopt;
    offset_min = (z == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (p != s.size()) return std::nullopt;
  return compose(y, mo, d, h, mi, sec, ms, offset_min);
}

std::optional<epoch_ms> parse_rfc2822(std::string_view s) noexcept {
  static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::size_t p = 0;
  // Optional "Wed, ".
  if (s.size() > 5 && s[3] == ',') {
    p = 4;
    while (p < s.size() && s[p] == ' ') ++p;
  }
  int d = digits(s, p, 2);
  if (d < 0) {
    d = digits(s, p, 1);
    if (d < 0) return std::nullopt;
  }
  if (!expect(s, p, ' ') || p + 3 > s.size()) return std::nullopt;
  int mo = 0;
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (s.substr(p, 3) == months[i]) mo = static_cast<int>(i) + 1;
  }
  if (mo == 0) return std::nullopt;
  p += 3;
  if (!expect(s, p, ' ')) return std::nullopt;
  const int y = digits(s, p, 4);
  if (y < 0 || !expect(s, p, ' ')) return std::nullopt;
  const int h = digits(s, p, 2);
  if (h < 0 || !expect(s, p, ':')) return std::nullopt;
  const int mi = digits(s, p, 2);
  if (mi < 0) return std::nullopt;
  int sec = 0;
  if (expect(s, p, ':')) {
    sec = digits(s, p, 2);
    if (sec < 0) return std::nullopt;
  }
  if (!expect(s, p, ' ') || p >= s.size()) return std::nullopt;
  int offset_min = 0;
  const std::string_view zone = s.substr(p);
  if (zone == "GMT" || zone == "UT" || zone == "UTC" || zone == "Z") {
    offset_min = 0;
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    std::size_t q = 1;
    const int oh = digits(zone, q, 2);
    const int om = digits(zone, q, 2);
    if (oh < 0 || om < 0 || om > 59) return std::nullopt;
    offset_min = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  return compose(y, mo, d, h, mi, sec, 0, offset_min);
}

std::string format_rfc3339(epoch_ms t) { return std::string(format_rfc3339_text(t).view()); }

namespace {

// "00" to "99", two bytes a number.
constexpr auto two_digits = [] {
  std::array<char, 200> d{};
  for (int i = 0; i < 100; ++i) {
    d[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
    d[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
  }
  return d;
}();

void put2(char* at, unsigned v) noexcept { std::memcpy(at, &two_digits[2 * v], 2); }

// "YYYY-MM-DDT" for a day since the epoch, or nothing (false) when its year has not four digits.
bool format_day(std::int64_t days, char* buf) noexcept {
  // civil_from_days (Howard Hinnant).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  if (y < 0 || y > 9999) return false;
  put2(buf, static_cast<unsigned>(y / 100));
  put2(buf + 2, static_cast<unsigned>(y % 100));
  buf[4] = '-';
  put2(buf + 5, m);
  buf[7] = '-';
  put2(buf + 8, d);
  buf[10] = 'T';
  return true;
}

}  // namespace

rfc3339_text format_rfc3339_text(epoch_ms t) noexcept {
  std::int64_t ms = t.value % 1000;
  std::int64_t secs = t.value / 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // Hand-formatted: snprintf was 9% of the per-story cost (three timestamps per event). An
  // event's timestamps nearly always fall on the day of the one before, so each thread keeps
  // its last day's text.
  thread_local struct {
    std::int64_t days = INT64_MIN;
    bool valid = false;
    char text[11];
  } last;
  rfc3339_text out{};
  char* buf = out.buf;
  if (days != last.days) {
    last.days = days;
    last.valid = format_day(days, last.text);
  }
  if (!last.valid) {
    constexpr std::string_view invalid = "invalid-year";
    invalid.copy(buf, invalid.size());
    out.size = static_cast<std::uint8_t>(invalid.size());
    return out;
  }
  std::memcpy(buf, last.text, sizeof last.text);
  const auto r = static_cast<unsigned>(rem);
  put2(buf + 11, r / 3600);
  buf[13] = ':';
  put2(buf + 14, r / 60 % 60);
  buf[16] = ':';
  put2(buf + 17, r % 60);
  buf[19] = '.';
  const auto milli = static_cast<unsigned>(ms);
  buf[20] = static_cast<char>('0' + milli / 100);
  put2(buf + 21, milli % 100);
  buf[23] = 'Z';
  out.size = 24;
  return out;
}

}  // namespace wirescan::core
