#include "wirescan/ingest/kafka_stats.hpp"

#include <charconv>

#include <simdjson.h>

namespace wirescan::ingest {

std::optional<consumer_stats> parse_consumer_stats(std::string_view json) {
  // Statistics arrive every few seconds, not per story: the DOM parser is simplest here.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return std::nullopt;
  consumer_stats out;
  simdjson::dom::object topics;
  if (root["topics"].get_object().get(topics) == simdjson::SUCCESS) {
    for (auto [topic_name, topic] : topics) {
      simdjson::dom::object partitions;
      if (topic["partitions"].get_object().get(partitions) != simdjson::SUCCESS) continue;
      for (auto [pkey, p] : partitions) {
        std::int32_t id = -1;
        if (std::from_chars(pkey.data(), pkey.data() + pkey.size(), id).ec != std::errc{} || id < 0) continue;
        std::string_view state;
        if (p["fetch_state"].get_string().get(state) != simdjson::SUCCESS || state == "none" || state == "stopped") {
          continue;
        }
        std::int64_t lag = -1;
        if (p["consumer_lag"].get_int64().get(lag) != simdjson::SUCCESS || lag < 0) continue;
        out.lags.push_back({std::string(topic_name), core::partition_id{id}, lag});
      }
    }
  }
  simdjson::dom::object cgrp;
  if (root["cgrp"].get_object().get(cgrp) == simdjson::SUCCESS) {
    std::int64_t n = 0;
    if (cgrp["rebalance_cnt"].get_int64().get(n) == simdjson::SUCCESS) out.rebalances = n;
  }
  return out;
}

}  // namespace wirescan::ingest
