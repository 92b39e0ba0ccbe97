#pragma once
// An open-addressing hash map from 64-bit hashes to 64-bit values, for the novelty index's
// per-story lookups: one flat array instead of a heap node per key (the node maps cost more
// than the matching they served). Linear probing; erase shifts the probe run back, so there
// are no tombstones. Key 0 marks an empty slot, so a key of 0 is stored as 1: keys are
// already hashes, and a collision there only costs a false candidate.
//
// Not thread-safe. Values are plain integers; references die on the next insert.

#include <cstdint>
#include <vector>

namespace wirescan::novelty {

class flat_map64 {
 public:
  flat_map64() : slots_(16) {}

  // The value for key, or nullptr.
  [[nodiscard]] std::uint64_t* find(std::uint64_t key) noexcept {
    const auto i = slot_of(key);
    return i == npos ? nullptr : &slots_[i].value;
  }
  [[nodiscard]] const std::uint64_t* find(std::uint64_t key) const noexcept {
    const auto i = slot_of(key);
    return i == npos ? nullptr : &slots_[i].value;
  }

  // Asks the CPU for key's slot ahead of a find or insert.
  void prefetch(std::uint64_t key) const noexcept { __builtin_prefetch(&slots_[home(fix(key))]); }

  // Inserts key with value unless present; returns the value slot and whether it was new.
  std::pair<std::uint64_t*, bool> try_emplace(std::uint64_t key, std::uint64_t value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    key = fix(key);
    std::size_t i = home(key);
    for (; slots_[i].key != 0; i = next(i)) {
      if (slots_[i].key == key) return {&slots_[i].value, false};
    }
    slots_[i] = {key, value};
    ++size_;
    return {&slots_[i].value, true};
  }

  void erase(std::uint64_t key) noexcept {
    key = fix(key);
    std::size_t i = home(key);
    for (; slots_[i].key != key; i = next(i)) {
      if (slots_[i].key == 0) return;
    }
    // Backward-shift: move later members of the probe run into the hole when their home
    // position allows it.
    for (std::size_t j = next(i);; j = next(j)) {
      if (slots_[j].key == 0) break;
      const std::size_t h = home(slots_[j].key);
      const bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
      if (movable) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = {};
    --size_;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t bytes() const noexcept { return slots_.capacity() * sizeof(slot); }

 private:
  struct slot {
    std::uint64_t key = 0;
    std::uint64_t value = 0;
  };
  static constexpr std::size_t npos = SIZE_MAX;
  [[nodiscard]] std::size_t slot_of(std::uint64_t key) const noexcept {
    key = fix(key);
    for (std::size_t i = home(key);; i = next(i)) {
      if (slots_[i].key == key) return i;
      if (slots_[i].key == 0) return npos;
    }
  }
  static std::uint64_t fix(std::uint64_t key) noexcept { return key == 0 ? 1 : key; }
  [[nodiscard]] std::size_t home(std::uint64_t key) const noexcept { return key & (slots_.size() - 1); }
  [[nodiscard]] std::size_t next(std::size_t i) const noexcept { return (i + 1) & (slots_.size() - 1); }
  void grow() {
    std::vector<slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (const auto& s : old) {
      if (s.key != 0) (void)try_emplace(s.key, s.value);
    }
  }

  std::vector<slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace wirescan::novelty
