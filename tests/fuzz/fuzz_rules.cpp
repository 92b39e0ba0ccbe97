// Fuzz target: rule loading. The input is split at lines "%%" into policy.yaml, aliases.yaml,
// symbols.tsv and policy-model.tsv (absent: no model). Any text gives a rule set or a list of
// problems, never an exception or a crash; a rule set that loads must also enrich a story without
// trouble, and a model that loads must give a probability in [0, 1].
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wirescan/enrich/enricher.hpp"
#include "wirescan/enrich/rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string parts[4];
  std::size_t k = 0, from = 0;
  while (k < 4) {
    const auto cut = in.find("\n%%\n", from);
    parts[k++] = std::string(in.substr(from, cut == std::string_view::npos ? std::string_view::npos : cut - from));
    if (cut == std::string_view::npos) break;
    from = cut + 4;
  }
  wirescan::enrich::rule_sources src{parts[0], parts[1], parts[2], "fuzz", parts[3]};
  auto rules = wirescan::enrich::load_rules_from(src);
  if (!rules) return 0;
  wirescan::enrich::enricher e(*rules, {});
  wirescan::core::story s;
  s.id = "fuzz";
  s.headline = "Beijing moves to restrict Nvidia H200 purchases after US green-lit exports $SOL $BTC";
  s.body = "The Commerce Department said on Monday it would ease export controls. Tencent and Alibaba fell.";
  const auto f = e.enrich(s);
  if (f.market.policy_likelihood && !(*f.market.policy_likelihood >= 0.0 && *f.market.policy_likelihood <= 1.0)) {
    std::abort();  // NaN included
  }
  return 0;
}
