#pragma once
// The benches' corpus: every ABC News headline and finance tweet in ../shared/data as a story.
// Bodies are synthesised only by concatenating 3 to 8 other real headlines (no invented text),
// so story sizes resemble short wire items. One seed, so every bench reads the same stories.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "eval_command.hpp"

namespace wirescan::bench {

inline std::string read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct corpus_story {
  std::string headline;
  std::string body;
};

inline std::vector<corpus_story> load_corpus(const std::string& data) {
  std::vector<std::string> headlines;
  for (const auto& row : app::parse_csv(read_file(data + "/abcnews-headlines/abcnews-date-text.csv"))) {
    if (row.size() == 2 && row[0] != "publish_date") headlines.push_back(row[1]);
  }
  for (const auto& row : app::parse_csv(read_file(data + "/twitter-fin-news-topic/new_data_train.csv"))) {
    if (row.size() == 2 && row[1] != "label") headlines.push_back(row[0]);
  }
  std::mt19937 rng(7);
  std::vector<corpus_story> out;
  out.reserve(headlines.size());
  for (const auto& h : headlines) {
    std::string body;
    const int n = 3 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) body += headlines[rng() % headlines.size()] + ". ";
    out.push_back({h, std::move(body)});
  }
  return out;
}

// Each story as the JSON a wire feed sends: id "s<n>", headline, body and fixed metadata.
inline std::vector<std::string> corpus_payloads(const std::vector<corpus_story>& corpus) {
  std::vector<std::string> out;
  out.reserve(corpus.size());
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("id"); w.String(("s" + std::to_string(i)).c_str());
    w.Key("headline"); w.String(corpus[i].headline.c_str());
    w.Key("body"); w.String(corpus[i].body.c_str());
    w.Key("source"); w.String("bench");
    w.Key("published_at"); w.String("2026-11-28T10:00:00Z");
    w.Key("url"); w.String("https://news.example/s");
    w.Key("language"); w.String("en");
    w.EndObject();
    out.emplace_back(b.GetString(), b.GetSize());
  }
  return out;
}

// Nanoseconds a story since t0, over n stories.
inline double ns_per(std::chrono::steady_clock::time_point t0, std::size_t n) {
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
         static_cast<double>(n);
}

// The median of a bench's interleaved rounds.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace wirescan::bench
