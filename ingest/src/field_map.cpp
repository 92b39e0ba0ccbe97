#include "wirescan/ingest/field_map.hpp"

namespace wirescan::ingest {

std::string_view to_string(field f) noexcept {
  switch (f) {
    case field::id: return "id";
    case field::headline: return "headline";
    case field::body: return "body";
    case field::source: return "source";
    case field::published_at: return "published_at";
    case field::url: return "url";
    case field::language: return "language";
    case field::tickers: return "tickers";
  }
  return "?";
}

std::optional<field> field_from_string(std::string_view s) noexcept {
  for (auto f : all_fields) {
    if (to_string(f) == s) return f;
  }
  return std::nullopt;
}

std::optional<field_map> field_map::preset(std::string_view name) {
  field_map m;
  const auto set = [&m](field f, std::string p) { m.pointers[static_cast<std::size_t>(f)] = std::move(p); };
  if (name == "default") {
    for (auto f : all_fields) set(f, "/" + std::string(to_string(f)));
  } else if (name == "benzinga") {
    set(field::id, "/data/id");
    set(field::headline, "/data/content/title");
    set(field::body, "/data/content/body");
    set(field::source, "/data/content/channels_source");
    set(field::published_at, "/data/content/created");
    set(field::url, "/data/content/url");
    set(field::language, "");
    set(field::tickers, "/data/content/stocks");
    m.ticker_item = "/name";
  } else {
    return std::nullopt;
  }
  for (auto f : {field::id, field::headline, field::published_at}) m.required[static_cast<std::size_t>(f)] = true;
  return m;
}

std::vector<std::string_view> field_map::preset_names() { return {"default", "benzinga"}; }

std::optional<std::vector<std::string>> parse_json_pointer(std::string_view p) {
  std::vector<std::string> tokens;
  if (p.empty() || p.front() != '/') return std::nullopt;
  std::string cur;
  for (std::size_t i = 1; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (p[i] == '~') {
      if (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1')) return std::nullopt;
      cur.push_back(p[i + 1] == '0' ? '~' : '/');
      ++i;
      continue;
    }
    cur.push_back(p[i]);
  }
  return tokens;
}

std::vector<std::string> validate(const field_map& m) {
  std::vector<std::string> problems;
  std::vector<std::vector<std::string>> seen;
  for (auto f : all_fields) {
    const auto& p = m.pointer(f);
    if (p.empty()) {
      if (m.is_required(f)) problems.push_back("field '" + std::string(to_string(f)) + "' is required but not mapped");
      continue;
    }
    auto tokens = parse_json_pointer(p);
    if (!tokens) {
      problems.push_back("field '" + std::string(to_string(f)) + "': '" + p + "' is not a JSON pointer");
      continue;
    }
    for (const auto& other : seen) {
      const auto n = std::min(other.size(), tokens->size());
      if (std::equal(other.begin(), other.begin() + static_cast<std::ptrdiff_t>(n), tokens->begin())) {
        problems.push_back("field '" + std::string(to_string(f)) + "': '" + p +
                           "' overlaps the pointer of another field");
      }
    }
    seen.push_back(std::move(*tokens));
  }
  for (auto f : {field::id, field::headline}) {
    if (!m.is_required(f)) problems.push_back("field '" + std::string(to_string(f)) + "' must be required");
  }
  if (!m.ticker_item.empty()) {
    auto tokens = parse_json_pointer(m.ticker_item);
    if (!tokens || tokens->size() != 1) {
      problems.push_back("ticker_item '" + m.ticker_item + "' must be a one-level JSON pointer such as /name");
    }
  }
  return problems;
}

}  // namespace wirescan::ingest
