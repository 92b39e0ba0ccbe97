// Fuzz target: the novelty state record, which arrives from a Kafka topic any client can write.
// Any bytes give a record or an error, never a crash or a read past the input; a record that
// decodes encodes back to exactly the same bytes (the format is canonical), and an index takes
// it in without breaking.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wirescan/novelty/index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static wirescan::novelty::index idx(wirescan::novelty::index_config{60'000, 64, 0.5, 0.85, 0.75}, 42);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto r = wirescan::novelty::decode(bytes);
  if (!r) return 0;
  if (wirescan::novelty::encode(r.value()) != bytes) std::abort();
  idx.apply(r.value(), 1'800'000'000'000);
  return 0;
}
