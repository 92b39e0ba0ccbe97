// Stress, not a test: members of one cooperative-sticky group join and close at random
// moments, so many closes land while the group is rebalancing. librdkafka 2.0.2 aborts the
// process on such a close unless the member waits for its first assignment
// (ingest::kafka_consumer::close; docs/reliability.md). Prints how many closes completed;
// an abort ends the process with SIGABRT (exit 134 from a shell).
//
//   close_churn BOOTSTRAP TOPIC [CLOSES_PER_THREAD] [--no-wait]
//
// TOPIC must exist (a dozen partitions is a good size). --no-wait closes without waiting,
// as wirescan did before 2026-11-29, to show the abort.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "wirescan/ingest/kafka_consumer.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: close_churn BOOTSTRAP TOPIC [CLOSES_PER_THREAD] [--no-wait]\n");
    return 2;
  }
  const std::string brokers = argv[1];
  const std::string topic = argv[2];
  const int closes = argc > 3 ? std::atoi(argv[3]) : 20;
  const bool wait = !(argc > 4 && std::string(argv[4]) == "--no-wait");
  constexpr int threads = 5;
  const std::string group = "close-churn-" + std::to_string(::getpid());  // a fresh group per run
  std::atomic<int> closed{0};
  std::atomic<int> waited_out{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t) * 7919U + 1U);
      for (int i = 0; i < closes; ++i) {
        bool assigned = false;
        wirescan::ingest::kafka_consumer c({brokers, group, {topic}, {}, false},
                                           {.on_assign = [&](const auto&) { assigned = true; }, .on_revoke = {}, .on_stats = {}});
        // Live 0-3 s, polling as the service does, then close.
        const auto until =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 3000)(rng));
        while (std::chrono::steady_clock::now() < until) (void)c.poll(std::chrono::milliseconds(20));
        c.close(wait ? std::chrono::milliseconds(30000) : std::chrono::milliseconds(0));
        if (!assigned) ++waited_out;
        ++closed;
      }
    });
  }
  for (auto& t : ts) t.join();
  std::printf("%d closes completed (%s), %d of them without any assignment\n", closed.load(),
              wait ? "waiting for the first assignment" : "--no-wait", waited_out.load());
  return 0;
}
