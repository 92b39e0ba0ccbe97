// Security against the real broker: TLS and SASL/SCRAM end to end, refused when the CA or the
// password is wrong, secrets never in the logs (at debug level, librdkafka's security debug
// on), and the HTTP port bound only where configured.
#include <regex>
#include <string>

#include "fixture.hpp"

using namespace wirescan::test;
using namespace wirescan::test::it;

namespace {

setup_options tls(const std::string& ca) {
  setup_options o;
  o.brokers = broker_env("BOOTSTRAP_SSL");
  o.client = {{"security.protocol", "ssl"}, {"ssl.ca.location", ca}};
  return o;
}

setup_options scram(const std::string& password) {
  setup_options o;
  o.brokers = broker_env("BOOTSTRAP_SASL");
  o.log_level = "debug";
  o.client = {{"security.protocol", "sasl_plaintext"},
              {"sasl.mechanisms", "SCRAM-SHA-512"},
              {"sasl.username", broker_env("SCRAM_USER")},
              {"sasl.password", password},
              {"debug", "security,broker"}};
  return o;
}

// Runs wirescan on 2,000 stories; returns the distinct stories that came out and the log.
// log_before_stop: a line (regex) to wait for, up to 60 s, before the SIGTERM. The wait's time
// counts from the spawn, and under ASan on a busy CI host the start-up alone took 14 s of the
// 15, so the stop came before the first "waiting for the brokers" line (2026-12-02).
std::pair<std::size_t, std::string> run_2000(const setup& s, std::chrono::seconds wait,
                                             const std::string& log_before_stop = "") {
  produce(s.in, stories(2'000, false));
  auto proc = start_wirescan({"run", "--config", s.config_path});
  const auto events = consume(s.out, 2'000, wait, 1000ms);
  if (!log_before_stop.empty()) (void)wait_for_log(proc, log_before_stop, 60);
  (void)signal_and_wait(proc, SIGTERM, 30);
  return {source_ids(events).size(), read_file(proc.log_path)};
}

}  // namespace

TEST_CASE("TLS to the broker: every story comes out with the right CA; none with an untrusting one", "[kafka][tls]") {
  {
    setup s(tls(broker_env("BROKER_CA")));
    const auto [n, log] = run_2000(s, 60s);
    INFO(log);
    CHECK(n == 2'000);
  }
  {
    // A CA that did not sign the broker's certificate: the handshake must fail, not fall back.
    const auto dir = make_temp_dir();
    REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other -keyout " + dir +
                         "/k.pem -out " + dir + "/ca.pem 2>/dev/null").c_str()) == 0);
    setup s(tls(dir + "/ca.pem"));
    const auto [n, log] = run_2000(s, 15s, "waiting for the brokers");
    INFO(log);
    CHECK(n == 0);
    CHECK(log.find("certificate verify failed") != std::string::npos);
    CHECK(std::regex_search(log, std::regex("waiting for the brokers \\(.*\\): none has answered for [0-9]+ s "
                                            "\\(last error: .*certificate verify failed")));
  }
}

TEST_CASE("SASL/SCRAM-SHA-512: every story comes out; a wrong password gets nothing; no password is ever logged",
          "[kafka][sasl]") {
  const std::string password = broker_env("SCRAM_PASSWORD");
  {
    setup s(scram(password));
    const auto [n, log] = run_2000(s, 60s);
    INFO(log.substr(0, 4000));
    CHECK(n == 2'000);
    CHECK(log.find("SASL") != std::string::npos);  // the security debug really ran
    CHECK(log.find(password) == std::string::npos);
    // wirescan validate --print shows the config with the secret redacted.
    const auto printed = run_wirescan({"validate", "--config", s.config_path, "--print"});
    CHECK(printed.exit_code == 0);
    CHECK((printed.out + printed.err).find(password) == std::string::npos);
    CHECK((printed.out + printed.err).find("[redacted]") != std::string::npos);
  }
  {
    const std::string wrong = "not-" + password;
    setup s(scram(wrong));
    const auto [n, log] = run_2000(s, 15s, "waiting for the brokers");
    INFO(log);
    CHECK(n == 0);
    CHECK(log.find("Authentication failed") != std::string::npos);
    // The start-up's wait says why no broker answers.
    CHECK(std::regex_search(log, std::regex("waiting for the brokers \\(.*\\): none has answered for [0-9]+ s "
                                            "\\(last error: .*Authentication failed")));
    CHECK(log.find(wrong) == std::string::npos);
  }
}

TEST_CASE("the HTTP port binds only the configured address", "[kafka][http]") {
  setup s;
  std::string cfg = read_file(s.config_path);
  cfg.replace(cfg.find("127.0.0.1:0"), 11, "127.0.0.2:0");
  std::ofstream(s.config_path) << cfg;
  auto proc = start_wirescan({"run", "--config", s.config_path});
  const int port = http_port(proc);
  REQUIRE(port > 0);
  const auto dir = make_temp_dir();
  const auto code = [&](const std::string& host) {
    (void)std::system(("curl -s -o /dev/null -w '%{http_code}' http://" + host + ":" + std::to_string(port) +
                       "/healthz > " + dir + "/code").c_str());
    return read_file(dir + "/code");
  };
  CHECK(code("127.0.0.2") == "200");
  CHECK(code("127.0.0.1") == "000");  // nothing listens there
  CHECK(signal_and_wait(proc, SIGTERM, 30) == 0);
}
