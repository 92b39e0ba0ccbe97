#include "kafka.hpp"

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <sys/file.h>
#include <unistd.h>

namespace wirescan::test {
namespace {

struct rk_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

rd_kafka_conf_t* base_conf(const std::map<std::string, std::string>& extra = {}) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error("test client property " + k + ": " + err);
    }
  };
  set("bootstrap.servers", broker_bootstrap());
  set("log_level", "3");
  for (const auto& [k, v] : extra) set(k, v);
  return conf;
}

rk_ptr make(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
  return rk_ptr(rk);
}

std::string broker_script() { return std::string(WIRESCAN_SOURCE_DIR) + "/tests/broker/broker.sh"; }

}  // namespace

std::string broker_env(const std::string& key) {
  std::ifstream env(std::string(WIRESCAN_BROKER_DIR) + "/env");
  std::string line;
  while (std::getline(env, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  throw std::runtime_error("no " + key + " from the test broker: run the integration tests through ctest "
                           "(fixture 'broker')");
}

std::string broker_bootstrap() { return broker_env("BOOTSTRAP"); }

proxied_listener::proxied_listener() {
  constexpr int listeners = 3;  // tests/broker/broker.sh
  for (;;) {
    for (int n = 1; n <= listeners; ++n) {
      const std::string lock = std::string(WIRESCAN_BROKER_DIR) + "/proxied-" + std::to_string(n) + ".lock";
      const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) throw std::runtime_error("cannot open " + lock + ": " + std::strerror(errno));
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        fd_ = fd;
        proxy_port_ = std::stoi(broker_env("PROXY_PORT_" + std::to_string(n)));
        target_port_ = std::stoi(broker_env("PROXY_TARGET_PORT_" + std::to_string(n)));
        return;
      }
      ::close(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

proxied_listener::~proxied_listener() { ::close(fd_); }  // and with it the flock

namespace {

// One admin request on a client of its own: submit sends it to the queue given; results reads
// the answer's per-resource error, if any. The event's own error, or none within 30 s, wins.
std::string admin_request(const std::function<void(rd_kafka_t*, rd_kafka_queue_t*)>& submit,
                          const std::function<std::string(rd_kafka_event_t*)>& results) {
  auto rk = make(RD_KAFKA_PRODUCER, base_conf());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
  submit(rk.get(), q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  std::string failure = ev == nullptr ? "timed out" : "";
  if (ev != nullptr) {
    failure = rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev) : results(ev);
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  return failure;
}

}  // namespace

void deny_all_on_topic(const std::string& topic, const std::string& principal) {
  char err[512];
  rd_kafka_AclBinding_t* acl = rd_kafka_AclBinding_new(
      RD_KAFKA_RESOURCE_TOPIC, topic.c_str(), RD_KAFKA_RESOURCE_PATTERN_LITERAL, principal.c_str(), "*",
      RD_KAFKA_ACL_OPERATION_ALL, RD_KAFKA_ACL_PERMISSION_TYPE_DENY, err, sizeof err);
  if (acl == nullptr) throw std::runtime_error(std::string("ACL binding: ") + err);
  const auto failure = admin_request(
      [&](rd_kafka_t* rk, rd_kafka_queue_t* q) { rd_kafka_CreateAcls(rk, &acl, 1, nullptr, q); },
      [](rd_kafka_event_t* ev) {
        std::string f;
        size_t n = 0;
        const auto** results = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
        for (size_t i = 0; i < n; ++i) {
          if (const auto* e = rd_kafka_acl_result_error(results[i])) f = rd_kafka_error_string(e);
        }
        return f;
      });
  rd_kafka_AclBinding_destroy(acl);
  if (!failure.empty()) throw std::runtime_error("create ACL on " + topic + ": " + failure);
}

void set_topic_config(const std::string& topic, const std::string& key, const std::string& value) {
  rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  std::string failure;
  if (rd_kafka_ConfigResource_set_config(res, key.c_str(), value.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure = "cannot set " + key;
  } else {
    failure = admin_request(
        [&](rd_kafka_t* rk, rd_kafka_queue_t* q) { rd_kafka_AlterConfigs(rk, &res, 1, nullptr, q); },
        [](rd_kafka_event_t* ev) {
          std::string f;
          size_t n = 0;
          const auto** results = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
          for (size_t i = 0; i < n; ++i) {
            if (rd_kafka_ConfigResource_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
              f = rd_kafka_ConfigResource_error_string(results[i]);
            }
          }
          return f;
        });
  }
  rd_kafka_ConfigResource_destroy(res);
  if (!failure.empty()) throw std::runtime_error("set " + key + " on " + topic + ": " + failure);
}

void broker_stop() {
  if (std::system(("bash " + broker_script() + " stop " + WIRESCAN_BROKER_DIR).c_str()) != 0) {
    throw std::runtime_error("broker.sh stop failed");
  }
}

void broker_restart() {
  if (std::system(("bash " + broker_script() + " restart " + WIRESCAN_BROKER_DIR + " >/dev/null").c_str()) != 0) {
    throw std::runtime_error("broker.sh restart failed");
  }
}

std::string unique_name(const std::string& prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  return prefix + "-" + std::to_string(rng() % 1'000'000'000);
}

namespace {

// One CreateTopics request; the error's code and text, RD_KAFKA_RESP_ERR__TIMED_OUT if no answer.
std::pair<rd_kafka_resp_err_t, std::string> create_topic_once(const std::string& topic, int partitions,
                                                               const std::map<std::string, std::string>& configs) {
  auto rk = make(RD_KAFKA_PRODUCER, base_conf());
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
  rd_kafka_CreateTopics(rk.get(), &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  std::pair<rd_kafka_resp_err_t, std::string> failure{RD_KAFKA_RESP_ERR_NO_ERROR, ""};
  if (ev == nullptr) {
    failure = {RD_KAFKA_RESP_ERR__TIMED_OUT, "timed out"};
  } else {
    const auto* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    if (rd_kafka_event_error(ev)) failure = {rd_kafka_event_error(ev), rd_kafka_event_error_string(ev)};
    for (size_t i = 0; i < n; ++i) {
      if (const auto e = rd_kafka_topic_result_error(results[i])) {
        failure = {e, rd_kafka_topic_result_error_string(results[i])};
      }
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  return failure;
}

}  // namespace

void create_topic(const std::string& topic, int partitions, const std::map<std::string, std::string>& configs) {
  // The one-node broker fences itself for a moment when a loaded machine delays its heartbeat to
  // its own controller ("Unable to replicate the partition 1 time(s): All brokers are currently
  // fenced", two tests in CI44); that, and no answer, are waited out for a minute. A retry
  // after a request that did land finds the (uniquely named) topic there.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (bool retry = false;; retry = true) {
    const auto [code, failure] = create_topic_once(topic, partitions, configs);
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR || (retry && code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)) return;
    const bool transient =
        code == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR || code == RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (!transient || std::chrono::steady_clock::now() >= until) {
      throw std::runtime_error("create topic " + topic + ": " + failure);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void produce(const std::string& topic, const std::vector<std::pair<int, std::string>>& messages, bool odd_unkeyed,
             double per_second) {
  // message.max.bytes: room for the hostile corpus's 16 MB story (the topic must allow it too).
  auto conf = base_conf({{"linger.ms", per_second > 0 ? "0" : "20"},
                         {"enable.idempotence", "true"},
                         {"message.max.bytes", "33554432"}});
  static std::atomic<int> failures{0};
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->err) ++failures;
  });
  auto rk = make(RD_KAFKA_PRODUCER, conf);
  failures = 0;
  std::size_t i = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [partition, value] : messages) {
    if (per_second > 0) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                std::chrono::duration<double>(static_cast<double>(i) / per_second)));
    }
    const bool keyed = !odd_unkeyed || i % 2 == 0;
    const std::string key = std::to_string(i++);
    for (;;) {
// librdkafka's RD_KAFKA_V_* macros expand to C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
      const auto e = rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                                       RD_KAFKA_V_KEY(keyed ? key.data() : nullptr, keyed ? key.size() : 0),
                                       RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) throw std::runtime_error(rd_kafka_err2str(e));
      rd_kafka_poll(rk.get(), 50);
    }
    rd_kafka_poll(rk.get(), 0);
  }
  rd_kafka_flush(rk.get(), 60000);
  if (rd_kafka_outq_len(rk.get()) != 0 || failures != 0) throw std::runtime_error("test produce failed");
}

std::vector<record> consume(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout,
                            std::chrono::milliseconds settle) {
  auto rk = make(RD_KAFKA_CONSUMER, base_conf({{"group.id", unique_name("test-reader")},
                                                {"auto.offset.reset", "earliest"},
                                                {"enable.auto.commit", "false"},
                                                {"isolation.level", "read_committed"}}));
  rd_kafka_poll_set_consumer(rk.get());
  rd_kafka_topic_partition_list_t* subs = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subs, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk.get(), subs);
  rd_kafka_topic_partition_list_destroy(subs);
  std::vector<record> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto settle_until = std::chrono::steady_clock::time_point::max();
  while (std::chrono::steady_clock::now() < std::min(deadline, settle_until)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      record r;
      r.topic = topic;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* hs = nullptr;
      if (rd_kafka_message_headers(m, &hs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* val = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(hs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
          r.headers[name] = std::string(static_cast<const char*>(val), size);
        }
      }
      out.push_back(std::move(r));
      if (out.size() == count) settle_until = std::chrono::steady_clock::now() + settle;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

std::map<int, std::int64_t> committed_offsets(const std::string& group, const std::string& topic, int partitions) {
  auto rk = make(RD_KAFKA_CONSUMER, base_conf({{"group.id", group}}));
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  std::map<int, std::int64_t> out;
  if (rd_kafka_committed(rk.get(), list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(rk.get());
  return out;
}

}  // namespace wirescan::test
