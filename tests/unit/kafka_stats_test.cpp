#include <catch2/catch_test_macros.hpp>

#include "wirescan/ingest/kafka_stats.hpp"

using wirescan::ingest::parse_consumer_stats;

TEST_CASE("reads consumer lag per fetched partition from librdkafka statistics", "[stats]") {
  // Trimmed from a real librdkafka 2.0.2 statistics event (STATISTICS.md field names).
  const auto s = parse_consumer_stats(R"({"name":"rdkafka#consumer-1","type":"consumer","msg_cnt":0,
    "topics":{"news.stories":{"topic":"news.stories","partitions":{
      "0":{"partition":0,"fetch_state":"active","consumer_lag":42,"consumer_lag_stored":40,"hi_offset":100},
      "1":{"partition":1,"fetch_state":"active","consumer_lag":0},
      "2":{"partition":2,"fetch_state":"none","consumer_lag":-1},
      "3":{"partition":3,"fetch_state":"active","consumer_lag":-1},
      "-1":{"partition":-1,"fetch_state":"none","consumer_lag":-1}}}},
    "cgrp":{"state":"up","join_state":"steady","rebalance_cnt":3,"assignment_size":2}})");
  REQUIRE(s.has_value());
  REQUIRE(s->lags.size() == 2);
  CHECK(s->lags[0].topic == "news.stories");
  CHECK(s->lags[0].partition.value == 0);
  CHECK(s->lags[0].lag == 42);
  CHECK(s->lags[1].lag == 0);
  CHECK(s->rebalances == 3);
}

TEST_CASE("refuses what is not statistics JSON", "[stats]") {
  CHECK_FALSE(parse_consumer_stats("not json").has_value());
  CHECK_FALSE(parse_consumer_stats("[1,2]").has_value());
  CHECK(parse_consumer_stats("{}")->lags.empty());
}
