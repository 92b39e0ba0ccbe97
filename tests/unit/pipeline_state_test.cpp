// The novelty state a `run` instance shares through its state topic, as the pipeline takes it
// in: one story's record, or a batch of them (novelty.state_batch), from another instance, from
// itself, and with a broken record inside.

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "pipeline.hpp"
#include "shipped_enricher.hpp"

namespace {

using namespace wirescan;

std::string story(const std::string& id, const std::string& headline) {
  return R"({"id": ")" + id + R"(", "source": "Reuters", "headline": ")" + headline +
         R"(", "published_at": "2026-11-30T12:00:00Z"})";
}

// The stories' state records, as `run` gathers them into one state-topic record.
std::string batch_of(app::pipeline& pipe, const std::vector<std::string>& stories) {
  std::string out;
  novelty::begin_batch(pipe.novelty_index()->instance(), out);
  for (const auto& s : stories) {
    const auto r = pipe.process(s);
    REQUIRE(r.accepted);
    REQUIRE_FALSE(r.state_record.empty());
    novelty::append_to_batch(r.state_record, out);
  }
  return out;
}

}  // namespace

TEST_CASE("a batch of state records teaches another instance every story in it", "[pipeline][novelty]") {
  app::config cfg;
  obs::metrics ma;
  obs::metrics mb;
  app::pipeline a(cfg, ma, test::shipped_enricher(), true);
  app::pipeline b(cfg, mb, test::shipped_enricher(), true);
  const auto bytes = batch_of(a, {story("r-1", "Beijing moves to restrict Nvidia H200 purchases"),
                                  story("r-2", "Fed holds rates steady as inflation cools")});
  CHECK(b.apply_state(bytes));
  CHECK(mb.novelty_state_records(true) == 2);
  CHECK(b.novelty_index()->stats().entries == 2);
  const auto dup = b.process(story("x-9", "Fed holds rates steady as inflation cools"));
  REQUIRE(dup.novelty);
  CHECK(*dup.novelty == core::novelty_kind::duplicate);

  SECTION("its own batch coming back is counted and changes nothing") {
    const auto before = a.novelty_index()->stats();
    CHECK(a.apply_state(bytes));
    CHECK(ma.novelty_state_records(true) == 2);
    CHECK(a.novelty_index()->stats().entries == before.entries);
    CHECK(a.novelty_index()->stats().applied == before.applied);
  }
  SECTION("a broken record inside is counted and skipped; the rest are applied") {
    app::pipeline c(cfg, ma, test::shipped_enricher(), true);
    const auto split = novelty::split_batch(bytes);
    REQUIRE(split);
    std::string broken;
    novelty::begin_batch(12345, broken);
    novelty::append_to_batch(split->records[0], broken);
    novelty::append_to_batch("\x02not a record", broken);
    CHECK_FALSE(c.apply_state(broken));
    CHECK(ma.novelty_state_records(false) == 1);
    CHECK(c.novelty_index()->stats().entries == 1);
    // Broken framing: the whole record is refused, counted once.
    CHECK_FALSE(c.apply_state(broken.substr(0, broken.size() - 3)));
    CHECK(ma.novelty_state_records(false) == 2);
  }
  SECTION("a single record, as a release before batches wrote it, is still taken in") {
    app::pipeline c(cfg, ma, test::shipped_enricher(), true);
    const auto split = novelty::split_batch(bytes);
    REQUIRE(split);
    CHECK(c.apply_state(split->records[1]));
    CHECK(c.novelty_index()->stats().entries == 1);
  }
}
