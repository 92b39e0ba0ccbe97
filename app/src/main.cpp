// wirescan: flags market-moving news stories and publishes enriched events.
// This file only parses the command line and dispatches; each command lives beside it.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config.hpp"
#include "cpus.hpp"
#include "pipeline.hpp"
#include "enrich_command.hpp"
#include "run_command.hpp"
#include "demo_command.hpp"
#include "eval_command.hpp"
#include "explain_command.hpp"
#include "novelty_eval.hpp"
#include "wirescan/obs/log.hpp"
#include "wirescan/obs/metrics.hpp"

#ifndef WIRESCAN_VERSION
#define WIRESCAN_VERSION "0.0.0"
#endif

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;  // the work could not be done (I/O)
constexpr int exit_usage = 2;    // bad command line or config

using wirescan::app::config;
using wirescan::app::config_error;

// Loads the config or prints every problem and returns nullopt.
std::optional<config> load_or_report(const std::string& path) {
  try {
    return wirescan::app::load_config(path);
  } catch (const config_error& e) {
    std::fprintf(stderr, "wirescan: invalid config %s:\n", path.c_str());
    for (const auto& p : e.problems) std::fprintf(stderr, "  - %s\n", p.c_str());
    return std::nullopt;
  }
}

std::atomic<bool> stop_requested{false};
std::atomic<bool> reload_requested{false};

extern "C" void on_stop_signal(int) { stop_requested.store(true); }
extern "C" void on_reload_signal(int) { reload_requested.store(true); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  struct sigaction hup {};
  hup.sa_handler = on_reload_signal;
  sigemptyset(&hup.sa_mask);
  sigaction(SIGHUP, &hup, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

std::string reject_breakdown(const wirescan::obs::metrics& m) {
  std::string s;
  for (auto r : wirescan::core::all_reject_reasons) {
    const auto n = static_cast<long long>(m.rejected(r));
    if (n == 0) continue;
    s += (s.empty() ? " (" : ", ") + std::string(wirescan::core::to_string(r)) + "=" + std::to_string(n);
  }
  return s.empty() ? s : s + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"wirescan: flags market-moving news stories and publishes enriched events"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string("wirescan ") + WIRESCAN_VERSION);

  wirescan::app::enrich_options eopts;
  std::string config_path;
  auto* enrich = cli.add_subcommand("enrich", "Enrich JSON Lines stories from a file or stdin");
  enrich->add_option("--input,-i", eopts.input, "Stories, one JSON object per line ('-' is stdin)")
      ->capture_default_str();
  enrich->add_option("--output,-o", eopts.output, "Where enriched events go ('-' is stdout)")->capture_default_str();
  enrich->add_option("--rejects,-r", eopts.rejects, "JSON Lines file for rejected lines (default: log them)");
  enrich->add_option("--config,-c", config_path, "YAML config file (default: built-in defaults)");
  enrich->add_option("--threads,-t", eopts.threads,
                     fmt::format("1: everything on one thread; N: stories also decoded and enriched on N-1 more "
                                 "threads, with the same output in the same order (default: the CPUs the process may "
                                 "use, counting its CPU affinity and its cgroup's CPU quota, at most {})",
                                 1 + wirescan::app::cpu_limit::max_auto_preparers))
      ->check(CLI::Range(1, 65));

  bool print = false;
  auto* validate = cli.add_subcommand("validate", "Check a config file and report every problem at once");
  validate->add_option("--config,-c", config_path, "YAML config file")->required();
  validate->add_flag("--print,-p", print, "Print the effective config");

  auto* run = cli.add_subcommand("run", "Run the Kafka service: consume stories, publish enriched events");
  run->add_option("--config,-c", config_path, "YAML config file")->required();

  wirescan::app::demo_options dopts;
  auto* demo = cli.add_subcommand("demo", "Run the service on an embedded Kafka cluster fed with the sample stories");
  demo->add_option("--feed", dopts.feed, "JSON Lines stories to load")->capture_default_str();
  demo->add_flag("--json", dopts.json, "Print JSON Lines even on a terminal");
  demo->add_flag("--keep-running", dopts.keep_running,
                 "Keep running (and serving /metrics) after the feed is done, until Ctrl-C");
  demo->add_option("--config,-c", config_path, "YAML config file (brokers are replaced by the embedded cluster)");

  std::string devset = "tests/data/devset.jsonl";
  std::string topics;
  bool verbose = false;
  auto* eval = cli.add_subcommand("eval", "Measure enrichment quality on a labelled development set");
  eval->add_option("--devset", devset, "Labelled JSON Lines (id, text, shocks, symbols)")->capture_default_str();
  eval->add_option("--topics", topics, "Also report the share flagged per topic of this finance-tweet topic CSV");
  eval->add_option("--config,-c", config_path, "YAML config file (for enrich.rules_dir)");
  std::string pairs;
  eval->add_option("--pairs", pairs, "Measure the novelty stage on this labelled pair set instead (tests/data/novelty/pairs.tsv)");
  eval->add_flag("--verbose,-v", verbose, "List every row where the engine and the labels disagree");

  wirescan::app::explain_options xopts;
  auto* explain = cli.add_subcommand("explain", "Say what became of each policy phrase in stories, and why");
  explain->add_option("headlines", xopts.headlines, "Headlines, each a story of its own (none: read JSON Lines stories)");
  explain->add_option("--input,-i", xopts.input, "JSON Lines stories ('-' is stdin), when no headline is given")
      ->capture_default_str();
  explain->add_option("--config,-c", config_path, "YAML config file (for enrich.rules_dir and decode)");

  cli.add_subcommand("version", "Print the version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? exit_ok : exit_usage;
  }

  if (cli.got_subcommand("version")) {
    std::printf("wirescan %s\n", WIRESCAN_VERSION);
    return exit_ok;
  }

  auto cfg = load_or_report(config_path);
  if (!cfg) return exit_usage;
  wirescan::obs::init_logging(cfg->log_level);

  // Rules are part of the config: validate checks them and every command needs them.
  std::shared_ptr<const wirescan::enrich::enricher> enricher;
  try {
    enricher = wirescan::app::make_enricher(*cfg);
    // The novelty vocabulary is rules too: a broken one must fail validate, not the first run.
    if (cfg->novelty.enabled) (void)wirescan::app::make_lexicon(*cfg);
  } catch (const config_error& e) {
    std::fprintf(stderr, "wirescan: invalid rules in %s:\n", cfg->enrich.rules_dir.c_str());
    for (const auto& p : e.problems) std::fprintf(stderr, "  - %s\n", p.c_str());
    return exit_usage;
  }

  // Valid but costly settings: said by validate, and logged where they take effect.
  const auto advice = wirescan::app::config_advice(*cfg);
  if (cli.got_subcommand(validate)) {
    if (print) std::fputs(wirescan::app::print_config(*cfg).c_str(), stdout);
    for (const auto& a : advice) std::fprintf(stderr, "wirescan: advice: %s\n", a.c_str());
    const auto& model = enricher->rules()->likelihood;
    const std::string likelihood = !model ? "no policy-likelihood model"
                                   : !cfg->enrich.policy_likelihood
                                       ? fmt::format("a policy-likelihood model of {} features, off (enrich.policy_likelihood)", model->size())
                                       : fmt::format("a policy-likelihood model of {} features", model->size());
    std::fprintf(stderr, "wirescan: config %s is valid; rules %s: %zu phrases, %zu symbols, %s (version %s)\n",
                 config_path.c_str(), cfg->enrich.rules_dir.c_str(), enricher->rules()->phrase_count,
                 enricher->rules()->symbols.listed(), likelihood.c_str(), enricher->rules()->version.c_str());
    return exit_ok;
  }

  wirescan::obs::metrics metrics(WIRESCAN_VERSION);
  if (cli.got_subcommand(eval)) {
    try {
      if (!pairs.empty()) {
        const auto lx = wirescan::app::make_lexicon(*cfg);
        return wirescan::app::run_pair_eval(*enricher, *lx, wirescan::app::novelty_settings(*cfg), pairs, verbose);
      }
      return wirescan::app::run_eval(*enricher, devset, topics, verbose);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "wirescan eval: %s\n", e.what());
      return exit_failure;
    }
  }
  if (cli.got_subcommand(explain)) {
    try {
      return wirescan::app::run_explain(xopts, *cfg, *enricher);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "wirescan explain: %s\n", e.what());
      return exit_failure;
    }
  }
  if (cli.got_subcommand(demo) || cli.got_subcommand(run)) {
    for (const auto& a : advice) wirescan::obs::log().warn("config: {}", a);
  }
  if (cli.got_subcommand(demo)) {
    install_stop_handlers();
    // The demo serves HTTP on a free loopback port unless a config names one (logged at start).
    if (config_path.empty()) cfg->http.listen = "127.0.0.1:0";
    try {
      return wirescan::app::run_demo(dopts, *cfg, metrics, stop_requested, enricher);
    } catch (const std::exception& e) {
      wirescan::obs::log().critical("{}", e.what());
      return exit_failure;
    }
  }
  if (cli.got_subcommand(run)) {
    install_stop_handlers();
    try {
      wirescan::app::run_options ro;
      ro.reload = &reload_requested;
      ro.enricher = enricher;
      return wirescan::app::run_service(*cfg, metrics, stop_requested, ro);
    } catch (const std::exception& e) {
      wirescan::obs::log().critical("{}", e.what());
      return exit_failure;
    }
  }
  try {
    install_stop_handlers();
    const auto sum = wirescan::app::run_enrich(eopts, *cfg, metrics, enricher, &reload_requested);
    std::fprintf(stderr, "wirescan enrich: %zu lines, %zu events, %zu rejected%s in %.3f s (%.0f stories/s, %u thread%s)\n",
                 sum.lines, sum.events, sum.rejected, reject_breakdown(metrics).c_str(), sum.seconds,
                 sum.seconds > 0 ? static_cast<double>(sum.lines) / sum.seconds : 0.0, sum.threads,
                 sum.threads == 1 ? "" : "s");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wirescan enrich: %s\n", e.what());
    return exit_failure;
  }
  return exit_ok;
}
