#pragma once
// The one HTTP port: /metrics (Prometheus text format from the metric catalogue),
// /healthz (200 while the loop is alive) and /readyz (200 only when ready to take
// traffic). civetweb, which prometheus-cpp already brings; its Exposer cannot host other
// handlers, so this server serialises the registry itself. Handlers run on civetweb's
// threads and only read atomics and the thread-safe registry, but for the readiness gauges,
// which /metrics sets from the health state before each scrape (one scrape at a time).

#include <memory>
#include <string>

#include "wirescan/obs/health.hpp"
#include "wirescan/obs/metrics.hpp"

namespace wirescan::app {

struct http_config {
  std::string listen = "0.0.0.0:9464";  // host:port; port 0 picks a free one
  bool enabled = true;
  // When both are set, /metrics requires HTTP basic auth; /healthz and /readyz stay open
  // for probes.
  std::string username;
  std::string password;
};

class http_server {
 public:
  // Throws std::runtime_error when the address cannot be bound.
  http_server(const http_config& cfg, obs::metrics& m, const obs::health& h);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  [[nodiscard]] int port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wirescan::app
