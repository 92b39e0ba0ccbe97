#include "wirescan/ingest/decoder.hpp"

#include <cstring>
#include <string>
#include <vector>

#include <simdjson.h>

#include "wirescan/core/utf8.hpp"

namespace wirescan::ingest {
namespace {

// RFC 8259's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, then only the
// whitespace raw_json_token() keeps after a token.
bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
  return i == t.size();
}

namespace od = simdjson::ondemand;
using core::reject_reason;

constexpr std::int64_t min_epoch_ms_plausible = 100'000'000'000;  // 1973-03-03: smaller values are seconds

struct reject_error {
  core::reject r;
};

[[noreturn]] void fail(reject_reason reason, std::string detail) { throw reject_error{{reason, std::move(detail)}}; }

// Checks for a \uD800-\uDFFF escape that is not part of a surrogate pair; simdjson
// reports those as a generic STRING_ERROR, but to a user they are bad UTF-8.
bool has_lone_surrogate_escape(std::string_view s) {
  const auto hex4 = [&](std::size_t i, unsigned& v) {
    if (i + 4 > s.size()) return false;
    v = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
      const char c = s[k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return false;
    }
    return true;
  };
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '\\') continue;
    if (s[i + 1] != 'u') {
      ++i;  // skip the escaped character, so "\\\\u" is not read as an escape
      continue;
    }
    unsigned v = 0;
    if (!hex4(i + 2, v)) continue;
    if (v >= 0xDC00 && v <= 0xDFFF) return true;
    if (v >= 0xD800 && v <= 0xDBFF) {
      unsigned lo = 0;
      if (i + 7 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u' && hex4(i + 8, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
        i += 11;
        continue;
      }
      return true;
    }
    i += 5;
  }
  return false;
}

// One node of the trie built from the mapping's JSON pointers.
struct node {
  std::vector<std::pair<std::string, std::size_t>> children;
  int leaf = -1;  // a field index when a pointer ends here
};

}  // namespace

struct decoder::impl {
  decoder_config cfg;
  od::parser parser;
  std::vector<char> buffer;  // input copy followed by SIMDJSON_PADDING bytes
  std::vector<node> trie{node{}};
  std::string ticker_item_key;
  std::string_view input;  // the bytes being decoded, for error details

  // Per-decode state.
  core::story* out = nullptr;  // the caller's story, decoded into
  std::uint32_t seen = 0;
  std::uint32_t present = 0;

  explicit impl(decoder_config c) : cfg(std::move(c)), parser(cfg.max_story_bytes + 64) {
    for (auto f : all_fields) {
      const auto& p = cfg.mapping.pointer(f);
      if (p.empty()) continue;
      auto tokens = parse_json_pointer(p);
      if (!tokens) continue;  // rejected by validate() at config load
      std::size_t at = 0;
      for (auto& t : *tokens) {
        std::size_t next = 0;
        for (auto& [k, idx] : trie[at].children) {
          if (k == t) next = idx;
        }
        if (next == 0) {
          trie.push_back(node{});
          next = trie.size() - 1;
          trie[at].children.emplace_back(t, next);
        }
        at = next;
      }
      trie[at].leaf = static_cast<int>(f);
    }
    if (auto tokens = parse_json_pointer(cfg.mapping.ticker_item); tokens && tokens->size() == 1) {
      ticker_item_key = tokens->front();
    }
  }

  static void check(simdjson::error_code e) {
    if (e == simdjson::SUCCESS) return;
    switch (e) {
      case simdjson::UTF8_ERROR: fail(reject_reason::invalid_utf8, "bytes are not valid UTF-8");
      case simdjson::DEPTH_ERROR: fail(reject_reason::malformed_json, "JSON nesting too deep");
      case simdjson::UNESCAPED_CHARS:
        fail(reject_reason::malformed_json, "unescaped control character inside a string");
      default: fail(reject_reason::malformed_json, std::string("invalid JSON: ") + simdjson::error_message(e));
    }
  }

  template <class T>
  static T take(simdjson::simdjson_result<T>&& r) {
    T v{};
    check(std::move(r).get(v));
    return v;
  }

  // Consumes and validates any value whose content is not mapped.
  void skip(od::value v, std::size_t depth) {
    if (depth > cfg.max_depth) {
      fail(reject_reason::malformed_json, "JSON nesting deeper than " + std::to_string(cfg.max_depth));
    }
    switch (take(v.type())) {
      case od::json_type::object:
        for (auto fld : take(v.get_object())) {
          od::field f = take(std::move(fld));
          (void)take(f.unescaped_key());
          skip(f.value(), depth + 1);
        }
        break;
      case od::json_type::array:
        for (auto el : take(v.get_array())) skip(take(std::move(el)), depth + 1);
        break;
      case od::json_type::string: (void)take(v.get_string()); break;
      case od::json_type::number: {
        const std::string_view token = v.raw_json_token();
        od::number n;
        const auto e = v.get_number().get(n);
        // Numbers too large for a double or a 64-bit integer are still well-formed JSON
        // (RFC 8259 sets no range); only mapped fields need a value. simdjson reports 1e999 as
        // NUMBER_ERROR, like a syntax error, so the token's grammar decides.
        if (e == simdjson::NUMBER_OUT_OF_RANGE) break;
        if (e == simdjson::NUMBER_ERROR && is_json_number(token)) break;
        check(e);
        break;
      }
      case od::json_type::boolean: (void)take(v.get_bool()); break;
      case od::json_type::null:
        if (!take(v.is_null())) fail(reject_reason::malformed_json, "invalid JSON: bad literal");
        break;
    }
  }

  void walk_object(od::object obj, std::size_t at, std::size_t depth) {
    if (depth > cfg.max_depth) {
      fail(reject_reason::malformed_json, "JSON nesting deeper than " + std::to_string(cfg.max_depth));
    }
    for (auto fld : obj) {
      od::field f = take(std::move(fld));
      const std::string_view key = take(f.unescaped_key());
      std::size_t child = 0;
      for (const auto& [k, idx] : trie[at].children) {
        if (k == key) child = idx;
      }
      if (child == 0) {
        skip(f.value(), depth + 1);
      } else if (trie[child].leaf >= 0) {
        read_field(static_cast<field>(trie[child].leaf), f.value(), depth + 1);
      } else {
        od::value v = f.value();
        if (take(v.type()) == od::json_type::object) {
          walk_object(take(v.get_object()), child, depth + 1);
        } else {
          skip(v, depth + 1);  // the wire sent another shape; the field stays absent
        }
      }
    }
  }

  // Into the story's own string, whose capacity a reused story keeps.
  void read_string(field f, od::value v, std::string& into) {
    if (take(v.type()) != od::json_type::string) {
      fail(reject_reason::wrong_type, std::string(to_string(f)) + " must be a string");
    }
    into.assign(take(v.get_string()));
  }

  std::string read_ticker(od::value v, std::size_t depth) {
    const auto t = take(v.type());
    if (t == od::json_type::string) return std::string(take(v.get_string()));
    if (t == od::json_type::object && !ticker_item_key.empty()) {
      std::string symbol;
      for (auto fld : take(v.get_object())) {
        od::field f = take(std::move(fld));
        const std::string_view key = take(f.unescaped_key());
        od::value inner = f.value();
        if (key == ticker_item_key && take(inner.type()) == od::json_type::string) {
          symbol = std::string(take(inner.get_string()));
        } else {
          skip(inner, depth + 1);
        }
      }
      if (symbol.empty()) fail(reject_reason::wrong_type, "a tickers element has no '" + ticker_item_key + "' string");
      return symbol;
    }
    fail(reject_reason::wrong_type, ticker_item_key.empty() ? "tickers elements must be strings"
                                                            : "tickers elements must be strings or objects");
  }

  void read_field(field f, od::value v, std::size_t depth) {
    const auto bit = 1U << static_cast<unsigned>(f);
    if (seen & bit) fail(reject_reason::malformed_json, "duplicate key for field " + std::string(to_string(f)));
    seen |= bit;
    const auto type = take(v.type());
    if (type == od::json_type::null) {
      (void)take(v.is_null());
      return;  // null is absence; required fields are checked afterwards
    }
    switch (f) {
      case field::id:
        if (type == od::json_type::number) {
          // Integer ids (Benzinga's) keep their decimal spelling.
          std::int64_t i = 0;
          if (v.get_int64().get(i) == simdjson::SUCCESS) {
            out->id = std::to_string(i);
          } else {
            std::uint64_t u = 0;
            if (v.get_uint64().get(u) != simdjson::SUCCESS) fail(reject_reason::wrong_type, "id must be a string or an integer");
            out->id = std::to_string(u);
          }
        } else if (type == od::json_type::string) {
          out->id.assign(take(v.get_string()));
        } else {
          fail(reject_reason::wrong_type, "id must be a string or an integer");
        }
        break;
      case field::headline: read_string(f, v, out->headline); break;
      case field::body: read_string(f, v, out->body); break;
      case field::source: read_string(f, v, out->source); break;
      case field::url: read_string(f, v, out->url); break;
      case field::language: read_string(f, v, out->language); break;
      case field::published_at: read_timestamp(v, type); break;
      case field::tickers: {
        if (type != od::json_type::array) fail(reject_reason::wrong_type, "tickers must be an array");
        for (auto el : take(v.get_array())) {
          if (out->tickers.size() == cfg.max_tickers) {
            fail(reject_reason::oversized, "tickers holds more than " + std::to_string(cfg.max_tickers) + " entries");
          }
          out->tickers.push_back(read_ticker(take(std::move(el)), depth + 1));
        }
        break;
      }
    }
    present |= bit;
  }

  void read_timestamp(od::value v, od::json_type type) {
    if (type == od::json_type::number) {
      std::int64_t ms = 0;
      if (v.get_int64().get(ms) != simdjson::SUCCESS) {
        fail(reject_reason::bad_timestamp, "published_at number must be integer epoch milliseconds");
      }
      if (ms < min_epoch_ms_plausible) {
        fail(reject_reason::bad_timestamp, "published_at " + std::to_string(ms) +
                                               " is before 1973; epoch milliseconds expected (seconds given?)");
      }
      out->published_at = core::epoch_ms{ms};
      return;
    }
    if (type != od::json_type::string) {
      fail(reject_reason::wrong_type, "published_at must be an RFC 3339 string or epoch milliseconds");
    }
    const std::string_view s = take(v.get_string());
    auto t = core::parse_rfc3339(s);
    if (!t) t = core::parse_rfc2822(s);
    if (!t) {
      std::string shown(s.substr(0, 64));
      fail(reject_reason::bad_timestamp, "published_at '" + shown + "' is not RFC 3339 (nor RFC 2822)");
    }
    if (t->value < 0) fail(reject_reason::bad_timestamp, "published_at is before 1970");
    out->published_at = *t;
  }

  // Decodes into the caller's story: its strings are cleared, not freed, so a story reused
  // from one decode to the next allocates nothing. A string one long story grew past
  // core::kept_buffer_bytes is freed instead, so the pipeline's 65 kept stories do not hold a
  // burst's memory for good.
  void run(std::string_view bytes, core::epoch_ms received_at, std::size_t full_size, core::story& into) {
    input = bytes;
    out = &into;
    for (auto* s : {&out->id, &out->headline, &out->body, &out->source, &out->url, &out->language}) {
      core::clear_for_reuse(*s);
    }
    out->published_at.reset();
    out->tickers.clear();
    seen = present = 0;
    if (full_size > cfg.max_story_bytes || bytes.size() > cfg.max_story_bytes) {
      fail(reject_reason::oversized, "story is " + std::to_string(std::max(full_size, bytes.size())) +
                                         " bytes; limit is " + std::to_string(cfg.max_story_bytes));
    }
    if (bytes.size() >= 3 && std::memcmp(bytes.data(), "\xEF\xBB\xBF", 3) == 0) {
      fail(reject_reason::malformed_json, "UTF-8 byte order mark before the JSON text");
    }
    if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      fail(reject_reason::malformed_json, "empty story");
    }
    // Checked first, so invalid UTF-8 is the reason given whatever else is wrong. Left to
    // simdjson's first stage alone (which validates too) it saved 195 instructions a story under
    // callgrind but measured 30 ns slower natively (bench/story_parts), so it stays.
    if (!simdjson::validate_utf8(bytes.data(), bytes.size())) {
      const auto at = core::first_invalid_utf8(bytes).value_or(0);
      fail(reject_reason::invalid_utf8, "invalid UTF-8 at byte " + std::to_string(at));
    }
    if (buffer.size() < bytes.size() + simdjson::SIMDJSON_PADDING) {
      buffer.assign(bytes.size() + simdjson::SIMDJSON_PADDING, '\0');
    }
    std::memcpy(buffer.data(), bytes.data(), bytes.size());
    std::memset(buffer.data() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);
    try {
      od::document doc = take(parser.iterate(simdjson::padded_string_view(buffer.data(), bytes.size(), buffer.size())));
      od::json_type t{};
      check(doc.type().get(t));
      if (t != od::json_type::object) fail(reject_reason::wrong_type, "a story must be a JSON object");
      walk_object(take(doc.get_object()), 0, 1);
      // At the end of the structural index, current_location() reports OUT_OF_BOUNDS;
      // anything else means more JSON follows the story.
      const char* rest = nullptr;
      if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
        fail(reject_reason::malformed_json, "trailing content after the story object");
      }
    } catch (const reject_error& e) {
      if (e.r.reason == reject_reason::malformed_json && has_lone_surrogate_escape(bytes)) {
        fail(reject_reason::invalid_utf8, "\\u escape encodes a lone UTF-16 surrogate");
      }
      throw;
    }
    for (auto f : all_fields) {
      const auto bit = 1U << static_cast<unsigned>(f);
      if (!cfg.mapping.is_required(f)) continue;
      const bool empty = (f == field::id && out->id.empty()) || (f == field::headline && out->headline.empty()) ||
                         (f == field::body && out->body.empty()) || (f == field::source && out->source.empty()) ||
                         (f == field::url && out->url.empty()) || (f == field::language && out->language.empty()) ||
                         (f == field::tickers && out->tickers.empty());
      if (!(present & bit) || empty) {
        fail(reject_reason::missing_field,
             std::string(to_string(f)) + " (" + cfg.mapping.pointer(f) + ") is " +
                 (seen & bit ? (present & bit ? "empty" : "null") : "missing"));
      }
    }
    if (out->published_at && out->published_at->value > received_at.value + cfg.max_future_skew_ms) {
      fail(reject_reason::bad_timestamp, "published_at " + core::format_rfc3339(*out->published_at) +
                                             " is more than " + std::to_string(cfg.max_future_skew_ms / 1000) +
                                             " s ahead of the receive time");
    }
  }
};

decoder::decoder(decoder_config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {}
decoder::~decoder() = default;
decoder::decoder(decoder&&) noexcept = default;
decoder& decoder::operator=(decoder&&) noexcept = default;

const decoder_config& decoder::config() const noexcept { return impl_->cfg; }

core::result<core::story, core::reject> decoder::decode(std::string_view bytes, core::epoch_ms received_at,
                                                        std::size_t full_size) {
  core::story s;
  if (auto r = decode(bytes, received_at, full_size, s)) return core::unexpected{std::move(*r)};
  return s;
}

std::optional<core::reject> decoder::decode(std::string_view bytes, core::epoch_ms received_at, std::size_t full_size,
                                            core::story& into) {
  try {
    impl_->run(bytes, received_at, full_size, into);
  } catch (reject_error& e) {
    return std::move(e.r);
  }
  return std::nullopt;
}

}  // namespace wirescan::ingest
