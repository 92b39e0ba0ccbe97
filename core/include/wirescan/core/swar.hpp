#pragma once
// Eight bytes at a time (SWAR): byte classes of a 64-bit word without a loop per byte. The
// enricher counts and finds letters with them; the event writer finds bytes that need a JSON
// escape.

#include <cstdint>
#include <cstring>

namespace wirescan::core {

inline constexpr std::uint64_t swar_ones = 0x0101010101010101ULL;

// The bytes of w in [first, last] (both ASCII), as bit 7 of each byte. A byte at or above
// 0x80 is never one; below it, adding 0x80 - first sets bit 7 at or above `first`, and no byte
// carries into the next.
template <unsigned char first, unsigned char last>
[[nodiscard]] constexpr std::uint64_t ascii_range_bits(std::uint64_t w) noexcept {
  static_assert(first <= last && last < 0x80, "an ASCII range");
  const std::uint64_t x = w & (swar_ones * 0x7F);
  return (x + swar_ones * (0x80 - first)) & ~(x + swar_ones * (0x80 - last - 1)) & ~w & (swar_ones * 0x80);
}

// Eight bytes from p, unaligned, in memory order (byte 0 lowest on little-endian machines).
[[nodiscard]] inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

}  // namespace wirescan::core
