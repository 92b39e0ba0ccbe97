#include "enrich_command.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "wirescan/enrich/enricher.hpp"
#include "wirescan/ingest/decoder.hpp"
#include "wirescan/ingest/line_reader.hpp"
#include "wirescan/obs/log.hpp"
#include "wirescan/sinks/event_json.hpp"
#include "wirescan/sinks/file_sink.hpp"

namespace wirescan::app {
namespace {

core::epoch_ms wall_now() {
  using namespace std::chrono;
  return core::epoch_ms{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

struct file_closer {
  void operator()(std::FILE* f) const noexcept {
    if (f != stdin) std::fclose(f);
  }
};

}  // namespace

enrich_summary run_enrich(const enrich_options& opts, const config& cfg, obs::metrics& m) {
  std::unique_ptr<std::FILE, file_closer> in(opts.input == "-" ? stdin : std::fopen(opts.input.c_str(), "rb"));
  if (!in) throw std::runtime_error("cannot open " + opts.input + ": " + std::strerror(errno));
  sinks::file_sink out(opts.output);
  std::optional<sinks::file_sink> rejects;
  if (!opts.rejects.empty()) rejects.emplace(opts.rejects);

  // Keep a little more than the limit so an oversized story is recognised and quoted.
  ingest::line_reader reader(in.get(), cfg.decode.max_story_bytes + 1);
  ingest::decoder dec(cfg.decode);
  const enrich::enricher enr;
  sinks::event_writer writer;
  enrich_summary sum;
  const auto t0 = std::chrono::steady_clock::now();

  while (auto ln = reader.next()) {
    ++sum.lines;
    m.story_consumed();
    const auto start = std::chrono::steady_clock::now();
    const core::epoch_ms received = wall_now();
    auto story = dec.decode(ln->bytes, received, ln->full_size);
    if (!story) {
      ++sum.rejected;
      m.story_rejected(story.error().reason);
      if (rejects) {
        rejects->write_line(
            sinks::reject_json(ln->number, story.error(), ln->bytes, ln->full_size, cfg.output.reject_raw_limit));
      } else {
        obs::log().warn("line {}: rejected ({}): {}", ln->number, core::to_string(story.error().reason),
                        story.error().detail);
      }
      continue;
    }
    const core::findings found = enr.enrich(*story);
    m.count_findings(found);
    core::timing timing{received, wall_now(), 0};
    timing.processing_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    out.write_line(writer.write(*story, found, timing));
    m.observe_processing(static_cast<double>(timing.processing_us) / 1e6);
    m.event_published();
    ++sum.events;
  }
  out.flush();
  if (rejects) rejects->flush();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace wirescan::app
