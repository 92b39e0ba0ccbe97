#pragma once
// The one processing path every input mode shares: bytes → decode → enrich → serialise.
// `wirescan enrich` and `wirescan run` both go through it, so file mode and Kafka mode
// cannot drift apart. A story's work comes in two halves: prepare() (decode, enrich and the
// novelty fingerprint, which keep no state between stories) and finish() (the novelty
// index's verdict, which depends on story order, and the event). process() does both; a
// staged_pipeline (staged.hpp) runs prepare() on a thread of its own, a few stories ahead of
// finish(), and on the caller's while it waits.
// Not thread-safe beyond that split: one pipeline per processing path.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>
#include <string_view>

#include "config.hpp"
#include "wirescan/core/reject.hpp"
#include "wirescan/enrich/enricher.hpp"
#include "wirescan/ingest/decoder.hpp"
#include "wirescan/novelty/index.hpp"
#include "wirescan/obs/metrics.hpp"
#include "wirescan/sinks/event_json.hpp"

namespace wirescan::app {

struct processed {
  bool accepted = false;
  std::string_view event;     // the event JSON when accepted; valid until the next process()
  std::string_view story_id;  // valid until the next process()
  std::string_view primary_symbol;  // first mention's symbol, empty when none
  std::optional<core::epoch_ms> published_at;
  core::reject rejection;     // when not accepted
  // The novelty stage's verdict, when it runs.
  std::optional<core::novelty_kind> novelty;
  // The story's record for the novelty state topic: empty when state is not shared or the
  // story was a re-read of one already remembered. Valid until the next process().
  std::string_view state_record;
  std::string_view state_key;
};

// Loads the rules named by the config into an enricher; throws config_error listing every
// problem in the rule files.
[[nodiscard]] std::shared_ptr<const enrich::enricher> make_enricher(const config& cfg);

// Loads <rules_dir>/novelty.yaml and novelty-vocabulary.txt; throws config_error listing every problem in it.
[[nodiscard]] std::shared_ptr<const novelty::lexicon> make_lexicon(const config& cfg);

// The novelty index's settings from the config.
[[nodiscard]] novelty::index_config novelty_settings(const config& cfg);

// One story between prepare() and finish(). Reused from story to story.
struct prepared {
  bool accepted = false;
  core::reject rejection;  // when not accepted
  core::story story;
  core::findings findings;
  // The headline's novelty fingerprint, when the novelty stage runs: pure, like the enricher,
  // so it is made here rather than in finish(), where the index's order-bound work is.
  novelty::fingerprint fingerprint;
  core::epoch_ms received{0};
  std::chrono::steady_clock::time_point start;
};

class pipeline {
 public:
  // share_state: produce state records for the novelty state topic (run with persist).
  pipeline(const config& cfg, obs::metrics& m, std::shared_ptr<const enrich::enricher> enr, bool share_state = false);

  // Swaps in new rules between stories: the story being processed (if any) finished on
  // the old ones. A rule set that fails to load is refused and the old one stays; the
  // problems are returned. Counted in wirescan_rule_reloads_total{result}.
  std::vector<std::string> reload(const config& cfg);

  // full_size: the real length when bytes is only a prefix (see ingest::line_reader).
  processed process(std::string_view bytes, std::size_t full_size = 0);

  // The first half of process(): decode, enrich and fingerprint into p. It touches only the
  // decoder, the rules and the novelty lexicon (safe to share) and the (thread-safe) metrics,
  // so it may run on another thread than finish(), and never while reload() runs.
  void prepare(std::string_view bytes, std::size_t full_size, prepared& p) { prepare(bytes, full_size, p, decoder_); }
  // The same with a decoder of the caller's (made from decode_config()), so two threads can
  // prepare stories at once, each with its own.
  void prepare(std::string_view bytes, std::size_t full_size, prepared& p, ingest::decoder& dec);
  [[nodiscard]] const ingest::decoder_config& decode_config() const noexcept { return decoder_.config(); }
  // The second half: the novelty stage and the event. Stories must come in input order.
  // The result's views point into p and this pipeline, valid until either is reused.
  processed finish(prepared& p);

  // Takes in a record from the novelty state topic (another instance's stories, or this
  // service's before a restart): one story's, or a batch of them. Returns false when the bytes,
  // or any story's record in the batch, are not one; the valid ones are applied all the same.
  bool apply_state(std::string_view record_bytes);

  [[nodiscard]] const novelty::index* novelty_index() const noexcept { return novelty_ ? &*novelty_ : nullptr; }

 private:
  ingest::decoder decoder_;
  std::shared_ptr<const enrich::enricher> enricher_;
  sinks::event_writer writer_;
  obs::metrics& metrics_;
  prepared current_;  // process()'s own
  std::shared_ptr<const novelty::lexicon> lexicon_;
  std::optional<novelty::index> novelty_;
  bool share_state_;
  double likely_at_;  // enrich.likelihood_threshold
  // Reused from story to story, so the stage allocates nothing once they have grown.
  novelty::record verdict_;
  std::string record_;
  std::string record_key_;
};

[[nodiscard]] core::epoch_ms wall_now();

}  // namespace wirescan::app
