#pragma once
// `wirescan enrich`: the file/stdin mode of the pipeline. Reads JSON Lines stories, writes
// one enriched event per accepted story in input order, and one reject report per refused
// line. Counts everything in the metric catalogue.

#include <atomic>
#include <memory>
#include <string>

#include "config.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/obs/metrics.hpp"

namespace wirescan::app {

struct enrich_options {
  std::string input = "-";
  std::string output = "-";
  std::string rejects;  // empty: each reject is logged on stderr instead
  // 1: everything on this thread. N: stories decoded and enriched on N-1 more threads too, a
  // few ahead (staged_pipeline), with the same output in the same order. 0: one more than
  // read_cpu_limit().preparers() (cpus.hpp): the CPUs the process may use, at most 5.
  unsigned threads = 0;
};

struct enrich_summary {
  std::size_t lines = 0;
  std::size_t events = 0;
  std::size_t rejected = 0;
  double seconds = 0;
  unsigned threads = 1;  // that decoded and enriched stories
};

// Throws std::runtime_error on I/O failure (unreadable input, unwritable output).
// reload: set by SIGHUP; the rules are reloaded between two lines (a refused rule set is
// logged and the old one kept).
enrich_summary run_enrich(const enrich_options& opts, const config& cfg, obs::metrics& m,
                          std::shared_ptr<const enrich::enricher> enr, std::atomic<bool>* reload = nullptr);

}  // namespace wirescan::app
