#pragma once
// An in-process Kafka-protocol cluster (librdkafka's mock cluster) for `wirescan demo`
// and fault-injection experiments. Never used by the integration suite, which talks to a
// real broker. Lives as long as the object; clients connect to bootstraps().

#include <memory>
#include <string>

namespace wirescan::ingest {

class embedded_cluster {
 public:
  // Throws std::runtime_error when librdkafka cannot create the cluster.
  explicit embedded_cluster(int brokers = 1);
  ~embedded_cluster();
  embedded_cluster(const embedded_cluster&) = delete;
  embedded_cluster& operator=(const embedded_cluster&) = delete;

  [[nodiscard]] std::string bootstraps() const;
  void create_topic(const std::string& topic, int partitions);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wirescan::ingest
