// Matching cost against the number of rules: compiles 10, 100, 1,000 and 10,000 trigger
// phrases into Vectorscan databases and enriches the same corpus with each, in interleaved
// rounds (the machine is shared and noisy), reporting the median of the rounds.
//
//   bench/rules_scaling [CORPUS.csv] [ROUNDS]
//   CORPUS: ABC News headlines (date,headline CSV), default ../shared/data/abcnews-headlines/abcnews-date-text.csv
//
// Phrases are pairs of words drawn from the corpus's own vocabulary, so some of them match
// and the cost of reporting matches is included, as it would be with real rules.
//
// Two rule sets per size, both in the same interleaved rounds:
//   alone:   the phrases and one actor, nothing else: the matching engine on its own;
//   shipped: rules/ as shipped (actors, cues, aliases, symbols) with its triggers replaced by
//            the phrases: what a deployment that grows its trigger list sees.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "wirescan/enrich/enricher.hpp"

using namespace wirescan;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string path = argc > 1 && *argv[1] != 0 ? argv[1] : WIRESCAN_SHARED_DATA "/abcnews-headlines/abcnews-date-text.csv";
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::string rules_dir = argc > 3 ? argv[3] : WIRESCAN_RULES_DIR;
  const auto slurp = [](const std::string& file) {
    std::ifstream f(file);
    std::ostringstream o;
    o << f.rdbuf();
    return o.str();
  };
  enrich::rule_sources shipped{slurp(rules_dir + "/policy.yaml"), slurp(rules_dir + "/aliases.yaml"),
                               slurp(rules_dir + "/symbols.tsv"), rules_dir};
  if (shipped.policy.empty()) {
    std::fprintf(stderr, "cannot read %s/policy.yaml\n", rules_dir.c_str());
    return 1;
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<core::story> corpus;
  std::set<std::string> vocab;
  std::size_t bytes = 0;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    if (comma == std::string::npos) continue;
    core::story s;
    s.id = std::to_string(corpus.size());
    s.headline = line.substr(comma + 1);
    bytes += s.headline.size();
    std::istringstream words(s.headline);
    for (std::string w; words >> w;) {
      if (w.size() >= 4 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; })) vocab.insert(w);
    }
    corpus.push_back(std::move(s));
  }
  const std::vector<std::string> words(vocab.begin(), vocab.end());
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);

  struct variant {
    std::size_t rules;
    const char* set;
    double compile_s;
    enrich::enricher enr;
    std::vector<double> rates;
  };
  std::vector<variant> variants;
  for (std::size_t n : {10UL, 100UL, 1000UL, 10000UL}) {
    std::vector<std::string> phrases;
    for (std::size_t i = 0; i < n; ++i) phrases.push_back(words[pick(rng)] + " " + words[pick(rng)]);
    // The shipped policy with its trigger list replaced by the same phrases, all tightening
    // tariffs (the category does not change the matching cost).
    YAML::Node policy = YAML::Load(shipped.policy);
    YAML::Node entry;
    entry["direction"] = "tightening";
    for (const auto& p : phrases) entry["phrases"].push_back(p);
    YAML::Node triggers;
    triggers["tariff"].push_back(entry);
    policy["triggers"] = triggers;
    YAML::Emitter out;
    out << policy;
    auto with_shipped = shipped;
    with_shipped.policy = out.c_str();
    for (const bool alone : {true, false}) {
      const auto t0 = clk::now();
      auto rs = alone ? enrich::synthetic_rules(phrases) : enrich::load_rules_from(with_shipped);
      const double compile_s = std::chrono::duration<double>(clk::now() - t0).count();
      if (!rs) {
        std::fprintf(stderr, "compile failed: %s\n", rs.error().front().c_str());
        return 1;
      }
      variants.push_back({n, alone ? "alone" : "shipped", compile_s, enrich::enricher(rs.value()), {}});
    }
  }
  std::size_t sink = 0;
  for (int r = 0; r < rounds; ++r) {
    for (auto& v : variants) {  // interleaved: every variant once per round
      const auto t0 = clk::now();
      for (const auto& s : corpus) sink += v.enr.enrich(s).policy_shocks.size();
      v.rates.push_back(static_cast<double>(corpus.size()) / std::chrono::duration<double>(clk::now() - t0).count());
    }
  }
  std::printf("corpus: %s, %zu headlines, %.1f MB, %d interleaved rounds, median shown\n\n", path.c_str(),
              corpus.size(), static_cast<double>(bytes) / 1e6, rounds);
  for (const char* set : {"alone", "shipped"}) {
    std::printf("%s:\n\n| trigger phrases | compile (s) | stories/s | MB/s | vs 10 phrases |\n|---|---|---|---|---|\n",
                std::string_view(set) == "alone" ? "engine alone (the phrases and one actor)"
                                                 : "shipped rules with their triggers replaced by the phrases");
    double base = 0;
    for (auto& v : variants) {
      if (std::string_view(v.set) != set) continue;
      std::sort(v.rates.begin(), v.rates.end());
      const double med = v.rates[v.rates.size() / 2];
      if (base == 0) base = med;
      std::printf("| %zu | %.3f | %.0f | %.1f | %.2f |\n", v.rules, v.compile_s, med,
                  med * static_cast<double>(bytes) / static_cast<double>(corpus.size()) / 1e6, med / base);
    }
    std::printf("\n");
  }
  std::printf("(shocks found in all rounds: %zu)\n", sink);
  return 0;
}
