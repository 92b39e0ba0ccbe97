// The novelty stage: fingerprints, guards, the index's window and bounds, the state record
// format, and its quality on the labelled pair set (pinned so a change that lowers it fails).

#include <algorithm>
#include <random>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "novelty_eval.hpp"
#include "pipeline.hpp"
#include "wirescan/novelty/index.hpp"

namespace {

using namespace wirescan;

const std::string rules_dir = std::string(WIRESCAN_SOURCE_DIR) + "/rules";

struct fixture {
  std::shared_ptr<const enrich::enricher> enr;
  novelty::lexicon lx;
  fixture() {
    auto rules = enrich::load_rules(rules_dir);
    REQUIRE(rules);
    enr = std::make_shared<const enrich::enricher>(rules.value());
    auto l = novelty::load_lexicon(rules_dir);
    REQUIRE(l);
    lx = std::move(l.value());
  }
  [[nodiscard]] core::story story(const std::string& id, const std::string& source, const std::string& headline,
                                  std::string body = {}) const {
    core::story s;
    s.id = id;
    s.source = source;
    s.headline = headline;
    s.body = std::move(body);
    return s;
  }
  novelty::record assess(novelty::index& idx, const core::story& s, std::int64_t at_ms) const {
    return idx.assess(s, novelty::make_fingerprint(s, enr->enrich(s), lx), at_ms);
  }
  // What a fresh index calls headline b, seen a minute after headline a from another wire.
  [[nodiscard]] core::novelty_kind pair_kind(const char* a, const char* b) const;
};

constexpr std::int64_t t0 = 1'764'000'000'000;
constexpr std::int64_t minute = 60'000;

core::novelty_kind fixture::pair_kind(const char* a, const char* b) const {
  novelty::index idx({});
  (void)assess(idx, story("a", "wire-a", a), t0);
  return assess(idx, story("b", "wire-b", b), t0 + minute).verdict.kind;
}


}  // namespace

TEST_CASE("the light stemmer maps a verb's forms together", "[novelty]") {
  CHECK(novelty::stem("restricts") == novelty::stem("restricted"));
  CHECK(novelty::stem("restricting") == novelty::stem("restrict"));
  CHECK(novelty::stem("raises") == novelty::stem("raised"));
  CHECK(novelty::stem("cutting") == novelty::stem("cuts"));
  CHECK(novelty::stem("tariffs") == novelty::stem("tariff"));
}

TEST_CASE("a story is new, then duplicates, rewrites and updates of it decay its novelty score", "[novelty]") {
  fixture fx;
  novelty::index idx({});
  const auto first = fx.assess(idx, fx.story("r-1", "Reuters", "China moves to restrict Nvidia H200 chips"), t0);
  CHECK(first.verdict.kind == core::novelty_kind::fresh);
  CHECK(first.verdict.score == 100);
  CHECK(first.verdict.duplicate_of.empty());

  const auto dup = fx.assess(idx, fx.story("b-7", "Bloomberg", "BREAKING: China moves to restrict NVIDIA H200 chips - Reuters"),
                             t0 + minute);
  CHECK(dup.verdict.kind == core::novelty_kind::duplicate);
  CHECK(dup.verdict.duplicate_of == "r-1");
  CHECK(dup.verdict.first_source == "Reuters");
  CHECK(dup.verdict.similar_count == 1);
  CHECK(dup.verdict.score == 75);
  CHECK(dup.verdict.first_seen.value == t0);

  const auto rewrite =
      fx.assess(idx, fx.story("d-3", "Dow Jones", "Beijing to curb access to Nvidia's H200 AI chips"), t0 + 2 * minute);
  CHECK(rewrite.verdict.kind == core::novelty_kind::rewrite);
  CHECK(rewrite.verdict.duplicate_of == "r-1");
  CHECK(rewrite.verdict.score == 56);

  const auto update = fx.assess(
      idx, fx.story("r-1", "Reuters", "UPDATE 1-China moves to restrict Nvidia H200 chip purchases"), t0 + 3 * minute);
  CHECK(update.verdict.kind == core::novelty_kind::update);
  CHECK(update.verdict.similar_count == 3);
  CHECK(update.verdict.score == 42);
}

TEST_CASE("look-alikes from another actor, direction, company or number are new events", "[novelty]") {
  fixture fx;
  const std::pair<const char*, const char*> pairs[] = {
      {"China restricts Nvidia H200 chip imports", "US restricts Nvidia H200 chip exports to China"},
      {"Fed raises rates by 25 basis points", "Fed cuts rates by 25 basis points"},
      {"China bans Micron chips", "China lifts ban on Micron chips"},
      {"Bank of England raises rates to 5%", "Bank of England raises rates to 5.25%"},
      {"The Schall Law Firm Encourages Investors in Humanigen, Inc. with Losses to Contact the Firm",
       "The Schall Law Firm Encourages Investors in NIO Inc. with Losses to Contact the Firm"},
      // Weekday and month names are compared like numbers: the same column on another day.
      {"Here's what happened to the stock market on Monday", "Here's what happened to the stock market on Tuesday"},
  };
  for (const auto& [a, b] : pairs) {
    INFO(a << " | " << b);
    CHECK(fx.pair_kind(a, b) == core::novelty_kind::fresh);
  }
}

TEST_CASE("a longer version of a story, or one with a word said twice, is the same story", "[novelty]") {
  fixture fx;
  const auto kind = [&](const char* a, const char* b) { return fx.pair_kind(a, b); };
  // Jaccard 0.45, but every feature of the shorter headline is in the longer one.
  CHECK(kind("Squid Game will compete for best drama series at the Emmy Awards in September",
             "Squid Game will compete for best drama series at the Emmy Awards in September, the first time a "
             "foreign-language program has been nominated for the biggest prize in the US TV industry") ==
        core::novelty_kind::rewrite);
  CHECK(kind("$GAZPROM Gazprom Declares Force Majeure On Gas Supplies To Europe",
             "Russia's Gazprom Declares Force Majeure On Gas Supplies To Europe") != core::novelty_kind::fresh);
  // Regression: candidates were skipped by comparing the two stories' 64-bit sketches, whose
  // popcount is no bound on the shared features (two of them can share a bit); this pair,
  // Jaccard 0.52, was one of those.
  CHECK(kind("India is expected to surpass China to become the world's most-populous nation in 2023, four years "
             "ahead of an earlier estimate by the United Nations",
             "India is expected to surpass China to become the world's most populous nation in 2023. The estimate "
             "is 4 years ahead of an earlier timeline by the United Nations. The same report pegs global "
             "population growth at 8.5 billion by 2030") == core::novelty_kind::rewrite);
}

TEST_CASE("one template with two subjects is two events; a wire's tag or a longer subject is not", "[novelty]") {
  fixture fx;
  const auto same = [&](const char* a, const char* b) { return fx.pair_kind(a, b) != core::novelty_kind::fresh; };
  // Subjects made of common words, so only the template guard can tell them apart.
  CHECK_FALSE(same("Silver Lake Partners completes acquisition of regional grocery chain in the Midwest",
                   "Green Valley Holdings completes acquisition of regional grocery chain in the Midwest"));
  CHECK(same("Pentagon asks Navy Secretary to resign after controversy over war crimes case",
             "Pentagon chief asks Navy Secretary to resign after controversy over war crimes case"));
  CHECK(same("$NTR - Nutrien to buy Brazilian retailer Casa do Adubo", "Nutrien to buy Brazilian retailer Casa do Adubo"));
  // An acronym and the words it stands for are one subject.
  CHECK(same("IEA head: oil demand growth will slow sharply through the end of the decade",
             "International Energy Agency head: oil demand growth will slow sharply through the end of the decade"));
}

TEST_CASE("a re-read story gets the verdict it got the first time and is not counted twice", "[novelty]") {
  fixture fx;
  novelty::index idx({});
  (void)fx.assess(idx, fx.story("r-1", "Reuters", "Fed holds rates steady"), t0);
  const auto dup = fx.assess(idx, fx.story("a-1", "AP", "Fed holds rates steady - AP"), t0 + minute);
  REQUIRE(dup.verdict.kind == core::novelty_kind::duplicate);
  const auto again = fx.assess(idx, fx.story("a-1", "AP", "Fed holds rates steady - AP"), t0 + 2 * minute);
  CHECK(again.story_id.empty());  // nothing new to share on the state topic
  CHECK(again.verdict.kind == core::novelty_kind::duplicate);
  CHECK(again.verdict.similar_count == dup.verdict.similar_count);
  CHECK(idx.stats().entries == 2);
}

TEST_CASE("a story out of the window is forgotten; a full index assesses but does not remember", "[novelty]") {
  fixture fx;
  novelty::index_config cfg;
  cfg.window_ms = 60 * minute;
  cfg.max_entries = 2;
  novelty::index idx(cfg);
  (void)fx.assess(idx, fx.story("1", "w", "Fed holds rates steady"), t0);
  (void)fx.assess(idx, fx.story("2", "w", "Tesla recalls 2 million vehicles"), t0 + minute);
  // Full of stories in the window: the third is judged, not remembered, and nothing is evicted early.
  const auto third = fx.assess(idx, fx.story("3", "w", "Boeing halts 737 MAX production"), t0 + 2 * minute);
  CHECK(third.verdict.kind == core::novelty_kind::fresh);
  CHECK(idx.stats().unremembered == 1);
  CHECK(idx.stats().evicted == 0);
  CHECK(fx.assess(idx, fx.story("4", "x", "Fed holds rates steady"), t0 + 59 * minute).verdict.kind ==
        core::novelty_kind::duplicate);
  // 61 minutes after the first: it has left the window.
  CHECK(fx.assess(idx, fx.story("5", "y", "Fed holds rates steady"), t0 + 61 * minute).verdict.kind ==
        core::novelty_kind::fresh);
  CHECK(idx.stats().evicted >= 1);
}

TEST_CASE("an LSH bucket keeps its newest entries, and is dropped only with its newest", "[novelty]") {
  novelty::bucket_map buckets;
  const std::uint64_t key = 0xabcdef0123456789ULL;
  CHECK(buckets.find(key) == nullptr);
  buckets.push(key, 7);
  const auto* b = buckets.find(key);
  REQUIRE(b != nullptr);
  // One entry: the rest of the slot repeats it.
  CHECK(b->seq[0] == 7);
  CHECK(b->seq[novelty::bucket_map::depth - 1] == 7);
  for (std::uint32_t s = 8; s < 8 + novelty::bucket_map::depth; ++s) buckets.push(key, s);
  b = buckets.find(key);
  REQUIRE(b != nullptr);
  // Newest first; 7 has dropped out.
  for (std::size_t k = 0; k < novelty::bucket_map::depth; ++k) {
    CHECK(b->seq[k] == 7 + novelty::bucket_map::depth - k);
  }
  // Evicting an older entry leaves the bucket; evicting its newest drops it.
  buckets.erase_if_newest(key, 8);
  CHECK(buckets.find(key) != nullptr);
  buckets.erase_if_newest(key, 7 + novelty::bucket_map::depth);
  CHECK(buckets.find(key) == nullptr);
  CHECK(buckets.size() == 0);
  // Many buckets survive growth and backward-shift erases.
  for (std::uint64_t k = 1; k <= 1000; ++k) buckets.push(k * 0x9e3779b97f4a7c15ULL, static_cast<std::uint32_t>(k));
  for (std::uint64_t k = 1; k <= 1000; k += 2) buckets.erase_if_newest(k * 0x9e3779b97f4a7c15ULL, static_cast<std::uint32_t>(k));
  CHECK(buckets.size() == 500);
  for (std::uint64_t k = 1; k <= 1000; ++k) {
    const auto* found = buckets.find(k * 0x9e3779b97f4a7c15ULL);
    CHECK((found != nullptr) == (k % 2 == 0));
    if (found != nullptr) CHECK(found->seq[0] == k);
  }
}

TEST_CASE("a rewrite is found through buckets whose older entries have left the window", "[novelty]") {
  fixture fx;
  novelty::index_config cfg;
  cfg.window_ms = 60 * minute;
  novelty::index idx(cfg);
  // The same template all day fills the template's buckets with entries that then leave.
  for (int i = 0; i < 12; ++i) {
    (void)fx.assess(idx, fx.story("old" + std::to_string(i), "w", "Fed holds rates steady, says inflation is easing"),
                    t0 + i * minute);
  }
  const auto first = fx.assess(idx, fx.story("a", "w", "Beijing moves to restrict Nvidia H200 purchases"), t0 + 70 * minute);
  CHECK(first.verdict.kind == core::novelty_kind::fresh);
  CHECK(idx.stats().evicted >= 10);
  const auto again = fx.assess(idx, fx.story("b", "x", "China moves to restrict purchases of Nvidia's H200"), t0 + 71 * minute);
  CHECK(again.verdict.kind != core::novelty_kind::fresh);
  CHECK(again.verdict.duplicate_of == "a");
  // Stories of the template still in the window are found; those that left are not.
  CHECK(fx.assess(idx, fx.story("c", "y", "Fed holds rates steady, says inflation easing"), t0 + 71 * minute).verdict.kind !=
        core::novelty_kind::fresh);
  CHECK(fx.assess(idx, fx.story("d", "z", "Fed holds rates steady, says inflation easing"), t0 + 200 * minute).verdict.kind ==
        core::novelty_kind::fresh);
}

TEST_CASE("a state record's bytes are the documented layout, little-endian", "[novelty]") {
  // Records written by one release are read by the next (a rolling upgrade, a restart): the
  // layout is pinned byte by byte, built here the slow way from the format's description.
  novelty::record r;
  r.instance = 0x0102030405060708ULL;
  r.at_ms = 1764400000123;
  r.story_id = "r-1";
  r.source = "Reuters";
  r.fp.story_key = 11;
  r.fp.content_hash = 0xFFEEDDCCBBAA9988ULL;
  r.fp.headline_hash = 13;
  r.fp.lead_actor = 14;
  r.fp.features = {1, 0x8000000000000002ULL};
  r.fp.sequence = {0x8000000000000002ULL};
  r.fp.initials = 0x6263;
  r.cluster = 15;
  r.verdict.kind = core::novelty_kind::rewrite;
  r.verdict.similar_count = 3;
  r.verdict.similarity = 0.5;
  r.verdict.first_seen = core::epoch_ms{1764399999000};
  r.verdict.duplicate_of = "a-7";
  r.verdict.first_source = "AP";
  std::string want;
  const auto u = [&](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) want += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  const auto str = [&](std::string_view x) {
    u(x.size(), 4);
    want += x;
  };
  u(2, 1);  // version
  for (const auto v : {r.instance, static_cast<std::uint64_t>(r.at_ms), r.fp.story_key, r.fp.content_hash,
                       r.fp.headline_hash, r.fp.lead_actor, r.cluster}) {
    u(v, 8);
  }
  u(static_cast<std::uint64_t>(r.verdict.kind), 1);
  u(3, 4);
  u(0x3F000000, 4);  // 0.5f
  u(static_cast<std::uint64_t>(r.verdict.first_seen.value), 8);
  for (const auto x : {"r-1", "Reuters", "a-7", "AP"}) str(x);
  u(2, 4);
  u(1, 8);
  u(0x8000000000000002ULL, 8);
  u(1, 4);
  u(0x8000000000000002ULL, 8);
  u(0x6263, 8);
  CHECK(novelty::encode(r) == want);
  std::string reused = "a longer buffer left from the story before this one, which must not leak into it";
  novelty::encode(r, reused);
  CHECK(reused == want);
  // A story with no features, no sequence and empty strings (an all-stopword headline): the
  // empty vectors' data() is null, which memcpy must not be given (UBSan checks in CI).
  novelty::record bare;
  const auto bytes = novelty::encode(bare);
  CHECK(bytes.size() == 1 + 7 * 8 + 1 + 4 + 4 + 8 + 4 * 4 + 4 + 4 + 8);
  const auto back = novelty::decode(bytes);
  REQUIRE(back);
  CHECK(back->fp.features.empty());
  CHECK(back->story_id.empty());
}

TEST_CASE("a state record survives encode and decode and teaches another index", "[novelty]") {
  fixture fx;
  novelty::index here({}, 1);
  novelty::index there({}, 2);
  const auto r = fx.assess(here, fx.story("r-1", "Reuters", "China moves to restrict Nvidia H200 chips"), t0);
  const auto bytes = novelty::encode(r);
  const auto back = novelty::decode(bytes);
  REQUIRE(back);
  CHECK(back->story_id == "r-1");
  CHECK(back->fp.features == r.fp.features);
  auto future = back.value();
  future.at_ms = t0 + 365LL * 24 * 60 * minute;
  there.apply(future, t0);  // a record from the far future would push the window past everything
  CHECK(there.stats().entries == 0);
  there.apply(back.value(), t0);
  here.apply(back.value(), t0);  // its own record comes back: skipped
  CHECK(here.stats().entries == 1);
  const auto dup = fx.assess(there, fx.story("x-9", "AP", "China moves to restrict Nvidia H200 chips"), t0 + minute);
  CHECK(dup.verdict.kind == core::novelty_kind::duplicate);
  CHECK(dup.verdict.duplicate_of == "r-1");
  for (std::size_t cut = 0; cut < bytes.size(); cut += 7) CHECK_FALSE(novelty::decode(bytes.substr(0, cut)));
  CHECK_FALSE(novelty::decode(bytes + "x"));
  CHECK_FALSE(novelty::decode("\x02garbage"));
  // Regression (fuzz_record): a NaN similarity decoded, and would have reached an event as NaN.
  auto nan = bytes;
  for (std::size_t i = 62; i < 66; ++i) nan[i] = '\xff';
  CHECK_FALSE(novelty::decode(nan));
  // A version 1 record (no headline sequence or initials), as an older wirescan wrote it, still decodes.
  REQUIRE_FALSE(r.fp.sequence.empty());
  const auto v1 = "\x01" + bytes.substr(1, bytes.size() - 1 - 4 - 8 * r.fp.sequence.size() - 8);
  const auto old = novelty::decode(v1);
  REQUIRE(old);
  CHECK(old->fp.features == r.fp.features);
  CHECK(old->fp.sequence.empty());
}

TEST_CASE("a batch of state records carries each story's record and its writer, and rejects broken framing",
          "[novelty]") {
  fixture fx;
  novelty::index here({}, 7);
  novelty::index there({}, 8);
  const auto a = novelty::encode(fx.assess(here, fx.story("r-1", "Reuters", "China moves to restrict Nvidia H200 chips"), t0));
  const auto b = novelty::encode(fx.assess(here, fx.story("r-2", "Reuters", "Fed holds rates steady"), t0 + minute));
  std::string bytes = "left from the batch before";
  novelty::begin_batch(here.instance(), bytes);
  novelty::append_to_batch(a, bytes);
  novelty::append_to_batch(b, bytes);
  CHECK(novelty::is_batch(bytes));
  CHECK_FALSE(novelty::is_batch(a));
  CHECK(bytes.size() == 1 + 8 + 4 + a.size() + 4 + b.size());
  const auto split = novelty::split_batch(bytes);
  REQUIRE(split);
  CHECK(split->instance == 7);
  REQUIRE(split->records.size() == 2);
  CHECK(split->records[0] == a);
  CHECK(split->records[1] == b);
  // A single record is not a batch, nor is a record decoded as one.
  CHECK_FALSE(novelty::split_batch(a));
  CHECK_FALSE(novelty::decode(bytes));
  // Every cut inside a record's length or bytes is refused; cuts on a record's boundary are
  // valid batches of fewer records (a header alone is not).
  const std::size_t after_a = 9 + 4 + a.size();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    const auto part = novelty::split_batch(std::string_view(bytes).substr(0, cut));
    if (cut == after_a) {
      REQUIRE(part);
      CHECK(part->records.size() == 1);
    } else {
      CHECK_FALSE(part);
    }
  }
  std::string empty_record;
  novelty::begin_batch(1, empty_record);
  novelty::append_to_batch("", empty_record);
  CHECK_FALSE(novelty::split_batch(empty_record));
  std::string nested;
  novelty::begin_batch(1, nested);
  novelty::append_to_batch(bytes, nested);
  CHECK_FALSE(novelty::split_batch(nested));
  // What another instance learns from the batch: both stories.
  for (const auto rec : split->records) {
    const auto r = novelty::decode(rec);
    REQUIRE(r);
    there.apply(r.value(), t0 + minute);
  }
  CHECK(there.stats().entries == 2);
  const auto dup = fx.assess(there, fx.story("x-9", "AP", "Fed holds rates steady"), t0 + 2 * minute);
  CHECK(dup.verdict.kind == core::novelty_kind::duplicate);
  CHECK(dup.verdict.duplicate_of == "r-2");
}

TEST_CASE("a broken novelty vocabulary is refused with every problem", "[novelty]") {
  const auto r = novelty::parse_lexicon("stopwords: the\nsynonyms: [[solo], [a, b], [b, c]]\nextra: 1\n", "", "n.yaml");
  REQUIRE_FALSE(r);
  CHECK(r.error().size() == 4);  // stopwords not a list, a one-word group, b in two groups, an unknown key
}

// Measured with `wirescan eval --pairs tests/data/novelty/<set>.tsv` (docs/quality.md): the
// pair set the guards were tuned on, 0.957 and 0.873; the held-out set drawn after that tuning,
// 0.944 and 0.872. The goals are precision 0.95 and recall 0.85; these pins hold what
// the stage reaches now so a change that lowers it fails.
TEST_CASE("on the labelled pair sets, same-event precision and recall stay at their measured level", "[novelty]") {
  fixture fx;
  const auto dir = std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/novelty/";
  const auto r = app::evaluate_pairs(*fx.enr, fx.lx, {}, dir + "pairs.tsv");
  CHECK(r.pairs >= 150);
  CHECK(r.same.precision() >= 0.95);
  CHECK(r.same.recall() >= 0.86);
  CHECK(r.by_kind.at("update").first == r.by_kind.at("update").second);
  const auto h = app::evaluate_pairs(*fx.enr, fx.lx, {}, dir + "heldout-pairs.tsv");
  CHECK(h.pairs >= 90);
  CHECK(h.same.precision() >= 0.94);
  CHECK(h.same.recall() >= 0.87);
}

TEST_CASE("a fifo ring keeps its order across wrapping and growth", "[novelty]") {
  novelty::fifo_ring<std::uint64_t> ring(4);
  for (std::uint64_t v = 0; v < 3; ++v) ring.push_back(v);
  ring.pop_front();
  ring.pop_front();
  // 2 is at the ring's third slot; 3, 4, 5 wrap around to its start.
  for (std::uint64_t v = 3; v < 6; ++v) ring.push_back(v);
  REQUIRE(ring.size() == 4);
  CHECK(ring.capacity() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(ring[i] == 2 + i);
  // Full: the next push doubles it, oldest first.
  ring.push_back(6);
  CHECK(ring.capacity() == 8);
  REQUIRE(ring.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(ring[i] == 2 + i);
  CHECK(ring.front() == 2);
  while (!ring.empty()) ring.pop_front();
  ring.push_back(9);
  CHECK(ring.front() == 9);
}

TEST_CASE("an index that has run for hours still reads each story's own features", "[novelty]") {
  // Thousands of stories through a ten-minute window: the fingerprints' words are handed out
  // from chunks reused as their stories leave. A chunk reused too early would give a story
  // still in the window another story's features, and its rewrite would go unrecognised.
  fixture fx;
  novelty::index_config cfg;
  cfg.window_ms = 10 * minute;
  cfg.max_entries = 6000;
  novelty::index idx(cfg);
  // Two made-up names a story ("Kabo", "Ruxe"), so no LSH bucket is crowded by a template, and
  // no policy words: "port halts ... shipments" became an export-control phrase in the
  // thirty-ninth session, and its features, shared by every story, crowded the buckets.
  const auto name = [](int k) {
    std::string w(1, static_cast<char>('A' + k % 26));
    for (k /= 26; k > 0; k /= 26) w += static_cast<char>('a' + k % 26);
    return w + "ax";
  };
  const auto headline = [&](int k, const char* storm = "storm") {
    return name(k) + " port welcomes " + name(k + 50000) + " liners after " + storm;
  };
  novelty::record rec;  // reused, as the pipeline does
  int rewrites = 0, missed = 0, misattributed = 0;
  for (int i = 0; i < 12000; ++i) {
    const auto at = t0 + i * 250;  // four a second: 2,400 in the window, over three chunks of words
    const auto s = fx.story("s" + std::to_string(i), "w", headline(i));
    idx.assess(s, novelty::make_fingerprint(s, fx.enr->enrich(s), fx.lx), at, rec);
    REQUIRE(rec.verdict.kind == core::novelty_kind::fresh);
    // A rewrite of one of the oldest stories in the window (whose words a chunk reused too
    // early loses first), and now and then of stories from a few seconds to almost ten
    // minutes back.
    for (int ago = 2390; i > 2400 && ago > 0; ago -= 37) {
      if (ago < 2390 && i % 1000 != 999) break;
      const int back = i - ago;
      // Not word for word, so it is found through the LSH buckets and the entry's features.
      const auto r = fx.story("r" + std::to_string(back), "x", headline(back, "heavy storm"));
      idx.assess(r, novelty::make_fingerprint(r, fx.enr->enrich(r), fx.lx), at, rec);
      ++rewrites;
      if (rec.verdict.kind == core::novelty_kind::fresh) {
        ++missed;
      } else if (rec.verdict.duplicate_of != "s" + std::to_string(back)) {
        ++misattributed;
      }
    }
  }
  // LSH finds a pair this close with a probability just short of one (4 of 10,239 missed
  // here); a chunk reused while its stories were in the window lost 73.
  CHECK(rewrites > 9000);
  CHECK(missed * 1000 < rewrites);
  CHECK(misattributed == 0);
  CHECK(idx.stats().entries < 5000);  // the window, and the rewrites in it
  // Chunks are reused: the words of 12,000 stories would take some 1.2 MB, the window's 0.5.
  INFO("word bytes " << idx.stats().word_bytes);
  CHECK(idx.stats().word_bytes < 800'000);
  CHECK(idx.stats().evicted > 9000);
  CHECK(idx.stats().unremembered == 0);
}

TEST_CASE("a reused record carries nothing over from the story before", "[novelty]") {
  fixture fx;
  novelty::index idx({});
  novelty::record rec;
  const auto a = fx.story("a", "w", "Beijing moves to restrict Nvidia H200 purchases");
  const auto b = fx.story("b", "x", "Beijing moves to restrict Nvidia H200 purchases");
  const auto c = fx.story("c", "y", "Fed holds rates steady");
  idx.assess(a, novelty::make_fingerprint(a, fx.enr->enrich(a), fx.lx), t0, rec);
  idx.assess(b, novelty::make_fingerprint(b, fx.enr->enrich(b), fx.lx), t0 + minute, rec);
  REQUIRE(rec.verdict.kind == core::novelty_kind::duplicate);
  CHECK(rec.verdict.duplicate_of == "a");
  CHECK(rec.verdict.similar_count == 1);
  novelty::fingerprint fp;  // reused too
  novelty::make_fingerprint(c, fx.enr->enrich(c), fx.lx, fp);
  idx.assess(c, fp, t0 + 2 * minute, rec);
  CHECK(rec.verdict.kind == core::novelty_kind::fresh);
  CHECK(rec.verdict.duplicate_of.empty());
  CHECK(rec.verdict.first_source.empty());
  CHECK(rec.verdict.similar_count == 0);
  CHECK(rec.verdict.score == 100);
  CHECK(rec.story_id == "c");
  CHECK(rec.fp.features == novelty::make_fingerprint(c, fx.enr->enrich(c), fx.lx).features);
  // A fingerprint made into a reused one equals a new one.
  novelty::make_fingerprint(a, fx.enr->enrich(a), fx.lx, fp);
  const auto fresh = novelty::make_fingerprint(a, fx.enr->enrich(a), fx.lx);
  CHECK(fp.features == fresh.features);
  CHECK(fp.sequence == fresh.sequence);
  CHECK(fp.initials == fresh.initials);
  CHECK(fp.lead_actor == fresh.lead_actor);
  CHECK(fp.headline_hash == fresh.headline_hash);
  // A re-read of a remembered story: nothing to share.
  idx.assess(a, fresh, t0 + 3 * minute, rec);
  CHECK(rec.story_id.empty());
  CHECK(rec.verdict.kind == core::novelty_kind::fresh);
}

TEST_CASE("MinHash rows are the same on the vector path and the portable one", "[novelty]") {
  // On a CPU with AVX-512 (CI's has it) row_minima takes the vector path; elsewhere the two
  // are one function and only the union property below is tested.
  std::mt19937_64 rng(7);
  for (std::size_t n : {0UL, 1UL, 7UL, 8UL, 23UL, 64UL, 300UL}) {
    std::vector<std::uint64_t> features(n);
    for (auto& f : features) f = rng();
    wirescan::novelty::detail::row_minima_t fast{}, portable{};
    wirescan::novelty::detail::row_minima(features, fast);
    wirescan::novelty::detail::row_minima_portable(features, portable);
    CAPTURE(n);
    CHECK(fast == portable);
    // MinHash's defining property: a set's row minima are the smaller of its two halves'.
    const std::size_t half = n / 2;
    wirescan::novelty::detail::row_minima_t left{}, right{};
    wirescan::novelty::detail::row_minima(std::span(features).first(half), left);
    wirescan::novelty::detail::row_minima(std::span(features).subspan(half), right);
    for (std::size_t i = 0; i < fast.size(); ++i) CHECK(fast[i] == std::min(left[i], right[i]));
  }
}
