// The staged pipeline (decode + enrich on a thread of their own, the novelty stage and the
// event on the caller's): the same events as one thread, in the same order.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "pipeline.hpp"
#include "shipped_enricher.hpp"
#include "staged.hpp"

namespace {

using namespace wirescan;

struct input {
  std::string payload;
  std::size_t seq = 0;
};

struct outcome {
  bool accepted = false;
  std::string reason;   // the rejection's, when not accepted
  std::string novelty;  // the kind, when accepted
  std::string event;    // without its timing block, which differs from run to run
};

outcome outcome_of(const app::processed& r) {
  static const std::regex timing(R"(,"timing":\{[^}]*\})");
  outcome o;
  o.accepted = r.accepted;
  if (!r.accepted) o.reason = std::string(core::to_string(r.rejection.reason));
  if (r.novelty) o.novelty = std::string(core::to_string(*r.novelty));
  o.event = std::regex_replace(std::string(r.event), timing, "");
  return o;
}

// The sample feed twice over, the second time under other ids (duplicates to the novelty
// stage; under the same ids they would be re-reads), with stories the decoder refuses in
// between.
std::vector<std::string> feed() {
  std::vector<std::string> out;
  std::ifstream in(std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl");
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  REQUIRE(out.size() >= 30);
  const auto n = out.size();
  for (std::size_t i = 0; i < n; ++i) {
    auto again = out[i];
    const auto at = again.find(R"("id": ")");
    REQUIRE(at != std::string::npos);
    again.insert(at + 7, "again-");
    out.push_back(again);
    if (i % 7 == 0) out.push_back(R"({"id": "broken-)" + std::to_string(i) + R"(", "headline": )");
    if (i % 11 == 0) out.push_back(R"({"id": "no-headline-)" + std::to_string(i) + R"("})");
  }
  return out;
}

using test::shipped_enricher;

std::vector<outcome> one_thread(const std::vector<std::string>& stories) {
  app::config cfg;
  obs::metrics m;
  app::pipeline pipe(cfg, m, shipped_enricher());
  std::vector<outcome> out;
  for (const auto& s : stories) out.push_back(outcome_of(pipe.process(s)));
  return out;
}

std::vector<outcome> staged(const std::vector<std::string>& stories, std::size_t ahead, std::size_t threads = 1,
                            std::uint64_t first = 0) {
  app::config cfg;
  obs::metrics m;
  app::pipeline pipe(cfg, m, shipped_enricher());
  app::staged_pipeline<input> st(pipe, ahead, threads, first);
  REQUIRE(st.threads() == (ahead == 0 ? 0 : threads));
  std::vector<outcome> out;
  std::vector<std::size_t> order;
  const auto finish = [&](auto& s) {
    order.push_back(s.item.seq);
    out.push_back(outcome_of(pipe.finish(s.story)));
  };
  for (std::size_t i = 0; i < stories.size(); ++i) {
    if (st.full()) {
      finish(*st.front(true));
      st.pop();
    }
    st.push({stories[i], i});
    // Sometimes take what is ready without waiting, as `wirescan run` does between polls.
    if (i % 5 == 0) {
      while (auto* s = st.front(false)) {
        finish(*s);
        st.pop();
      }
    }
  }
  st.drain(finish);
  REQUIRE(st.empty());
  REQUIRE(st.front(false) == nullptr);
  for (std::size_t i = 0; i < order.size(); ++i) REQUIRE(order[i] == i);
  return out;
}

// A stand-in pipeline: a story's "preparation" records its payload as the id and who did it.
// Story "0" on a staging thread does not finish until the test lets it, so the test knows
// a staging thread holds the oldest story.
struct gated_pipe {
  app::config cfg;
  std::atomic<bool> holding{false};   // the staging thread is inside story "0"
  std::atomic<bool> release{false};
  std::atomic<int> by_caller{0};
  std::atomic<int> by_thread{0};

  [[nodiscard]] const ingest::decoder_config& decode_config() const noexcept { return cfg.decode; }
  void prepare(std::string_view payload, std::size_t, app::prepared& p) {  // the caller's
    p.accepted = true;
    p.story.id = std::string(payload);
    ++by_caller;
  }
  void prepare(std::string_view payload, std::size_t, app::prepared& p, ingest::decoder&) {  // the staging thread's
    if (payload == "0") {
      holding = true;
      while (!release) std::this_thread::yield();
    }
    p.accepted = true;
    p.story.id = std::string(payload);
    ++by_thread;
  }
};

template <class Pred>
bool within(std::chrono::seconds limit, Pred&& pred) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

void require_same(const std::vector<outcome>& a, const std::vector<outcome>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("story " << i);
    CHECK(a[i].accepted == b[i].accepted);
    CHECK(a[i].reason == b[i].reason);
    CHECK(a[i].novelty == b[i].novelty);
    CHECK(a[i].event == b[i].event);
  }
}

}  // namespace

TEST_CASE("a staged pipeline gives one thread's events, in input order", "[staged]") {
  const auto stories = feed();
  const auto expected = one_thread(stories);
  // The feed exercises what the comparison is about: refusals, and a second pass the
  // novelty stage must judge against the first (so order matters).
  REQUIRE(std::count_if(expected.begin(), expected.end(), [](const auto& o) { return !o.accepted; }) >= 5);
  REQUIRE(std::count_if(expected.begin(), expected.end(), [](const auto& o) { return o.novelty == "new"; }) >= 20);
  REQUIRE(std::count_if(expected.begin(), expected.end(),
                        [](const auto& o) { return o.accepted && o.novelty != "new"; }) >= 20);
  SECTION("a thread of its own, three stories ahead (the ring wraps many times)") {
    require_same(staged(stories, 3), expected);
  }
  SECTION("a thread of its own, more stories ahead than the feed has") {
    require_same(staged(stories, 4096), expected);
  }
  SECTION("no second thread (prepare_ahead: 0)") { require_same(staged(stories, 0), expected); }
  SECTION("across the 32-bit counters' wrap, with a ring whose size does not divide 2^32") {
    require_same(staged(stories, 3, 1, (std::uint64_t{1} << 32) - 40), expected);
    require_same(staged(stories, 100, 1, (std::uint64_t{1} << 32) - 5), expected);
  }
  SECTION("several threads of their own, finishing out of order, handed back in order") {
    require_same(staged(stories, 3, 2), expected);
    require_same(staged(stories, 64, 3), expected);
    require_same(staged(stories, 5, 4, (std::uint64_t{1} << 32) - 17), expected);
  }
}

TEST_CASE("a staged pipeline's thread stops cleanly with stories still in it", "[staged]") {
  app::config cfg;
  obs::metrics m;
  app::pipeline pipe(cfg, m, shipped_enricher());
  std::ifstream in(std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl");
  std::string line;
  std::getline(in, line);
  const std::size_t threads = GENERATE(1, 3);
  {
    app::staged_pipeline<input> st(pipe, 8, threads);
    for (std::size_t i = 0; i < 8; ++i) st.push({line, i});
    REQUIRE(st.full());
    REQUIRE(st.size() == 8);
  }  // destroyed with eight pushed and none taken: the threads finish and join
  // The pipeline is whole afterwards.
  const auto r = pipe.process(line);
  CHECK(r.accepted);
}

TEST_CASE("while the staging thread holds the oldest story, the caller prepares the ones behind it", "[staged]") {
  gated_pipe gp;
  std::vector<std::string> seen;
  {
    app::staged_pipeline<input, gated_pipe> st(gp, 16);
    // The eighth story waiting wakes the staging thread, which takes the oldest and is held in it.
    for (std::size_t i = 0; i < 9; ++i) st.push({std::to_string(i), i});
    REQUIRE(within(std::chrono::seconds(10), [&] { return gp.holding.load(); }));
    for (std::size_t i = 9; i < 12; ++i) st.push({std::to_string(i), i});
    // Let story "0" go once the caller has prepared the eleven behind it, or after a while:
    // a caller that only waited would prepare none, and the check below says so.
    std::thread releaser([&] {
      (void)within(std::chrono::seconds(5), [&] { return gp.by_caller.load() == 11; });
      gp.release = true;
    });
    auto* front = st.front(true);
    releaser.join();
    REQUIRE(front != nullptr);
    CHECK(front->story.story.id == "0");
    CHECK(gp.by_caller.load() == 11);
    CHECK(st.prepared_here() == 11);
    st.drain([&](auto& s) { seen.push_back(s.story.story.id); });
  }
  CHECK(gp.by_thread.load() == 1);
  REQUIRE(seen.size() == 12);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == std::to_string(i));
}

TEST_CASE("with several staging threads, one holding the oldest story does not hold the others", "[staged]") {
  gated_pipe gp;
  std::vector<std::string> seen;
  {
    app::staged_pipeline<input, gated_pipe> st(gp, 16, 3);
    REQUIRE(st.threads() == 3);
    // The eighth story waiting wakes the staging threads; one takes the oldest and is held in it.
    for (std::size_t i = 0; i < 12; ++i) st.push({std::to_string(i), i});
    REQUIRE(within(std::chrono::seconds(10), [&] { return gp.holding.load(); }));
    // The two others prepare the rest meanwhile, before the caller asks for any. With one
    // staging thread, the one held, none would be.
    REQUIRE(within(std::chrono::seconds(10), [&] { return gp.by_thread.load() == 11; }));
    CHECK(gp.by_caller.load() == 0);
    CHECK(st.front(false) == nullptr);  // the oldest is still held
    gp.release = true;
    auto* front = st.front(true);
    REQUIRE(front != nullptr);
    CHECK(front->story.story.id == "0");
    st.drain([&](auto& s) { seen.push_back(s.story.story.id); });
  }
  CHECK(gp.by_thread.load() == 12);
  CHECK(gp.by_caller.load() == 0);
  REQUIRE(seen.size() == 12);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == std::to_string(i));
}

namespace {

// A stand-in pipeline whose preparation throws for the story "bad", on any thread.
struct throwing_pipe {
  app::config cfg;
  std::atomic<int> tried{0};

  [[nodiscard]] const ingest::decoder_config& decode_config() const noexcept { return cfg.decode; }
  void prepare(std::string_view payload, std::size_t, app::prepared& p) {
    ++tried;
    if (payload == "bad") throw std::runtime_error("cannot prepare bad");
    p.accepted = true;
    p.story.id = std::string(payload);
  }
  void prepare(std::string_view payload, std::size_t size, app::prepared& p, ingest::decoder&) { prepare(payload, size, p); }
};

}  // namespace

TEST_CASE("what preparing a story throws reaches the caller at that story's turn, on any thread", "[staged]") {
  const auto [ahead, threads] = GENERATE(std::pair<std::size_t, std::size_t>{0, 1}, std::pair<std::size_t, std::size_t>{16, 1},
                                         std::pair<std::size_t, std::size_t>{16, 3});
  INFO("ahead " << ahead << ", threads " << threads);
  throwing_pipe tp;
  {
    app::staged_pipeline<input, throwing_pipe> st(tp, ahead, threads);
    std::vector<std::string> payloads{"0", "1", "2", "bad", "4", "5", "6", "7", "8", "9"};
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      if (ahead == 0 && i == 1) break;  // inline: one slot, taken one at a time below
      REQUIRE_NOTHROW(st.push({payloads[i], i}));
    }
    if (ahead == 0) {
      // Each story prepared in push(), on this thread; the failure waits for its turn too.
      for (std::size_t i = 0; i < 3; ++i) {
        CHECK(st.front(true)->story.story.id == payloads[i]);
        st.pop();
        REQUIRE_NOTHROW(st.push({payloads[i + 1], i + 1}));
      }
    } else {
      // The ten waiting wake a staging thread, which tries them all (this thread asks for
      // none until then): "bad" fails there, not here.
      REQUIRE(within(std::chrono::seconds(10), [&] { return tp.tried.load() == 10; }));
      CHECK(st.prepared_here() == 0);
      for (std::size_t i = 0; i < 3; ++i) {
        CHECK(st.front(true)->story.story.id == payloads[i]);
        st.pop();
      }
    }
    CHECK_THROWS_WITH(st.front(true), "cannot prepare bad");
    CHECK_THROWS_WITH(st.front(false), "cannot prepare bad");  // and again: never handed out, nor what follows
    CHECK_THROWS_WITH(st.drain([](auto&) {}), "cannot prepare bad");
  }  // the staging threads stop and join with stories still in the ring
}

TEST_CASE("staging threads are named for top -H, perf and gdb", "[staged]") {
  const auto names = [] {
    std::vector<std::string> out;
    for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream in(t.path() / "comm");
      std::string name;
      std::getline(in, name);
      out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  throwing_pipe tp;
  {
    app::staged_pipeline<input, throwing_pipe> st(tp, 8, 2);
    // Named by the threads themselves as they start.
    REQUIRE(within(std::chrono::seconds(10), [&] {
      const auto n = names();
      return std::count(n.begin(), n.end(), "ws-prepare-1") == 1 && std::count(n.begin(), n.end(), "ws-prepare-2") == 1;
    }));
  }
  const auto after = names();
  CHECK(std::count(after.begin(), after.end(), "ws-prepare-1") == 0);  // joined
}
