#pragma once
// The compiled rule set: actors, policy triggers, stage/negation/hedge/urgency cues,
// products, company aliases and the symbol table, loaded from a rules folder (YAML and a
// TSV) and compiled into Vectorscan, so matching costs one pass over a text whatever the
// number of rules (two over a long body: names through all of it, the policy vocabulary
// through its lede).
//
// A rule_set is immutable once built and shared by shared_ptr<const rule_set>: readers on
// any thread may use it while a reload builds the next one. Scanning needs per-thread
// scratch space, which scan() keeps in a thread_local clone.

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <set>
#include <vector>

#include "wirescan/core/event.hpp"
#include "wirescan/core/result.hpp"
#include "wirescan/enrich/policy_model.hpp"
#include "wirescan/enrich/symbol_table.hpp"

namespace wirescan::enrich {

enum class pattern_kind : std::uint8_t {
  actor, trigger, stage, negation, hedge, urgency, product, name, exchange_symbol,
  background,   // "since", "caused by": the trigger names a past event, not news
  expectation,  // "price in", "speculate on": the trigger is what markets expect
  legal_suffix,  // ", Inc.", " Corp", " plc": the words before it may name a listed company
  opinion,       // "needs to", "should", "would favour": a preference, not a decision
  policymaker,   // "governor", "Fed's Barkin": the speaker sits on the deciding body
  commentary_subject,  // "inflation", "markets", "traders" opening a sentence: what it is about
  decider,             // "regulators", "the watchdog", "prosecutors": a deciding body named generically
  crypto_cue,          // built in: "crypto", "coin", "token", ... anywhere, even inside a word ("Bitcoin")
  institution,         // built in: "regulators", "central bank", ... only to follow an actor adjective (scan pairs them)
  reversal,            // "lifts", "scraps", "ends": right before a trigger, undoes the measure it names
};

struct actor_rule {
  std::string code;       // ISO country code or bloc
  std::string authority;  // empty for the country itself
  bool adjective = false; // "Chinese": stands for the actor only when no noun actor does
};

struct trigger_rule {
  std::string category;
  core::direction dir;
  bool needs_actor;
  // A noun that names a policy move ("rate hike", "a 75 bp increase") rather than a verb that
  // reports one: it counts only when a deciding body stands before it in the sentence (or
  // right after it: "hike by the RBI") and the sentence does not open with data, markets or
  // commentators ("UK inflation hits a high, adding pressure on the BoE to deliver a hike").
  bool named_move = false;
  // The direction is in the figures the phrase quotes, new first ("RATE DECISION ACTUAL: 0.50%
  // VS 0.00% PREVIOUS", an economic calendar's form): higher tightens, lower eases, the same is
  // no move. `dir` is unused then.
  bool by_numbers = false;
  // Who may act: the phrase counts only when its actor's code or authority is one of these
  // ("restricts Nvidia chips" is an import curb by China, an export control by the US). Empty:
  // any actor. Not empty implies needs_actor.
  std::vector<std::string> actors{};
  // A weak form, a reading for when nothing more specific says what the words are: it gives
  // way to another category's phrase over the same words (but regulatory_action's, itself the
  // fallback category), as "restricts exports of chips" is an export control, not a curb on chips.
  bool fallback = false;
  // The actor must stand before the phrase, as its subject: "Indonesia halts palm oil exports"
  // is a government's act, "Ford halts F-150 exports to China" a company's. Implies needs_actor.
  bool actor_before = false;
};

struct product_rule {
  std::string name;
  std::string symbol;
};

// Listed companies a shock reaches without the story naming them: the market's own buyers of
// a product it restricts, say (policy.yaml: exposures). A shock of one of the categories, with
// the actor among its actors and one of the targets among its targets, reaches each exposed
// symbol the story does not mention (findings::exposures).
struct exposure_rule {
  std::string name;                     // who they are, for people reading the rules
  std::vector<std::string> categories;  // taxonomy categories
  std::string actor;                    // a country code or authority among the shock's actors
  std::vector<std::string> targets;     // symbols or product names, any of them among the shock's targets
  std::vector<std::string> exposed;     // symbols the symbol table knows

  [[nodiscard]] bool reaches(const core::policy_shock& sh) const noexcept {
    const auto has = [](const std::vector<std::string>& xs, const std::string& x) {
      return std::find(xs.begin(), xs.end(), x) != xs.end();
    };
    return has(categories, sh.category) && has(sh.actors, actor) &&
           std::any_of(targets.begin(), targets.end(), [&](const std::string& t) { return has(sh.targets, t); });
  }
};

struct alias_rule {
  std::string symbol;
  core::asset_class asset;
  std::string name;
  bool prefer_crypto;
  bool derived = false;  // from the symbol lists rather than the curated alias file
};

struct pattern_info {
  pattern_kind kind;
  std::uint32_t index;  // into the vector of its kind (actors, triggers, ...) or the stage
  std::string source;   // "policy.yaml: triggers.tariff[0]: 'tariffs?'" for error messages
  // Whole-word matching is checked on each reported match rather than compiled in as \b:
  // word-boundary assertions multiply Vectorscan's compile time by ~70 at 10,000 phrases.
  bool word_start = false;
  bool word_end = false;
  // For an actor adjective ("Chinese"): the pattern of its institution form ("Chinese
  // regulators", a full actor), which is not compiled. scan() reports it where the adjective,
  // one space and an institution word follow each other: 51 adjectives times 24 institutions
  // were 1,224 phrases in the one pass, and the adjective is found anyway.
  std::uint32_t institution_form = no_form;
  static constexpr std::uint32_t no_form = UINT32_MAX;
};

// The kind of a legal suffix at the start of `s` (after an optional ", " or " "): 'I' Inc, 'C' Corp or
// Corporation, 'L' Ltd or Limited, 'P' plc, 'N' N.V., 'S' S.A. or SA, 'A' AG, 'E' SE; 0 for none.
char legal_kind(std::string_view s) noexcept;

// Whether the full stop at t[i] ends a sentence: it is followed by a space, a newline or the
// end, and does not close a single capital letter ("U.S.", "J.P.") or a common abbreviation
// ("Inc.", "Sen.", "vs."). The enricher's sentences end there, and the rules' sentence-bound
// gaps stop there and nowhere else (rule_set::scan).
[[nodiscard]] bool full_stop_ends(std::string_view t, std::size_t i) noexcept;

// The byte the scan reads a full stop that ends a sentence as (rule_set::scan); a full stop in a
// pattern's negated class ("[^.]{0,30}", the sentence-bound gap) is compiled as this byte, so the
// gap crosses "U.S.", "3.5" and "Inc." and stops at a sentence's end.
inline constexpr char sentence_stop = '\x1f';

struct rule_set {
  std::vector<actor_rule> actors;
  std::vector<trigger_rule> triggers;
  std::vector<product_rule> products;
  std::vector<exposure_rule> exposures;
  std::vector<alias_rule> aliases;
  std::vector<pattern_info> patterns;  // by Vectorscan pattern id
  // Every symbol the symbol lists or the aliases know: its listings, its alias, S&P 500 or not.
  symbol_table symbols;
  std::vector<std::string> sp500;  // S&P 500 constituents: bare tickers count for these
  // Other NASDAQ and NYSE companies' names without the suffix ("StepStone Group") -> index into aliases, looked up in
  // the words before a legal_suffix match, and the suffix's kind (legal_kind): a one-word name counts only with its
  // own kind of suffix ("Orion S.A." is listed, "Orion Corporation" is another company).
  struct listed_name {
    std::uint32_t alias;
    char kind;
  };
  std::unordered_map<std::string, listed_name> listed_names;
  std::optional<policy_model> likelihood;  // policy-model.tsv, when the folder has one
  std::string version;  // content hash of the rule files, for metrics and logs
  std::size_t phrase_count = 0;

  struct database;
  std::shared_ptr<database> db;

  struct match {
    std::uint32_t id;
    std::uint32_t from;
    std::uint32_t to;
  };
  // Every match in text (leftmost start per end), unordered. Thread-safe. Full stops that end a
  // sentence are scanned as sentence_stop, so a rule's sentence-bound gap crosses the others
  // ("cuts U.S. tariffs", "a £1.3mn penalty"); the offsets are the text's. The policy
  // vocabulary (actors, triggers, their cues) only where it starts before context_until, and
  // the text is scanned for it only that far (plus context_reach): the rest of a long body
  // costs only the names' pass. A text with no such limit inside it is scanned once for all.
  void scan(std::string_view text, std::vector<match>& out,
            std::size_t context_until = std::string_view::npos) const;
  std::size_t context_reach = 0;  // the longest a policy-vocabulary match can be

 private:
  void pair_institutions(std::string_view text, std::vector<match>& out, std::size_t first) const;

 public:

  [[nodiscard]] const symbol_info* lookup(std::string_view symbol, core::asset_class prefer) const noexcept {
    return symbols.lookup(symbol, prefer);
  }
};

// Loads dir/policy.yaml, dir/aliases.yaml and dir/symbols.tsv. On failure returns every
// problem found (bad YAML, unknown keys, patterns that do not compile, with file and rule).
[[nodiscard]] core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> load_rules(
    const std::string& dir);

// The rule files' contents, for load_rules_from (tests, the rules fuzzer).
struct rule_sources {
  std::string policy;   // policy.yaml
  std::string aliases;  // aliases.yaml
  std::string symbols;  // symbols.tsv
  std::string dir;      // names the files in problems
  std::string model = {};  // policy-model.tsv; empty: no policy likelihood
};

// The same from the files' text. Returns a rule set or problems for any text; never throws.
[[nodiscard]] core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> load_rules_from(
    const rule_sources& src);

// Builds a rule set from explicit trigger phrases only (for benchmarks of rule count).
[[nodiscard]] core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> synthetic_rules(
    const std::vector<std::string>& trigger_phrases);

}  // namespace wirescan::enrich
