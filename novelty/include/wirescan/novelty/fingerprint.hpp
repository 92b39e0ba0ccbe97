#pragma once
// What the novelty stage compares: a story reduced to a sorted set of features (content
// words, symbols, actors, policy categories and directions, numbers) plus exact hashes.
//
// The lexicon (rules/novelty.yaml: stopwords, wire noise, synonyms) is immutable once
// loaded and may be shared by any number of threads. make_fingerprint is pure.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wirescan/core/event.hpp"
#include "wirescan/core/result.hpp"
#include "wirescan/core/story.hpp"
#include "wirescan/novelty/flat_map.hpp"

namespace wirescan::novelty {

// The top three bits of a feature say what it is; guards compare features of one kind.
// name: a word outside the common-news vocabulary, most often a company or person.
// reversal: a word that turns the meaning around ("lifts", "not").
enum class feature_kind : std::uint8_t {
  word = 0, symbol = 1, actor = 2, policy = 3, direction = 4, number = 5, name = 6, reversal = 7
};

[[nodiscard]] constexpr feature_kind kind_of(std::uint64_t feature) noexcept {
  return static_cast<feature_kind>(feature >> 61);
}

// Built from the word lists at load, keyed by hash64 of the word, so a word costs one flat
// lookup: stem -> its feature (0 for a stopword; a stem not in it is a name), and the
// wire-noise words (dropped, and a number right after them too: "UPDATE 2").
struct lexicon {
  flat_map64 by_stem;
  flat_map64 noise;
};

// Parses novelty.yaml's text and novelty-vocabulary.txt's (one word per line, '#' comments);
// every problem at once. name labels the problems.
[[nodiscard]] core::result<lexicon, std::vector<std::string>> parse_lexicon(const std::string& yaml,
                                                                           const std::string& vocabulary,
                                                                           const std::string& name);
// Reads dir/novelty.yaml and dir/novelty-vocabulary.txt.
[[nodiscard]] core::result<lexicon, std::vector<std::string>> load_lexicon(const std::string& dir);

// A light suffix stripper: "restricts", "restricted", "restricting" -> "restrict".
[[nodiscard]] std::string stem(std::string word);
void stem_in_place(std::string& word);

struct fingerprint {
  std::vector<std::uint64_t> features;  // sorted, unique
  std::uint64_t headline_hash = 0;      // the headline's words in order, wire noise dropped
  std::uint64_t content_hash = 0;       // headline and body bytes: the same story re-read
  std::uint64_t story_key = 0;          // source and id: the same story updated
  std::uint64_t lead_actor = 0;         // the headline's first actor feature (its subject), 0 if none
  // The headline's features in reading order, stopwords left out and a mention's or actor's
  // words as one feature: what the same-template guard compares.
  std::vector<std::uint64_t> sequence;
  // The first letters of the sequence's first eight words, one byte each (first word lowest):
  // lets the template guard see an acronym and its words as one subject.
  std::uint64_t initials = 0;
};

// What the guards below read of a fingerprint: a fingerprint itself, or one the index keeps
// in its own storage.
struct fingerprint_view {
  std::span<const std::uint64_t> features;
  std::span<const std::uint64_t> sequence;
  std::uint64_t lead_actor = 0;
  std::uint64_t initials = 0;

  fingerprint_view(std::span<const std::uint64_t> f, std::span<const std::uint64_t> seq, std::uint64_t lead,
                   std::uint64_t init) noexcept
      : features(f), sequence(seq), lead_actor(lead), initials(init) {}
  fingerprint_view(const fingerprint& fp) noexcept  // NOLINT: implicit by design
      : features(fp.features), sequence(fp.sequence), lead_actor(fp.lead_actor), initials(fp.initials) {}
};

// Features come from the headline: words inside a mention's or an actor's span are replaced
// by the symbol or actor they stand for, so "Beijing curbs Nvidia's" and "China restricts
// NVDA" share them; policy triggers add their category and direction.
[[nodiscard]] fingerprint make_fingerprint(const core::story& s, const core::findings& f, const lexicon& lx);
// The same into out, reusing its buffers (no allocation once they have grown).
void make_fingerprint(const core::story& s, const core::findings& f, const lexicon& lx, fingerprint& out);

// How many features two sorted feature sets share.
[[nodiscard]] std::size_t shared_count(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept;
// Jaccard similarity of two sorted feature sets.
[[nodiscard]] double jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept;

// Whether two stories cannot be the same event however many words they share:
// - each names a company or person (a symbol, or a word outside the common vocabulary) that
//   the other does not ("Schall Law Firm encourages investors in NIO" / "... in Humanigen");
// - each carries a number the other does not ("Nikkei opens up 0.35%" / "up 0.25%");
// - they share a policy category but not its direction, or only one has a reversal word
//   ("China lifts ban on Micron" / "China bans Micron");
// - their headlines lead with different actors ("US restricts chip exports to China" against
//   "China restricts chip imports");
// - they are one template with different subjects: at least three trailing features in the
//   same order, and what comes before differs on both sides ("OneWater Marine prices initial
//   public offering" / "Professional Holding prices initial public offering").
[[nodiscard]] bool conflicting(fingerprint_view a, fingerprint_view b) noexcept;
// Which of those guards keeps a and b apart, in words; empty when none does.
[[nodiscard]] std::string_view conflict_reason(fingerprint_view a, fingerprint_view b) noexcept;

}  // namespace wirescan::novelty
