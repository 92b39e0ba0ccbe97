#include "tcp_proxy.hpp"

#include <cerrno>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wirescan::test {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int open_listener(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto a = loopback(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Closes with RST, as a dead link looks to the peer once it notices.
void reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

tcp_proxy::tcp_proxy(int listen_port, int target_port) : listen_port_(listen_port), target_port_(target_port) {
  const int lfd = open_listener(listen_port);
  if (lfd < 0) throw std::runtime_error("tcp_proxy: cannot listen on port " + std::to_string(listen_port));
  thread_ = std::thread([this, lfd] { run(lfd); });
}

void tcp_proxy::run(int lfd) {
  using clock = std::chrono::steady_clock;
  struct link {
    int client, upstream;
    clock::time_point last;  // when it last carried anything
  };
  std::vector<link> pairs;
  char buf[65536];
  while (!stop_) {
    if (const long idle = idle_ms_.load(); idle > 0) {
      const auto now = clock::now();
      for (auto it = pairs.begin(); it != pairs.end();) {
        if (now - it->last <= std::chrono::milliseconds(idle)) {
          ++it;
          continue;
        }
        ::close(it->client);
        ::close(it->upstream);
        ++idle_closed_;
        it = pairs.erase(it);
      }
    }
    if (want_cut_.exchange(false)) {
      for (const auto& l : pairs) {
        reset(l.client);
        reset(l.upstream);
      }
      pairs.clear();
      if (lfd >= 0) ::close(lfd);
      lfd = -1;
    }
    if (lfd < 0 && want_listen_) lfd = open_listener(listen_port_);
    std::vector<pollfd> fds;
    if (lfd >= 0) fds.push_back({lfd, POLLIN, 0});
    // Frozen: nothing is read, so nothing moves either way; connections still open and wait.
    if (!frozen_) {
      for (const auto& l : pairs) {
        fds.push_back({l.client, POLLIN, 0});
        fds.push_back({l.upstream, POLLIN, 0});
      }
    }
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    const std::size_t base = lfd >= 0 ? 1 : 0;
    const std::size_t polled = (fds.size() - base) / 2;  // pairs accepted now were not polled
    if (lfd >= 0) {
      if (fds[0].revents & POLLIN) {
        const int c = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          const int u = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          auto a = loopback(target_port_);
          if (::connect(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            pairs.push_back({c, u, clock::now()});
            ++accepted_;
          } else {
            ::close(u);
            reset(c);
          }
        }
      }
    }
    std::vector<std::size_t> dead;
    for (std::size_t p = 0; p < polled; ++p) {
      const std::size_t i = base + 2 * p;
      for (std::size_t side = 0; side < 2; ++side) {
        if (!(fds[i + side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const int from = side == 0 ? pairs[p].client : pairs[p].upstream;
        const int to = side == 0 ? pairs[p].upstream : pairs[p].client;
        pairs[p].last = clock::now();
        const ssize_t n = ::read(from, buf, sizeof buf);
        bool ok = n > 0;
        for (ssize_t off = 0; ok && off < n;) {
          const ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
          if (w <= 0) ok = false;
          else off += w;
        }
        if (!ok) {
          dead.push_back(p);
          break;
        }
      }
    }
    for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
      ::close(pairs[*it].client);
      ::close(pairs[*it].upstream);
      pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(*it));
    }
  }
  for (const auto& l : pairs) {
    ::close(l.client);
    ::close(l.upstream);
  }
  if (lfd >= 0) ::close(lfd);
}

tcp_proxy::~tcp_proxy() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void tcp_proxy::cut() {
  want_listen_ = false;
  want_cut_ = true;
}

void tcp_proxy::restore() { want_listen_ = true; }

void tcp_proxy::freeze() { frozen_ = true; }

void tcp_proxy::thaw() { frozen_ = false; }

}  // namespace wirescan::test
