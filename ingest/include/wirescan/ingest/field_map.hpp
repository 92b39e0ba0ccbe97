#pragma once
// Where each story field lives in an incoming JSON object, as RFC 6901 JSON pointers.
//
// The default mapping reads flat objects ({"id", "headline", "body", ...}); presets cover
// nested wire shapes. A mapping is a plain value, validated once at config load.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wirescan::ingest {

enum class field : std::uint8_t { id, headline, body, source, published_at, url, language, tickers };
inline constexpr std::size_t field_count = 8;
inline constexpr std::array all_fields{field::id,           field::headline, field::body,     field::source,
                                       field::published_at, field::url,      field::language, field::tickers};

[[nodiscard]] std::string_view to_string(field f) noexcept;
[[nodiscard]] std::optional<field> field_from_string(std::string_view s) noexcept;

struct field_map {
  // JSON pointer per field; an empty string means the field is not read at all.
  std::array<std::string, field_count> pointers;
  // When the tickers array holds objects, the pointer inside each element that names the
  // symbol (e.g. "/name" for Benzinga's stocks[]); empty when elements are plain strings.
  std::string ticker_item;
  // Fields a story must carry (present, not null, not empty).
  std::array<bool, field_count> required{};

  [[nodiscard]] const std::string& pointer(field f) const { return pointers[static_cast<std::size_t>(f)]; }
  [[nodiscard]] bool is_required(field f) const { return required[static_cast<std::size_t>(f)]; }

  // "default" (flat) or "benzinga" (data.content.title/body/created/stocks[].name).
  [[nodiscard]] static std::optional<field_map> preset(std::string_view name);
  [[nodiscard]] static std::vector<std::string_view> preset_names();
};

// Splits a JSON pointer into unescaped reference tokens ("~1" -> "/", "~0" -> "~").
// Returns nullopt when the pointer is malformed (does not start with '/', bad escape).
[[nodiscard]] std::optional<std::vector<std::string>> parse_json_pointer(std::string_view p);

// Every problem with a mapping, one line each; empty when it is usable.
[[nodiscard]] std::vector<std::string> validate(const field_map& m);

}  // namespace wirescan::ingest
