#include "eval_command.hpp"

#include <algorithm>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <rapidjson/document.h>

#include "explain_command.hpp"

namespace wirescan::app {
namespace {

core::story as_story(std::string id, std::string text) {
  core::story s;
  s.id = std::move(id);
  s.headline = std::move(text);
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string unescape_html(std::string s) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}}) {
    for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  }
  return s;
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty()) rows.back().push_back(std::move(field));
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

eval_result evaluate(const enrich::enricher& enr, const std::string& devset_path) {
  std::ifstream in(devset_path);
  if (!in) throw std::runtime_error("cannot read " + devset_path);
  eval_result r;
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("text") || !d.HasMember("shocks") || !d.HasMember("symbols")) {
      throw std::runtime_error(devset_path + ":" + std::to_string(line_no) + ": not a labelled row");
    }
    ++r.rows;
    const std::string id = d["id"].GetString();
    const auto story = as_story(id, d["text"].GetString());
    enrich::explanation why;
    const auto f = enr.enrich(story, &why);
    std::map<std::string, std::string> gold;  // category -> direction
    for (const auto& s : d["shocks"].GetArray()) gold[s["category"].GetString()] = s["direction"].GetString();
    std::map<std::string, std::string> pred;
    for (const auto& s : f.policy_shocks) pred.emplace(s.category, std::string(core::to_string(s.dir)));
    r.gold_shock_rows += !gold.empty();
    for (const auto& [c, _] : gold) {
      if (pred.count(c) > 0) continue;
      const auto n = std::find_if(why.triggers.begin(), why.triggers.end(),
                                  [&c = c](const enrich::trigger_note& t) { return t.category == c; });
      ++r.miss_causes[n == why.triggers.end() ? "no_phrase" : std::string(enrich::to_string(n->verdict))];
    }
    const bool g = !gold.empty();
    const bool p = !pred.empty();
    if (g && p) ++r.detection.tp;
    if (!g && p) ++r.detection.fp;
    if (g && !p) ++r.detection.fn;
    if (f.market.policy_likelihood) {
      r.has_model = true;
      const bool m = *f.market.policy_likelihood >= model_threshold;
      r.model.tp += g && m;
      r.model.fp += !g && m;
      r.model.fn += g && !m;
      r.rules_or_model.tp += g && (p || m);
      r.rules_or_model.fp += !g && (p || m);
      r.rules_or_model.fn += g && !(p || m);
    }
    std::set<std::string> cats;
    for (const auto& [c, _] : gold) cats.insert(c);
    for (const auto& [c, _] : pred) cats.insert(c);
    for (const auto& c : cats) {
      auto& x = r.by_category[c];
      const bool gc = gold.count(c) > 0;
      const bool pc = pred.count(c) > 0;
      x.tp += gc && pc;
      x.fp += !gc && pc;
      x.fn += gc && !pc;
    }
    if (g && p) {
      for (const auto& [c, dir] : pred) {
        ++r.predicted_in_tp;
        if (gold.count(c)) {
          ++r.category_correct;
          ++r.direction_checked;
          r.direction_correct += gold[c] == dir;
        }
      }
    }
    std::set<std::string> gsym;
    for (const auto& s : d["symbols"].GetArray()) gsym.insert(s.GetString());
    std::set<std::string> psym;
    for (const auto& m : f.mentions) psym.insert(m.symbol);
    for (const auto& s : psym) (gsym.count(s) ? r.symbols.tp : r.symbols.fp)++;
    for (const auto& s : gsym) r.symbols.fn += psym.count(s) == 0;
    if (gold != pred || gsym != psym) {
      std::string e = id + ": " + std::string(d["text"].GetString()).substr(0, 120) + "\n    gold:";
      for (const auto& [c, dir] : gold) e += " " + c + "/" + dir;
      for (const auto& s : gsym) e += " " + s;
      e += "\n    pred:";
      for (const auto& [c, dir] : pred) e += " " + c + "/" + dir;
      for (const auto& s : psym) e += " " + s;
      for (const auto& l : describe_triggers(story, why)) e += "\n    why: " + l;
      r.errors.push_back(e);
    }
  }
  return r;
}

std::map<int, topic_share> topic_shares(const enrich::enricher& enr, const std::string& csv_path) {
  const auto rows = parse_csv(read_file(csv_path));
  std::map<int, topic_share> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].size() != 2) continue;
    const int label = std::stoi(rows[i][1]);
    const auto f = enr.enrich(as_story(std::to_string(i), unescape_html(rows[i][0])));
    ++out[label].stories;
    out[label].flagged += !f.policy_shocks.empty();
  }
  return out;
}

int run_eval(const enrich::enricher& enr, const std::string& devset, const std::string& topics, bool verbose) {
  const auto r = evaluate(enr, devset);
  if (verbose) {
    for (const auto& e : r.errors) std::printf("%s\n", e.c_str());
    std::printf("\n");
  }
  std::printf("development set: %s (%zu rows, %zu with shocks)\n\n", devset.c_str(), r.rows, r.gold_shock_rows);
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| shock detection precision | %.3f (%zu/%zu) |\n", r.detection.precision(), r.detection.tp,
              r.detection.tp + r.detection.fp);
  std::printf("| shock detection recall | %.3f (%zu/%zu) |\n", r.detection.recall(), r.detection.tp,
              r.detection.tp + r.detection.fn);
  std::printf("| category accuracy on detected shocks | %.3f (%zu/%zu) |\n", r.category_accuracy(), r.category_correct,
              r.predicted_in_tp);
  std::printf("| direction accuracy on detected shocks | %.3f (%zu/%zu) |\n", r.direction_accuracy(),
              r.direction_correct, r.direction_checked);
  std::printf("| symbol precision | %.3f (%zu/%zu) |\n", r.symbols.precision(), r.symbols.tp, r.symbols.tp + r.symbols.fp);
  std::printf("| symbol recall | %.3f (%zu/%zu) |\n", r.symbols.recall(), r.symbols.tp, r.symbols.tp + r.symbols.fn);
  if (r.has_model) {
    // Trained on the labelled sets: on them, an upper bound (docs/quality.md, "A learned baseline").
    for (const auto& [name, x] : {std::pair<const char*, const prf*>{"policy-likelihood model", &r.model},
                                  {"rules or model", &r.rules_or_model}}) {
      std::printf("| %s (p >= %.1f), story precision / recall | %.3f (%zu/%zu) / %.3f (%zu/%zu) |\n", name,
                  model_threshold, x->precision(), x->tp, x->tp + x->fp, x->recall(), x->tp, x->tp + x->fn);
    }
  }
  std::printf("\n");
  std::printf("| category | gold | predicted | precision | recall |\n|---|---|---|---|---|\n");
  for (const auto& [c, x] : r.by_category) {
    std::printf("| %s | %zu | %zu | %.2f | %.2f |\n", c.c_str(), x.tp + x.fn, x.tp + x.fp, x.precision(), x.recall());
  }
  if (!r.miss_causes.empty()) {
    std::printf("\n| missed (story, category): what became of its phrase | count |\n|---|---|\n");
    for (const auto& [cause, n] : r.miss_causes) std::printf("| %s | %zu |\n", cause.c_str(), n);
  }
  if (!topics.empty()) {
    static const char* names[] = {"Analyst Update", "Fed / Central Banks", "Company / Product News",
                                  "Treasuries / Corporate Debt", "Dividend", "Earnings", "Energy / Oil", "Financials",
                                  "Currencies", "General News / Opinion", "Gold / Metals / Materials", "IPO",
                                  "Legal / Regulation", "M&A / Investments", "Macro", "Markets", "Politics",
                                  "Personnel Change", "Stock Commentary", "Stock Movement"};
    const auto shares = topic_shares(enr, topics);
    std::printf("\nshare flagged as policy shocks per topic: %s\n\n| topic | stories | flagged | share |\n|---|---|---|---|\n",
                topics.c_str());
    topic_share policy, rest;
    for (const auto& [label, s] : shares) {
      std::printf("| %s | %zu | %zu | %.3f |\n", label >= 0 && label < 20 ? names[label] : "?", s.stories, s.flagged,
                  s.stories ? static_cast<double>(s.flagged) / static_cast<double>(s.stories) : 0.0);
      auto& bucket = (label == 1 || label == 12 || label == 14 || label == 16) ? policy : rest;
      bucket.stories += s.stories;
      bucket.flagged += s.flagged;
    }
    std::printf("| **Fed, Legal, Macro, Politics** | %zu | %zu | %.3f |\n", policy.stories, policy.flagged,
                static_cast<double>(policy.flagged) / static_cast<double>(policy.stories));
    std::printf("| **all other topics** | %zu | %zu | %.3f |\n", rest.stories, rest.flagged,
                static_cast<double>(rest.flagged) / static_cast<double>(rest.stories));
  }
  return 0;
}

}  // namespace wirescan::app
