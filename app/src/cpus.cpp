#include "cpus.hpp"

#include <sched.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace wirescan::app {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const auto at = s.find(sep, from);
    out.emplace_back(s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

// mountinfo writes a space, a tab, a newline and a backslash in a path as \040, \011, \012, \134.
std::string unescape_mount_path(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto octal = [&](std::size_t k, char top) { return s[k] >= '0' && s[k] <= top; };
    if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1, '3') && octal(i + 2, '7') && octal(i + 3, '7')) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct mount {
  std::string root;   // the hierarchy's directory mounted there ("/" for the whole)
  std::string point;  // where it is mounted
};

// The mount of the cgroup v2 hierarchy (v1: of the hierarchy with the cpu controller).
std::optional<mount> find_mount(const std::string& mountinfo, bool v2) {
  std::istringstream in(mountinfo);
  for (std::string line; std::getline(in, line);) {
    // "36 25 0:31 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu,cpuacct": optional
    // fields stand between the mount options and the "-".
    const auto f = split(line, ' ');
    std::size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 5 || dash + 1 >= f.size()) continue;
    const std::string& type = f[dash + 1];
    if (v2 ? type != "cgroup2" : type != "cgroup") continue;
    if (!v2) {
      if (dash + 3 >= f.size()) continue;
      bool cpu = false;
      for (const auto& o : split(f[dash + 3], ',')) cpu = cpu || o == "cpu";
      if (!cpu) continue;
    }
    return mount{unescape_mount_path(f[3]), unescape_mount_path(f[4])};
  }
  return std::nullopt;
}

// The process's cgroup path in the v2 hierarchy ("0::/path") or in the v1 hierarchy holding
// the cpu controller ("4:cpu,cpuacct:/path").
std::optional<std::string> own_cgroup(const std::string& proc_cgroup, bool v2) {
  std::istringstream in(proc_cgroup);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? std::string::npos : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (v2) {
      if (line.compare(0, first, "0") == 0 && controllers.empty()) return path;
      continue;
    }
    for (const auto& c : split(controllers, ',')) {
      if (c == "cpu") return path;
    }
  }
  return std::nullopt;
}

std::optional<double> parse_number(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return v;
}

// cpu.max: "max 100000" (none) or "<quota> <period>".
std::optional<double> v2_quota(const std::string& text) {
  const auto f = split(text.substr(0, text.find('\n')), ' ');
  if (f.size() != 2 || f[0] == "max") return std::nullopt;
  const auto q = parse_number(f[0]);
  const auto p = parse_number(f[1]);
  if (!q || !p || *q <= 0 || *p <= 0) return std::nullopt;
  return *q / *p;
}

// The quota along the way from the process's cgroup directory up to the hierarchy's mount.
std::optional<std::pair<double, std::string>> walk(const file_reader& read, const mount& m, const std::string& cgroup,
                                                   bool v2) {
  // The process's path relative to the mounted root; outside it (another cgroup namespace's
  // view), the mount point itself is the best there is.
  std::string rel = cgroup;
  if (m.root != "/") {
    if (rel.compare(0, m.root.size(), m.root) == 0 && (rel.size() == m.root.size() || rel[m.root.size()] == '/')) {
      rel = rel.substr(m.root.size());
    } else {
      rel.clear();
    }
  }
  if (rel == "/") rel.clear();
  std::optional<std::pair<double, std::string>> best;
  for (;;) {
    const std::string dir = m.point + rel;
    std::optional<double> q;
    std::string file;
    if (v2) {
      file = dir + "/cpu.max";
      if (const auto t = read(file)) q = v2_quota(*t);
    } else {
      file = dir + "/cpu.cfs_quota_us";
      const auto quota = read(file);
      const auto period = read(dir + "/cpu.cfs_period_us");
      if (quota && period) {
        const auto qv = parse_number(*quota);
        const auto pv = parse_number(*period);
        if (qv && pv && *qv > 0 && *pv > 0) q = *qv / *pv;
      }
    }
    if (q && (!best || *q < best->first)) best = std::pair{*q, file};
    if (rel.empty()) return best;
    rel.erase(rel.rfind('/'));
  }
}

}  // namespace

unsigned cpu_limit::usable() const noexcept {
  unsigned n = affinity < 1 ? 1 : affinity;
  if (quota) {
    const double up = std::ceil(*quota - 1e-9);
    if (up < n) n = up < 1 ? 1 : static_cast<unsigned>(up);
  }
  return n;
}

unsigned cpu_limit::preparers() const noexcept {
  const unsigned n = usable() - 1;
  return n < max_auto_preparers ? n : max_auto_preparers;
}

std::string cpu_limit::describe() const {
  const unsigned n = usable();
  return fmt::format("{} CPU{} usable (affinity {}, {})", n, n == 1 ? "" : "s", affinity,
                     quota ? fmt::format("cgroup CPU quota {:.2f} in {}", *quota, quota_file)
                           : std::string("no cgroup CPU quota"));
}

std::optional<std::pair<double, std::string>> cgroup_cpu_quota(const file_reader& read) {
  const auto proc_cgroup = read("/proc/self/cgroup");
  const auto mountinfo = read("/proc/self/mountinfo");
  if (!proc_cgroup || !mountinfo) return std::nullopt;
  // v2 first; on a hybrid host (v2 mounted beside v1 controllers) its cpu.max is absent and
  // the v1 cpu hierarchy holds the quota.
  for (const bool v2 : {true, false}) {
    const auto m = find_mount(*mountinfo, v2);
    const auto own = own_cgroup(*proc_cgroup, v2);
    if (!m || !own) continue;
    if (const auto q = walk(read, *m, *own, v2)) return q;
  }
  return std::nullopt;
}

cpu_limit read_cpu_limit() {
  cpu_limit l;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    l.affinity = static_cast<unsigned>(CPU_COUNT(&set));
  } else {
    l.affinity = std::thread::hardware_concurrency();
  }
  if (l.affinity == 0) l.affinity = 1;
  const file_reader real = [](const std::string& path) -> std::optional<std::string> {
    std::ifstream f(path);
    if (!f) return std::nullopt;
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  };
  if (const auto q = cgroup_cpu_quota(real)) {
    l.quota = q->first;
    l.quota_file = q->second;
  }
  return l;
}

}  // namespace wirescan::app
