#include <fstream>
#include <string>

#include <catch2/catch_test_macros.hpp>

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
