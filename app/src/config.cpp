#include "config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace wirescan::app {
namespace {

std::string join(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : "\n") + x;
  return s;
}

class reader {
 public:
  std::vector<std::string> problems;

  // Records every key of node that is not in allowed.
  void only(const YAML::Node& node, const std::string& where, std::set<std::string> allowed) {
    if (!node) return;
    if (!node.IsMap()) {
      problems.push_back(where + ": must be a mapping");
      return;
    }
    for (const auto& kv : node) {
      const auto k = kv.first.as<std::string>();
      if (!allowed.count(k)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        problems.push_back(where + "." + k + ": unknown key (expected one of: " + list + ")");
      }
    }
  }

  template <class T>
  void get(const YAML::Node& node, const std::string& where, T& out) {
    if (!node) return;
    try {
      if (!node.IsScalar()) throw YAML::TypedBadConversion<T>(node.Mark());
      const std::string text = interpolate(node.Scalar(), problems);
      if constexpr (std::is_same_v<T, std::string>) {
        out = text;
      } else {
        out = YAML::Node(text).as<T>();
      }
    } catch (const YAML::Exception&) {
      problems.push_back(where + ": expected " + kind<T>() + " at line " + std::to_string(node.Mark().line + 1));
    }
  }

  template <class T>
  void positive(const YAML::Node& node, const std::string& where, T& out, T max) {
    T v = out;
    get(node, where, v);
    if (node && (v <= 0 || v > max)) {
      problems.push_back(where + ": must be between 1 and " + std::to_string(max));
      return;
    }
    out = v;
  }

  // "auto" (out stays unset) or a number from min to max.
  void auto_or(const YAML::Node& node, const std::string& where, std::optional<std::size_t>& out, std::size_t min,
               std::size_t max) {
    if (!node || (node.IsScalar() && node.Scalar() == "auto")) return;
    std::size_t v = 0;
    const auto before = problems.size();
    get(node, where, v);
    if (problems.size() != before) return;
    if (v < min || v > max) {
      problems.push_back(where + ": must be auto or between " + std::to_string(min) + " and " + std::to_string(max));
      return;
    }
    out = v;
  }

 private:
  template <class T>
  static std::string kind() {
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    else if constexpr (std::is_integral_v<T>) return "an integer";
    else return "a value";
  }
};

// Reads a librdkafka pass-through map; keys that a typed option owns are errors.
void read_properties(reader& r, const YAML::Node& node, const std::string& where,
                     const std::set<std::string>& owned, std::map<std::string, std::string>& out) {
  if (!node) return;
  if (!node.IsMap()) {
    r.problems.push_back(where + ": must be a mapping of librdkafka property to value");
    return;
  }
  for (const auto& kv : node) {
    const auto k = kv.first.as<std::string>();
    if (owned.count(k)) {
      r.problems.push_back(where + "." + k + ": set by a typed option of wirescan; remove it here");
      continue;
    }
    std::string v;
    r.get(kv.second, where + "." + k, v);
    out[k] = v;
  }
}

void read_novelty(reader& r, const YAML::Node& n, config& c) {
  r.only(n, "novelty",
         {"enabled", "window_minutes", "max_entries", "rewrite_threshold", "duplicate_threshold", "decay", "persist",
          "state_topic", "state_batch", "suppress"});
  if (!n || !n.IsMap()) return;
  auto& nv = c.novelty;
  r.get(n["enabled"], "novelty.enabled", nv.enabled);
  r.positive<int>(n["window_minutes"], "novelty.window_minutes", nv.window_minutes, 30 * 1440);
  r.positive<std::size_t>(n["max_entries"], "novelty.max_entries", nv.max_entries, 100000000);
  for (const auto& [key, field] : {std::pair{"rewrite_threshold", &nv.rewrite_threshold},
                                   std::pair{"duplicate_threshold", &nv.duplicate_threshold}, std::pair{"decay", &nv.decay}}) {
    r.get(n[key], std::string("novelty.") + key, *field);
    if (*field <= 0.0 || *field > 1.0) r.problems.push_back(std::string("novelty.") + key + ": must be in (0, 1]");
  }
  if (nv.duplicate_threshold < nv.rewrite_threshold) {
    r.problems.push_back("novelty.duplicate_threshold: must not be below novelty.rewrite_threshold");
  }
  r.get(n["persist"], "novelty.persist", nv.persist);
  r.get(n["state_topic"], "novelty.state_topic", nv.state_topic);
  r.positive<std::size_t>(n["state_batch"], "novelty.state_batch", nv.state_batch, 10000);
  const auto sup = n["suppress"];
  r.only(sup, "novelty.suppress", {"kafka", "file"});
  if (!sup || !sup.IsMap()) return;
  for (const auto& [key, list] : {std::pair{"kafka", &nv.suppress_kafka}, std::pair{"file", &nv.suppress_file}}) {
    const auto kinds = sup[key];
    if (!kinds) continue;
    const std::string where = std::string("novelty.suppress.") + key;
    if (!kinds.IsSequence()) {
      r.problems.push_back(where + ": must be a list of kinds (update, duplicate, rewrite)");
      continue;
    }
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      std::string kind;
      r.get(kinds[i], where + "[" + std::to_string(i) + "]", kind);
      if (kind != "update" && kind != "duplicate" && kind != "rewrite") {
        r.problems.push_back(where + ": '" + kind + "' is not update, duplicate or rewrite (new stories are always published)");
      }
      list->push_back(kind);
    }
  }
}

}  // namespace

std::string interpolate(const std::string& s, std::vector<std::string>& problems) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    if (s[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (s[i + 1] != '{') {
      out += s[i];
      continue;
    }
    const auto close = s.find('}', i + 2);
    if (close == std::string::npos) {
      problems.push_back("unterminated ${ in '" + s + "'");
      return s;
    }
    const std::string inner = s.substr(i + 2, close - i - 2);
    const auto dflt = inner.find(":-");
    const std::string name = inner.substr(0, dflt);
    const char* value = std::getenv(name.c_str());
    if (value != nullptr && *value != '\0') {
      out += value;
    } else if (dflt != std::string::npos) {
      out += inner.substr(dflt + 2);
    } else {
      problems.push_back("environment variable " + name + " is not set and has no default");
    }
    i = close;
  }
  return out;
}

bool is_secret_property(const std::string& key) {
  for (const char* word : {"password", "secret", "key", "token", "jaas", "credential"}) {
    if (key.find(word) != std::string::npos && key.find("location") == std::string::npos) return true;
  }
  return false;
}

config_error::config_error(std::vector<std::string> p) : std::runtime_error(join(p)), problems(std::move(p)) {}

namespace {
config read_config(const YAML::Node& root);
}  // namespace

config load_config(const std::string& path) {
  if (path.empty()) return config{};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error({path + ": cannot read file"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

config parse_config(const std::string& text, const std::string& path) {
  config c;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw config_error({path + ": " + e.what()});
  }
  if (root.IsNull()) return c;
  if (!root.IsMap()) throw config_error({path + ": must be a mapping of settings (found a scalar or a list)"});
  try {
    return read_config(root);
  } catch (const YAML::Exception& e) {
    // A node of an unexpected shape somewhere the readers did not check (the config fuzzer
    // looks for these): still a config problem, never a crash.
    throw config_error({path + ": " + e.what()});
  }
}

namespace {

config read_config(const YAML::Node& root) {
  config c;
  reader r;
  r.only(root, "config", {"log_level", "ingest", "enrich", "output", "kafka", "http", "novelty"});
  const auto en = root["enrich"];
  r.only(en, "enrich", {"rules_dir", "body_scan_bytes", "source_weights", "policy_likelihood", "likelihood_threshold"});
  if (en && en.IsMap()) {
    r.get(en["rules_dir"], "enrich.rules_dir", c.enrich.rules_dir);
    r.positive<std::size_t>(en["body_scan_bytes"], "enrich.body_scan_bytes", c.enrich.body_scan_bytes, 1U << 20);
    r.get(en["policy_likelihood"], "enrich.policy_likelihood", c.enrich.policy_likelihood);
    r.get(en["likelihood_threshold"], "enrich.likelihood_threshold", c.enrich.likelihood_threshold);
    if (!(c.enrich.likelihood_threshold > 0.0 && c.enrich.likelihood_threshold <= 1.0)) {
      r.problems.push_back("enrich.likelihood_threshold: must be in (0, 1]");
    }
    if (const auto w = en["source_weights"]; w) {
      if (!w.IsMap()) {
        r.problems.push_back("enrich.source_weights: must map a source name to a weight");
      } else {
        for (const auto& kv : w) {
          double v = 1.0;
          r.get(kv.second, "enrich.source_weights." + kv.first.as<std::string>(), v);
          if (v < 0 || v > 2) r.problems.push_back("enrich.source_weights." + kv.first.as<std::string>() + ": must be 0..2");
          c.enrich.source_weights[kv.first.as<std::string>()] = v;
        }
      }
    }
  }
  const auto http = root["http"];
  r.only(http, "http", {"listen", "enabled", "basic_auth"});
  if (http && http.IsMap()) {
    r.get(http["listen"], "http.listen", c.http.listen);
    r.get(http["enabled"], "http.enabled", c.http.enabled);
    if (const auto auth = http["basic_auth"]; auth) {
      r.only(auth, "http.basic_auth", {"username", "password"});
      r.get(auth["username"], "http.basic_auth.username", c.http.username);
      r.get(auth["password"], "http.basic_auth.password", c.http.password);
      if (c.http.username.empty() != c.http.password.empty()) {
        r.problems.push_back("http.basic_auth: set both username and password, or neither");
      }
    }
    const auto colon = c.http.listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == c.http.listen.size()) {
      r.problems.push_back("http.listen: '" + c.http.listen + "' must be host:port");
    }
  }
  if (!root.IsMap()) throw config_error(std::move(r.problems));

  r.get(root["log_level"], "log_level", c.log_level);
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!levels.count(c.log_level)) r.problems.push_back("log_level: '" + c.log_level + "' is not a log level");

  const auto in = root["ingest"];
  r.only(in, "ingest",
         {"preset", "fields", "ticker_item", "required", "max_story_bytes", "max_depth", "max_tickers",
          "max_future_skew_seconds"});
  if (in && in.IsMap()) {
    r.get(in["preset"], "ingest.preset", c.preset);
    if (auto m = ingest::field_map::preset(c.preset)) {
      c.decode.mapping = *m;
    } else {
      std::string names;
      for (auto n : ingest::field_map::preset_names()) names += (names.empty() ? "" : ", ") + std::string(n);
      r.problems.push_back("ingest.preset: unknown preset '" + c.preset + "' (expected one of: " + names + ")");
    }
    if (const auto fields = in["fields"]; fields) {
      if (!fields.IsMap()) r.problems.push_back("ingest.fields: must be a mapping of field name to JSON pointer");
      else
        for (const auto& kv : fields) {
          const auto name = kv.first.as<std::string>();
          const auto f = ingest::field_from_string(name);
          if (!f) {
            r.problems.push_back("ingest.fields." + name + ": unknown field");
            continue;
          }
          r.get(kv.second, "ingest.fields." + name, c.decode.mapping.pointers[static_cast<std::size_t>(*f)]);
        }
    }
    r.get(in["ticker_item"], "ingest.ticker_item", c.decode.mapping.ticker_item);
    if (const auto req = in["required"]; req) {
      if (!req.IsSequence()) {
        r.problems.push_back("ingest.required: must be a list of field names");
      } else {
        c.decode.mapping.required = {};
        for (const auto& n : req) {
          const auto name = n.as<std::string>();
          if (const auto f = ingest::field_from_string(name)) {
            c.decode.mapping.required[static_cast<std::size_t>(*f)] = true;
          } else {
            r.problems.push_back("ingest.required: unknown field '" + name + "'");
          }
        }
      }
    }
    r.positive<std::size_t>(in["max_story_bytes"], "ingest.max_story_bytes", c.decode.max_story_bytes, 64U << 20);
    r.positive<std::size_t>(in["max_depth"], "ingest.max_depth", c.decode.max_depth, 1000);
    r.positive<std::size_t>(in["max_tickers"], "ingest.max_tickers", c.decode.max_tickers, 100000);
    std::int64_t skew = c.decode.max_future_skew_ms / 1000;
    r.positive<std::int64_t>(in["max_future_skew_seconds"], "ingest.max_future_skew_seconds", skew, 365LL * 86400);
    c.decode.max_future_skew_ms = skew * 1000;
  }
  for (auto& p : ingest::validate(c.decode.mapping)) r.problems.push_back("ingest: " + p);

  const auto out = root["output"];
  r.only(out, "output", {"reject_raw_limit"});
  if (out && out.IsMap()) {
    r.positive<std::size_t>(out["reject_raw_limit"], "output.reject_raw_limit", c.output.reject_raw_limit, 64U << 20);
  }
  const auto k = root["kafka"];
  r.only(k, "kafka",
         {"brokers", "group_id", "input_topics", "output_topic", "dead_letter_topic", "key", "delivery",
          "drain_timeout_ms", "shutdown_delay_ms", "stall_timeout_ms", "transactional_id", "transaction_interval_ms", "prepare_ahead",
          "prepare_threads", "consumer", "producer"});
  if (k && k.IsMap()) {
    r.get(k["brokers"], "kafka.brokers", c.kafka.brokers);
    r.get(k["group_id"], "kafka.group_id", c.kafka.group_id);
    if (const auto topics = k["input_topics"]; topics) {
      c.kafka.input_topics.clear();
      if (topics.IsSequence()) {
        for (std::size_t i = 0; i < topics.size(); ++i) {
          std::string t;
          r.get(topics[i], "kafka.input_topics[" + std::to_string(i) + "]", t);
          c.kafka.input_topics.push_back(t);
        }
      } else {
        std::string t;
        r.get(topics, "kafka.input_topics", t);
        c.kafka.input_topics.push_back(t);
      }
    }
    r.get(k["output_topic"], "kafka.output_topic", c.kafka.output_topic);
    r.get(k["dead_letter_topic"], "kafka.dead_letter_topic", c.kafka.dead_letter_topic);
    std::string key = "story_id";
    r.get(k["key"], "kafka.key", key);
    if (key == "story_id") c.kafka.key = key_mode::story_id;
    else if (key == "primary_ticker") c.kafka.key = key_mode::primary_ticker;
    else r.problems.push_back("kafka.key: '" + key + "' is not story_id or primary_ticker");
    std::string delivery = "at_least_once";
    r.get(k["delivery"], "kafka.delivery", delivery);
    if (delivery == "at_least_once") c.kafka.delivery = delivery_mode::at_least_once;
    else if (delivery == "exactly_once") c.kafka.delivery = delivery_mode::exactly_once;
    else r.problems.push_back("kafka.delivery: '" + delivery + "' is not at_least_once or exactly_once");
    r.positive<int>(k["drain_timeout_ms"], "kafka.drain_timeout_ms", c.kafka.drain_timeout_ms, 600000);
    r.get(k["shutdown_delay_ms"], "kafka.shutdown_delay_ms", c.kafka.shutdown_delay_ms);
    if (c.kafka.shutdown_delay_ms < 0 || c.kafka.shutdown_delay_ms > 600000) {
      r.problems.push_back("kafka.shutdown_delay_ms: must be between 0 and 600000");
    }
    r.get(k["stall_timeout_ms"], "kafka.stall_timeout_ms", c.kafka.stall_timeout_ms);
    if (c.kafka.stall_timeout_ms < 0 || c.kafka.stall_timeout_ms > 3600000) {
      r.problems.push_back("kafka.stall_timeout_ms: must be between 0 (never) and 3600000");
    }
    r.get(k["transactional_id"], "kafka.transactional_id", c.kafka.transactional_id);
    r.positive<int>(k["transaction_interval_ms"], "kafka.transaction_interval_ms", c.kafka.transaction_interval_ms,
                    60000);
    r.auto_or(k["prepare_ahead"], "kafka.prepare_ahead", c.kafka.prepare_ahead, 0, 4096);
    r.auto_or(k["prepare_threads"], "kafka.prepare_threads", c.kafka.prepare_threads, 1,
              kafka_config::max_prepare_threads);
    read_properties(r, k["consumer"], "kafka.consumer", {"bootstrap.servers", "group.id", "enable.auto.offset.store"},
                    c.kafka.consumer);
    // Under at_least_once librdkafka's auto-commit is how the offsets wirescan stores (only
    // past delivered stories) reach the group; turned off, they would be committed only at a
    // clean stop, and a crash would re-read everything since the start. Under exactly_once the
    // offsets go in the transactions and wirescan turns it off itself.
    if (c.kafka.consumer.erase("enable.auto.commit") != 0) {
      r.problems.push_back("kafka.consumer.enable.auto.commit: set by kafka.delivery (on under at_least_once, where it "
                           "commits the offsets of delivered stories; off under exactly_once); remove it here");
    }
    read_properties(r, k["producer"], "kafka.producer", {"bootstrap.servers", "transactional.id"}, c.kafka.producer);
  }
  if (c.kafka.brokers.empty()) r.problems.push_back("kafka.brokers: must not be empty");
  if (c.kafka.input_topics.empty()) r.problems.push_back("kafka.input_topics: name at least one topic");
  for (const auto& t : c.kafka.input_topics) {
    if (t.empty()) r.problems.push_back("kafka.input_topics: a topic name is empty");
    if (t == c.kafka.output_topic || t == c.kafka.dead_letter_topic) {
      r.problems.push_back("kafka.input_topics: '" + t + "' is also an output; wirescan would read its own events");
    }
  }
  read_novelty(r, root["novelty"], c);
  if (c.novelty.persist && c.novelty.enabled) {
    const auto t = c.novelty.topic(c.kafka.group_id);
    if (t == c.kafka.output_topic || t == c.kafka.dead_letter_topic ||
        std::find(c.kafka.input_topics.begin(), c.kafka.input_topics.end(), t) != c.kafka.input_topics.end()) {
      r.problems.push_back("novelty.state_topic: '" + t + "' is also an input or output topic");
    }
  }
  if (c.kafka.output_topic.empty()) r.problems.push_back("kafka.output_topic: must not be empty");
  if (c.kafka.dead_letter_topic.empty()) r.problems.push_back("kafka.dead_letter_topic: must not be empty");
  if (!r.problems.empty()) throw config_error(std::move(r.problems));
  return c;
}

}  // namespace

std::vector<std::string> config_advice(const config& c) {
  // librdkafka 2.0.2 stops fetching a partition for a whole second whenever its prefetch queue
  // holds queued.min.messages messages or queued.max.messages.kbytes (librdkafka #2879;
  // fetch.queue.backoff.ms, which shortens the pause, came in 2.2.0). While stories back up,
  // a limit smaller than a second of input caps the input at a few times the limit a second
  // (each partition pauses on its own, and a fetch overshoots the limit), for a bare
  // consume-produce pipe as for wirescan (docs/performance.md, partitions and memory). The
  // thresholds are about a second of one instance's input on two cores.
  struct limit {
    const char* key;
    long below;
    const char* unit;
  };
  static constexpr std::array<limit, 2> limits{{{"queued.max.messages.kbytes", 32768, "KiB"},
                                                 {"queued.min.messages", 20000, "stories per partition"}}};
  std::vector<std::string> advice;
  // The producer's durability. Offsets are committed once a story's event (or dead letter) is
  // reported delivered; these settings make "delivered" mean less than "on the brokers".
  // librdkafka reads a boolean as true/t/1 or false/f/0 in any case, acks as all or -1..1000.
  const auto property = [&](std::initializer_list<const char*> names) -> std::optional<std::string> {
    std::optional<std::string> v;
    for (const char* n : names) {  // the last one set wins, as in librdkafka (acks is an alias)
      if (const auto it = c.kafka.producer.find(n); it != c.kafka.producer.end()) v = it->second;
    }
    return v;
  };
  if (const auto acks = property({"request.required.acks", "acks"}); acks && (*acks == "0" || *acks == "1")) {
    advice.push_back(fmt::format(
        "kafka.producer.acks: {} counts an event delivered {}, and its story's offset is then committed: {} loses the "
        "event for good; keep acks=all (the default) for at-least-once delivery",
        *acks, *acks == "0" ? "as soon as it is sent, before any broker has it" : "once the partition leader has it",
        *acks == "0" ? "a lost connection or a failed broker" : "a leader that fails before a follower copies it"));
  }
  if (const auto idem = property({"enable.idempotence"}); idem) {
    std::string v = *idem;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (v == "false" || v == "f" || v == "0") {
      advice.push_back("kafka.producer.enable.idempotence: false lets a retried produce write an event twice, or out "
                       "of order within its partition; keep it true (the default)");
    }
  }
  for (const auto& l : limits) {
    const auto it = c.kafka.consumer.find(l.key);
    if (it == c.kafka.consumer.end()) continue;
    long v = 0;
    const auto* end = it->second.data() + it->second.size();
    if (std::from_chars(it->second.data(), end, v).ptr != end || v >= l.below) continue;
    advice.push_back(fmt::format("kafka.consumer.{}: {} {} is less than a second of input: librdkafka 2.0.2 stops "
                                 "fetching a partition for a second each time its prefetch queue reaches this limit "
                                 "(librdkafka #2879), which caps input, while stories back up, at a few times the "
                                 "limit a second; keep at least a second of input ({} or more)",
                                 l.key, v, l.unit, l.below));
  }
  return advice;
}

std::string print_config(const config& c) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "log_level" << YAML::Value << c.log_level;
  e << YAML::Key << "ingest" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "preset" << YAML::Value << c.preset;
  e << YAML::Key << "fields" << YAML::Value << YAML::BeginMap;
  for (auto f : ingest::all_fields) {
    e << YAML::Key << std::string(ingest::to_string(f)) << YAML::Value << c.decode.mapping.pointer(f);
  }
  e << YAML::EndMap;
  e << YAML::Key << "ticker_item" << YAML::Value << c.decode.mapping.ticker_item;
  e << YAML::Key << "required" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (auto f : ingest::all_fields) {
    if (c.decode.mapping.is_required(f)) e << std::string(ingest::to_string(f));
  }
  e << YAML::EndSeq;
  e << YAML::Key << "max_story_bytes" << YAML::Value << c.decode.max_story_bytes;
  e << YAML::Key << "max_depth" << YAML::Value << c.decode.max_depth;
  e << YAML::Key << "max_tickers" << YAML::Value << c.decode.max_tickers;
  e << YAML::Key << "max_future_skew_seconds" << YAML::Value << c.decode.max_future_skew_ms / 1000;
  e << YAML::EndMap;
  e << YAML::Key << "enrich" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "rules_dir" << YAML::Value << c.enrich.rules_dir;
  e << YAML::Key << "body_scan_bytes" << YAML::Value << c.enrich.body_scan_bytes;
  e << YAML::Key << "policy_likelihood" << YAML::Value << c.enrich.policy_likelihood;
  e << YAML::Key << "likelihood_threshold" << YAML::Value << c.enrich.likelihood_threshold;
  e << YAML::Key << "source_weights" << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : c.enrich.source_weights) e << YAML::Key << k << YAML::Value << v;
  e << YAML::EndMap << YAML::EndMap;
  e << YAML::Key << "kafka" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "brokers" << YAML::Value << c.kafka.brokers;
  e << YAML::Key << "group_id" << YAML::Value << c.kafka.group_id;
  e << YAML::Key << "input_topics" << YAML::Value << YAML::Flow << c.kafka.input_topics;
  e << YAML::Key << "output_topic" << YAML::Value << c.kafka.output_topic;
  e << YAML::Key << "dead_letter_topic" << YAML::Value << c.kafka.dead_letter_topic;
  e << YAML::Key << "key" << YAML::Value << (c.kafka.key == key_mode::story_id ? "story_id" : "primary_ticker");
  e << YAML::Key << "delivery" << YAML::Value
    << (c.kafka.delivery == delivery_mode::at_least_once ? "at_least_once" : "exactly_once");
  e << YAML::Key << "drain_timeout_ms" << YAML::Value << c.kafka.drain_timeout_ms;
  e << YAML::Key << "shutdown_delay_ms" << YAML::Value << c.kafka.shutdown_delay_ms;
  e << YAML::Key << "stall_timeout_ms" << YAML::Value << c.kafka.stall_timeout_ms;
  e << YAML::Key << "transactional_id" << YAML::Value << c.kafka.transactional_id;
  e << YAML::Key << "transaction_interval_ms" << YAML::Value << c.kafka.transaction_interval_ms;
  for (const auto& [key, value] : {std::pair{"prepare_ahead", c.kafka.prepare_ahead},
                                    std::pair{"prepare_threads", c.kafka.prepare_threads}}) {
    e << YAML::Key << key << YAML::Value << (value ? std::to_string(*value) : std::string("auto"));
  }
  for (const auto& [name, props] : {std::pair{"consumer", &c.kafka.consumer}, std::pair{"producer", &c.kafka.producer}}) {
    e << YAML::Key << name << YAML::Value << YAML::BeginMap;
    for (const auto& [pk, pv] : *props) e << YAML::Key << pk << YAML::Value << (is_secret_property(pk) ? "[redacted]" : pv);
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  e << YAML::Key << "http" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "listen" << YAML::Value << c.http.listen;
  e << YAML::Key << "enabled" << YAML::Value << c.http.enabled;
  if (!c.http.username.empty()) {
    e << YAML::Key << "basic_auth" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "username" << YAML::Value << c.http.username;
    e << YAML::Key << "password" << YAML::Value << "[redacted]";
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  e << YAML::Key << "novelty" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "enabled" << YAML::Value << c.novelty.enabled;
  e << YAML::Key << "window_minutes" << YAML::Value << c.novelty.window_minutes;
  e << YAML::Key << "max_entries" << YAML::Value << c.novelty.max_entries;
  e << YAML::Key << "rewrite_threshold" << YAML::Value << c.novelty.rewrite_threshold;
  e << YAML::Key << "duplicate_threshold" << YAML::Value << c.novelty.duplicate_threshold;
  e << YAML::Key << "decay" << YAML::Value << c.novelty.decay;
  e << YAML::Key << "persist" << YAML::Value << c.novelty.persist;
  e << YAML::Key << "state_topic" << YAML::Value << c.novelty.topic(c.kafka.group_id);
  e << YAML::Key << "state_batch" << YAML::Value << c.novelty.state_batch;
  e << YAML::Key << "suppress" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "kafka" << YAML::Value << YAML::Flow << c.novelty.suppress_kafka;
  e << YAML::Key << "file" << YAML::Value << YAML::Flow << c.novelty.suppress_file;
  e << YAML::EndMap << YAML::EndMap;
  e << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "reject_raw_limit" << YAML::Value << c.output.reject_raw_limit;
  e << YAML::EndMap;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace wirescan::app
