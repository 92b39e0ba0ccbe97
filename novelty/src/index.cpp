#include "wirescan/novelty/index.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "wirescan/core/hash.hpp"

namespace wirescan::novelty {
namespace {

// 12 bands of 2 MinHash rows: a pair with Jaccard 0.5 shares a band with probability
// 1 - (1 - 0.5^2)^12 = 0.97, one with 0.2 with 0.39; candidates are then checked exactly.
constexpr std::size_t bands = 12;  // index::band_count
constexpr std::size_t rows = 2;
static_assert(bands * rows == detail::row_count);
// Entries taken from one band bucket at most (the newest), so a crowded bucket (a template
// headline repeated all day) cannot stall the pipeline: at most 12 x 4 exact checks per story.
constexpr std::size_t per_bucket = bucket_map::depth;
// Tables are sized up front for at most this many stories (about 435 MB of address space).
constexpr std::size_t presized_entries = 1000000;
// Distinct band buckets a story adds, for sizing: 7.7 on the bench corpus (stories share
// buckets). Tables are powers of two at most half full, so 7 sizes the table for 200,000
// stories as growing would; a wire that adds more only grows it once more.
constexpr std::size_t buckets_per_story = 7;

std::uint64_t sketch_bit(std::uint64_t feature) { return std::uint64_t{1} << (core::mix64(feature) & 63); }

std::uint64_t sketch_of(std::span<const std::uint64_t> features) {
  std::uint64_t s = 0;
  for (const auto f : features) s |= sketch_bit(f);
  return s;
}

int score_of(double decay, std::uint32_t similar) {
  return static_cast<int>(std::lround(100.0 * std::pow(decay, static_cast<double>(similar))));
}

}  // namespace

std::uint64_t* index::word_arena::take(std::size_t n, std::uint64_t seq) {
  if (chunks_.empty() || chunks_.back().used + n > chunks_.back().size) {
    chunk c{nullptr, std::max(n, chunk_words), 0, seq};
    if (c.size == chunk_words && !spare_.empty()) {
      c.words = std::move(spare_.back());
      spare_.pop_back();
    } else {
      c.words = std::make_unique_for_overwrite<std::uint64_t[]>(c.size);
      allocated_words_ += c.size;
    }
    chunks_.push_back(std::move(c));
  }
  auto& c = chunks_.back();
  std::uint64_t* p = c.words.get() + c.used;
  c.used += n;
  c.last_seq = seq;
  return p;
}

void index::word_arena::release_before(std::uint64_t seq) {
  while (!chunks_.empty() && chunks_.front().last_seq < seq) {
    if (chunks_.size() == 1) {
      chunks_.front().used = 0;  // the chunk being filled: start it again
      return;
    }
    if (chunks_.front().size == chunk_words) {
      spare_.push_back(std::move(chunks_.front().words));
    } else {
      allocated_words_ -= chunks_.front().size;  // an oversized chunk is freed, not kept
    }
    chunks_.pop_front();
  }
}

std::int64_t story_time(const core::story& s, core::epoch_ms received) noexcept {
  if (s.published_at && s.published_at->value <= received.value + 60000) return s.published_at->value;
  return received.value;
}

index::index(index_config cfg, std::uint64_t instance)
    : cfg_(cfg),
      instance_(instance),
      entries_(std::min(cfg.max_entries, presized_entries)) {
  // The tables are sized for a full index at the start (and their pages faulted in), so none
  // is rehashed while stories wait: at 200,000 stories that would hold one story for tens of
  // milliseconds. Past presized_entries they grow as they fill.
  const std::size_t planned = std::min(cfg_.max_entries, presized_entries);
  by_key_.reserve(planned);
  by_headline_.reserve(planned);
  clusters_.reserve(planned);
  bands_.reserve(planned * buckets_per_story);
}

bool index::same_event_overlap(std::size_t n, std::size_t m, std::size_t shared) const noexcept {
  if (n + m == 0) return false;
  if (static_cast<double>(shared) >= cfg_.rewrite_threshold * static_cast<double>(n + m - shared)) return true;
  // A longer version of a story: nearly all of the shorter headline's features (at least six of
  // them) are in the longer one, however much the longer one adds.
  const std::size_t shorter = std::min(n, m);
  return shorter >= containment_min_features &&
         static_cast<double>(shared) >= containment * static_cast<double>(shorter);
}

namespace detail {
namespace {

// The MinHash rows' odd multipliers: row i of feature hash h is (h ^ m[i]) * m[i].
constexpr auto row_multipliers = [] {
  std::array<std::uint64_t, row_count> m{};
  std::uint64_t x = 0x5851f42d4c957f2dULL;
  for (auto& v : m) v = (x = core::mix64(x)) | 1;
  return m;
}();

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The same arithmetic eight rows at a time: AVX-512 has the 64-bit multiply and unsigned
// minimum that SSE2 and AVX2 lack, so the 24 rows of a feature are three instructions each.
__attribute__((target("avx512f,avx512dq"))) void row_minima_avx512(std::span<const std::uint64_t> features,
                                                                      row_minima_t& mins) noexcept {
  static_assert(row_count == 24);
  const __m512i m0 = _mm512_loadu_si512(row_multipliers.data());
  const __m512i m1 = _mm512_loadu_si512(row_multipliers.data() + 8);
  const __m512i m2 = _mm512_loadu_si512(row_multipliers.data() + 16);
  __m512i a0 = _mm512_set1_epi64(-1), a1 = a0, a2 = a0;
  // The masked minimum with every lane selected: GCC 12's unmasked one reads an undefined
  // vector and warns (GCC bug 105593).
  constexpr __mmask8 all = 0xFF;
  for (const auto f : features) {
    const __m512i h = _mm512_set1_epi64(static_cast<long long>(core::mix64(f)));
    a0 = _mm512_mask_min_epu64(a0, all, a0, _mm512_mullo_epi64(_mm512_xor_si512(h, m0), m0));
    a1 = _mm512_mask_min_epu64(a1, all, a1, _mm512_mullo_epi64(_mm512_xor_si512(h, m1), m1));
    a2 = _mm512_mask_min_epu64(a2, all, a2, _mm512_mullo_epi64(_mm512_xor_si512(h, m2), m2));
  }
  _mm512_storeu_si512(mins.data(), a0);
  _mm512_storeu_si512(mins.data() + 8, a1);
  _mm512_storeu_si512(mins.data() + 16, a2);
}

// Read in a static initialiser, which may run before libgcc's own: hence the explicit init.
const bool have_avx512 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}();
#endif

}  // namespace

void row_minima_portable(std::span<const std::uint64_t> features, row_minima_t& mins) noexcept {
  mins.fill(UINT64_MAX);
  for (const auto f : features) {
    const std::uint64_t h = core::mix64(f);
    for (std::size_t i = 0; i < mins.size(); ++i) {
      mins[i] = std::min(mins[i], (h ^ row_multipliers[i]) * row_multipliers[i]);
    }
  }
}

void row_minima(std::span<const std::uint64_t> features, row_minima_t& mins) noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (have_avx512) {
    row_minima_avx512(features, mins);
    return;
  }
#endif
  row_minima_portable(features, mins);
}

}  // namespace detail

index::band_keys_t index::band_keys(std::span<const std::uint64_t> features) {
  // One strong hash per feature, then a cheap odd-multiplier permutation per MinHash row: the
  // rows' order depends on every bit of the hash, and a row costs one multiply, not a mix.
  detail::row_minima_t mins;
  detail::row_minima(features, mins);
  band_keys_t keys;
  for (std::size_t b = 0; b < bands; ++b) {
    std::uint64_t k = b;
    for (std::size_t r = 0; r < rows; ++r) k = core::mix64(k ^ mins[b * rows + r]);
    keys[b] = k;
  }
  return keys;
}

const index::cluster_info* index::cluster(std::uint64_t key) const {
  const auto* slot = clusters_.find(key);
  return slot == nullptr ? nullptr : &cluster_pool_[*slot];
}

std::uint64_t index::widen(std::uint32_t seq) const noexcept {
  // Entries live in [base_, base_ + size); their low 32 bits are distinct within that range
  // (max_entries is far below 2^32), and a number outside it belongs to an entry that left.
  const std::uint64_t ahead = static_cast<std::uint32_t>(seq - static_cast<std::uint32_t>(base_));
  return ahead < entries_.size() ? base_ + ahead : UINT64_MAX;
}

const index::entry* index::at(std::uint64_t seq) const {
  if (seq < base_ || seq - base_ >= entries_.size()) return nullptr;
  return &entries_[seq - base_];
}

core::novelty index::verdict_of(const entry& e) const {
  core::novelty v;
  v.kind = e.kind;
  v.similar_count = e.similar_count;
  v.score = score_of(cfg_.decay, e.similar_count);
  v.similarity = e.similarity;
  if (const auto* c = cluster(e.cluster); c != nullptr) {
    v.first_seen = core::epoch_ms{c->first_seen};
    if (e.kind != core::novelty_kind::fresh) {
      v.duplicate_of = c->first_id;
      v.first_source = c->first_source;
    }
  }
  return v;
}

void index::evict(std::int64_t now_ms) {
  newest_ = std::max(newest_, now_ms);
  const std::uint64_t first = base_;
  while (!entries_.empty() && !live(entries_.front())) {
    const entry& e = entries_.front();
    const std::uint64_t seq = base_;
    // Every lookup below is a miss in a large index: ask for them all before the first.
    by_key_.prefetch(e.story_key);
    by_headline_.prefetch(e.headline_hash);
    clusters_.prefetch(e.cluster);
    band_keys_t keys{};
    if (e.feature_count > 0) {
      keys = band_keys(e.features());
      for (const auto k : keys) bands_.prefetch(k);
    }
    if (const auto* v = by_key_.find(e.story_key); v != nullptr && *v == seq) by_key_.erase(e.story_key);
    if (const auto* v = by_headline_.find(e.headline_hash); v != nullptr && *v == seq) by_headline_.erase(e.headline_hash);
    // A bucket whose newest entry it is holds only entries that have left; elsewhere it is
    // one of a bucket's older entries, skipped from now on.
    if (e.feature_count > 0) {
      for (const auto k : keys) bands_.erase_if_newest(k, static_cast<std::uint32_t>(seq));
    }
    if (const auto* slot = clusters_.find(e.cluster); slot != nullptr && --cluster_pool_[*slot].members == 0) {
      free_clusters_.push_back(static_cast<std::uint32_t>(*slot));
      clusters_.erase(e.cluster);
    }
    entries_.pop_front();
    ++base_;
    ++counters_.evicted;
  }
  if (base_ != first) words_.release_before(base_);
}

void index::remember(const fingerprint& fp, std::int64_t at_ms, std::uint64_t cluster, const core::novelty& verdict,
                     const band_keys_t& keys, const std::string& id, const std::string& source) {
  if (entries_.size() >= cfg_.max_entries) {
    ++counters_.unremembered;
    return;
  }
  const std::uint64_t seq = base_ + entries_.size();
  *by_key_.try_emplace(fp.story_key, seq).first = seq;
  (void)by_headline_.try_emplace(fp.headline_hash, seq);
  if (!fp.features.empty()) {
    for (const auto k : keys) bands_.push(k, static_cast<std::uint32_t>(seq));
  }
  auto [slot, fresh] = clusters_.try_emplace(cluster, 0);
  if (fresh) {
    if (free_clusters_.empty()) {
      *slot = cluster_pool_.size();
      cluster_pool_.emplace_back();
    } else {
      *slot = free_clusters_.back();
      free_clusters_.pop_back();
    }
    auto& c = cluster_pool_[*slot];
    c.first_id = id;
    c.first_source = source;
    c.first_seen = verdict.first_seen.value;
    c.members = 0;
  }
  ++cluster_pool_[*slot].members;
  const std::size_t n = fp.features.size() + fp.sequence.size();
  std::uint64_t* words = nullptr;
  if (n > 0) {
    words = words_.take(n, seq);
    std::copy(fp.features.begin(), fp.features.end(), words);
    std::copy(fp.sequence.begin(), fp.sequence.end(), words + fp.features.size());
  }
  entries_.push_back({
      at_ms, sketch_of(fp.features), words, static_cast<std::uint32_t>(fp.features.size()),
      static_cast<std::uint32_t>(fp.sequence.size()), fp.story_key, fp.headline_hash, fp.content_hash, fp.lead_actor, fp.initials,
      cluster, static_cast<float>(verdict.similarity), verdict.similar_count, verdict.kind});
}

record index::assess(const core::story& s, const fingerprint& fp, std::int64_t at_ms) {
  record r;
  assess(s, fp, at_ms, r);
  return r;
}

void index::assess(const core::story& s, const fingerprint& fp, std::int64_t at_ms, record& r) {
  // Every lookup below is a cache miss in a large index; ask for them all at once, and before
  // the eviction, whose own misses then overlap with these. (The cluster a new story founds is
  // keyed by its own key: most stories are new.)
  by_key_.prefetch(fp.story_key);
  by_headline_.prefetch(fp.headline_hash);
  clusters_.prefetch(fp.story_key);
  band_keys_t keys{};
  if (!fp.features.empty()) {
    keys = band_keys(fp.features);
    for (const auto k : keys) bands_.prefetch(k);
  }
  evict(at_ms);
  const entry* match = nullptr;
  core::novelty_kind kind = core::novelty_kind::fresh;
  double similarity = 0.0;
  if (const auto* seq = by_key_.find(fp.story_key); seq != nullptr) {
    const entry* e = at(*seq);
    if (e != nullptr && live(*e)) {
      if (e->content_hash == fp.content_hash) {
        // The same story again (a redelivery after a crash, or a wire re-sending it): the
        // verdict it got the first time, so a re-read changes nothing downstream.
        r.story_id.clear();
        r.source.clear();
        r.verdict = verdict_of(*e);
        return;
      }
      match = e;
      kind = core::novelty_kind::update;
      similarity = jaccard(fp.features, e->features());
    }
  }
  if (match == nullptr) {
    if (const auto* seq = by_headline_.find(fp.headline_hash); seq != nullptr) {
      const entry* e = at(*seq);
      if (e != nullptr && live(*e)) {
        match = e;
        kind = core::novelty_kind::duplicate;
        similarity = 1.0;
      }
    }
  }
  if (match == nullptr && !fp.features.empty()) {
    // Candidates from every band: each bucket's newest entries (a story is most often repeated
    // soon after it first ran), all known from the buckets alone, so every candidate's entry is
    // asked for before the first is read. Each is checked once.
    std::array<std::uint64_t, bands * per_bucket> candidates;
    std::size_t found = 0;
    for (std::size_t b = 0; b < bands; ++b) {
      const auto* bucket = bands_.find(keys[b]);
      if (bucket == nullptr) continue;
      for (std::size_t k = 0; k < per_bucket && (k == 0 || bucket->seq[k] != bucket->seq[k - 1]); ++k) {
        const auto seq = widen(bucket->seq[k]);
        if (seq == UINT64_MAX) break;  // older ones have left too
        __builtin_prefetch(at(seq));
        candidates[found++] = seq;
      }
    }
    const auto last = candidates.begin() + static_cast<std::ptrdiff_t>(found);
    std::sort(candidates.begin(), last);
    const auto unique_end = std::unique(candidates.begin(), last);
    // Each feature's sketch bit: a feature whose bit a candidate's sketch lacks is not in the
    // candidate, so counting the others bounds the overlap without reading its features. (The
    // popcount of the two sketches' intersection is no such bound: shared features can share
    // a bit.)
    std::array<std::uint64_t, 64> bits{};
    const std::size_t n = std::min<std::size_t>(fp.features.size(), bits.size());
    for (std::size_t i = 0; i < n; ++i) bits[i] = sketch_bit(fp.features[i]);
    for (auto it = candidates.begin(); it != unique_end; ++it) {
      const entry* e = at(*it);
      if (e == nullptr || !live(*e)) continue;
      std::size_t possible = fp.features.size() - n;
      for (std::size_t i = 0; i < n; ++i) possible += (bits[i] & e->sketch) != 0 ? 1 : 0;
      const std::size_t m = e->feature_count;
      if (!same_event_overlap(fp.features.size(), m, std::min(possible, m))) continue;
      const std::size_t shared = shared_count(fp.features, e->features());
      const double j = static_cast<double>(shared) / static_cast<double>(fp.features.size() + m - shared);
      if (!same_event_overlap(fp.features.size(), m, shared) || j <= similarity) continue;
      if (conflicting(fp, e->view())) continue;
      match = e;
      similarity = j;
    }
    if (match != nullptr) {
      kind = similarity >= cfg_.duplicate_threshold ? core::novelty_kind::duplicate : core::novelty_kind::rewrite;
    }
  }

  // Every field is set (r may hold the last story's record), into its strings' and vectors'
  // existing buffers.
  r.instance = instance_;
  r.at_ms = at_ms;
  r.story_id.assign(s.id);
  r.source.assign(s.source);
  r.cluster = match != nullptr ? match->cluster : fp.story_key;
  auto& v = r.verdict;
  v.kind = kind;
  v.similarity = similarity;
  v.first_seen = core::epoch_ms{at_ms};
  v.similar_count = 0;
  v.duplicate_of.clear();
  v.first_source.clear();
  if (const auto* c = cluster(r.cluster); match != nullptr && c != nullptr) {
    v.similar_count = c->members;
    v.first_seen = core::epoch_ms{c->first_seen};
    v.duplicate_of.assign(c->first_id);
    v.first_source.assign(c->first_source);
  }
  v.score = score_of(cfg_.decay, v.similar_count);
  if (at_ms >= newest_ - cfg_.window_ms) {
    remember(fp, at_ms, r.cluster, v, keys,
             kind == core::novelty_kind::fresh ? s.id : v.duplicate_of,
             kind == core::novelty_kind::fresh ? s.source : v.first_source);
  }
  r.fp = fp;
}

void index::apply(const record& r, std::int64_t now_ms) {
  if (r.instance == instance_ || r.story_id.empty() || r.at_ms > now_ms + 60000) return;
  evict(r.at_ms);
  if (r.at_ms < newest_ - cfg_.window_ms) return;
  if (const auto* seq = by_key_.find(r.fp.story_key); seq != nullptr) {
    const entry* e = at(*seq);
    if (e != nullptr && e->content_hash == r.fp.content_hash) return;
  }
  const bool fresh = r.verdict.kind == core::novelty_kind::fresh;
  remember(r.fp, r.at_ms, r.cluster, r.verdict,
           r.fp.features.empty() ? band_keys_t{} : band_keys(r.fp.features), fresh ? r.story_id : r.verdict.duplicate_of,
           fresh ? r.source : r.verdict.first_source);
  ++counters_.applied;
}

index_stats index::stats() const {
  index_stats s = counters_;
  s.entries = entries_.size();
  s.clusters = clusters_.size();
  s.table_bytes = by_key_.bytes() + by_headline_.bytes() + clusters_.bytes() + bands_.bytes() +
                  entries_.capacity() * sizeof(entry);
  s.word_bytes = words_.bytes();
  return s;
}

// --- the state topic's record format ---

namespace {

// Version 2 adds the headline sequence and its initials; version 1 records (without it) still decode, so a
// rolling upgrade reads the state its predecessors wrote.
constexpr std::uint8_t record_version = 2;

// Writes the record's fields at a cursor into a buffer already sized for them: one resize and
// a store per field, where appending byte by byte checked the capacity at every byte (the
// encoder cost 400 ns a story, more than the rest of the state topic's work).
struct writer {
  char* p;
  void u(std::uint64_t v, int bytes) {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(p, &v, static_cast<std::size_t>(bytes));
    } else {
      for (int i = 0; i < bytes; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    p += bytes;
  }
  // memcpy's source may not be null even for no bytes, and an empty vector's data() is.
  void str(std::string_view s) {
    u(s.size(), 4);
    if (s.empty()) return;
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void words(const std::vector<std::uint64_t>& w) {
    u(w.size(), 4);
    if (w.empty()) return;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(p, w.data(), w.size() * sizeof(std::uint64_t));
      p += w.size() * sizeof(std::uint64_t);
    } else {
      for (const auto x : w) u(x, 8);
    }
  }
};

struct reader {
  std::string_view in;
  bool ok = true;
  std::uint64_t u(int bytes) {
    if (in.size() < static_cast<std::size_t>(bytes)) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(static_cast<std::size_t>(bytes));
    return v;
  }
  std::string str() {
    const auto n = u(4);
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};

}  // namespace

std::string encode(const record& r) {
  std::string out;
  encode(r, out);
  return out;
}

void encode(const record& r, std::string& out) {
  const std::size_t size = 1 + 7 * 8 + 1 + 4 + 4 + 8 + 4 * 4 + r.story_id.size() + r.source.size() +
                           r.verdict.duplicate_of.size() + r.verdict.first_source.size() + 4 +
                           8 * r.fp.features.size() + 4 + 8 * r.fp.sequence.size() + 8;
  out.resize(size);
  writer w{out.data()};
  w.u(record_version, 1);
  w.u(r.instance, 8);
  w.u(static_cast<std::uint64_t>(r.at_ms), 8);
  w.u(r.fp.story_key, 8);
  w.u(r.fp.content_hash, 8);
  w.u(r.fp.headline_hash, 8);
  w.u(r.fp.lead_actor, 8);
  w.u(r.cluster, 8);
  w.u(static_cast<std::uint64_t>(r.verdict.kind), 1);
  w.u(r.verdict.similar_count, 4);
  w.u(std::bit_cast<std::uint32_t>(static_cast<float>(r.verdict.similarity)), 4);
  w.u(static_cast<std::uint64_t>(r.verdict.first_seen.value), 8);
  w.str(r.story_id);
  w.str(r.source);
  w.str(r.verdict.duplicate_of);
  w.str(r.verdict.first_source);
  w.words(r.fp.features);
  w.words(r.fp.sequence);
  w.u(r.fp.initials, 8);
}

core::result<record, std::string> decode(std::string_view bytes) {
  reader in{bytes};
  const auto version = in.u(1);
  if (version != 1 && version != record_version) return core::unexpected{std::string("unknown record version")};
  record r;
  r.instance = in.u(8);
  r.at_ms = static_cast<std::int64_t>(in.u(8));
  r.fp.story_key = in.u(8);
  r.fp.content_hash = in.u(8);
  r.fp.headline_hash = in.u(8);
  r.fp.lead_actor = in.u(8);
  r.cluster = in.u(8);
  const auto kind = in.u(1);
  if (kind > static_cast<std::uint64_t>(core::novelty_kind::rewrite)) return core::unexpected{std::string("bad kind")};
  r.verdict.kind = static_cast<core::novelty_kind>(kind);
  r.verdict.similar_count = static_cast<std::uint32_t>(in.u(4));
  r.verdict.similarity = std::bit_cast<float>(static_cast<std::uint32_t>(in.u(4)));
  // A NaN or out-of-range similarity would reach events as invalid JSON (found by fuzz_record).
  if (!(r.verdict.similarity >= 0.0 && r.verdict.similarity <= 1.0)) {
    return core::unexpected{std::string("similarity outside 0..1")};
  }
  r.verdict.first_seen = core::epoch_ms{static_cast<std::int64_t>(in.u(8))};
  r.story_id = in.str();
  r.source = in.str();
  r.verdict.duplicate_of = in.str();
  r.verdict.first_source = in.str();
  const auto read_features = [&](std::vector<std::uint64_t>& out) {
    const auto n = in.u(4);
    if (!in.ok || n > in.in.size() / 8) return false;
    out.resize(n);
    for (auto& f : out) f = in.u(8);
    return true;
  };
  if (!read_features(r.fp.features) || (version >= 2 && !read_features(r.fp.sequence))) {
    return core::unexpected{std::string("truncated record")};
  }
  if (version >= 2) r.fp.initials = in.u(8);
  if (!in.ok || !in.in.empty()) return core::unexpected{std::string("record length does not match its fields")};
  if (!std::is_sorted(r.fp.features.begin(), r.fp.features.end())) return core::unexpected{std::string("unsorted features")};
  return r;
}

void begin_batch(std::uint64_t instance, std::string& out) {
  out.resize(9);
  writer w{out.data()};
  w.u(batch_version, 1);
  w.u(instance, 8);
}

void append_to_batch(std::string_view encoded_record, std::string& out) {
  const auto at = out.size();
  out.resize(at + 4 + encoded_record.size());
  writer w{out.data() + at};
  w.str(encoded_record);
}

core::result<batch, std::string> split_batch(std::string_view bytes) {
  reader in{bytes};
  if (in.u(1) != batch_version) return core::unexpected{std::string("not a batch")};
  batch b;
  b.instance = in.u(8);
  if (!in.ok) return core::unexpected{std::string("truncated batch header")};
  while (!in.in.empty()) {
    const auto n = in.u(4);
    if (!in.ok || n == 0 || n > in.in.size()) return core::unexpected{std::string("batch record length past its end")};
    const auto rec = in.in.substr(0, n);
    if (is_batch(rec)) return core::unexpected{std::string("batch inside a batch")};
    b.records.push_back(rec);
    in.in.remove_prefix(n);
  }
  if (b.records.empty()) return core::unexpected{std::string("empty batch")};
  return b;
}

}  // namespace wirescan::novelty
