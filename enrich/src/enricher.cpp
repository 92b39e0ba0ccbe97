#include "wirescan/enrich/enricher.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "wirescan/enrich/cashtag.hpp"

namespace wirescan::enrich {
namespace {

std::string upper(std::string_view s) {
  std::string u(s);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return u;
}

core::mention& mention_for(std::vector<core::mention>& ms, std::string symbol, core::mention_via via) {
  for (auto& m : ms) {
    if (m.symbol == symbol) return m;
  }
  core::mention m;
  m.symbol = std::move(symbol);
  m.via = via;
  return ms.emplace_back(std::move(m));
}

}  // namespace

core::findings enricher::enrich(const core::story& s) const {
  core::findings f;
  std::vector<cashtag> tags;
  for (auto field : {core::story_field::headline, core::story_field::body}) {
    tags.clear();
    extract_cashtags(s.text(field), tags);
    for (const auto& t : tags) {
      mention_for(f.mentions, upper(t.symbol), core::mention_via::cashtag).spans.push_back({field, t.start, t.end});
    }
  }
  for (const auto& t : s.tickers) {
    std::string sym = upper(t);
    if (sym.empty()) continue;
    (void)mention_for(f.mentions, std::move(sym), core::mention_via::pretagged);
  }
  return f;
}

}  // namespace wirescan::enrich
