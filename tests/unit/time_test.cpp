#include <catch2/catch_test_macros.hpp>

#include <ctime>
#include <random>
#include <string>

#include "wirescan/core/time.hpp"

using namespace wirescan::core;

TEST_CASE("parses RFC 3339 with zones and fractions", "[time]") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z")->value == 0);
  CHECK(parse_rfc3339("2025-11-28T14:00:00Z")->value == 1'764'338'400'000);
  CHECK(parse_rfc3339("2025-11-28T22:00:00.5+08:00")->value == 1'764'338'400'500);
  CHECK(parse_rfc3339("2025-11-28 09:00:00.123456789-05:00")->value == 1'764'338'400'123);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("refuses what RFC 3339 does not allow", "[time]") {
  for (const char* s : {"", "2025-11-28", "2025-11-28T14:00:00", "2025-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                        "2025-11-28T24:00:00Z", "2025-11-28T14:00:60Z", "2025-11-28T14:00:00.Z",
                        "2025-11-28T14:00:00Zjunk", "2025-11-28T14:00:00+0800"}) {
    INFO(s);
    CHECK_FALSE(parse_rfc3339(s).has_value());
  }
}

TEST_CASE("parses RFC 2822 dates as Benzinga sends them", "[time]") {
  CHECK(parse_rfc2822("Wed, 17 May 2023 14:20:15 -0400")->value == 1'684'347'615'000);
  CHECK(parse_rfc2822("17 May 2023 18:20:15 GMT")->value == 1'684'347'615'000);
  CHECK_FALSE(parse_rfc2822("Wed, 17 Foo 2023 14:20:15 -0400").has_value());
}

TEST_CASE("formats UTC with milliseconds and round-trips", "[time]") {
  CHECK(format_rfc3339(epoch_ms{1'764'338'400'123}) == "2025-11-28T14:00:00.123Z");
  CHECK(format_rfc3339(epoch_ms{0}) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339_text(epoch_ms{1'764'338'400'123}).view() == "2025-11-28T14:00:00.123Z");
  CHECK(format_rfc3339(epoch_ms{253'402'300'799'999}) == "9999-12-31T23:59:59.999Z");
  CHECK(format_rfc3339_text(epoch_ms{253'402'300'800'000}).view() == "invalid-year");
  for (std::int64_t t : {0LL, 951'782'400'000LL, 1'764'338'400'999LL, 4'102'444'800'000LL}) {
    CHECK(parse_rfc3339(format_rfc3339(epoch_ms{t}))->value == t);
  }
}

TEST_CASE("formats what the C library's gmtime says, day after day and back", "[time]") {
  // The formatter keeps the last day's text per thread: the same day again, the next, an
  // earlier one and an invalid year in between must each still come out right.
  const auto expected = [](std::int64_t ms) {
    const auto secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    const auto milli = ((ms % 1000) + 1000) % 1000;
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03lldZ", static_cast<long long>(milli));
    return std::string(buf) + frac;
  };
  std::mt19937_64 rng(42);
  std::int64_t t = 1'764'338'400'123;
  for (int i = 0; i < 5000; ++i) {
    switch (rng() % 4) {
      case 0: t += static_cast<std::int64_t>(rng() % 1000); break;               // the same day, mostly
      case 1: t += static_cast<std::int64_t>(rng() % 3) * 86'400'000; break;     // a later day
      case 2: t -= static_cast<std::int64_t>(rng() % 400'000'000'000); break;    // years back
      default: t = static_cast<std::int64_t>(rng() % 253'402'300'800'000); break;  // anywhere in 1970-9999
    }
    // Years 1000 to 9999: strftime writes earlier years with fewer digits, later ones are invalid.
    if (t < -30'610'224'000'000 || t >= 253'402'300'800'000) t = 0;
    INFO("t = " << t);
    CHECK(format_rfc3339_text(epoch_ms{t}).view() == expected(t));
    if (i % 500 == 0) {
      CHECK(format_rfc3339_text(epoch_ms{253'402'300'800'000}).view() == "invalid-year");
    }
  }
}
