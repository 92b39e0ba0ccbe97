#include "http_server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string_view>
#include <string>
#include <thread>
#include <vector>

#include <CivetServer.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <prometheus/text_serializer.h>

namespace wirescan::app {
namespace {

void reply(mg_connection* conn, int status, const char* content_type, const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
            "Connection: close\r\n\r\n",
            status, status == 200 ? "OK" : "Service Unavailable", content_type, body.size());
  mg_write(conn, body.data(), body.size());
}

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], table[n & 63]};
  }
  if (i + 1 == in.size()) {
    const auto n = static_cast<unsigned char>(in[i]) << 16;
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {table[(n >> 18) & 63], table[(n >> 12) & 63], table[(n >> 6) & 63], '='};
  }
  return out;
}

// Compares without an early exit, so response time does not reveal how much matched.
bool same(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

struct metrics_handler : CivetHandler {
  const obs::metrics& m;
  std::string expected_auth;  // "Basic <base64(user:password)>", empty when auth is off
  explicit metrics_handler(const obs::metrics& mm) : m(mm) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (!expected_auth.empty()) {
      const char* got = mg_get_header(conn, "Authorization");
      if (got == nullptr || !same(got, expected_auth)) {
        mg_printf(conn,
                  "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"wirescan\"\r\n"
                  "Content-Length: 0\r\nConnection: close\r\n\r\n");
        return true;
      }
    }
    reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8",
          prometheus::TextSerializer().Serialize(m.registry()->Collect()));
    return true;
  }
};

struct health_handler : CivetHandler {
  const obs::health& h;
  bool readiness;
  health_handler(const obs::health& hh, bool r) : h(hh), readiness(r) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (!readiness) {
      const bool ok = h.live();
      reply(conn, ok ? 200 : 503, "text/plain", ok ? "live\n" : "stalled\n");
      return true;
    }
    const unsigned unready = h.unready();  // one reading, so the code and the body agree
    std::string body = unready == 0 ? "ready\n" : "not ready:";
    if (unready != 0) {
      for (std::size_t i = 0; i < obs::unready_reasons.size(); ++i) {
        if ((unready >> i) & 1U) body.append(" ").append(obs::unready_reasons[i].text).append(";");
      }
      body += "\n";
    }
    reply(conn, unready == 0 ? 200 : 503, "text/plain", body);
    return true;
  }
};

// Opens and at once closes a TCP connection to host:port; whether it was accepted is no matter.
void knock(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const bool done = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
    if (done) break;
  }
  ::freeaddrinfo(found);
}

}  // namespace

struct http_server::impl {
  metrics_handler metrics;
  health_handler live;
  health_handler ready;
  std::unique_ptr<CivetServer> server;
  std::string host;  // where the listening socket is reached from this process
  impl(const obs::metrics& m, const obs::health& h) : metrics(m), live(h, false), ready(h, true) {}
};

http_server::http_server(const http_config& cfg, const obs::metrics& m, const obs::health& h)
    : impl_(std::make_unique<impl>(m, h)) {
  if (!cfg.username.empty() && !cfg.password.empty()) {
    impl_->metrics.expected_auth = "Basic " + base64(cfg.username + ":" + cfg.password);
  }
  const std::vector<std::string> options{"listening_ports", cfg.listen, "num_threads", "2"};
  try {
    impl_->server = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    throw std::runtime_error("cannot serve HTTP on " + cfg.listen + ": " + e.what());
  }
  // The configured host, or the loopback address when it binds every address ("0.0.0.0:9464").
  std::string host = cfg.listen.substr(0, cfg.listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  impl_->host = host.empty() || host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
  impl_->server->addHandler("/metrics", impl_->metrics);
  impl_->server->addHandler("/healthz", impl_->live);
  impl_->server->addHandler("/readyz", impl_->ready);
}

http_server::~http_server() {
  if (!impl_->server) return;
  // civetweb 1.15's stop waits for its master thread, which looks at the stop flag only
  // between polls of the listening socket of up to 2 s (SOCKET_TIMEOUT_QUANTUM): every exit
  // took up to 2 s longer (1.1 s measured). A connection to that socket ends the poll; one is
  // made every 20 ms until the stop returns, so one arrives after the flag is set, and is then
  // not served (a knock before it is served like any request whose client hung up).
  const int port = this->port();
  std::atomic<bool> stopped{false};
  std::thread knocker([&] {
    while (!stopped.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!stopped.load() && port > 0) knock(impl_->host, port);
    }
  });
  impl_->server->close();
  stopped = true;
  knocker.join();
}

int http_server::port() const {
  const auto ports = impl_->server->getListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace wirescan::app
