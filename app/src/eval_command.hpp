#pragma once
// `wirescan eval`: measures enrichment quality on a labelled set (tests/data/devset.jsonl)
// and, optionally, the share of stories flagged as policy shocks per topic label of the
// finance-tweet topic set. Pure computation over files; the tests pin its figures.

#include <map>
#include <string>
#include <vector>

#include "wirescan/enrich/enricher.hpp"

namespace wirescan::app {

struct prf {
  std::size_t tp = 0, fp = 0, fn = 0;
  [[nodiscard]] double precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp); }
  [[nodiscard]] double recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn); }
};

struct eval_result {
  std::size_t rows = 0;
  std::size_t gold_shock_rows = 0;
  prf detection;                         // story level: has any shock
  std::map<std::string, prf> by_category;  // (story, category) pairs
  std::size_t predicted_in_tp = 0, category_correct = 0;  // shocks predicted in true-positive stories
  std::size_t direction_checked = 0, direction_correct = 0;
  prf symbols;  // (story, symbol) pairs
  // The policy-likelihood model (rules/policy-model.tsv), when the rules have one, at
  // model_threshold: alone, and a story flagged by the rules or by it. It was trained on the
  // labelled sets, so on them these overstate it; a set drawn after it measures it.
  bool has_model = false;
  prf model, rules_or_model;
  std::vector<std::string> errors;  // one line per disagreement, for --verbose
  // Each labelled (story, category) the engine missed, by what became of the category's first
  // phrase in the story (enrich::trigger_verdict's names), or "no_phrase" when it had none.
  std::map<std::string, std::size_t> miss_causes;
  [[nodiscard]] double category_accuracy() const {
    return predicted_in_tp == 0 ? 1.0 : static_cast<double>(category_correct) / static_cast<double>(predicted_in_tp);
  }
  [[nodiscard]] double direction_accuracy() const {
    return direction_checked == 0 ? 1.0 : static_cast<double>(direction_correct) / static_cast<double>(direction_checked);
  }
};

// The policy likelihood at which eval counts a story as flagged by the model.
inline constexpr double model_threshold = 0.7;

// Throws std::runtime_error when the file cannot be read or a row is not valid.
[[nodiscard]] eval_result evaluate(const enrich::enricher& enr, const std::string& devset_path);

struct topic_share {
  std::size_t stories = 0;
  std::size_t flagged = 0;
};
// Flags every row of the finance-tweet topic CSV and counts per label (0..19).
[[nodiscard]] std::map<int, topic_share> topic_shares(const enrich::enricher& enr, const std::string& csv_path);

// RFC 4180 records: quoted fields with "" escapes and embedded newlines.
[[nodiscard]] std::vector<std::vector<std::string>> parse_csv(const std::string& text);

// Prints the report; returns the exit code.
int run_eval(const enrich::enricher& enr, const std::string& devset, const std::string& topics, bool verbose);

}  // namespace wirescan::app
