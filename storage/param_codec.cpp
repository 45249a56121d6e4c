#include "storage/param_codec.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "storage/database.h"

namespace layerlab::storage {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<ParamType, std::string_view>, 6> kTypeNames{{
    {ParamType::Null, "null"},
    {ParamType::Bool, "bool"},
    {ParamType::Integer, "integer"},
    {ParamType::Real, "real"},
    {ParamType::Text, "text"},
    {ParamType::Json, "json"},
}};

ParamType parseParamType(std::string_view text) {
  for (const auto& [type, name] : kTypeNames) {
    if (name == text) return type;
  }
  return ParamType::Text;
}

ParamValue valueOf(const json& node) {
  ParamValue value;
  if (node.is_boolean()) {
    value.type = ParamType::Bool;
    value.integer = node.get<bool>() ? 1 : 0;
  } else if (node.is_number_unsigned() &&
             node.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    value.type = ParamType::Real;  // beyond what SQLite's integers hold
    value.real = node.get<double>();
  } else if (node.is_number_integer()) {
    value.type = ParamType::Integer;
    value.integer = node.get<int64_t>();
  } else if (node.is_number_float()) {
    value.type = ParamType::Real;
    value.real = node.get<double>();
  } else if (node.is_string()) {
    value.type = ParamType::Text;
    value.text = node.get<std::string>();
  } else if (!node.is_null()) {
    value.type = ParamType::Json;
    value.text = node.dump();
  }
  return value;
}

// Objects are walked key by key; arrays and empty objects stay whole.
void flatten(const json& node, const std::string& prefix, std::vector<Param>& out) {
  if (!node.is_object() || node.empty()) {
    out.push_back({prefix, valueOf(node)});
    return;
  }
  for (const auto& [key, child] : node.items()) {
    flatten(child, prefix + "." + key, out);
  }
}

// The fields of the document itself ("format", "version") are the same for every run.
void flattenDocument(const std::string& text, const std::string& prefix, std::vector<Param>& out) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return;
  for (const auto& [key, child] : doc.items()) {
    if (key == "format" || key == "version") continue;
    flatten(child, prefix + "." + key, out);
  }
}

ParamValue textValue(const std::string& text) {
  ParamValue value;
  value.type = ParamType::Text;
  value.text = text;
  return value;
}

}  // namespace

std::string_view toString(ParamType type) {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) return name;
  }
  return "text";
}

std::string ParamValue::toString() const {
  switch (type) {
    case ParamType::Null:
      return "null";
    case ParamType::Bool:
      return integer != 0 ? "true" : "false";
    case ParamType::Integer:
      return std::to_string(integer);
    case ParamType::Real: {
      std::array<char, 64> buffer{};
      const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), real);
      return std::string(buffer.data(), result.ptr);
    }
    case ParamType::Text:
    case ParamType::Json:
      return text;
  }
  return text;
}

std::string modelNameOf(const std::string& modelJson) {
  const json doc = json::parse(modelJson, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  const auto name = doc.find("name");
  return name != doc.end() && name->is_string() ? name->get<std::string>() : std::string();
}

std::vector<Param> flattenRunParams(const NewRun& run, const std::string& modelSha256) {
  std::vector<Param> params;
  flattenDocument(run.configJson, "config", params);
  flattenDocument(run.datasetJson, "dataset", params);
  params.push_back({"model.name", textValue(modelNameOf(run.modelJson))});
  params.push_back({"model.sha256", textValue(modelSha256)});
  params.push_back({"dataset.fingerprint", textValue(run.datasetFingerprint)});
  params.push_back({"run.device", textValue(run.device)});
  params.push_back({"run.app_version", textValue(run.appVersion)});
  // A document may spell one key twice ("a.b" and {"a": {"b"}}); the first one wins.
  std::stable_sort(params.begin(), params.end(),
                   [](const Param& a, const Param& b) { return a.key < b.key; });
  params.erase(std::unique(params.begin(), params.end(),
                           [](const Param& a, const Param& b) { return a.key == b.key; }),
               params.end());
  return params;
}

void bindParamValue(Statement& statement, int valueIndex, int typeIndex, const ParamValue& value) {
  switch (value.type) {
    case ParamType::Null:
      statement.bindNull(valueIndex);
      break;
    case ParamType::Bool:
    case ParamType::Integer:
      statement.bind(valueIndex, value.integer);
      break;
    case ParamType::Real:
      statement.bind(valueIndex, value.real);
      break;
    case ParamType::Text:
    case ParamType::Json:
      statement.bind(valueIndex, value.text);
      break;
  }
  statement.bind(typeIndex, toString(value.type));
}

ParamValue readParamValue(const Statement& statement, int valueColumn, int typeColumn) {
  ParamValue value;
  value.type = parseParamType(statement.text(typeColumn));
  switch (value.type) {
    case ParamType::Null:
      break;
    case ParamType::Bool:
    case ParamType::Integer:
      value.integer = statement.integer(valueColumn);
      break;
    case ParamType::Real:
      value.real = statement.real(valueColumn);
      break;
    case ParamType::Text:
    case ParamType::Json:
      value.text = statement.text(valueColumn);
      break;
  }
  return value;
}

}  // namespace layerlab::storage
