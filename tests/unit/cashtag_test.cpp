#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <yaml-cpp/yaml.h>

#include "wirescan/enrich/cashtag.hpp"

using wirescan::enrich::cashtag;
using wirescan::enrich::extract_cashtags;

namespace {

std::vector<std::string> symbols(const std::string& text) {
  std::vector<cashtag> tags;
  extract_cashtags(text, tags);
  std::vector<std::string> out;
  for (const auto& t : tags) out.emplace_back(t.symbol);
  return out;
}

YAML::Node conformance() {
  return YAML::LoadFile(std::string(WIRESCAN_SHARED_DATA) + "/twitter-text-conformance/extract.yml")["tests"];
}

}  // namespace

TEST_CASE("extracts cashtags exactly as twitter-text's conformance suite expects", "[cashtag]") {
  const auto cases = conformance()["cashtags"];
  REQUIRE(cases.size() == 8);
  for (const auto& c : cases) {
    INFO(c["description"].as<std::string>() << ": " << c["text"].as<std::string>());
    CHECK(symbols(c["text"].as<std::string>()) == c["expected"].as<std::vector<std::string>>());
  }
}

TEST_CASE("reports the indices twitter-text's conformance suite expects", "[cashtag]") {
  const auto cases = conformance()["cashtags_with_indices"];
  REQUIRE(cases.size() == 2);
  for (const auto& c : cases) {
    const auto text = c["text"].as<std::string>();
    INFO(c["description"].as<std::string>() << ": " << text);
    std::vector<cashtag> tags;
    extract_cashtags(text, tags);
    const auto expected = c["expected"];
    REQUIRE(tags.size() == expected.size());
    for (std::size_t i = 0; i < tags.size(); ++i) {
      CHECK(std::string(tags[i].symbol) == expected[i]["cashtag"].as<std::string>());
      CHECK(tags[i].start == expected[i]["indices"][0].as<unsigned>());
      CHECK(tags[i].end == expected[i]["indices"][1].as<unsigned>());
    }
  }
}

TEST_CASE("never takes an amount for a cashtag", "[cashtag]") {
  CHECK(symbols("Company raises $5 billion").empty());
  CHECK(symbols("a $2.5bn deal and $ 100 in fees").empty());
  CHECK(symbols("shares rose to $100.50").empty());
}

TEST_CASE("finds cashtags after any Unicode space and before punctuation", "[cashtag]") {
  CHECK(symbols("$AAPL, $MSFT; $GOOG!") == std::vector<std::string>{"AAPL", "MSFT", "GOOG"});
  CHECK(symbols("buy\xC2\xA0$NVDA now") == std::vector<std::string>{"NVDA"});  // after a no-break space
  CHECK(symbols("line one\n$TSLA") == std::vector<std::string>{"TSLA"});
  CHECK(symbols("$BRK.B rallies") == std::vector<std::string>{"BRK.B"});
  CHECK(symbols("$TSLA's delivery") == std::vector<std::string>{"TSLA"});
}

TEST_CASE("reports byte offsets after multi-byte text", "[cashtag]") {
  const std::string text = "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3 news $SOL";  // flag emoji (8 bytes) first
  std::vector<cashtag> tags;
  extract_cashtags(text, tags);
  REQUIRE(tags.size() == 1);
  CHECK(tags[0].start == 14);
  CHECK(tags[0].end == 18);
  CHECK(text.substr(tags[0].start, tags[0].end - tags[0].start) == "$SOL");
}
