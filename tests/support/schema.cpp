#include "schema.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wirescan::test {
namespace {

const rapidjson::SchemaDocument& event_schema() {
  static const rapidjson::SchemaDocument doc = [] {
    rapidjson::Document d;
    const std::string text = read_file(std::string(WIRESCAN_SOURCE_DIR) + "/docs/event.schema.json");
    if (d.Parse(text.c_str(), text.size()).HasParseError()) {
      throw std::runtime_error("docs/event.schema.json does not parse");
    }
    return rapidjson::SchemaDocument(d);
  }();
  return doc;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string json_parse_error(std::string_view json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (!d.HasParseError()) return {};
  return std::string(rapidjson::GetParseError_En(d.GetParseError())) + " at " + std::to_string(d.GetErrorOffset());
}

std::string event_schema_violation(std::string_view json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (d.HasParseError()) return "not JSON: " + std::string(rapidjson::GetParseError_En(d.GetParseError()));
  rapidjson::SchemaValidator v(event_schema());
  if (d.Accept(v)) return {};
  rapidjson::StringBuffer where;
  v.GetInvalidDocumentPointer().StringifyUriFragment(where);
  rapidjson::StringBuffer rule;
  v.GetInvalidSchemaPointer().StringifyUriFragment(rule);
  return std::string("violates '") + v.GetInvalidSchemaKeyword() + "' of " + rule.GetString() + " at " +
         where.GetString();
}

}  // namespace wirescan::test
