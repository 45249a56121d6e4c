#include "engine/experiment/trial_params.h"

#include <algorithm>
#include <stdexcept>

#include "engine/experiment/sampling_math.h"
#include "engine/model/layer_registry.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

constexpr size_t kListedNames = 20;

std::string nameList(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < kListedNames; ++i)
    text += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > kListedNames) text += ", … (" + std::to_string(names.size()) + " in all)";
  return text.empty() ? "none" : text;
}

bool isStructure(const std::string& field) {
  return field == "id" || field == "type" || field == "inputs";
}

// The node of `model` with id `id` (a json or a const json), or null.
template <class Json>
Json* findNode(Json& model, const std::string& id) {
  if (!model.is_object() || !model.contains("nodes") || !model["nodes"].is_array()) return nullptr;
  for (Json& node : model["nodes"]) {
    if (node.is_object() && node.value("id", json()) == id) return &node;
  }
  return nullptr;
}

std::vector<std::string> nodeIds(const json& model) {
  std::vector<std::string> ids;
  if (!model.is_object() || !model.contains("nodes") || !model["nodes"].is_array()) return ids;
  for (const json& node : model["nodes"]) {
    if (node.is_object() && node.value("id", json()).is_string()) ids.push_back(node["id"]);
  }
  return ids;
}

// The node's parameters: its own fields besides the structure, then those its type takes.
json nodeParams(const json& node) {
  json params = json::object();
  for (const auto& [field, value] : node.items()) {
    if (!isStructure(field)) params[field] = value;
  }
  return params;
}

std::vector<std::string> paramNames(const json& node, const LayerType* type) {
  std::vector<std::string> names;
  if (type != nullptr) {
    for (const ParamSpec& spec : type->params)
      names.push_back(spec.name);
  }
  const json own = nodeParams(node);
  for (const auto& [field, value] : own.items()) {
    if (std::find(names.begin(), names.end(), field) == names.end()) names.push_back(field);
  }
  return names;
}

bool paramsSound(const LayerType* type, const json& node, std::vector<std::string>& problems) {
  return type != nullptr && layerRegistry().resolveParams(*type, nodeParams(node), problems);
}

void setNodeParam(json& node, const std::string& key, const std::string& field, const json& value) {
  const json typeField = node.value("type", json());
  const std::string typeName = typeField.is_string() ? typeField.get<std::string>() : "";
  const LayerType* type = layerRegistry().find(typeName);
  const std::string what = "node '" + node["id"].get<std::string>() + "' (" + typeName + ")";
  const std::vector<std::string> names = paramNames(node, type);
  if (isStructure(field)) {
    throw std::invalid_argument("key '" + key + "': '" + field + "' is the structure of " + what +
                                ", not a parameter; its parameters: " + nameList(names));
  }
  if (std::find(names.begin(), names.end(), field) == names.end()) {
    throw std::invalid_argument("key '" + key + "': " + what + " has no parameter '" + field +
                                "'; its parameters: " + nameList(names));
  }
  std::vector<std::string> problems;
  const bool soundBefore = paramsSound(type, node, problems);
  node[field] = value;
  problems.clear();
  if (soundBefore && !paramsSound(type, node, problems)) {
    throw std::invalid_argument("key '" + key + "' = " + describeValue(value) + ": " + what + ": " +
                                (problems.empty() ? "refused" : problems.front()));
  }
}

// Every training setting as a key, in the document's order: "optimizer", "schedule.type", …
const json& trainDefaults() {
  static const json defaults = toJson(TrainConfig{});
  return defaults;
}

std::vector<std::string> trainKeys() {
  std::vector<std::string> keys;
  for (const auto& [key, value] : trainDefaults().items()) {
    if (key == "format" || key == "version") continue;
    if (!value.is_object()) {
      keys.push_back(key == "learning_rate" ? "learning_rate (lr)" : key);
      continue;
    }
    for (const auto& [inner, unused] : value.items())
      keys.push_back(key + "." + inner);
  }
  return keys;
}

// The default of a training setting at `path` ("schedule.type"), or null when there is none.
const json* trainDefault(const std::string& path) {
  const size_t dot = path.find('.');
  const std::string head = path.substr(0, dot);
  if (head == "format" || head == "version" || !trainDefaults().contains(head)) return nullptr;
  const json& top = trainDefaults()[head];
  if (dot == std::string::npos) return top.is_object() ? nullptr : &top;
  const std::string tail = path.substr(dot + 1);
  if (!top.is_object() || !top.contains(tail)) return nullptr;
  return &top[tail];
}

std::string kindProblem(const json& fallback, const json& value) {
  if (fallback.is_number_integer() && !value.is_number_integer()) return "a whole number";
  if (fallback.is_number_float() && !value.is_number()) return "a number";
  if (fallback.is_boolean() && !value.is_boolean()) return "true or false";
  if (fallback.is_string() && !value.is_string()) return "a text";
  return {};
}

[[noreturn]] void refuseUnknown(const json& model, const std::string& key) {
  const std::vector<std::string> ids = nodeIds(model);
  const size_t dot = key.find('.');
  if (dot == std::string::npos && std::find(ids.begin(), ids.end(), key) != ids.end()) {
    const json& node = *findNode(model, key);
    const json type = node.value("type", json(""));
    const std::vector<std::string> names =
        paramNames(node, layerRegistry().find(type.is_string() ? type.get<std::string>() : ""));
    throw std::invalid_argument("key '" + key + "' names a node; give one of its parameters as " +
                                key + ".<parameter> (" + nameList(names) + ")");
  }
  if (dot == std::string::npos && trainDefaults().contains(key) &&
      trainDefaults()[key].is_object()) {
    std::vector<std::string> inner;
    for (const auto& [name, unused] : trainDefaults()[key].items())
      inner.push_back(key + "." + name);
    throw std::invalid_argument("key '" + key + "' holds several training settings; give one of " +
                                "them: " + nameList(inner));
  }
  if (dot != std::string::npos && !trainDefaults().contains(key.substr(0, dot))) {
    throw std::invalid_argument("key '" + key + "': the model has no node '" + key.substr(0, dot) +
                                "' (its nodes: " + nameList(ids) +
                                ") and there is no training setting by that name");
  }
  throw std::invalid_argument("key '" + key + "': there is no training setting by that name (the " +
                              "settings: " + nameList(trainKeys()) + "), and a node's parameter " +
                              "is written node.parameter (nodes: " + nameList(ids) + ")");
}

void setTrainSetting(json& train, const json& model, const std::string& key, const json& value) {
  const std::string path = key == "lr" ? "learning_rate" : key;
  const json* fallback = trainDefault(path);
  if (fallback == nullptr) refuseUnknown(model, key);
  const std::string kind = kindProblem(*fallback, value);
  if (!kind.empty()) {
    throw std::invalid_argument("key '" + key + "' = " + describeValue(value) + ": " + path +
                                " takes " + kind);
  }
  if (!train.is_object()) train = json::object();
  const size_t dot = path.find('.');
  if (dot == std::string::npos) {
    train[path] = value;
    return;
  }
  json& group = train[path.substr(0, dot)];
  if (group.is_string()) group = json{{"type", group}};  // "schedule": "cosine" is a shorthand
  if (!group.is_object()) group = json::object();
  group[path.substr(dot + 1)] = value;
}

}  // namespace

ExperimentBase applyParams(const ExperimentBase& base, const nlohmann::json& params) {
  if (!params.is_object()) {
    throw std::invalid_argument("a trial's parameters must be an object of key → value");
  }
  ExperimentBase out = base;
  std::string trainApplied, modelApplied;
  for (const auto& [key, value] : params.items()) {
    if (value.is_null()) throw std::invalid_argument("key '" + key + "' has no value");
    const std::string applied = key + " = " + describeValue(value);
    const size_t dot = key.find('.');
    json* node = dot == std::string::npos ? nullptr : findNode(out.model, key.substr(0, dot));
    if (node != nullptr) {
      setNodeParam(*node, key, key.substr(dot + 1), value);
      modelApplied += (modelApplied.empty() ? "" : ", ") + applied;
    } else {
      setTrainSetting(out.train, out.model, key, value);
      trainApplied += (trainApplied.empty() ? "" : ", ") + applied;
    }
  }
  if (!trainApplied.empty()) {
    try {
      trainConfigFromJson(out.train);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument("the training settings with " + trainApplied + ": " +
                                  error.what());
    }
  }
  if (!modelApplied.empty()) {
    const ModelParseResult parsed =
        parseModelSpec(out.model.dump(-1, ' ', false, json::error_handler_t::replace));
    if (!parsed.spec) {
      throw std::invalid_argument("the model with " + modelApplied +
                                  " does not parse: " + parsed.problems.front().describe());
    }
  }
  return out;
}

void checkSpaceAgainstBase(const SearchSpace& space, const ExperimentBase& base) {
  validateSearchSpace(space);
  for (const ParamDomain& domain : space.params) {
    std::vector<json> probes = domain.choices;
    if (domain.kind != ParamDomain::Kind::Choice) {
      probes = {detail::rangeJson(domain, domain.low), detail::rangeJson(domain, domain.high)};
    }
    for (const json& probe : probes) {
      json params = json::object();
      params[domain.key] = probe;
      applyParams(base, params);
    }
  }
}

}  // namespace layerlab::engine
