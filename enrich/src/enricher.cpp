#include "wirescan/enrich/enricher.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "wirescan/core/ascii.hpp"
#include "wirescan/core/hash.hpp"
#include "wirescan/core/swar.hpp"
#include "wirescan/enrich/cashtag.hpp"

namespace wirescan::enrich {
namespace {

using core::ascii_range_bits;
using core::is_ascii_alnum;
using core::is_ascii_digit;
using core::is_ascii_letter;
using core::is_ascii_upper;
using core::load8;
using match = rule_set::match;

std::string upper(std::string_view s) {
  std::string u(s);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return u;
}

core::mention& mention_for(std::vector<core::mention>& ms, const std::string& symbol, core::mention_via via) {
  for (auto& m : ms) {
    if (m.symbol == symbol) return m;
  }
  core::mention m;
  m.symbol = symbol;
  m.via = via;
  return ms.emplace_back(std::move(m));
}

// Latin letters with accents as the exchanges' lists write them, without: "Corporación
// América" is listed as "Corporacion America". Other bytes are kept.
std::string fold_accents(std::string_view s) {
  // The letters U+00C0..U+00FF (UTF-8 C3 80..C3 BF), '?' where none fits.
  static constexpr std::string_view plain = "AAAAAA?CEEEEIIII?NOOOOO??UUUUY??aaaaaa?ceeeeiiii?nooooo??uuuuy?y";
  static_assert(plain.size() == 64);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == 0xC3 && i + 1 < s.size()) {
      const auto c = static_cast<unsigned char>(s[i + 1]);
      if (c >= 0x80 && c <= 0xBF && plain[c - 0x80] != '?') {
        out += plain[c - 0x80];
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The listed company named by the one to six words right before a legal suffix at `at`
// (longest first: "American Outdoor Brands, Inc." over "Brands"), and where its name starts.
std::optional<std::pair<std::uint32_t, std::uint32_t>> listed_name_before(const rule_set& rs, std::string_view text,
                                                                         std::uint32_t at) {
  std::array<std::uint32_t, 6> starts{};
  std::size_t n = 0;
  std::uint32_t i = at;
  while (n < starts.size() && i > 0 && text[i - 1] != ' ') {
    while (i > 0 && text[i - 1] != ' ') --i;  // to the start of this word
    starts[n++] = i;
    if (i < 2) break;
    --i;  // over the space, to the end of the previous word
  }
  for (std::size_t k = n; k > 0; --k) {
    const auto words = text.substr(starts[k - 1], at - starts[k - 1]);
    const bool ascii = std::all_of(words.begin(), words.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (const auto it = rs.listed_names.find(ascii ? std::string(words) : fold_accents(words));
        it != rs.listed_names.end() && (k > 1 || it->second.kind == legal_kind(text.substr(at)))) {
      return std::pair{it->second.alias, starts[k - 1]};
    }
  }
  return std::nullopt;
}

// Whether the name ending at `to` starts the proper name of a fund, an index or a channel:
// "Invesco BulletShares 2026 High Yield Corporate Bond ETF declares", "the Adobe Digital Price
// Index shows", "Baker Hughes Rig Count", "announced via Facebook Live". The capitalised (or numeric) words after the
// name reach one of those nouns within eight words, and the compound ends there (a lower-case
// word, punctuation or the end follows), so a Title Case headline ("Invesco Shares Jump As Fund
// Flows Rise") does not count.
bool names_a_product(std::string_view text, std::size_t to) {
  static const std::set<std::string_view> nouns{"ETF", "ETFs", "Fund", "Trust", "Index", "Count", "Podcasts", "Live"};
  std::size_t i = to;
  for (int words = 0; words < 8; ++words) {
    if (i >= text.size() || text[i] != ' ') return false;
    ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && is_ascii_alnum(text[j])) ++j;
    if (j == i || !(is_ascii_upper(text[i]) || is_ascii_digit(text[i]))) {
      return false;
    }
    // A fund or trust is a product when its name says what it holds ("Advantage Income
    // Opportunities Fund"); "SoftBank Vision Fund" is SoftBank's investing arm and "Digital
    // Realty Trust" the company itself.
    if (const auto w = text.substr(i, j - i); nouns.count(w) > 0 && ((w != "Fund" && w != "Trust") || words >= 2)) {
      return j == text.size() || text[j] != ' ' || j + 1 >= text.size() ||
             !is_ascii_upper(text[j + 1]);
    }
    // Stop at punctuation inside the run ("Invesco, the fund manager").
    if (j < text.size() && text[j] != ' ') return false;
    i = j;
  }
  return false;
}

// Whether the name starting at `from` is where something was posted or shown, a channel, not
// the company's news: "announced via Facebook", "a 4-minute live video on Facebook", "in a
// post on LinkedIn". "via" alone says so; "on" only after a word for what was posted.
bool names_a_channel(std::string_view text, std::size_t from) {
  static const std::set<std::string_view> posted{"video", "videos", "livestream", "stream", "post", "posts", "page",
                                                 "account", "message", "ad", "ads", "broadcast", "interview", "chat",
                                                 "tweet", "tweets", "thread", "statement", "clip", "clips"};
  const auto word_before = [&](std::size_t end) {  // the word ending just before text[end] == ' '
    std::size_t b = end;
    while (b > 0 && is_ascii_letter(text[b - 1])) --b;
    return std::pair{text.substr(b, end - b), b};
  };
  if (from < 2 || text[from - 1] != ' ') return false;
  const auto [prep, at] = word_before(from - 1);
  if (prep == "via") return true;
  if (prep != "on" || at < 2 || text[at - 1] != ' ') return false;
  std::string noun(word_before(at - 1).first);
  for (auto& c : noun) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return posted.count(noun) > 0;
}

// Cuts the body at a code point boundary so spans and scans never split a character.
std::string_view lede(std::string_view body, std::size_t max) {
  if (body.size() <= max) return body;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) --n;
  return body.substr(0, n);
}

// The sentences of t, as [from, to) byte ranges, into out. Sentence ends: '.', '!', '?', ';' or
// a newline followed by space/end, except after a single capital letter ("U.S.", "J.P.") or a
// common abbreviation, and except the ';' that closes an HTML entity ("Rosen &amp; Katz"). A
// headline's ';' joins two reports ("X restricts chip purchases; FAA grounds 737 MAX jets"),
// whose actors and triggers must not pair across it.
void sentences(std::string_view t, std::vector<std::pair<std::uint32_t, std::uint32_t>>& out) {
  out.clear();
  // Most bytes end nothing: look only at those that might.
  static constexpr auto may_end = [] {
    std::array<bool, 256> f{};
    for (const char c : {'.', '!', '?', ';', '\n'}) f[static_cast<unsigned char>(c)] = true;
    return f;
  }();
  std::uint32_t start = 0;
  for (std::uint32_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (!may_end[static_cast<unsigned char>(c)]) continue;
    bool end = c == '\n';
    if (c == '.') {
      end = full_stop_ends(t, i);
    } else if ((c == '!' || c == '?' || c == ';') && (i + 1 == t.size() || t[i + 1] == ' ' || t[i + 1] == '\n')) {
      end = true;
      if (c == ';') {
        std::uint32_t w = i;
        while (w > start && i - w < 8 && (is_ascii_letter(t[w - 1]) || is_ascii_digit(t[w - 1]) || t[w - 1] == '#')) --w;
        if (w > start && w < i && t[w - 1] == '&') end = false;
      }
    }
    if (end) {
      out.emplace_back(start, i + 1);
      start = i + 1;
    }
  }
  if (start < t.size()) out.emplace_back(start, static_cast<std::uint32_t>(t.size()));
}

// How many bytes of t are a-z. Byte by byte this loop was 11% of the enricher's instructions
// (callgrind, bench corpus); it runs on every headline and body.
std::size_t ascii_lower_count(std::string_view t) noexcept {
  constexpr std::uint64_t ones = core::swar_ones;
  std::size_t n = 0;
  std::size_t i = 0;
  for (; i + 8 <= t.size(); i += 8) n += ((ascii_range_bits<'a', 'z'>(load8(t.data() + i)) >> 7) * ones) >> 56;
  for (; i < t.size(); ++i) n += static_cast<unsigned char>(t[i] - 'a') < 26 ? 1 : 0;
  return n;
}

// The first i at or after `from` where t[i], t[i+1] and t[i+2] are all A-Z (t.size() if none):
// where a bare ticker of three or more capitals can be. Most capitals start a capitalised word
// ("Beijing"), and looking at each of them was 4% of the enricher's time (perf, bench corpus).
std::size_t next_upper_triple(std::string_view t, std::size_t from) noexcept {
  std::size_t i = from;
  if constexpr (std::endian::native == std::endian::little) {
    // Bytes 0-5 of each eight can be judged with the two after them.
    constexpr std::uint64_t first_six = 0x0000'8080'8080'8080ULL;
    for (; i + 8 <= t.size(); i += 6) {
      const auto up = ascii_range_bits<'A', 'Z'>(load8(t.data() + i));
      if (const auto triples = up & (up >> 8) & (up >> 16) & first_six; triples != 0) {
        return i + static_cast<std::size_t>(std::countr_zero(triples)) / 8;
      }
    }
  }
  const auto upper = [&](std::size_t k) { return static_cast<unsigned char>(t[k] - 'A') < 26; };
  for (; i + 3 <= t.size(); ++i) {
    if (upper(i) && upper(i + 1) && upper(i + 2)) return i;
  }
  return t.size();
}

// Keeps, per pattern and start, the longest match; then drops a trigger contained in a
// longer trigger of another pattern ("agree ... truce on tariffs" over "tariffs"), and one that
// a trigger of the same category and the other direction starts before and runs into: the verb
// governs its object ("axe the planned corporation tax rise" eases; "tax rise" alone tightens).
// covered, kinds: scratch space, a flag and the pattern's kind for each match.
void normalise(const rule_set& rs, std::vector<match>& ms, std::vector<char>& covered,
               std::vector<pattern_kind>& kinds) {
  // In the order the findings are read in: by start, then pattern (the longest first of one
  // pattern's matches from one start, the one kept). Matches that start together stay in
  // pattern order whatever else the text holds (a plain sort by start kept them so only below
  // 17 matches, an insertion sort, so a long story could change which of two actors on the same
  // words a shock named).
  std::sort(ms.begin(), ms.end(), [](const match& a, const match& b) {
    return a.from != b.from ? a.from < b.from : a.id != b.id ? a.id < b.id : a.to > b.to;
  });
  ms.erase(std::unique(ms.begin(), ms.end(), [](const match& a, const match& b) { return a.id == b.id && a.from == b.from; }),
           ms.end());
  // A match inside a longer match of the same pattern (overlapping repeats) is redundant.
  // Every match is judged against all the others before any is dropped. Every rule below
  // needs the other match to be of its kind, to start at or before this one and to reach past
  // its start, so only the matches that start at most the longest match's length before it
  // are looked at, and their kinds are gathered once (each a load from a table of 1,800
  // patterns). Judging every pair was 4% of the enricher's time (perf, bench corpus).
  covered.assign(ms.size(), 0);
  kinds.resize(ms.size());
  std::uint32_t longest = 0;
  for (std::size_t i = 0; i < ms.size(); ++i) {
    kinds[i] = rs.patterns[ms[i].id].kind;
    longest = std::max(longest, ms[i].to - ms[i].from);
  }
  for (std::size_t i = 0; i < ms.size(); ++i) {
    const match& m = ms[i];
    const auto kind = kinds[i];
    const auto covers = [&](const match& o) {
      // Two patterns that stand for the same thing on the same words ("Bitcoin", caseless, and
      // its capitals "BITCOIN"; or two listed names an apostrophe's two forms make alike): the
      // first says it.
      if (o.from == m.from && o.to == m.to && o.id < m.id && rs.patterns[o.id].index == rs.patterns[m.id].index) {
        return true;
      }
      const bool contains = o.from <= m.from && o.to >= m.to && (o.to - o.from) > (m.to - m.from);
      if (kind == pattern_kind::trigger && !contains && o.from < m.from && m.from < o.to) {
        const auto& a = rs.triggers[rs.patterns[o.id].index];
        const auto& b = rs.triggers[rs.patterns[m.id].index];
        return a.category == b.category && a.dir != b.dir;
      }
      // Two actors on the same words ("Dutch central bank": the adjective's institution form
      // and the central bank's own phrase): the one naming the authority says more.
      if (kind == pattern_kind::actor && o.from == m.from && o.to == m.to) {
        return rs.actors[rs.patterns[m.id].index].authority.empty() &&
               !rs.actors[rs.patterns[o.id].index].authority.empty();
      }
      if (!contains) return false;
      // A fallback phrase never hides a firm one inside it: "restricts exports of chips" holds
      // "restricts exports", which says what it is (the shocks' choice gives way to it).
      if (kind == pattern_kind::trigger) {
        return !rs.triggers[rs.patterns[o.id].index].fallback || rs.triggers[rs.patterns[m.id].index].fallback;
      }
      return o.id == m.id || kind == pattern_kind::actor || kind == pattern_kind::name;
    };
    const auto judge = [&](std::size_t j) {
      const match& o = ms[j];
      if (kinds[j] == kind && o.to > m.from && covers(o)) covered[i] = 1;
    };
    // Those starting with it (after it in this order), then those before it, nearest first.
    for (std::size_t j = i + 1; j < ms.size() && ms[j].from == m.from && covered[i] == 0; ++j) judge(j);
    for (std::size_t j = i; j-- > 0 && m.from - ms[j].from < longest && covered[i] == 0;) judge(j);
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (!covered[i]) ms[kept++] = ms[i];
  }
  ms.resize(kept);
}

// Buffers the enricher reuses from story to story on each thread (it is const and shared by
// the threads that prepare stories): a story's matches, cashtags and flags were a dozen heap
// allocations.
struct scratch {
  std::array<std::vector<match>, 2> scanned;
  std::vector<char> covered;
  std::vector<pattern_kind> kinds;
  std::vector<extended_cashtag> tags;
  std::vector<std::pair<core::story_field, std::pair<std::uint32_t, std::uint32_t>>> tag_spans;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sentences;
};

scratch& thread_scratch() {
  thread_local scratch s;
  return s;
}

constexpr double stage_factor(core::stage s) {
  switch (s) {
    case core::stage::enacted: return 1.0;
    case core::stage::planned: return 0.85;
    case core::stage::threatened: return 0.7;
    case core::stage::considered: return 0.55;
  }
  return 1.0;
}

std::string fmt2(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);  // snprintf's "%.2f", without the locale
  return {buf, r.ptr};
}

// A by_numbers trigger's direction: the first two figures in its span, the new one first
// ("ACTUAL: 2.50% VS 1.50% PREVIOUS"). None when they are equal (a hold) or not both there.
std::optional<core::direction> direction_from_numbers(std::string_view span) {
  std::array<double, 2> v{};
  std::size_t n = 0;
  const char* p = span.data();
  const char* const end = p + span.size();
  while (n < v.size() && p != end) {
    if (is_ascii_digit(*p) || (*p == '-' && p + 1 != end && is_ascii_digit(p[1]))) {
      const auto r = std::from_chars(p, end, v[n], std::chars_format::fixed);
      if (r.ec == std::errc{}) {
        ++n;
        p = r.ptr;
        continue;
      }
    }
    ++p;
  }
  if (n < 2 || v[0] == v[1]) return std::nullopt;
  return v[0] > v[1] ? core::direction::tightening : core::direction::easing;
}

// "US-listed", "China-based", "UK-headquartered": the place names where a company trades or
// sits, and acts in nothing.
bool locates_a_company(std::string_view text, std::size_t to) {
  static constexpr std::array<std::string_view, 6> suffixes{"-listed", "-based", "-headquartered", "-registered",
                                                            "-domiciled", "-incorporated"};
  const auto rest = text.substr(std::min(to, text.size()));
  return std::any_of(suffixes.begin(), suffixes.end(), [&](std::string_view s) { return rest.substr(0, s.size()) == s; });
}

// The reversal cue that undoes trigger t ("lifts ban on Micron chips", "scraps its decade-old
// export ban", "ends tariff exemptions"), or null. Only a noun phrase's words may stand between
// the two: at most three, 32 bytes, no punctuation, and none of the words that start a clause or
// a comparison ("Wall Street ends lower as tariffs bite", "Dow drops as tariffs bite").
const match* reversal_before(const rule_set& rs, std::string_view text, const std::vector<match>& ms, const match& t) {
  static const std::set<std::string_view, std::less<>> clause_words{
      "as",   "on",     "after",  "amid",  "over",   "with",  "to",     "in",      "and",   "or",   "but",
      "for",  "by",     "from",   "at",    "of",     "while", "before", "since",   "into",  "than", "despite",
      "that", "which",  "who",    "is",    "are",    "was",   "were",   "be",      "lower", "higher", "up",
      "down", "flat",   "mixed",  "week",  "day",    "session", "year", "quarter", "month", "streak", "fears",
      "hopes", "worries", "talk", "speculation"};
  for (const auto& c : ms) {
    if (c.from >= t.from) break;  // ms is in start order
    if (rs.patterns[c.id].kind != pattern_kind::reversal || c.to > t.from || t.from - c.to > 32) continue;
    if (c.from > 0 && text[c.from - 1] == '-') continue;  // "high-end", "front-end"
    const auto gap = text.substr(c.to, t.from - c.to);
    // The last word may be joined to the trigger's first: "scrapping loan-price cap".
    if (gap.empty() || gap.front() != ' ' || (gap.back() != ' ' && gap.back() != '-')) continue;
    std::size_t words = 0;
    bool noun_phrase = true;
    for (std::size_t i = 1; i < gap.size() && noun_phrase;) {
      const std::size_t j = std::min(gap.find(' ', i), gap.size());
      const auto w = gap.substr(i, j - i);
      noun_phrase = !w.empty() && ++words <= 3 && std::all_of(w.begin(), w.end(), [](char ch) {
        return is_ascii_alnum(ch) || ch == '-' || ch == '\'' || ch == '%' || static_cast<unsigned char>(ch) >= 0x80;
      });
      if (noun_phrase) {
        std::string lower(w);
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        noun_phrase = !clause_words.count(lower);
      }
      i = j + 1;
    }
    if (noun_phrase) return &c;
  }
  return nullptr;
}

constexpr core::direction opposite(core::direction d) {
  return d == core::direction::tightening ? core::direction::easing : core::direction::tightening;
}

// Every actor and trigger in the headline, as canonical hashes for the novelty stage.
void add_signals(const rule_set& rs, std::string_view text, const std::vector<match>& ms,
                 std::vector<core::headline_signal>& out) {
  for (const auto& m : ms) {
    const auto& p = rs.patterns[m.id];
    if (p.kind == pattern_kind::actor) {
      out.push_back({core::signal_kind::actor, core::hash64(rs.actors[p.index].code, 1), m.from, m.to});
    } else if (p.kind == pattern_kind::trigger) {
      const auto& t = rs.triggers[p.index];
      auto dir = t.dir;
      if (t.by_numbers) {
        const auto d = direction_from_numbers(text.substr(m.from, m.to - m.from));
        if (!d) continue;
        dir = *d;
      } else if (reversal_before(rs, text, ms, m) != nullptr) {
        dir = opposite(dir);
      }
      out.push_back({core::signal_kind::policy, core::hash64(t.category, 2), m.from, m.to});
      out.push_back({core::signal_kind::direction, core::hash64(t.category, 3 + static_cast<unsigned>(dir)), m.from,
                     m.to});
    }
  }
}

}  // namespace

std::string_view to_string(trigger_verdict v) noexcept {
  switch (v) {
    case trigger_verdict::shock: return "shock";
    case trigger_verdict::hold: return "hold";
    case trigger_verdict::background: return "background";
    case trigger_verdict::expectation: return "expectation";
    case trigger_verdict::opinion: return "opinion";
    case trigger_verdict::negated: return "negated";
    case trigger_verdict::no_actor: return "no_actor";
    case trigger_verdict::actor_after: return "actor_after";
    case trigger_verdict::other_actor: return "other_actor";
    case trigger_verdict::no_decider: return "no_decider";
    case trigger_verdict::commentary: return "commentary";
    case trigger_verdict::gave_way: return "gave_way";
  }
  return "?";
}

double category_severity(std::string_view c) noexcept {
  if (c == "monetary_policy") return 0.9;
  if (c == "export_control" || c == "tariff" || c == "sanctions" || c == "capital_controls" ||
      c == "geopolitical_escalation")
    return 0.8;
  if (c == "import_restriction" || c == "crypto_regulation" || c == "market_regulation" || c == "trade_negotiation" ||
      c == "nationalization_price_control")
    return 0.7;
  if (c == "investment_restriction" || c == "antitrust" || c == "fiscal_policy") return 0.6;
  return 0.5;  // regulatory_action, industrial_policy
}

enricher::enricher(std::shared_ptr<const rule_set> rules, enricher_config cfg)
    : rules_(std::move(rules)), cfg_(std::move(cfg)) {}

core::findings enricher::enrich(const core::story& s, explanation* why) const {
  core::findings f;
  const rule_set* rs = rules_.get();
  f.rules_version = rs != nullptr ? rs->version : "none";
  // Names and symbols are searched in the whole body; shocks only in the headline and
  // the lede (the body's first paragraph, at most body_scan_bytes): later paragraphs
  // mostly give background ("the export controls set last year"), not news.
  const std::string_view texts[2] = {s.headline, s.body};
  // A view of the body, never s.body.substr(): that would be a temporary string the view
  // outlives (ASan caught exactly that here).
  const std::string_view body_view = s.body;
  const std::string_view lede_text = lede(body_view.substr(0, body_view.find('\n')), cfg_.body_scan_bytes);
  const core::story_field fields[2] = {core::story_field::headline, core::story_field::body};
  // One Vectorscan pass per field (names, products, symbols, actors, triggers, cues), before the
  // cashtags: a crypto cue anywhere in the story decides an ambiguous cashtag's asset class.
  // The policy vocabulary only matters in the headline and the lede, so in the body it is
  // searched only there: the rest of a long body costs the names' pass alone.
  scratch& sc = thread_scratch();
  auto& scanned = sc.scanned;
  bool crypto_context = false;
  if (rs != nullptr) {
    for (int k = 0; k < 2; ++k) {
      scanned[k].clear();
      if (texts[k].empty()) continue;
      rs->scan(texts[k], scanned[k], k == 0 ? std::string_view::npos : lede_text.size());
      crypto_context = crypto_context || std::any_of(scanned[k].begin(), scanned[k].end(), [&](const match& m) {
                         return rs->patterns[m.id].kind == pattern_kind::crypto_cue;
                       });
    }
  }

  // 1. Cashtags.
  auto& tag_spans = sc.tag_spans;
  tag_spans.clear();
  for (int k = 0; k < 2; ++k) {
    if (rs == nullptr) {
      std::vector<cashtag> tags;
      extract_cashtags(k == 0 ? std::string_view(s.headline) : std::string_view(s.body), tags);
      for (const auto& t : tags) {
        mention_for(f.mentions, upper(t.symbol), core::mention_via::cashtag).spans.push_back({fields[k], t.start, t.end});
      }
      continue;
    }
    auto& tags = sc.tags;
    tags.clear();
    const auto known = [rs](std::string_view sym) {
      const auto* e = rs->symbols.find(upper(sym));
      return e != nullptr && !e->infos.empty();
    };
    extract_cashtags_extended(k == 0 ? std::string_view(s.headline) : std::string_view(s.body), tags, known);
    for (const auto& t : tags) {
      const std::string sym = upper(t.tag.symbol);
      auto& m = mention_for(f.mentions, sym, core::mention_via::cashtag);
      m.spans.push_back({fields[k], t.tag.start, t.tag.end});
      tag_spans.push_back({fields[k], {t.tag.start, t.tag.end}});
      if (!m.name.empty()) continue;
      const auto* known_as = rs->symbols.find(sym);
      const alias_rule* alias =
          known_as != nullptr && known_as->alias != symbol_table::no_alias ? &rs->aliases[known_as->alias] : nullptr;
      const bool prefer_crypto = t.stocktwits_crypto || (alias != nullptr && alias->prefer_crypto) || crypto_context;
      if (const auto* info = symbol_table::pick(known_as, prefer_crypto ? core::asset_class::crypto : core::asset_class::equity)) {
        m.asset = info->asset;
        m.name = info->name;
      } else if (alias != nullptr) {
        m.asset = alias->asset;
        m.name = alias->name;
      }
    }
  }
  if (rs == nullptr) {
    for (const auto& t : s.tickers) {
      if (!t.empty()) (void)mention_for(f.mentions, upper(t), core::mention_via::pretagged);
    }
    return f;
  }

  // 2. What the Vectorscan pass found, field by field.
  struct sentence_shock {
    core::policy_shock shock;
    std::uint32_t from;
    std::uint32_t to;
    bool fallback;  // the trigger rule's: gives way to another category's phrase
    std::uint32_t reversed_at;  // where the reversal cue that turned it starts, or no_reversal
    std::size_t note;  // its trigger_note in *why, when explaining
  };
  constexpr std::uint32_t no_reversal = std::numeric_limits<std::uint32_t>::max();
  std::vector<core::policy_shock> shocks;
  bool urgent = false;
  std::string urgency_word;
  for (int k = 0; k < 2; ++k) {
    const std::string_view text = texts[k];
    if (text.empty()) continue;
    auto& ms = scanned[k];
    normalise(*rs, ms, sc.covered, sc.kinds);
    if (k == 0) add_signals(*rs, text, ms, f.signals);
    const auto overlaps_tag = [&](const match& m) {
      return std::any_of(tag_spans.begin(), tag_spans.end(), [&](const auto& t) {
        return t.first == fields[k] && m.from < t.second.second && t.second.first < m.to;
      });
    };
    // A company or asset named in words, with the span that names it.
    const auto name_mention = [&](const alias_rule& a, std::uint32_t from, std::uint32_t to) {
      auto& men = mention_for(f.mentions, a.symbol, core::mention_via::name);
      men.spans.push_back({fields[k], from, to});
      if (men.name.empty()) {
        men.name = a.name;
        men.asset = a.asset;
      }
    };
    // "@Eyries12 @jfosback @BMW Good point!": the handles a reply opens with say whom it
    // answers, not what it is about; a name inside them is no mention.
    std::size_t reply_handles_end = 0;
    for (std::size_t i = 0; i < text.size() && text[i] == '@';) {
      while (i < text.size() && text[i] != ' ') ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      reply_handles_end = i;
    }
    for (const auto& m : ms) {
      const auto& p = rs->patterns[m.id];
      // A coin named in a fund's name is the coin's market ("Spot Bitcoin ETFs see record
      // inflows"); a company's is not the company (tests/data/README.md).
      if (p.kind == pattern_kind::name && !overlaps_tag(m) && m.from >= reply_handles_end &&
          (rs->aliases[p.index].asset == core::asset_class::crypto || !names_a_product(text, m.to)) &&
          !names_a_channel(text, m.from)) {
        const auto& a = rs->aliases[p.index];
        // "Muddy Waters" is not Waters Corp: a one-word name right after another
        // capitalised word is part of a different name.
        if (a.derived && text.substr(m.from, m.to - m.from).find(' ') == std::string_view::npos && m.from >= 2 &&
            text[m.from - 1] == ' ') {
          std::size_t w = m.from - 1;
          while (w > 0 && is_ascii_letter(text[w - 1])) --w;
          if (w < m.from - 1 && is_ascii_upper(text[w]) && w > 0 && text[w - 1] == ' ' &&
              w >= 2 && text[w - 2] != '.') {
            continue;
          }
        }
        // "50 VS. 75 BP HIKE", "a 50bp move": a short capitalised name right after a number
        // is a unit (basis points), not BP plc.
        if (m.to - m.from <= 3 && m.from >= 1) {
          std::size_t w = m.from;
          if (w >= 2 && text[w - 1] == ' ') --w;
          if (is_ascii_digit(text[w - 1])) continue;
        }
        name_mention(a, m.from, m.to);
      } else if (p.kind == pattern_kind::legal_suffix && !overlaps_tag(m)) {
        if (const auto hit = listed_name_before(*rs, text, m.from)) name_mention(rs->aliases[hit->first], hit->second, m.to);
      } else if (p.kind == pattern_kind::product) {
        const auto& pr = rs->products[p.index];
        auto& men = mention_for(f.mentions, pr.symbol, core::mention_via::name);
        men.spans.push_back({fields[k], m.from, m.to});
        if (men.name.empty()) {
          if (const auto* info = rs->lookup(pr.symbol, core::asset_class::equity)) {
            men.name = info->name;
            men.asset = info->asset;
          }
        }
      } else if (p.kind == pattern_kind::exchange_symbol) {
        std::string sym;
        for (std::uint32_t i = m.from; i < m.to; ++i) {
          const char c = text[i];
          if (c == ':' || c == '<') sym.clear();
          else if (is_ascii_upper(c) || (c == '.' && p.index == 0)) sym += c;
          else if (c == '.' && p.index == 1) break;  // Reuters suffix: ".N" is the exchange
        }
        if (p.index == 0) {
          // "(NYSE: BA)": the exchange letters came first; keep what follows the colon.
          const auto colon = text.substr(m.from, m.to - m.from).find(':');
          sym.clear();
          for (std::uint32_t i = m.from + static_cast<std::uint32_t>(colon) + 1; i < m.to; ++i) {
            const char c = text[i];
            if (is_ascii_upper(c) || c == '.') sym += c;
          }
        }
        if (sym.empty()) continue;
        auto& men = mention_for(f.mentions, sym, core::mention_via::cashtag);
        men.spans.push_back({fields[k], m.from, m.to});
        if (men.name.empty()) {
          if (const auto* info = rs->lookup(sym, core::asset_class::equity)) {
            men.name = info->name;
            men.asset = info->asset;
          }
        }
      } else if (p.kind == pattern_kind::urgency && k == 0) {
        urgent = true;
        urgency_word = std::string(text.substr(m.from, m.to - m.from));
      }
    }

    // Bare S&P 500 tickers used as names ("Choosing MSFT as partner"), only in mixed-case
    // text (in an ALL-CAPS headline every word looks like a ticker) and never everyday words.
    if (ascii_lower_count(text) * 3 > text.size()) {
      static const std::set<std::string_view> stop{
          "ALL", "NOW", "ARE", "CAN", "KEY", "LOW", "HAS", "COST", "WELL", "CAT", "DAY", "HOLD", "BIG", "FAST",
          "PEAK", "TECH", "BALL", "FOR", "AND", "THE", "BEN", "GDP", "CPI", "PPI", "CEO", "CFO", "COO", "CTO", "EPS", "IPO",
          "ETF", "USA", "SEC", "FED", "LLC", "ESG", "USD", "EUR", "YOY", "PCE", "JOBS", "OPEN", "PLAY", "GOLD",
          "TRUE", "BEST", "CASH", "NICE", "RARE", "SAFE", "HUM", "ICE", "AME", "FOX", "NWS", "TAP", "LIN", "ALLE",
          "POOL", "ROL", "MAS", "EXE", "DOC", "PODD", "HAL", "WAT", "CARR", "IT", "ON", "DD", "EL", "MO", "ES"};
      // Each run of three or more capitals, whole: a run that does not start a word is skipped
      // whole ("aXYZ", "$XYZ", "U.SAB").
      for (std::size_t p = next_upper_triple(text, 0); p < text.size(); p = next_upper_triple(text, p)) {
        std::size_t i = p;
        while (i > 0 && is_ascii_upper(text[i - 1])) --i;
        std::size_t j = p + 3;
        while (j < text.size() && is_ascii_upper(text[j])) ++j;
        const char before = i > 0 ? text[i - 1] : ' ';
        if (is_ascii_alnum(before) || before == '$' || before == '<' || before == '.') {
          p = j;
          continue;
        }
        const std::string_view tok = text.substr(i, j - i);
        // "PEP Group" is a name, not PepsiCo's ticker.
        const bool bounded = (j == text.size() || !is_ascii_alnum(text[j])) &&
                             !(j + 1 < text.size() && text[j] == ' ' && is_ascii_upper(text[j + 1]));
        const auto* listed = bounded && tok.size() >= 3 && tok.size() <= 5 ? rs->symbols.find(tok) : nullptr;
        if (listed != nullptr && listed->sp500 && !stop.count(tok)) {
          const match as{0, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)};
          if (!overlaps_tag(as)) {
            auto& men = mention_for(f.mentions, std::string(tok), core::mention_via::ticker);
            men.spans.push_back({fields[k], as.from, as.to});
            if (men.name.empty()) {
              if (const auto* info = symbol_table::pick(listed, core::asset_class::equity)) {
                men.name = info->name;
                men.asset = info->asset;
              }
            }
          }
        }
        p = j;
      }
    }

    // 3. Policy shocks, sentence by sentence, in the headline and the lede. Most stories
    // have no trigger at all: skip the sentence split for them.
    const bool any_trigger = std::any_of(ms.begin(), ms.end(), [&](const match& m) {
      return rs->patterns[m.id].kind == pattern_kind::trigger && (k == 0 || m.to <= lede_text.size());
    });
    if (!any_trigger) continue;
    sentences(k == 0 ? text : lede_text, sc.sentences);
    for (const auto& sentence : sc.sentences) {
      // Plain copies, not a structured binding: clang 14 cannot capture those in lambdas.
      const std::uint32_t sfrom = sentence.first, sto = sentence.second;
      const auto in_sentence = [&](const match& m) { return m.from >= sfrom && m.to <= sto; };
      bool hedged = false;
      for (const auto& m : ms) {
        if (in_sentence(m)) hedged |= rs->patterns[m.id].kind == pattern_kind::hedge;
      }
      std::vector<sentence_shock> found;
      for (const auto& t : ms) {
        if (!in_sentence(t) || rs->patterns[t.id].kind != pattern_kind::trigger) continue;
        const auto& rule = rs->triggers[rs->patterns[t.id].index];
        auto dir = rule.dir;
        std::uint32_t start = t.from;
        // Says what stopped this phrase, when explaining; `cue` is what decided it, if anything.
        const auto note = [&](trigger_verdict v, const match* cue) {
          if (why == nullptr) return;
          why->triggers.push_back({fields[k], start, t.to, rule.category, dir, v, cue != nullptr ? cue->from : 0U,
                                   cue != nullptr ? cue->to : 0U});
        };
        if (rule.by_numbers) {
          const auto d = direction_from_numbers(text.substr(t.from, t.to - t.from));
          if (!d) {  // the same figure: a hold, no shock
            note(trigger_verdict::hold, nullptr);
            continue;
          }
          dir = *d;
        }
        // "lifts ban on Micron chips": the ban's phrase, undone. The phrase then starts at the
        // reversal, for every judgement of what stands before it: "U.S. Treasury lifts Iran
        // sanctions" is the Treasury's act, with Iran its object.
        const match* reversal = rule.by_numbers ? nullptr : reversal_before(*rs, text, ms, t);
        if (reversal != nullptr) dir = opposite(dir);
        if (reversal != nullptr) start = reversal->from;
        // The nearest noun actor before the trigger, else the nearest after it; adjectival
        // forms only when the sentence has no noun actor.
        // A place that only says where a company is listed or based ("US-listed Chinese stocks",
        // "China-based Alibaba") is no actor.
        const auto is_actor = [&](const match& a, bool adjective) {
          return in_sentence(a) && rs->patterns[a.id].kind == pattern_kind::actor &&
                 rs->actors[rs->patterns[a.id].index].adjective == adjective && !locates_a_company(text, a.to);
        };
        // Background ("since Russia's invasion") and expectations ("price in a hike"): the
        // trigger names a past event or a market bet, not a policy action.
        const auto not_news = std::find_if(ms.begin(), ms.end(), [&](const match& c) {
          const auto kind = rs->patterns[c.id].kind;
          if (!in_sentence(c) || (kind != pattern_kind::background && kind != pattern_kind::expectation)) return false;
          // A trigger inside a background phrase is that phrase's ("sanctions-hit Russia").
          if (kind == pattern_kind::background && c.from <= t.from && c.to >= t.to) return true;
          const std::uint32_t reach = kind == pattern_kind::background ? 30 : 60;
          return c.to <= start + 1 && start - std::min(start, c.to) <= reach;
        });
        if (not_news != ms.end()) {
          note(rs->patterns[not_news->id].kind == pattern_kind::background ? trigger_verdict::background
                                                                           : trigger_verdict::expectation,
               &*not_news);
          continue;
        }
        // An opinion cue before the trigger ("needs to raise rates", "would favour a 75 bp
        // rise") is a preference. From a member of the deciding body ("Fed's Barkin",
        // "governor", "policymakers") it is policy being considered; from anyone else it is
        // commentary, not news.
        const auto opinion_cue = std::find_if(ms.begin(), ms.end(), [&](const match& c) {
          return in_sentence(c) && rs->patterns[c.id].kind == pattern_kind::opinion && c.to <= start + 1 &&
                 start - std::min(start, c.to) <= 60;
        });
        const bool opinion = opinion_cue != ms.end();
        // A former official ("the Fed's former vice chair", "ex-governor") no longer sits on it.
        const bool policymaker_speaks = opinion && std::any_of(ms.begin(), ms.end(), [&](const match& c) {
          if (!in_sentence(c) || rs->patterns[c.id].kind != pattern_kind::policymaker) return false;
          const std::uint32_t from = c.from >= sfrom + 12 ? c.from - 12 : sfrom;
          const auto before = text.substr(from, c.from - from);
          return before.find("former") == std::string_view::npos && before.find("Former") == std::string_view::npos &&
                 before.find("ex-") == std::string_view::npos && before.find("Ex-") == std::string_view::npos;
        });
        if (opinion && !policymaker_speaks) {
          note(trigger_verdict::opinion, &*opinion_cue);
          continue;
        }
        // A negation near the trigger ("rules out tariffs", "a rate cut is not a done deal").
        // One after it across a comma is the next act's: "favors 75 basis point increase at July
        // meeting, does not support 100 bp move".
        const auto negation = std::find_if(ms.begin(), ms.end(), [&](const match& c) {
          if (!in_sentence(c) || rs->patterns[c.id].kind != pattern_kind::negation) return false;
          const std::uint32_t gap = c.to <= start ? start - c.to : c.from >= t.to ? c.from - t.to : 0;
          if (gap > 40) return false;
          return c.from < t.to || text.substr(t.to, c.from - t.to).find(',') == std::string_view::npos;
        });
        if (negation != ms.end()) {
          note(trigger_verdict::negated, &*negation);
          continue;
        }
        const bool any_noun = std::any_of(ms.begin(), ms.end(), [&](const match& a) { return is_actor(a, false); });
        const match* actor = nullptr;
        const match* inside = nullptr;  // the first inside the trigger: "settle EU charges"
        for (const auto& a : ms) {
          if (!is_actor(a, !any_noun)) continue;
          if (a.from >= start && a.to <= t.to) {
            if (inside == nullptr) inside = &a;
            continue;
          }
          if (a.to <= start) {
            if (actor == nullptr || actor->to > start || a.to > actor->to) actor = &a;
          } else if (a.from >= t.to && (actor == nullptr || (actor->from >= t.to && a.from < actor->from))) {
            actor = &a;
          }
        }
        // One inside the trigger acts unless one stands before it, whose object it is then
        // ("US strikes Houthi targets", "Malaysia tightens controls on US chip shipments").
        if (inside != nullptr && (actor == nullptr || actor->from >= t.to)) actor = inside;
        // The noun actor of another code that ends right before `of`, one of `joins` between.
        const auto joined_before = [&](const match& of, std::initializer_list<std::string_view> joins) {
          const auto& code = rs->actors[rs->patterns[of.id].index].code;
          const match* joined = nullptr;
          for (const auto& a : ms) {
            if (a.from >= of.from) break;
            if (!is_actor(a, false) || rs->actors[rs->patterns[a.id].index].code == code) continue;
            if (std::find(joins.begin(), joins.end(), text.substr(a.to, of.from - a.to)) != joins.end()) joined = &a;
          }
          return joined;
        };
        // Another country named right before an institution says whose it is: "Ghana lawmakers"
        // are not the US Congress that "lawmakers" alone stands for. Only an institution is so
        // qualified: in "US China tariffs" each place is an actor of its own.
        if (actor != nullptr && !rs->actors[rs->patterns[actor->id].index].authority.empty()) {
          if (const match* owner = joined_before(*actor, {" ", "'s ", "\u2019s "})) actor = owner;
        }
        // Actors joined before the phrase act together: "US and China agree to slash tariffs",
        // "U.S.-Mexico-Canada trade pact". Up to three more, from the nearest back.
        std::array<const match*, 3> partners{};
        if (actor != nullptr && actor->to <= start && !rs->actors[rs->patterns[actor->id].index].adjective) {
          for (std::size_t i = 0; i < partners.size(); ++i) {
            partners[i] = joined_before(i == 0 ? *actor : *partners[i - 1], {" and ", " & ", "-", " AND "});
            if (partners[i] == nullptr) break;
          }
        }
        // A bare adjective ("Russian oligarch-backed") is too weak to make a company's act
        // a government's.
        // A deciding body named generically ("the accounting watchdog fines", "regulators are
        // poised to extract fines") acts too; it adds no actor code, there being none to give.
        // One joined to the phrase right after it by "by" acts as well ("faces probe by federal
        // prosecutors", "an investigation by regulators").
        const bool generic_decider = std::any_of(ms.begin(), ms.end(), [&](const match& c) {
          if (!in_sentence(c) || rs->patterns[c.id].kind != pattern_kind::decider) return false;
          if (c.to <= start) return true;
          if (c.from < t.to || c.from - t.to > 25) return false;
          const auto between = text.substr(t.to, c.from - t.to);
          return between.substr(0, 4) == " by " && between.find_first_of(",;:.") == std::string_view::npos;
        });
        if (rule.needs_actor && !generic_decider &&
            (actor == nullptr || rs->actors[rs->patterns[actor->id].index].adjective)) {
          note(trigger_verdict::no_actor, actor);
          continue;
        }
        // The subject acts: the actor stands before the phrase ("Indonesia halts palm oil
        // exports"), not after it ("Ford halts F-150 exports to China").
        if (rule.actor_before && (actor == nullptr || actor->to > start)) {
          note(actor == nullptr ? trigger_verdict::no_actor : trigger_verdict::actor_after, actor);
          continue;
        }
        // Who may act: "restricts Nvidia chips" is an import curb by China, an export control
        // by the US.
        if (!rule.actors.empty()) {
          if (actor == nullptr) {
            note(trigger_verdict::no_actor, nullptr);
            continue;
          }
          const auto& ar = rs->actors[rs->patterns[actor->id].index];
          if (std::none_of(rule.actors.begin(), rule.actors.end(), [&](const std::string& a) {
                return a == ar.code || (!ar.authority.empty() && a == ar.authority);
              })) {
            note(trigger_verdict::other_actor, actor);
            continue;
          }
        }
        // A named move ("rate hike") is news only with its decider before it, or joined to it
        // right after ("a hike by the RBI"), in a sentence that is not about data, markets or
        // commentators ("US inflation accelerated ..., keeping the Fed on track for a hike").
        if (rule.named_move) {
          const auto joined_after = [&](const match& a) {
            if (a.from < t.to || a.from - t.to > 40) return false;
            const auto between = text.substr(t.to, a.from - t.to);
            return between.find(" by ") != std::string_view::npos || between.find(" from ") != std::string_view::npos;
          };
          // A quotation opening the sentence is its speaker's, wherever the speaker is named
          // ("“I fully support another 75 basis-point increase,” Fed Governor Waller says").
          std::size_t lead = sfrom;
          while (lead < sto && text[lead] == ' ') ++lead;
          const bool quoted = text.substr(lead, 1) == "\"" || text.substr(lead, 3) == "\u201c";
          // generic_decider: "Central banks across the globe are speeding up rate hikes".
          const bool decider = generic_decider ||
                               (actor != nullptr && !rs->actors[rs->patterns[actor->id].index].adjective &&
                                (actor->to <= start || joined_after(*actor) || quoted));
          const auto commentary = quoted ? ms.end() : std::find_if(ms.begin(), ms.end(), [&](const match& c) {
            // "Fed's Waller: with inflation this high, ..." is Waller speaking: a speaker and a
            // colon before the cue make the speaker the subject. The cue is the subject when it
            // comes before the decider ("UK inflation hits a high, adding pressure on the BoE")
            // or right after it as its modifier ("Norway's inflation"), not when the decider
            // leads ("The Fed has run out of data ...").
            if (!in_sentence(c) || rs->patterns[c.id].kind != pattern_kind::commentary_subject || c.from > sfrom + 25 ||
                c.to > start || text.substr(sfrom, c.from - sfrom).find(':') != std::string_view::npos) {
              return false;
            }
            return actor == nullptr || actor->from >= c.to || (actor->to <= c.from && c.from - actor->to <= 6);
          });
          if (!decider) {
            note(trigger_verdict::no_decider, actor);
            continue;
          }
          if (commentary != ms.end()) {
            note(trigger_verdict::commentary, &*commentary);
            continue;
          }
        }
        // The stage cue closest to the trigger: up to 30 bytes before it or 20 after, and
        // not across an actor ("Beijing moves to restrict ... after US green-lit exports":
        // "moves to" belongs to Beijing's clause, not to the US one). A planned cue gives way
        // to a threat or a deliberation in reach: "threatens to impose tariffs" is a threat,
        // "weighs plans to curb" a deliberation, though "to impose" and "plans to" stand nearer.
        core::stage stg = core::stage::enacted;
        std::uint32_t best = 31;
        core::stage tentative = core::stage::enacted;
        std::uint32_t best_tentative = 31;
        for (const auto& c : ms) {
          if (!in_sentence(c) || rs->patterns[c.id].kind != pattern_kind::stage) continue;
          const bool before = c.to <= start;
          const std::uint32_t dist = before ? start - c.to : c.from >= t.to ? c.from - t.to : 0;
          if (dist > (before ? 30U : 20U)) continue;
          const std::uint32_t lo = before ? c.to : t.to;
          const std::uint32_t hi = before ? start : c.from;
          const bool across_actor = std::any_of(ms.begin(), ms.end(), [&](const match& a) {
            return rs->patterns[a.id].kind == pattern_kind::actor && a.from >= lo && a.to <= hi;
          });
          if (across_actor) continue;
          // After a comma the subject's next act begins ("Norges Bank hikes by 25 bps, signals
          // more"): a cue there is that act's, unless a hedge says the same words, which qualify
          // the whole report ("..., sources say", "..., says the House could vote").
          if (!before && c.from >= t.to && text.substr(lo, hi - lo).find(',') != std::string_view::npos &&
              std::none_of(ms.begin(), ms.end(), [&](const match& h) {
                return rs->patterns[h.id].kind == pattern_kind::hedge && h.from <= c.from && h.to >= c.to;
              })) {
            continue;
          }
          const auto cue = static_cast<core::stage>(rs->patterns[c.id].index);
          if (dist < best) {
            best = dist;
            stg = cue;
          }
          if (cue != core::stage::planned && dist < best_tentative) {
            best_tentative = dist;
            tentative = cue;
          }
        }
        if (stg == core::stage::planned && tentative != core::stage::enacted) stg = tentative;
        if (policymaker_speaks) stg = core::stage::considered;
        core::policy_shock sh;
        sh.category = rule.category;
        // Enforcement aimed at crypto is crypto regulation (the taxonomy): a generic regulatory
        // action in a sentence that speaks of crypto ("CFTC charges crypto lender with fraud",
        // "SEC fines Coinbase") or names a coin ("$BTC surges as SEC approves ETFs") becomes one.
        const auto names_a_coin = [&] {
          return std::any_of(f.mentions.begin(), f.mentions.end(), [&](const core::mention& men) {
            return men.asset == core::asset_class::crypto &&
                   std::any_of(men.spans.begin(), men.spans.end(), [&](const core::evidence& e) {
                     return e.field == fields[k] && e.start >= sfrom && e.end <= sto;
                   });
          });
        };
        if (sh.category == "regulatory_action" && (std::any_of(ms.begin(), ms.end(), [&](const match& c) {
                                                     return in_sentence(c) &&
                                                            rs->patterns[c.id].kind == pattern_kind::crypto_cue;
                                                   }) ||
                                                   names_a_coin())) {
          sh.category = "crypto_regulation";
        }
        sh.dir = dir;
        sh.stg = stg;
        sh.spans.push_back({fields[k], t.from, t.to});
        // In the text's order, the partners first.
        for (const match* a : {partners[2], partners[1], partners[0], actor}) {
          if (a == nullptr) continue;
          const auto& ar = rs->actors[rs->patterns[a->id].index];
          if (std::find(sh.actors.begin(), sh.actors.end(), ar.code) == sh.actors.end()) sh.actors.push_back(ar.code);
          if (!ar.authority.empty()) sh.actors.push_back(ar.authority);
        }
        for (const match* a : {actor, partners[0], partners[1], partners[2]}) {
          if (a != nullptr) sh.spans.push_back({fields[k], a->from, a->to});
        }
        if (reversal != nullptr) sh.spans.push_back({fields[k], reversal->from, reversal->to});
        // Targets: symbols and products named in the same sentence.
        for (const auto& men : f.mentions) {
          for (const auto& e : men.spans) {
            if (e.field == fields[k] && e.start >= sfrom && e.end <= sto &&
                std::find(sh.targets.begin(), sh.targets.end(), men.symbol) == sh.targets.end()) {
              sh.targets.push_back(men.symbol);
            }
          }
        }
        for (const auto& pm : ms) {
          if (in_sentence(pm) && rs->patterns[pm.id].kind == pattern_kind::product) {
            const auto& name = rs->products[rs->patterns[pm.id].index].name;
            if (std::find(sh.targets.begin(), sh.targets.end(), name) == sh.targets.end()) sh.targets.push_back(name);
          }
        }
        sh.confidence = std::clamp(0.55 + (actor ? 0.2 : 0.0) + (sh.targets.empty() ? 0.0 : 0.1) +
                                       (k == 0 ? 0.1 : 0.0) - (hedged ? 0.15 : 0.0),
                                   0.0, 1.0);
        note(trigger_verdict::shock, actor);
        if (why != nullptr) why->triggers.back().category = sh.category;  // crypto_regulation, say
        found.push_back({std::move(sh), t.from, t.to, rule.fallback, reversal != nullptr ? reversal->from : no_reversal,
                         why != nullptr ? why->triggers.size() - 1 : 0});
      }
      // regulatory_action is the fallback category: a more specific one in the sentence wins.
      // A fallback phrase gives way to another specific category's phrase over the same words
      // ("restricts exports of chips" is an export control); elsewhere in the sentence it stands
      // ("China bans Nvidia chips after an antitrust probe" is both). Not to regulatory_action's,
      // which gives way to it in turn: the two would leave nothing.
      const auto specific = std::find_if(found.begin(), found.end(),
                                         [](const auto& x) { return x.shock.category != "regulatory_action"; });
      const auto overruled = [&](const sentence_shock& x) {
        return std::find_if(found.begin(), found.end(), [&](const sentence_shock& o) {
          return !o.fallback && o.shock.category != x.shock.category && o.shock.category != "regulatory_action" &&
                 o.from < x.to && x.from < o.to;
        });
      };
      // A phrase that takes a reversal's verb for its own but stops short of the object it
      // governs ("ends tariff" in "ends tariff exemptions") gives way to the reversed one.
      const auto cut_short = [&](const sentence_shock& x) {
        return std::find_if(found.begin(), found.end(), [&](const sentence_shock& o) {
          return o.reversed_at != no_reversal && o.shock.category == x.shock.category && x.from <= o.reversed_at &&
                 o.reversed_at < x.to && x.to < o.to;
        });
      };
      // The winner's phrase is what decided a shock that gave way.
      const auto gave_way = [&](const sentence_shock& x, const sentence_shock& to) {
        if (why == nullptr) return;
        auto& n = why->triggers[x.note];
        n.verdict = trigger_verdict::gave_way;
        n.cue_from = to.from;
        n.cue_to = to.to;
      };
      for (auto& x : found) {
        if (specific != found.end() && x.shock.category == "regulatory_action") {
          gave_way(x, *specific);
          continue;
        }
        if (x.fallback) {
          if (const auto o = overruled(x); o != found.end()) {
            gave_way(x, *o);
            continue;
          }
        }
        if (const auto o = cut_short(x); o != found.end()) {
          gave_way(x, *o);
          continue;
        }
        auto same = std::find_if(shocks.begin(), shocks.end(), [&](const core::policy_shock& o) {
          return o.category == x.shock.category && o.dir == x.shock.dir;
        });
        if (same == shocks.end()) {
          shocks.push_back(std::move(x.shock));
          continue;
        }
        for (auto& a : x.shock.actors) {
          if (std::find(same->actors.begin(), same->actors.end(), a) == same->actors.end()) same->actors.push_back(a);
        }
        for (auto& t : x.shock.targets) {
          if (std::find(same->targets.begin(), same->targets.end(), t) == same->targets.end()) same->targets.push_back(t);
        }
        for (const auto& e : x.shock.spans) {
          // Two phrases can match the same words ("antitrust" and "anti-?trust").
          const bool known = std::any_of(same->spans.begin(), same->spans.end(), [&](const core::evidence& o) {
            return o.field == e.field && o.start == e.start && o.end == e.end;
          });
          if (!known) same->spans.push_back(e);
        }
        same->confidence = std::max(same->confidence, x.shock.confidence);
      }
    }
  }
  f.policy_shocks = std::move(shocks);

  // 4. Pre-tagged tickers.
  for (const auto& t : s.tickers) {
    if (t.empty()) continue;
    const std::string sym = upper(t);
    auto& m = mention_for(f.mentions, sym, core::mention_via::pretagged);
    if (m.name.empty()) {
      if (const auto* info = rs->lookup(sym, core::asset_class::equity)) {
        m.name = info->name;
        m.asset = info->asset;
      }
    }
  }

  // 5. Companies a shock reaches without the story naming them (policy.yaml: exposures).
  for (std::size_t i = 0; i < f.policy_shocks.size(); ++i) {
    for (const auto& ex : rs->exposures) {
      if (!ex.reaches(f.policy_shocks[i])) continue;
      for (const auto& sym : ex.exposed) {
        const auto is = [&](const auto& x) { return x.symbol == sym; };
        if (std::any_of(f.mentions.begin(), f.mentions.end(), is) ||
            std::any_of(f.exposures.begin(), f.exposures.end(), is)) {
          continue;
        }
        // Named as a name mention names it: by its alias, else its listing (load_rules checks
        // that every exposed symbol has one or the other).
        core::exposure x{sym, core::asset_class::unknown, {}, ex.name, static_cast<std::uint32_t>(i)};
        const auto* e = rs->symbols.find(sym);
        if (e != nullptr && e->alias != symbol_table::no_alias) {
          x.asset = rs->aliases[e->alias].asset;
          x.name = rs->aliases[e->alias].name;
        } else if (const auto* info = symbol_table::pick(e, core::asset_class::equity)) {
          x.asset = info->asset;
          x.name = info->name;
        }
        f.exposures.push_back(std::move(x));
      }
    }
  }

  // 6. Market-moving score: 1 - prod(1 - severity x stage x named-target factor), plus
  // urgency, times the source weight (docs/scoring.md).
  double keep = 1.0;
  for (const auto& sh : f.policy_shocks) {
    const double sev = category_severity(sh.category);
    const double named = sh.targets.empty() ? 0.85 : 1.0;
    const double v = sev * stage_factor(sh.stg) * named;
    keep *= 1.0 - v;
    f.market.reasons.push_back(sh.category + "/" + std::string(core::to_string(sh.dir)) + ": severity " + fmt2(sev) +
                               " x stage " + std::string(core::to_string(sh.stg)) + " " + fmt2(stage_factor(sh.stg)) +
                               (sh.targets.empty() ? " x no listed target 0.85" : " x targets named 1.00") + " = " +
                               fmt2(v));
  }
  double score = 1.0 - keep;
  if (f.policy_shocks.empty()) {
    const auto listed = std::count_if(f.mentions.begin(), f.mentions.end(),
                                      [](const core::mention& m) { return m.asset != core::asset_class::unknown; });
    if (listed > 0) {
      score = std::min(0.15, 0.05 * static_cast<double>(listed));
      f.market.reasons.push_back("no policy shock; " + std::to_string(listed) + " listed symbol(s) named");
    }
  }
  if (urgent) {
    score = std::min(1.0, score + 0.1);
    f.market.reasons.push_back("urgency cue '" + urgency_word + "' +0.10");
  }
  if (const auto w = cfg_.source_weights.find(s.source); w != cfg_.source_weights.end()) {
    score *= w->second;
    f.market.reasons.push_back("source weight " + s.source + " x" + fmt2(w->second));
  }
  f.market.score = std::clamp(std::round(score * 1000.0) / 1000.0, 0.0, 1.0);
  // 7. The learned model's view of the headline, beside the rules' (policy_model.hpp).
  if (rs->likelihood && cfg_.policy_likelihood) f.market.policy_likelihood = std::round(rs->likelihood->probability(s.headline) * 1000.0) / 1000.0;
  return f;
}

}  // namespace wirescan::enrich
