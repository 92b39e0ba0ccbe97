#include "hostile.hpp"

#include <sstream>
#include <stdexcept>

#include "schema.hpp"

namespace wirescan::test {

namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 1 >= s.size()) throw std::runtime_error("hostile corpus: dangling backslash in " + s);
    const char n = s[++i];
    if (n == 'x') {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (n == 'n') {
      out += '\n';
    } else if (n == 'r') {
      out += '\r';
    } else if (n == 't') {
      out += '\t';
    } else if (n == '\\') {
      out += '\\';
    } else {
      throw std::runtime_error(std::string("hostile corpus: unknown escape \\") + n);
    }
  }
  return out;
}

// "@gen KIND N": inputs too large to check in.
std::string generate(const std::string& name, const std::string& kind, std::size_t n) {
  std::string head = R"({"id":")" + name + R"(","headline":"h","published_at":"2026-11-28T10:00:00Z")";
  if (kind == "deep") return head + ",\"x\":" + std::string(n, '[') + std::string(n, ']') + "}";
  if (kind == "big") return head + ",\"body\":\"" + std::string(n - head.size() - 12, 'a') + "\"}";
  if (kind == "tickers") {
    head += ",\"tickers\":[";
    for (std::size_t i = 0; i < n; ++i) head += (i ? ",\"T" : "\"T") + std::to_string(i) + "\"";
    return head + "]}";
  }
  throw std::runtime_error("hostile corpus: unknown generator " + kind);
}

}  // namespace

std::vector<hostile_case> load_hostile_cases() {
  std::istringstream in(read_file(std::string(WIRESCAN_SOURCE_DIR) + "/tests/data/hostile/cases.tsv"));
  std::vector<hostile_case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::size_t from = 0;
    for (std::size_t tab; (tab = line.find('\t', from)) != std::string::npos; from = tab + 1) {
      cols.push_back(line.substr(from, tab - from));
    }
    cols.push_back(line.substr(from));
    if (cols.size() < 3) throw std::runtime_error("hostile corpus: short row: " + line);
    hostile_case c{cols[0], cols[1], {}, cols.size() > 3 && cols[3] == "kafka-only"};
    if (cols[2].rfind("@gen ", 0) == 0) {
      std::istringstream g(cols[2].substr(5));
      std::string kind;
      std::size_t n = 0;
      g >> kind >> n;
      c.bytes = generate(c.name, kind, n);
    } else {
      c.bytes = unescape(cols[2]);
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace wirescan::test
