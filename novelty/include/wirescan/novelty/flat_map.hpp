#pragma once
// An open-addressing hash map from 64-bit hashes to 64-bit values, for the novelty index's
// per-story lookups: one flat array instead of a heap node per key (the node maps cost more
// than the matching they served). Linear probing; erase shifts the probe run back, so there
// are no tombstones. Key 0 marks an empty slot, so a key of 0 is stored as 1: keys are
// already hashes, and a collision there only costs a false candidate.
//
// Not thread-safe. Values are plain integers; references die on the next insert.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include <sys/mman.h>

namespace wirescan::novelty {

namespace detail {

// A fixed array of zeroed slots. A large one is an anonymous mapping, so a table sized for a
// whole window up front is never rehashed (a stall of milliseconds to tens of milliseconds on
// one story), and it asks for transparent huge pages: the index's probes land at random across
// tens of megabytes, and with 4 KiB pages each one also misses the TLB.
// Its pages are faulted in when it is made. Probes at random touch every page of it within
// the first hundred or so stories anyway, and each first touch zeroes a page while a story
// waits: through a broker that was 16% of the first 40,000 stories' time.
template <class T>
class zeroed_array {
  static_assert(std::is_trivially_copyable_v<T>, "slots are copied as bytes and start as all-zero bytes");
  static constexpr std::size_t huge = std::size_t{2} << 20;

 public:
  explicit zeroed_array(std::size_t n) : n_(n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < 2 * huge) {
      if constexpr (alignof(T) > alignof(std::max_align_t)) {
        p_ = static_cast<T*>(std::aligned_alloc(alignof(T), (bytes + alignof(T) - 1) / alignof(T) * alignof(T)));
        if (p_ == nullptr) throw std::bad_alloc();
        std::memset(static_cast<void*>(p_), 0, bytes);
      } else {
        p_ = static_cast<T*>(std::calloc(n, sizeof(T)));
        if (p_ == nullptr) throw std::bad_alloc();
      }
      return;
    }
    // Aligned to a huge page, so every 2 MiB of it can be one.
    mapped_ = bytes + huge;
    void* m = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    base_ = m;
    const auto at = (reinterpret_cast<std::uintptr_t>(m) + huge - 1) & ~(huge - 1);
    p_ = reinterpret_cast<T*>(at);
    (void)::madvise(p_, bytes, MADV_HUGEPAGE);  // advice: without THP it is ignored
    // One write a 4 KiB page: with huge pages the first of each 2 MiB faults the whole of it.
    auto* bytes_at = reinterpret_cast<volatile unsigned char*>(p_);
    for (std::size_t i = 0; i < bytes; i += 4096) bytes_at[i] = 0;
  }
  zeroed_array(const zeroed_array& o) : zeroed_array(o.n_) { std::memcpy(p_, o.p_, n_ * sizeof(T)); }
  zeroed_array(zeroed_array&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)), base_(std::exchange(o.base_, nullptr)),
        mapped_(std::exchange(o.mapped_, 0)) {}
  zeroed_array& operator=(zeroed_array o) noexcept {
    swap(o);
    return *this;
  }
  ~zeroed_array() {
    if (base_ != nullptr) {
      ::munmap(base_, mapped_);
    } else {
      std::free(p_);
    }
  }
  void swap(zeroed_array& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(n_, o.n_);
    std::swap(base_, o.base_);
    std::swap(mapped_, o.mapped_);
  }
  [[nodiscard]] T& operator[](std::size_t i) noexcept { return p_[i]; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }

 private:
  T* p_ = nullptr;
  std::size_t n_;
  void* base_ = nullptr;    // the mapping, when there is one
  std::size_t mapped_ = 0;  // its length
};

// The power-of-two size, at least `current`, that keeps n keys at most half full.
[[nodiscard]] inline std::size_t table_size_for(std::size_t n, std::size_t current) noexcept {
  while (current < 2 * n) current *= 2;
  return current;
}

template <class Slot, class Home, class Empty>
void backward_shift_erase(zeroed_array<Slot>& slots, std::size_t i, Home home, Empty empty) noexcept {
  const std::size_t mask = slots.size() - 1;
  for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
    if (empty(slots[j])) break;
    const std::size_t h = home(slots[j]);
    const bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
    if (movable) {
      slots[i] = slots[j];
      i = j;
    }
  }
  slots[i] = {};
}

}  // namespace detail

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
    detail::backward_shift_erase(slots_, i, [this](const slot& s) { return home(s.key); },
                                 [](const slot& s) { return s.key == 0; });
    --size_;
  }

  // Room for n keys without growing.
  void reserve(std::size_t n) {
    if (const auto want = detail::table_size_for(n, slots_.size()); want > slots_.size()) rehash(want);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t bytes() const noexcept { return slots_.size() * sizeof(slot); }

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
  void grow() { rehash(slots_.size() * 2); }
  void rehash(std::size_t to) {
    detail::zeroed_array<slot> old(to);
    old.swap(slots_);
    size_ = 0;
    for (std::size_t i = 0; i < old.size(); ++i) {
      if (old[i].key != 0) (void)try_emplace(old[i].key, old[i].value);
    }
  }

  detail::zeroed_array<slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace wirescan::novelty

namespace wirescan::novelty {

// The LSH buckets: band key -> the sequence numbers of its newest `depth` entries, in one
// 20-byte slot, so the candidates of every band are known from one (prefetchable) load per
// band instead of a walk through the entries. Keys are hashes: a slot keeps 32 of their bits
// (a different key that shares them only adds a candidate, and candidates are checked
// exactly). Sequence numbers are kept as their low 32 bits; the index widens them against its
// live range, and a number older than that range is skipped.
//
// Not thread-safe. Linear probing with backward-shift erase, as flat_map64.
class bucket_map {
 public:
  static constexpr std::size_t depth = 4;
  struct slot {
    std::uint32_t tag = 0;  // 0: empty
    // Newest first; a bucket with fewer entries repeats its oldest ("3, 3, 3" is one entry).
    std::uint32_t seq[depth] = {};
  };

  bucket_map() : slots_(16) {}

  [[nodiscard]] const slot* find(std::uint64_t key) const noexcept {
    const auto t = tag_of(key);
    for (std::size_t i = home(t);; i = next(i)) {
      if (slots_[i].tag == t) return &slots_[i];
      if (slots_[i].tag == 0) return nullptr;
    }
  }

  void prefetch(std::uint64_t key) const noexcept { __builtin_prefetch(&slots_[home(tag_of(key))]); }

  // Makes seq the bucket's newest entry; the oldest beyond depth drops out.
  void push(std::uint64_t key, std::uint32_t seq) {
    if (2 * (size_ + 1) > slots_.size()) grow(slots_.size() * 2);
    const auto t = tag_of(key);
    std::size_t i = home(t);
    for (; slots_[i].tag != 0; i = next(i)) {
      if (slots_[i].tag == t) {
        auto& s = slots_[i];
        for (std::size_t k = depth - 1; k > 0; --k) s.seq[k] = s.seq[k - 1];
        s.seq[0] = seq;
        return;
      }
    }
    slots_[i].tag = t;
    for (auto& v : slots_[i].seq) v = seq;
    ++size_;
  }

  // Drops the bucket when seq is its newest entry (then all of its entries are older).
  void erase_if_newest(std::uint64_t key, std::uint32_t seq) noexcept {
    const auto t = tag_of(key);
    std::size_t i = home(t);
    for (; slots_[i].tag != t; i = next(i)) {
      if (slots_[i].tag == 0) return;
    }
    if (slots_[i].seq[0] != seq) return;
    detail::backward_shift_erase(slots_, i, [this](const slot& s) { return home(s.tag); },
                                 [](const slot& s) { return s.tag == 0; });
    --size_;
  }

  // Room for n buckets without growing.
  void reserve(std::size_t n) {
    if (const auto want = detail::table_size_for(n, slots_.size()); want > slots_.size()) grow(want);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t bytes() const noexcept { return slots_.size() * sizeof(slot); }

 private:
  static std::uint32_t tag_of(std::uint64_t key) noexcept {
    const auto t = static_cast<std::uint32_t>(key >> 32);
    return t == 0 ? 1 : t;
  }
  [[nodiscard]] std::size_t home(std::uint32_t tag) const noexcept { return tag & (slots_.size() - 1); }
  [[nodiscard]] std::size_t next(std::size_t i) const noexcept { return (i + 1) & (slots_.size() - 1); }
  void grow(std::size_t to) {
    detail::zeroed_array<slot> old(to);
    old.swap(slots_);
    for (std::size_t k = 0; k < old.size(); ++k) {
      if (old[k].tag == 0) continue;
      std::size_t i = home(old[k].tag);
      while (slots_[i].tag != 0) i = next(i);
      slots_[i] = old[k];
    }
  }

  detail::zeroed_array<slot> slots_;
  std::size_t size_ = 0;
};

// A queue of plain values in one array used as a ring: pushed at the back, popped at the
// front, read by position from the front. Made with room for `capacity`; pushing into a full
// ring doubles it (a copy of every value, so size it for what it will hold).
template <class T>
class fifo_ring {
 public:
  explicit fifo_ring(std::size_t capacity) : slots_(capacity > 0 ? capacity : 1) {}

  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  // The i-th value from the front; i < size().
  [[nodiscard]] T& operator[](std::size_t i) noexcept { return slots_[slot_of(i)]; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return slots_[slot_of(i)]; }
  [[nodiscard]] const T& front() const noexcept { return slots_[head_]; }

  void push_back(const T& v) {
    if (count_ == slots_.size()) {
      detail::zeroed_array<T> bigger(slots_.size() * 2);
      for (std::size_t i = 0; i < count_; ++i) bigger[i] = (*this)[i];
      slots_ = std::move(bigger);
      head_ = 0;
    }
    slots_[slot_of(count_)] = v;
    ++count_;
  }
  void pop_front() noexcept {
    head_ = slot_of(1);
    --count_;
  }

 private:
  [[nodiscard]] std::size_t slot_of(std::size_t i) const noexcept {
    const std::size_t at = head_ + i;  // both below the ring's size
    return at >= slots_.size() ? at - slots_.size() : at;
  }

  detail::zeroed_array<T> slots_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace wirescan::novelty
