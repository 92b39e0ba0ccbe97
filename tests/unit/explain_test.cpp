// `wirescan explain` and eval's causes of misses: what became of each trigger phrase, the words
// that decided it, and that asking changes nothing the engine finds.
#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <rapidjson/document.h>
#include <unistd.h>

#include "eval_command.hpp"
#include "explain_command.hpp"
#include "shipped_enricher.hpp"
#include "wirescan/sinks/event_json.hpp"

using namespace wirescan;

namespace {

core::story story(std::string headline, std::string body = "") {
  core::story s;
  s.id = "t";
  s.headline = std::move(headline);
  s.body = std::move(body);
  return s;
}

std::vector<std::string> why_lines(const std::string& headline) {
  const auto s = story(headline);
  enrich::explanation why;
  (void)test::shipped_enricher()->enrich(s, &why);
  return app::describe_triggers(s, why);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("explaining a story changes none of its findings", "[enrich][explain]") {
  // Every labelled text, as a headline, and each with the next few as its body (so the lede's
  // phrases are judged too): the event written with and without an explanation is the same.
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(WIRESCAN_SOURCE_DIR) + "/tests/data")) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      rapidjson::Document d;
      d.Parse(line.c_str(), line.size());
      if (!d.HasParseError() && d.IsObject() && d.HasMember("text")) texts.emplace_back(d["text"].GetString());
    }
  }
  REQUIRE(texts.size() > 3000);
  const auto& enr = *test::shipped_enricher();
  sinks::event_writer plain, explained;
  const core::timing t{core::epoch_ms{1}, core::epoch_ms{2}, 0};
  std::size_t shocks = 0, notes = 0, stopped = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string body;
    for (std::size_t j = i + 1; j < std::min(texts.size(), i + 4); ++j) body += texts[j] + " ";
    const auto s = story(texts[i], body);
    enrich::explanation why;
    const auto f = enr.enrich(s, &why);
    INFO(texts[i]);
    REQUIRE(explained.write(s, f, t) == plain.write(s, enr.enrich(s), t));
    // Each shock's phrase is a note that says so, in the shock's category.
    for (const auto& sh : f.policy_shocks) {
      const auto& phrase = sh.spans.front();
      CHECK(std::any_of(why.triggers.begin(), why.triggers.end(), [&](const enrich::trigger_note& n) {
        return n.verdict == enrich::trigger_verdict::shock && n.field == phrase.field && n.to == phrase.end &&
               n.category == sh.category && n.dir == sh.dir;
      }));
    }
    shocks += f.policy_shocks.size();
    notes += why.triggers.size();
    stopped += static_cast<std::size_t>(std::count_if(why.triggers.begin(), why.triggers.end(), [](const auto& n) {
      return n.verdict != enrich::trigger_verdict::shock;
    }));
  }
  INFO(shocks << " shocks, " << notes << " notes, " << stopped << " stopped");
  CHECK(shocks > 1000);
  CHECK(stopped > 500);
}

TEST_CASE("each check that stops a phrase is named, with the words that decided it", "[enrich][explain]") {
  const std::pair<const char*, const char*> cases[] = {
      {"BoC Interest Rate Decision Actual 2.50% vs 2.50% previous",
       R"(hold        monetary_policy headline 4-57 "Interest Rate Decision Actual 2.50% vs 2.50% previous")"},
      {"Sanctions-hit Russia sells more oil to India",
       R"(background  sanctions/tightening headline 0-9 "Sanctions", cue "Sanctions-hit")"},
      {"Markets price in a Fed rate hike",
       R"(expectation monetary_policy/tightening headline 23-32 "rate hike", cue "price in")"},
      {"Investor says the Fed should raise rates",
       R"(opinion     monetary_policy/tightening headline 29-40 "raise rates", cue "should")"},
      {"China rules out tariffs on US goods", R"(negated     tariff/tightening headline 16-23 "tariffs", cue "rules out")"},
      {"Company faces probe", R"(no_actor    regulatory_action/tightening headline 14-19 "probe")"},
      {"Ford halts F-150 exports to China",
       R"(actor_after export_control/tightening headline 5-24 "halts F-150 exports", actor "China")"},
      {"Japan restricts Nvidia chips",
       R"(other_actor import_restriction/tightening headline 6-28 "restricts Nvidia chips", actor "Japan")"},
      {"A rate hike looks likely", R"(no_decider  monetary_policy/tightening headline 2-11 "rate hike")"},
      {"UK inflation accelerates, keeping the BoE on track for a rate hike",
       R"(commentary  monetary_policy/tightening headline 57-66 "rate hike", cue "inflation")"},
      {"China bans Nvidia chips after an antitrust probe",
       R"(gave_way    regulatory_action/tightening headline 43-48 "probe", to "bans Nvidia chips")"},
      // A reversal turns the direction, and the phrase starts at it.
      {"US lifts tariffs on Chinese solar panels",
       R"(shock       tariff/easing headline 3-16 "lifts tariffs", actor "US")"},
  };
  for (const auto& [headline, line] : cases) {
    const auto lines = why_lines(headline);
    INFO(headline << "\n" << joined(lines));
    CHECK(std::find(lines.begin(), lines.end(), std::string(line)) != lines.end());
  }
  CHECK(why_lines("Apple shares rise").empty());
  // Two patterns on the same words, stopped by the same cue: one line.
  CHECK(why_lines("An emerging consensus that the Federal Reserve will finish raising interest rates") ==
        std::vector<std::string>{
            R"(expectation monetary_policy/tightening headline 59-81 "raising interest rates", cue "emerging consensus")"});
}

TEST_CASE("the findings line gives each shock's stage, actors and targets, the mentions and the likelihood", "[enrich][explain]") {
  const auto f = test::shipped_enricher()->enrich(
      story("Beijing moves to restrict Nvidia H200 purchases even after the US green-lit exports. $SOL $BTC"));
  CHECK(app::describe_findings(f) ==
        "shocks: import_restriction/tightening/planned CN -> NVDA,H200; export_control/easing/enacted US -> NVDA,H200 | "
        "mentions: SOL, BTC, NVDA | policy likelihood 0.087");
  CHECK(app::describe_findings(test::shipped_enricher()->enrich(story("Apple shares rise"))) ==
        "shocks: none | mentions: AAPL | policy likelihood 0.011");
}

TEST_CASE("eval counts each missed category by what became of its phrase", "[enrich][explain]") {
  const auto dir = std::filesystem::temp_directory_path() / ("wirescan-explain-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "set.jsonl").string();
  std::ofstream(path)
      << R"({"id":"a","text":"Investor says the Fed should raise rates","shocks":[{"category":"monetary_policy","direction":"tightening"}],"symbols":[]})"
      << "\n"
      << R"({"id":"b","text":"China rules out tariffs on US goods","shocks":[{"category":"tariff","direction":"tightening"}],"symbols":[]})"
      << "\n"
      << R"({"id":"c","text":"Apple shares rise","shocks":[{"category":"sanctions","direction":"tightening"}],"symbols":["AAPL"]})"
      << "\n"
      << R"({"id":"d","text":"US lifts tariffs on Chinese solar panels","shocks":[{"category":"tariff","direction":"easing"}],"symbols":[]})"
      << "\n";
  const auto r = app::evaluate(*test::shipped_enricher(), path);
  std::filesystem::remove_all(dir);
  CHECK(r.miss_causes == std::map<std::string, std::size_t>{{"negated", 1}, {"no_phrase", 1}, {"opinion", 1}});
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].find(R"(why: opinion     monetary_policy/tightening headline 29-40 "raise rates", cue "should")") !=
        std::string::npos);
  CHECK(r.errors[2].find("why:") == std::string::npos);  // no phrase at all
}
