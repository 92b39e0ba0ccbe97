#include "wirescan/enrich/rules.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>

#include <hs/hs.h>
#include <yaml-cpp/yaml.h>

#include "wirescan/core/ascii.hpp"
#include "wirescan/core/utf8.hpp"

namespace wirescan::enrich {

// Every pattern in one database, for a text searched whole (a headline, a one-paragraph body):
// one pass. And the same patterns in two, for a text whose policy vocabulary (actors, triggers
// and their cues) is searched only up to a point, the lede of a long body: what names a
// mention (names, products, exchange codes, legal suffixes, crypto cues) through the whole
// text, the vocabulary only that far. Two passes over a short text cost about 11% more
// instructions than one (callgrind, the bench corpus), hence the third database.
struct rule_set::database {
  hs_database_t* all = nullptr;
  hs_database_t* mentions = nullptr;
  hs_database_t* context = nullptr;  // null when the rules have no such pattern
  // Never the same for two databases in one process, unlike their addresses: a rule set freed
  // in one reload can leave its address to the next one's (see scan).
  std::uint64_t generation = next_generation();
  static std::uint64_t next_generation() noexcept {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  ~database() {
    hs_free_database(all);
    hs_free_database(mentions);
    hs_free_database(context);
  }
};

namespace {

// Calls f(i, in_class, escaped) for every byte of the regular expression p but an escape's
// backslash: whether the byte stands inside a bracket class, and whether a backslash escapes
// it. A ']' right after '[' or '[^' is a member of the class; the brackets count as outside.
template <class F>
void walk_pattern(std::string_view p, F f) {
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      f(++i, in_class, true);
    } else if (!in_class && p[i] == '[') {
      f(i, false, false);
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') f(++i, true, false);
      if (i + 1 < p.size() && p[i + 1] == ']') f(++i, true, false);
    } else if (in_class && p[i] == ']') {
      in_class = false;
      f(i, false, false);
    } else {
      f(i, in_class, false);
    }
  }
}

// Whether a bracket class of the pattern holds a byte outside ASCII.
bool non_ascii_in_class(std::string_view p) {
  bool found = false;
  walk_pattern(p, [&](std::size_t i, bool in_class, bool) {
    found = found || (in_class && static_cast<unsigned char>(p[i]) >= 0x80);
  });
  return found;
}

// The pattern with every apostrophe outside a bracket class made to match the typographic one
// too: rule files write "People's Bank" and "don't", and many wires and most phones print
// "People’s" and "don’t". An escaped apostrophe stays as written.
std::string either_apostrophe(std::string_view p) {
  if (p.find('\'') == std::string_view::npos) return std::string(p);
  std::string out;
  walk_pattern(p, [&](std::size_t i, bool in_class, bool escaped) {
    if (escaped) out += '\\';
    if (p[i] == '\'' && !in_class && !escaped) {
      out += "(?:'|\u2019)";
    } else {
      out += p[i];
    }
  });
  return out;
}

// The pattern with each full stop in a negated bracket class ("[^.]", the sentence-bound gap)
// made the byte the scan gives a full stop that ends a sentence (sentence_stop, rule_set::scan):
// the class then crosses every other full stop ("U.S.", "3.5", "Inc.") and still stops at the
// end of a sentence. Full stops elsewhere in a pattern ("U\\.S\\.", "[0-9.]") stay as written:
// the scan gives them as they are, and no pattern means a sentence's end.
std::string sentence_bound(std::string_view p) {
  if (p.find("[^") == std::string_view::npos) return std::string(p);
  std::string out;
  bool negated = false;
  walk_pattern(p, [&](std::size_t i, bool in_class, bool escaped) {
    if (!in_class && !escaped && p[i] == '[') negated = i + 1 < p.size() && p[i + 1] == '^';
    if (p[i] == '.' && in_class && negated) {
      out += "\\x1f";
      return;
    }
    if (escaped) out += '\\';
    out += p[i];
  });
  return out;
}

// What turns an actor adjective into a full actor: "Chinese regulators", "the Philippine
// central bank".
constexpr std::array<const char*, 26> institution_words{
    "government", "authorities", "regulators?", "officials", "ministry", "ministers?", "central bank", "president",
    "agency", "agencies",
    "lawmakers", "parliament", "watchdog", "state", "prime minister", "finance minister", "securities regulator",
    "trade ministry", "commerce ministry", "military", "army", "navy", "air force", "forces", "troops", "courts?"};

struct builder {
  std::vector<std::string> problems;
  std::vector<std::string> expressions;
  std::vector<unsigned> flags;
  std::vector<char> compiled;  // 0 for an adjective's institution form, which scan() pairs instead
  bool institutions_needed = false;
  std::vector<std::string> listed;  // other NASDAQ and NYSE equities, for derive_listed_names
  // What becomes rs.symbols once every file is read: every asset class a symbol is listed
  // under, and the alias for a symbol.
  std::unordered_map<std::string, std::vector<symbol_info>> symbols;
  std::unordered_map<std::string, std::size_t> alias_by_symbol;
  std::vector<std::string> exposure_where;  // "policy.yaml: exposures[3]", by rs.exposures index
  rule_set rs;

  // Case-sensitive when marked with a leading '=' or written without lower-case letters
  // (acronyms: "US" must not match the pronoun "us").
  void add(std::string phrase, pattern_kind kind, std::uint32_t index, std::string source) {
    if (phrase.empty()) {
      problems.push_back(source + ": empty phrase");
      return;
    }
    bool caseless = true;
    if (phrase.front() == '=') {
      caseless = false;
      phrase.erase(0, 1);
    } else if (std::none_of(phrase.begin(), phrase.end(), [](unsigned char c) { return std::islower(c); })) {
      caseless = false;
    }
    add_regex(phrase, caseless, kind, index, std::move(source));
  }

  void add_regex(const std::string& phrase, bool caseless, pattern_kind kind, std::uint32_t index, std::string source) {
    // An empty name or phrase would match everywhere (and has no first or last character to
    // look at): a problem in the rule file, found by the rules fuzzer.
    if (phrase.empty()) {
      problems.push_back(source + ": empty phrase");
      return;
    }
    // Patterns match bytes, so a bracket class holding a multi-byte character ("['’]") holds
    // its three bytes and matches one of them, never the character: the pattern silently
    // misses every text that has it (the policymaker pattern did so for "SNB’s" until
    // 2026-12-01).
    if (non_ascii_in_class(phrase)) {
      problems.push_back(source + ": a non-ASCII character inside [...] matches one byte of it, not the character; " +
                         "write the choice as a group, e.g. (–|—) instead of [–—] (an apostrophe matches either form by itself)");
      return;
    }
    // Whole words only where the phrase itself starts or ends with a word character (a
    // group or an optional suffix counts as one): "<JPM.N>" and "U\\.K\\." need no boundary.
    const auto escaped_at = [&](std::size_t i) { return i > 0 && phrase[i - 1] == '\\'; };
    const char first = phrase.front();
    const char last = phrase.back();
    const bool word_start = std::isalnum(static_cast<unsigned char>(first)) || first == '(' || first == '[';
    const bool word_end = std::isalnum(static_cast<unsigned char>(last)) ||
                          ((last == '?' || last == ')' || last == ']' || last == '*' || last == '+' || last == '}') &&
                           !escaped_at(phrase.size() - 1));
    std::string expr = "(?:" + sentence_bound(either_apostrophe(phrase)) + ")";
    expressions.push_back(std::move(expr));
    flags.push_back(HS_FLAG_SOM_LEFTMOST | (caseless ? HS_FLAG_CASELESS : 0U));
    compiled.push_back(1);
    rs.patterns.push_back({kind, index, std::move(source), word_start, word_end});
    ++rs.phrase_count;
  }

  void unknown_keys(const YAML::Node& n, const std::string& where, const std::set<std::string>& allowed) {
    if (!n || !n.IsMap()) return;
    for (const auto& kv : n) {
      const auto k = kv.first.as<std::string>();
      if (!allowed.count(k)) problems.push_back(where + ": unknown key '" + k + "'");
    }
  }

  // A code or authority of an actor read so far (the actors section comes first).
  [[nodiscard]] bool known_actor(const std::string& a) const {
    return !a.empty() && std::any_of(rs.actors.begin(), rs.actors.end(),
                                     [&](const actor_rule& r) { return r.code == a || r.authority == a; });
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& where) {
    std::vector<std::string> out;
    if (!n || !n.IsSequence()) {
      problems.push_back(where + ": expected a list of phrases");
      return out;
    }
    for (const auto& x : n) {
      if (!x.IsScalar()) {
        problems.push_back(where + ": every phrase must be a string");
        continue;
      }
      out.push_back(x.as<std::string>());
    }
    return out;
  }
};

std::string read_all(const std::string& path, std::vector<std::string>& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.push_back(path + ": cannot read");
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::optional<core::asset_class> asset_from(const std::string& s) {
  if (s == "equity") return core::asset_class::equity;
  if (s == "crypto") return core::asset_class::crypto;
  if (s == "etf") return core::asset_class::etf;
  if (s == "unknown") return core::asset_class::unknown;
  return std::nullopt;
}

void load_policy(builder& b, const YAML::Node& root, const std::string& file) {
  const std::size_t first = b.expressions.size();
  b.unknown_keys(root, file,
                 {"actors", "triggers", "stages", "negations", "hedges", "urgency", "products", "background", "expectations",
                  "opinions", "policymakers", "commentary_subjects", "deciders", "reversals", "exposures"});
  const auto actors = root["actors"];
  if (!actors || !actors.IsSequence()) b.problems.push_back(file + ": actors: expected a list");
  else
    for (std::size_t i = 0; i < actors.size(); ++i) {
      const auto a = actors[i];
      const std::string where = file + ": actors[" + std::to_string(i) + "]";
      b.unknown_keys(a, where, {"code", "authority", "phrases", "adjectives"});
      if (!a["code"]) {
        b.problems.push_back(where + ": code is required");
        continue;
      }
      const std::string code = a["code"].as<std::string>();
      const std::string authority = a["authority"] ? a["authority"].as<std::string>() : "";
      b.rs.actors.push_back({code, authority, false});
      const auto noun = static_cast<std::uint32_t>(b.rs.actors.size() - 1);
      for (const auto& p : b.strings(a["phrases"], where + ".phrases")) {
        b.add(p, pattern_kind::actor, noun, where + ": '" + p + "'");
      }
      if (a["adjectives"]) {
        b.rs.actors.push_back({code, authority, true});
        const auto adj = static_cast<std::uint32_t>(b.rs.actors.size() - 1);
        for (const auto& p : b.strings(a["adjectives"], where + ".adjectives")) {
          const auto adj_id = b.expressions.size();
          b.add(p, pattern_kind::actor, adj, where + ": adjective '" + p + "'");
          // "Chinese regulators", "the Philippine central bank": an adjective naming an
          // institution is a full actor.
          std::string form = p + " (";
          for (const char* w : institution_words) form.append(w).append("|");
          form.back() = ')';
          const auto form_id = b.expressions.size();
          b.add(std::move(form), pattern_kind::actor, noun, where + ": '" + p + " <institution>'");
          // Paired after the scan rather than compiled, where the adjective and its form are
          // both caseless, as the institution words are (a form written case-sensitive, or
          // with an adjective that is and a form that is not, stays a pattern of its own).
          if (b.expressions.size() == form_id + 1 && form_id == adj_id + 1 &&
              (b.flags[adj_id] & b.flags[form_id] & HS_FLAG_CASELESS) != 0) {
            b.compiled[form_id] = 0;
            b.rs.patterns[adj_id].institution_form = static_cast<std::uint32_t>(form_id);
            b.institutions_needed = true;
          }
        }
      }
    }
  const auto triggers = root["triggers"];
  if (!triggers || !triggers.IsMap()) b.problems.push_back(file + ": triggers: expected a mapping by category");
  else
    for (const auto& kv : triggers) {
      const auto cat = kv.first.as<std::string>();
      if (core::category_index(cat) == core::policy_categories.size()) {
        b.problems.push_back(file + ": triggers." + cat + ": not a taxonomy category (docs/taxonomy.md)");
        continue;
      }
      if (!kv.second.IsSequence()) {
        b.problems.push_back(file + ": triggers." + cat + ": expected a list");
        continue;
      }
      for (std::size_t i = 0; i < kv.second.size(); ++i) {
        const auto t = kv.second[i];
        const std::string where = file + ": triggers." + cat + "[" + std::to_string(i) + "]";
        b.unknown_keys(t, where, {"direction", "phrases", "needs_actor", "named_move", "actors", "fallback", "actor_before"});
        const auto dir = t["direction"] ? t["direction"].as<std::string>() : "";
        if (dir != "tightening" && dir != "easing" && dir != "by_numbers") {
          b.problems.push_back(where + ": direction must be tightening, easing or by_numbers");
          continue;
        }
        b.rs.triggers.push_back({cat, dir == "easing" ? core::direction::easing : core::direction::tightening,
                                 t["needs_actor"] && t["needs_actor"].as<bool>(),
                                 t["named_move"] && t["named_move"].as<bool>(), dir == "by_numbers"});
        auto& rule = b.rs.triggers.back();
        rule.fallback = t["fallback"] && t["fallback"].as<bool>();
        rule.actor_before = t["actor_before"] && t["actor_before"].as<bool>();
        if (rule.actor_before) rule.needs_actor = true;
        if (t["actors"]) {
          rule.actors = b.strings(t["actors"], where + ".actors");
          if (rule.actors.empty()) b.problems.push_back(where + ".actors: name at least one, or leave it out");
          for (const auto& a : rule.actors) {
            if (!b.known_actor(a)) b.problems.push_back(where + ".actors: '" + a + "' is no actor's code or authority");
          }
          rule.needs_actor = true;
        }
        for (const auto& p : b.strings(t["phrases"], where + ".phrases")) {
          b.add(p, pattern_kind::trigger, static_cast<std::uint32_t>(b.rs.triggers.size() - 1), where + ": '" + p + "'");
        }
      }
    }
  const auto stages = root["stages"];
  b.unknown_keys(stages, file + ": stages", {"considered", "threatened", "planned"});
  const std::pair<const char*, core::stage> stage_names[] = {{"considered", core::stage::considered},
                                                             {"threatened", core::stage::threatened},
                                                             {"planned", core::stage::planned}};
  for (const auto& [name, st] : stage_names) {
    if (!stages || !stages[name]) continue;
    for (const auto& p : b.strings(stages[name], file + ": stages." + name)) {
      b.add(p, pattern_kind::stage, static_cast<std::uint32_t>(st), file + ": stages." + name + ": '" + p + "'");
    }
  }
  for (const auto& [key, kind] : {std::pair{"negations", pattern_kind::negation}, std::pair{"hedges", pattern_kind::hedge},
                                  std::pair{"urgency", pattern_kind::urgency}, std::pair{"background", pattern_kind::background},
                                  std::pair{"expectations", pattern_kind::expectation},
                                  std::pair{"opinions", pattern_kind::opinion},
                                  std::pair{"policymakers", pattern_kind::policymaker},
                                  std::pair{"commentary_subjects", pattern_kind::commentary_subject},
                                  std::pair{"deciders", pattern_kind::decider},
                                  std::pair{"reversals", pattern_kind::reversal}}) {
    if (!root[key]) continue;
    for (const auto& p : b.strings(root[key], file + ": " + key)) b.add(p, kind, 0, file + ": " + key + ": '" + p + "'");
  }
  if (const auto products = root["products"]; products) {
    for (std::size_t i = 0; i < products.size(); ++i) {
      const auto pr = products[i];
      const std::string where = file + ": products[" + std::to_string(i) + "]";
      b.unknown_keys(pr, where, {"name", "symbol", "phrases"});
      if (!pr["name"] || !pr["symbol"]) {
        b.problems.push_back(where + ": name and symbol are required");
        continue;
      }
      b.rs.products.push_back({pr["name"].as<std::string>(), pr["symbol"].as<std::string>()});
      for (const auto& p : b.strings(pr["phrases"], where + ".phrases")) {
        b.add("=" + p, pattern_kind::product, static_cast<std::uint32_t>(b.rs.products.size() - 1), where + ": '" + p + "'");
      }
    }
  }
  if (const auto exposures = root["exposures"]; exposures) {
    if (!exposures.IsSequence()) b.problems.push_back(file + ": exposures: expected a list");
    for (std::size_t i = 0; exposures.IsSequence() && i < exposures.size(); ++i) {
      const auto ex = exposures[i];
      const std::string where = file + ": exposures[" + std::to_string(i) + "]";
      b.unknown_keys(ex, where, {"name", "categories", "actor", "targets", "exposed"});
      if (!ex.IsMap() || !ex["name"] || !ex["name"].IsScalar() || !ex["actor"] || !ex["actor"].IsScalar()) {
        b.problems.push_back(where + ": name, actor, categories, targets and exposed are required");
        continue;
      }
      exposure_rule r{ex["name"].as<std::string>(), b.strings(ex["categories"], where + ".categories"),
                      ex["actor"].as<std::string>(), b.strings(ex["targets"], where + ".targets"),
                      b.strings(ex["exposed"], where + ".exposed")};
      if (!b.known_actor(r.actor)) b.problems.push_back(where + ".actor: '" + r.actor + "' is no actor's code or authority");
      for (const auto& c : r.categories) {
        if (core::category_index(c) == core::policy_categories.size()) {
          b.problems.push_back(where + ".categories: '" + c + "' is not a taxonomy category (docs/taxonomy.md)");
        }
      }
      if (r.categories.empty() || r.targets.empty() || r.exposed.empty()) {
        b.problems.push_back(where + ": categories, targets and exposed must each name at least one");
      }
      b.rs.exposures.push_back(std::move(r));  // exposed symbols are checked once the symbol table is built
      b.exposure_where.push_back(where);
    }
  }
  // A pattern that can match without bound ('+', '*', '{n,}') makes every scan slower, not
  // only the stories it matches: Vectorscan tracks where each open match started. Three such
  // triggers once cost a fifth of throughput (docs/performance.md).
  for (std::size_t i = first; i < b.expressions.size(); ++i) {
    // Only a repeat can be unbounded; most phrases have none, and asking Vectorscan costs
    // about 40 us a pattern (0.4 s at 10,000 phrases).
    if (b.expressions[i].find_first_of("+*{") == std::string::npos) continue;
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(b.expressions[i].c_str(), b.flags[i], &info, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);  // the database compile names the bad pattern
      continue;
    }
    if (info->max_width == UINT_MAX) {
      b.problems.push_back(b.rs.patterns[i].source +
                           ": can match without bound ('+', '*' or '{n,}'); bound its repeats, e.g. {1,30}");
    }
    std::free(info);  // allocated with Vectorscan's misc allocator, malloc by default
  }
}

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

void load_aliases(builder& b, const YAML::Node& root, const std::string& file) {
  b.unknown_keys(root, file, {"aliases"});
  const auto aliases = root["aliases"];
  if (!aliases || !aliases.IsSequence()) {
    b.problems.push_back(file + ": aliases: expected a list");
    return;
  }
  for (std::size_t i = 0; i < aliases.size(); ++i) {
    const auto a = aliases[i];
    const std::string where = file + ": aliases[" + std::to_string(i) + "]";
    b.unknown_keys(a, where, {"symbol", "names", "asset_class", "name", "caseless", "prefer"});
    if (!a["symbol"]) {
      b.problems.push_back(where + ": symbol is required");
      continue;
    }
    const auto asset = asset_from(a["asset_class"] ? a["asset_class"].as<std::string>() : "equity");
    if (!asset) {
      b.problems.push_back(where + ": asset_class must be equity, crypto, etf or unknown");
      continue;
    }
    const auto prefer = a["prefer"] ? a["prefer"].as<std::string>() : "";
    if (!prefer.empty() && prefer != "crypto" && prefer != "equity") {
      b.problems.push_back(where + ": prefer must be crypto or equity");
    }
    alias_rule rule{a["symbol"].as<std::string>(), *asset, a["name"] ? a["name"].as<std::string>() : "",
                    prefer == "crypto"};
    b.alias_by_symbol[rule.symbol] = b.rs.aliases.size();
    b.rs.aliases.push_back(rule);
    const bool caseless = a["caseless"] && a["caseless"].as<bool>();
    for (const auto& n : b.strings(a["names"], where + ".names")) {
      const auto idx = static_cast<std::uint32_t>(b.rs.aliases.size() - 1);
      b.add_regex(regex_escape(n), caseless, pattern_kind::name, idx, where + ": '" + n + "'");
      // ALL-CAPS headlines ("AMAZON DEVELOPING ...") name companies in capitals.
      std::string up = n;
      for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!caseless && up != n) b.add_regex(regex_escape(up), false, pattern_kind::name, idx, where + ": '" + up + "'");
    }
  }
}

void load_symbols(builder& b, const std::string& text, const std::string& file) {
  std::istringstream in(text);
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cols.push_back(line.substr(start, tab - start));
    }
    cols.push_back(line.substr(start));
    const auto asset = cols.size() >= 3 ? asset_from(cols[1]) : std::nullopt;
    if (!asset) {
      b.problems.push_back(file + ":" + std::to_string(line_no) + ": expected symbol<TAB>asset_class<TAB>name");
      continue;
    }
    b.symbols[cols[0]].push_back({cols[2], *asset});
    if (cols.size() >= 4 && cols[3] == "sp500") b.rs.sp500.push_back(cols[0]);
    if (cols.size() >= 4 && (cols[3] == "nasdaq" || cols[3] == "nyse-other") && *asset == core::asset_class::equity) {
      b.listed.push_back(cols[0]);
    }
  }
}

// S&P 500 company names become name patterns ("Iron Mountain" -> IRM), unless the curated
// alias file already covers the symbol. Legal suffixes are dropped; a one-word name must be
// at least five letters and not an everyday word, a place or a person's name, because names
// match case-sensitively but sentence starts are capitalised too.
void derive_sp500_names(builder& b) {
  static const std::set<std::string> common{
      "Target", "Block", "Match", "Ball", "Global", "Progressive", "Equity", "Public", "General", "Realty",
      "Corning", "Church", "Eaton", "Emerson", "Loews", "Pool", "Camden", "Regency", "Lennox", "Hubbell", "Moody's",
      "Travelers", "Principal", "Citizens", "Fifth", "Huntington", "Hartford", "Regions", "Mosaic", "Airbnb",
      "Hilton", "Marriott", "Oracle", "Visa", "Apple", "Amazon", "Alphabet", "Tesla", "Nvidia", "Nasdaq"};
  static const char* suffixes[] = {" (The)", ", Inc.", " Inc.", ", Inc", " Inc", " Corporation", " Corp.",
                                   " Corp", " Company", " Co.", " Holdings", " Group", " plc", " Ltd.", " & Co.",
                                   " (Class A)", " (Class B)", " (Class C)", " Incorporated", " Technologies"};
  for (const auto& sym : b.rs.sp500) {
    if (b.alias_by_symbol.count(sym)) continue;
    // The company's row, not a coin's that shares its symbol: OXY is also the coin Oxygen, and
    // "Oxygen supplies run low" is not Occidental Petroleum.
    const auto& infos = b.symbols[sym];
    const auto info = std::find_if(infos.begin(), infos.end(), [](const symbol_info& i) { return i.asset == core::asset_class::equity; });
    if (info == infos.end()) continue;
    std::string name = info->name;
    for (bool again = true; again;) {
      again = false;
      for (const char* suf : suffixes) {
        const std::string sfx(suf);
        if (name.size() > sfx.size() && name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0) {
          name.erase(name.size() - sfx.size());
          again = true;
        }
      }
    }
    const bool one_word = name.find(' ') == std::string::npos;
    if (name.size() < 3 || (one_word && (name.size() < 5 || common.count(name)))) continue;
    alias_rule rule{sym, info->asset, info->name, false, true};
    b.alias_by_symbol[sym] = b.rs.aliases.size();
    b.rs.aliases.push_back(rule);
    b.add_regex(regex_escape(name), false, pattern_kind::name, static_cast<std::uint32_t>(b.rs.aliases.size() - 1),
                "symbols.tsv: S&P 500 name '" + name + "'");
  }
}

// Other NASDAQ and NYSE companies count by name only with a legal suffix after it, as press
// releases and law-firm notices write them ("StepStone Group Inc.", "Unity Software, Inc.",
// "Cosan S.A."): thousands of small companies have names made of everyday words ("American
// Outdoor Brands"), and the suffix is what says a company is meant. Funds, ETFs, notes and
// preferred shares are left out, and so is a name two share classes share.
void derive_listed_names(builder& b) {
  static const char* legal[] = {", Inc.", " Inc.", ", Inc", " Inc", " Corporation", " Corp.", " Corp", " Limited",
                                " Ltd.", " Ltd", " plc", " PLC", " N.V.", " S.A.", " SA", " AG", " SE"};
  // The lists name some companies by their share ("Corporacion America Airports SA Common
  // Shares"): the company is what comes before.
  static const char* share[] = {" Common Shares", " Common Stock", " Ordinary Shares"};
  static const char* skip[] = {"%", "ETF", "Fund", "Trust", "Series", "Preferred", "Warrant", "Notes", "Units",
                               "Rights", "Depositary", "Acquisition", "Portfolio", "Shares", "Index"};
  // A name an S&P 500 company or a curated alias already has is theirs: "AT&T Inc." is also
  // the name of the NYSE listing TA, but "AT&T Inc" in a headline means T.
  std::set<std::string> taken;
  for (const auto& sym : b.rs.sp500) {
    for (const auto& i : b.symbols[sym]) taken.insert(i.name);
  }
  for (const auto& a : b.rs.aliases) taken.insert(a.name);
  std::map<std::string, std::vector<std::string>> by_base;
  std::map<std::string, char> kinds;
  for (const auto& sym : b.listed) {
    if (b.alias_by_symbol.count(sym)) continue;
    const auto& infos = b.symbols[sym];
    const auto info = std::find_if(infos.begin(), infos.end(), [](const symbol_info& i) { return i.asset == core::asset_class::equity; });
    if (info == infos.end()) continue;
    std::string name = info->name;
    for (const char* w : share) {
      if (name.ends_with(w)) name.resize(name.size() - std::strlen(w));
    }
    if (std::any_of(std::begin(skip), std::end(skip), [&](const char* w) { return name.find(w) != std::string::npos; })) continue;
    if (name.ends_with(" (The)")) name.resize(name.size() - 6);  // "Gap, Inc. (The)"
    for (const char* suf : legal) {
      const std::string sfx(suf);
      if (name.size() >= sfx.size() + 2 && name.ends_with(sfx)) {
        by_base[name.substr(0, name.size() - sfx.size())].push_back(sym);
        kinds[name.substr(0, name.size() - sfx.size())] = legal_kind(sfx);
        break;
      }
    }
  }
  // One pattern for the suffix, not one per company: 3,600 more name patterns cost 8% of the
  // in-process throughput; looking up the few words before a suffix (rare) costs nothing.
  b.add_regex(",? (?:Inc|Corporation|Corp|Limited|Ltd|plc|PLC|N\\.V|S\\.A|SA|AG|SE)\\.?", false, pattern_kind::legal_suffix, 0,
              "built-in: legal suffix");
  for (const auto& [base, syms] : by_base) {
    // A name starts with a capital or a figure ("3D Systems", "17 Education & Technology Group");
    // a bare number ("111, Inc.") is too likely to be a count.
    const auto front = static_cast<unsigned char>(base.front());
    const bool has_letter = std::any_of(base.begin(), base.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
    if (!(std::isupper(front) || (std::isdigit(front) && has_letter)) || taken.count(base)) continue;
    // Several listings under one name: the common stock when the others extend its symbol
    // (XRX and the warrant XRXDW), none when they are classes (MOG.A, MOG.B).
    const auto& sym = *std::min_element(syms.begin(), syms.end(), [](const auto& x, const auto& y) { return x.size() < y.size(); });
    if (!std::all_of(syms.begin(), syms.end(), [&](const std::string& x) { return x == sym || (x.starts_with(sym) && x[sym.size()] != '.'); })) continue;
    if (std::count(syms.begin(), syms.end(), sym) != 1) continue;
    const auto& infos = b.symbols[sym];
    const auto& info = *std::find_if(infos.begin(), infos.end(), [](const symbol_info& i) { return i.asset == core::asset_class::equity; });
    b.alias_by_symbol[sym] = b.rs.aliases.size();
    b.rs.listed_names.emplace(base, rule_set::listed_name{static_cast<std::uint32_t>(b.rs.aliases.size()), kinds[base]});
    b.rs.aliases.push_back({sym, core::asset_class::equity, info.name, false, true});
  }
}

// The symbol table the enricher looks symbols up in, from what the files said about them.
void freeze_symbols(builder& b) {
  std::map<std::string, symbol_table::entry> by_symbol;  // in symbol order: the same files give the same table
  const auto at = [&](const std::string& sym) -> symbol_table::entry& {
    auto& e = by_symbol[sym];
    e.symbol = sym;
    return e;
  };
  for (auto& [sym, infos] : b.symbols) at(sym).infos = std::move(infos);
  for (const auto& [sym, alias] : b.alias_by_symbol) at(sym).alias = static_cast<std::uint32_t>(alias);
  for (const auto& sym : b.rs.sp500) at(sym).sp500 = true;
  std::vector<symbol_table::entry> entries;
  entries.reserve(by_symbol.size());
  for (auto& [sym, e] : by_symbol) entries.push_back(std::move(e));
  b.rs.symbols = symbol_table(std::move(entries));
  b.symbols.clear();
}

// Found wherever they are in a text: they name what a story mentions. Everything else is the
// policy vocabulary, which only matters in the headline and the lede.
bool whole_text_kind(pattern_kind k) {
  return k == pattern_kind::name || k == pattern_kind::product || k == pattern_kind::exchange_symbol ||
         k == pattern_kind::legal_suffix || k == pattern_kind::crypto_cue;
}

core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> compile(builder& b) {
  // Exchange-qualified symbols: "(NASDAQ: AAPL)", "(NYSE:BA)" and Reuters codes "<JNJ.N>".
  b.add_regex("\\((?:NASDAQ|Nasdaq|NYSE|NYSE American|NYSE Arca|AMEX|Cboe|OTC|TSX|LSE|HKEX)\\s?:\\s?[A-Z]{1,5}(?:\\.[A-Z])?\\)",
              false, pattern_kind::exchange_symbol, 0, "built-in: exchange-qualified symbol");
  b.add_regex("<[A-Z]{1,5}\\.(?:N|O|OQ|K|A|P)>", false, pattern_kind::exchange_symbol, 1, "built-in: Reuters code");
  // Words that make an ambiguous cashtag ($SOL, $LINK) the crypto asset, found inside other
  // words too ("Bitcoin", "stablecoin"). In the one pass, rather than a search per word and
  // field after it: twelve memmem passes cost 8% of the enricher.
  for (const char* cue : {"crypto", "Crypto", "coin", "token", "blockchain", "DeFi"}) {
    b.add_regex(cue, false, pattern_kind::crypto_cue, 0, std::string("built-in: crypto cue '") + cue + "'");
    b.rs.patterns.back().word_start = false;
    b.rs.patterns.back().word_end = false;
  }
  // The institution words an adjective's form is paired from, each a pattern of its own so
  // that every start is reported ("minister" as well as "prime minister" ending there).
  if (b.institutions_needed) {
    for (std::size_t i = 0; i < institution_words.size(); ++i) {
      b.add_regex(institution_words[i], true, pattern_kind::institution, static_cast<std::uint32_t>(i),
                  std::string("built-in: institution '") + institution_words[i] + "'");
    }
  }
  if (!b.problems.empty()) return core::unexpected{std::move(b.problems)};
  std::vector<const char*> exprs;
  std::vector<unsigned> ids;
  std::vector<unsigned> flags;
  std::array<std::vector<const char*>, 2> part_exprs;
  std::array<std::vector<unsigned>, 2> part_flags, part_ids;
  for (std::size_t i = 0; i < b.expressions.size(); ++i) {
    const std::size_t part = whole_text_kind(b.rs.patterns[i].kind) ? 0 : 1;
    if (b.compiled[i] != 0) {
      exprs.push_back(b.expressions[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
      flags.push_back(b.flags[i]);
      part_exprs[part].push_back(b.expressions[i].c_str());
      part_flags[part].push_back(b.flags[i]);
      part_ids[part].push_back(static_cast<unsigned>(i));
    }
    // An uncompiled form counts here too: its match ends where its institution word does.
    if (part == 0) continue;
    // How far a context match can reach past where it starts: its length bounds it, unless a
    // repeat lets it match more than it spells (bounded repeats only: load_policy refuses others).
    std::size_t width = b.expressions[i].size();
    if (b.expressions[i].find_first_of("+*{") != std::string::npos) {
      hs_expr_info_t* info = nullptr;
      hs_compile_error_t* err = nullptr;
      if (hs_expression_info(b.expressions[i].c_str(), b.flags[i], &info, &err) == HS_SUCCESS) {
        width = info->max_width == UINT_MAX ? std::numeric_limits<std::size_t>::max() / 2 : info->max_width;
        std::free(info);  // allocated with Vectorscan's misc allocator, malloc by default
      } else {
        hs_free_compile_error(err);  // the database compile below names the bad pattern
      }
    }
    b.rs.context_reach = std::max(b.rs.context_reach, width);
  }
  auto db = std::make_shared<rule_set::database>();
  // The two partial databases compile on a thread of their own while this one compiles the
  // whole set: a reload or a start waits about as long as for one database.
  const auto compile_set = [](const std::vector<const char*>& e, const std::vector<unsigned>& f,
                              const std::vector<unsigned>& i, hs_database_t** out) {
    hs_compile_error_t* err = nullptr;
    if (e.empty()) return true;
    const bool ok = hs_compile_multi(e.data(), f.data(), i.data(), static_cast<unsigned>(e.size()), HS_MODE_BLOCK,
                                     nullptr, out, &err) == HS_SUCCESS;
    hs_free_compile_error(err);  // the loop below names the bad pattern
    return ok;
  };
  // Deferred as well: where no thread can be made, get() compiles them here instead of throwing.
  auto parts = std::async(std::launch::async | std::launch::deferred, [&] {
    return compile_set(part_exprs[0], part_flags[0], part_ids[0], &db->mentions) &&
           compile_set(part_exprs[1], part_flags[1], part_ids[1], &db->context);
  });
  const bool whole = compile_set(exprs, flags, ids, &db->all);
  if (!parts.get() || !whole) {
    // Compile each pattern alone so every bad one is named, not just the first.
    for (std::size_t i = 0; i < b.expressions.size(); ++i) {
      hs_database_t* one = nullptr;
      hs_compile_error_t* e1 = nullptr;
      if (hs_compile(b.expressions[i].c_str(), b.flags[i], HS_MODE_BLOCK, nullptr, &one, &e1) != HS_SUCCESS) {
        b.problems.push_back(b.rs.patterns[i].source + ": " + e1->message);
        hs_free_compile_error(e1);
      }
      hs_free_database(one);
    }
    if (b.problems.empty()) b.problems.emplace_back("the rules do not compile together (database too large?)");
    return core::unexpected{std::move(b.problems)};
  }
  b.rs.db = std::move(db);
  return std::shared_ptr<const rule_set>(std::make_shared<rule_set>(std::move(b.rs)));
}

// A word of up to seven bytes as one number: its bytes, first lowest, and its length on top.
constexpr std::uint64_t packed_word(std::string_view w) noexcept {
  std::uint64_t v = static_cast<std::uint64_t>(w.size()) << 56;
  for (std::size_t i = 0; i < w.size() && i < 7; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(w[i])) << (8 * i);
  }
  return v;
}

// Whether a word before a full stop is an abbreviation that does not end the sentence.
bool abbreviation(std::string_view word) noexcept {
  static constexpr auto known = [] {
    constexpr std::string_view words[] = {
        "Mr", "Mrs", "Ms", "Dr", "Inc", "Corp", "Co", "Ltd", "Bros", "St", "vs", "Vs", "VS", "No", "Jan", "Feb", "Mar",
        "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Sen", "Rep", "Gov", "Gen", "Pres",
        "Jr", "Sr", "Lt", "Col", "Sgt", "approx", "est", "Ave"};
    std::array<std::uint64_t, std::size(words)> k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = packed_word(words[i]);
    std::sort(k.begin(), k.end());
    return k;
  }();
  return word.size() <= 7 && std::binary_search(known.begin(), known.end(), packed_word(word));
}

}  // namespace

bool full_stop_ends(std::string_view t, std::size_t i) noexcept {
  if (i + 1 < t.size() && t[i + 1] != ' ' && t[i + 1] != '\n') return false;
  std::size_t w = i;
  while (w > 0 && core::is_ascii_letter(t[w - 1])) --w;
  const std::string_view word = t.substr(w, i - w);
  return !((word.size() == 1 && core::is_ascii_upper(word[0])) || abbreviation(word));
}

char legal_kind(std::string_view s) noexcept {
  if (s.starts_with(",")) s.remove_prefix(1);
  if (s.starts_with(" ")) s.remove_prefix(1);
  static constexpr std::array<std::pair<std::string_view, char>, 10> kinds{{{"Inc", 'I'}, {"Corp", 'C'}, {"Limited", 'L'},
                                                                           {"Ltd", 'L'}, {"plc", 'P'}, {"PLC", 'P'},
                                                                           {"N.V", 'N'}, {"S.A", 'S'}, {"SA", 'S'},
                                                                           {"AG", 'A'}}};
  for (const auto& [word, kind] : kinds) {
    if (s.starts_with(word)) return kind;
  }
  return s.starts_with("SE") ? 'E' : 0;
}

void rule_set::scan(std::string_view text, std::vector<match>& out, std::size_t context_until) const {
  struct scratch_holder {
    hs_scratch_t* s = nullptr;
    std::uint64_t sized_for = 0;  // the generation of the databases the scratch was last grown for
    ~scratch_holder() { hs_free_scratch(s); }
  };
  thread_local scratch_holder scratch;
  // hs_alloc_scratch validates the whole database each time, which costs more than the
  // scan itself at 10,000 patterns: call it only when the databases change (a reload). One
  // scratch serves all three once grown for each. Known by generation, not address: with the
  // address, a thread that scanned nothing while one reload's rules were current could meet
  // the next reload's databases where the first ones had been, and scan them with a scratch
  // grown for others. Vectorscan checks only part of a scratch's size (hs_scan's HS_INVALID),
  // so that could as well read past its end.
  if (scratch.sized_for != db->generation) {
    for (auto* d : {db->all, db->mentions, db->context}) {
      if (d != nullptr && hs_alloc_scratch(d, &scratch.s) != HS_SUCCESS) throw std::bad_alloc();
    }
    scratch.sized_for = db->generation;
  }
  struct context {
    const rule_set* rs;
    std::string_view text;  // all of it, for the word-boundary checks, even when less is scanned
    std::size_t until;      // matches starting here or later are dropped
    std::vector<match>* out;
    std::size_t institutions;  // institution words found
  } ctx{this, text, text.size(), &out, 0};
  const auto on_match = [](unsigned id, unsigned long long from, unsigned long long to, unsigned, void* c) -> int {
    auto& x = *static_cast<context*>(c);
    const auto& p = x.rs->patterns[id];
    // An institution word may start past the limit when the adjective before it does not.
    const bool institution = p.kind == pattern_kind::institution;
    if (from >= x.until && !institution) return 0;
    const auto word = [&](std::size_t i) {
      const char ch = x.text[i];
      return core::is_ascii_alnum(ch) || ch == '_';
    };
    if (p.word_start && from > 0 && word(from - 1) && word(from)) return 0;
    if (p.word_end && to < x.text.size() && word(to) && to > 0 && word(to - 1)) return 0;
    x.out->push_back({id, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)});
    x.institutions += institution ? 1 : 0;
    return 0;
  };
  // Unchecked, a failed scan would pass for a text with no match at all. Every text can be
  // scanned (the callback never stops one), so a failure is a fault in this code, not input.
  const auto scan_with = [&](const hs_database_t* d, std::size_t length) {
    const auto rc = hs_scan(d, text.data(), static_cast<unsigned>(length), 0, scratch.s, on_match, &ctx);
    if (rc != HS_SUCCESS) throw std::logic_error("Vectorscan could not scan a text: error " + std::to_string(rc));
  };
  // The text as the patterns read it: each full stop that ends a sentence, but the text's last
  // byte (no gap reaches past it), as sentence_stop. Most headlines have none, and are not copied.
  thread_local std::string marked;
  bool copied = false;
  for (auto i = text.find('.'); i != std::string_view::npos && i + 1 < text.size(); i = text.find('.', i + 1)) {
    if (!full_stop_ends(text, i)) continue;
    if (!copied) {
      marked.assign(text);
      copied = true;
    }
    marked[i] = sentence_stop;
  }
  if (copied) text = marked;
  const std::size_t first = out.size();
  if (context_until >= text.size() || db->context == nullptr) {
    scan_with(db->all, text.size());
  } else {
    scan_with(db->mentions, text.size());
    // Every context match that starts before context_until ends within context_reach of its
    // start, so scanning that far finds exactly those the whole text would give.
    ctx.until = context_until;
    scan_with(db->context, std::min(text.size(), context_until + context_reach));
  }
  if (ctx.institutions != 0) pair_institutions(text, out, first);
}

// An adjective, one space and an institution word: the adjective's institution form, as the
// form's own pattern "Chinese (government|...)" would have matched it (the leftmost start per
// end, since the adjective's own match is). The institution words themselves are not reported.
void rule_set::pair_institutions(std::string_view text, std::vector<match>& out, std::size_t first) const {
  const std::size_t end = out.size();
  for (std::size_t i = first; i < end; ++i) {
    const auto form = patterns[out[i].id].institution_form;
    if (form == pattern_info::no_form || out[i].to >= text.size() || text[out[i].to] != ' ') continue;
    for (std::size_t j = first; j < end; ++j) {
      if (patterns[out[j].id].kind == pattern_kind::institution && out[j].from == out[i].to + 1) {
        out.push_back({form, out[i].from, out[j].to});
      }
    }
  }
  out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                           [&](const match& m) { return patterns[m.id].kind == pattern_kind::institution; }),
            out.end());
}

core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> load_rules(const std::string& dir) {
  std::vector<std::string> problems;
  rule_sources src;
  src.policy = read_all(dir + "/policy.yaml", problems);
  src.aliases = read_all(dir + "/aliases.yaml", problems);
  src.symbols = read_all(dir + "/symbols.tsv", problems);
  // The policy-likelihood model is optional: a folder without one gives events without it.
  if (std::ifstream(dir + "/policy-model.tsv")) src.model = read_all(dir + "/policy-model.tsv", problems);
  src.dir = dir;
  auto r = load_rules_from(src);
  if (problems.empty()) return r;
  if (!r) problems.insert(problems.end(), r.error().begin(), r.error().end());
  return core::unexpected{std::move(problems)};
}

core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> load_rules_from(const rule_sources& src) {
  builder b;
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& [name, text, loader] :
       {std::tuple<const char*, const std::string*, void (*)(builder&, const YAML::Node&, const std::string&)>{
            "policy.yaml", &src.policy, load_policy},
        std::tuple<const char*, const std::string*, void (*)(builder&, const YAML::Node&, const std::string&)>{
            "aliases.yaml", &src.aliases, load_aliases}}) {
    const std::string path = src.dir + "/" + name;
    h = fnv1a(*text, h);
    if (text->empty()) continue;
    // Names and phrases end up in events verbatim: they must be UTF-8.
    if (core::first_invalid_utf8(*text)) {
      b.problems.push_back(path + ": not valid UTF-8");
      continue;
    }
    try {
      loader(b, YAML::Load(*text), path);
    } catch (const YAML::Exception& e) {
      b.problems.push_back(path + ": " + e.what());
    }
  }
  const std::string sym_path = src.dir + "/symbols.tsv";
  h = fnv1a(src.symbols, h);
  if (core::first_invalid_utf8(src.symbols)) b.problems.push_back(sym_path + ": not valid UTF-8");
  load_symbols(b, src.symbols, sym_path);
  std::sort(b.rs.sp500.begin(), b.rs.sp500.end());
  derive_sp500_names(b);
  derive_listed_names(b);
  freeze_symbols(b);
  // An exposed symbol is said in events with its name: one the table does not know is a typo.
  for (std::size_t i = 0; i < b.rs.exposures.size(); ++i) {
    for (const auto& sym : b.rs.exposures[i].exposed) {
      if (b.rs.symbols.find(sym) == nullptr) {
        b.problems.push_back(b.exposure_where[i] + ".exposed: '" + sym +
                             "' is not in the symbol table (symbols.tsv, aliases.yaml)");
      }
    }
  }
  if (!src.model.empty()) {
    h = fnv1a(src.model, h);
    b.rs.likelihood = policy_model::parse(src.model, src.dir + "/policy-model.tsv", b.problems);
  }
  std::ostringstream v;
  v << std::hex << h;
  b.rs.version = v.str().substr(0, 12);
  return compile(b);
}

core::result<std::shared_ptr<const rule_set>, std::vector<std::string>> synthetic_rules(
    const std::vector<std::string>& trigger_phrases) {
  builder b;
  b.rs.actors.push_back({"US", ""});
  b.add("United States", pattern_kind::actor, 0, "synthetic actor");
  b.rs.triggers.push_back({"tariff", core::direction::tightening, false});
  for (std::size_t i = 0; i < trigger_phrases.size(); ++i) {
    b.add(trigger_phrases[i], pattern_kind::trigger, 0, "synthetic[" + std::to_string(i) + "]");
  }
  b.rs.version = "synthetic";
  return compile(b);
}

}  // namespace wirescan::enrich
