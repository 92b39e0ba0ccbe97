#include "enrich_command.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <unistd.h>

#include "cpus.hpp"
#include "pipeline.hpp"
#include "staged.hpp"
#include "wirescan/core/story.hpp"
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

// One input line while it is prepared: its own copy, since the reader reuses its buffer.
struct line_item {
  std::string payload;    // the line, or its first max_story_bytes + 1 bytes
  std::size_t full_size;  // the line's real length
  std::size_t number;     // from 1, for the reject report
};

// Stories decoded and enriched ahead on the second thread; more buys nothing (the caller
// finishes a story faster than one is prepared).
constexpr std::size_t prepare_ahead = 64;

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

  // A story's outcome, in input order: its event, or its reject report.
  const auto emit = [&](const processed& r, std::string_view bytes, std::size_t full_size, std::size_t number) {
    if (!r.accepted) {
      ++sum.rejected;
      if (rejects) {
        rejects->write_line(
            sinks::reject_json(number, r.rejection, bytes, full_size, cfg.output.reject_raw_limit));
      } else {
        obs::log().warn("line {}: rejected ({}): {}", number, core::to_string(r.rejection.reason), r.rejection.detail);
      }
      return;
    }
    out.write_line(r.event);
    m.event_published();
    ++sum.events;
  };
  // The default counts the CPUs this process may use (its affinity and its cgroup's CPU
  // quota), not the machine's: a container limited to one CPU runs on one thread.
  const cpu_limit cpus = read_cpu_limit();
  const unsigned threads = opts.threads != 0 ? opts.threads : 1 + cpus.preparers();
  sum.threads = threads;
  std::optional<staged_pipeline<line_item>> staged;
  if (threads >= 2) staged.emplace(pipe, prepare_ahead, threads - 1);
  m.set_threads(cpus.usable(), threads - 1);
  const auto finish_one = [&](staged_pipeline<line_item>::slot& s) {
    emit(pipe.finish(s.story), s.item.payload, s.item.full_size, s.item.number);
  };

  line_item next{};
  for (;;) {
    if (reader.would_wait()) {
      // Streamed input with nothing more for now: everything read so far goes out, so no
      // story's event waits for the next story (or for the output's buffer to fill).
      if (staged) staged->drain(finish_one);
      out.flush();
      if (rejects) rejects->flush();
    }
    const auto ln = reader.next();
    if (!ln) break;
    ++sum.lines;
    if (show_progress && (sum.lines & 1023) == 0 &&
        std::chrono::steady_clock::now() - last_progress > std::chrono::milliseconds(250)) {
      last_progress = std::chrono::steady_clock::now();
      progress(false);
    }
    if (reload != nullptr && reload->exchange(false)) {
      if (staged) staged->drain(finish_one);  // the lines read so far finish on the old rules
      const auto problems = pipe.reload(cfg);
      if (problems.empty()) obs::log().info("rules reloaded from {}", cfg.enrich.rules_dir);
      else obs::log().error("rules reload refused, keeping the old rules: {}", problems.front());
    }
    if (!staged) {
      emit(pipe.process(ln->bytes, ln->full_size), ln->bytes, ln->full_size, ln->number);
      continue;
    }
    // Whatever is ready goes out first, so the output keeps pace with the input.
    while (auto* s = staged->front(false)) {
      finish_one(*s);
      staged->pop();
    }
    if (staged->full()) {
      finish_one(*staged->front(true));
      staged->pop();
    }
    // Into the buffer of a line the ring has finished with (next comes back holding it).
    core::clear_for_reuse(next.payload);
    next.payload.assign(ln->bytes);
    next.full_size = ln->full_size;
    next.number = ln->number;
    staged->push_swap(next);
  }
  if (staged) staged->drain(finish_one);
  if (show_progress) progress(true);
  out.flush();
  if (rejects) rejects->flush();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace wirescan::app
