// Rule loading from text (load_rules_from): malformed rule files are problems, never crashes.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "wirescan/enrich/enricher.hpp"
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

// The words of every match scan finds in text, sorted; the built-in legal suffixes (" Inc.")
// left out.
std::vector<std::string> matched_words(const wirescan::enrich::rule_set& rs, const std::string& text,
                                       std::size_t until = std::string::npos) {
  std::vector<wirescan::enrich::rule_set::match> ms;
  rs.scan(text, ms, until);
  std::vector<std::string> out;
  for (const auto& m : ms) {
    if (rs.patterns[m.id].kind != wirescan::enrich::pattern_kind::legal_suffix) out.push_back(text.substr(m.from, m.to - m.from));
  }
  std::sort(out.begin(), out.end());
  return out;
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

TEST_CASE("an exposure loads when every part of it is known, and each unknown part is a problem naming it", "[rules]") {
  const std::string symbols = "NVDA\tequity\tNVIDIA Corp\tnasdaq\nBABA\tequity\tAlibaba Group\tnyse-other\n";
  const std::string head = std::string(policy) + "exposures:\n";
  const auto good = load_rules_from(rule_sources{
      head + "  - {name: buyers, categories: [tariff], actor: US, targets: [NVDA], exposed: [BABA]}\n", "", symbols, "mem"});
  REQUIRE(good.has_value());
  REQUIRE(good.value()->exposures.size() == 1);
  CHECK(good.value()->exposures[0].exposed == std::vector<std::string>{"BABA"});
  const auto bad = load_rules_from(rule_sources{
      head + "  - {name: a, categories: [tarrif], actor: US, targets: [NVDA], exposed: [BABA]}\n"
             "  - {name: c, categories: [tariff], targets: [NVDA], exposed: [BABA]}\n"
             "  - {name: b, categories: [tariff], actor: US, targets: [NVDA], exposed: [BABAA]}\n"
             "  - {name: d, categories: [tariff], actor: US, targets: [], exposed: [BABA], why: x}\n"
             "  - {name: {x: 1}, categories: [tariff], actor: US, targets: [NVDA], exposed: [BABA]}\n",
      "", symbols, "mem"});
  REQUIRE_FALSE(bad.has_value());
  INFO(bad.error().front());
  CHECK(mentions(bad.error(), "exposures[0].categories: 'tarrif' is not a taxonomy category"));
  CHECK(mentions(bad.error(), "exposures[1]: name, actor, categories, targets and exposed are required"));
  // Named by its place in the file, after one that was skipped.
  CHECK(mentions(bad.error(), "exposures[2].exposed: 'BABAA' is not in the symbol table"));
  CHECK(mentions(bad.error(), "exposures[4]: name, actor, categories, targets and exposed are required"));
  CHECK(mentions(bad.error(), "exposures[3]: categories, targets and exposed must each name at least one"));
  CHECK(mentions(bad.error(), "exposures[3]: unknown key 'why'"));
  // An actor no actor entry has could never be among a shock's: a typo.
  const auto typo = load_rules_from(rule_sources{
      head + "  - {name: buyers, categories: [tariff], actor: USA, targets: [NVDA], exposed: [BABA]}\n", "", symbols, "mem"});
  REQUIRE_FALSE(typo.has_value());
  CHECK(mentions(typo.error(), "exposures[0].actor: 'USA' is no actor's code or authority"));
}

TEST_CASE("a trigger's actors must be actors the rules know, and make it need one", "[rules]") {
  const std::string head = "actors:\n  - {code: US, phrases: [United States]}\n"
                           "  - {code: US, authority: BIS, phrases: [Commerce Department]}\ntriggers:\n  export_control:\n";
  const auto good = load_rules_from(rule_sources{
      head + "    - {direction: tightening, phrases: [restricts chips], actors: [US, BIS], fallback: true}\n", "", "", "mem"});
  REQUIRE(good.has_value());
  REQUIRE(good.value()->triggers.size() == 1);
  const auto& rule = good.value()->triggers[0];
  CHECK(rule.actors == std::vector<std::string>{"US", "BIS"});
  CHECK(rule.needs_actor);
  CHECK(rule.fallback);
  const auto bad = load_rules_from(rule_sources{head +
                                                    "    - {direction: tightening, phrases: [restricts chips], actors: [CN]}\n"
                                                    "    - {direction: tightening, phrases: [curbs chips], actors: []}\n"
                                                    "    - {direction: tightening, phrases: [bans chips], actors: [\"\"]}\n",
                                                "", "", "mem"});
  REQUIRE_FALSE(bad.has_value());
  CHECK(mentions(bad.error(), "export_control[0].actors: 'CN' is no actor's code or authority"));
  CHECK(mentions(bad.error(), "export_control[1].actors: name at least one, or leave it out"));
  // An empty code is no actor's, though every country's entry has an empty authority.
  CHECK(mentions(bad.error(), "export_control[2].actors: '' is no actor's code or authority"));
}

TEST_CASE("a fallback reading gives way to a firm one over its words, and outlives the generic regulatory action", "[rules]") {
  const std::string policy_text =
      "actors:\n  - {code: CN, phrases: [Beijing]}\n  - {code: US, phrases: [Washington]}\ntriggers:\n"
      "  export_control:\n    - {direction: tightening, phrases: [\"restricts exports\"]}\n"
      "  import_restriction:\n"
      "    - {direction: tightening, phrases: [\"restricts [a-z ]{0,20}chips\"], actors: [CN], fallback: true}\n"
      "  regulatory_action:\n    - {direction: tightening, phrases: [\"restricts [a-z]{1,20} chips\"]}\n";
  const auto rules = load_rules_from(rule_sources{policy_text, "", "", "mem"});
  REQUIRE(rules.has_value());
  const wirescan::enrich::enricher e(rules.value(), {});
  const auto categories = [&](const std::string& headline) {
    wirescan::core::story s;
    s.id = "t";
    s.headline = headline;
    std::vector<std::string> out;
    for (const auto& sh : e.enrich(s).policy_shocks) out.push_back(sh.category);
    return out;
  };
  // The firm export phrase inside the fallback's words decides, and is not hidden by it.
  CHECK(categories("Beijing restricts exports of chips") == std::vector<std::string>{"export_control"});
  // The generic regulatory action on the same words gives way to the fallback, not both to each other.
  CHECK(categories("Beijing restricts foreign chips") == std::vector<std::string>{"import_restriction"});
  // Not the actor the reading needs: only the generic action is left.
  CHECK(categories("Washington restricts foreign chips") == std::vector<std::string>{"regulatory_action"});
}

TEST_CASE("actor_before wants the actor as the phrase's subject", "[rules]") {
  const auto rules = load_rules_from(rule_sources{
      "actors:\n  - {code: ID, phrases: [Indonesia]}\n  - {code: CN, phrases: [China]}\ntriggers:\n  export_control:\n"
      "    - {direction: tightening, phrases: [\"halts [a-z ]{1,20}exports\"], actor_before: true}\n",
      "", "", "mem"});
  REQUIRE(rules.has_value());
  CHECK(rules.value()->triggers.at(0).needs_actor);
  const wirescan::enrich::enricher e(rules.value(), {});
  const auto shocks = [&](const std::string& headline) {
    wirescan::core::story s;
    s.id = "t";
    s.headline = headline;
    return e.enrich(s).policy_shocks.size();
  };
  CHECK(shocks("Indonesia halts palm oil exports") == 1);
  CHECK(shocks("Exporter halts palm oil exports to China") == 0);  // China stands after: not the subject
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
  const auto found = [&](std::size_t until) { return matched_words(rs, text, until); };
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

TEST_CASE("a sentence-bound gap crosses the full stops that end no sentence, and only those", "[rules]") {
  // "U.S.", "3.5" and "Inc." end no sentence (full_stop_ends), so a rule's `[^.]` gap crosses
  // them; a sentence's own full stop still bounds it. A pattern's own full stops still match.
  const auto r = load_rules_from(rule_sources{
      "actors:\n  - {code: US, phrases: [\"U\\\\.S\\\\.\"]}\ntriggers:\n  tariff:\n"
      "    - {direction: easing, phrases: [\"cuts ([^.]{0,20} )?tariffs\"]}\n  fiscal_policy:\n"
      "    - {direction: tightening, phrases: [\"[0-9][0-9.]{0,5} ?bn tax\"]}\n",
      "aliases:\n  - {symbol: AMZN, names: [Amazon.com], name: Amazon}\n", "", "mem"});
  REQUIRE(r.has_value());
  const auto& rs = *r.value();
  const auto found = [&](const std::string& text) { return matched_words(rs, text); };
  using v = std::vector<std::string>;
  CHECK(found("China cuts U.S. tariffs") == v{"U.S.", "cuts U.S. tariffs"});
  CHECK(found("Beijing cuts Acme Inc. tariffs") == v{"cuts Acme Inc. tariffs"});
  CHECK(found("It cuts 2.5% tariffs and a 1.3 bn tax") == v{"1.3 bn tax", "cuts 2.5% tariffs"});
  CHECK(found("Amazon.com rises") == v{"Amazon.com"});
  CHECK(found("Beijing cuts rates. Its tariffs stay") == v{});
  CHECK(found("It cuts Plan B. Tariffs stay") == v{"cuts Plan B. Tariffs"});  // a single capital never ends one

  using wirescan::enrich::full_stop_ends;
  const std::string t = "U.S. lifts 3.5 bn Inc. ban. Next. J.P. Morgan";
  for (const auto& [at, ends] : std::vector<std::pair<std::string, bool>>{
           {"U.S.", false}, {".S. ", false}, {"3.5", false}, {"Inc.", false}, {"ban.", true}, {"Next.", true},
           {"J.P.", false}, {"P. M", false}}) {
    INFO(at);
    const auto i = t.find(at) + at.find('.');
    CHECK(full_stop_ends(t, i) == ends);
  }
}

TEST_CASE("an actor adjective's institution form is found as its own pattern would find it", "[rules]") {
  // The forms ("Chinese regulators") are paired after the scan from the adjective and the
  // institution words rather than compiled; what comes out must be what the form's pattern
  // "Chinese (government|...|courts?)" matched: the leftmost start, whole words, one space.
  const auto r = load_rules_from(rule_sources{
      "actors:\n  - {code: CN, phrases: [China], adjectives: [Chinese]}\n"
      "  - {code: KR, phrases: [Seoul], adjectives: [\"South Korean\"]}\n"
      "  - {code: NL, phrases: [Netherlands], adjectives: [\"=Dutch\"]}\n"
      "triggers:\n  tariff:\n    - {direction: tightening, phrases: [raises tariffs]}\n",
      "", "", "mem"});
  REQUIRE(r.has_value());
  const auto& rs = *r.value();
  using wirescan::enrich::pattern_kind;
  // Every actor match as "text=CODE" ("+adj" for the bare adjective), in the order found.
  const auto actors = [&](const std::string& text, std::size_t until = std::string::npos) {
    std::vector<wirescan::enrich::rule_set::match> ms;
    rs.scan(text, ms, until);
    std::vector<std::string> out;
    for (const auto& m : ms) {
      const auto& p = rs.patterns[m.id];
      CHECK(p.kind != pattern_kind::institution);  // never reported by themselves
      if (p.kind != pattern_kind::actor) continue;
      const auto& a = rs.actors[p.index];
      out.push_back(text.substr(m.from, m.to - m.from) + "=" + a.code + (a.adjective ? "+adj" : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  using v = std::vector<std::string>;
  CHECK(actors("Chinese regulators fine a lender") == v{"Chinese regulators=CN", "Chinese=CN+adj"});
  CHECK(actors("CHINESE GOVERNMENT bans imports") == v{"CHINESE GOVERNMENT=CN", "CHINESE=CN+adj"});
  CHECK(actors("South Korean central bank holds") == v{"South Korean central bank=KR", "South Korean=KR+adj"});
  // Two institution words end together: the longer one, from the adjective.
  CHECK(actors("the Chinese prime minister says") == v{"Chinese prime minister=CN", "Chinese=CN+adj"});
  CHECK(actors("Chinese ministers meet") == v{"Chinese ministers=CN", "Chinese=CN+adj"});
  // Not the form: two spaces, a longer word, a word between, an institution word alone.
  CHECK(actors("Chinese  government") == v{"Chinese=CN+adj"});
  CHECK(actors("Chinese governments") == v{"Chinese=CN+adj"});
  CHECK(actors("Chinese chip regulators") == v{"Chinese=CN+adj"});
  CHECK(actors("Chinesey government").empty());
  CHECK(actors("the government and the central bank").empty());
  // The lede's limit applies to where the form starts, so an institution word past it still
  // counts after an adjective before it.
  const std::string text = "A long opening. Chinese regulators act.";
  CHECK(actors(text, text.find("Chinese") + 3) == v{"Chinese regulators=CN", "Chinese=CN+adj"});
  CHECK(actors(text, text.find("Chinese")).empty());
  // A form written case-sensitive ("=Dutch") stays a pattern of its own, and still matches.
  CHECK(actors("Dutch central bank fines") == v{"Dutch central bank=NL", "Dutch=NL+adj"});
  CHECK(actors("DUTCH central bank fines").empty());
  CHECK(rs.context_reach >= std::string("South Korean securities regulator").size());
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
