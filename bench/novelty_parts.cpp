// What the novelty stage's parts cost per story, apart from the rest of the pipeline:
// fingerprinting (make_fingerprint), judging and remembering (index::assess) and the state
// record (encode), each timed alone over the in-process bench's corpus, in interleaved rounds.
//
//   bench/novelty_parts [ROUNDS] [SHARED_DATA_DIR]
//
// Stories are decoded and enriched once, before any timing. "fresh" assesses the corpus into a
// fresh index, as bench/inprocess does; "steady" fills the window with the corpus's first half
// and times the second half arriving as the first ages out, so each story also evicts one and
// the maps are at their working size: what a service that has run for a day pays.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "pipeline.hpp"
#include "wirescan/core/hash.hpp"
#include "wirescan/novelty/fingerprint.hpp"
#include "wirescan/novelty/index.hpp"

using clk = std::chrono::steady_clock;
using wirescan::bench::median;
using wirescan::bench::ns_per;

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string data = argc > 2 ? argv[2] : WIRESCAN_SHARED_DATA;
  const auto corpus = wirescan::bench::load_corpus(data);
  wirescan::app::config cfg;
  const auto enricher = wirescan::app::make_enricher(cfg);
  const auto lexicon = wirescan::novelty::load_lexicon(cfg.enrich.rules_dir);
  if (!lexicon) {
    std::fprintf(stderr, "novelty_parts: %s\n", lexicon.error().front().c_str());
    return 1;
  }
  std::vector<wirescan::core::story> stories(corpus.size());
  std::vector<wirescan::core::findings> findings;
  findings.reserve(corpus.size());
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    auto& s = stories[i];
    s.id = "s" + std::to_string(i);
    s.headline = corpus[i].headline;
    s.body = corpus[i].body;
    s.source = "bench";
    findings.push_back(enricher->enrich(s));
  }
  // Sized for the corpus, as bench/inprocess sizes its index (tables are sized at the start).
  const wirescan::novelty::index_config icfg{static_cast<std::int64_t>(cfg.novelty.window_minutes) * 60000,
                                             corpus.size(), cfg.novelty.rewrite_threshold,
                                             cfg.novelty.duplicate_threshold, cfg.novelty.decay};
  const std::size_t n = stories.size();
  std::vector<double> fp_ns, cold_ns, steady_ns, encode_ns, worst_ms;
  std::size_t guard = 0;
  std::array<std::size_t, 4> kinds{};  // what the fresh index decided, so a faster index can be seen to decide the same
  // The stage's inputs and outputs, made once and untimed: each story's fingerprint, and the
  // state record a fresh index gives it (what encode is timed on).
  std::vector<wirescan::novelty::fingerprint> fps(n);
  for (std::size_t i = 0; i < n; ++i) fps[i] = wirescan::novelty::make_fingerprint(stories[i], findings[i], lexicon.value());
  // Every fingerprint's every field, hashed in order: a faster fingerprint can be seen to make
  // the same ones.
  std::uint64_t fp_digest = 0;
  for (const auto& f : fps) {
    const auto add = [&](std::uint64_t x) { fp_digest = wirescan::core::mix64(fp_digest ^ x); };
    for (const auto x : f.features) add(x);
    add(f.features.size());
    for (const auto x : f.sequence) add(x);
    add(f.sequence.size());
    add(f.headline_hash);
    add(f.content_hash);
    add(f.story_key);
    add(f.lead_actor);
    add(f.initials);
  }
  std::vector<wirescan::novelty::record> records(n);
  {
    wirescan::novelty::index idx(icfg);
    for (std::size_t i = 0; i < n; ++i) {
      records[i] = idx.assess(stories[i], fps[i], 1000);
      ++kinds[static_cast<std::size_t>(records[i].verdict.kind)];
    }
  }
  // Timed as the pipeline calls them: into one fingerprint, one record and one buffer, reused.
  wirescan::novelty::fingerprint fp;
  wirescan::novelty::record rec;
  std::string bytes;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = clk::now();
    for (std::size_t i = 0; i < n; ++i) {
      wirescan::novelty::make_fingerprint(stories[i], findings[i], lexicon.value(), fp);
      guard += fp.features.size();
    }
    fp_ns.push_back(ns_per(t0, n));
    {
      wirescan::novelty::index idx(icfg);
      t0 = clk::now();
      double worst = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const auto one = clk::now();
        idx.assess(stories[i], fps[i], 1000, rec);
        guard += rec.verdict.similar_count;
        worst = std::max(worst, std::chrono::duration<double, std::milli>(clk::now() - one).count());
      }
      cold_ns.push_back(ns_per(t0, n));
      worst_ms.push_back(worst);
    }
    t0 = clk::now();
    for (const auto& one : records) {
      wirescan::novelty::encode(one, bytes);
      guard += bytes.size();
    }
    encode_ns.push_back(ns_per(t0, n));
    {
      // The corpus's first half fills the window; the second half, arriving as the first half's
      // stories age out, is timed: each story is judged against a full window and evicts one.
      wirescan::novelty::index idx(icfg);
      const std::size_t half = n / 2;
      const std::int64_t step = icfg.window_ms / static_cast<std::int64_t>(half);
      for (std::size_t i = 0; i < half; ++i) idx.assess(stories[i], fps[i], static_cast<std::int64_t>(i) * step, rec);
      t0 = clk::now();
      for (std::size_t i = half; i < n; ++i) {
        idx.assess(stories[i], fps[i], static_cast<std::int64_t>(i) * step + 1, rec);
        guard += rec.verdict.similar_count;
      }
      steady_ns.push_back(ns_per(t0, n - half));
      guard += idx.stats().evicted;
    }
  }
  std::printf("novelty stage parts: %zu stories, %d interleaved rounds, median ns per story\n\n", n, rounds);
  std::printf("| part | ns/story |\n|---|---|\n");
  std::printf("| make_fingerprint | %.0f |\n", median(fp_ns));
  std::printf("| assess, fresh index (as bench/inprocess) | %.0f |\n", median(cold_ns));
  std::printf("| assess, steady state (full window, one eviction per story) | %.0f |\n", median(steady_ns));
  std::printf("| encode the state record | %.0f |\n", median(encode_ns));
  std::printf("\nslowest single assess on the fresh index: %.2f ms\n", median(worst_ms));
  // What the state topic carries for each story (before the batch's framing and compression),
  // against the stories' own size: every instance writes it, and reads every other's.
  std::size_t record_bytes = 0;
  std::size_t story_bytes = 0;
  std::size_t features = 0;
  std::size_t sequence = 0;
  for (std::size_t i = 0; i < n; ++i) {
    wirescan::novelty::encode(records[i], bytes);
    record_bytes += bytes.size();
    story_bytes += stories[i].headline.size() + stories[i].body.size();
    features += fps[i].features.size();
    sequence += fps[i].sequence.size();
  }
  std::printf("\nstate record: %.0f bytes a story on average (%.1f features and %.1f sequence words of 8 bytes), "
              "against %.0f bytes of headline and body\n",
              static_cast<double>(record_bytes) / static_cast<double>(n),
              static_cast<double>(features) / static_cast<double>(n),
              static_cast<double>(sequence) / static_cast<double>(n),
              static_cast<double>(story_bytes) / static_cast<double>(n));
  std::printf("\nverdicts on the fresh index: %zu new, %zu updates, %zu duplicates, %zu rewrites\n",
              kinds[static_cast<std::size_t>(wirescan::core::novelty_kind::fresh)],
              kinds[static_cast<std::size_t>(wirescan::core::novelty_kind::update)],
              kinds[static_cast<std::size_t>(wirescan::core::novelty_kind::duplicate)],
              kinds[static_cast<std::size_t>(wirescan::core::novelty_kind::rewrite)]);
  std::printf("fingerprints' digest: %016llx\n", static_cast<unsigned long long>(fp_digest));
  std::printf("\n(checksum %zu)\n", guard);
  return 0;
}
