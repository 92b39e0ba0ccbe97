#pragma once
// Reads every partition of one topic from its beginning and keeps following it, outside any
// consumer group (no offsets are committed): how each wirescan instance rebuilds the novelty
// state from its compacted topic at start and then sees what the other instances add.
//
// Not thread-safe: one thread calls assign_partitions() until it succeeds, catch_up() once, then
// poll() as often as it likes.
// librdkafka types stay inside.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace wirescan::ingest {

class topic_follower {
 public:
  // props: librdkafka pass-through (security settings); group settings in it are ignored.
  // Throws std::runtime_error when the client cannot be created (a property librdkafka refuses).
  // Asks the cluster nothing: that is assign_partitions().
  topic_follower(const std::string& brokers, const std::string& topic, const std::map<std::string, std::string>& props);
  ~topic_follower();
  topic_follower(const topic_follower&) = delete;
  topic_follower& operator=(const topic_follower&) = delete;

  // Asks the cluster for the topic's partitions, waiting at most timeout, and reads each from its
  // beginning. Returns what went wrong (no answer, the topic unknown or without partitions), or
  // "" once done; after that, at once. Never throws for the cluster's sake, so a caller can wait
  // out a broker that stopped answering (run: live, unready, stopped by a signal at once).
  [[nodiscard]] std::string assign_partitions(std::chrono::milliseconds timeout);

  // Hands fn every record up to the end of each partition as it is when catch_up starts.
  // Returns false when timeout passes first, or keep_going (asked at least every 100 ms)
  // says to stop; what was read so far has been handed on.
  bool catch_up(const std::function<void(std::string_view)>& fn, std::chrono::milliseconds timeout,
                const std::function<bool()>& keep_going = [] { return true; });

  // Hands fn the records already fetched, without waiting. Returns how many.
  std::size_t poll(const std::function<void(std::string_view)>& fn);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace wirescan::ingest
