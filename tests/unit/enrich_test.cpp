// The enrichment engine with the real rules (rules/): mentions, shocks, score, reload.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "eval_command.hpp"
#include "wirescan/enrich/enricher.hpp"

using namespace wirescan;

namespace {

const enrich::enricher& engine() {
  static const enrich::enricher e = [] {
    auto rules = enrich::load_rules(std::string(WIRESCAN_SOURCE_DIR) + "/rules");
    REQUIRE(rules.has_value());
    return enrich::enricher(rules.value());
  }();
  return e;
}

core::findings run(const std::string& headline, const std::string& body = "") {
  core::story s;
  s.id = "t";
  s.headline = headline;
  s.body = body;
  return engine().enrich(s);
}

// The one policy shock text must give.
core::policy_shock only_shock(const std::string& text) {
  INFO(text);
  auto f = run(text);
  REQUIRE(f.policy_shocks.size() == 1);
  return std::move(f.policy_shocks[0]);
}

// Text gives one shock, of this category and direction.
void one(const std::string& text, const char* category, core::direction dir) {
  INFO(text);
  const auto shock = only_shock(text);
  CHECK(shock.category == category);
  CHECK(shock.dir == dir);
}

std::string describe(const core::findings& f) {
  std::string out;
  for (const auto& m : f.mentions) {
    out += (out.empty() ? "" : ",") + m.symbol + ":" + std::string(core::to_string(m.asset));
  }
  return out;
}

}  // namespace

TEST_CASE("every tricky mention case in tests/data/mentions.tsv comes out as written", "[enrich]") {
  std::ifstream in(std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/mentions.tsv");
  REQUIRE(in);
  std::size_t cases = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string text = line.substr(0, tab);
    const std::string expected = line.substr(tab + 1);
    INFO(text);
    CHECK(describe(run(text)) == expected);
    ++cases;
  }
  CHECK(cases >= 60);
}

TEST_CASE("the H200 story becomes an import restriction by China and an export easing by the US", "[enrich]") {
  const auto f = run("Beijing moves to restrict Nvidia H200 purchases even after US export green light");
  REQUIRE(f.policy_shocks.size() == 2);
  const auto& imp = f.policy_shocks[0];
  CHECK(imp.category == "import_restriction");
  CHECK(imp.dir == core::direction::tightening);
  CHECK(imp.stg == core::stage::planned);
  CHECK(imp.actors == std::vector<std::string>{"CN"});
  CHECK(std::find(imp.targets.begin(), imp.targets.end(), std::string("NVDA")) != imp.targets.end());
  const auto& exp = f.policy_shocks[1];
  CHECK(exp.category == "export_control");
  CHECK(exp.dir == core::direction::easing);
  CHECK(exp.actors == std::vector<std::string>{"US"});
  CHECK(std::find(exp.targets.begin(), exp.targets.end(), std::string("NVDA")) != exp.targets.end());
  CHECK(f.market.score > 0.8);
  CHECK(f.market.reasons.size() == 2);
}

TEST_CASE("the sample story's body adds its named companies and trailing crypto tags", "[enrich]") {
  std::ifstream in(std::string(WIRESCAN_SHARED_DATA) + "/sample-story/h200-restriction-story.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto f = run("Beijing moves to restrict Nvidia H200 purchases even after US green-lit exports", ss.str());
  CHECK(describe(f) == "SOL:crypto,BTC:crypto,NVDA:equity,BIDU:equity,BABA:equity,0700.HK:equity");
  CHECK(f.policy_shocks.size() == 2);
}

TEST_CASE("a shock reaches the companies its exposure rules name that the story does not", "[enrich]") {
  const auto exposed = [](const core::findings& f) {
    std::string out;
    for (const auto& x : f.exposures) {
      out += (out.empty() ? "" : ",") + x.symbol + ":" + f.policy_shocks.at(x.shock).category;
    }
    return out;
  };
  // The headline alone: China's curb on buying Nvidia's chips reaches its buyers, unnamed.
  const auto f = run("Beijing moves to restrict Nvidia H200 purchases even after US green-lit exports");
  CHECK(describe(f) == "NVDA:equity");
  CHECK(exposed(f) == "BABA:import_restriction,BIDU:import_restriction,0700.HK:import_restriction");
  REQUIRE(f.exposures.size() == 3);
  CHECK(f.exposures[2].name == "Tencent Holdings");
  CHECK(f.exposures[2].asset == core::asset_class::equity);
  CHECK(f.exposures[0].why == "China's largest buyers of US AI accelerators");
  // A company the story names is a mention, not an exposure.
  CHECK(exposed(run("Alibaba falls as China restricts Nvidia H20 purchases")) ==
        "BIDU:import_restriction,0700.HK:import_restriction");
  // Named in the body: the sample story's buyers are all mentions.
  std::ifstream in(std::string(WIRESCAN_SHARED_DATA) + "/sample-story/h200-restriction-story.txt");
  std::stringstream body;
  body << in.rdbuf();
  CHECK(run("Beijing moves to restrict Nvidia H200 purchases even after US green-lit exports", body.str())
            .exposures.empty());
  // Another actor, category or product reaches no one.
  CHECK(exposed(run("US green-lights Nvidia H200 exports")).empty());
  CHECK(exposed(run("India moves to restrict Nvidia H200 purchases")).empty());
  CHECK(exposed(run("China opens antitrust probe into Nvidia")).empty());
  CHECK(exposed(run("China moves to restrict Micron purchases")).empty());
  // The FAA's action on the 737 MAX reaches the airlines that fly it.
  CHECK(exposed(run("FAA grounds Boeing 737 MAX 9 jets")) ==
        "LUV:regulatory_action,UAL:regulatory_action,AAL:regulatory_action,ALK:regulatory_action");
  // No shock, no exposure.
  CHECK(exposed(run("Boeing 737 MAX deliveries resume")).empty());
}

TEST_CASE("a government's curbs a few words before what they curb, and purchase guidance to companies, are shocks",
          "[enrich]") {
  // Tuned on chip-policy headlines ("US restricts Nvidia H20 chip exports to China", "China
  // urges companies to avoid Nvidia H20 purchases", "China restricts Nvidia H200 chip imports");
  // pinned here on others.
  one("Washington restricts advanced semiconductor exports to Russia", "export_control", core::direction::tightening);
  one("Beijing bans gallium exports to the United States", "export_control", core::direction::tightening);
  CHECK(only_shock("Beijing bans gallium exports to the United States").actors == std::vector<std::string>{"CN"});
  one("Moscow orders state companies to stop using Microsoft software", "import_restriction",
      core::direction::tightening);
  one("Seoul tells chipmakers to pause orders of Japanese materials", "import_restriction",
      core::direction::tightening);
  one("India bars Chinese CCTV cameras from government offices", "import_restriction", core::direction::tightening);
  one("Indonesia restricts cheap textile imports from China", "import_restriction", core::direction::tightening);
  CHECK(only_shock("Indonesia restricts cheap textile imports from China").actors == std::vector<std::string>{"ID"});
  one("Ottawa curbs access to Chinese electric vehicles", "import_restriction", core::direction::tightening);
  CHECK(run("Costco limits access to its warehouses").policy_shocks.empty());
  // A company halting its own shipments, and advice to investors, are not.
  CHECK(run("Ford halts F-150 exports to China").policy_shocks.empty());
  CHECK(run("Glencore limits cobalt exports to China").policy_shocks.empty());
  CHECK(run("Morgan Stanley urges clients to avoid buying Chinese stocks").policy_shocks.empty());
  CHECK(run("Goldman tells clients to avoid buying US Treasuries").policy_shocks.empty());
}

TEST_CASE("who restricts a maker's chips says whether it is an export control or an import curb", "[enrich]") {
  // Tuned on "China moves to restrict Nvidia H200 chips" and its US twin; pinned here on others.
  one("Beijing moves to limit AMD MI308 processors", "import_restriction", core::direction::tightening);
  CHECK(only_shock("Beijing moves to limit AMD MI308 processors").targets == std::vector<std::string>{"AMD"});
  one("Washington moves to restrict AMD MI308 processors", "export_control", core::direction::tightening);
  one("Japan curbs advanced memory chips", "export_control", core::direction::tightening);
  // Chips foreign to the government that curbs them are imports, whoever it is.
  one("Washington curbs Chinese legacy chips", "import_restriction", core::direction::tightening);
  // Neither a maker's government nor a buyer the rules name: no reading.
  CHECK(run("India restricts Nvidia chips").policy_shocks.empty());
  CHECK(run("Nvidia curbs sales of gaming chips").policy_shocks.empty());
  // The reading of last resort gives way to the phrase inside it ...
  one("Beijing restricts exports of chips", "export_control", core::direction::tightening);
  // ... and stands beside another category elsewhere in the sentence.
  const auto both = run("Beijing bans Micron chips after an antitrust probe");
  REQUIRE(both.policy_shocks.size() == 2);
  CHECK(both.policy_shocks[0].category == "import_restriction");
  CHECK(both.policy_shocks[1].category == "antitrust");
}

TEST_CASE("sales and shipments curbed or allowed, licences required, buyers barred, companies summoned", "[enrich]") {
  one("Washington tightens curbs on AI processor sales to the Middle East", "export_control",
      core::direction::tightening);
  // The verb governs the curbs: relaxed limits ease.
  one("Berlin relaxes limits on arms deliveries to Israel", "export_control", core::direction::easing);
  // An actor before the trigger acts, not the one inside it.
  CHECK(only_shock("Singapore tightens controls on US semiconductor shipments").actors == std::vector<std::string>{"SG"});
  one("Commerce Department to require licences for Applied Materials tool exports to China", "export_control",
      core::direction::tightening);
  one("White House allows AMD to resume MI308 sales to China", "export_control", core::direction::easing);
  // Licences to sell abroad revoked or granted are export controls, not the generic regulatory action.
  one("Commerce Department revokes licences for Intel chip sales to Huawei", "export_control", core::direction::tightening);
  one("Washington grants AMD licences to ship MI308 chips to China", "export_control", core::direction::easing);
  one("Moscow bars state-owned companies from buying Western software", "import_restriction",
      core::direction::tightening);
  one("Beijing discourages automakers from installing Micron memory", "import_restriction", core::direction::tightening);
  one("Moscow discourages Samsung smartphone purchases", "import_restriction", core::direction::tightening);
  one("Britain's regulator summons Thames Water bosses", "regulatory_action", core::direction::tightening);
  // A company's own rule, a company's deliveries, and a diplomat summoned are not.
  CHECK(run("Samsung bars employees from using ChatGPT").policy_shocks.empty());
  CHECK(run("Boeing resumes jet deliveries to China").policy_shocks.empty());
  const auto envoy = run("Pakistan summons US envoy over drone strike");
  CHECK(std::none_of(envoy.policy_shocks.begin(), envoy.policy_shocks.end(),
                     [](const core::policy_shock& sh) { return sh.category == "regulatory_action"; }));
}

TEST_CASE("a sweep of the other categories: Treasury, frozen assets, tariffs dropped, rates named by the bank, "
          "negative rates and QT ended, outflow curbs, WTO complaints, divestment orders, oil price caps",
          "[enrich]") {
  // Tuned on other headlines of the same forms (docs/quality.md, thirty-ninth session).
  const auto treasury = only_shock("Treasury sanctions Venezuelan gold traders");
  CHECK(treasury.category == "sanctions");
  CHECK(treasury.actors == std::vector<std::string>{"US", "OFAC"});
  // Britain's Treasury is Britain's.
  CHECK(only_shock("HM Treasury sanctions Russian banks").actors == std::vector<std::string>{"GB"});
  CHECK(run("Treasury yields jump after strong jobs data").policy_shocks.empty());
  one("Japan freezes assets of Russian central bank", "sanctions", core::direction::tightening);
  one("Mexico drops tariffs on Chinese steel", "tariff", core::direction::easing);
  one("Bank of England cuts Bank Rate to 4%", "monetary_policy", core::direction::easing);
  one("Swiss National Bank ends negative rates", "monetary_policy", core::direction::tightening);
  one("ECB to end quantitative tightening early", "monetary_policy", core::direction::easing);
  one("India tightens currency outflow restrictions", "capital_controls", core::direction::tightening);
  one("Australia files WTO complaint against China over barley", "trade_negotiation", core::direction::tightening);
  one("Beijing orders Alibaba to divest its media assets", "investment_restriction", core::direction::tightening);
  // A government halting or cutting what leaves it, as the subject; a company's halt is not one,
  // nor is a cut named as a noun.
  one("Argentina halts beef exports to China", "export_control", core::direction::tightening);
  CHECK(only_shock("Argentina halts beef exports to China").actors == std::vector<std::string>{"AR"});
  CHECK(only_shock("Moscow cuts oil supplies to Hungary").actors == std::vector<std::string>{"RU"});
  CHECK(run("Toyota halts Camry exports to China").policy_shocks.empty());
  CHECK(run("Farmers face cuts to irrigation water supplies in California").policy_shocks.empty());
  // Enforcement in a sentence about crypto is crypto regulation; elsewhere the generic action.
  one("CFTC charges crypto lender with fraud", "crypto_regulation", core::direction::tightening);
  one("FCA fines crypto exchange Kraken over compliance failings", "crypto_regulation", core::direction::tightening);
  one("FCA fines Barclays over compliance failings", "regulatory_action", core::direction::tightening);
  // A cap on a sanctioned state's oil is a sanction; on a market's own energy, a price control.
  one("G7 agrees price cap on Iranian crude", "sanctions", core::direction::tightening);
  one("Spain extends its electricity price cap", "nationalization_price_control", core::direction::tightening);
}

TEST_CASE("a reversal right before a trigger undoes the measure it names", "[enrich]") {
  // Before, each of these read as the measure itself: "ban on Micron chips" tightened.
  const auto micron = only_shock("China lifts ban on Micron chips");
  CHECK(micron.category == "import_restriction");
  CHECK(micron.dir == core::direction::easing);
  CHECK(micron.actors == std::vector<std::string>{"CN"});
  const auto wheat = only_shock("India lifts ban on wheat exports");
  CHECK(wheat.category == "export_control");
  CHECK(wheat.dir == core::direction::easing);
  // The reversal is evidence of the direction, after the trigger and the actor.
  REQUIRE(wheat.spans.size() == 3);
  CHECK(wheat.spans[0].start == 12);
  CHECK(wheat.spans[2].start == 6);
  CHECK(wheat.spans[2].end == 11);
  one("Indonesia lifts palm oil export ban", "export_control", core::direction::easing);
  // A compound's last word joined to the trigger, and a bare ban ended: a market reopened.
  one("Kenya lawmakers vote to scrap loan-price cap", "nationalization_price_control", core::direction::easing);
  one("Micron jumps as China lifts ban", "import_restriction", core::direction::easing);
  // ... unless its words say what the ban was on.
  one("India lifts the ban on wheat exports", "export_control", core::direction::easing);
  one("French regulator ends probe into supermarket Casino", "regulatory_action", core::direction::easing);
  // Undoing an easing tightens.
  one("UK's Johnson drops corporate tax cut plan", "fiscal_policy", core::direction::tightening);
  one("Fed ends QE", "monetary_policy", core::direction::tightening);
  // The phrase that takes the verb for its own ("ends tariff") stops short of the object.
  one("US ends tariff exemptions for Chinese goods", "tariff", core::direction::tightening);
  // The phrase starts at the reversal: its stage cue, and its actor before it, not inside it.
  CHECK(only_shock("Beijing moves to lift ban on Micron chips").stg == core::stage::planned);
  CHECK(only_shock("Washington lifts Iran export curbs").actors == std::vector<std::string>{"US"});
  // Not a reversal: words that start a clause between, or a compound's last part.
  one("Wall Street ends lower as US tariffs bite", "tariff", core::direction::tightening);
  one("China bans high-end chip exports", "export_control", core::direction::tightening);
}

TEST_CASE("waivers to ship chips or tools, and licences to buy from a market, are export controls", "[enrich]") {
  const auto waived = only_shock("TSMC gets US waiver to ship chipmaking tools to its Nanjing fab");
  CHECK(waived.category == "export_control");
  CHECK(waived.dir == core::direction::easing);
  CHECK(waived.actors == std::vector<std::string>{"US"});
  one("Washington extends waiver for SK Hynix China memory plants", "export_control", core::direction::easing);
  one("Commerce Department revokes Huawei's licences to buy US components", "export_control",
      core::direction::tightening);
  // A waiver with no controlled goods in its words is none.
  CHECK(run("US extends waiver for student loan payments").policy_shocks.empty());
}

TEST_CASE("the EU's crypto-asset regulation, MiCA, is crypto regulation by the EU", "[enrich]") {
  const auto rules = only_shock("MiCA stablecoin rules apply from Sunday across the bloc");
  CHECK(rules.category == "crypto_regulation");
  CHECK(rules.dir == core::direction::tightening);
  CHECK(rules.actors == std::vector<std::string>{"EU"});
  one("Kraken wins MiCA licence from Ireland's central bank", "crypto_regulation", core::direction::easing);
  // The mineral is not the regulation.
  CHECK(run("Mica prices rise on strong demand from paint makers").policy_shocks.empty());
}

TEST_CASE("crypto funds delayed or refused, bans restated, securities rulings, coin reserves, a coin named",
          "[enrich]") {
  one("SEC postpones decision on XRP ETF", "crypto_regulation", core::direction::tightening);
  one("SEC rejects Cboe's spot Solana ETF filing", "crypto_regulation", core::direction::tightening);
  one("Beijing restates ban on bitcoin mining", "crypto_regulation", core::direction::tightening);
  one("Judge rules Solana sales were not securities", "crypto_regulation", core::direction::easing);
  const auto reserve = only_shock("Brazil weighs strategic bitcoin reserve");
  CHECK(reserve.category == "crypto_regulation");
  CHECK(reserve.dir == core::direction::easing);
  CHECK(reserve.stg == core::stage::considered);
  CHECK(only_shock("Bukele's El Salvador adopts bitcoin as legal tender").actors == std::vector<std::string>{"SV"});
  one("Robinhood wins dismissal of FTC lawsuit", "regulatory_action", core::direction::easing);
  CHECK(run("Magistrate dismisses fraud case against local builder").policy_shocks.empty());
  // A regulatory action in a sentence that names a coin is crypto regulation; one that names a
  // stock is not.
  one("$ETH jumps as SEC approves ETFs", "crypto_regulation", core::direction::easing);
  one("$AAPL rises as SEC approves ETFs", "regulatory_action", core::direction::easing);
}

TEST_CASE("a government banning a named company or app curbs its market", "[enrich]") {
  const auto app = only_shock("Pakistan bans TikTok, citing social harmony");
  CHECK(app.category == "import_restriction");
  CHECK(app.dir == core::direction::tightening);
  CHECK(app.actors == std::vector<std::string>{"PK"});
  one("Russia bans Instagram", "import_restriction", core::direction::tightening);
  // A specific category's phrase on the same words wins; a company banning someone is no curb;
  // a title-case noun is no verb; a participle modifies a noun.
  one("China bans Bitcoin mining", "crypto_regulation", core::direction::tightening);
  CHECK(run("Twitter bans Trump").policy_shocks.empty());
  CHECK(run("China Travel Bans Leave Thousands Stranded").policy_shocks.empty());
  const auto didi = run("Beijing may ease a restriction banning Didi from adding new users");
  CHECK(std::none_of(didi.policy_shocks.begin(), didi.policy_shocks.end(),
                     [](const core::policy_shock& sh) { return sh.category == "import_restriction"; }));
}

TEST_CASE("the fortieth session's sweeps: rate moves by size, budgets, funds, seizures, missiles, pay caps, ...",
          "[enrich]") {
  // Tuned on other headlines of the same forms (docs/quality.md, fortieth session).
  one("China's central bank lowers five-year loan prime rate", "monetary_policy", core::direction::easing);
  one("Mexico imposes surtax on imported Chinese shoes", "tariff", core::direction::tightening);
  one("Thailand slashes tariffs on US pork", "tariff", core::direction::easing);
  CHECK(only_shock("Ukraine launches drone attacks on Russian refineries").category == "geopolitical_escalation");
  one("Iran-backed militia targets commercial shipping in the Gulf", "geopolitical_escalation",
      core::direction::tightening);
  one("Court finds Live Nation ran an illegal monopoly", "antitrust", core::direction::tightening);
  // A plan scrapped is no move; a labour strike, a bank's own rate and a heart attack are none.
  CHECK(run("Germany scraps plan to cut fuel taxes").policy_shocks.empty());
  CHECK(run("Dock workers launch strikes on Monday over pay").policy_shocks.empty());
  CHECK(run("Wells Fargo raises prime rate to 8.5%").policy_shocks.empty());
  CHECK(run("Actor suffers heart attack on set").policy_shocks.empty());
  // The second sweep's forms.
  one("Fed hikes by 50 basis points", "monetary_policy", core::direction::tightening);
  one("Brazil's central bank lowers Selic to 10.5%", "monetary_policy", core::direction::easing);
  one("Chile approves record budget for 2027", "fiscal_policy", core::direction::easing);
  one("US bans investment in Chinese quantum computing firms", "investment_restriction", core::direction::tightening);
  one("South Korea gives Samsung another 1 trillion won", "industrial_policy", core::direction::easing);
  one("India sets up $10 billion chip fund", "industrial_policy", core::direction::easing);
  one("Egypt unifies exchange rates", "capital_controls", core::direction::easing);
  CHECK(only_shock("Venezuela seizes oil refinery").actors == std::vector<std::string>{"VE"});
  CHECK(only_shock("North Korea fires missiles toward Japan").actors == std::vector<std::string>{"KP"});
  CHECK(only_shock("Russia and Ukraine forces clash near Kharkiv").category == "geopolitical_escalation");
  one("Beijing caps bank executive pay", "regulatory_action", core::direction::tightening);
  CHECK(run("Norway's sovereign wealth fund buys stake in port operator").policy_shocks.empty());
  CHECK(run("Icahn seeks to seize control of oil refiner's board").policy_shocks.empty());
}

TEST_CASE("a stage cue after a comma is the next act's, unless a hedge says it", "[enrich]") {
  // "Signals more" is the bank's next act; the cut is done.
  const auto cut = only_shock("Norges Bank cuts by 25 bps, signals more to come");
  CHECK(cut.dir == core::direction::easing);
  CHECK(cut.stg == core::stage::enacted);
  // An attribution after the comma qualifies the whole report.
  CHECK(only_shock("China to cut tariffs, sources say").stg == core::stage::considered);
}

TEST_CASE("an actor inside the trigger acts only when none stands before it", "[enrich]") {
  // Before, any actor inside the trigger's words won: Iran lifted sanctions on itself.
  const auto lifted = only_shock("U.S. Treasury lifts Iran sanctions on a unit of Chinese shipper COSCO");
  CHECK(lifted.category == "sanctions");
  CHECK(lifted.dir == core::direction::easing);
  CHECK(lifted.actors == std::vector<std::string>{"US", "OFAC"});
  CHECK(only_shock("China considers ending Australia coal ban").actors == std::vector<std::string>{"CN"});
  // With nobody before it, the one inside still acts.
  CHECK(only_shock("Microsoft agrees to settle EU charges").actors == std::vector<std::string>{"EU"});
  // An institution named right after another country is that country's: "lawmakers" alone
  // are the US Congress, Ghana's are Ghana's.
  CHECK(only_shock("Ghana lawmakers vote to scrap loan-price cap").actors == std::vector<std::string>{"GH"});
  CHECK(only_shock("US lawmakers vote to scrap loan-price cap").actors == std::vector<std::string>{"US", "CONGRESS"});
  // Actors joined before the phrase act together, in the text's order, each with its evidence.
  const auto truce = only_shock("Britain and Japan agree to slash tariffs on cars");
  CHECK(truce.actors == std::vector<std::string>{"GB", "JP"});
  CHECK(truce.spans.size() == 3);
  CHECK(only_shock("Canada-Mexico-EU trade pact advances").actors == std::vector<std::string>{"CA", "MX", "EU"});
  // Only before the phrase, and only a conjunction or a hyphen joins.
  CHECK(only_shock("Britain agrees trade pact with Japan").actors == std::vector<std::string>{"GB"});
  // Ships attacked: an escalation, whoever does it.
  one("Houthis attack ships in the Red Sea", "geopolitical_escalation", core::direction::tightening);
}

TEST_CASE("a headline's semicolon joins two reports: neither lends the other its actor, targets or category",
          "[enrich]") {
  const auto f = run("Canada imposes tariffs on Chinese EVs; FAA grounds Boeing 737 MAX 9 jets");
  REQUIRE(f.policy_shocks.size() == 2);
  CHECK(f.policy_shocks[0].category == "tariff");
  CHECK(f.policy_shocks[0].actors == std::vector<std::string>{"CA"});
  CHECK(f.policy_shocks[0].targets.empty());  // Boeing is the FAA's, after the semicolon
  CHECK(f.policy_shocks[1].category == "regulatory_action");
  CHECK(f.policy_shocks[1].actors == std::vector<std::string>{"US", "FAA"});
  // The ';' of an HTML entity ends nothing.
  CHECK(only_shock("The White House &amp; allies impose new tariffs on steel").actors == std::vector<std::string>{"US"});
}

TEST_CASE("a company's own policy, a speech and a data release are not policy shocks", "[enrich]") {
  CHECK(run("Retailer Target bans e-cigarette sales in all stores").policy_shocks.empty());
  CHECK(run("Netflix restricts password sharing in 40 more countries").policy_shocks.empty());
  CHECK(run("Fed's Waller says another rate cut in December is 'not a done deal'").policy_shocks.empty());
  CHECK(run("US CPI rose 0.3% in October, in line with estimates").policy_shocks.empty());
  CHECK(run("Markets price in a 90% chance of a BoE rate hike").policy_shocks.empty());
  CHECK(run("Wheat extends losses since Russia's invasion of Ukraine").policy_shocks.empty());
}

TEST_CASE("an authority named in words is the shock's actor, however long the story", "[enrich]") {
  // "Dutch central bank" is both the adjective's institution form (NL) and the central bank's
  // own phrase (NL, DNB): the authority says more, in a headline or deep in a busy body.
  const std::string text =
      "The Dutch central bank fined cryptocurrency exchange Binance for offering services without proper registration";
  CHECK(only_shock(text).actors == std::vector<std::string>{"NL", "DNB"});
  std::string body = "Putin arrived in Tehran for talks with his Iranian and Turkish counterparts on Russia's blockade. ";
  body += "Chinese, US and EU officials met in Geneva. " + text + ".";
  INFO(body);
  const auto f = run("Markets wrap", body);
  // A fine on a crypto exchange is crypto regulation (the taxonomy's enforcement aimed at crypto).
  const auto fine = std::find_if(f.policy_shocks.begin(), f.policy_shocks.end(),
                                 [](const core::policy_shock& s) { return s.category == "crypto_regulation"; });
  REQUIRE(fine != f.policy_shocks.end());
  CHECK(fine->actors == std::vector<std::string>{"NL", "DNB"});
}

TEST_CASE("stage cues set the stage next to their trigger", "[enrich]") {
  CHECK(run("Trump threatens 25% tariffs on Mexican imports").policy_shocks.at(0).stg == core::stage::threatened);
  CHECK(run("India weighs curbs on rice exports, sources say").policy_shocks.at(0).stg == core::stage::considered);
  CHECK(run("China imposes anti-dumping duties on EU brandy").policy_shocks.at(0).stg == core::stage::enacted);
  CHECK(run("EU plans to impose tariffs on Chinese EVs").policy_shocks.at(0).stg == core::stage::planned);
  // A threat or a deliberation in reach outranks a nearer "to <verb>" or "plans to".
  CHECK(run("Trump threatens to impose tariffs on Mexico").policy_shocks.at(0).stg == core::stage::threatened);
  CHECK(run("Washington weighs plans to curb Nvidia chip exports").policy_shocks.at(0).stg == core::stage::considered);
  // Signals are intent, not a decision; "to end" and "to require" are plans.
  CHECK(only_shock("RBA governor signals a rate hike in May").stg == core::stage::considered);
  CHECK(only_shock("ECB to end quantitative tightening early").stg == core::stage::planned);
}

TEST_CASE("every apostrophe in a rule matches the typographic one too", "[enrich]") {
  // Rule files write "won't" and "People's"; many wires and most phones print U+2019.
  for (const char* a : {"'", "\u2019"}) {
    const std::string q(a);
    INFO(q);
    CHECK(run("UK government says it won" + q + "t extend a windfall tax to power generators").policy_shocks.empty());
    CHECK(run("The Cleveland Fed president said she isn" + q + "t ready to call for a full point rate increase")
              .policy_shocks.empty());
    const auto pboc = only_shock("People" + q + "s Bank of China cuts interest rates");
    CHECK(pboc.actors == std::vector<std::string>{"CN", "PBOC"});
  }
  CHECK_FALSE(run("UK government says it will extend a windfall tax to power generators").policy_shocks.empty());
}

TEST_CASE("a name two patterns find on the same words is one piece of evidence", "[enrich]") {
  // "Bitcoin" (caseless) and its upper-case form "BITCOIN" are two patterns; "Moody’s" is found
  // through the apostrophe of "Moody's": each span is evidence once.
  for (const char* text : {"BITCOIN slides as traders sell", "Moody\u2019s cuts its outlook for Italy"}) {
    INFO(text);
    const auto f = run(text);
    REQUIRE(f.mentions.size() == 1);
    CHECK(f.mentions[0].spans.size() == 1);
  }
}

TEST_CASE("a preference counts when a member of the deciding body states it, as considered", "[enrich]") {
  // Said by a policymaker: policy being considered.
  const auto barkin = run("Fed's Barkin: Likely To Need To Raise Rates Into Restrictive Territory");
  REQUIRE(barkin.policy_shocks.size() == 1);
  CHECK(barkin.policy_shocks[0].category == "monetary_policy");
  CHECK(barkin.policy_shocks[0].dir == core::direction::tightening);
  CHECK(barkin.policy_shocks[0].stg == core::stage::considered);
  // The same with the typographic apostrophe many wires use (three bytes in UTF-8).
  const auto curly = run("Fed\u2019s Barkin: Likely To Need To Raise Rates Into Restrictive Territory");
  REQUIRE(curly.policy_shocks.size() == 1);
  CHECK(curly.policy_shocks[0].stg == core::stage::considered);
  CHECK(run("Fed governor Christopher Waller says he'd favor a 0.75-percentage-point rate rise in July")
            .policy_shocks.at(0)
            .stg == core::stage::considered);
  // Said by anyone else, or declined: commentary.
  CHECK(run("Bank economist says the RBA needs to raise rates faster").policy_shocks.empty());
  CHECK(run("Analysts say the ECB should raise interest rates by 50 basis points").policy_shocks.empty());
  CHECK(run("The Cleveland Fed president said she isn't ready to call for a full point rate increase").policy_shocks.empty());
  CHECK(run("Quarles, the Fed's former vice chair, says the central bank should have started hiking rates sooner")
            .policy_shocks.empty());
}

TEST_CASE("the systematic trigger forms: taxes imposed, duties waived, moves by size, rules eased", "[enrich]") {
  one("Hungary imposes a windfall surtax on banks and insurers", "fiscal_policy", core::direction::tightening);
  one("Malaysia waives its export duty on crude palm oil until March", "export_control", core::direction::easing);
  one("Norges Bank delivers a 50 basis point hike", "monetary_policy", core::direction::tightening);
  one("The ECB increases rates by 50 basis points", "monetary_policy", core::direction::tightening);
  one("The Bank of Korea lowers its key rates for the first time since 2020", "monetary_policy", core::direction::easing);
  one("The ECB will end its bond purchases in July", "monetary_policy", core::direction::tightening);
  one("UK regulators loosen capital rules for small lenders", "regulatory_action", core::direction::easing);
  one("Argentina restricts dollar transfers abroad to stem outflows", "capital_controls", core::direction::tightening);
  one("Kenya waives the levy on tea exports for six months", "export_control", core::direction::easing);
  one("Citigroup agrees to pay a $400 million civil penalty", "regulatory_action", core::direction::tightening);
  one("Japan steps in to support the yen for the first time since 1998", "monetary_policy", core::direction::tightening);
  one("Thailand is considering lowering the recently raised excise tax on diesel", "fiscal_policy", core::direction::easing);
  CHECK(run("Chile puts on hold plans for a windfall tax on copper miners").policy_shocks.empty());
  // A deciding body named generically acts too, with no actor code to give.
  const auto watchdog = only_shock("Accounting watchdog fines auditor over audit failings");
  CHECK(watchdog.category == "regulatory_action");
  CHECK(watchdog.actors.empty());
  CHECK(run("Retailer fines shoppers who return worn clothes").policy_shocks.empty());
  // A gap's object starts a word: "leadership" does not end in the object "ships".
  CHECK(run("Truss gains ground on Sunak in Tory leadership race").policy_shocks.empty());
  one("The FAA grounds all Boeing 737 MAX jets", "regulatory_action", core::direction::tightening);
  // Consensus, background and a company's request are not the state acting.
  CHECK(run("The Bank of Korea is widely expected to raise its policy rate by 25 basis points").policy_shocks.empty());
  CHECK(run("Italian households benefited from easing coronavirus restrictions, the central bank says").policy_shocks.empty());
  CHECK(run("Carmakers are seeking exemptions from US regulators to relax some safety rules").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 10 was missing, on other texts", "[enrich]") {
  // Written after set 10's errors were read: each headline is new, so a rule tuned to one
  // tweet's words fails here.
  one("The Riksbank raised the rate on its deposit facility to 1.75%", "monetary_policy", core::direction::tightening);
  one("Norges Bank cut the rate on its overnight lending facility", "monetary_policy", core::direction::easing);
  one("Fed's Harker: We are raising rates until inflation turns", "monetary_policy", core::direction::tightening);
  one("Turkey bans residents from buying foreign currency with loans", "capital_controls", core::direction::tightening);
  one("The FCA is examining whether lenders breached consumer duty rules", "regulatory_action", core::direction::tightening);
  one("Germany will make regional train travel free for the summer", "fiscal_policy", core::direction::easing);
  one("Biden plans to encourage solar power production on federal land", "industrial_policy", core::direction::easing);
  one("Japan to cut public financing for overseas coal projects", "industrial_policy", core::direction::tightening);
  one("Philippines halts sending workers to Kuwait after a maid's death", "export_control", core::direction::tightening);
  one("Hong Kong raises bus fares for the first time in years", "nationalization_price_control", core::direction::easing);
  one("UK's Sunak pledges to axe the planned corporation tax rise", "fiscal_policy", core::direction::easing);
  one("The CDC ends its mask rules for airline passengers after a court ruling", "regulatory_action", core::direction::easing);
  // A private plaintiff is not the state, whatever its country; a fear of inflation before
  // a central bank's move does not make the move a market bet.
  CHECK(run("French consumer group files lawsuit against Apple in Paris court").policy_shocks.empty());
  one("Amid fears of spiralling prices, the Bank of Canada lifted the rate on its deposit facility", "monetary_policy",
      core::direction::tightening);
}

TEST_CASE("the forms held-out set 11 was missing, on other texts", "[enrich]") {
  // Written after set 11's errors were read: each headline is new.
  one("Japan's finance minister vows to repeal dozens of banking regulations", "regulatory_action", core::direction::easing);
  one("The SEC ordered brokers to explain how they handle payment for order flow", "regulatory_action",
      core::direction::tightening);
  one("Biden moves to open more federal waters to offshore wind leasing", "industrial_policy", core::direction::easing);
  one("South Korea will restart two idled nuclear reactors this winter", "industrial_policy", core::direction::easing);
  one("India's central bank plans to regulate crypto exchanges under a new law", "crypto_regulation",
      core::direction::tightening);
  one("The SEC delayed its decision on the VanEck spot bitcoin ETF again", "crypto_regulation", core::direction::tightening);
  one("Russia moves to annex occupied regions after staged votes", "geopolitical_escalation", core::direction::tightening);
  one("Rebels agree to end the blockade of the country's main port", "geopolitical_escalation", core::direction::easing);
  one("Egypt bans importers from buying dollars on the parallel market", "capital_controls", core::direction::tightening);
  // An economic calendar's data line: the direction is in the figures, new first.
  one("NORWAY NORGES BANK INTEREST RATE DECISION (SEP) ACTUAL: 2.25% VS 1.75% PREVIOUS; EST 2.00%", "monetary_policy",
      core::direction::tightening);
  one("POLAND NBP INTEREST RATE DECISION ACTUAL: 5.50% VS 5.75% PREVIOUS", "monetary_policy", core::direction::easing);
  CHECK(run("JAPAN BOJ INTEREST RATE DECISION ACTUAL: -0.10% VS -0.10% PREVIOUS").policy_shocks.empty());
  // A forecast of a decision is a preview; a promise to repeal laws is not about market rules.
  CHECK(run("The Bank of Canada is expected to announce a full-point rate increase").policy_shocks.empty());
  CHECK(run("The candidate promises to repeal the laws his rival passed").policy_shocks.empty());
  // "regulated" describing exchanges is not a decider regulating them.
  CHECK(run("Japan's regulated crypto exchanges saw volumes fall in June").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 12 was missing, on other texts", "[enrich]") {
  // Written after set 12's errors were read: each headline is new.
  one("The Reserve Bank of India sold bond holdings worth $2 billion to drain liquidity", "monetary_policy",
      core::direction::tightening);
  one("Turkey's central bank moves to mop up excess lira liquidity", "monetary_policy", core::direction::tightening);
  one("Japan says Korea's new export rules are inconsistent with WTO trade rules", "trade_negotiation",
      core::direction::tightening);
  one("Chinese customs officials are weighing an end to the ban on Lithuanian beef", "import_restriction",
      core::direction::easing);
  // A stance is not a decision; a concern about a move, a move not envisaged, and one taken
  // only to avoid another are not the move.
  CHECK(run("The RBA sounded dovish at its meeting, minutes show").policy_shocks.empty());
  CHECK(run("Housing starts slump as concerns over rate hikes by the Fed keep builders cautious").policy_shocks.empty());
  CHECK(run("Britain does not envisage cutting fuel duty before the budget").policy_shocks.empty());
  CHECK(run("Germany will store more gas now to avoid having to ration gas consumption in winter").policy_shocks.empty());
  // A company's lawsuit over a merger agreement is not a trade dispute.
  CHECK(run("Shareholders sue the board for violating the merger agreement").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 13 was missing, on other texts", "[enrich]") {
  // Written after set 13's errors were read: each headline is new.
  one("Japan and the US discuss stopping Tokyo Electron from shipping chip tools to China", "export_control",
      core::direction::tightening);
  one("The Senate voted to allow the administration to sell Poland more Patriot missiles", "export_control",
      core::direction::easing);
  one("The UK proposes to relax its rules on short-term lets", "regulatory_action", core::direction::easing);
  one("The EU proposes to tighten its rules on bank capital", "regulatory_action", core::direction::tightening);
  one("Poland breached EU state-aid rules by backing its coal mines, the Commission says", "regulatory_action",
      core::direction::tightening);
  one("Uber's contracts were unlawful, the EU's top court rules", "regulatory_action", core::direction::tightening);
  one("US lawmakers vote on a bill releasing billions of dollars for chipmakers", "industrial_policy",
      core::direction::easing);
  one("US regulators open an investigation into a stablecoin issuer", "crypto_regulation", core::direction::tightening);
  one("RBNZ lifts the OCR by 50 basis points", "monetary_policy", core::direction::tightening);
  one("The Reserve Bank of India lets exporters settle trade in rupees", "capital_controls", core::direction::easing);
  one("Brazil's Congress gives the green light to spend $5 billion on fuel vouchers", "fiscal_policy",
      core::direction::easing);
  one("Indonesia will cut fuel prices next month", "nationalization_price_control", core::direction::easing);
  one("Nigeria raises electricity tariffs by 40%", "nationalization_price_control", core::direction::tightening);
  // An adjective naming a past measure is background, not the measure.
  CHECK(run("India's exports to sanctions-hit Russia surge").policy_shocks.empty());
  CHECK(run("Tariff-hit exporters in China look to Vietnam").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 14 was missing, on other texts", "[enrich]") {
  // Written after set 14's errors were read: each headline is new.
  one("Fed's Waller backs a 0.5ppt hike in September", "monetary_policy", core::direction::tightening);
  one("Kenya's parliament approves a plan to borrow $1 billion from the World Bank", "fiscal_policy",
      core::direction::easing);
  one("Spain will raise unemployment benefits for older workers", "fiscal_policy", core::direction::easing);
  // Since the thirty-ninth session the token sale makes it crypto regulation.
  one("The SEC subpoenaed the exchange's founders over the token sale", "crypto_regulation",
      core::direction::tightening);
  one("The SEC subpoenaed the bank's founders over the share sale", "regulatory_action", core::direction::tightening);
  one("India speeds up approvals for new solar parks", "regulatory_action", core::direction::easing);
  one("The new UK government pledges to cut red tape for small firms", "regulatory_action", core::direction::easing);
  // Cutting something near the word "regulation" is not cutting regulation (found in review).
  CHECK(only_shock("The Fed cuts rates amid bank regulation worries").category == "monetary_policy");
  one("Taiwan's military will take resolute measures against incursions", "geopolitical_escalation",
      core::direction::tightening);
  one("The US moves to bar chipmakers from building plants in China", "investment_restriction",
      core::direction::tightening);
  one("Mexico is banning menthol cigarettes", "import_restriction", core::direction::tightening);
  // Someone else's forecast of a central bank's move is not the move.
  CHECK(run("Goldman expects the ECB to raise rates by 50 basis points in September").policy_shocks.empty());
  CHECK(run("Barclays sees the Fed to cut rates twice next year").policy_shocks.empty());
  // The central bank's own expectation is still its plan.
  CHECK_FALSE(run("The Fed expects to raise rates again in September").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 15 was missing, on other texts", "[enrich]") {
  // Written after set 15's errors were read: each headline is new.
  // A regulator at work on a case, or named after the probe it opened.
  one("Japan's financial regulators are probing the brokerage's bond sales", "regulatory_action",
      core::direction::tightening);
  one("Boeing faces an investigation by regulators after the door plug blew out", "regulatory_action",
      core::direction::tightening);
  one("The lender is facing an inquiry by US regulators over its fees", "regulatory_action", core::direction::tightening);
  CHECK(only_shock("Ford faces a probe by the NHTSA over rear-view cameras").actors ==
        std::vector<std::string>{"US", "NHTSA"});
  // "is" says a regulator is at work; a committee named by what it investigates is not a case.
  CHECK(run("The House panel investigating the riot holds its last hearing").policy_shocks.empty());
  CHECK(run("Police are investigating a shooting in Chicago").policy_shocks.empty());
  // A place that says where a company trades or sits acts in nothing.
  CHECK(only_shock("US-listed shares fell after a report that Didi faces a probe in China").actors ==
        std::vector<std::string>{"CN"});
  CHECK(only_shock("China-based Alibaba faces a probe by regulators").actors.empty());
  // Monetary policy tightened or eased by name, and a jumbo hike.
  one("The Monetary Authority of Singapore tightened monetary policy again", "monetary_policy",
      core::direction::tightening);
  one("Turkey's central bank eases monetary policy for a third month", "monetary_policy", core::direction::easing);
  one("The Bank of Canada delivers a jumbo hike", "monetary_policy", core::direction::tightening);
  // Drug prices, force, a Treasury secretary's price cap.
  one("The Senate passes a bill letting Medicare negotiate drug prices", "nationalization_price_control",
      core::direction::tightening);
  one("Israel says it will use force against the militia", "geopolitical_escalation", core::direction::tightening);
  CHECK(only_shock("Yellen pitches a price cap on Russian oil to her Indian counterpart").actors ==
        std::vector<std::string>{"US", "OFAC"});
  // Commentary: a bank reaping the benefits of hikes, the impact of hikes, an opinion column,
  // a forecast of none, what a leader "can afford", a rights group's lawsuit, a war as background.
  CHECK(run("Regional banks reap the benefits of Fed rate hikes").policy_shocks.empty());
  CHECK(run("Ghana's finance minister weighs the impact of Fed rate hikes on its debt").policy_shocks.empty());
  CHECK(run("Opinion: The Fed should not stop its rate hikes too early").policy_shocks.empty());
  CHECK(run("RBC sees no rate hikes by central banks in Asia next year").policy_shocks.empty());
  CHECK(run("The next chancellor can afford £30 billion of tax cuts").policy_shocks.empty());
  CHECK(run("A civil rights group sued to overturn the state's voter ID law").policy_shocks.empty());
  CHECK(run("Poland's support for Kyiv in its fight against Russia's invasion will last").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 16 was missing, on other texts", "[enrich]") {
  // Written after set 16's errors were read: each headline is new.
  one("Moscow plans an annexation referendum in the occupied south", "geopolitical_escalation",
      core::direction::tightening);
  one("India's ban on Chinese toy products takes effect", "import_restriction", core::direction::tightening);
  one("Argentina opens the spending taps before the election", "fiscal_policy", core::direction::easing);
  one("Tesla plants were visited by federal investigators as part of a probe into worker safety",
      "regulatory_action", core::direction::tightening);
  CHECK(run("Police investigators say the crash was caused by speeding").policy_shocks.empty());
  // A negation after the phrase across a comma is the next act's; before it, it is this one's.
  one("ECB's Knot backs a 50 basis point increase in July, does not want a bigger move", "monetary_policy",
      core::direction::tightening);
  CHECK(run("The BoE governor does not want to cut rates this year").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 17 was missing, on other texts", "[enrich]") {
  // Written after set 17's blind errors were read: each headline is new, and each fails on the
  // build before.
  one("Fed unveils emergency lending facility", "monetary_policy", core::direction::easing);
  one("Bank of Japan injects liquidity into money markets", "monetary_policy", core::direction::easing);
  one("RBA signals it will take rates above neutral", "monetary_policy", core::direction::tightening);
  one("France moves to regulate short-term rental platforms", "regulatory_action", core::direction::tightening);
  one("Spain to toughen its labour laws for delivery apps", "regulatory_action", core::direction::tightening);
  one("Poland raises its renewable energy targets", "regulatory_action", core::direction::tightening);
  one("Thailand will reopen its borders to foreign tourists", "regulatory_action", core::direction::easing);
  one("US lawmakers near deal on legislation to regulate fast-growing stablecoins", "crypto_regulation",
      core::direction::tightening);
  // A verb with its particle turns the phrase after it; "consensus" is a forecast's only as one.
  one("Beijing eases up on its crackdown on tech platforms", "regulatory_action", core::direction::easing);
  one("ECB's Lagarde says policymakers reached a consensus on a 50 bp hike", "monetary_policy",
      core::direction::tightening);
  CHECK(run("Japan refrains from intervening in the yen market").policy_shocks.empty());
  CHECK(run("Investment bank unveils new lending measures").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 18 was missing, on other texts", "[enrich]") {
  // Written after set 18's blind errors were read: each headline is new, and each but the last
  // fails on the build before. The last holds the overhaul form to its verb: a first version took
  // the noun and read the BoE's remark as a rule change.
  one("BoE minutes: members agreed further steps would be needed to normalise monetary policy", "monetary_policy",
      core::direction::tightening);
  one("The BoJ is weighing an instrument designed to curb bond market turmoil", "monetary_policy",
      core::direction::easing);
  one("Japan to cap the price of Russian crude under the G7 plan", "sanctions", core::direction::tightening);
  one("Canada requests consultations with the US over its dairy quotas", "trade_negotiation",
      core::direction::tightening);
  one("Japan plans to reopen international travel next month", "regulatory_action", core::direction::easing);
  one("Hong Kong's markets regulator to overhaul its listing rules", "regulatory_action", core::direction::tightening);
  one("India's central bank told lenders to extend credit to small businesses", "regulatory_action",
      core::direction::easing);
  // A probe over a policy is the probe's news; a trade deal that is only the venue of a dispute
  // is no deal; a truce nobody with power calls is no trade news.
  one("The EU opened a case against Poland over its grain import ban", "regulatory_action",
      core::direction::tightening);
  CHECK(run("Brazil said it would settle the row under the trade agreement").policy_shocks.empty());
  CHECK(run("Rival shareholders call truce in boardroom battle").policy_shocks.empty());
  CHECK(run("BoE says an overhaul of insurance rules cannot be a free lunch").policy_shocks.empty());
}

TEST_CASE("the forms held-out set 19 was missing, on other texts", "[enrich]") {
  // Written after set 19's blind errors were read: each headline is new, and each fails on the
  // build before.
  one("Barclays asked by the FCA to tighten its trading controls", "regulatory_action", core::direction::tightening);
  one("Hong Kong shuts schools and malls as cases surge", "regulatory_action", core::direction::tightening);
  one("India will repeal three farm laws", "regulatory_action", core::direction::easing);
  one("Poland will raise defence spending to 3% of GDP", "fiscal_policy", core::direction::easing);
  one("Berlin unveils measures to cushion the blow of soaring energy bills", "fiscal_policy", core::direction::easing);
  // The case for a move, a sum paid in a tax, and a move someone else urges are not the move.
  CHECK(run("Strong retail sales build the case for a rate hike by the ECB").policy_shocks.empty());
  CHECK(run("Exporters paid $2 billion in tariffs last year, a survey found").policy_shocks.empty());
  CHECK(run("Canada urged to impose tariffs on Chinese steel").policy_shocks.empty());
}

TEST_CASE("a named move counts only with its decider, in a sentence not about data or markets", "[enrich]") {
  const auto hike = [](const std::string& text) {
    INFO(text);
    const auto shock = only_shock(text);
    CHECK(shock.category == "monetary_policy");
    return shock.dir;
  };
  CHECK(hike("The Bank of England delivers a half-point rate increase") == core::direction::tightening);
  CHECK(hike("A surprise rate cut by the Reserve Bank of India lifts bonds") == core::direction::easing);
  CHECK(hike("\u201cWe will deliver another 75 basis-point increase,\u201d Fed Governor Waller says") ==
        core::direction::tightening);
  CHECK(hike("The Fed has run out of data and time to deviate from its plan for a 75-basis-point increase") ==
        core::direction::tightening);
  CHECK(hike("Central banks across the globe are speeding up interest-rate hikes") == core::direction::tightening);
  // No decider, or the sentence is about inflation or markets.
  CHECK(run("Rate hike fears weigh on global stock markets").policy_shocks.empty());
  CHECK(run("UK inflation hits a new high, adding pressure on the Bank of England to deliver a rate hike").policy_shocks.empty());
  CHECK(run("Norway's inflation hits a 33-year high, feeding talk the central bank will keep up its rate hikes").policy_shocks.empty());
  CHECK(run("Markets are too sanguine about the Fed's campaign of interest-rate hikes").policy_shocks.empty());
}

TEST_CASE("urgency and source weight move the score, and the reasons say so", "[enrich]") {
  const auto plain = run("Bank of Japan raises policy rate to 0.75%");
  const auto urgent = run("FLASH: Bank of Japan raises policy rate to 0.75%");
  CHECK(urgent.market.score > plain.market.score);
  CHECK(urgent.market.reasons.back().find("FLASH") != std::string::npos);
}

TEST_CASE("quality on the nineteen held-out sets, pooled, stays at or above the pinned figures", "[enrich][quality]") {
  // Their errors have been read, so these are no longer blind figures (docs/quality.md has
  // those); the pin catches a rule change that helps the development set at their expense.
  std::size_t tp = 0, fp = 0, fn = 0, sym_tp = 0, sym_fp = 0, sym_fn = 0;
  for (const char* set : {"heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14", "heldout15", "heldout16", "heldout17", "heldout18", "heldout19"}) {
    const auto r = app::evaluate(engine(), std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/" + set + ".jsonl");
    REQUIRE(r.rows >= 130);
    tp += r.detection.tp;
    fp += r.detection.fp;
    fn += r.detection.fn;
    sym_tp += r.symbols.tp;
    sym_fp += r.symbols.fp;
    sym_fn += r.symbols.fn;
  }
  const auto ratio = [](std::size_t a, std::size_t b) { return static_cast<double>(a) / static_cast<double>(b); };
  INFO("shocks P " << ratio(tp, tp + fp) << " R " << ratio(tp, tp + fn) << ", symbols P " << ratio(sym_tp, sym_tp + sym_fp)
                   << " R " << ratio(sym_tp, sym_tp + sym_fn));
  CHECK(ratio(tp, tp + fp) >= 0.80);
  CHECK(ratio(tp, tp + fn) >= 0.73);
  CHECK(ratio(sym_tp, sym_tp + sym_fp) >= 0.97);
  CHECK(ratio(sym_tp, sym_tp + sym_fn) >= 0.94);
}

TEST_CASE("docs/quality.md's summary table is what eval measures today", "[enrich][quality]") {
  // The table had drifted before (two sets' category columns moved for twenty sessions without
  // it); a rule change that moves a set now fails here until the table says so.
  std::ifstream in(std::string(WIRESCAN_SOURCE_DIR) + "/docs/quality.md");
  std::string line;
  while (std::getline(in, line) && line.rfind("| set | rows (with shocks) | status |", 0) != 0) {
  }
  REQUIRE(in);
  std::getline(in, line);  // |---|
  std::getline(in, line);  // the targets
  const auto figure = [](double ratio, std::size_t a, std::size_t b) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f (%zu/%zu)", ratio, a, b);
    return std::string(buf);
  };
  std::size_t sets = 0;
  while (std::getline(in, line) && line.rfind("| ", 0) == 0) {
    std::vector<std::string> cells;
    std::stringstream row(line.substr(2));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell.substr(0, cell.find_last_not_of(' ') + 1));
    REQUIRE(cells.size() >= 9);
    for (auto& c : cells) c.erase(0, c.find_first_not_of(' '));
    std::string set = cells[0] == "development" ? "devset" : cells[0] == "held-out 1" ? "heldout" : "";
    if (set.empty() && cells[0].rfind("held-out ", 0) == 0) set = "heldout" + cells[0].substr(9);
    REQUIRE(!set.empty());
    INFO(cells[0]);
    const auto r = app::evaluate(engine(), std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/" + set + ".jsonl");
    const auto& d = r.detection;
    CHECK(cells[1] == std::to_string(r.rows) + " (" + std::to_string(r.gold_shock_rows) + ")");
    CHECK(cells[3] == figure(d.precision(), d.tp, d.tp + d.fp));
    CHECK(cells[4] == figure(d.recall(), d.tp, d.tp + d.fn));
    CHECK(cells[5] == figure(r.category_accuracy(), r.category_correct, r.predicted_in_tp));
    CHECK(cells[6] == figure(r.direction_accuracy(), r.direction_correct, r.direction_checked));
    CHECK(cells[7] == figure(r.symbols.precision(), r.symbols.tp, r.symbols.tp + r.symbols.fp));
    CHECK(cells[8] == figure(r.symbols.recall(), r.symbols.tp, r.symbols.tp + r.symbols.fn));
    ++sets;
  }
  CHECK(sets == 20);  // the development set and nineteen held-out sets
}

TEST_CASE("quality on the development set stays at or above the pinned figures", "[enrich][quality]") {
  const auto r = app::evaluate(engine(), std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/devset.jsonl");
  INFO("detection P " << r.detection.precision() << " R " << r.detection.recall() << ", category "
                      << r.category_accuracy() << ", direction " << r.direction_accuracy() << ", symbols P "
                      << r.symbols.precision() << " R " << r.symbols.recall());
  CHECK(r.rows >= 400);
  CHECK(r.detection.precision() >= 0.90);
  CHECK(r.detection.recall() >= 0.85);
  CHECK(r.category_accuracy() >= 0.85);
  CHECK(r.direction_accuracy() >= 0.90);
  CHECK(r.symbols.precision() >= 0.95);
  CHECK(r.symbols.recall() >= 0.90);
}

TEST_CASE("a phrase reads across \"U.S.\", decimals and abbreviations, not across a sentence's end", "[enrich]") {
  // Until the forty-second session a gap stopped at any full stop: "cuts U.S. tariffs" lost its
  // phrase and the bare "tariffs" read the opposite way, with the US as its actor.
  const auto cut = only_shock("Rally goes on as China cuts U.S. tariffs");
  CHECK(cut.category == "tariff");
  CHECK(cut.dir == core::direction::easing);
  CHECK(cut.actors == std::vector<std::string>{"CN"});
  one("Senate advances more than $50 billion bill to boost U.S. semiconductor production", "industrial_policy",
      core::direction::easing);
  one("Grant Thornton is to pay a £1.3mn penalty over 'serious failings' in its auditing", "regulatory_action",
      core::direction::tightening);
  // The next sentence is another's: "Beijing cuts" and "tariffs" do not join across it.
  const auto apart = run("Beijing cuts its forecast. US tariffs stay");
  CHECK(std::none_of(apart.policy_shocks.begin(), apart.policy_shocks.end(),
                     [](const core::policy_shock& s) { return s.dir == core::direction::easing; }));
}
