#include "enrich_command.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include <unistd.h>

#include "pipeline.hpp"
#include "wirescan/ingest/line_reader.hpp"
#include "wirescan/obs/log.hpp"
#include "wirescan/sinks/file_sink.hpp"

namespace wirescan::app {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const noexcept {
    if (f != stdin) std::fclose(f);
  }
};

}  // namespace

enrich_summary run_enrich(const enrich_options& opts, const config& cfg, obs::metrics& m,
                          std::shared_ptr<const enrich::enricher> enr, std::atomic<bool>* reload) {
  std::unique_ptr<std::FILE, file_closer> in(opts.input == "-" ? stdin : std::fopen(opts.input.c_str(), "rb"));
  if (!in) throw std::runtime_error("cannot open " + opts.input + ": " + std::strerror(errno));
  sinks::file_sink out(opts.output);
  std::optional<sinks::file_sink> rejects;
  if (!opts.rejects.empty()) rejects.emplace(opts.rejects);

  // Keep a little more than the limit so an oversized story is recognised and quoted.
  ingest::line_reader reader(in.get(), cfg.decode.max_story_bytes + 1);
  pipeline pipe(cfg, m, std::move(enr));
  enrich_summary sum;
  const auto t0 = std::chrono::steady_clock::now();
  // Progress for a person at a terminal; nothing when stderr is a pipe or a file.
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  auto last_progress = t0;
  const auto progress = [&](bool final) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "\r\033[K%zu stories, %zu events, %zu rejected, %.1f MB, %.0f stories/s%s", sum.lines,
                 sum.events, sum.rejected, static_cast<double>(reader.bytes_read()) / 1e6,
                 secs > 0 ? static_cast<double>(sum.lines) / secs : 0.0, final ? "\n" : "");
  };

  while (auto ln = reader.next()) {
    ++sum.lines;
    if (show_progress && (sum.lines & 1023) == 0 &&
        std::chrono::steady_clock::now() - last_progress > std::chrono::milliseconds(250)) {
      last_progress = std::chrono::steady_clock::now();
      progress(false);
    }
    if (reload != nullptr && reload->exchange(false)) {
      const auto problems = pipe.reload(cfg);
      if (problems.empty()) obs::log().info("rules reloaded from {}", cfg.enrich.rules_dir);
      else obs::log().error("rules reload refused, keeping the old rules: {}", problems.front());
    }
    const auto r = pipe.process(ln->bytes, ln->full_size);
    if (!r.accepted) {
      ++sum.rejected;
      if (rejects) {
        rejects->write_line(
            sinks::reject_json(ln->number, r.rejection, ln->bytes, ln->full_size, cfg.output.reject_raw_limit));
      } else {
        obs::log().warn("line {}: rejected ({}): {}", ln->number, core::to_string(r.rejection.reason),
                        r.rejection.detail);
      }
      continue;
    }
    out.write_line(r.event);
    m.event_published();
    ++sum.events;
  }
  if (show_progress) progress(true);
  out.flush();
  if (rejects) rejects->flush();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace wirescan::app
