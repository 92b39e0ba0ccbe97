// The deployment files agree with the service: manifests render and point at the real
// endpoints, and every metric the dashboard and alerts query exists in the catalogue.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "config.hpp"
#include "process.hpp"
#include "run_command.hpp"
#include "schema.hpp"
#include "wirescan/obs/metrics.hpp"

namespace {

const std::string root = WIRESCAN_SOURCE_DIR;

std::vector<YAML::Node> rendered_manifests() {
  const std::string out = wirescan::test::make_temp_dir() + "/rendered.yaml";
  const std::string cmd = "kubectl kustomize '" + root + "/deploy/k8s' > " + out;
  REQUIRE(std::system(cmd.c_str()) == 0);
  return YAML::LoadAllFromFile(out);
}

// Metric names the catalogue declares, with the series suffixes histograms add.
std::set<std::string> catalogue() {
  std::set<std::string> names;
  for (const auto& n : wirescan::obs::metrics::names()) {
    names.insert(n);
    for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(n + suffix);
  }
  return names;
}

std::set<std::string> metric_names(const std::string& expr) {
  static const std::regex name(R"(\bwirescan_[a-z_]+)");
  std::set<std::string> out;
  for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) out.insert(it->str());
  return out;
}

}  // namespace

TEST_CASE("the Kubernetes manifests render and probe the real endpoints", "[deploy]") {
  const auto docs = rendered_manifests();
  std::set<std::string> kinds;
  YAML::Node deployment;
  for (const auto& d : docs) {
    kinds.insert(d["kind"].as<std::string>());
    if (d["kind"].as<std::string>() == "Deployment") deployment = d;
  }
  for (const char* k : {"Deployment", "Service", "PodDisruptionBudget", "PodMonitor", "ConfigMap", "Secret", "ScaledObject"}) {
    CHECK(kinds.count(k));
  }
  REQUIRE(deployment);
  const auto pod = deployment["spec"]["template"]["spec"];
  const auto c = pod["containers"][0];
  CHECK(c["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
  CHECK(c["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/readyz");
  CHECK(c["ports"][0]["containerPort"].as<int>() == 9464);
  CHECK(pod["securityContext"]["runAsNonRoot"].as<bool>());
  CHECK(pod["securityContext"]["runAsUser"].as<int>() != 0);
  CHECK(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());

  // The config the pod runs is valid, and the grace period outlasts the most a stop may take.
  ::setenv("KAFKA_BROKERS", "kafka:9093", 1);
  ::setenv("KAFKA_USERNAME", "u", 1);
  ::setenv("KAFKA_PASSWORD", "p", 1);
  const auto cfg = wirescan::app::load_config(root + "/deploy/k8s/wirescan.yaml");
  CHECK(pod["terminationGracePeriodSeconds"].as<int>() * 1000 >
        wirescan::app::stop_budget(cfg.kafka.shutdown_delay_ms, cfg.kafka.drain_timeout_ms).count());
  CHECK(cfg.kafka.shutdown_delay_ms > 0);
  CHECK(cfg.http.listen == "0.0.0.0:9464");
}

TEST_CASE("docker compose waits for the most a stop may take before it kills wirescan", "[deploy]") {
  // Compose's own default is 10 s, less than a drain of the default 10 s plus the leave.
  const auto compose = YAML::LoadFile(root + "/deploy/local/compose.yaml");
  const auto grace = compose["services"]["wirescan"]["stop_grace_period"].as<std::string>();
  REQUIRE(grace.size() > 1);
  REQUIRE(grace.back() == 's');
  const auto cfg = wirescan::app::load_config(root + "/deploy/local/wirescan.yaml");
  CHECK(std::stoi(grace.substr(0, grace.size() - 1)) * 1000 >
        wirescan::app::stop_budget(cfg.kafka.shutdown_delay_ms, cfg.kafka.drain_timeout_ms).count());
}

TEST_CASE("the container runs as a non-root user with a health check", "[deploy]") {
  const auto dockerfile = wirescan::test::read_file(root + "/deploy/Dockerfile");
  CHECK(dockerfile.find("USER 10001") != std::string::npos);
  CHECK(dockerfile.find("/healthz") != std::string::npos);
  CHECK(dockerfile.find("FROM debian:bookworm-slim") != std::string::npos);
}

TEST_CASE("every metric the dashboard and the alert rules query is in the catalogue", "[deploy]") {
  const auto known = catalogue();
  rapidjson::Document d;
  const auto json = wirescan::test::read_file(root + "/deploy/grafana/dashboards/wirescan.json");
  REQUIRE_FALSE(d.Parse(json.c_str()).HasParseError());
  std::size_t exprs = 0;
  for (const auto& p : d["panels"].GetArray()) {
    for (const auto& t : p["targets"].GetArray()) {
      ++exprs;
      for (const auto& n : metric_names(t["expr"].GetString())) {
        INFO(p["title"].GetString() << ": " << n);
        CHECK(known.count(n));
      }
    }
  }
  CHECK(exprs >= 10);
  const auto rules = YAML::LoadFile(root + "/deploy/prometheus/alerts.yaml");
  for (const auto& r : rules["groups"][0]["rules"]) {
    for (const auto& n : metric_names(r["expr"].as<std::string>())) {
      INFO(r["alert"].as<std::string>() << ": " << n);
      CHECK(known.count(n));
    }
  }
}

TEST_CASE("the catalogue's name list matches the families it exports", "[deploy]") {
  wirescan::obs::metrics m;
  // Give every labelled family a series so Collect() returns it.
  m.set_consumer_lag({{"t", 0, 1}});
  m.rules_loaded("v", 1);
  wirescan::core::findings f;
  f.policy_shocks.push_back({"tariff", wirescan::core::direction::tightening, wirescan::core::stage::enacted, {}, {}, 0.5, {}});
  f.mentions.push_back({"X", wirescan::core::asset_class::equity, "", wirescan::core::mention_via::cashtag, {}});
  m.count_findings(f);
  std::set<std::string> exported;
  for (const auto& fam : m.registry()->Collect()) exported.insert(fam.name);
  const std::set<std::string> declared(wirescan::obs::metrics::names().begin(), wirescan::obs::metrics::names().end());
  CHECK(exported == declared);
}

TEST_CASE("every policy shock series exists at zero from the start, and a shock counts in its own", "[deploy]") {
  wirescan::obs::metrics m;
  const auto shocks = [&] {
    std::map<std::pair<std::string, std::string>, double> out;
    for (const auto& fam : m.registry()->Collect()) {
      if (fam.name != "wirescan_policy_shocks_total") continue;
      for (const auto& series : fam.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& l : series.label) labels[l.name] = l.value;
        out[{labels.at("category"), labels.at("direction")}] = series.counter.value;
      }
    }
    return out;
  };
  auto before = shocks();
  REQUIRE(before.size() == wirescan::core::policy_categories.size() * 2);
  for (const auto& [labels, value] : before) CHECK(value == 0);
  wirescan::core::findings f;
  f.policy_shocks.push_back({"capital_controls", wirescan::core::direction::easing, wirescan::core::stage::enacted, {}, {}, 0.5, {}});
  f.policy_shocks.push_back({"capital_controls", wirescan::core::direction::easing, wirescan::core::stage::planned, {}, {}, 0.5, {}});
  f.policy_shocks.push_back({"tariff", wirescan::core::direction::tightening, wirescan::core::stage::enacted, {}, {}, 0.5, {}});
  m.count_findings(f);
  auto after = shocks();
  before[{"capital_controls", "easing"}] = 2;
  before[{"tariff", "tightening"}] = 1;
  CHECK(after == before);
}

TEST_CASE("exposures count by asset class, apart from mentions, from series that exist at zero", "[deploy]") {
  wirescan::obs::metrics m;
  const auto series = [&](const std::string& family) {
    std::map<std::string, double> out;
    for (const auto& fam : m.registry()->Collect()) {
      if (fam.name != family) continue;
      for (const auto& s : fam.metric) out[s.label.at(0).value] = s.counter.value;
    }
    return out;
  };
  const std::map<std::string, double> zero{{"equity", 0}, {"crypto", 0}, {"etf", 0}, {"unknown", 0}};
  CHECK(series("wirescan_exposures_total") == zero);
  wirescan::core::findings f;
  f.mentions.push_back({"NVDA", wirescan::core::asset_class::equity, "", wirescan::core::mention_via::name, {}});
  f.exposures.push_back({"BABA", wirescan::core::asset_class::equity, "Alibaba", "buyers", 0});
  f.exposures.push_back({"BIDU", wirescan::core::asset_class::equity, "Baidu", "buyers", 0});
  m.count_findings(f);
  auto exposures = zero;
  exposures["equity"] = 2;
  CHECK(series("wirescan_exposures_total") == exposures);
  auto mentions = zero;
  mentions["equity"] = 1;
  CHECK(series("wirescan_mentions_total") == mentions);
}

TEST_CASE("stories the policy likelihood flags count by whether the rules found a shock", "[deploy]") {
  wirescan::obs::metrics m;
  const auto likely = [&] {
    std::map<std::string, double> out;
    for (const auto& fam : m.registry()->Collect()) {
      if (fam.name != "wirescan_policy_likely_stories_total") continue;
      for (const auto& s : fam.metric) out[s.label.at(0).value] = s.counter.value;
    }
    return out;
  };
  CHECK(likely() == std::map<std::string, double>{{"none", 0}, {"shock", 0}});
  const auto story = [](std::optional<double> p, bool shock) {
    wirescan::core::findings f;
    f.market.policy_likelihood = p;
    if (shock) f.policy_shocks.push_back({"tariff", wirescan::core::direction::tightening, wirescan::core::stage::enacted, {}, {}, 0.5, {}});
    return f;
  };
  m.count_findings(story(0.93, true));
  m.count_findings(story(0.7, false));           // at the threshold counts
  m.count_findings(story(0.69, false));          // below it does not
  m.count_findings(story(std::nullopt, true));   // no model: nothing to count
  m.count_findings(story(0.8, false), 0.85);     // a threshold of the operator's
  CHECK(likely() == std::map<std::string, double>{{"none", 1}, {"shock", 1}});
}

TEST_CASE("the taxonomy the rule loader and the metrics use is the one docs/taxonomy.md documents", "[deploy]") {
  // The table's rows: | `export_control` | what it covers | examples |
  const std::string doc = wirescan::test::read_file(root + "/docs/taxonomy.md");
  const std::regex row(R"(\n\| `([a-z_]+)` \|)");
  std::vector<std::string> documented;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) documented.push_back((*it)[1]);
  const std::vector<std::string> in_code(wirescan::core::policy_categories.begin(), wirescan::core::policy_categories.end());
  CHECK(documented == in_code);
  CHECK(wirescan::core::category_index("tariff") == 2);
  CHECK(wirescan::core::category_index("tariffs") == wirescan::core::policy_categories.size());
}

TEST_CASE("the rules the Kubernetes ConfigMap ships are the repository's rules", "[deploy]") {
  // Every file of rules/, copied and named in the ConfigMap, whose limit is 1 MiB.
  const auto kustomization = wirescan::test::read_file(root + "/deploy/k8s/kustomization.yaml");
  std::size_t files = 0, bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/rules")) {
    const auto f = entry.path().filename().string();
    INFO(f << " differs or is not in the ConfigMap: run scripts/sync-deploy-rules.sh, list it in kustomization.yaml");
    const auto text = wirescan::test::read_file(root + "/rules/" + f);
    CHECK(wirescan::test::read_file(root + "/deploy/k8s/rules/" + f) == text);
    CHECK(kustomization.find("      - rules/" + f + "\n") != std::string::npos);
    ++files;
    bytes += text.size();
  }
  CHECK(files == 6);
  CHECK(bytes < 1000 * 1000);
}
