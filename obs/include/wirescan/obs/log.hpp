#pragma once
// The logging facade: one spdlog logger named "wirescan", writing to stderr so stdout
// stays free for events. Call init() once at start; log() is safe from any thread.
// Never pass secrets here: config printing goes through the redacting printer in app/.

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace wirescan::obs {

// level: trace, debug, info, warn, error, critical or off. Throws std::invalid_argument
// on an unknown level.
void init_logging(std::string_view level);

[[nodiscard]] spdlog::logger& log();

// Maps a syslog severity (0 emergency .. 7 debug, as librdkafka reports) to a log level:
// errors stay errors, warnings stay warnings, the chatter below becomes debug.
[[nodiscard]] constexpr spdlog::level::level_enum level_from_syslog(int severity) noexcept {
  return severity <= 3 ? spdlog::level::err : severity == 4 ? spdlog::level::warn : spdlog::level::debug;
}

}  // namespace wirescan::obs
