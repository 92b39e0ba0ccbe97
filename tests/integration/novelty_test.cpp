// The novelty stage across instances and restarts, against the real broker: state travels
// through the compacted state topic, so a duplicate is found wherever it arrives.

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <rapidjson/document.h>

#include "fixture.hpp"

namespace wirescan::test::it {
namespace {

std::string wire_story(const std::string& id, const std::string& source, const std::string& headline) {
  return R"({"id":")" + id + R"(","source":")" + source + R"(","headline":")" + headline +
         R"(","published_at":"2026-11-28T10:00:00Z"})";
}

struct judged {
  std::string kind;
  std::string duplicate_of;
  int similar_count = -1;
};

// The novelty block of the event for story id on topic (waits for it).
judged novelty_of(const std::string& topic, const std::string& id, std::size_t expect) {
  for (const auto& r : consume(topic, expect, 60s, 500ms)) {
    rapidjson::Document d;
    d.Parse(r.value.c_str());
    if (!d.IsObject() || std::string(d["story"]["id"].GetString()) != id) continue;
    REQUIRE(d.HasMember("novelty"));
    const auto& n = d["novelty"];
    REQUIRE(r.headers.at("wirescan.novelty.kind") == n["kind"].GetString());
    return {n["kind"].GetString(), n["duplicate_of"].IsNull() ? "" : n["duplicate_of"].GetString(),
            n["similar_count"].GetInt()};
  }
  FAIL("no event for " << id << " on " << topic);
  return {};
}

}  // namespace

TEST_CASE("a duplicate arriving at another instance, and one arriving after a restart, is still recognised",
          "[kafka][novelty]") {
  // Two instances of one group; each reads its own input topic, so the second story can only
  // be judged against the first through the shared state topic. The second writes its state
  // in batches (the default); the first either the same or one record per story, as a release
  // before batches did, so a rolling upgrade's mix of the two is read both ways.
  const std::string a_batch = GENERATE(as<std::string>{}, "", ", state_batch: 1");
  CAPTURE(a_batch);
  const std::string state = unique_name("novelty-state");
  setup_options o;
  o.input_partitions = 2;
  o.top_level_yaml = "novelty: {state_topic: " + state + "}\n";
  setup b(o);
  o.top_level_yaml = "novelty: {state_topic: " + state + a_batch + "}\n";
  setup a(o);
  {
    // Same group for both, as in a deployment that scales by adding consumers.
    std::ifstream in(b.config_path);
    std::stringstream text;
    text << in.rdbuf();
    std::string cfg = text.str();
    cfg.replace(cfg.find(b.group), b.group.size(), a.group);
    std::ofstream(b.config_path) << cfg;
  }
  auto first = start_wirescan({"run", "--config", a.config_path});
  auto second = start_wirescan({"run", "--config", b.config_path});
  REQUIRE(wait_for_log(first, "novelty state: [0-9]+ stories in the window restored", 60));
  REQUIRE(wait_for_log(second, "novelty state: [0-9]+ stories in the window restored", 60));

  produce(a.in, {{0, wire_story("r-1", "Reuters", "China moves to restrict Nvidia H200 chips")}});
  CHECK(novelty_of(a.out, "r-1", 1).kind == "new");
  // The look-alike from the opposite actor is a new event, not a duplicate.
  produce(b.in, {{1, wire_story("b-1", "Bloomberg", "US restricts Nvidia H200 chip exports to China")}});
  CHECK(novelty_of(b.out, "b-1", 1).kind == "new");
  produce(b.in, {{1, wire_story("b-2", "Bloomberg", "BREAKING: China moves to restrict Nvidia H200 chips")}});
  const auto across = novelty_of(b.out, "b-2", 2);
  CHECK(across.kind == "duplicate");
  CHECK(across.duplicate_of == "r-1");
  CHECK(across.similar_count == 1);

  REQUIRE(signal_and_wait(first, SIGTERM, 30) == 0);
  REQUIRE(signal_and_wait(second, SIGTERM, 30) == 0);
  // A fresh process: everything it knows comes from the state topic.
  auto third = start_wirescan({"run", "--config", a.config_path});
  REQUIRE(wait_for_log(third, "novelty state: 3 stories in the window restored", 60));
  produce(a.in, {{1, wire_story("d-1", "Dow Jones", "Beijing to curb access to Nvidia's H200 AI chips")}});
  const auto after = novelty_of(a.out, "d-1", 2);
  CHECK(after.kind == "rewrite");
  CHECK(after.duplicate_of == "r-1");
  CHECK(after.similar_count == 2);
  REQUIRE(signal_and_wait(third, SIGTERM, 30) == 0);
}

TEST_CASE("novelty state batches stay under a small message.max.bytes: smaller batches, not failures",
          "[kafka][novelty]") {
  // 40 stories' state records (about 150 bytes each) are over 6,000 bytes together, so under a
  // 4,096-byte limit they need at least three records on the state topic, whatever the timing.
  const std::string state = unique_name("novelty-state");
  setup_options o;
  o.input_partitions = 1;
  o.producer = {{"message.max.bytes", "4096"}};
  o.top_level_yaml = "novelty: {state_topic: " + state + "}\n";
  setup s(o);
  auto proc = start_wirescan({"run", "--config", s.config_path});
  REQUIRE(wait_for_log(proc, "novelty state: [0-9]+ stories in the window restored", 60));
  std::vector<std::pair<int, std::string>> stories;
  for (int i = 0; i < 40; ++i) {
    stories.emplace_back(0, wire_story("m-" + std::to_string(i), "Reuters",
                                       "Story number " + std::to_string(i) + " about chip export controls"));
  }
  produce(s.in, stories);
  CHECK(consume(s.out, 40, 30s, 500ms).size() == 40);
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  CHECK(committed_offsets(s.group, s.in, 1).at(0) == 40);
  const auto records = consume(state, 40, 5s, 500ms);
  CHECK(records.size() >= 3);
  std::size_t largest = 0;
  for (const auto& r : records) largest = std::max(largest, r.value.size());
  CHECK(largest <= 4096 - 1024);
  const auto log = read_file(proc.log_path);
  CHECK(log.find("stopped cleanly: consumed 40, published 40") != std::string::npos);
}

TEST_CASE("stories arriving one at a time at 2,000 a second still share novelty state records", "[kafka][novelty]") {
  // A batch stays open up to 5 ms after its first story. It used to go out whenever there was
  // nothing more to fetch, which on a wire of single stories (1,000 a second and under: each
  // is finished before the next arrives) was after every story: one state record each, which
  // every instance of the group then reads back.
  const std::string state = unique_name("novelty-state");
  setup_options o;
  o.top_level_yaml = "novelty: {state_topic: " + state + "}\n";
  setup s(o);
  auto proc = start_wirescan({"run", "--config", s.config_path});
  REQUIRE(wait_for_log(proc, "novelty state: [0-9]+ stories in the window restored", 60));
  constexpr int n = 2'000;
  std::vector<std::pair<int, std::string>> stories;
  for (int i = 0; i < n; ++i) {
    stories.emplace_back(i % partitions, wire_story("p-" + std::to_string(i), "Reuters",
                                                    "Paced story " + std::to_string(i) + " on chip export controls"));
  }
  produce(s.in, stories, false, 2'000);
  CHECK(consume(s.out, n, 60s, 500ms).size() == n);
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  const auto records = consume(state, n, 5s, 500ms);
  INFO(records.size() << " state records for " << n << " stories");
  // About 10 stories a record on this schedule; the build before wrote one a story.
  CHECK(records.size() >= 2);
  CHECK(records.size() <= n / 3);
}

TEST_CASE("duplicates suppressed for Kafka are not published, yet their offsets are committed", "[kafka][novelty]") {
  setup_options o;
  o.input_partitions = 1;
  o.top_level_yaml = "novelty: {suppress: {kafka: [duplicate]}}\n";
  setup s(o);
  auto proc = start_wirescan({"run", "--config", s.config_path});
  produce(s.in, {{0, wire_story("x-1", "Reuters", "Fed holds rates steady")},
                 {0, wire_story("x-2", "AP", "BREAKING: Fed holds rates steady - Reuters")},
                 {0, wire_story("x-3", "AP", "Tesla recalls 2 million vehicles")}});
  const auto events = consume(s.out, 3, 20s, 2s);
  std::set<std::string> ids;
  for (const auto& e : events) {
    rapidjson::Document d;
    d.Parse(e.value.c_str());
    ids.insert(d["story"]["id"].GetString());
  }
  CHECK(ids == std::set<std::string>{"x-1", "x-3"});
  REQUIRE(signal_and_wait(proc, SIGTERM, 30) == 0);
  CHECK(committed_offsets(s.group, s.in, 1).at(0) == 3);
  const auto log = read_file(proc.log_path);
  CHECK(log.find("stopped cleanly: consumed 3, published 2") != std::string::npos);
}

}  // namespace wirescan::test::it
