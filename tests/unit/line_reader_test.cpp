#include <cstdio>
#include <string>

#include <catch2/catch_test_macros.hpp>

#include "wirescan/ingest/line_reader.hpp"

using wirescan::ingest::line_reader;

namespace {

std::FILE* file_with(const std::string& content) {
  std::FILE* f = std::tmpfile();
  std::fwrite(content.data(), 1, content.size(), f);
  std::rewind(f);
  return f;
}

}  // namespace

TEST_CASE("splits lines, keeps empty ones and a final line without newline", "[line_reader]") {
  std::FILE* f = file_with("a\n\nb\r\nlast");
  line_reader r(f, 100);
  CHECK(r.next()->bytes == "a");
  CHECK(r.next()->bytes.empty());
  CHECK(r.next()->bytes == "b\r");
  const auto last = r.next();
  CHECK(last->bytes == "last");
  CHECK(last->number == 4);
  CHECK_FALSE(r.next().has_value());
  std::fclose(f);
}

TEST_CASE("keeps only the cap of an overlong line but reports its full size", "[line_reader]") {
  const std::string big(200'000, 'x');
  std::FILE* f = file_with(big + "\nnext\n");
  line_reader r(f, 1000);
  const auto l = r.next();
  CHECK(l->bytes.size() == 1000);
  CHECK(l->full_size == 200'000);
  CHECK(r.next()->bytes == "next");
  CHECK_FALSE(r.next().has_value());
  std::fclose(f);
}
