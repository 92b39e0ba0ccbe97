#pragma once
// librdkafka's statistics JSON (STATISTICS.md), reduced to what the metric catalogue
// exports: consumer lag per fetched partition, and the group's rebalance count.
// Pure parsing with simdjson; unknown values (-1, -1001) and the internal partition -1
// are skipped, as are partitions this member does not fetch.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wirescan/core/kafka_types.hpp"

namespace wirescan::ingest {

struct partition_lag {
  std::string topic;
  core::partition_id partition;
  std::int64_t lag;  // high watermark (or last stable offset) minus the committed offset
};

struct consumer_stats {
  std::vector<partition_lag> lags;
  std::int64_t rebalances = 0;  // cgrp.rebalance_cnt
};

// nullopt when json is not librdkafka statistics.
[[nodiscard]] std::optional<consumer_stats> parse_consumer_stats(std::string_view json);

}  // namespace wirescan::ingest
