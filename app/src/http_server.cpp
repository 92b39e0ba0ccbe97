#include "http_server.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <string>
#include <thread>
#include <vector>

#include <CivetServer.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <strings.h>
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

using digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

digest sha256(std::string_view s) {
  digest d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

// The credentials of an "Authorization: Basic <base64(user:password)>" header, as its digest.
// The scheme's name is case-insensitive (RFC 7617); anything else yields no digest.
std::optional<digest> basic_credentials(const char* header) {
  if (header == nullptr) return std::nullopt;
  const std::string_view h(header);
  if (h.size() < 6 || strncasecmp(h.data(), "Basic ", 6) != 0) return std::nullopt;
  return sha256(h.substr(6));
}

struct metrics_handler : CivetHandler {
  obs::metrics& m;
  const obs::health& h;
  std::mutex scraping;  // civetweb serves two requests at once; one scrape sets the gauges at a time
  // The digest of base64(user:password), when auth is on. Digests compared with CRYPTO_memcmp
  // take the same time whatever the header holds, so the reply's timing says nothing about how
  // much of the credentials, or of their length, a guess got right.
  std::optional<digest> expected_auth;
  metrics_handler(obs::metrics& mm, const obs::health& hh) : m(mm), h(hh) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (expected_auth) {
      const auto got = basic_credentials(mg_get_header(conn, "Authorization"));
      if (!got || CRYPTO_memcmp(got->data(), expected_auth->data(), got->size()) != 0) {
        mg_printf(conn,
                  "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"wirescan\"\r\n"
                  "Content-Length: 0\r\nConnection: close\r\n\r\n");
        return true;
      }
    }
    std::unique_lock lock(scraping);
    m.set_readiness(h);  // what /readyz says now, not when the loop last looked
    auto families = m.registry()->Collect();
    lock.unlock();
    reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus::TextSerializer().Serialize(families));
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
  impl(obs::metrics& m, const obs::health& h) : metrics(m, h), live(h, false), ready(h, true) {}
};

http_server::http_server(const http_config& cfg, obs::metrics& m, const obs::health& h)
    : impl_(std::make_unique<impl>(m, h)) {
  if (!cfg.username.empty() && !cfg.password.empty()) {
    const std::string credentials = cfg.username + ":" + cfg.password;
    std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                  reinterpret_cast<const unsigned char*>(credentials.data()),
                                  static_cast<int>(credentials.size()));
    encoded.resize(static_cast<std::size_t>(n));
    impl_->metrics.expected_auth = sha256(encoded);
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
