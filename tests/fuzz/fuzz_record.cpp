// Fuzz target: the novelty state record, which arrives from a Kafka topic any client can write.
// Any bytes give a record or an error, never a crash or a read past the input; a record of the
// current version that decodes encodes back to exactly the same bytes (the format is canonical),
// an older one encodes as the current version and that is canonical in turn, and an index takes
// either in without breaking. A batch of records (version 3) splits or is refused, the same.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wirescan/novelty/index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static wirescan::novelty::index idx(wirescan::novelty::index_config{60'000, 64, 0.5, 0.85, 0.75}, 42);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (wirescan::novelty::is_batch(bytes)) {
    // A batch: its framing split without reading past it, and each record inside decoded and
    // taken in on the same terms; put back together, the same bytes.
    const auto b = wirescan::novelty::split_batch(bytes);
    if (!b) return 0;
    std::string again;
    wirescan::novelty::begin_batch(b->instance, again);
    for (const auto rec : b->records) {
      wirescan::novelty::append_to_batch(rec, again);
      if (const auto r = wirescan::novelty::decode(rec)) idx.apply(r.value(), 1'800'000'000'000);
    }
    if (again != bytes) std::abort();
    return 0;
  }
  const auto r = wirescan::novelty::decode(bytes);
  if (!r) return 0;
  const auto current = wirescan::novelty::encode(r.value());
  if (bytes[0] == current[0] && current != bytes) std::abort();
  const auto again = wirescan::novelty::decode(current);
  if (!again || wirescan::novelty::encode(again.value()) != current) std::abort();
  idx.apply(r.value(), 1'800'000'000'000);
  return 0;
}
