#include "novelty_eval.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace wirescan::app {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out(1);
  for (const char c : line) {
    if (c == '\t') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

pair_eval evaluate_pairs(const enrich::enricher& enr, const novelty::lexicon& lx, const novelty::index_config& cfg,
                         const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  pair_eval r;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const auto f = split_tabs(line);
    if (f.size() != 5 || (f[0] != "same" && f[0] != "different")) {
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected label, kind, origin, headline_a, headline_b");
    }
    const bool gold = f[0] == "same";
    const bool update = f[1] == "update";
    // Two stories: an index sized for them, not for a day (its tables are made, and their
    // pages faulted in, up front).
    auto pair_cfg = cfg;
    pair_cfg.max_entries = 2;
    novelty::index idx(pair_cfg);
    const core::epoch_ms t{1700000000000};
    core::story a;
    a.id = "a";
    a.source = "wire-a";
    a.headline = f[3];
    a.published_at = t;
    core::story b = a;
    if (!update) {
      b.id = "b";
      b.source = "wire-b";
    }
    b.headline = f[4];
    b.published_at = core::epoch_ms{t.value + 60000};
    const auto fa = novelty::make_fingerprint(a, enr.enrich(a), lx);
    const auto fb = novelty::make_fingerprint(b, enr.enrich(b), lx);
    (void)idx.assess(a, fa, t.value);
    const auto v = idx.assess(b, fb, t.value + 60000).verdict;
    const bool said_same = v.kind != core::novelty_kind::fresh;
    ++r.pairs;
    auto& k = r.by_kind[f[1]];
    ++k.second;
    if (said_same == gold) ++k.first;
    if (gold && said_same) ++r.same.tp;
    if (!gold && said_same) ++r.same.fp;
    if (gold && !said_same) ++r.same.fn;
    if (said_same != gold) {
      // Why: the pair's Jaccard and the guard that kept it apart, if one did.
      char why[160];
      const auto reason = novelty::conflict_reason(fa, fb);
      std::snprintf(why, sizeof why, "jaccard %.2f%s%.*s", novelty::jaccard(fa.features, fb.features),
                    reason.empty() ? "" : ", kept apart: ", static_cast<int>(reason.size()), reason.data());
      r.errors.push_back(path + ":" + std::to_string(n) + ": " + f[0] + " " + f[1] + ", judged " +
                         std::string(core::to_string(v.kind)) + " (" + why + "): " + f[3] + " | " + f[4]);
    }
  }
  return r;
}

int run_pair_eval(const enrich::enricher& enr, const novelty::lexicon& lx, const novelty::index_config& cfg,
                  const std::string& path, bool verbose) {
  const auto r = evaluate_pairs(enr, lx, cfg, path);
  if (verbose) {
    for (const auto& e : r.errors) std::printf("%s\n", e.c_str());
    std::printf("\n");
  }
  std::printf("novelty pairs: %s (%zu pairs; rewrite threshold %.2f, duplicate threshold %.2f)\n\n", path.c_str(),
              r.pairs, cfg.rewrite_threshold, cfg.duplicate_threshold);
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| same-event precision | %.3f (%zu/%zu) |\n", r.same.precision(), r.same.tp, r.same.tp + r.same.fp);
  std::printf("| same-event recall | %.3f (%zu/%zu) |\n\n", r.same.recall(), r.same.tp, r.same.tp + r.same.fn);
  std::printf("| pair kind | judged right | pairs |\n|---|---|---|\n");
  for (const auto& [kind, x] : r.by_kind) std::printf("| %s | %zu | %zu |\n", kind.c_str(), x.first, x.second);
  return 0;
}

}  // namespace wirescan::app
