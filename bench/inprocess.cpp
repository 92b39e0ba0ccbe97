// In-process throughput: wirescan's decode -> enrich -> serialise against simdjson's own
// parse of the same stories and against memcpy, in interleaved rounds on one corpus.
//
//   bench/inprocess [ROUNDS] [SHARED_DATA_DIR] [STAGING_THREADS]
//
// STAGING_THREADS (default 1, what `wirescan run` starts on two CPUs): the threads that
// decode and enrich beside the one that finishes, in the staged rows. More than one needs
// more than two cores to mean anything (kafka.prepare_threads, docs/operations.md).
//
// Corpus: bench/corpus.hpp (real headlines; bodies concatenate other real headlines). The
// parse baseline is simdjson's DOM parse of each story (what "parse this JSON" costs with
// simdjson); memcpy of the same bytes is the ceiling.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <malloc.h>
#include <unistd.h>

#include <simdjson.h>

#include "corpus.hpp"
#include "pipeline.hpp"
#include "staged.hpp"

using clk = std::chrono::steady_clock;
using wirescan::bench::median;

namespace {

struct input {
  std::string_view payload;
};

// Every story through a staged_pipeline (prepare on `threads` threads of their own, and here
// while the oldest is not ready; finish here), as `wirescan run` does; returns stories/s and
// adds the stories prepared here to `here`.
double run_staged(wirescan::app::pipeline& pipe, const std::vector<std::string>& stories, std::size_t threads,
                  std::size_t& guard, double& here) {
  wirescan::app::staged_pipeline<input> staged(pipe, 64, threads);
  const auto finish = [&](auto& s) { guard += pipe.finish(s.story).event.size(); };
  const auto t0 = clk::now();
  for (const auto& s : stories) {
    if (staged.full()) {
      finish(*staged.front(true));
      staged.pop();
    }
    staged.push({s});
  }
  staged.drain(finish);
  const double rate = static_cast<double>(stories.size()) / std::chrono::duration<double>(clk::now() - t0).count();
  here += static_cast<double>(staged.prepared_here()) / static_cast<double>(stories.size());
  return rate;
}

}  // namespace

// Resident set size, from /proc/self/statm.
std::size_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string data = argc > 2 ? argv[2] : WIRESCAN_SHARED_DATA;
  const std::size_t staging = argc > 3 ? static_cast<std::size_t>(std::max(1, std::atoi(argv[3]))) : 1;
  const auto corpus = wirescan::bench::load_corpus(data);
  const auto stories = wirescan::bench::corpus_payloads(corpus);
  std::size_t bytes = 0;
  for (const auto& s : stories) bytes += s.size();

  wirescan::app::config cfg;
  // The index holds the whole corpus and its tables are sized for it (they are sized for
  // max_entries at the start), so the RSS it adds is what a full index costs per story.
  cfg.novelty.max_entries = stories.size();
  wirescan::obs::metrics metrics;
  const auto enricher = wirescan::app::make_enricher(cfg);
  // "wirescan" is the pipeline without the novelty stage; "with novelty" adds it, on a fresh
  // index each round (a re-read story takes a cheaper path than a new one).
  auto cfg_plain = cfg;
  cfg_plain.novelty.enabled = false;
  wirescan::app::pipeline pipe(cfg_plain, metrics, enricher);
  std::vector<double> r_novelty;
  double bytes_per_entry = 0;
  double table_bytes = 0;
  double heap_per_entry = 0;
  simdjson::dom::parser parser;
  std::vector<char> sink(1 << 20);
  std::vector<double> r_memcpy, r_simdjson, r_wirescan, r_staged, r_staged_novelty;
  double here_staged = 0, here_staged_novelty = 0;  // shares prepared on the caller's thread, summed over rounds
  std::size_t guard = 0;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = clk::now();
    for (const auto& s : stories) {
      std::memcpy(sink.data(), s.data(), s.size());
      guard += static_cast<unsigned char>(sink[s.size() / 2]);
    }
    r_memcpy.push_back(static_cast<double>(stories.size()) / std::chrono::duration<double>(clk::now() - t0).count());
    t0 = clk::now();
    for (const auto& s : stories) {
      simdjson::dom::element doc;
      if (parser.parse(s).get(doc) == simdjson::SUCCESS) ++guard;
    }
    r_simdjson.push_back(static_cast<double>(stories.size()) / std::chrono::duration<double>(clk::now() - t0).count());
    t0 = clk::now();
    for (const auto& s : stories) guard += pipe.process(s).event.size();
    r_wirescan.push_back(static_cast<double>(stories.size()) / std::chrono::duration<double>(clk::now() - t0).count());
    r_staged.push_back(run_staged(pipe, stories, staging, guard, here_staged));
    {
      wirescan::app::pipeline with_novelty(cfg, metrics, enricher);
      r_staged_novelty.push_back(run_staged(with_novelty, stories, staging, guard, here_staged_novelty));
    }
    {
      const auto rss_before = rss_bytes();
      const auto heap_before = mallinfo2().uordblks;
      wirescan::app::pipeline with_novelty(cfg, metrics, enricher);
      t0 = clk::now();
      for (const auto& s : stories) guard += with_novelty.process(s).event.size();
      r_novelty.push_back(static_cast<double>(stories.size()) / std::chrono::duration<double>(clk::now() - t0).count());
      if (r == 0) {
        const auto st = with_novelty.novelty_index()->stats();
        bytes_per_entry = static_cast<double>(rss_bytes() - rss_before) / static_cast<double>(st.entries);
        table_bytes = static_cast<double>(st.table_bytes);
        heap_per_entry = static_cast<double>(mallinfo2().uordblks - heap_before) / static_cast<double>(st.entries);
      }
    }
  }
  const double avg = static_cast<double>(bytes) / static_cast<double>(stories.size());
  const double mc = median(r_memcpy), sj = median(r_simdjson), ws = median(r_wirescan);
  std::printf("corpus: %zu stories, %.1f MB, %.0f bytes/story; %d interleaved rounds, median shown\n\n",
              stories.size(), static_cast<double>(bytes) / 1e6, avg, rounds);
  std::printf("| path | stories/s | MB/s | vs simdjson parse |\n|---|---|---|---|\n");
  std::printf("| memcpy (ceiling) | %.0f | %.0f | %.2f |\n", mc, mc * avg / 1e6, mc / sj);
  std::printf("| simdjson DOM parse | %.0f | %.0f | 1.00 |\n", sj, sj * avg / 1e6);
  std::printf("| wirescan decode + enrich + serialise | %.0f | %.0f | %.2f |\n", ws, ws * avg / 1e6, ws / sj);
  const double nv = median(r_novelty);
  std::printf("| the same with the novelty stage | %.0f | %.0f | %.2f |\n", nv, nv * avg / 1e6, nv / sj);
  const double st = median(r_staged), stn = median(r_staged_novelty);
  const std::string threads = staging == 1 ? "two threads" : std::to_string(staging + 1) + " threads";
  std::printf("| %s: decode + enrich on %s, serialise on one | %.0f | %.0f | %.2f |\n", threads.c_str(),
              staging == 1 ? "both" : "all", st, st * avg / 1e6, st / sj);
  std::printf("| %s, with the novelty stage (as `wirescan run`) | %.0f | %.0f | %.2f |\n", threads.c_str(), stn,
              stn * avg / 1e6, stn / sj);
  std::printf("\nnovelty stage, %s: %.1f%% of in-process throughput\n", threads.c_str(), 100.0 * (1.0 - stn / st));
  std::printf("\n%s: the serialising thread decoded and enriched %.0f%% of the stories itself (%.0f%% with "
              "the novelty stage; mean over rounds)\n", threads.c_str(), 100.0 * here_staged / rounds,
              100.0 * here_staged_novelty / rounds);
  std::printf("\nnovelty stage: %.1f%% of in-process throughput; about %.0f bytes of RSS per remembered story "
              "(first round, an index sized for the corpus): hash tables sized at the start, %.0f bytes a story, "
              "and %.0f bytes of heap a story\n", 100.0 * (1.0 - nv / ws), bytes_per_entry,
              table_bytes / static_cast<double>(stories.size()), heap_per_entry);
  std::printf("\n(checksum %zu)\n", guard);
  return 0;
}
