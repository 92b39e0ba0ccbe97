#pragma once
// Test support: a TCP proxy the test controls, to cut and restore the network between a
// client and the broker (the broker's PROXIED listener advertises the proxy's port, so every
// connection a client makes goes through it).

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace wirescan::test {

class tcp_proxy {
 public:
  // Listens on 127.0.0.1:listen_port and forwards each connection to 127.0.0.1:target_port.
  tcp_proxy(int listen_port, int target_port);
  ~tcp_proxy();
  tcp_proxy(const tcp_proxy&) = delete;
  tcp_proxy& operator=(const tcp_proxy&) = delete;

  // Cut: every open connection is reset and new ones are refused (the listener closes), as when
  // a network link goes down. Restore: listening again.
  void cut();
  void restore();

  // Freeze: every connection stays open and new ones are accepted, but nothing moves either
  // way, as with a hung broker (a stopped JVM, whose kernel still completes handshakes) or a
  // path that drops packets without a reset. Thaw: what was held moves on.
  void freeze();
  void thaw();

  // From now on, close (FIN, as a broker does) every connection that has carried nothing
  // either way for longer than idle, as a broker with connections.max.idle.ms does; zero stops.
  void close_idle_after(std::chrono::milliseconds idle) { idle_ms_ = idle.count(); }
  [[nodiscard]] long idle_closed() const { return idle_closed_.load(); }

  [[nodiscard]] long connections_accepted() const { return accepted_.load(); }

 private:
  void run(int listen_fd);

  const int listen_port_;
  const int target_port_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> want_cut_{false};
  std::atomic<bool> want_listen_{true};
  std::atomic<bool> frozen_{false};
  std::atomic<long> accepted_{0};
  std::atomic<long> idle_ms_{0};
  std::atomic<long> idle_closed_{0};
  std::thread thread_;
};

}  // namespace wirescan::test
