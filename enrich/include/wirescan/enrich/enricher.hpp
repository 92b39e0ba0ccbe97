#pragma once
// The enrichment step: a pure function from a story to its findings.
//
// No I/O, no clock, no threads: everything it needs (the compiled rule_set, the scoring
// settings) is given at construction and never changes, so one enricher may be shared
// by any number of threads. To change rules, build a new enricher and swap the pointer
// (see app's reload): stories in flight finish on the enricher they started with.
//
// Detectors: cashtags (twitter-text plus wire typography), company and asset names,
// product names, exchange-qualified symbols, the wire's pre-tagged tickers, and policy
// shocks (a trigger phrase, the nearest actor in the same sentence, the stage cue next to
// it). The market-moving score combines them; docs/scoring.md gives the formula.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wirescan/core/event.hpp"
#include "wirescan/core/story.hpp"
#include "wirescan/enrich/rules.hpp"

namespace wirescan::enrich {

// Why each trigger phrase in the headline and the lede did or did not become a shock, for
// `wirescan explain` and `wirescan eval`'s causes of misses. The order is the order of the
// engine's checks: a phrase stopped by one check was not judged by the later ones.
enum class trigger_verdict : std::uint8_t {
  shock,         // became a shock, or joined one of the same category and direction
  hold,          // direction by numbers, and the two figures are the same
  background,    // a background cue holds it or stands just before it ("since Russia's invasion")
  expectation,   // an expectation cue before it ("markets price in a hike")
  opinion,       // an opinion cue before it, and no policymaker speaks ("needs to raise rates")
  negated,       // a negation near it ("rules out tariffs")
  no_actor,      // its rule needs an actor or a deciding body, and the sentence names none
  actor_after,   // its rule needs the actor before the phrase, as the subject
  other_actor,   // its rule says who may act, and the actor is someone else
  no_decider,    // a named move ("rate hike") without its decider before it or joined after it
  commentary,    // a named move in a sentence about data, markets or commentators
  gave_way,      // another shock in the sentence took its words or its place
};
[[nodiscard]] std::string_view to_string(trigger_verdict v) noexcept;

struct trigger_note {
  core::story_field field = core::story_field::headline;
  std::uint32_t from = 0, to = 0;  // the phrase, from the reversal cue if one turned it
  std::string category;
  core::direction dir = core::direction::tightening;
  trigger_verdict verdict = trigger_verdict::shock;
  std::uint32_t cue_from = 0, cue_to = 0;  // what decided it, in the same field; cue_to == 0 when nothing did
};

struct explanation {
  std::vector<trigger_note> triggers;  // in the order the engine judged them
};

struct enricher_config {
  std::size_t body_scan_bytes = 1024;  // the lede (first paragraph, at most this much) is searched for shocks
  std::map<std::string, double> source_weights;  // by story source; default 1.0
  bool policy_likelihood = true;  // false: no market_moving.policy_likelihood, even with a model loaded
};

class enricher {
 public:
  // Without rules: cashtags and pre-tagged tickers only (asset class unknown).
  enricher() = default;
  explicit enricher(std::shared_ptr<const rule_set> rules, enricher_config cfg = {});

  // With `why`, also says what became of every trigger phrase; the findings are the same.
  [[nodiscard]] core::findings enrich(const core::story& s, explanation* why = nullptr) const;

  [[nodiscard]] const std::shared_ptr<const rule_set>& rules() const noexcept { return rules_; }

 private:
  std::shared_ptr<const rule_set> rules_;
  enricher_config cfg_;
};

// Severity of a shock category in the score (0..1); docs/scoring.md.
[[nodiscard]] double category_severity(std::string_view category) noexcept;

}  // namespace wirescan::enrich
