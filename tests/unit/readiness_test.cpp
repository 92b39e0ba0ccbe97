// The HTTP endpoints: /readyz and wirescan_unready_reason{reason} say the same reasons, for every
// combination of them (one list, obs::unready_reasons), and the server stops at once.

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "http_server.hpp"
#include "process.hpp"
#include "schema.hpp"
#include "wirescan/obs/health.hpp"
#include "wirescan/obs/metrics.hpp"

namespace {

// Status and body of GET http://127.0.0.1:port/path, via curl.
std::pair<int, std::string> get(int port, const std::string& path) {
  const std::string dir = wirescan::test::make_temp_dir();
  const std::string cmd = "curl -s -o " + dir + "/body -w '%{http_code}' http://127.0.0.1:" + std::to_string(port) +
                          path + " > " + dir + "/code";
  (void)std::system(cmd.c_str());
  return {std::stoi("0" + wirescan::test::read_file(dir + "/code")), wirescan::test::read_file(dir + "/body")};
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

wirescan::app::http_config on_any_port() {
  wirescan::app::http_config c;
  c.listen = "127.0.0.1:0";
  return c;
}

}  // namespace

TEST_CASE("readyz and the unready-reason gauges name the same reasons, for every combination", "[http][metrics]") {
  wirescan::obs::metrics m;
  wirescan::obs::health h;
  h.beat();
  const wirescan::app::http_server server(on_any_port(), m, h);
  const std::string expected_words[] = {"not in the consumer group", "brokers unreachable", "deliveries stalled",
                                        "draining"};
  const std::string labels[] = {"not_in_group", "brokers_unreachable", "deliveries_stalled", "draining"};
  // Ascending, because draining (bit 3) cannot be undone: 0-7 without it, 8-15 with it.
  for (unsigned mask = 0; mask < 16; ++mask) {
    h.set_in_group((mask & 1U) == 0);
    h.set_brokers_up((mask & 2U) == 0);
    h.set_deliveries_stalled((mask & 4U) != 0);
    if ((mask & 8U) != 0) h.set_draining();  // the scrape itself sets the gauges
    INFO("reasons mask " << mask);
    CHECK(h.unready() == mask);
    CHECK(h.ready() == (mask == 0));
    const auto [code, body] = get(server.port(), "/readyz");
    const auto metrics = get(server.port(), "/metrics").second;
    CHECK(code == (mask == 0 ? 200 : 503));
    CHECK(has(metrics, std::string("\nwirescan_ready ") + (mask == 0 ? "1" : "0")));
    if (mask == 0) CHECK(body == "ready\n");
    for (unsigned i = 0; i < 4; ++i) {
      const bool holds = ((mask >> i) & 1U) != 0;
      INFO("reason " << labels[i]);
      CHECK(has(body, " " + expected_words[i] + ";") == holds);
      CHECK(has(metrics, "wirescan_unready_reason{reason=\"" + labels[i] + "\"} " + (holds ? "1" : "0")));
    }
  }
}

TEST_CASE("a call to the cluster held past its patience is brokers unreachable, on /readyz and the gauges, until it returns",
          "[http][metrics]") {
  // The loop judges the brokers between stories; a call librdkafka held 12 s past its 3 s
  // timeout (#5456) kept /readyz ready through a network cut. The HTTP threads now see it.
  using namespace std::chrono_literals;
  wirescan::obs::metrics m;
  wirescan::obs::health h(300ms);
  h.beat();
  h.set_in_group(true);
  const wirescan::app::http_server server(on_any_port(), m, h);
  REQUIRE(get(server.port(), "/readyz").first == 200);
  {
    const auto waiting = h.waiting_on_cluster();
    CHECK(h.ready());  // a call just begun is no sign of trouble
    std::this_thread::sleep_for(400ms);
    CHECK(h.unready() == 2U);
    const auto [code, body] = get(server.port(), "/readyz");
    CHECK(code == 503);
    CHECK(body == "not ready: brokers unreachable;\n");
    const auto metrics = get(server.port(), "/metrics").second;
    CHECK(has(metrics, "\nwirescan_ready 0"));
    CHECK(has(metrics, "wirescan_unready_reason{reason=\"brokers_unreachable\"} 1"));
  }
  CHECK(h.ready());  // returned: the loop's own judgement again
  CHECK(get(server.port(), "/readyz").first == 200);
  CHECK(has(get(server.port(), "/metrics").second, "\nwirescan_ready 1"));
  // The loop's judgement still counts while no call is held.
  h.set_brokers_up(false);
  CHECK(h.unready() == 2U);
}

TEST_CASE("the HTTP server stops at once, not at its listener's next 2 s poll", "[http]") {
  // civetweb 1.15 saw a stop only between polls of up to 2 s; five stops in a row all under
  // 0.5 s had one chance in a thousand before the server knocked on its own socket.
  wirescan::obs::metrics m;
  wirescan::obs::health h;
  for (int i = 0; i < 5; ++i) {
    auto server = std::make_unique<wirescan::app::http_server>(on_any_port(), m, h);
    REQUIRE(get(server->port(), "/healthz").first == 503);  // never beaten: not live
    const auto t0 = std::chrono::steady_clock::now();
    server.reset();
    const auto took = std::chrono::steady_clock::now() - t0;
    INFO("stop " << i << " took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    CHECK(took < std::chrono::milliseconds(500));
  }
}
