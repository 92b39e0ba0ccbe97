// Debian's real Prometheus scrapes wirescan while stories flow through the real broker;
// then every dashboard expression must return data and every alert expression must
// evaluate, with each metric it names present: no dead panel, no misspelt metric.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include <catch2/catch_test_macros.hpp>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "kafka.hpp"
#include "process.hpp"
#include "schema.hpp"

using namespace wirescan::test;
using namespace std::chrono_literals;

namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string curl(const std::string& url_and_args) {
  const std::string out = make_temp_dir() + "/body";
  (void)std::system(("curl -s -G " + url_and_args + " > " + out).c_str());
  return read_file(out);
}

// The result of a PromQL query, or an empty string with the error.
std::pair<std::size_t, std::string> query(int port, const std::string& promql) {
  const std::string file = make_temp_dir() + "/q";
  std::ofstream(file) << promql;
  const auto body = curl("--data-urlencode query@" + file + " http://127.0.0.1:" + std::to_string(port) + "/api/v1/query");
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError() || std::string(d["status"].GetString()) != "success") return {0, body.substr(0, 300)};
  return {d["data"]["result"].Size(), ""};
}

}  // namespace

TEST_CASE("Prometheus scraping wirescan finds data for every dashboard panel and alert metric", "[kafka][prometheus]") {
  const std::string root = WIRESCAN_SOURCE_DIR;
  const auto in = unique_name("stories");
  const auto out = unique_name("events");
  const auto dlq = unique_name("dead");
  create_topic(in, 3);
  create_topic(out, 3);
  create_topic(dlq, 1);
  const int http = free_port();
  const auto dir = make_temp_dir();
  std::ofstream(dir + "/wirescan.yaml") << "http: {listen: '127.0.0.1:" << http << "'}\n"
                                        << "kafka:\n  brokers: " << broker_bootstrap() << "\n  group_id: "
                                        << unique_name("g") << "\n  input_topics: [" << in << "]\n  output_topic: " << out
                                        << "\n  dead_letter_topic: " << dlq << "\n";
  auto proc = start_wirescan({"run", "--config", dir + "/wirescan.yaml"});

  const int prom_port = free_port();
  std::ofstream(dir + "/prometheus.yml") << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                                         << "rule_files: ['" << root << "/deploy/prometheus/alerts.yaml']\n"
                                         << "scrape_configs:\n  - job_name: wirescan\n    static_configs:\n"
                                         << "      - targets: ['127.0.0.1:" << http << "']\n";
  const std::string prom_log = dir + "/prometheus.log";
  const std::string cmd = "prometheus --config.file=" + dir + "/prometheus.yml --storage.tsdb.path=" + dir +
                          "/tsdb --web.listen-address=127.0.0.1:" + std::to_string(prom_port) + " > " + prom_log +
                          " 2>&1 & echo $! > " + dir + "/prom.pid";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const int prom_pid = std::stoi(read_file(dir + "/prom.pid"));

  // Stories for 25 s: shocks, mentions, and a few rejects, so every panel has something.
  const auto now = std::chrono::system_clock::now();
  for (int round = 0; round < 25; ++round) {
    std::vector<std::pair<int, std::string>> batch;
    for (int i = 0; i < 40; ++i) {
      const int n = round * 40 + i;
      batch.emplace_back(n % 3, n % 20 == 7 ? std::string("{broken")
                                            : R"({"id":"p)" + std::to_string(n) +
                                                  R"(","headline":"US imposes tariffs on $NVDA chips as $BTC slips","published_at":)" +
                                                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                     now.time_since_epoch()).count()) + "}");
    }
    produce(in, batch);
    std::this_thread::sleep_for(1s);
  }
  std::this_thread::sleep_for(6s);  // a lag statistics event and a few more scrapes

  std::vector<std::string> failures;
  rapidjson::Document dash;
  REQUIRE_FALSE(dash.Parse(read_file(root + "/deploy/grafana/dashboards/wirescan.json").c_str()).HasParseError());
  std::size_t panels = 0;
  for (const auto& p : dash["panels"].GetArray()) {
    for (const auto& t : p["targets"].GetArray()) {
      ++panels;
      const auto [n, err] = query(prom_port, t["expr"].GetString());
      if (n == 0) failures.push_back(std::string("panel '") + p["title"].GetString() + "': " + t["expr"].GetString() + " " + err);
    }
  }
  static const std::regex name(R"(\bwirescan_[a-z_]+)");
  const auto rules = YAML::LoadFile(root + "/deploy/prometheus/alerts.yaml");
  for (const auto& r : rules["groups"][0]["rules"]) {
    const auto expr = r["expr"].as<std::string>();
    if (const auto [n, err] = query(prom_port, expr); !err.empty()) failures.push_back(r["alert"].as<std::string>() + ": " + err);
    std::set<std::string> names;
    for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) names.insert(it->str());
    for (const auto& m : names) {
      if (query(prom_port, "count({__name__=~\"" + m + "(_bucket)?\"})").first == 0) {
        failures.push_back(r["alert"].as<std::string>() + ": no series for " + m);
      }
    }
  }
  ::kill(prom_pid, SIGTERM);
  const int code = signal_and_wait(proc, SIGTERM, 30);
  INFO(read_file(prom_log).substr(0, 2000));
  for (const auto& f : failures) UNSCOPED_INFO(f);
  CHECK(panels >= 10);
  CHECK(failures.empty());
  CHECK(code == 0);
}
