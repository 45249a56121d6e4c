#include "engine/model/layer_registry.h"

#include <cmath>
#include <stdexcept>

#include "engine/model/layer_slots.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

std::string formatNumber(double value) {
  if (std::floor(value) == value) return std::to_string(static_cast<int64_t>(value));
  std::string text = std::to_string(value);
  while (!text.empty() && text.back() == '0')
    text.pop_back();
  return text;
}

std::string rangeText(const ParamSpec& spec) {
  if (spec.max > spec.min) {
    return "between " + formatNumber(spec.min) + " and " + formatNumber(spec.max);
  }
  return "at least " + formatNumber(spec.min);
}

bool inRange(const ParamSpec& spec, double value) {
  return value >= spec.min && (spec.max <= spec.min || value <= spec.max);
}

std::string choiceList(const ParamSpec& spec) {
  std::string list;
  for (const std::string& choice : spec.choices)
    list += (list.empty() ? "" : ", ") + choice;
  return list;
}

bool isChoice(const ParamSpec& spec, const json& value) {
  for (const std::string& choice : spec.choices) {
    if (value == choice) return true;
  }
  return false;
}

std::string checkInt(const ParamSpec& spec, const json& value) {
  if (!value.is_number_integer()) return spec.name + " must be an integer";
  // Unsigned values beyond int64 would wrap to negatives: they are out of every range anyway.
  const bool huge =
      value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(kSaturated);
  if (huge || !inRange(spec, static_cast<double>(value.get<int64_t>()))) {
    return spec.name + " must be " + rangeText(spec) + ", not " + value.dump();
  }
  return {};
}

std::string checkIntList(const ParamSpec& spec, const json& value) {
  const std::string shape =
      spec.name + " must be a list of 1 to " + std::to_string(kMaxListLength) + " integers";
  if (!value.is_array() || value.empty() || value.size() > kMaxListLength) return shape;
  for (const json& item : value) {
    if (!item.is_number_integer()) return shape;
    if (!checkInt(spec, item).empty()) {
      return "every value of " + spec.name + " must be " + rangeText(spec) + ", not " + item.dump();
    }
  }
  return {};
}

// Returns an empty string when `value` is acceptable for `spec`.
std::string checkValue(const ParamSpec& spec, const json& value) {
  switch (spec.kind) {
    case ParamKind::Int:
      return checkInt(spec, value);
    case ParamKind::Float:
      if (!value.is_number()) return spec.name + " must be a number";
      if (!inRange(spec, value.get<double>())) {
        return spec.name + " must be " + rangeText(spec) + ", not " + value.dump();
      }
      return {};
    case ParamKind::Bool:
      return value.is_boolean() ? std::string() : spec.name + " must be true or false";
    case ParamKind::Choice:
      if (isChoice(spec, value)) return {};
      return spec.name + " must be one of: " + choiceList(spec);
    case ParamKind::IntOrChoice:
      if (value.is_string()) {
        if (isChoice(spec, value)) return {};
        return spec.name + " must be an integer or one of: " + choiceList(spec);
      }
      if (!value.is_number_integer()) {
        return spec.name + " must be an integer or one of: " + choiceList(spec);
      }
      return checkInt(spec, value);
    case ParamKind::IntList:
      return checkIntList(spec, value);
  }
  return {};
}

std::string paramNames(const LayerType& type) {
  if (type.params.empty()) return type.name + " takes no parameters";
  std::string names;
  for (const ParamSpec& spec : type.params)
    names += (names.empty() ? "" : ", ") + spec.name;
  return type.name + " takes: " + names;
}

}  // namespace

int64_t LayerParams::getInt(const std::string& name) const {
  return m_values.at(name).get<int64_t>();
}
double LayerParams::getFloat(const std::string& name) const {
  return m_values.at(name).get<double>();
}
bool LayerParams::getBool(const std::string& name) const {
  return m_values.at(name).get<bool>();
}
std::string LayerParams::getChoice(const std::string& name) const {
  return m_values.at(name).get<std::string>();
}
std::vector<int64_t> LayerParams::getIntList(const std::string& name) const {
  return m_values.at(name).get<std::vector<int64_t>>();
}
bool LayerParams::isSet(const std::string& name) const {
  return m_values.contains(name) && !m_values.at(name).is_null();
}
bool LayerParams::holdsChoice(const std::string& name) const {
  return m_values.contains(name) && m_values.at(name).is_string();
}

void LayerRegistry::add(LayerType type) {
  if (find(type.name) != nullptr) {
    throw std::logic_error("layer type registered twice: " + type.name);
  }
  m_types.push_back(std::move(type));
}

const LayerType* LayerRegistry::find(const std::string& name) const {
  for (const LayerType& type : m_types) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

std::optional<LayerParams> LayerRegistry::resolveParams(const LayerType& type, const json& raw,
                                                        std::vector<std::string>& problems) const {
  const size_t before = problems.size();
  json values = json::object();
  for (const auto& [key, value] : raw.items()) {
    bool known = false;
    for (const ParamSpec& spec : type.params)
      known = known || spec.name == key;
    if (!known) problems.push_back("unknown parameter '" + key + "' (" + paramNames(type) + ")");
  }
  for (const ParamSpec& spec : type.params) {
    const bool given = raw.contains(spec.name) && !raw.at(spec.name).is_null();
    if (!given) {
      if (spec.required()) problems.push_back(spec.name + " is required: " + spec.description);
      values[spec.name] = spec.defaultValue;
      continue;
    }
    const json& value = raw.at(spec.name);
    std::string problem = checkValue(spec, value);
    if (!problem.empty()) problems.push_back(std::move(problem));
    values[spec.name] = value;
  }
  if (problems.size() != before) return std::nullopt;
  return LayerParams(std::move(values));
}

namespace {

// Non-const for fillLayerSlots() only; everyone else gets it through layerRegistry().
LayerRegistry& sharedRegistry() {
  static LayerRegistry registry = [] {
    LayerRegistry r;
    registerCoreLayers(r);
    registerConvolutionLayers(r);
    registerPoolingLayers(r);
    registerNormalizationLayers(r);
    registerActivationLayers(r);
    registerRecurrentLayers(r);
    registerAttentionLayers(r);
    registerMergeLayers(r);
    return r;
  }();
  return registry;
}

}  // namespace

const LayerRegistry& layerRegistry() {
  return sharedRegistry();
}

LayerType& LayerSlotWriter::row(const std::string& name) {
  for (LayerType& type : m_registry.m_types) {
    if (type.name == name) return type;
  }
  throw std::logic_error("a slot was set for layer type '" + name +
                         "', which no layer family registers");
}

void fillLayerSlots(const std::function<void(LayerSlotWriter&)>& fill) {
  LayerSlotWriter writer(sharedRegistry());
  fill(writer);
}

void requireEverySlot(const LayerRegistry& registry, const std::string& slot,
                      const std::function<bool(const LayerType&)>& filled) {
  std::string missing;
  for (const LayerType& type : registry.types()) {
    if (!filled(type)) missing += (missing.empty() ? "" : ", ") + type.name;
  }
  if (!missing.empty()) {
    throw std::logic_error("layer types without " + slot + ": " + missing +
                           " (every registered type needs one)");
  }
}

}  // namespace layerlab::engine
