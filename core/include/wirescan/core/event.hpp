#pragma once
// The enriched event: what enrich finds in a story, before any sink serialises it.
// Field meanings and the wire format are documented in docs/event.schema.json (v1).
// Plain owning values; an event is built by one thread and then handed on whole.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// A listed company that a shock the story reports reaches without the story naming it: the
// market's own buyers of a product it restricts, say (rules/policy.yaml: exposures).
struct exposure {
  std::string symbol;
  asset_class asset{asset_class::unknown};
  std::string name;     // empty when no symbol table names it
  std::string why;      // the exposure rule's name: who these companies are to the shock
  std::uint32_t shock{0};  // index into findings::policy_shocks; its evidence is the exposure's
};

enum class direction : std::uint8_t { tightening, easing };
enum class stage : std::uint8_t { considered, threatened, planned, enacted };

[[nodiscard]] std::string_view to_string(direction d) noexcept;
[[nodiscard]] std::string_view to_string(stage s) noexcept;

// The taxonomy's categories (docs/taxonomy.md), the only ones a rule file may name.
inline constexpr std::array<std::string_view, 16> policy_categories{
    "export_control",    "import_restriction", "tariff",
    "sanctions",         "investment_restriction", "antitrust",
    "regulatory_action", "industrial_policy",  "crypto_regulation",
    "monetary_policy",   "capital_controls",   "fiscal_policy",
    "market_regulation", "trade_negotiation",  "geopolitical_escalation",
    "nationalization_price_control"};

// c's position in policy_categories, or policy_categories.size() when it is none of them.
[[nodiscard]] constexpr std::size_t category_index(std::string_view c) noexcept {
  std::size_t i = 0;
  while (i < policy_categories.size() && policy_categories[i] != c) ++i;
  return i;
}

struct policy_shock {
  std::string category;  // one of policy_categories
  core::direction dir{direction::tightening};
  core::stage stg{stage::planned};
  std::vector<std::string> actors;
  std::vector<std::string> targets;
  double confidence{0.0};
  std::vector<evidence> spans;
};

// A rule that fired in the headline, whether or not it became a shock: the novelty stage
// uses these to see that "Beijing moves to restrict" and "China curbs" say the same thing.
// value is a hash of the canonical form ("actor:CN", "policy:import_restriction", ...).
enum class signal_kind : std::uint8_t { actor, policy, direction };
struct headline_signal {
  signal_kind kind;
  std::uint64_t value;
  std::uint32_t start;
  std::uint32_t end;
};

// How new a story is against what the service saw in its window (docs/novelty.md).
enum class novelty_kind : std::uint8_t { fresh, update, duplicate, rewrite };
[[nodiscard]] std::string_view to_string(novelty_kind k) noexcept;  // "new", "update", ...

struct novelty {
  novelty_kind kind{novelty_kind::fresh};
  epoch_ms first_seen{0};     // when the first story of its cluster was seen
  std::string duplicate_of;   // the first story's id; empty when kind is fresh
  std::string first_source;   // the first story's source; may be empty
  std::uint32_t similar_count{0};  // earlier similar stories still in the window
  int score{100};             // 100 x decay^similar_count, rounded
  double similarity{0.0};     // to the closest earlier story (1 for exact duplicates)
};

struct market_moving {
  double score{0.0};
  std::vector<std::string> reasons;
  // How likely the headline is to report a policy shock by the learned model (enrich's
  // policy_model), whatever the rules found; absent when the rules have no model.
  std::optional<double> policy_likelihood;
};

// What enrich finds in one story. Pure: it depends only on the story and the rules.
struct findings {
  std::vector<policy_shock> policy_shocks;
  std::vector<mention> mentions;
  std::vector<exposure> exposures;  // companies the shocks reach that the story does not name
  core::market_moving market;
  std::string rules_version;  // content hash of the rule set that produced these findings
  std::vector<headline_signal> signals;     // not serialised; for the novelty stage
  std::optional<core::novelty> novelty;     // set by the novelty stage when it runs
};

struct timing {
  epoch_ms received_at;
  epoch_ms emitted_at;
  std::int64_t processing_us{0};
};

}  // namespace wirescan::core
