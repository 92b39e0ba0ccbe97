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

}  // namespace wirescan::obs
