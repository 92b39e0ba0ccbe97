#pragma once
// `wirescan explain`: what the engine made of each story, phrase by phrase. For every trigger
// phrase in the headline and the lede it says whether it became a shock and, if not, which
// check stopped it and on what words ("opinion: cue \"needs to\""), then the story's findings.
// For rule authors and for anyone asking why a story was or was not flagged; the findings are
// those `wirescan enrich` writes.

#include <string>
#include <vector>

#include "config.hpp"
#include "wirescan/core/event.hpp"
#include "wirescan/core/story.hpp"
#include "wirescan/enrich/enricher.hpp"

namespace wirescan::app {

struct explain_options {
  std::vector<std::string> headlines;  // each a story of its own; none: read JSON Lines stories
  std::string input = "-";             // JSON Lines stories ('-' is stdin), when no headline is given
};

// One line a trigger phrase (two patterns on the same words with the same fate, once): its
// verdict, category/direction, field and span, its words, and what decided it. Shared with
// `wirescan eval --verbose`.
[[nodiscard]] std::vector<std::string> describe_triggers(const core::story& s, const enrich::explanation& why);

// One line: the shocks (category/direction/stage actors -> targets), the mentions, and the
// learned model's policy likelihood when the rules have a model.
[[nodiscard]] std::string describe_findings(const core::findings& f);

// Prints to stdout; a line that is not a story is said on stdout too, with its reason, and
// counted in the exit code (1 if any was refused). Throws std::runtime_error on I/O failure.
int run_explain(const explain_options& opts, const config& cfg, const enrich::enricher& enr);

}  // namespace wirescan::app
