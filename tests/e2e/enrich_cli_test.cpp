// Drives the real wirescan binary the way a user does: files in, JSON Lines out.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sched.h>
#include <sys/stat.h>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cpus.hpp"
#include "eval_command.hpp"
#include "process.hpp"
#include "schema.hpp"

using wirescan::test::event_schema_violation;
using wirescan::test::http_port;
using wirescan::test::make_temp_dir;
using wirescan::test::read_file;
using wirescan::test::run_wirescan;
using wirescan::test::start_wirescan;
using wirescan::test::wait_exit;
using wirescan::test::wait_for_log;

namespace {

using wirescan::app::parse_csv;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Turns the finance-tweet topic set into stories, one per row, ids "tweet-<row>".
std::string tweets_as_stories(std::size_t& count) {
  const auto rows = parse_csv(read_file(std::string(WIRESCAN_SHARED_DATA) + "/twitter-fin-news-topic/new_data_train.csv"));
  std::string out;
  count = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 2);
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("id");
    w.String(("tweet-" + std::to_string(i)).c_str());
    w.Key("headline");
    w.String(rows[i][0].c_str(), static_cast<rapidjson::SizeType>(rows[i][0].size()));
    w.Key("source");
    w.String("twitter-financial-news");
    w.Key("published_at");
    w.Int64(1'700'000'000'000 + static_cast<std::int64_t>(i) * 1000);
    w.Key("language");
    w.String("en");
    w.EndObject();
    out += b.GetString();
    out += '\n';
    ++count;
  }
  return out;
}

}  // namespace

TEST_CASE("enrich emits one schema-valid event per story of the finance-tweet set, in order", "[e2e]") {
  const auto dir = make_temp_dir();
  std::size_t stories = 0;
  std::ofstream(dir + "/in.jsonl") << tweets_as_stories(stories);
  REQUIRE(stories == 16'990);

  const auto r = run_wirescan({"enrich", "--input", dir + "/in.jsonl", "--output", dir + "/out.jsonl", "--rejects",
                               dir + "/rejects.jsonl"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto events = lines_of(read_file(dir + "/out.jsonl"));
  const auto rejects = lines_of(read_file(dir + "/rejects.jsonl"));
  CHECK(rejects.empty());
  REQUIRE(events.size() == stories);
  std::size_t with_cashtags = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO("event " << i);
    REQUIRE(event_schema_violation(events[i]).empty());
    rapidjson::Document d;
    d.Parse(events[i].c_str());
    REQUIRE(std::string(d["story"]["id"].GetString()) == "tweet-" + std::to_string(i + 1));
    if (!d["mentions"].Empty()) ++with_cashtags;
  }
  // SOURCE.md counts 6,838 rows with a cashtag-like "$WORD"; twitter-text's rule keeps most.
  CHECK(with_cashtags > 5'000);
  CHECK(r.err.find("16990 lines, 16990 events, 0 rejected") != std::string::npos);
  // Piped stderr gets the one summary line and no progress output.
  CHECK(lines_of(r.err).size() == 1);
  CHECK(r.err.find('\r') == std::string::npos);
}

TEST_CASE("enrich sends bad lines to the rejects file and keeps going", "[e2e]") {
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/in.jsonl") << R"({"id":"1","headline":"ok one $AAPL","published_at":"2025-11-28T10:00:00Z"})"
                                   << "\n{broken\n\n"
                                   << R"({"id":"2","headline":7,"published_at":"2025-11-28T10:00:00Z"})" << "\n"
                                   << R"({"id":"3","headline":"ok two","published_at":1764338400000})" << "\n";
  const auto r = run_wirescan({"enrich", "-i", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "-r", dir + "/rej.jsonl"});
  REQUIRE(r.exit_code == 0);
  const auto events = lines_of(read_file(dir + "/out.jsonl"));
  const auto rejects = lines_of(read_file(dir + "/rej.jsonl"));
  REQUIRE(events.size() == 2);
  REQUIRE(rejects.size() == 3);
  const std::vector<std::pair<int, std::string>> expected{{2, "malformed_json"}, {3, "malformed_json"}, {4, "wrong_type"}};
  for (std::size_t i = 0; i < rejects.size(); ++i) {
    rapidjson::Document d;
    d.Parse(rejects[i].c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["line"].GetInt() == expected[i].first);
    CHECK(std::string(d["reason"].GetString()) == expected[i].second);
  }
  CHECK(r.err.find("5 lines, 2 events, 3 rejected (malformed_json=2, wrong_type=1)") != std::string::npos);
}

TEST_CASE("enrich on two threads or more writes what it writes on one, events and rejects, in the same order",
          "[e2e]") {
  const auto dir = make_temp_dir();
  std::size_t stories = 0;
  const auto tweets = lines_of(tweets_as_stories(stories));
  // The tweets twice over (so the novelty stage finds duplicates, which depend on the order it
  // sees stories in), with a bad line of every kind the reader and decoder refuse between them:
  // the second thread decodes them, and the oversized one reaches it cut short.
  const std::vector<std::string> bad{"{broken", "", R"({"id":"x","headline":7,"published_at":1764338400000})",
                                     R"({"id":"y","headline":")" + std::string(1'100'000, 'z') + "\"}",
                                     "{\"id\":\"u\",\"headline\":\"bad \xC3\x28 byte\",\"published_at\":1764338400000}"};
  {
    std::ofstream in(dir + "/in.jsonl");
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < tweets.size(); ++i) {
        auto story = tweets[i];
        if (pass == 1) story.replace(story.find("tweet-"), 6, "again-");  // another story, the same headline
        in << story << "\n";
        if (i % 997 == 0) in << bad[(i / 997) % bad.size()] << "\n";
      }
    }
  }
  const auto run = [&](const std::string& threads) {
    const auto r = run_wirescan({"enrich", "-t", threads, "-i", dir + "/in.jsonl", "-o", dir + "/out" + threads + ".jsonl",
                                 "-r", dir + "/rej" + threads + ".jsonl"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  run("1");
  const auto one = lines_of(read_file(dir + "/out1.jsonl"));
  REQUIRE(one.size() == 2 * stories);
  const auto rejects = lines_of(read_file(dir + "/rej1.jsonl"));
  CHECK(rejects.size() == 2 * (tweets.size() / 997 + 1));
  // Everything but the timing block, which holds wall-clock times.
  const auto untimed = [](const std::string& e) { return e.substr(0, e.find("\"timing\":")); };
  std::size_t duplicates = 0;
  for (const auto& e : one) duplicates += e.find("\"kind\":\"duplicate\"") != std::string::npos ? 1 : 0;
  CHECK(duplicates >= stories);  // the second pass, at least, repeats the first's headlines
  // Three and four: several preparing threads finish stories out of order among themselves.
  for (const std::string threads : {"2", "3", "4"}) {
    INFO(threads << " threads");
    run(threads);
    const auto many = lines_of(read_file(dir + "/out" + threads + ".jsonl"));
    REQUIRE(many.size() == one.size());
    std::size_t same = 0;
    for (std::size_t i = 0; i < one.size(); ++i) same += untimed(one[i]) == untimed(many[i]) ? 1 : 0;
    CHECK(same == one.size());
    const auto rej = read_file(dir + "/rej" + threads + ".jsonl");
    CHECK(rej == read_file(dir + "/rej1.jsonl"));
    CHECK(rej.find("\"reason\":\"oversized\"") != std::string::npos);
    CHECK(rej.find("\"reason\":\"invalid_utf8\"") != std::string::npos);
  }
}

TEST_CASE("enrich on a stream writes a story's event before the next story arrives", "[e2e]") {
  const std::string threads = GENERATE("1", "2", "3");
  const auto dir = make_temp_dir();
  const std::string fifo = dir + "/stories";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto proc = start_wirescan({"enrich", "-t", threads, "--input", fifo, "--output", dir + "/events.jsonl"});
  std::ofstream feed(fifo);
  // The output file appears once wirescan has its rules, seconds later in a sanitised build.
  const auto events = [&] {
    return std::filesystem::exists(dir + "/events.jsonl") ? lines_of(read_file(dir + "/events.jsonl")).size() : 0;
  };
  const auto wait_for = [&](std::size_t n) {
    for (int i = 0; i < 2400 && events() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return events();
  };
  for (int i = 0; i < 3; ++i) {
    feed << R"({"id":"s)" << i << R"(","headline":"$NVDA story )" << i << R"(","published_at":1764338400000})" << "\n";
    feed.flush();
    INFO("threads " << threads << ", story " << i);
    CHECK(wait_for(static_cast<std::size_t>(i) + 1) == static_cast<std::size_t>(i) + 1);
  }
  feed.close();
  REQUIRE(wait_exit(proc, 30) == 0);
  CHECK(events() == 3);
}

TEST_CASE("enrich's default thread count follows the CPUs the process may use, not the machine's", "[e2e]") {
  const auto dir = make_temp_dir();
  std::size_t n = 0;
  std::ofstream(dir + "/in.jsonl") << tweets_as_stories(n);
  const auto enrich = [&](std::vector<std::string> extra, const std::string& out) {
    std::vector<std::string> args{"enrich", "-i", dir + "/in.jsonl", "-o", dir + "/" + out};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_wirescan(args);
    REQUIRE(r.exit_code == 0);
    return r.err;
  };
  // One CPU in the affinity mask, as a cpuset or `taskset -c 0` gives it: the child inherits
  // this thread's mask. One thread then, unless asked for two.
  cpu_set_t mine;
  REQUIRE(sched_getaffinity(0, sizeof mine, &mine) == 0);
  int cpu = 0;
  while (!CPU_ISSET(cpu, &mine)) ++cpu;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  struct restore {
    cpu_set_t set;
    ~restore() { sched_setaffinity(0, sizeof set, &set); }
  } restored{mine};
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  const auto pinned = enrich({}, "pinned.jsonl");
  const auto asked = enrich({"--threads", "2"}, "asked.jsonl");
  // `run` (through the demo's embedded cluster) decides kafka.prepare_ahead: auto the same way.
  const auto demo =
      run_wirescan({"demo", "--json", "--feed", std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl"});
  REQUIRE(sched_setaffinity(0, sizeof mine, &mine) == 0);
  CHECK(pinned.find("1 thread)") != std::string::npos);
  CHECK(asked.find("2 threads)") != std::string::npos);
  INFO(demo.err);
  CHECK(demo.exit_code == 0);
  CHECK(demo.err.find("everything on one thread (kafka.prepare_ahead: auto); 1 CPU usable (affinity 1") !=
        std::string::npos);
  // Unpinned, the default is what this process may use: as many threads as CPUs, up to five.
  const auto free = enrich({}, "free.jsonl");
  const auto expected = 1 + wirescan::app::read_cpu_limit().preparers();
  CHECK(free.find(expected == 1 ? std::string("1 thread)") : std::to_string(expected) + " threads)") !=
        std::string::npos);
  CHECK(lines_of(read_file(dir + "/pinned.jsonl")).size() == n);
  CHECK(lines_of(read_file(dir + "/asked.jsonl")).size() == n);
}

TEST_CASE("enrich reads stdin and writes stdout by default", "[e2e]") {
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/in.jsonl") << R"({"id":"1","headline":"$TSLA up","published_at":"2025-11-28T10:00:00Z"})" << "\n";
  const auto r = run_wirescan({"enrich"}, dir + "/in.jsonl");
  REQUIRE(r.exit_code == 0);
  CHECK(event_schema_violation(lines_of(r.out).at(0)).empty());
  CHECK(r.out.find("\"symbol\":\"TSLA\"") != std::string::npos);
}

TEST_CASE("explain says what became of each phrase, for headlines given or stories read", "[e2e]") {
  const auto given = run_wirescan({"explain", "China rules out tariffs on US goods", "Apple shares rise"});
  REQUIRE(given.exit_code == 0);
  CHECK(lines_of(given.out) ==
        std::vector<std::string>{"1: China rules out tariffs on US goods",
                                 R"(  negated     tariff/tightening headline 16-23 "tariffs", cue "rules out")",
                                 "  shocks: none | mentions: none | policy likelihood 0.208", "2: Apple shares rise",
                                 "  no trigger phrase in the headline or the lede",
                                 "  shocks: none | mentions: AAPL | policy likelihood 0.011"});
  // Stories from stdin, with a line that is not one: said in its place, and the exit is 1.
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/in.jsonl")
      << R"({"id":"s1","headline":"Acme shares fall","body":"The SEC fined Acme on Monday.","published_at":"2026-12-05T00:00:00Z"})"
      << "\n{not json\n";
  const auto read = run_wirescan({"explain"}, dir + "/in.jsonl");
  CHECK(read.exit_code == 1);
  const auto lines = lines_of(read.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "s1: Acme shares fall");
  CHECK(lines[1] == R"(  shock       regulatory_action/tightening body 8-13 "fined", actor "SEC")");
  CHECK(lines[2] == "  shocks: regulatory_action/tightening/enacted US,SEC | mentions: none | policy likelihood 0.002");
  CHECK(lines[3].rfind("line 2: not a story: ", 0) == 0);
}

TEST_CASE("the bundled sample feed enriches without a reject", "[e2e]") {
  const auto dir = make_temp_dir();
  const auto r = run_wirescan({"enrich", "-i", std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl", "-o",
                               dir + "/out.jsonl", "-r", dir + "/rej.jsonl"});
  REQUIRE(r.exit_code == 0);
  const auto events = lines_of(read_file(dir + "/out.jsonl"));
  CHECK(events.size() >= 30);
  CHECK(read_file(dir + "/rej.jsonl").empty());
  bool h200 = false;
  for (const auto& e : events) {
    REQUIRE(event_schema_violation(e).empty());
    if (e.find("H200") != std::string::npos && e.find("\"symbol\":\"SOL\"") != std::string::npos) h200 = true;
  }
  CHECK(h200);
}

TEST_CASE("usage and config errors exit 2 with a clear message", "[e2e]") {
  CHECK(run_wirescan({"enrich", "--frobnicate"}).exit_code == 2);
  CHECK(run_wirescan({}).exit_code == 2);
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/bad.yaml") << "ingest:\n  preset: nope\n  max_depth: 0\n";
  const auto r = run_wirescan({"validate", "--config", dir + "/bad.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown preset 'nope'") != std::string::npos);
  CHECK(r.err.find("ingest.max_depth") != std::string::npos);
  const auto missing = run_wirescan({"enrich", "--config", dir + "/absent.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read file") != std::string::npos);
}

TEST_CASE("an unreadable input exits 1 and says why", "[e2e]") {
  const auto r = run_wirescan({"enrich", "--input", "/nonexistent/stories.jsonl"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot open /nonexistent/stories.jsonl") != std::string::npos);
}

TEST_CASE("demo runs the Kafka service path on an embedded cluster with no broker installed", "[e2e]") {
  const auto r = run_wirescan({"demo", "--json", "--feed", std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto events = lines_of(r.out);
  REQUIRE(events.size() == lines_of(read_file(std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl")).size());
  for (const auto& e : events) REQUIRE(event_schema_violation(e).empty());
  CHECK(r.err.find("32 events, 0 dead letters") != std::string::npos);
}

TEST_CASE("run with several preparing threads publishes what it publishes on one", "[e2e]") {
  const auto dir = make_temp_dir();
  const auto demo = [&](const std::string& kafka) {
    std::ofstream(dir + "/c.yaml") << "kafka: {" << kafka << "}\n";
    const auto r = run_wirescan({"demo", "--json", "-c", dir + "/c.yaml", "--feed",
                                 std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The story, its shocks, mentions and score: the novelty verdict and the timing depend on
    // the order the demo's partitions are read in, which is not fixed from run to run.
    std::vector<std::string> events;
    for (const auto& e : lines_of(r.out)) events.push_back(e.substr(0, e.find("\"novelty\":")));
    std::sort(events.begin(), events.end());
    return std::pair{events, r.err};
  };
  const auto [one, one_log] = demo("prepare_ahead: 0");
  const auto [four, four_log] = demo("prepare_threads: 3");
  CHECK(one_log.find("everything on one thread (kafka.prepare_ahead: 0)") != std::string::npos);
  CHECK(four_log.find("3 more threads decode and enrich up to 64 stories ahead (kafka.prepare_threads: 3)") !=
        std::string::npos);
  REQUIRE(one.size() == lines_of(read_file(std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl")).size());
  CHECK(four == one);
}

TEST_CASE("the documented example config validates", "[e2e]") {
  const auto r = run_wirescan({"validate", "--config", std::string(WIRESCAN_SOURCE_DIR) + "/config/example.yaml", "--print"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("dead_letter_topic: news.dead-letter") != std::string::npos);
}

namespace {

std::string copy_rules(const std::string& dir) {
  const std::string rules = dir + "/rules";
  std::filesystem::create_directories(rules);
  for (const char* f : {"policy.yaml", "aliases.yaml", "symbols.tsv", "novelty.yaml", "novelty-vocabulary.txt"}) {
    std::filesystem::copy_file(std::string(WIRESCAN_SOURCE_DIR) + "/rules/" + f, rules + "/" + f);
  }
  return rules;
}

}  // namespace

TEST_CASE("SIGHUP reloads rules between stories under load; a broken rule set is refused and nothing is lost",
          "[e2e][reload]") {
  const auto dir = make_temp_dir();
  const auto rules = copy_rules(dir);
  std::ofstream(dir + "/wirescan.yaml") << "log_level: debug\nenrich: {rules_dir: " << rules << "}\n";
  const std::string fifo = dir + "/stories";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto proc = start_wirescan({"enrich", "--config", dir + "/wirescan.yaml", "--input", fifo, "--output",
                              dir + "/events.jsonl"});
  std::ofstream feed(fifo);
  const auto story = [](int i) {
    return R"({"id":"s)" + std::to_string(i) + R"(","headline":"US slaps zorblax levies on widgets","published_at":"2025-11-28T10:00:00Z"})";
  };
  int i = 0;
  for (; i < 300; ++i) feed << story(i) << "\n";
  feed.flush();
  // The first rule set must be loaded before the files change (a slow build opens the input first).
  REQUIRE(wait_for_log(proc, "rules [0-9a-f]+ loaded from", 60));
  // A new rule set: "zorblax levies" becomes a tariff trigger.
  {
    std::ifstream in(rules + "/policy.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string anchor = "  tariff:\n    - {direction: tightening, phrases: [";
    REQUIRE(text.find(anchor) != std::string::npos);
    text.insert(text.find(anchor) + anchor.size(), "\"zorblax levies\", ");
    std::ofstream(rules + "/policy.yaml.new") << text;
    std::filesystem::rename(rules + "/policy.yaml.new", rules + "/policy.yaml");
  }
  ::kill(proc.pid, SIGHUP);
  for (; i < 600; ++i) {
    feed << story(i) << "\n";
    if (i % 50 == 0) feed.flush(), std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  feed.flush();
  // The reload reads the files when it runs: wait for it before breaking them (a slow,
  // sanitised build can take seconds to compile the new set).
  REQUIRE(wait_for_log(proc, "rules reloaded", 60));
  // A broken rule set: refused, the previous one stays.
  std::ofstream(rules + "/policy.yaml", std::ios::app) << "\ntriggers_typo: [\n";
  ::kill(proc.pid, SIGHUP);
  for (; i < 900; ++i) feed << story(i) << "\n";
  feed.close();
  REQUIRE(wait_exit(proc, 30) == 0);
  const auto log = read_file(proc.log_path);
  INFO(log);
  const auto events = lines_of(read_file(dir + "/events.jsonl"));
  REQUIRE(events.size() == 900);  // nothing lost
  std::vector<std::string> versions;
  std::size_t tariffs_after = 0;
  for (std::size_t k = 0; k < events.size(); ++k) {
    rapidjson::Document d;
    d.Parse(events[k].c_str());
    REQUIRE(std::string(d["story"]["id"].GetString()) == "s" + std::to_string(k));  // in order
    const std::string v = d["rules_version"].GetString();
    if (versions.empty() || versions.back() != v) versions.push_back(v);
    if (k >= 600) tariffs_after += d["policy_shocks"].Size() == 1;
  }
  // At most one switch, old -> new, never back and never a third version. (A slow, sanitised
  // build may not have reached story 0 when SIGHUP arrives; then every story gets the new set.)
  REQUIRE((versions.size() == 1 || versions.size() == 2));
  CHECK(tariffs_after == 300);  // the refused set did not replace the working one
  CHECK(log.find("rules reloaded") != std::string::npos);
  CHECK(log.find("rules reload refused") != std::string::npos);
}

TEST_CASE("validate reports every problem in the rule files at once", "[e2e]") {
  const auto dir = make_temp_dir();
  const auto rules = copy_rules(dir);
  std::ofstream(rules + "/policy.yaml", std::ios::trunc)
      << "actors:\n  - {code: US, phrases: [America], colour: red}\n"
      << "triggers:\n  tariff:\n    - {direction: tightening, phrases: [\"tariff(s\", \"duties\"]}\n"
      << "    - {direction: sideways, phrases: [levy]}\n  weather: []\n";
  std::filesystem::remove(rules + "/aliases.yaml");
  std::ofstream(dir + "/wirescan.yaml") << "enrich: {rules_dir: " << rules << "}\n";
  const auto r = run_wirescan({"validate", "--config", dir + "/wirescan.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown key 'colour'") != std::string::npos);
  CHECK(r.err.find("direction must be tightening, easing or by_numbers") != std::string::npos);
  CHECK(r.err.find("triggers.weather: not a taxonomy category") != std::string::npos);
  CHECK(r.err.find("aliases.yaml: cannot read") != std::string::npos);
}

TEST_CASE("validate accepts a small consumer prefetch but says what it costs", "[e2e]") {
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/wirescan.yaml") << "kafka:\n  consumer: {queued.max.messages.kbytes: '2048'}\n";
  const auto r = run_wirescan({"validate", "--config", dir + "/wirescan.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("advice: kafka.consumer.queued.max.messages.kbytes: 2048 KiB is less than a second of input") !=
        std::string::npos);
  const auto plain = run_wirescan({"validate", "--config", std::string(WIRESCAN_SOURCE_DIR) + "/config/example.yaml"});
  CHECK(plain.exit_code == 0);
  CHECK(plain.err.find("advice") == std::string::npos);
}

TEST_CASE("validate names the policy-likelihood model, and enrich.policy_likelihood turns it off", "[e2e]") {
  const auto dir = make_temp_dir();
  const auto shipped = run_wirescan({"validate", "--config", std::string(WIRESCAN_SOURCE_DIR) + "/config/example.yaml"});
  INFO(shipped.err);
  CHECK(shipped.exit_code == 0);
  CHECK(shipped.err.find(", a policy-likelihood model of 3000 features (version ") != std::string::npos);

  std::ofstream(dir + "/off.yaml") << "enrich: {rules_dir: " << WIRESCAN_SOURCE_DIR << "/rules, policy_likelihood: false}\n";
  const auto off = run_wirescan({"validate", "--config", dir + "/off.yaml"});
  INFO(off.err);
  CHECK(off.exit_code == 0);
  CHECK(off.err.find("a policy-likelihood model of 3000 features, off (enrich.policy_likelihood)") != std::string::npos);

  // The same story, with the model and without: only the field differs.
  std::ofstream(dir + "/in.jsonl")
      << R"({"id":"s1","headline":"Fed raises rates by 75 bps","published_at":"2026-12-05T00:00:00Z"})" << "\n";
  const auto with = run_wirescan({"enrich", "--input", dir + "/in.jsonl"});
  const auto without = run_wirescan({"enrich", "--config", dir + "/off.yaml", "--input", dir + "/in.jsonl"});
  REQUIRE(with.exit_code == 0);
  REQUIRE(without.exit_code == 0);
  CHECK(with.out.find(R"("policy_likelihood":)") != std::string::npos);
  CHECK(without.out.find("policy_likelihood") == std::string::npos);
  CHECK(without.out.find(R"("category":"monetary_policy")") != std::string::npos);

  const auto rules = copy_rules(dir);  // the five rule files, no model
  std::ofstream(dir + "/none.yaml") << "enrich: {rules_dir: " << rules << "}\n";
  const auto none = run_wirescan({"validate", "--config", dir + "/none.yaml"});
  INFO(none.err);
  CHECK(none.err.find(", no policy-likelihood model (version ") != std::string::npos);

  std::ofstream(dir + "/bad.yaml") << "enrich: {likelihood_threshold: 1.5}\n";
  const auto bad = run_wirescan({"validate", "--config", dir + "/bad.yaml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("enrich.likelihood_threshold: must be in (0, 1]") != std::string::npos);
}

TEST_CASE("validate reports a broken novelty vocabulary", "[e2e]") {
  const auto dir = make_temp_dir();
  const auto rules = copy_rules(dir);
  std::ofstream(rules + "/novelty.yaml", std::ios::trunc) << "synonyms: [[lonely]]\nstopwrods: [the]\n";
  std::ofstream(dir + "/wirescan.yaml") << "enrich: {rules_dir: " << rules << "}\n";
  const auto r = run_wirescan({"validate", "--config", dir + "/wirescan.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("a group needs at least two words") != std::string::npos);
  CHECK(r.err.find("unknown key 'stopwrods'") != std::string::npos);
}

TEST_CASE("validate reports a pattern that does not compile, naming its rule", "[e2e]") {
  const auto dir = make_temp_dir();
  const auto rules = copy_rules(dir);
  std::ofstream(rules + "/policy.yaml", std::ios::trunc)
      << "actors:\n  - {code: US, phrases: [America]}\n"
      << "triggers:\n  tariff:\n    - {direction: tightening, phrases: [\"tariff(s\", \"duties\", \"levy[\"]}\n";
  std::ofstream(dir + "/wirescan.yaml") << "enrich: {rules_dir: " << rules << "}\n";
  const auto r = run_wirescan({"validate", "--config", dir + "/wirescan.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("triggers.tariff[0]: 'tariff(s'") != std::string::npos);
  CHECK(r.err.find("triggers.tariff[0]: 'levy['") != std::string::npos);
}

TEST_CASE("with basic auth configured, /metrics needs the credentials and the probes stay open", "[e2e]") {
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/wirescan.yaml") << "http:\n  listen: 127.0.0.1:0\n  basic_auth: {username: scraper, password: s3cret-Pass}\n";
  auto proc = start_wirescan({"demo", "--json", "--keep-running", "--config", dir + "/wirescan.yaml", "--feed",
                              std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl"});
  const int port = http_port(proc);
  REQUIRE(port > 0);
  const auto base = "http://127.0.0.1:" + std::to_string(port);
  {
    const std::string out = dir + "/c1";
    (void)std::system(("curl -s -o /dev/null -w '%{http_code}' " + base + "/metrics > " + out).c_str());
    CHECK(read_file(out) == "401");
    (void)std::system(("curl -s -o /dev/null -w '%{http_code}' -u scraper:wrong " + base + "/metrics > " + out).c_str());
    CHECK(read_file(out) == "401");
    (void)std::system(("curl -s -o /dev/null -w '%{http_code}' -u scraper:s3cret-Pass " + base + "/metrics > " + out).c_str());
    CHECK(read_file(out) == "200");
    (void)std::system(("curl -s -o /dev/null -w '%{http_code}' " + base + "/healthz > " + out).c_str());
    CHECK(read_file(out) == "200");
    // The header by hand: the scheme's name in any case (RFC 7617), and the credentials exactly.
    const auto with_header = [&](const std::string& header) {
      (void)std::system(("curl -s -o /dev/null -w '%{http_code}' -H \"Authorization: " + header + "\" " + base +
                         "/metrics > " + out)
                            .c_str());
      return read_file(out);
    };
    const std::string right = "c2NyYXBlcjpzM2NyZXQtUGFzcw==";  // base64 of "scraper:s3cret-Pass"
    CHECK(with_header("Basic " + right) == "200");
    CHECK(with_header("basic " + right) == "200");
    CHECK(with_header("BASIC " + right) == "200");
    CHECK(with_header("Basic " + right.substr(0, right.size() - 2)) == "401");  // a prefix
    CHECK(with_header("Basic " + right + "AA") == "401");                      // and more
    CHECK(with_header("Bearer " + right) == "401");
    CHECK(with_header("Basic") == "401");
  }
  ::kill(proc.pid, SIGINT);
  CHECK(wait_exit(proc, 30) == 0);
  CHECK(read_file(proc.log_path).find("s3cret-Pass") == std::string::npos);  // never logged
}

TEST_CASE("the README's sample event is what enrich writes for that story, but for rules_version and timing",
          "[e2e]") {
  // The README's first example is what a new user reads first; it had drifted (duplicate
  // evidence, no novelty block) while every test passed.
  const std::string readme = read_file(std::string(WIRESCAN_SOURCE_DIR) + "/README.md");
  const std::string intro = "and the event `wirescan enrich` writes for it (one line; formatted here):\n\n```json\n";
  const auto from = readme.find(intro);
  REQUIRE(from != std::string::npos);
  const auto start = from + intro.size();
  const auto end = readme.find("\n```", start);
  REQUIRE(end != std::string::npos);
  rapidjson::Document shown;
  shown.Parse(readme.data() + start, end - start);
  REQUIRE_FALSE(shown.HasParseError());
  REQUIRE(shown.HasMember("story"));
  const std::string id = shown["story"]["id"].GetString();

  const auto dir = make_temp_dir();
  std::string line;
  for (const auto& l : lines_of(read_file(std::string(WIRESCAN_SOURCE_DIR) + "/data/sample-feed.jsonl"))) {
    if (l.find("\"" + id + "\"") != std::string::npos) line = l;
  }
  REQUIRE_FALSE(line.empty());
  std::ofstream(dir + "/in.jsonl") << line << '\n';
  const auto r = run_wirescan({"enrich", "-i", dir + "/in.jsonl", "-o", dir + "/out.jsonl"});
  REQUIRE(r.exit_code == 0);
  rapidjson::Document written;
  written.Parse(read_file(dir + "/out.jsonl").c_str());
  REQUIRE_FALSE(written.HasParseError());

  const auto text = [](const rapidjson::Value& v) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    v.Accept(w);
    return std::string(b.GetString());
  };
  std::vector<std::string> shown_keys, written_keys;
  for (const auto& m : shown.GetObject()) shown_keys.emplace_back(m.name.GetString());
  for (const auto& m : written.GetObject()) written_keys.emplace_back(m.name.GetString());
  CHECK(shown_keys == written_keys);
  for (const auto& m : written.GetObject()) {
    const std::string key = m.name.GetString();
    if (key == "rules_version" || key == "timing" || !shown.HasMember(key.c_str())) continue;
    INFO(key);
    CHECK(text(shown[key.c_str()]) == text(m.value));
  }
  CHECK(text(shown["timing"]["published_at"]) == text(written["timing"]["published_at"]));
}
