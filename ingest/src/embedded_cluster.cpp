#include "wirescan/ingest/embedded_cluster.hpp"

#include <stdexcept>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace wirescan::ingest {

struct embedded_cluster::impl {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
};

embedded_cluster::embedded_cluster(int brokers) : impl_(std::make_unique<impl>()) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  impl_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (impl_->rk == nullptr) throw std::runtime_error(std::string("embedded cluster: ") + err);
  impl_->cluster = rd_kafka_mock_cluster_new(impl_->rk, brokers);
  if (impl_->cluster == nullptr) {
    rd_kafka_destroy(impl_->rk);
    throw std::runtime_error("embedded cluster: librdkafka could not start the mock cluster");
  }
}

embedded_cluster::~embedded_cluster() {
  rd_kafka_mock_cluster_destroy(impl_->cluster);
  rd_kafka_destroy(impl_->rk);
}

std::string embedded_cluster::bootstraps() const { return rd_kafka_mock_cluster_bootstraps(impl_->cluster); }

void embedded_cluster::create_topic(const std::string& topic, int partitions) {
  if (const auto e = rd_kafka_mock_topic_create(impl_->cluster, topic.c_str(), partitions, 1)) {
    throw std::runtime_error("embedded cluster: create " + topic + ": " + rd_kafka_err2str(e));
  }
}

}  // namespace wirescan::ingest
