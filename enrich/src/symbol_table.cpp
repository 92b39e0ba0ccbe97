#include "wirescan/enrich/symbol_table.hpp"

#include <algorithm>
#include <bit>

#include "wirescan/core/hash.hpp"

namespace wirescan::enrich {

namespace {
constexpr std::uint32_t empty = UINT32_MAX;
}  // namespace

symbol_table::symbol_table(std::vector<entry> entries) : entries_(std::move(entries)) {
  slots_.assign(std::bit_ceil(std::max<std::size_t>(16, 2 * entries_.size())), slot{0, empty});
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t e = 0; e < entries_.size(); ++e) {
    const auto h = core::hash64(entries_[e].symbol);
    std::size_t i = h & mask;
    while (slots_[i].entry != empty) i = (i + 1) & mask;
    slots_[i] = {static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(e)};
    listed_ += entries_[e].infos.empty() ? 0 : 1;
  }
}

const symbol_table::entry* symbol_table::find(std::string_view symbol) const noexcept {
  if (slots_.empty()) return nullptr;
  const auto h = core::hash64(symbol);
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const slot s = slots_[i];
    if (s.entry == empty) return nullptr;
    if (s.tag == tag && entries_[s.entry].symbol == symbol) return &entries_[s.entry];
  }
}

const symbol_info* symbol_table::pick(const entry* e, core::asset_class prefer) noexcept {
  if (e == nullptr || e->infos.empty()) return nullptr;
  for (const auto& s : e->infos) {
    if (s.asset == prefer) return &s;
  }
  return &e->infos.front();
}

}  // namespace wirescan::enrich
