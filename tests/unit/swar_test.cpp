#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

#include "wirescan/core/swar.hpp"

using namespace wirescan::core;

namespace {

// 0x80 in each byte of the eight that is in [first, last], 0 in the others, read back as a word
// the way load8 reads the bytes: the byte-by-byte answer the word-at-a-time one must equal, on
// either byte order.
template <unsigned char first, unsigned char last>
std::uint64_t by_bytes(const std::array<char, 8>& b) {
  std::array<char, 8> flags{};
  for (std::size_t i = 0; i < 8; ++i) {
    const auto c = static_cast<unsigned char>(b[i]);
    if (c >= first && c <= last) flags[i] = static_cast<char>(0x80);
  }
  return load8(flags.data());
}

template <unsigned char first, unsigned char last>
void every_byte_at_every_position() {
  // Each byte value at each position, with neighbours that are in the range, just outside it
  // and high (UTF-8), so a carry or borrow into the next byte would show.
  for (const unsigned char fill : {static_cast<unsigned char>(first), static_cast<unsigned char>(last + 1),
                                   static_cast<unsigned char>(0xFF), static_cast<unsigned char>(0x80),
                                   static_cast<unsigned char>(0x00)}) {
    for (int pos = 0; pos < 8; ++pos) {
      for (int v = 0; v < 256; ++v) {
        std::array<char, 8> b{};
        b.fill(static_cast<char>(fill));
        b[pos] = static_cast<char>(v);
        INFO("range " << int{first} << ".." << int{last} << ", fill " << int{fill} << ", byte " << v << " at " << pos);
        REQUIRE(ascii_range_bits<first, last>(load8(b.data())) == by_bytes<first, last>(b));
      }
    }
  }
}

}  // namespace

TEST_CASE("ascii_range_bits flags exactly the bytes in its range", "[swar]") {
  every_byte_at_every_position<'a', 'z'>();
  every_byte_at_every_position<'A', 'Z'>();
  every_byte_at_every_position<0x00, 0x1F>();  // JSON's control characters
  every_byte_at_every_position<'"', '"'>();
  every_byte_at_every_position<'\\', '\\'>();
  every_byte_at_every_position<0x7F, 0x7F>();
}

TEST_CASE("load8 reads eight unaligned bytes in memory order", "[swar]") {
  const char text[] = "xABCDEFGHy";
  const std::uint64_t w = load8(text + 1);
  // Whatever the byte order, the letters are all flagged and only they.
  CHECK(ascii_range_bits<'A', 'Z'>(w) == swar_ones * 0x80);
  CHECK(ascii_range_bits<'x', 'y'>(w) == 0);
}
