#include "http_server.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <CivetServer.h>
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

struct metrics_handler : CivetHandler {
  const obs::metrics& m;
  explicit metrics_handler(const obs::metrics& mm) : m(mm) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
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
    const bool ok = h.ready();
    std::string body = ok ? "ready\n" : "not ready:";
    if (!ok) {
      if (h.assigned() == 0) body += " no partitions assigned;";
      if (!h.brokers_up()) body += " brokers unreachable;";
      if (h.draining()) body += " draining;";
      body += "\n";
    }
    reply(conn, ok ? 200 : 503, "text/plain", body);
    return true;
  }
};

}  // namespace

struct http_server::impl {
  metrics_handler metrics;
  health_handler live;
  health_handler ready;
  std::unique_ptr<CivetServer> server;
  impl(const obs::metrics& m, const obs::health& h) : metrics(m), live(h, false), ready(h, true) {}
};

http_server::http_server(const http_config& cfg, const obs::metrics& m, const obs::health& h)
    : impl_(std::make_unique<impl>(m, h)) {
  const std::vector<std::string> options{"listening_ports", cfg.listen, "num_threads", "2"};
  try {
    impl_->server = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    throw std::runtime_error("cannot serve HTTP on " + cfg.listen + ": " + e.what());
  }
  impl_->server->addHandler("/metrics", impl_->metrics);
  impl_->server->addHandler("/healthz", impl_->live);
  impl_->server->addHandler("/readyz", impl_->ready);
}

http_server::~http_server() {
  if (impl_->server) impl_->server->close();
}

int http_server::port() const {
  const auto ports = impl_->server->getListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace wirescan::app
