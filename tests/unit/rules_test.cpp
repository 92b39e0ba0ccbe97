// Rule loading from text (load_rules_from): malformed rule files are problems, never crashes.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "wirescan/enrich/rules.hpp"

using wirescan::enrich::load_rules_from;
using wirescan::enrich::rule_sources;

namespace {

const char* policy = "actors:\n  - {code: US, phrases: [United States]}\ntriggers:\n  tariff:\n"
                     "    - {direction: tightening, phrases: [raises tariffs]}\n";

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a small rule set loads from text", "[rules]") {
  const auto r = load_rules_from(rule_sources{policy, "", "NVDA\tequity\tNVIDIA Corp\tnasdaq\n", "mem"});
  REQUIRE(r.has_value());
  CHECK(r.value()->phrase_count >= 2);
}

TEST_CASE("an empty alias name or trigger phrase is a problem, not a crash (found by the rules fuzzer)", "[rules]") {
  // The fuzzer's finding: an empty name reached phrase.back() on an empty string.
  const auto alias = load_rules_from(rule_sources{policy, "aliases:\n  - {symbol: NVDA, names: [\"\"], name: Nvidia}\n",
                                                  "NVDA\tequity\tNVIDIA Corp\tnasdaq\n", "mem"});
  REQUIRE_FALSE(alias.has_value());
  CHECK(mentions(alias.error(), "empty phrase"));
  const auto trigger = load_rules_from(rule_sources{
      "triggers:\n  tariff:\n    - {direction: tightening, phrases: [\"\"]}\n", "", "", "mem"});
  REQUIRE_FALSE(trigger.has_value());
  CHECK(mentions(trigger.error(), "empty phrase"));
}

TEST_CASE("a policy pattern that can match without bound is refused, naming it", "[rules]") {
  // Unbounded repeats make every scan slower (docs/performance.md): bounded ones load.
  const std::string head = "actors:\n  - {code: US, phrases: [United States]}\ntriggers:\n  tariff:\n";
  const auto bounded = load_rules_from(
      rule_sources{head + "    - {direction: tightening, phrases: [\"tariffs on [a-z]{1,20} goods\"]}\n", "", "", "mem"});
  CHECK(bounded.has_value());
  const auto unbounded = load_rules_from(
      rule_sources{head + "    - {direction: tightening, phrases: [\"tariffs on [a-z]+ goods\"]}\n"
                          "negations: [\"rules? out [a-z]*\"]\n",
                   "", "", "mem"});
  REQUIRE_FALSE(unbounded.has_value());
  CHECK(mentions(unbounded.error(), "'tariffs on [a-z]+ goods': can match without bound"));
  CHECK(mentions(unbounded.error(), "negations: 'rules? out [a-z]*': can match without bound"));
}

TEST_CASE("a non-ASCII character inside a bracket class is refused: it would match one of its bytes", "[rules]") {
  // "['\u2019]s" is a class of four bytes followed by "s": it never matches "Fed\u2019s".
  const std::string head = "actors:\n  - {code: US, phrases: [United States]}\ntriggers:\n  tariff:\n";
  const auto grouped = load_rules_from(rule_sources{
      head + "    - {direction: tightening, phrases: [\"(raises|the bloc('|\u2019)s) tariffs\", '[^.\\]]{0,9} tariffs']}\n", "",
      "", "mem"});
  CHECK(grouped.has_value());
  const auto in_class = load_rules_from(rule_sources{
      head + "    - {direction: tightening, phrases: [\"the bloc['\u2019]s tariffs\"]}\n", "", "", "mem"});
  REQUIRE_FALSE(in_class.has_value());
  CHECK(mentions(in_class.error(), "'the bloc['\u2019]s tariffs': a non-ASCII character inside [...]"));
  const auto negated = load_rules_from(rule_sources{
      head + "    - {direction: tightening, phrases: [\"[^\u201c]{1,9} tariffs\"]}\n", "", "", "mem"});
  CHECK_FALSE(negated.has_value());
}

TEST_CASE("the policy vocabulary is searched up to a point, names through the whole text", "[rules]") {
  const auto r = load_rules_from(rule_sources{
      "actors:\n  - {code: US, phrases: [United States]}\ntriggers:\n  tariff:\n"
      "    - {direction: tightening, phrases: [raises tariffs]}\n  monetary_policy:\n"
      "    - {direction: easing, phrases: [\"(cuts?|slashes) ([^.]{0,20} )?rates\"]}\n",
      "aliases:\n  - {symbol: NVDA, names: [Nvidia], name: Nvidia}\n", "NVDA\tequity\tNVIDIA Corp\tnasdaq\n", "mem"});
  REQUIRE(r.has_value());
  const auto& rs = *r.value();
  using wirescan::enrich::pattern_kind;
  const std::string text = "United States raises tariffs. The bank cuts its lending rates. Later United States raises "
                           "tariffs on Nvidia.";
  const auto found = [&](std::size_t until) {
    std::vector<wirescan::enrich::rule_set::match> ms;
    rs.scan(text, ms, until);
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(text.substr(m.from, m.to - m.from));
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto all = found(std::string::npos);
  CHECK(all == std::vector<std::string>{"Nvidia", "United States", "United States", "cuts its lending rates",
                                        "raises tariffs", "raises tariffs"});
  // Up to the middle of "cuts its lending rates": the phrase that starts before the point is
  // found whole; the second sentence's actor and trigger, after it, are not; the name is.
  const auto until = text.find("lending");
  CHECK(found(until) == std::vector<std::string>{"Nvidia", "United States", "cuts its lending rates", "raises tariffs"});
  CHECK(found(text.size()) == all);
  CHECK(found(0) == std::vector<std::string>{"Nvidia"});
  CHECK(rs.context_reach >= std::string("slashes ").size() + 21 + std::string("rates").size());
}

TEST_CASE("the symbol table finds every symbol it holds and nothing else", "[rules][symbols]") {
  using wirescan::core::asset_class;
  using wirescan::enrich::symbol_table;
  // Enough symbols that probe runs form and wrap around the end of the slots.
  std::vector<symbol_table::entry> entries;
  for (int i = 0; i < 5000; ++i) {
    symbol_table::entry e;
    e.symbol = "S" + std::to_string(i);
    e.infos.push_back({"equity " + std::to_string(i), asset_class::equity});
    if (i % 3 == 0) e.infos.push_back({"coin " + std::to_string(i), asset_class::crypto});
    entries.push_back(std::move(e));
  }
  entries.push_back({"ACME", {}, 7, true});  // an alias's symbol the lists do not have
  const symbol_table t(std::move(entries));
  CHECK(t.listed() == 5000);
  for (int i = 0; i < 5000; ++i) {
    const auto sym = "S" + std::to_string(i);
    const auto* e = t.find(sym);
    REQUIRE(e != nullptr);
    CHECK(e->symbol == sym);
    CHECK(t.lookup(sym, asset_class::crypto)->name == (i % 3 == 0 ? "coin " : "equity ") + std::to_string(i));
    CHECK(t.lookup(sym, asset_class::equity)->name == "equity " + std::to_string(i));
  }
  CHECK(t.find("S5000") == nullptr);
  CHECK(t.find("s1") == nullptr);  // case matters
  CHECK(t.find("") == nullptr);
  const auto* acme = t.find("ACME");
  REQUIRE(acme != nullptr);
  CHECK(acme->alias == 7);
  CHECK(acme->sp500);
  CHECK(t.lookup("ACME", asset_class::equity) == nullptr);  // known, but not listed
  CHECK(symbol_table{}.find("S1") == nullptr);
}

TEST_CASE("loading rules puts listings, aliases and S&P 500 membership under one symbol", "[rules][symbols]") {
  const auto r = load_rules_from(rule_sources{
      policy, "aliases:\n  - {symbol: SOL, names: [Solana], name: Solana, asset_class: crypto, prefer: crypto}\n",
      "NVDA\tequity\tNVIDIA Corp\tsp500\nSOL\tequity\tEmeren Group\tnyse-other\nSOL\tcrypto\tSolana\tcrypto-assets\n"
      "ZZZ\tequity\tZed Widgets\tnasdaq\n",
      "mem"});
  REQUIRE(r.has_value());
  const auto& rs = *r.value();
  CHECK(rs.symbols.listed() == 3);
  const auto* nvda = rs.symbols.find("NVDA");
  REQUIRE(nvda != nullptr);
  CHECK(nvda->sp500);
  REQUIRE(nvda->infos.size() == 1);
  CHECK(nvda->infos.front().name == "NVIDIA Corp");
  const auto* sol = rs.symbols.find("SOL");
  REQUIRE(sol != nullptr);
  CHECK_FALSE(sol->sp500);
  REQUIRE(sol->alias != wirescan::enrich::symbol_table::no_alias);
  CHECK(rs.aliases[sol->alias].prefer_crypto);
  CHECK(rs.lookup("SOL", wirescan::core::asset_class::crypto)->name == "Solana");
  CHECK(rs.lookup("SOL", wirescan::core::asset_class::equity)->name == "Emeren Group");
  CHECK(rs.symbols.find("ZZZ")->alias == wirescan::enrich::symbol_table::no_alias);
  CHECK(rs.symbols.find("NVDAX") == nullptr);
}
