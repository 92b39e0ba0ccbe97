#pragma once
// The enriched event: what enrich finds in a story, before any sink serialises it.
// Field meanings and the wire format are documented in docs/event.schema.json (v1).
// Plain owning values; an event is built by one thread and then handed on whole.

#include <cstdint>
#include <string>
#include <vector>

#include "wirescan/core/story.hpp"
#include "wirescan/core/time.hpp"

namespace wirescan::core {

inline constexpr std::string_view event_schema_v1 = "wirescan.event/v1";

// A span of story text that supports a finding. start/end are byte offsets into the
// named field, end exclusive, always on UTF-8 code point boundaries.
struct evidence {
  story_field field;
  std::uint32_t start;
  std::uint32_t end;
};

enum class asset_class : std::uint8_t { equity, crypto, etf, unknown };
enum class mention_via : std::uint8_t { cashtag, name, pretagged, ticker };

[[nodiscard]] std::string_view to_string(asset_class a) noexcept;
[[nodiscard]] std::string_view to_string(mention_via v) noexcept;

struct mention {
  std::string symbol;  // upper-case, as the symbol table knows it
  asset_class asset{asset_class::unknown};
  std::string name;  // empty when no symbol table names it
  mention_via via{mention_via::cashtag};
  std::vector<evidence> spans;
};

enum class direction : std::uint8_t { tightening, easing };
enum class stage : std::uint8_t { considered, threatened, planned, enacted };

[[nodiscard]] std::string_view to_string(direction d) noexcept;
[[nodiscard]] std::string_view to_string(stage s) noexcept;

struct policy_shock {
  std::string category;  // taxonomy name, see docs/taxonomy.md
  core::direction dir{direction::tightening};
  core::stage stg{stage::planned};
  std::vector<std::string> actors;
  std::vector<std::string> targets;
  double confidence{0.0};
  std::vector<evidence> spans;
};

struct market_moving {
  double score{0.0};
  std::vector<std::string> reasons;
};

// What enrich finds in one story. Pure: it depends only on the story and the rules.
struct findings {
  std::vector<policy_shock> policy_shocks;
  std::vector<mention> mentions;
  core::market_moving market;
  std::string rules_version;  // content hash of the rule set that produced these findings
};

struct timing {
  epoch_ms received_at;
  epoch_ms emitted_at;
  std::int64_t processing_us{0};
};

}  // namespace wirescan::core
