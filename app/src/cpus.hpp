#pragma once
// How many CPUs this process can use at once: what decides whether threads of their own
// prepare stories, and how many (`wirescan run`'s kafka.prepare_ahead and
// kafka.prepare_threads: auto, `wirescan enrich`'s --threads).
//
// std::thread::hardware_concurrency() counts the machine's CPUs. A container is usually
// given fewer: a CPU quota in its cgroup (Kubernetes' CPU limit, `docker run --cpus`) or a
// cpuset. Under a quota of one CPU a second thread buys nothing (docs/performance.md), and
// nobody should need to know a knob to run the arrangement that fits.

#include <functional>
#include <optional>
#include <string>

namespace wirescan::app {

struct cpu_limit {
  unsigned affinity = 1;        // CPUs in the scheduler's affinity mask (a cpuset limits it)
  std::optional<double> quota;  // the cgroup's CPU quota in CPUs, the lowest on the way up
  std::string quota_file;       // where it was read, for the log

  // The affinity, and the quota rounded up (a quota of 1.5 CPUs can keep two threads busy
  // part of the time, which beats one thread), at least 1.
  [[nodiscard]] unsigned usable() const noexcept;
  // Threads of their own to prepare stories (decode, enrich) beside the one that finishes
  // them in order: one fewer than usable(), at most max_auto_preparers; 0 on one CPU.
  [[nodiscard]] unsigned preparers() const noexcept;
  // Preparing a story took about 5 µs on one core in process, finishing it (the novelty stage
  // and the event) about 3 µs, 1 µs without the stage (docs/performance.md): past two to five
  // preparers the finishing thread is the limit, and each idle preparer still spins a little
  // before it sleeps.
  static constexpr unsigned max_auto_preparers = 4;
  // "2 CPUs usable (affinity 2, no cgroup CPU quota)", for the log.
  [[nodiscard]] std::string describe() const;
};

// Reads a whole file; nullopt when it cannot be read. Injected so tests can lay out any
// cgroup tree.
using file_reader = std::function<std::optional<std::string>(const std::string& path)>;

// The quota from the process's cgroup: cgroup v2's cpu.max ("max 100000", "150000 100000"),
// else cgroup v1's cpu.cfs_quota_us over cpu.cfs_period_us (-1: none), found through
// /proc/self/cgroup and /proc/self/mountinfo, for the process's own cgroup and each parent up
// to the hierarchy's mount; the lowest wins. nullopt when there is none or nothing can be read.
std::optional<std::pair<double, std::string>> cgroup_cpu_quota(const file_reader& read);

// This process's limit, from the real /proc and /sys.
cpu_limit read_cpu_limit();

}  // namespace wirescan::app
