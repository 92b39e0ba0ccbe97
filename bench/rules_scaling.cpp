// Matching cost against the number of rules: compiles 10, 100, 1,000 and 10,000 trigger
// phrases into Vectorscan databases and enriches the same corpus with each, in interleaved
// rounds (the machine is shared and noisy), reporting the median of the rounds.
//
//   bench/rules_scaling [CORPUS.csv] [ROUNDS]
//   CORPUS: ABC News headlines (date,headline CSV), default ../shared/data/abcnews-headlines/abcnews-date-text.csv
//
// Phrases are pairs of words drawn from the corpus's own vocabulary, so some of them match
// and the cost of reporting matches is included, as it would be with real rules.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "wirescan/enrich/enricher.hpp"

using namespace wirescan;
using clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string path = argc > 1 && *argv[1] != 0 ? argv[1] : WIRESCAN_SHARED_DATA "/abcnews-headlines/abcnews-date-text.csv";
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
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
    double compile_s;
    enrich::enricher enr;
    std::vector<double> rates;
  };
  std::vector<variant> variants;
  for (std::size_t n : {10UL, 100UL, 1000UL, 10000UL}) {
    std::vector<std::string> phrases;
    for (std::size_t i = 0; i < n; ++i) phrases.push_back(words[pick(rng)] + " " + words[pick(rng)]);
    const auto t0 = clk::now();
    auto rs = enrich::synthetic_rules(phrases);
    const double compile_s = std::chrono::duration<double>(clk::now() - t0).count();
    if (!rs) {
      std::fprintf(stderr, "compile failed: %s\n", rs.error().front().c_str());
      return 1;
    }
    variants.push_back({n, compile_s, enrich::enricher(rs.value()), {}});
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
  std::printf("| trigger phrases | compile (s) | stories/s | MB/s | vs 10 phrases |\n|---|---|---|---|---|\n");
  double base = 0;
  for (auto& v : variants) {
    std::sort(v.rates.begin(), v.rates.end());
    const double med = v.rates[v.rates.size() / 2];
    if (base == 0) base = med;
    std::printf("| %zu | %.3f | %.0f | %.1f | %.2f |\n", v.rules, v.compile_s, med,
                med * static_cast<double>(bytes) / static_cast<double>(corpus.size()) / 1e6, med / base);
  }
  std::printf("\n(shocks found in all rounds: %zu)\n", sink);
  return 0;
}
