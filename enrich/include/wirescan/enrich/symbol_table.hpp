#pragma once
// Symbol -> everything the rules know about it: the asset classes the symbol lists give it,
// the alias that names it, whether it is in the S&P 500. Looked up for every cashtag, so it is
// one flat array of slots (a 32-bit hash tag and an entry number, eight to a cache line) and
// one vector of entries: a lookup reads a slot and, when the tag matches, the entry.
// std::unordered_map walked a chain of heap nodes, each a cache and TLB miss, and a second
// map held the alias: perf put 1.8 us of a 13.5 us story in those lookups on the bench
// corpus, which has fewer than one cashtag a story.
//
// Built once, then immutable: any number of threads may look up.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wirescan/core/event.hpp"

namespace wirescan::enrich {

struct symbol_info {
  std::string name;
  core::asset_class asset;
};

class symbol_table {
 public:
  static constexpr std::uint32_t no_alias = UINT32_MAX;

  struct entry {
    std::string symbol;
    std::vector<symbol_info> infos;  // every listing, in the symbol file's order; may be empty (alias only)
    std::uint32_t alias = no_alias;  // index into rule_set::aliases
    bool sp500 = false;
  };

  symbol_table() = default;
  // Entries with distinct symbols.
  explicit symbol_table(std::vector<entry> entries);

  // The entry for exactly this symbol (case matters), or nullptr.
  [[nodiscard]] const entry* find(std::string_view symbol) const noexcept;
  // The listing of the asset class `prefer` if there is one, else the first; nullptr when the
  // symbol is not listed.
  [[nodiscard]] const symbol_info* lookup(std::string_view symbol, core::asset_class prefer) const noexcept {
    return pick(find(symbol), prefer);
  }
  // The same for an entry already found (or nullptr).
  [[nodiscard]] static const symbol_info* pick(const entry* e, core::asset_class prefer) noexcept;
  // How many symbols are listed (have at least one symbol_info).
  [[nodiscard]] std::size_t listed() const noexcept { return listed_; }

 private:
  struct slot {
    std::uint32_t tag;    // the hash's high half
    std::uint32_t entry;  // UINT32_MAX when empty
  };
  std::vector<entry> entries_;
  std::vector<slot> slots_;  // a power of two, at most half full
  std::size_t listed_ = 0;
};

}  // namespace wirescan::enrich
