// The CPUs a process may use: its affinity and its cgroup's CPU quota, read from cgroup trees
// laid out as the kernel shows them (a map of paths stands in for /proc and /sys/fs/cgroup).
#include <map>
#include <optional>
#include <string>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "cpus.hpp"

using wirescan::app::cgroup_cpu_quota;
using wirescan::app::cpu_limit;

namespace {

using files = std::map<std::string, std::string>;

std::optional<std::pair<double, std::string>> quota(const files& fs) {
  return cgroup_cpu_quota([&](const std::string& p) -> std::optional<std::string> {
    const auto it = fs.find(p);
    if (it == fs.end()) return std::nullopt;
    return it->second;
  });
}

// A pure cgroup v2 host, as a container sees it without a cgroup namespace.
const std::string v2_mountinfo =
    "24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "28 24 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

// A hybrid host (this project's development machines): v1 controllers, v2 mounted beside them.
const std::string hybrid_mountinfo =
    "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n"
    "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid shared:11 - cgroup cgroup rw,memory\n"
    "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 - cgroup cgroup rw,cpu,cpuacct\n";

}  // namespace

TEST_CASE("cgroup v2: cpu.max of the process's cgroup and its parents, the lowest", "[cpus]") {
  const std::string self = "0::/kubepods/pod1/c1\n";
  files fs{{"/proc/self/cgroup", self}, {"/proc/self/mountinfo", v2_mountinfo}};
  CHECK_FALSE(quota(fs));  // no cpu.max anywhere
  fs["/sys/fs/cgroup/kubepods/pod1/c1/cpu.max"] = "max 100000\n";
  CHECK_FALSE(quota(fs));  // "max": no limit
  fs["/sys/fs/cgroup/kubepods/pod1/c1/cpu.max"] = "150000 100000\n";
  auto q = quota(fs);
  REQUIRE(q);
  CHECK(q->first == 1.5);
  CHECK(q->second == "/sys/fs/cgroup/kubepods/pod1/c1/cpu.max");
  // A parent's lower limit binds the child.
  fs["/sys/fs/cgroup/kubepods/pod1/cpu.max"] = "50000 100000\n";
  q = quota(fs);
  REQUIRE(q);
  CHECK(q->first == 0.5);
  CHECK(q->second == "/sys/fs/cgroup/kubepods/pod1/cpu.max");
  // Inside a cgroup namespace the process is at the root of what it sees.
  files ns{{"/proc/self/cgroup", "0::/\n"}, {"/proc/self/mountinfo", v2_mountinfo},
           {"/sys/fs/cgroup/cpu.max", "200000 100000\n"}};
  q = quota(ns);
  REQUIRE(q);
  CHECK(q->first == 2.0);
  // Nonsense is no limit, not a crash.
  for (const char* bad : {"", "100000\n", "x 100000\n", "100000 0\n", "-5 100000\n"}) {
    INFO(bad);
    ns["/sys/fs/cgroup/cpu.max"] = bad;
    CHECK_FALSE(quota(ns));
  }
}

TEST_CASE("cgroup v1: cfs_quota_us over cfs_period_us, in the hierarchy with the cpu controller", "[cpus]") {
  files fs{{"/proc/self/cgroup", "12:memory:/docker/abc\n11:cpu,cpuacct:/docker/abc\n0::/docker/abc\n"},
           {"/proc/self/mountinfo", hybrid_mountinfo},
           {"/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n"},
           {"/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n"}};
  CHECK_FALSE(quota(fs));  // -1: no limit (and the v2 hierarchy beside it has no cpu.max)
  fs["/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us"] = "100000\n";
  auto q = quota(fs);
  REQUIRE(q);
  CHECK(q->first == 1.0);
  CHECK(q->second == "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us");
  // The mount shows a subtree: the process's path is taken relative to its root.
  files sub{{"/proc/self/cgroup", "4:cpu:/outer/inner\n"},
            {"/proc/self/mountinfo", "40 25 0:28 /outer /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"},
            {"/sys/fs/cgroup/cpu/inner/cpu.cfs_quota_us", "250000\n"},
            {"/sys/fs/cgroup/cpu/inner/cpu.cfs_period_us", "100000\n"}};
  q = quota(sub);
  REQUIRE(q);
  CHECK(q->first == 2.5);
  // A mount point with a space in it, written \040 by the kernel.
  files esc{{"/proc/self/cgroup", "4:cpu:/\n"},
            {"/proc/self/mountinfo", "40 25 0:28 / /mnt/cg\\040cpu rw - cgroup cgroup rw,cpu\n"},
            {"/mnt/cg cpu/cpu.cfs_quota_us", "50000\n"},
            {"/mnt/cg cpu/cpu.cfs_period_us", "100000\n"}};
  q = quota(esc);
  REQUIRE(q);
  CHECK(q->first == 0.5);
  // Without /proc (or a cpu hierarchy), nothing is known.
  CHECK_FALSE(quota(files{}));
  CHECK_FALSE(quota(files{{"/proc/self/cgroup", "12:memory:/x\n"}, {"/proc/self/mountinfo", hybrid_mountinfo}}));
}

TEST_CASE("usable CPUs: the affinity, and the quota rounded up", "[cpus]") {
  CHECK(cpu_limit{4, std::nullopt, ""}.usable() == 4);
  CHECK(cpu_limit{4, 1.0, "q"}.usable() == 1);
  CHECK(cpu_limit{4, 1.5, "q"}.usable() == 2);
  CHECK(cpu_limit{4, 0.5, "q"}.usable() == 1);
  CHECK(cpu_limit{2, 8.0, "q"}.usable() == 2);
  CHECK(cpu_limit{0, std::nullopt, ""}.usable() == 1);
  const auto said = cpu_limit{4, 1.0, "/sys/fs/cgroup/cpu.max"}.describe();
  CHECK_THAT(said, Catch::Matchers::ContainsSubstring("1 CPU usable"));
  CHECK_THAT(said, Catch::Matchers::ContainsSubstring("quota 1.00 in /sys/fs/cgroup/cpu.max"));
  // The real process: at least one, never more than its affinity allows.
  const auto real = wirescan::app::read_cpu_limit();
  CHECK(real.usable() >= 1);
  CHECK(real.usable() <= real.affinity);
}

TEST_CASE("preparing threads: one fewer than the usable CPUs, none on one, at most the cap", "[cpus]") {
  CHECK(cpu_limit{1, std::nullopt, ""}.preparers() == 0);
  CHECK(cpu_limit{8, 1.0, "q"}.preparers() == 0);
  CHECK(cpu_limit{2, std::nullopt, ""}.preparers() == 1);
  CHECK(cpu_limit{8, 1.5, "q"}.preparers() == 1);
  CHECK(cpu_limit{4, std::nullopt, ""}.preparers() == 3);
  CHECK(cpu_limit{8, 2.5, "q"}.preparers() == 2);
  CHECK(cpu_limit{64, std::nullopt, ""}.preparers() == cpu_limit::max_auto_preparers);
  CHECK(cpu_limit{64, 5.0, "q"}.preparers() == 4);
}
