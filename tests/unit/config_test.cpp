#include <fstream>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "config.hpp"
#include "process.hpp"

using wirescan::app::config_error;
using wirescan::app::load_config;

namespace {

std::string write_config(const std::string& yaml) {
  const std::string path = wirescan::test::make_temp_dir() + "/wirescan.yaml";
  std::ofstream(path) << yaml;
  return path;
}

}  // namespace

TEST_CASE("defaults apply when no config is given", "[config]") {
  const auto c = load_config("");
  CHECK(c.decode.max_story_bytes == 1U << 20);
  CHECK(c.decode.mapping.pointer(wirescan::ingest::field::headline) == "/headline");
}

TEST_CASE("reports every problem in a config at once", "[config]") {
  const auto path = write_config(R"(
log_level: loud
ingest:
  preset: nope
  max_story_bytes: -1
  fields: {headline: "no-slash", colour: /c}
  required: [id, headline, wings]
outptu: {}
)");
  try {
    (void)load_config(path);
    FAIL("config was accepted");
  } catch (const config_error& e) {
    const std::string all = e.what();
    INFO(all);
    CHECK(e.problems.size() >= 6);
    CHECK(all.find("log_level") != std::string::npos);
    CHECK(all.find("unknown preset 'nope'") != std::string::npos);
    CHECK(all.find("max_story_bytes") != std::string::npos);
    CHECK(all.find("'no-slash' is not a JSON pointer") != std::string::npos);
    CHECK(all.find("ingest.fields.colour: unknown field") != std::string::npos);
    CHECK(all.find("unknown field 'wings'") != std::string::npos);
    CHECK(all.find("outptu: unknown key") != std::string::npos);
  }
}

TEST_CASE("a preset with field overrides maps the overridden field only", "[config]") {
  const auto c = load_config(write_config("ingest:\n  preset: benzinga\n  fields: {body: /data/content/teaser}\n"));
  CHECK(c.decode.mapping.pointer(wirescan::ingest::field::body) == "/data/content/teaser");
  CHECK(c.decode.mapping.pointer(wirescan::ingest::field::headline) == "/data/content/title");
}

TEST_CASE("interpolates ${VAR} and ${VAR:-default} and reports unset variables", "[config]") {
  ::setenv("WIRESCAN_TEST_BROKERS", "kafka-1:9093", 1);
  ::unsetenv("WIRESCAN_TEST_UNSET");
  const auto c = load_config(write_config("kafka:\n  brokers: ${WIRESCAN_TEST_BROKERS}\n"
                                          "  group_id: ${WIRESCAN_TEST_UNSET:-wirescan-eu}\n"
                                          "  drain_timeout_ms: ${WIRESCAN_TEST_UNSET:-2500}\n"));
  CHECK(c.kafka.brokers == "kafka-1:9093");
  CHECK(c.kafka.group_id == "wirescan-eu");
  CHECK(c.kafka.drain_timeout_ms == 2500);
  CHECK_THROWS_WITH(load_config(write_config("kafka:\n  brokers: ${WIRESCAN_TEST_UNSET}\n")),
                    Catch::Matchers::ContainsSubstring("WIRESCAN_TEST_UNSET is not set"));
}

TEST_CASE("a pass-through property that a typed option owns is an error", "[config]") {
  CHECK_THROWS_WITH(load_config(write_config("kafka:\n  consumer: {group.id: other}\n  producer: {bootstrap.servers: x}\n")),
                    Catch::Matchers::ContainsSubstring("kafka.consumer.group.id: set by a typed option") &&
                        Catch::Matchers::ContainsSubstring("kafka.producer.bootstrap.servers: set by a typed option"));
}

TEST_CASE("the consumer's auto-commit is kafka.delivery's to set, not a pass-through property", "[config]") {
  // Off, the offsets of delivered stories would reach the group only at a clean stop.
  for (const char* v : {"false", "true"}) {
    INFO(v);
    CHECK_THROWS_WITH(load_config(write_config(std::string("kafka:\n  consumer: {enable.auto.commit: '") + v + "'}\n")),
                      Catch::Matchers::ContainsSubstring("kafka.consumer.enable.auto.commit: set by kafka.delivery"));
  }
  CHECK(load_config(write_config("kafka:\n  consumer: {auto.commit.interval.ms: '500'}\n"))
            .kafka.consumer.at("auto.commit.interval.ms") == "500");
}

TEST_CASE("producer settings that weaken what delivered means are advised against", "[config]") {
  using wirescan::app::config_advice;
  const auto advice_for = [](const std::string& producer) {
    return config_advice(load_config(write_config("kafka:\n  producer: {" + producer + "}\n")));
  };
  CHECK(advice_for("acks: all, enable.idempotence: 'true'").empty());
  CHECK(advice_for("request.required.acks: '-1'").empty());
  CHECK(advice_for("enable.idempotence: T").empty());

  auto a = advice_for("acks: '1', enable.idempotence: 'false'");
  REQUIRE(a.size() == 2);
  CHECK_THAT(a[0], Catch::Matchers::StartsWith("kafka.producer.acks: 1 counts an event delivered once the partition "
                                               "leader has it"));
  CHECK_THAT(a[0], Catch::Matchers::EndsWith("keep acks=all (the default) for at-least-once delivery"));
  CHECK_THAT(a[1], Catch::Matchers::StartsWith("kafka.producer.enable.idempotence: false lets a retried produce"));

  a = advice_for("request.required.acks: '0', enable.idempotence: F");
  REQUIRE(a.size() == 2);
  CHECK_THAT(a[0], Catch::Matchers::ContainsSubstring("acks: 0 counts an event delivered as soon as it is sent"));
  CHECK(advice_for("enable.idempotence: '0'").size() == 1);
}

TEST_CASE("secrets never appear in the printed config", "[config]") {
  const auto c = load_config(write_config(
      "kafka:\n  consumer:\n    security.protocol: SASL_SSL\n    sasl.mechanism: SCRAM-SHA-512\n"
      "    sasl.username: desk\n    sasl.password: hunter2-secret\n  producer:\n    ssl.key.password: pem-pass\n"
      "    ssl.key.location: /etc/wirescan/key.pem\n"));
  const auto printed = wirescan::app::print_config(c);
  CHECK(printed.find("hunter2-secret") == std::string::npos);
  CHECK(printed.find("pem-pass") == std::string::npos);
  CHECK(printed.find("sasl.password: \"[redacted]\"") != std::string::npos);
  CHECK(printed.find("/etc/wirescan/key.pem") != std::string::npos);  // a path is not a secret
  CHECK(printed.find("desk") != std::string::npos);
}

TEST_CASE("reading its own output topic is refused", "[config]") {
  CHECK_THROWS_WITH(load_config(write_config("kafka:\n  input_topics: [a]\n  output_topic: a\n")),
                    Catch::Matchers::ContainsSubstring("would read its own events"));
}

TEST_CASE("a config of the wrong shape is a config error, never a crash (found by the config fuzzer)", "[config]") {
  using wirescan::app::config_error;
  using wirescan::app::parse_config;
  // The fuzzer's first finding: a scalar root made yaml-cpp throw BadSubscript past the readers.
  CHECK_THROWS_AS(parse_config("just some text", "x.yaml"), config_error);
  CHECK_THROWS_AS(parse_config("- a\n- b\n", "x.yaml"), config_error);
  CHECK_THROWS_AS(parse_config("enrich: [1, 2]\n", "x.yaml"), config_error);
  CHECK_THROWS_AS(parse_config("enrich:\n  source_weights:\n    [a]: 1\n", "x.yaml"), config_error);
  CHECK_THROWS_AS(parse_config("kafka:\n  consumer: 5\n", "x.yaml"), config_error);
  CHECK_NOTHROW(parse_config("log_level: debug\n", "x.yaml"));
}

TEST_CASE("kafka.prepare_ahead takes auto (the default), 0 (one thread) to 4096, and nothing else", "[config]") {
  CHECK_FALSE(load_config("").kafka.prepare_ahead.has_value());
  CHECK_FALSE(load_config(write_config("kafka:\n  prepare_ahead: auto\n")).kafka.prepare_ahead.has_value());
  CHECK(load_config(write_config("kafka:\n  prepare_ahead: 0\n")).kafka.prepare_ahead == 0u);
  CHECK(load_config(write_config("kafka:\n  prepare_ahead: 4096\n")).kafka.prepare_ahead == 4096u);
  for (const char* bad : {"4097", "-1", "lots", "[1]"}) {
    INFO(bad);
    CHECK_THROWS_WITH(load_config(write_config(std::string("kafka:\n  prepare_ahead: ") + bad + "\n")),
                      Catch::Matchers::ContainsSubstring("kafka.prepare_ahead"));
  }
}

TEST_CASE("kafka.stall_timeout_ms is 15 s by default, 0 turns the stall check off, and it is bounded", "[config]") {
  CHECK(load_config("").kafka.stall_timeout_ms == 15000);
  CHECK(load_config(write_config("kafka:\n  stall_timeout_ms: 0\n")).kafka.stall_timeout_ms == 0);
  CHECK(load_config(write_config("kafka:\n  stall_timeout_ms: 3600000\n")).kafka.stall_timeout_ms == 3600000);
  for (const char* bad : {"-1", "3600001", "soon"}) {
    INFO(bad);
    CHECK_THROWS_WITH(load_config(write_config(std::string("kafka:\n  stall_timeout_ms: ") + bad + "\n")),
                      Catch::Matchers::ContainsSubstring("kafka.stall_timeout_ms"));
  }
}

TEST_CASE("kafka.prepare_threads takes auto (the default), 1 to 64, and nothing else", "[config]") {
  CHECK_FALSE(load_config("").kafka.prepare_threads.has_value());
  CHECK_FALSE(load_config(write_config("kafka:\n  prepare_threads: auto\n")).kafka.prepare_threads.has_value());
  CHECK(load_config(write_config("kafka:\n  prepare_threads: 1\n")).kafka.prepare_threads == 1u);
  CHECK(load_config(write_config("kafka:\n  prepare_threads: 64\n")).kafka.prepare_threads == 64u);
  // What `validate --print` writes loads again as it was.
  auto c = load_config("");
  CHECK(load_config(write_config(wirescan::app::print_config(c))).kafka.prepare_threads == std::nullopt);
  c.kafka.prepare_threads = 3;
  CHECK(load_config(write_config(wirescan::app::print_config(c))).kafka.prepare_threads == 3u);
  for (const char* bad : {"0", "65", "-1", "many", "[2]"}) {
    INFO(bad);
    CHECK_THROWS_WITH(load_config(write_config(std::string("kafka:\n  prepare_threads: ") + bad + "\n")),
                      Catch::Matchers::ContainsSubstring("kafka.prepare_threads"));
  }
}

TEST_CASE("a consumer prefetch smaller than a second of input is advised against, naming what to keep", "[config]") {
  using wirescan::app::config_advice;
  CHECK(config_advice(load_config("")).empty());
  // The librdkafka defaults, and anything at or above the thresholds, say nothing.
  CHECK(config_advice(load_config(write_config(
                          "kafka:\n  consumer: {queued.max.messages.kbytes: '65536', queued.min.messages: '100000'}\n")))
            .empty());
  CHECK(config_advice(load_config(write_config(
                          "kafka:\n  consumer: {queued.max.messages.kbytes: '32768', queued.min.messages: '20000'}\n")))
            .empty());
  const auto advice = config_advice(load_config(
      write_config("kafka:\n  consumer: {queued.max.messages.kbytes: '2048', queued.min.messages: '1000'}\n")));
  REQUIRE(advice.size() == 2);
  CHECK_THAT(advice[0], Catch::Matchers::StartsWith("kafka.consumer.queued.max.messages.kbytes: 2048 KiB is less "
                                                    "than a second of input"));
  CHECK_THAT(advice[0], Catch::Matchers::ContainsSubstring("#2879"));
  CHECK_THAT(advice[0], Catch::Matchers::EndsWith("(32768 or more)"));
  CHECK_THAT(advice[1], Catch::Matchers::StartsWith("kafka.consumer.queued.min.messages: 1000 stories per partition "
                                                    "is less than a second of input"));
  CHECK_THAT(advice[1], Catch::Matchers::EndsWith("(20000 or more)"));
  // A value librdkafka will refuse is its problem to report, at start, not advice here.
  CHECK(config_advice(load_config(write_config("kafka:\n  consumer: {queued.min.messages: 'lots'}\n"))).empty());
}
