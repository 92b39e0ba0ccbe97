#include <cstdio>
#include <string>

#include <unistd.h>

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

TEST_CASE("would_wait: only on a pipe with no whole line buffered and nothing to read yet", "[line_reader]") {
  SECTION("a regular file never waits") {
    std::FILE* f = file_with("a\nb");
    line_reader r(f, 100);
    CHECK_FALSE(r.would_wait());
    CHECK(r.next()->bytes == "a");
    CHECK_FALSE(r.would_wait());
    CHECK(r.next()->bytes == "b");
    CHECK_FALSE(r.would_wait());
    CHECK_FALSE(r.next().has_value());
    std::fclose(f);
  }
  SECTION("a pipe") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::FILE* f = ::fdopen(fds[0], "rb");
    REQUIRE(f != nullptr);
    line_reader r(f, 100);
    const auto send = [&](const std::string& s) {
      REQUIRE(::write(fds[1], s.data(), s.size()) == static_cast<ssize_t>(s.size()));
    };
    CHECK(r.would_wait());  // nothing written yet
    send("one\ntwo\nthr");
    CHECK_FALSE(r.would_wait());  // bytes to read
    CHECK(r.next()->bytes == "one");
    CHECK_FALSE(r.would_wait());  // "two" is buffered whole
    CHECK(r.next()->bytes == "two");
    CHECK(r.would_wait());  // only "thr" of a line, and nothing more to read
    send("ee\n");
    CHECK_FALSE(r.would_wait());
    CHECK(r.next()->bytes == "three");
    CHECK(r.would_wait());
    ::close(fds[1]);
    CHECK_FALSE(r.would_wait());  // the end is there to read
    CHECK_FALSE(r.next().has_value());
    CHECK_FALSE(r.would_wait());
    std::fclose(f);
  }
}
