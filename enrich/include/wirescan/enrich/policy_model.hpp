#pragma once
// The policy-likelihood model: how likely a headline is to report a policy shock, whether or not
// a rule found one. A logistic regression over the headline's words and word pairs, trained by
// scripts/train-policy-model.py on the labelled sets and shipped as rules/policy-model.tsv
// (docs/quality.md, "A learned baseline"). It gives no category, actor or evidence span, so it
// is no shock: the event carries it as market_moving.policy_likelihood, beside the rules' shocks.
//
// features() is the trainer's feature function, byte for byte; a test holds the two to a fixture
// the trainer wrote (tests/data/policy-model-cases.tsv).
//
// Immutable after parse(); probability() may be called from any number of threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wirescan::enrich {

class policy_model {
 public:
  // The model in the file's text (`feature<TAB>weight` lines, "<bias>" the intercept, '#'
  // comments). Each bad line is one problem, prefixed with `where` and its line number; the
  // model is returned only when there is none.
  [[nodiscard]] static std::optional<policy_model> parse(std::string_view text, const std::string& where,
                                                         std::vector<std::string>& problems);

  // 1 / (1 + e^-(bias + the weights of the headline's distinct features)).
  [[nodiscard]] double probability(std::string_view headline) const;

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  // The distinct features of a text, sorted: its tokens and the pairs of neighbouring tokens
  // joined by one space (scripts/train-policy-model.py says how tokens are made).
  [[nodiscard]] static std::vector<std::string> features(std::string_view text);

 private:
  [[nodiscard]] double weight(std::uint64_t key) const noexcept;

  double bias_ = 0.0;
  // The weights by feature key (policy_model.cpp), in one open-addressed table at most half full.
  std::vector<std::uint64_t> keys_;
  std::vector<double> weights_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace wirescan::enrich
