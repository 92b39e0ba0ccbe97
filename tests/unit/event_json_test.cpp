#include <string>

#include <catch2/catch_test_macros.hpp>
#include <rapidjson/document.h>

#include "schema.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/sinks/event_json.hpp"

using namespace wirescan;

namespace {

core::story sample() {
  core::story s;
  s.id = "s-1";
  s.headline = "Beijing moves to restrict $NVDA \"H200\" purchases \xE2\x80\x94 sources";
  s.body = "Control chars \x01 and a tab\t; then $SOL and $BTC";
  s.source = "Reuters";
  s.published_at = core::epoch_ms{1'764'338'340'000};
  s.tickers = {"nvda", "BABA"};
  return s;
}

rapidjson::Document parse(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("writes an event that validates against docs/event.schema.json", "[event]") {
  const auto s = sample();
  const auto f = enrich::enricher{}.enrich(s);
  sinks::event_writer w;
  const std::string json(w.write(s, f, {core::epoch_ms{1'764'338'400'000}, core::epoch_ms{1'764'338'400'001}, 42}));
  CHECK(test::event_schema_violation(json).empty());
  const auto d = parse(json);
  CHECK(std::string(d["story"]["headline"].GetString()) == s.headline);
  CHECK(std::string(d["story"]["published_at"].GetString()) == "2025-11-28T13:59:00.000Z");
  CHECK(d["story"]["url"].IsNull());
  CHECK(d["timing"]["age_ms"].GetInt64() == 60'000);
  CHECK(d["timing"]["processing_us"].GetInt64() == 42);
}

TEST_CASE("evidence spans quote exactly the bytes they point at", "[event]") {
  const auto s = sample();
  const auto f = enrich::enricher{}.enrich(s);
  sinks::event_writer w;
  const auto d = parse(w.write(s, f, {}));
  const auto& mentions = d["mentions"];
  REQUIRE(mentions.Size() == 4);  // NVDA (cashtag + pre-tagged), SOL, BTC, BABA (pre-tagged)
  CHECK(std::string(mentions[0]["symbol"].GetString()) == "NVDA");
  CHECK(std::string(mentions[0]["via"].GetString()) == "cashtag");
  CHECK(std::string(mentions[3]["symbol"].GetString()) == "BABA");
  CHECK(std::string(mentions[3]["via"].GetString()) == "pretagged");
  for (const auto& m : mentions.GetArray()) {
    for (const auto& e : m["evidence"].GetArray()) {
      const std::string& field = std::string(e["field"].GetString()) == "headline" ? s.headline : s.body;
      CHECK(field.substr(e["start"].GetUint(), e["end"].GetUint() - e["start"].GetUint()) == e["text"].GetString());
    }
  }
}

TEST_CASE("exposures are written only when a shock reaches an unnamed company, with that shock's evidence",
          "[event]") {
  const auto rules = enrich::load_rules(std::string(WIRESCAN_SOURCE_DIR) + "/rules");
  REQUIRE(rules.has_value());
  const enrich::enricher e(rules.value());
  sinks::event_writer w;
  core::story s;
  s.id = "x-1";
  s.headline = "Beijing moves to restrict Nvidia H200 purchases even after US green-lit exports";
  const std::string json(w.write(s, e.enrich(s), {}));
  CHECK(test::event_schema_violation(json).empty());
  const auto d = parse(json);
  REQUIRE(d.HasMember("exposures"));
  const auto& xs = d["exposures"];
  REQUIRE(xs.Size() == 3);
  CHECK(std::string(xs[0]["symbol"].GetString()) == "BABA");
  CHECK(std::string(xs[0]["name"].GetString()) == "Alibaba");
  CHECK(std::string(xs[0]["why"].GetString()) == "China's largest buyers of US AI accelerators");
  const auto shock = xs[0]["shock"].GetUint();
  REQUIRE(shock < d["policy_shocks"].Size());
  CHECK(std::string(d["policy_shocks"][shock]["category"].GetString()) == "import_restriction");
  CHECK(xs[0]["evidence"] == d["policy_shocks"][shock]["evidence"]);
  CHECK(std::string(xs[0]["evidence"][0]["text"].GetString()) == "restrict Nvidia H200 purchases");
  s.headline = "US green-lights Nvidia H200 exports";
  CHECK_FALSE(parse(w.write(s, e.enrich(s), {})).HasMember("exposures"));
}

TEST_CASE("refuses an evidence span that splits a UTF-8 code point", "[event]") {
  auto s = sample();
  core::findings f;
  core::mention m;
  m.symbol = "X";
  const auto dash = static_cast<std::uint32_t>(s.headline.find("\xE2\x80\x94"));
  m.spans.push_back({core::story_field::headline, dash, dash + 1});
  f.mentions.push_back(m);
  sinks::event_writer w;
  CHECK_THROWS_AS(w.write(s, f, {}), std::logic_error);
}

TEST_CASE("a reject report is valid JSON even when the story bytes are not UTF-8", "[event]") {
  const std::string raw = "{\"headline\":\"caf\xE9\xFF\",\"x\":\"" + std::string(100, 'a') + "\"}";
  const auto json = sinks::reject_json(7, {core::reject_reason::invalid_utf8, "invalid UTF-8 at byte 16"}, raw,
                                       raw.size(), 32);
  REQUIRE(test::json_parse_error(json).empty());
  const auto d = parse(json);
  CHECK(d["line"].GetUint() == 7);
  CHECK(std::string(d["reason"].GetString()) == "invalid_utf8");
  CHECK(std::string(d["raw"].GetString()).rfind("{\"headline\":\"caf\xEF\xBF\xBD\xEF\xBF\xBD", 0) == 0);
  CHECK(d["raw_bytes"].GetUint() == raw.size());
  CHECK(d["raw_truncated"].GetBool());
}

TEST_CASE("a string is escaped wherever its quote, backslash or control character falls", "[event]") {
  // The writer copies strings that need no escape in one piece and checks them eight bytes at
  // a time, then the last few as one more word (or, under eight bytes, as one word of 4 + 4 or
  // 1 + 1 + 1 bytes that may overlap): put each such character at every offset of the first
  // words and of the tail, in strings of every length from 1 to 26.
  for (const char c : {'"', '\\', '\n', '\t', '\x01', '\x1f'}) {
    for (std::size_t at = 0; at < 17; ++at) {
      for (std::size_t after = 0; after < 9; ++after) {
        core::story s;
        s.id = "s-1";
        s.headline = std::string(at, 'a') + c + std::string(after, 'b');
        sinks::event_writer w;
        const std::string json(w.write(s, {}, {}));
        REQUIRE(test::json_parse_error(json).empty());
        CHECK(std::string(parse(json)["story"]["headline"].GetString()) == s.headline);
      }
    }
  }
  // Without one the bytes go out as they are, multi-byte UTF-8, DEL and space included, short
  // strings too.
  const std::string plain = "~\x7f\xC3\xA9 /!}";
  for (std::size_t n = 0; n <= plain.size(); ++n) {
    core::story s;
    s.id = "s-3";
    s.headline = plain.substr(0, n);
    sinks::event_writer w;
    const std::string json(w.write(s, {}, {}));
    CHECK(json.find("\"headline\":\"" + s.headline + "\"") != std::string::npos);
  }
  for (std::size_t n = 0; n < 20; ++n) {
    core::story s;
    s.id = "s-2";
    s.headline = std::string(n, 'x') + " \xE2\x80\x94 \x7f/\x20";
    sinks::event_writer w;
    const std::string json(w.write(s, {}, {}));
    CHECK(json.find("\"headline\":\"" + s.headline + "\"") != std::string::npos);
  }
}
