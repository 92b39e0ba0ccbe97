#pragma once
// Strong types for Kafka coordinates. Partition and offset are distinct types so a
// partition number can never be written into an offset field (a bug one production
// Kafka engine shipped when both were plain integers).

#include <cstdint>
#include <string>

namespace wirescan::core {

struct partition_id {
  std::int32_t value{0};
  friend constexpr auto operator<=>(partition_id, partition_id) = default;
};

struct offset {
  std::int64_t value{0};
  friend constexpr auto operator<=>(offset, offset) = default;
};

// Where an input story came from; carried to sinks for headers and offset tracking.
struct source_position {
  std::string topic;
  partition_id partition;
  core::offset off;
};

}  // namespace wirescan::core
