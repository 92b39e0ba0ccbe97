#pragma once
// `wirescan eval --pairs`: measures the novelty stage on a labelled set of headline pairs
// (tests/data/novelty/pairs.tsv): does it call the second story the same event as the first?
// Pure computation over a file; the tests pin its figures.

#include <map>
#include <string>
#include <vector>

#include "eval_command.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/novelty/index.hpp"

namespace wirescan::app {

struct pair_eval {
  std::size_t pairs = 0;
  prf same;  // "same event" as the positive class
  std::map<std::string, std::pair<std::size_t, std::size_t>> by_kind;  // kind -> (right, total)
  std::vector<std::string> errors;  // one line per disagreement, for --verbose
};

// Each pair runs through a fresh index: the first headline, then the second (an update
// reuses the first's source and id). Throws std::runtime_error for an unreadable file or row.
[[nodiscard]] pair_eval evaluate_pairs(const enrich::enricher& enr, const novelty::lexicon& lx,
                                       const novelty::index_config& cfg, const std::string& path);

// Prints the report; returns the exit code.
int run_pair_eval(const enrich::enricher& enr, const novelty::lexicon& lx, const novelty::index_config& cfg,
                  const std::string& path, bool verbose);

}  // namespace wirescan::app
