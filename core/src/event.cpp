#include "wirescan/core/event.hpp"

namespace wirescan::core {

std::string_view to_string(story_field f) noexcept {
  return f == story_field::headline ? "headline" : "body";
}

std::string_view to_string(asset_class a) noexcept {
  switch (a) {
    case asset_class::equity: return "equity";
    case asset_class::crypto: return "crypto";
    case asset_class::etf: return "etf";
    case asset_class::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(mention_via v) noexcept {
  switch (v) {
    case mention_via::cashtag: return "cashtag";
    case mention_via::name: return "name";
    case mention_via::pretagged: return "pretagged";
    case mention_via::ticker: return "ticker";
  }
  return "cashtag";
}

std::string_view to_string(direction d) noexcept {
  return d == direction::tightening ? "tightening" : "easing";
}

std::string_view to_string(stage s) noexcept {
  switch (s) {
    case stage::considered: return "considered";
    case stage::threatened: return "threatened";
    case stage::planned: return "planned";
    case stage::enacted: return "enacted";
  }
  return "planned";
}

std::string_view to_string(novelty_kind k) noexcept {
  switch (k) {
    case novelty_kind::fresh: return "new";
    case novelty_kind::update: return "update";
    case novelty_kind::duplicate: return "duplicate";
    case novelty_kind::rewrite: return "rewrite";
  }
  return "new";
}

}  // namespace wirescan::core
