#pragma once
// Stable 64-bit hashing for fingerprints that travel between processes (the novelty
// state topic): FNV-1a over bytes, finished with splitmix64 so nearby inputs spread.
// Never std::hash, whose values may differ between builds.

#include <cstdint>
#include <string_view>

namespace wirescan::core {

[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

[[nodiscard]] constexpr std::uint64_t hash64(std::string_view s, std::uint64_t seed = 0) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

}  // namespace wirescan::core
