#include "wirescan/novelty/fingerprint.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <xxhash.h>
#include <yaml-cpp/yaml.h>

#include "wirescan/core/ascii.hpp"
#include "wirescan/core/hash.hpp"

namespace wirescan::novelty {
namespace {

constexpr std::uint64_t feature(feature_kind k, std::uint64_t h) noexcept {
  return (static_cast<std::uint64_t>(k) << 61) | (h & ((std::uint64_t{1} << 61) - 1));
}

using core::is_ascii_alnum;

// The length of the non-ASCII separator at t[i], 0 if there is none (the byte table below
// decides every ASCII byte): U+2010..U+201F (dashes, curly quotes) and U+2026 (ellipsis)
// separate words like ASCII punctuation does; every other non-ASCII character is part of a word.
std::size_t separator_length(std::string_view t, std::size_t i) {
  const auto c = static_cast<unsigned char>(t[i]);
  if (c == 0xE2 && i + 2 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x80) {
    const auto c2 = static_cast<unsigned char>(t[i + 2]);
    if ((c2 >= 0x90 && c2 <= 0x9F) || c2 == 0xA6) return 3;
  }
  if (c == 0xC2 && i + 1 < t.size()) return 2;  // NBSP, guillemets, ...
  return 0;
}

struct token {
  std::uint32_t from;
  std::uint32_t to;
  std::string& text;  // lower-case ASCII; dots kept only inside numbers
};

// What a byte is to the tokeniser: part of a word (ASCII letters and digits, and non-ASCII
// bytes but the two below), a separator (other ASCII), a dot (a separator unless it joins two
// parts of a word), or the first byte of a non-ASCII separator maybe (separator_length decides).
enum class byte_kind : std::uint8_t { word, separator, dot, maybe };

constexpr std::array<byte_kind, 256> byte_kinds = [] {
  std::array<byte_kind, 256> k{};
  for (unsigned c = 0; c < 256; ++c) {
    k[c] = c >= 0x80 || is_ascii_alnum(static_cast<char>(c)) ? byte_kind::word : byte_kind::separator;
  }
  k['.'] = byte_kind::dot;
  k[0xC2] = byte_kind::maybe;
  k[0xE2] = byte_kind::maybe;
  return k;
}();

constexpr std::array<char, 256> lower_ascii = [] {
  std::array<char, 256> l{};
  for (unsigned c = 0; c < 256; ++c) l[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return l;
}();

byte_kind kind_at(std::string_view t, std::size_t i) { return byte_kinds[static_cast<unsigned char>(t[i])]; }

// Calls fn(token&) for each word of t, in order, reusing one buffer for the text. A word is found
// whole first, then copied and lower-cased in one go: most words have no dot to drop.
template <class Fn>
void for_each_token(std::string_view t, Fn fn) {
  static thread_local std::string text;
  const std::size_t n = t.size();
  std::size_t i = 0;
  while (i < n) {
    if (const auto k = kind_at(t, i); k == byte_kind::separator || k == byte_kind::dot) {
      ++i;
      continue;
    } else if (k == byte_kind::maybe) {
      if (const auto sep = separator_length(t, i); sep > 0) {
        i += sep;
        continue;
      }
    }
    const std::size_t from = i;
    bool dotted = false;  // a dot inside: "2.5", "U.S", "JD.com"
    for (++i; i < n; ++i) {
      const auto k = kind_at(t, i);
      if (k == byte_kind::word) continue;
      if (k == byte_kind::dot && i + 1 < n && is_ascii_alnum(t[i + 1])) {
        dotted = true;
        continue;
      }
      if (k == byte_kind::maybe && separator_length(t, i) == 0) continue;
      break;
    }
    const std::string_view word = t.substr(from, i - from);
    if (!dotted) {
      text.assign(word);
      for (auto& c : text) c = lower_ascii[static_cast<unsigned char>(c)];
    } else {
      // Dots kept only inside numbers.
      const bool number = word[0] >= '0' && word[0] <= '9';
      text.clear();
      for (const char c : word) {
        if (c != '.' || number) text += lower_ascii[static_cast<unsigned char>(c)];
      }
    }
    token tok{static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(i), text};
    fn(tok);
  }
}

bool is_number(const std::string& w) { return !w.empty() && w[0] >= '0' && w[0] <= '9'; }

// "25bp", "2.5%" and "$5bn" all say the number: keep digits and the decimal point.
std::string number_of(const std::string& w) {
  std::string n;
  for (const char c : w) {
    if ((c >= '0' && c <= '9') || c == '.') {
      n += c;
    } else {
      break;
    }
  }
  while (!n.empty() && n.back() == '.') n.pop_back();
  return n;
}

// Calls fn for every value in both sorted, duplicate-free vectors.
template <class Fn>
void for_each_shared(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, Fn fn) {
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      fn(a[i]);
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
}

// The first letter of each of the sequence's first eight words, for the acronym check.
void note_initial(fingerprint& fp, const std::string& word) {
  if (fp.sequence.size() < 8 && !word.empty()) {
    fp.initials |= static_cast<std::uint64_t>(static_cast<unsigned char>(word[0])) << (8 * fp.sequence.size());
  }
}

// Whether the name feature x is an acronym of 2 to 5 consecutive words among the first `end`
// of a sequence whose initials are packed in `initials` ("iea": "International Energy Agency").
bool acronym_of(std::uint64_t x, std::uint64_t initials, std::size_t end) {
  end = std::min<std::size_t>(end, 8);
  for (std::size_t from = 0; from < end; ++from) {
    std::string letters;
    for (std::size_t i = from; i < end && letters.size() < 5; ++i) {
      letters += static_cast<char>((initials >> (8 * i)) & 0xFF);
      if (letters.size() >= 2 && x == feature(feature_kind::name, core::hash64(letters))) return true;
    }
  }
  return false;
}

// One template, two subjects: the headlines end alike (at least four features in the same
// order) and begin with short subjects (at most four features), each holding something the
// other does not ("OneWater Marine prices initial public offering" / "Professional Holding
// prices initial public offering"). A rewrite changes the predicate; a wire re-sending a story
// keeps its subject or only adds to it ("Pentagon" / "Pentagon chief").
// Symbols are left out of the subjects: two different symbols are the names guard's case, and a
// leading ticker tag ("$NTR - Nutrien to buy ...") is not a subject. Subjects that share a name
// (a word outside the common vocabulary), or of which one spells out the other's acronym
// ("IEA's Birol" / "International Energy Agency Birol"), are one subject written two ways.
bool same_template_other_subject(const fingerprint_view& fa, const fingerprint_view& fb) {
  const auto& a = fa.sequence;
  const auto& b = fb.sequence;
  constexpr std::size_t min_tail = 4;
  constexpr std::size_t max_subject = 4;
  std::size_t tail = 0;
  while (tail < a.size() && tail < b.size() && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  if (tail < min_tail || tail == a.size() || tail == b.size()) return false;
  const auto subject = [&](std::span<const std::uint64_t> x) {
    std::vector<std::uint64_t> s;
    for (auto i = x.begin(); i != x.end() - static_cast<std::ptrdiff_t>(tail); ++i) {
      if (kind_of(*i) != feature_kind::symbol) s.push_back(*i);
    }
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
  };
  const auto sa = subject(a), sb = subject(b);
  if (sa.size() > max_subject || sb.size() > max_subject) return false;
  std::size_t shared = 0;
  bool shared_name = false;
  for_each_shared(sa, sb, [&](std::uint64_t x) {
    ++shared;
    shared_name = shared_name || kind_of(x) == feature_kind::name;
  });
  // An acronym on one side of the other's words ("IEA" / "International Energy Agency").
  const auto spelled_out = [&](const std::vector<std::uint64_t>& s, const fingerprint_view& other, std::size_t other_end) {
    return std::any_of(s.begin(), s.end(), [&](std::uint64_t x) {
      return kind_of(x) == feature_kind::name && acronym_of(x, other.initials, other_end);
    });
  };
  if (spelled_out(sa, fb, b.size() - tail) || spelled_out(sb, fa, a.size() - tail)) return false;
  return !shared_name && shared < sa.size() && shared < sb.size();
}

bool inside(const token& t, std::uint32_t from, std::uint32_t to) { return t.from < to && from < t.to; }

std::vector<std::string> string_list(const YAML::Node& n, const std::string& where, std::vector<std::string>& problems) {
  std::vector<std::string> out;
  if (!n.IsSequence()) {
    problems.push_back(where + ": expected a list of words");
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar() || n[i].Scalar().empty()) {
      problems.push_back(where + "[" + std::to_string(i) + "]: expected a non-empty word");
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

}  // namespace

std::string stem(std::string w) {
  stem_in_place(w);
  return w;
}

void stem_in_place(std::string& w) {
  const auto ends = [&](std::string_view suf) { return w.size() > suf.size() && w.ends_with(suf); };
  if (w.size() <= 3) return;
  if (ends("ies") && w.size() > 4) {
    w.resize(w.size() - 3);
    w += 'y';
  } else if (ends("ing") && w.size() > 5) {
    w.resize(w.size() - 3);
  } else if (ends("ed") && w.size() > 4) {
    w.resize(w.size() - 2);
  } else if (ends("es") && w.size() > 4 && !ends("ses")) {
    w.resize(w.size() - 1);
  } else if (ends("s") && !ends("ss") && !ends("us") && !ends("is")) {
    w.resize(w.size() - 1);
  }
  // "raise"/"rais(ed)", "move"/"mov(ing)": drop a final e, and a doubled final consonant
  // ("cutting" -> "cutt" -> "cut").
  if (w.size() > 3 && w.back() == 'e') w.pop_back();
  if (w.size() > 3 && w.back() == w[w.size() - 2] && w.back() != 's' && w.back() != 'l') w.pop_back();
}

core::result<lexicon, std::vector<std::string>> parse_lexicon(const std::string& yaml, const std::string& vocabulary,
                                                              const std::string& name) {
  std::vector<std::string> problems;
  // The lists as read (stems, except the wire-noise words); only the lookups built from them
  // at the end are kept.
  struct {
    std::unordered_set<std::string> stopwords;   // dropped
    std::unordered_set<std::string> wire_noise;
    std::unordered_map<std::string, std::string> synonyms;  // stem -> the group's first stem
    std::unordered_set<std::string> reversals;
    std::unordered_set<std::string> dates;  // weekday and month names: compared like numbers
    std::unordered_set<std::string> common;  // common news words; any other word is a name
  } words;
  std::istringstream vocab(vocabulary);
  for (std::string line; std::getline(vocab, line);) {
    if (line.empty() || line[0] == '#') continue;
    words.common.insert(stem(lower(line)));
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return core::unexpected{std::vector<std::string>{name + ": " + e.what()}};
  }
  if (!root.IsMap()) return core::unexpected{std::vector<std::string>{name + ": expected a mapping"}};
  for (const auto& kv : root) {
    const auto k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (k != "stopwords" && k != "wire_noise" && k != "synonyms" && k != "reversals" && k != "dates") {
      problems.push_back(name + ": unknown key '" + k + "'");
    }
  }
  if (root["stopwords"]) {
    for (const auto& w : string_list(root["stopwords"], name + ": stopwords", problems)) words.stopwords.insert(stem(lower(w)));
  }
  if (root["reversals"]) {
    for (const auto& w : string_list(root["reversals"], name + ": reversals", problems)) words.reversals.insert(stem(lower(w)));
  }
  if (root["dates"]) {
    for (const auto& w : string_list(root["dates"], name + ": dates", problems)) words.dates.insert(stem(lower(w)));
  }
  if (root["wire_noise"]) {
    for (const auto& w : string_list(root["wire_noise"], name + ": wire_noise", problems)) words.wire_noise.insert(lower(w));
  }
  if (const auto syn = root["synonyms"]) {
    if (!syn.IsSequence()) problems.push_back(name + ": synonyms: expected a list of word groups");
    for (std::size_t i = 0; syn.IsSequence() && i < syn.size(); ++i) {
      const auto where = name + ": synonyms[" + std::to_string(i) + "]";
      const auto group = string_list(syn[i], where, problems);
      if (group.size() < 2) {
        problems.push_back(where + ": a group needs at least two words");
        continue;
      }
      const auto head = stem(lower(group.front()));
      for (const auto& w : group) {
        const auto s = stem(lower(w));
        if (const auto [it, fresh] = words.synonyms.emplace(s, head); !fresh && it->second != head) {
          problems.push_back(where + ": '" + w + "' is already in the group of '" + it->second + "'");
        }
      }
    }
  }
  if (!problems.empty()) return core::unexpected{std::move(problems)};
  lexicon lx;
  // Precedence: stopword, reversal, synonym group, common word.
  const auto set = [&](const std::string& w, std::uint64_t f) { *lx.by_stem.try_emplace(core::hash64(w), f).first = f; };
  for (const auto& w : words.common) set(w, feature(feature_kind::word, core::hash64(w)));
  for (const auto& [w, head] : words.synonyms) set(w, feature(feature_kind::word, core::hash64(head)));
  for (const auto& w : words.reversals) set(w, feature(feature_kind::reversal, core::hash64(w)));
  for (const auto& w : words.dates) set(w, feature(feature_kind::number, core::hash64(w)));
  for (const auto& w : words.stopwords) set(w, 0);
  for (const auto& w : words.wire_noise) (void)lx.noise.try_emplace(core::hash64(w), 1);
  return lx;
}

core::result<lexicon, std::vector<std::string>> load_lexicon(const std::string& dir) {
  std::vector<std::string> problems;
  const auto read = [&](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) problems.push_back(path + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const auto yaml = read(dir + "/novelty.yaml");
  const auto vocabulary = read(dir + "/novelty-vocabulary.txt");
  if (!problems.empty()) return core::unexpected{std::move(problems)};
  return parse_lexicon(yaml, vocabulary, dir + "/novelty.yaml");
}

fingerprint make_fingerprint(const core::story& s, const core::findings& f, const lexicon& lx) {
  fingerprint fp;
  make_fingerprint(s, f, lx, fp);
  return fp;
}

void make_fingerprint(const core::story& s, const core::findings& f, const lexicon& lx, fingerprint& fp) {
  fp.features.clear();
  fp.sequence.clear();
  fp.lead_actor = 0;
  fp.initials = 0;
  fp.story_key = core::hash64(s.id, core::hash64(s.source));
  // The whole story's bytes, so XXH3 (stable across releases) rather than hash64's byte loop.
  fp.content_hash = XXH3_64bits_withSeed(s.body.data(), s.body.size(), XXH3_64bits(s.headline.data(), s.headline.size()));
  // Headline spans a mention or an actor stands for, with that feature.
  struct span {
    std::uint32_t from, to;
    std::uint64_t feature;
  };
  // Reused: a fingerprint is made for every story, and its allocations cost more than the
  // rest of it. A new fingerprint gets room for a headline of up to 32 words at once (growing
  // one at a time cost more still).
  static thread_local std::vector<span> covered;
  covered.clear();
  fp.features.reserve(32);
  fp.sequence.reserve(32);
  for (const auto& m : f.mentions) {
    const auto symbol = feature(feature_kind::symbol, core::hash64(m.symbol));
    bool in_headline = false;
    for (const auto& e : m.spans) {
      if (e.field != core::story_field::headline) continue;
      covered.push_back({e.start, e.end, symbol});
      in_headline = true;
    }
    if (in_headline) fp.features.push_back(symbol);
  }
  std::uint32_t lead_at = UINT32_MAX;
  for (const auto& sig : f.signals) {
    const auto k = sig.kind == core::signal_kind::actor    ? feature_kind::actor
                   : sig.kind == core::signal_kind::policy ? feature_kind::policy
                                                           : feature_kind::direction;
    fp.features.push_back(feature(k, sig.value));
    if (k == feature_kind::actor) covered.push_back({sig.start, sig.end, feature(k, sig.value)});
    if (k == feature_kind::actor && sig.start < lead_at) {
      lead_at = sig.start;
      fp.lead_actor = feature(k, sig.value);
    }
  }
  std::uint64_t h = 0;
  bool after_noise = false;
  const span* last_span = nullptr;
  for_each_token(s.headline, [&](token& t) {
    const auto raw = core::hash64(t.text);
    const bool noise = lx.noise.find(raw) != nullptr || (after_noise && is_number(t.text));
    after_noise = noise && !is_number(t.text);
    if (noise) return;
    h = core::mix64(h ^ raw);
    if (const auto c = std::find_if(covered.begin(), covered.end(), [&](const span& x) { return inside(t, x.from, x.to); });
        c != covered.end()) {
      // A span's words are one feature in the sequence.
      if (last_span == nullptr || last_span->feature != c->feature) {
        note_initial(fp, t.text);
        fp.sequence.push_back(c->feature);
      }
      last_span = &*c;
      return;
    }
    last_span = nullptr;
    std::uint64_t x = 0;
    if (is_number(t.text)) {
      x = feature(feature_kind::number, core::hash64(number_of(t.text)));
    } else if (const auto n = t.text.size(); (stem_in_place(t.text), t.text.size() >= 2)) {
      // Stemming only ever shortens a word: the same length is the same word.
      const auto hw = t.text.size() == n ? raw : core::hash64(t.text);
      const auto* known = lx.by_stem.find(hw);
      x = known != nullptr ? *known : feature(feature_kind::name, hw);
    }
    if (x == 0) return;
    fp.features.push_back(x);
    // A word said twice in a row ("$GAZPROM Gazprom declares ...") is one in the sequence.
    if (!fp.sequence.empty() && fp.sequence.back() == x) return;
    note_initial(fp, t.text);
    fp.sequence.push_back(x);
  });
  fp.headline_hash = h;
  std::sort(fp.features.begin(), fp.features.end());
  fp.features.erase(std::unique(fp.features.begin(), fp.features.end()), fp.features.end());
}

std::size_t shared_count(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
  std::size_t common = 0;
  for_each_shared(a, b, [&](std::uint64_t) { ++common; });
  return common;
}

double jaccard(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) noexcept {
  if (a.empty() && b.empty()) return 0.0;
  const auto common = shared_count(a, b);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

std::string_view conflict_reason(fingerprint_view fa, fingerprint_view fb) noexcept {
  const auto a = fa.features;
  const auto b = fb.features;
  // Per kind: how many a has, how many b has, how many they share.
  std::array<std::size_t, 8> in_a{}, in_b{}, shared{};
  for (const auto x : a) ++in_a[static_cast<std::size_t>(kind_of(x))];
  for (const auto x : b) ++in_b[static_cast<std::size_t>(kind_of(x))];
  for_each_shared(a, b, [&](std::uint64_t x) { ++shared[static_cast<std::size_t>(kind_of(x))]; });
  const auto n = [](const std::array<std::size_t, 8>& xs, feature_kind k) { return xs[static_cast<std::size_t>(k)]; };
  const std::size_t names_a = n(in_a, feature_kind::symbol) + n(in_a, feature_kind::name);
  const std::size_t names_b = n(in_b, feature_kind::symbol) + n(in_b, feature_kind::name);
  const std::size_t names_shared = n(shared, feature_kind::symbol) + n(shared, feature_kind::name);
  // Each names something the other does not: two different companies or people in the same
  // template ("The Schall Law Firm encourages investors in NIO" / "... in Humanigen").
  if (names_a > names_shared && names_b > names_shared) return "different names";
  const std::size_t nums_a = n(in_a, feature_kind::number), nums_b = n(in_b, feature_kind::number);
  const std::size_t nums_shared = n(shared, feature_kind::number);
  if (nums_a > nums_shared && nums_b > nums_shared) return "different numbers";
  if (n(shared, feature_kind::policy) > 0 && n(in_a, feature_kind::direction) > 0 &&
      n(in_b, feature_kind::direction) > 0 && n(shared, feature_kind::direction) == 0) {
    return "opposite directions";
  }
  if ((n(in_a, feature_kind::reversal) > 0) != (n(in_b, feature_kind::reversal) > 0)) return "reversal on one side";
  if (fa.lead_actor != 0 && fb.lead_actor != 0 && fa.lead_actor != fb.lead_actor) return "different lead actors";
  if (same_template_other_subject(fa, fb)) return "one template, different subjects";
  return {};
}

bool conflicting(fingerprint_view a, fingerprint_view b) noexcept { return !conflict_reason(a, b).empty(); }

}  // namespace wirescan::novelty
