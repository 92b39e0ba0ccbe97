// Where one story's time goes, part by part, on the in-process corpus (bench/corpus.hpp):
// decode, the Vectorscan pass alone (headline and body), the whole enricher (which includes
// that pass), counting the findings in the metrics, and writing the event. Interleaved
// rounds, median ns a story. Run it before optimising one part, to see what the part is worth.
//
// Then the same enricher on long stories: 20,000 of the corpus's headlines, each with a body
// of 2 to 9 paragraphs that are other stories' bodies (still only real headlines), because
// the corpus's one-paragraph bodies are all lede and a wire story is not. There the Vectorscan
// pass is timed as the enricher runs it (the policy vocabulary only up to the lede) and with
// the vocabulary through the whole body, side by side.
//
//   bench/story_parts [ROUNDS] [SHARED_DATA_DIR]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "pipeline.hpp"

using clk = std::chrono::steady_clock;
using wirescan::bench::median;
using wirescan::bench::ns_per;

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string data = argc > 2 ? argv[2] : WIRESCAN_SHARED_DATA;
  const auto corpus = wirescan::bench::load_corpus(data);
  const auto stories = wirescan::bench::corpus_payloads(corpus);

  wirescan::app::config cfg;
  cfg.novelty.enabled = false;
  wirescan::obs::metrics metrics;
  const auto enricher = wirescan::app::make_enricher(cfg);
  const auto& rules = *enricher->rules();
  const wirescan::app::pipeline pipe(cfg, metrics, enricher);
  wirescan::ingest::decoder decoder(pipe.decode_config());
  const auto now = wirescan::app::wall_now();
  wirescan::sinks::event_writer writer;

  // Decoded once, so the later parts run on the same stories without decoding again.
  std::vector<wirescan::core::story> decoded;
  std::vector<wirescan::core::findings> found;
  for (const auto& s : stories) {
    auto d = decoder.decode(s, now);
    if (!d) {
      std::fprintf(stderr, "corpus story refused: %s\n", d.error().detail.c_str());
      return 1;
    }
    decoded.push_back(std::move(*d));
  }
  found.resize(decoded.size());

  // The lede as the enricher takes it: the first paragraph, at most body_scan_bytes.
  const auto lede_size = [&](std::string_view body) {
    return std::min(body.substr(0, body.find('\n')).size(), cfg.enrich.body_scan_bytes);
  };
  std::vector<wirescan::core::story> long_stories;
  std::mt19937 rng(11);
  std::size_t long_bytes = 0;
  for (std::size_t i = 0; i < 20000 && i < decoded.size(); ++i) {
    auto st = decoded[i];
    st.body.clear();
    const int paragraphs = 2 + static_cast<int>(rng() % 8);
    for (int k = 0; k < paragraphs; ++k) {
      if (k > 0) st.body += '\n';
      st.body += decoded[rng() % decoded.size()].body;
    }
    long_bytes += st.headline.size() + st.body.size();
    long_stories.push_back(std::move(st));
  }
  std::vector<double> t_long_enrich, t_long_scan, t_long_scan_all;

  std::vector<double> t_decode, t_scan, t_enrich, t_count, t_write;
  std::size_t guard = 0;
  const auto per_story = [&](clk::time_point t0) { return ns_per(t0, stories.size()); };
  const auto per_long = [&](clk::time_point t0) { return ns_per(t0, long_stories.size()); };
  std::vector<wirescan::enrich::rule_set::match> ms;
  wirescan::core::story kept;  // decoded into, as the pipeline does: its storage reused
  for (int r = 0; r < rounds; ++r) {
    auto t0 = clk::now();
    for (const auto& s : stories) {
      guard += decoder.decode(s, now, 0, kept) ? 0 : kept.headline.size();
    }
    t_decode.push_back(per_story(t0));
    t0 = clk::now();
    for (const auto& s : decoded) {
      ms.clear();
      rules.scan(s.headline, ms);
      rules.scan(s.body, ms, lede_size(s.body));
      guard += ms.size();
    }
    t_scan.push_back(per_story(t0));
    t0 = clk::now();
    for (std::size_t i = 0; i < decoded.size(); ++i) found[i] = enricher->enrich(decoded[i]);
    t_enrich.push_back(per_story(t0));
    t0 = clk::now();
    for (const auto& f : found) metrics.count_findings(f);
    t_count.push_back(per_story(t0));
    t0 = clk::now();
    for (std::size_t i = 0; i < decoded.size(); ++i) {
      guard += writer.write(decoded[i], found[i], wirescan::core::timing{0, 0, 0}).size();
    }
    t_write.push_back(per_story(t0));
    t0 = clk::now();
    for (const auto& s : long_stories) guard += enricher->enrich(s).mentions.size();
    t_long_enrich.push_back(per_long(t0));
    for (const bool whole : {false, true}) {
      t0 = clk::now();
      for (const auto& s : long_stories) {
        ms.clear();
        rules.scan(s.headline, ms);
        rules.scan(s.body, ms, whole ? std::string_view::npos : lede_size(s.body));
        guard += ms.size();
      }
      (whole ? t_long_scan_all : t_long_scan).push_back(per_long(t0));
    }
  }
  const double dec = median(t_decode), scan = median(t_scan), enr = median(t_enrich), cnt = median(t_count),
               wr = median(t_write);
  const double total = dec + enr + cnt + wr;
  std::printf("%zu stories; %d interleaved rounds, median ns a story\n\n", stories.size(), rounds);
  std::printf("| part | ns/story | share |\n|---|---|---|\n");
  std::printf("| decode (simdjson On-Demand, checks, copies) | %.0f | %.0f%% |\n", dec, 100 * dec / total);
  std::printf("| enrich, all of it | %.0f | %.0f%% |\n", enr, 100 * enr / total);
  std::printf("| of which the Vectorscan pass (headline + body) | %.0f | %.0f%% |\n", scan, 100 * scan / total);
  std::printf("| of which the rest: cashtags, names, tickers, shocks, score | %.0f | %.0f%% |\n", enr - scan,
              100 * (enr - scan) / total);
  std::printf("| count the findings (metrics) | %.0f | %.0f%% |\n", cnt, 100 * cnt / total);
  std::printf("| write the event | %.0f | %.0f%% |\n", wr, 100 * wr / total);
  std::printf("| sum | %.0f | |\n", total);
  const double le = median(t_long_enrich), ls = median(t_long_scan), la = median(t_long_scan_all);
  std::printf("\nlong stories: %zu, %.0f bytes each on average, 2 to 9 paragraphs\n\n", long_stories.size(),
              static_cast<double>(long_bytes) / static_cast<double>(long_stories.size()));
  std::printf("| part | ns/story |\n|---|---|\n");
  std::printf("| enrich, all of it | %.0f |\n", le);
  std::printf("| of which the Vectorscan pass, policy vocabulary up to the lede (as enrich runs it) | %.0f |\n", ls);
  std::printf("| the same pass with the policy vocabulary through the whole body | %.0f |\n", la);
  std::printf("\n(checksum %zu)\n", guard);
  return 0;
}
