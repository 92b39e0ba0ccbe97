#include "explain_command.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "wirescan/ingest/decoder.hpp"
#include "wirescan/ingest/line_reader.hpp"

namespace wirescan::app {
namespace {

std::string_view field_text(const core::story& s, core::story_field f) {
  return f == core::story_field::headline ? std::string_view(s.headline) : std::string_view(s.body);
}

// The words a span covers, quoted; control characters and quotes escaped so a line stays one line.
std::string quoted(std::string_view text, std::uint32_t from, std::uint32_t to) {
  std::string out = "\"";
  if (from <= to && to <= text.size()) {
    for (const char c : text.substr(from, to - from)) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) < 0x20) {
        out += ' ';
        continue;
      }
      out += c;
    }
  }
  return out + "\"";
}

// What the cue span is, by verdict: the actor a shock or an actor check saw, the phrase a shock
// gave way to, or the cue that stopped it.
std::string_view cue_role(enrich::trigger_verdict v) {
  switch (v) {
    case enrich::trigger_verdict::shock:
    case enrich::trigger_verdict::no_actor:
    case enrich::trigger_verdict::actor_after:
    case enrich::trigger_verdict::other_actor:
    case enrich::trigger_verdict::no_decider: return "actor";
    case enrich::trigger_verdict::gave_way: return "to";
    default: return "cue";
  }
}

}  // namespace

std::vector<std::string> describe_triggers(const core::story& s, const enrich::explanation& why) {
  std::vector<std::string> lines;
  lines.reserve(why.triggers.size());
  for (const auto& n : why.triggers) {
    const auto text = field_text(s, n.field);
    // A hold has no direction: its figures are the same.
    std::string line = fmt::format("{:<11} {}{}{} {} {}-{} {}", enrich::to_string(n.verdict), n.category,
                                   n.verdict == enrich::trigger_verdict::hold ? "" : "/",
                                   n.verdict == enrich::trigger_verdict::hold ? "" : core::to_string(n.dir),
                                   core::to_string(n.field), n.from, n.to, quoted(text, n.from, n.to));
    if (n.cue_to != 0) line += fmt::format(", {} {}", cue_role(n.verdict), quoted(text, n.cue_from, n.cue_to));
    // Two patterns can match the same words and meet the same fate: say it once.
    if (std::find(lines.begin(), lines.end(), line) == lines.end()) lines.push_back(std::move(line));
  }
  return lines;
}

std::string describe_findings(const core::findings& f) {
  std::string out = "shocks:";
  if (f.policy_shocks.empty()) out += " none";
  for (std::size_t i = 0; i < f.policy_shocks.size(); ++i) {
    const auto& sh = f.policy_shocks[i];
    out += fmt::format("{} {}/{}/{}", i == 0 ? "" : ";", sh.category, core::to_string(sh.dir), core::to_string(sh.stg));
    if (!sh.actors.empty()) out += fmt::format(" {}", fmt::join(sh.actors, ","));
    if (!sh.targets.empty()) out += fmt::format(" -> {}", fmt::join(sh.targets, ","));
  }
  out += " | mentions:";
  if (f.mentions.empty()) out += " none";
  for (std::size_t i = 0; i < f.mentions.size(); ++i) {
    out += fmt::format("{} {}", i == 0 ? "" : ",", f.mentions[i].symbol);
  }
  if (f.market.policy_likelihood) out += fmt::format(" | policy likelihood {:.3f}", *f.market.policy_likelihood);
  return out;
}

int run_explain(const explain_options& opts, const config& cfg, const enrich::enricher& enr) {
  const auto show = [&](const std::string& label, const core::story& s) {
    enrich::explanation why;
    const auto f = enr.enrich(s, &why);
    std::printf("%s: %s\n", label.c_str(), s.headline.c_str());
    if (why.triggers.empty()) std::printf("  no trigger phrase in the headline or the lede\n");
    for (const auto& l : describe_triggers(s, why)) std::printf("  %s\n", l.c_str());
    std::printf("  %s\n", describe_findings(f).c_str());
  };
  if (!opts.headlines.empty()) {
    for (std::size_t i = 0; i < opts.headlines.size(); ++i) {
      core::story s;
      s.id = std::to_string(i + 1);
      s.headline = opts.headlines[i];
      show(s.id, s);
    }
    return 0;
  }
  struct file_closer {
    void operator()(std::FILE* f) const noexcept {
      if (f != stdin) std::fclose(f);
    }
  };
  std::unique_ptr<std::FILE, file_closer> in(opts.input == "-" ? stdin : std::fopen(opts.input.c_str(), "rb"));
  if (!in) throw std::runtime_error("cannot open " + opts.input + ": " + std::strerror(errno));
  ingest::line_reader reader(in.get(), cfg.decode.max_story_bytes + 1);
  ingest::decoder dec(cfg.decode);
  int rc = 0;
  core::story s;
  while (const auto line = reader.next()) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    if (const auto r = dec.decode(line->bytes, core::epoch_ms{now.count()}, line->full_size, s)) {
      std::printf("line %zu: not a story: %s: %s\n", line->number, std::string(core::to_string(r->reason)).c_str(),
                  r->detail.c_str());
      rc = 1;
      continue;
    }
    show(s.id, s);
  }
  return rc;
}

}  // namespace wirescan::app
