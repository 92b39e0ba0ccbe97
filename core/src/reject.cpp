#include "wirescan/core/reject.hpp"

namespace wirescan::core {

std::string_view to_string(reject_reason r) noexcept {
  switch (r) {
    case reject_reason::malformed_json: return "malformed_json";
    case reject_reason::missing_field: return "missing_field";
    case reject_reason::wrong_type: return "wrong_type";
    case reject_reason::oversized: return "oversized";
    case reject_reason::invalid_utf8: return "invalid_utf8";
    case reject_reason::bad_timestamp: return "bad_timestamp";
  }
  return "unknown";
}

std::optional<reject_reason> reject_reason_from_string(std::string_view s) noexcept {
  for (auto r : all_reject_reasons) {
    if (to_string(r) == s) return r;
  }
  return std::nullopt;
}

}  // namespace wirescan::core
