#include "wirescan/sinks/event_json.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "wirescan/core/swar.hpp"
#include "wirescan/core/utf8.hpp"

namespace wirescan::sinks {
namespace {

// Whether any of the eight bytes of w needs a JSON escape: a control character, '"' or '\\'.
bool flagged(std::uint64_t w) noexcept {
  return (core::ascii_range_bits<0x00, 0x1F>(w) | core::ascii_range_bits<'"', '"'>(w) |
          core::ascii_range_bits<'\\', '\\'>(w)) != 0;
}

// Whether any byte of s needs a JSON escape. Eight bytes at a time, and the last few in one
// more word (overlapping bytes already checked, or padded with spaces), since a byte-at-a-time
// tail cost more than the rest: most strings are short. Bytes from 0x80 up are never flagged
// (UTF-8 goes out as it is).
bool needs_escape(const char* s, std::size_t n) noexcept {
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      if (flagged(core::load8(s + i))) return true;
    }
    return i < n && flagged(core::load8(s + n - 8));
  }
  std::uint64_t w = 0x2020202020202020;  // spaces, never flagged
  if (n >= 4) {
    // Bytes 0-3 and n-4..n-1: every byte of s, some twice.
    std::uint32_t lo;
    std::uint32_t hi;
    std::memcpy(&lo, s, 4);
    std::memcpy(&hi, s + n - 4, 4);
    w = lo | (std::uint64_t{hi} << 32);
  } else if (n > 0) {
    // Bytes 0, n/2 and n-1: every byte of s when n < 4.
    w = (w & ~std::uint64_t{0xFFFFFF}) | static_cast<unsigned char>(s[0]) |
        (std::uint64_t{static_cast<unsigned char>(s[n / 2])} << 8) |
        (std::uint64_t{static_cast<unsigned char>(s[n - 1])} << 16);
  }
  return flagged(w);
}

// RapidJSON's Writer, except that a string needing no escape (nearly every one: keys,
// headlines, symbols, evidence) is copied in one piece instead of byte by byte through the
// Writer's escape table, which was 0.45 us of a 12.5 us story (perf, bench corpus).
// No kWriteValidateEncodingFlag: it re-validated every character (10% of the per-story
// cost) of text the decoder already proved to be UTF-8, and evidence spans are checked on
// code point boundaries below. Rule-file strings are validated when the rules load.
class writer_t : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Writer::Writer;
  bool String(const char* s, rapidjson::SizeType n) { return needs_escape(s, n) ? Writer::String(s, n) : Plain(s, n); }
  // Keys are the names this file spells, never in need of an escape.
  bool Key(const char* s, rapidjson::SizeType n) { return Plain(s, n); }

 private:
  bool Plain(const char* s, rapidjson::SizeType n) {
    Prefix(rapidjson::kStringType);
    char* out = os_->Push(n + 2);
    out[0] = '"';
    if (n > 0) std::memcpy(out + 1, s, n);
    out[n + 1] = '"';
    return EndValue(true);
  }
};

void str(writer_t& w, std::string_view s) {
  if (!w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()))) {
    throw std::logic_error("event string is not valid UTF-8");
  }
}

void key(writer_t& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

void str_or_null(writer_t& w, std::string_view s) {
  if (s.empty()) {
    w.Null();
  } else {
    str(w, s);
  }
}

void time_or_null(writer_t& w, const std::optional<core::epoch_ms>& t) {
  if (t) {
    str(w, core::format_rfc3339_text(*t).view());
  } else {
    w.Null();
  }
}

void evidence_array(writer_t& w, const core::story& s, const std::vector<core::evidence>& spans) {
  key(w, "evidence");
  w.StartArray();
  for (const auto& e : spans) {
    const std::string& text = s.text(e.field);
    if (e.start > e.end || e.end > text.size()) throw std::logic_error("evidence span out of range");
    const auto continuation = [&](std::size_t i) {
      return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    };
    if (continuation(e.start) || continuation(e.end)) throw std::logic_error("evidence span splits a code point");
    w.StartObject();
    key(w, "field");
    str(w, core::to_string(e.field));
    key(w, "start");
    w.Uint(e.start);
    key(w, "end");
    w.Uint(e.end);
    key(w, "text");
    str(w, std::string_view(text).substr(e.start, e.end - e.start));
    w.EndObject();
  }
  w.EndArray();
}

// What names a listed company, in a mention and in an exposure alike.
void symbol_fields(writer_t& w, std::string_view symbol, core::asset_class asset, std::string_view name) {
  key(w, "symbol");
  str(w, symbol);
  key(w, "asset_class");
  str(w, core::to_string(asset));
  key(w, "name");
  str_or_null(w, name);
}

void string_array(writer_t& w, std::string_view k, const std::vector<std::string>& xs) {
  key(w, k);
  w.StartArray();
  for (const auto& x : xs) str(w, x);
  w.EndArray();
}

}  // namespace

struct event_writer::impl {
  rapidjson::StringBuffer buf;
  writer_t w;
  impl() : w(buf) {}
};

event_writer::event_writer() : impl_(new impl) {}
event_writer::~event_writer() { delete impl_; }

std::string_view event_writer::write(const core::story& s, const core::findings& f, const core::timing& t) {
  impl_->buf.Clear();
  impl_->w.Reset(impl_->buf);
  writer_t& w = impl_->w;
  w.StartObject();
  key(w, "schema");
  str(w, core::event_schema_v1);

  key(w, "story");
  w.StartObject();
  key(w, "id");
  str(w, s.id);
  key(w, "source");
  str_or_null(w, s.source);
  key(w, "headline");
  str(w, s.headline);
  key(w, "published_at");
  time_or_null(w, s.published_at);
  key(w, "url");
  str_or_null(w, s.url);
  key(w, "language");
  str_or_null(w, s.language);
  w.EndObject();

  key(w, "policy_shocks");
  w.StartArray();
  for (const auto& p : f.policy_shocks) {
    w.StartObject();
    key(w, "category");
    str(w, p.category);
    key(w, "direction");
    str(w, core::to_string(p.dir));
    key(w, "stage");
    str(w, core::to_string(p.stg));
    string_array(w, "actors", p.actors);
    string_array(w, "targets", p.targets);
    key(w, "confidence");
    w.Double(p.confidence);
    evidence_array(w, s, p.spans);
    w.EndObject();
  }
  w.EndArray();

  key(w, "mentions");
  w.StartArray();
  for (const auto& m : f.mentions) {
    w.StartObject();
    symbol_fields(w, m.symbol, m.asset, m.name);
    key(w, "via");
    str(w, core::to_string(m.via));
    evidence_array(w, s, m.spans);
    w.EndObject();
  }
  w.EndArray();

  // Optional (added within v1): only when a shock reaches a company the story does not name.
  if (!f.exposures.empty()) {
    key(w, "exposures");
    w.StartArray();
    for (const auto& x : f.exposures) {
      if (x.shock >= f.policy_shocks.size()) throw std::logic_error("exposure of a shock the event does not hold");
      w.StartObject();
      symbol_fields(w, x.symbol, x.asset, x.name);
      key(w, "why");
      str(w, x.why);
      key(w, "shock");
      w.Uint(x.shock);
      evidence_array(w, s, f.policy_shocks[x.shock].spans);
      w.EndObject();
    }
    w.EndArray();
  }

  key(w, "rules_version");
  str(w, f.rules_version.empty() ? std::string_view("none") : std::string_view(f.rules_version));

  key(w, "market_moving");
  w.StartObject();
  key(w, "score");
  w.Double(f.market.score);
  string_array(w, "reasons", f.market.reasons);
  if (f.market.policy_likelihood) {
    key(w, "policy_likelihood");
    w.Double(*f.market.policy_likelihood);
  }
  w.EndObject();

  if (f.novelty) {
    const auto& n = *f.novelty;
    key(w, "novelty");
    w.StartObject();
    key(w, "kind");
    str(w, core::to_string(n.kind));
    key(w, "first_seen");
    str(w, core::format_rfc3339_text(n.first_seen).view());
    key(w, "duplicate_of");
    str_or_null(w, n.duplicate_of);
    key(w, "first_source");
    str_or_null(w, n.first_source);
    key(w, "similar_count");
    w.Uint(n.similar_count);
    key(w, "score");
    w.Int(n.score);
    key(w, "similarity");
    w.Double(std::round(n.similarity * 1000.0) / 1000.0);
    w.EndObject();
  }

  key(w, "timing");
  w.StartObject();
  key(w, "published_at");
  time_or_null(w, s.published_at);
  key(w, "received_at");
  str(w, core::format_rfc3339_text(t.received_at).view());
  key(w, "emitted_at");
  str(w, core::format_rfc3339_text(t.emitted_at).view());
  key(w, "processing_us");
  w.Int64(t.processing_us);
  key(w, "age_ms");
  if (s.published_at) {
    w.Int64(t.received_at.value - s.published_at->value);
  } else {
    w.Null();
  }
  w.EndObject();

  w.EndObject();
  return {impl_->buf.GetString(), impl_->buf.GetSize()};
}

std::string reject_json(std::size_t line, const core::reject& r, std::string_view raw, std::size_t full_size,
                        std::size_t raw_limit) {
  rapidjson::StringBuffer buf;
  writer_t w(buf);
  bool truncated = false;
  const std::string shown = core::utf8_lossy_prefix(raw, raw_limit, truncated);
  w.StartObject();
  key(w, "line");
  w.Uint64(line);
  key(w, "reason");
  str(w, core::to_string(r.reason));
  key(w, "detail");
  bool detail_cut = false;
  str(w, core::utf8_lossy_prefix(r.detail, 1024, detail_cut));
  key(w, "raw");
  str(w, shown);
  key(w, "raw_bytes");
  w.Uint64(std::max(full_size, raw.size()));
  key(w, "raw_truncated");
  w.Bool(truncated || full_size > raw.size());
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace wirescan::sinks
