#pragma once
// Test support: runs the wirescan binary as a user would, with files for stdin/stdout.

#include <string>
#include <vector>

namespace wirescan::test {

struct run_result {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs WIRESCAN_BINARY with args; stdin from stdin_path (or /dev/null when empty).
[[nodiscard]] run_result run_wirescan(const std::vector<std::string>& args, const std::string& stdin_path = "");

// A wirescan process running in the background (for `wirescan run`). One still running when
// this goes out of scope (a failed REQUIRE, an exception) is killed and reaped, so a failed
// test leaves no instance behind to load the machine and the broker for the tests after it.
struct background {
  int pid = -1;
  std::string log_path;        // stderr and stdout of the process
  mutable bool reaped = false;  // by wait_exit: pid may name another process by then

  background() = default;
  background(background&& o) noexcept;
  background& operator=(background&&) = delete;
  background(const background&) = delete;
  ~background();
};

[[nodiscard]] background start_wirescan(const std::vector<std::string>& args);
// Sends sig; returns the exit code (128+signal when killed) after waiting up to timeout_s,
// or -1 if it is still running then.
int signal_and_wait(const background& b, int sig, int timeout_s);
// Waits up to timeout_s for exit without signalling; -1 if still running.
int wait_exit(const background& b, int timeout_s);

// Waits up to timeout_s for a match of the ECMAScript regex pattern in the process's log;
// false if none appears.
[[nodiscard]] bool wait_for_log(const background& b, const std::string& pattern, int timeout_s);

// The HTTP port a running instance logged ("serving ... on port N"), waiting up to timeout_s
// for it; -1 if none. 60 s by default: start-up (compiling the rules) under ASan, beside other
// tests, took over 10.
[[nodiscard]] int http_port(const background& b, int timeout_s = 60);

// A fresh empty directory under the system temp dir, removed by the caller if wanted.
[[nodiscard]] std::string make_temp_dir();

}  // namespace wirescan::test
