// Fuzz target: story decoding. Any bytes give a story whose every string is valid UTF-8,
// or a reject with a reason from the fixed enum. Two mappings alternate on the first byte so
// the JSON-pointer path (benzinga preset) is reached as well as the flat one.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "wirescan/core/utf8.hpp"
#include "wirescan/ingest/decoder.hpp"

namespace {

using wirescan::ingest::decoder;

void check_utf8(std::string_view s) {
  if (wirescan::core::first_invalid_utf8(s)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static decoder flat{wirescan::ingest::decoder_config{}};
  static decoder nested = [] {
    wirescan::ingest::decoder_config c;
    c.mapping = *wirescan::ingest::field_map::preset("benzinga");
    return decoder{c};
  }();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto& d = (size > 0 && (data[0] & 1)) ? nested : flat;
  const auto r = d.decode(bytes, wirescan::core::epoch_ms{1'800'000'000'000});
  if (r) {
    check_utf8(r->id);
    check_utf8(r->headline);
    check_utf8(r->body);
    check_utf8(r->source);
    check_utf8(r->url);
    check_utf8(r->language);
    for (const auto& t : r->tickers) check_utf8(t);
  } else if (wirescan::core::to_string(r.error().reason).empty()) {
    std::abort();
  }
  return 0;
}
