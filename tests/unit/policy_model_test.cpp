// The policy-likelihood model (enrich/policy_model.hpp): the trainer's features and probabilities,
// byte for byte, the file's checks, and the model in events.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "shipped_enricher.hpp"
#include "wirescan/enrich/policy_model.hpp"
#include "wirescan/enrich/rules.hpp"

using wirescan::enrich::policy_model;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (std::size_t p; (p = s.find(sep, at)) != std::string::npos; at = p + 1) out.push_back(s.substr(at, p - at));
  out.push_back(s.substr(at));
  return out;
}

const policy_model& shipped() {
  const auto& rs = wirescan::test::shipped_enricher()->rules();
  REQUIRE(rs->likelihood.has_value());
  return *rs->likelihood;
}

}  // namespace

TEST_CASE("the model's features and probabilities are the trainer's, byte for byte", "[enrich][model]") {
  // tests/data/policy-model-cases.tsv is what scripts/train-policy-model.py --cases wrote from the
  // shipped model: links, capitals, cashtags, decimals, "U.S.", non-ASCII bytes, repeats, nothing.
  std::istringstream in(slurp(std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/policy-model-cases.tsv"));
  std::size_t cases = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = split(line, '\t');
    REQUIRE(f.size() == 3);
    INFO(f[0]);
    std::string got;
    for (const auto& x : policy_model::features(f[0])) got += (got.empty() ? "" : "|") + x;
    CHECK(got == f[1]);
    CHECK(std::fabs(shipped().probability(f[0]) - std::stod(f[2])) < 1e-9);
    ++cases;
  }
  CHECK(cases == 10);
  CHECK(shipped().size() == 3000);
}

TEST_CASE("a model file with a bad line is refused, naming the line", "[enrich][model]") {
  std::vector<std::string> problems;
  CHECK(policy_model::parse("# a comment\n<bias>\t-1.5\nfed\t0.5\nfed hikes\t1.25\n", "m.tsv", problems));
  CHECK(problems.empty());
  const auto bad = policy_model::parse(
      "<bias>\t-1\nFed\t1\nfed  hikes\t1\nfed\tlots\nfed\t1\nfed\t2\nrates\t1\t2\n$\t1\n", "m.tsv", problems);
  CHECK_FALSE(bad);
  CHECK(problems == std::vector<std::string>{
                        "m.tsv:2: 'Fed' is not a token or two tokens joined by one space",
                        "m.tsv:3: 'fed  hikes' is not a token or two tokens joined by one space",
                        "m.tsv:4: weight 'lots' is not a finite number",
                        "m.tsv:6: 'fed' is given twice",
                        "m.tsv:7: want feature<TAB>weight",
                        "m.tsv:8: '$' is not a token or two tokens joined by one space",
                    });
  problems.clear();
  CHECK_FALSE(policy_model::parse("fed\t1\n", "m.tsv", problems));
  CHECK(problems == std::vector<std::string>{"m.tsv: no <bias> line"});
}

TEST_CASE("each distinct feature counts once, a pair as two tokens side by side", "[enrich][model]") {
  std::vector<std::string> problems;
  const auto m = policy_model::parse("<bias>\t0\nfed\t1\nfed hikes\t2\n", "m.tsv", problems);
  REQUIRE(m);
  const auto logit = [&](const std::string& t) {
    const double p = m->probability(t);
    return std::log(p / (1 - p));
  };
  CHECK(std::fabs(logit("Fed hikes") - 3) < 1e-9);
  CHECK(std::fabs(logit("fed FED fed") - 1) < 1e-9);
  CHECK(std::fabs(logit("hikes fed") - 1) < 1e-9);
  CHECK(std::fabs(logit("Fed, which hikes") - 1) < 1e-9);
  CHECK(std::fabs(logit("https://fed.example/hikes") - 0) < 1e-9);
}

TEST_CASE("events carry the model's likelihood beside the rules' shocks", "[enrich][model]") {
  const auto& enr = *wirescan::test::shipped_enricher();
  const auto judge = [&](const std::string& headline) {
    wirescan::core::story s;
    s.id = "t";
    s.headline = headline;
    const auto f = enr.enrich(s);
    REQUIRE(f.market.policy_likelihood.has_value());
    CHECK(*f.market.policy_likelihood >= 0.0);
    CHECK(*f.market.policy_likelihood <= 1.0);
    return *f.market.policy_likelihood;
  };
  CHECK(judge("The ECB raises its key interest rate by 50 basis points") > 0.7);
  CHECK(judge("Apple shares rise") < 0.1);
  // A rules folder without policy-model.tsv gives events without it.
  const std::string dir = std::string(WIRESCAN_SOURCE_DIR) + "/rules";
  auto rules = wirescan::enrich::load_rules_from(
      {slurp(dir + "/policy.yaml"), slurp(dir + "/aliases.yaml"), slurp(dir + "/symbols.tsv"), "mem"});
  REQUIRE(rules.has_value());
  wirescan::core::story s;
  s.headline = "The ECB raises its key interest rate by 50 basis points";
  CHECK_FALSE(wirescan::enrich::enricher(rules.value()).enrich(s).market.policy_likelihood.has_value());
}
