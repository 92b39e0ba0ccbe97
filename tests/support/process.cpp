#include "process.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>
#include <utility>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "schema.hpp"

extern char** environ;

namespace wirescan::test {

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "wirescan-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

namespace {

// Starts WIRESCAN_BINARY with stdin from in_path and stdout/stderr to the given files
// (err_path empty: stderr joins stdout).
pid_t spawn(const std::vector<std::string>& args, const std::string& in_path, const std::string& out_path,
            const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (err_path.empty()) {
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::vector<std::string> argv_s{WIRESCAN_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, WIRESCAN_BINARY, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + std::string(WIRESCAN_BINARY));
  return pid;
}

}  // namespace

run_result run_wirescan(const std::vector<std::string>& args, const std::string& stdin_path) {
  const std::string dir = make_temp_dir();
  const std::string out_path = dir + "/stdout";
  const std::string err_path = dir + "/stderr";
  const pid_t pid = spawn(args, stdin_path.empty() ? "/dev/null" : stdin_path, out_path, err_path);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run_result r{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_file(out_path),
               read_file(err_path)};
  std::filesystem::remove_all(dir);
  return r;
}

background::background(background&& o) noexcept
    : pid(std::exchange(o.pid, -1)), log_path(std::move(o.log_path)), reaped(o.reaped) {}

background::~background() {
  if (pid <= 0 || reaped) return;
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

background start_wirescan(const std::vector<std::string>& args) {
  background b;
  b.log_path = make_temp_dir() + "/wirescan.log";
  b.pid = spawn(args, "/dev/null", b.log_path, "");
  return b;
}

int wait_exit(const background& b, int timeout_s) {
  for (int i = 0; i < timeout_s * 20; ++i) {
    int status = 0;
    const pid_t r = ::waitpid(b.pid, &status, WNOHANG);
    if (r == b.pid) {
      b.reaped = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ::usleep(50'000);
  }
  return -1;
}

int signal_and_wait(const background& b, int sig, int timeout_s) {
  ::kill(b.pid, sig);
  return wait_exit(b, timeout_s);
}

bool wait_for_log(const background& b, const std::string& pattern, int timeout_s) {
  const std::regex re(pattern);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(b.log_path, std::ios::binary);
    const std::string log{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (std::regex_search(log, re)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int http_port(const background& b, int timeout_s) {
  if (!wait_for_log(b, "/readyz on port [0-9]+", timeout_s)) return -1;
  std::ifstream in(b.log_path, std::ios::binary);
  const std::string log{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return std::stoi(log.substr(log.find("/readyz on port ") + 16));
}

}  // namespace wirescan::test
