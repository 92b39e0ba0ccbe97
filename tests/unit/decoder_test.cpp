#include <random>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "wirescan/core/utf8.hpp"
#include "wirescan/ingest/decoder.hpp"

using wirescan::core::epoch_ms;
using wirescan::core::reject_reason;
using wirescan::ingest::decoder;
using wirescan::ingest::decoder_config;

namespace {

const epoch_ms now{1'764'338'400'000};  // 2025-11-28T14:00:00Z

std::string story_with(const std::string& extra) {
  return R"({"id":"s1","headline":"Fed holds rates","published_at":"2025-11-28T13:59:00Z")" + extra + "}";
}

std::string nested(std::size_t depth) {
  return R"({"id":"s1","headline":"h","published_at":"2025-11-28T13:59:00Z","meta":)" + std::string(depth, '[') +
         std::string(depth, ']') + "}";
}

struct bad_case {
  const char* name;
  std::string bytes;
  reject_reason reason;
};

std::vector<bad_case> bad_cases() {
  using R = reject_reason;
  const std::string ok = story_with("");
  return {
      {"empty line", "", R::malformed_json},
      {"whitespace only", "   \t ", R::malformed_json},
      {"truncated object", ok.substr(0, ok.size() / 2), R::malformed_json},
      {"truncated after last value", ok.substr(0, ok.size() - 1), R::malformed_json},
      {"missing closing quote", R"({"id":"s1,"headline":"h"})", R::malformed_json},
      {"trailing comma", story_with(",") , R::malformed_json},
      {"two objects on one line", ok + ok, R::malformed_json},
      {"trailing garbage", ok + " x", R::malformed_json},
      {"single quotes", "{'id':'s1'}", R::malformed_json},
      {"bare word", "hello", R::malformed_json},
      {"bad literal in an unmapped field", story_with(R"(,"flag":tru)"), R::malformed_json},
      {"bad number in an unmapped field", story_with(R"(,"n":01)"), R::malformed_json},
      {"bad escape", story_with(R"(,"x":"\q")"), R::malformed_json},
      {"NUL byte inside a string", story_with(std::string(",\"x\":\"a") + '\0' + "b\""), R::malformed_json},
      {"NUL byte after the object", ok + std::string(1, '\0'), R::malformed_json},
      {"raw newline inside a string", story_with(",\"x\":\"a\nb\""), R::malformed_json},
      {"UTF-8 byte order mark", "\xEF\xBB\xBF" + ok, R::malformed_json},
      {"10,000-deep nesting", nested(10'000), R::malformed_json},
      {"nesting just past the limit", nested(64), R::malformed_json},
      {"duplicate mapped key", story_with(R"(,"headline":"again")"), R::malformed_json},
      {"invalid UTF-8 byte in headline", R"({"id":"s1","headline":"caf)" "\xE9" R"(","published_at":"2025-11-28T13:59:00Z"})",
       R::invalid_utf8},
      {"overlong encoding of '/'", story_with(",\"x\":\"\xC0\xAF\""), R::invalid_utf8},
      {"UTF-16 surrogate encoded in UTF-8", story_with(",\"x\":\"\xED\xA0\x80\""), R::invalid_utf8},
      {"truncated multi-byte sequence", story_with(",\"x\":\"\xE2\x82\""), R::invalid_utf8},
      {"lone surrogate escape", story_with(R"(,"body":"\ud800 alone")"), R::invalid_utf8},
      {"a JSON array, not an object", "[1,2,3]", R::wrong_type},
      {"a JSON string, not an object", R"("story")", R::wrong_type},
      {"headline is a number", R"({"id":"s1","headline":42,"published_at":"2025-11-28T13:59:00Z"})", R::wrong_type},
      {"body is an object", story_with(R"(,"body":{"text":"x"})"), R::wrong_type},
      {"id is a boolean", R"({"id":true,"headline":"h","published_at":"2025-11-28T13:59:00Z"})", R::wrong_type},
      {"id is a fraction", R"({"id":1.5,"headline":"h","published_at":"2025-11-28T13:59:00Z"})", R::wrong_type},
      {"tickers is a string", story_with(R"(,"tickers":"NVDA")"), R::wrong_type},
      {"tickers holds a number", story_with(R"(,"tickers":["NVDA",7])"), R::wrong_type},
      {"published_at is an object", R"({"id":"s1","headline":"h","published_at":{}})", R::wrong_type},
      {"missing id", R"({"headline":"h","published_at":"2025-11-28T13:59:00Z"})", R::missing_field},
      {"missing headline", R"({"id":"s1","published_at":"2025-11-28T13:59:00Z"})", R::missing_field},
      {"null headline", R"({"id":"s1","headline":null,"published_at":"2025-11-28T13:59:00Z"})", R::missing_field},
      {"empty headline", R"({"id":"s1","headline":"","published_at":"2025-11-28T13:59:00Z"})", R::missing_field},
      {"missing published_at", R"({"id":"s1","headline":"h"})", R::missing_field},
      {"empty object", "{}", R::missing_field},
      {"10 MB body", story_with(R"(,"body":")" + std::string(10 << 20, 'a') + "\""), R::oversized},
      {"too many tickers", story_with(R"(,"tickers":[)" + [] {
         std::string s;
         for (int i = 0; i < 1025; ++i) s += (i ? ",\"T\"" : "\"T\"");
         return s;
       }() + "]"),
       R::oversized},
      {"unparseable timestamp", R"({"id":"s1","headline":"h","published_at":"yesterday"})", R::bad_timestamp},
      {"impossible date", R"({"id":"s1","headline":"h","published_at":"2025-02-30T10:00:00Z"})", R::bad_timestamp},
      {"timestamp without zone", R"({"id":"s1","headline":"h","published_at":"2025-11-28T10:00:00"})", R::bad_timestamp},
      {"epoch seconds instead of milliseconds", R"({"id":"s1","headline":"h","published_at":1764338400})",
       R::bad_timestamp},
      {"far-future timestamp", R"({"id":"s1","headline":"h","published_at":"2199-01-01T00:00:00Z"})", R::bad_timestamp},
      {"negative epoch", R"({"id":"s1","headline":"h","published_at":-5})", R::bad_timestamp},
      {"fractional epoch", R"({"id":"s1","headline":"h","published_at":1764338400000.5})", R::bad_timestamp},
  };
}

}  // namespace

TEST_CASE("rejects each malformed input with the reason it deserves", "[decoder]") {
  decoder dec{decoder_config{}};
  const auto cases = bad_cases();
  REQUIRE(cases.size() >= 30);
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = dec.decode(c.bytes, now);
    REQUIRE_FALSE(r.has_value());
    CHECK(wirescan::core::to_string(r.error().reason) == wirescan::core::to_string(c.reason));
    CHECK_FALSE(r.error().detail.empty());
    CHECK(r.error().detail.find('\n') == std::string::npos);
  }
}

TEST_CASE("decodes a well-formed story after rejecting bad ones with the same decoder", "[decoder]") {
  decoder dec{decoder_config{}};
  for (const auto& c : bad_cases()) (void)dec.decode(c.bytes, now);
  auto r = dec.decode(
      R"({"id":"bbg-1","headline":"Beijing moves to restrict Nvidia H200 purchases","body":"Caf\u00e9 \"quoted\"",)"
      R"("source":"Bloomberg","published_at":"2025-11-28T21:59:00.250+08:00","url":"https://example.com/a",)"
      R"("language":"en","tickers":["NVDA","BIDU"],"extra":{"deep":[1,2.5e3,true,null,"x"]}})",
      now);
  REQUIRE(r.has_value());
  CHECK(r->id == "bbg-1");
  CHECK(r->headline == "Beijing moves to restrict Nvidia H200 purchases");
  CHECK(r->body == "Caf\xC3\xA9 \"quoted\"");
  CHECK(r->source == "Bloomberg");
  CHECK(r->url == "https://example.com/a");
  CHECK(r->language == "en");
  REQUIRE(r->published_at.has_value());
  CHECK(r->published_at->value == 1'764'338'340'250);
  CHECK(r->tickers == std::vector<std::string>{"NVDA", "BIDU"});
}

TEST_CASE("a story reused from decode to decode holds only the latest story's fields", "[decoder]") {
  // The pipeline decodes into one story per slot, keeping its strings' storage: nothing of a
  // longer, fuller story before may show through a shorter one, a reject or a missing field.
  decoder dec{decoder_config{}};
  wirescan::core::story kept;
  const std::string full =
      R"({"id":"long-id-of-the-first-story-0001","headline":"A headline long enough to need the heap, twice over",)"
      R"("body":"A body that is longer still, so its storage is reused by the next story's shorter one.",)"
      R"("source":"Reuters","published_at":"2025-11-28T13:59:00Z","url":"https://example.com/first",)"
      R"("language":"en","tickers":["NVDA","BIDU","BABA"]})";
  const std::string small = R"({"id":"s2","headline":"Short","published_at":1764338400000})";
  const std::vector<std::string> inputs = {full, small, bad_cases().front().bytes, full, bad_cases()[3].bytes, small,
                                           full};
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    INFO("input " << i);
    const auto fresh = dec.decode(inputs[i], now);
    const auto rejected = dec.decode(inputs[i], now, 0, kept);
    REQUIRE(fresh.has_value() == !rejected.has_value());
    if (rejected) {
      CHECK(rejected->reason == fresh.error().reason);
      CHECK(rejected->detail == fresh.error().detail);
      continue;
    }
    CHECK(kept.id == fresh->id);
    CHECK(kept.headline == fresh->headline);
    CHECK(kept.body == fresh->body);
    CHECK(kept.source == fresh->source);
    CHECK(kept.url == fresh->url);
    CHECK(kept.language == fresh->language);
    CHECK(kept.published_at.has_value() == fresh->published_at.has_value());
    if (kept.published_at) CHECK(kept.published_at->value == fresh->published_at->value);
    CHECK(kept.tickers == fresh->tickers);
  }
  // The last was the full story: its fields are all there.
  CHECK(kept.tickers.size() == 3);
  CHECK(kept.url == "https://example.com/first");
  // One long story does not leave its storage held by the kept story for good.
  const std::string long_body(200'000, 'x');
  REQUIRE_FALSE(dec.decode(R"({"id":"big","headline":"h","published_at":1764338400000,"body":")" + long_body + "\"}", now,
                           0, kept));
  CHECK(kept.body.size() == long_body.size());
  REQUIRE_FALSE(dec.decode(small, now, 0, kept));
  CHECK(kept.body.empty());
  CHECK(kept.body.capacity() <= wirescan::core::kept_buffer_bytes);
}

TEST_CASE("any story that is not valid UTF-8 is refused as invalid UTF-8, whatever else is wrong", "[decoder]") {
  // The decoder leaves UTF-8 to simdjson's first stage and asks the slow path only when that
  // stage refuses the bytes: invalid UTF-8 must still win over every other fault, in mapped and
  // unmapped fields, keys and structure alike, and no story with it may be accepted.
  decoder dec{decoder_config{}};
  const std::string base =
      R"({"id":"s1","headline":"Beijing moves to restrict Nvidia H200 purchases","body":"Caf\u00e9 body",)"
      R"("source":"Reuters","extra":{"k":["v",1,true]},"published_at":"2025-11-28T13:59:00Z"})";
  const std::string bytes_to_try = "\x80\xBF\xC0\xC3\xE2\xED\xF0\xF4\xF8\xFF\"{}[]:,\\a ";
  std::mt19937 rng(11);
  int invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = base;
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      s[rng() % s.size()] = bytes_to_try[rng() % bytes_to_try.size()];
    }
    if (!wirescan::core::first_invalid_utf8(s)) continue;
    ++invalid;
    std::string shown;  // the input with its bytes outside printable ASCII as \xNN
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u >= 0x20 && u < 0x7F) {
        shown += c;
      } else {
        constexpr char hex[] = "0123456789ABCDEF";
        shown += {'\\', 'x', hex[u >> 4], hex[u & 15]};
      }
    }
    INFO("input: " << shown);
    const auto r = dec.decode(s, now);
    REQUIRE_FALSE(r.has_value());
    CHECK(wirescan::core::to_string(r.error().reason) == std::string("invalid_utf8"));
    CHECK(r.error().detail.rfind("invalid UTF-8 at byte ", 0) == 0);
  }
  CHECK(invalid > 5000);
}

TEST_CASE("accepts epoch milliseconds, integer ids, CRLF line ends and null optional fields", "[decoder]") {
  decoder dec{decoder_config{}};
  auto r = dec.decode("{\"id\":12345,\"headline\":\"h\",\"published_at\":1764338400000,\"body\":null}\r", now);
  REQUIRE(r.has_value());
  CHECK(r->id == "12345");
  CHECK(r->published_at->value == 1'764'338'400'000);
  CHECK(r->body.empty());
}

TEST_CASE("accepts nesting up to the configured depth", "[decoder]") {
  decoder dec{decoder_config{}};
  CHECK(dec.decode(nested(62), now).has_value());
}

TEST_CASE("reads a Benzinga-style nested story with the benzinga preset", "[decoder]") {
  decoder_config cfg;
  cfg.mapping = *wirescan::ingest::field_map::preset("benzinga");
  decoder dec{cfg};
  auto r = dec.decode(
      R"({"api_version":"websocket/v1","kind":"News/v1","data":{"action":"Created","id":31283847,)"
      R"("content":{"id":31283847,"title":"US Commerce tightens chip export rules","body":"<p>Rules</p>",)"
      R"("created":"Wed, 17 May 2023 14:20:15 -0400","channels_source":"benzinga",)"
      R"("stocks":[{"name":"NVDA","exchange":"NASDAQ"},{"name":"AMD"}],"url":"https://bz.example/1"}}})",
      now);
  REQUIRE(r.has_value());
  CHECK(r->id == "31283847");
  CHECK(r->headline == "US Commerce tightens chip export rules");
  CHECK(r->source == "benzinga");
  CHECK(r->published_at->value == 1'684'347'615'000);
  CHECK(r->tickers == std::vector<std::string>{"NVDA", "AMD"});
}

TEST_CASE("a mapping with a custom pointer reads the renamed field", "[decoder]") {
  decoder_config cfg;
  cfg.mapping.pointers[static_cast<std::size_t>(wirescan::ingest::field::headline)] = "/title";
  decoder dec{cfg};
  auto r = dec.decode(R"({"id":"a","title":"Renamed","published_at":"2025-11-28T13:00:00Z"})", now);
  REQUIRE(r.has_value());
  CHECK(r->headline == "Renamed");
}

TEST_CASE("counts a prefix-only line as oversized by its full size", "[decoder]") {
  decoder dec{decoder_config{}};
  auto r = dec.decode(R"({"id":"a")", now, 5u << 20);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().reason == reject_reason::oversized);
}

TEST_CASE("numbers beyond double or int64 range in unmapped fields are well-formed JSON", "[decoder]") {
  decoder d{decoder_config{}};
  for (const char* n : {"1e999", "-1e999", "123456789012345678901234567890", "-0.0", "1E+400 "}) {
    INFO(n);
    CHECK(d.decode(story_with(std::string(",\"x\":") + n), now).has_value());
  }
  for (const char* n : {"1e", "01", "1.", "-", "1e+", ".5", "+1", "1e999x"}) {
    INFO(n);
    const auto r = d.decode(story_with(std::string(",\"x\":") + n), now);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().reason == reject_reason::malformed_json);
  }
}
