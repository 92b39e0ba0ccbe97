#pragma once
// Points in time as they travel through wirescan.
//
// Every timestamp in a story or an event is UTC milliseconds since the Unix epoch, held
// in a strong type so it cannot be confused with an offset, a duration or microseconds.
// Parsing and formatting are pure functions; reading the clock is the caller's business
// (enrich never reads it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wirescan::core {

struct epoch_ms {
  std::int64_t value{0};
  friend constexpr auto operator<=>(epoch_ms, epoch_ms) = default;
};

// Parses an RFC 3339 timestamp ("2026-11-28T14:03:07.123Z", "...+08:00", a space in place
// of 'T' is accepted as RFC 3339 section 5.6 allows). Fractions beyond milliseconds are
// truncated. Returns nullopt for anything else, including impossible dates (Feb 30) and
// leap-second values (":60"), which no wire uses for news.
[[nodiscard]] std::optional<epoch_ms> parse_rfc3339(std::string_view s) noexcept;

// Parses an RFC 2822 / RFC 1123 date ("Wed, 17 May 2023 14:20:15 -0400"), the shape
// Benzinga-style wires use. The weekday is optional and not cross-checked.
[[nodiscard]] std::optional<epoch_ms> parse_rfc2822(std::string_view s) noexcept;

// Formats as RFC 3339 UTC with millisecond precision: "2026-11-28T14:03:07.123Z".
[[nodiscard]] std::string format_rfc3339(epoch_ms t);

// The same text in a buffer of its own, for callers that format on every story (the event
// writer's four timestamps): no heap string each.
struct rfc3339_text {
  char buf[24];
  std::uint8_t size;
  [[nodiscard]] std::string_view view() const noexcept { return {buf, size}; }
};
[[nodiscard]] rfc3339_text format_rfc3339_text(epoch_ms t) noexcept;

// Days since 1970-01-01 for a proleptic Gregorian civil date (Howard Hinnant's algorithm).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace wirescan::core
