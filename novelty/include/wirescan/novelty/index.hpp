#pragma once
// The novelty index: every story seen in the window, found again by story key (updates),
// exact headline (duplicates) and MinHash LSH over headline features (rewrites).
//
// assess() decides what a story is and remembers it; apply() remembers a story another
// instance (or this one before a restart) decided, read back from the state topic. The
// index is pure (time is passed in) and single-threaded: one per processing thread.
//
// Memory is bounded by max_entries. Entries leave only when they fall out of the window
// (older than the newest time seen minus window_ms); when the index is full of stories still
// in the window, a new story is assessed but not remembered, and counted.

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "wirescan/core/event.hpp"
#include "wirescan/core/result.hpp"
#include "wirescan/novelty/fingerprint.hpp"
#include "wirescan/novelty/flat_map.hpp"

namespace wirescan::novelty {

namespace detail {
// Each MinHash row's minimum over a story's features (12 bands of 2 rows). row_minima uses
// AVX-512 where the CPU has it and row_minima_portable elsewhere; both give the same values.
inline constexpr std::size_t row_count = 24;
using row_minima_t = std::array<std::uint64_t, row_count>;
void row_minima(std::span<const std::uint64_t> features, row_minima_t& mins) noexcept;
void row_minima_portable(std::span<const std::uint64_t> features, row_minima_t& mins) noexcept;
}  // namespace detail

struct index_config {
  std::int64_t window_ms = 24LL * 3600 * 1000;
  std::size_t max_entries = 200000;
  double rewrite_threshold = 0.5;    // Jaccard of headline features for "same event"
  double duplicate_threshold = 0.85; // at or above: a duplicate rather than a rewrite
  double decay = 0.75;               // score = 100 x decay^similar_count
};

// One remembered story as it travels on the state topic.
struct record {
  std::uint64_t instance = 0;  // the process that decided it
  std::int64_t at_ms = 0;      // its time in the window
  std::string story_id;
  std::string source;
  fingerprint fp;
  core::novelty verdict;  // what it was judged to be
  std::uint64_t cluster = 0;  // the story key of its cluster's first story
};

// The binary form on the state topic: a version byte, then fixed-width little-endian fields
// and length-prefixed strings. decode() rejects anything malformed without reading past it.
[[nodiscard]] std::string encode(const record& r);
void encode(const record& r, std::string& out);  // into out's buffer
[[nodiscard]] core::result<record, std::string> decode(std::string_view bytes);

// Several stories' records in one state-topic record (version 3, what `run` writes by default),
// so the topic carries one Kafka record per batch rather than one per story: librdkafka's and
// the broker's per-record work is paid once a batch, on the way out and on every instance's way
// back in. A version byte, the instance that wrote the batch (so it can skip its own without
// decoding them), then each story's record as encode() writes it, after its 4-byte length.
inline constexpr std::uint8_t batch_version = 3;
void begin_batch(std::uint64_t instance, std::string& out);
void append_to_batch(std::string_view encoded_record, std::string& out);
[[nodiscard]] inline bool is_batch(std::string_view bytes) noexcept {
  return !bytes.empty() && static_cast<std::uint8_t>(bytes[0]) == batch_version;
}
struct batch {
  std::uint64_t instance = 0;
  std::vector<std::string_view> records;  // into the bytes split_batch was given; not yet decoded
};
// The batch's framing checked (a version 3 header, at least one record, every length inside the
// bytes, no batch inside a batch); its records are still to be decoded one by one.
[[nodiscard]] core::result<batch, std::string> split_batch(std::string_view bytes);

struct index_stats {
  std::size_t entries = 0;
  std::size_t clusters = 0;
  std::uint64_t evicted = 0;
  std::uint64_t unremembered = 0;  // assessed while the index was full of in-window stories
  std::uint64_t applied = 0;       // records from the state topic taken in
  std::size_t table_bytes = 0;     // the hash tables and the entries, sized for max_entries at the start
  std::size_t word_bytes = 0;      // the fingerprints' words: chunks in use and emptied ones kept for reuse
};

class index {
 public:
  explicit index(index_config cfg, std::uint64_t instance = 0);

  // Decides what s is and remembers it. at_ms: the story's time (see story_time). The
  // returned record is what to publish on the state topic; empty story_id when the story
  // was a re-read of one already remembered (nothing new to share).
  [[nodiscard]] record assess(const core::story& s, const fingerprint& fp, std::int64_t at_ms);
  // The same into out, reusing its buffers: what the pipeline calls for every story.
  void assess(const core::story& s, const fingerprint& fp, std::int64_t at_ms, record& out);

  // Takes in a record decided elsewhere. Records from this instance, re-reads of stories
  // already remembered, records older than the window and records dated more than a minute
  // after now_ms (which would push the window forward and forget everything) are skipped.
  void apply(const record& r, std::int64_t now_ms);

  [[nodiscard]] index_stats stats() const;
  [[nodiscard]] std::uint64_t instance() const noexcept { return instance_; }
  [[nodiscard]] const index_config& config() const noexcept { return cfg_; }

 private:
  static constexpr std::size_t band_count = 12;
  static constexpr double containment = 0.9;
  static constexpr std::size_t containment_min_features = 6;
  // Whether n and m features with `shared` in common are enough for one event: Jaccard at
  // least rewrite_threshold, or the shorter (of at least containment_min_features) nearly all
  // inside the longer.
  [[nodiscard]] bool same_event_overlap(std::size_t n, std::size_t m, std::size_t shared) const noexcept;
  // A remembered story: plain data, its fingerprint's words in the arena. A candidate is
  // ruled in or out on its first cache line (time, sketch, feature count), the one the
  // candidate search prefetches.
  struct alignas(64) entry {
    std::int64_t at_ms;
    std::uint64_t sketch;  // one bit per feature (mod 64): bounds the overlap without reading features
    const std::uint64_t* words;  // the features, then the sequence
    std::uint32_t feature_count;
    std::uint32_t sequence_count;
    std::uint64_t story_key;
    std::uint64_t headline_hash;
    std::uint64_t content_hash;
    std::uint64_t lead_actor;
    std::uint64_t initials;
    std::uint64_t cluster;
    float similarity;
    std::uint32_t similar_count;
    core::novelty_kind kind;

    [[nodiscard]] std::span<const std::uint64_t> features() const noexcept { return {words, feature_count}; }
    [[nodiscard]] fingerprint_view view() const noexcept {
      return {features(), {words + feature_count, sequence_count}, lead_actor, initials};
    }
  };
  // The fingerprints' words, in arrival order. Entries leave oldest first, so words are handed
  // out from one chunk after another and a chunk is reused once every entry in it has left: no
  // allocation per story, and no allocator bookkeeping to touch when one leaves.
  class word_arena {
   public:
    static constexpr std::size_t chunk_words = 8192;  // 64 KiB
    // Room for n > 0 words, for the entry numbered seq (numbers only ever grow).
    [[nodiscard]] std::uint64_t* take(std::size_t n, std::uint64_t seq);
    // Every entry numbered below seq has left.
    void release_before(std::uint64_t seq);
    [[nodiscard]] std::size_t bytes() const noexcept { return allocated_words_ * sizeof(std::uint64_t); }

   private:
    struct chunk {
      std::unique_ptr<std::uint64_t[]> words;
      std::size_t size;
      std::size_t used;
      std::uint64_t last_seq;  // the newest entry with words in it
    };
    std::deque<chunk> chunks_;
    std::vector<std::unique_ptr<std::uint64_t[]>> spare_;  // emptied chunks of chunk_words
    std::size_t allocated_words_ = 0;  // in chunks and spare_, kept as they change: stats() runs per story
  };
  struct cluster_info {
    std::string first_id;
    std::string first_source;
    std::int64_t first_seen;
    std::uint32_t members;
  };

  void evict(std::int64_t now_ms);
  // The LSH bucket of each band; only for a non-empty feature set.
  using band_keys_t = std::array<std::uint64_t, band_count>;
  [[nodiscard]] static band_keys_t band_keys(std::span<const std::uint64_t> features);
  // Remembers fp as decided (at_ms, cluster, kind, similar_count, similarity).
  void remember(const fingerprint& fp, std::int64_t at_ms, std::uint64_t cluster, const core::novelty& verdict,
                const band_keys_t& keys, const std::string& id, const std::string& source);
  [[nodiscard]] const entry* at(std::uint64_t seq) const;
  [[nodiscard]] bool live(const entry& e) const noexcept { return e.at_ms >= newest_ - cfg_.window_ms; }
  [[nodiscard]] core::novelty verdict_of(const entry& e) const;

  index_config cfg_;
  std::uint64_t instance_;
  // In arrival order: entries_[i] is numbered base_ + i. Sized for max_entries at the start
  // like the tables (doubling past presized_entries).
  fifo_ring<entry> entries_;
  word_arena words_;
  std::uint64_t base_ = 0;
  std::int64_t newest_ = INT64_MIN / 2;
  flat_map64 by_key_;       // story key -> latest seq
  flat_map64 by_headline_;  // headline hash -> first seq
  // LSH band key -> the newest entries in that bucket.
  bucket_map bands_;
  // The full sequence number of a bucket's 32-bit one, or UINT64_MAX when that entry has left.
  [[nodiscard]] std::uint64_t widen(std::uint32_t seq) const noexcept;
  // Cluster key -> slot in cluster_pool_; freed slots are reused (their strings keep their
  // buffers), so a new cluster costs no allocation once the pool has grown.
  flat_map64 clusters_;
  std::vector<cluster_info> cluster_pool_;
  std::vector<std::uint32_t> free_clusters_;
  [[nodiscard]] const cluster_info* cluster(std::uint64_t key) const;
  index_stats counters_;
};

// A story's time in the window: when it was published, unless it says a time more than a
// minute after it arrived (a wrong clock), else when it arrived.
[[nodiscard]] std::int64_t story_time(const core::story& s, core::epoch_ms received) noexcept;

}  // namespace wirescan::novelty
