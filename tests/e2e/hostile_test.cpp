// The hostile-input corpus (tests/data/hostile/cases.tsv) through `wirescan enrich`, and the
// enrich-mode faults: every line comes out as an event or a reject with the expected reason,
// and a full disk is an error, never a silent loss.
#include <fstream>
#include <map>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <rapidjson/document.h>

#include "hostile.hpp"
#include "process.hpp"
#include "schema.hpp"

using namespace wirescan::test;

TEST_CASE("every hostile input comes out of enrich as an event or a reject with its expected reason", "[e2e]") {
  const auto cases = load_hostile_cases();
  REQUIRE(cases.size() >= 60);
  const auto dir = make_temp_dir();
  std::vector<const hostile_case*> lines;
  {
    std::ofstream in(dir + "/in.jsonl", std::ios::binary);
    for (const auto& c : cases) {
      if (c.kafka_only) continue;
      in << c.bytes << '\n';
      lines.push_back(&c);
    }
  }
  const auto r = run_wirescan({"enrich", "-i", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "-r", dir + "/rej.jsonl"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  std::map<std::string, std::string> outcome;  // case name -> "event" or reason
  std::ifstream out(dir + "/out.jsonl", std::ios::binary);
  std::size_t events = 0;
  for (std::string line; std::getline(out, line); ++events) {
    INFO(line.substr(0, 300));
    REQUIRE(event_schema_violation(line).empty());
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    outcome[d["story"]["id"].GetString()] = "event";
  }
  std::ifstream rej(dir + "/rej.jsonl", std::ios::binary);
  std::size_t rejects = 0;
  for (std::string line; std::getline(rej, line); ++rejects) {
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    REQUIRE_FALSE(d.HasParseError());
    const auto n = static_cast<std::size_t>(d["line"].GetUint64());
    REQUIRE((n >= 1 && n <= lines.size()));
    outcome[lines[n - 1]->name] = d["reason"].GetString();
  }
  CHECK(events + rejects == lines.size());  // every line accounted for, none twice
  for (const auto* c : lines) {
    INFO(c->name);
    CHECK(outcome[c->name] == c->expect);
  }
}

TEST_CASE("enrich on a full disk exits non-zero naming the file, for the events and for the rejects", "[e2e]") {
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/in.jsonl") << R"({"id":"a","headline":"US bans chip exports","published_at":"2026-11-28T10:00:00Z"})"
                                   << "\nnot json\n";
  const auto full_out = run_wirescan({"enrich", "-i", dir + "/in.jsonl", "-o", "/dev/full", "-r", dir + "/rej.jsonl"});
  CHECK(full_out.exit_code == 1);
  CHECK(full_out.err.find("cannot write /dev/full: No space left on device") != std::string::npos);
  const auto full_rej = run_wirescan({"enrich", "-i", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "-r", "/dev/full"});
  CHECK(full_rej.exit_code == 1);
  CHECK(full_rej.err.find("cannot write /dev/full: No space left on device") != std::string::npos);
}
