// The model document (`*.layerlab.json`): a DAG of layer nodes. Parsing checks the document's
// structure; whether the layers exist and fit together is the job of analyzeModel().
//
// Plain data, no torch: the GUI includes this header.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/shape.h"

namespace layerlab::engine {

inline constexpr const char* kModelFormat = "layerlab.model";
inline constexpr int kModelVersion = 1;
// The name by which nodes refer to the model's input.
inline constexpr const char* kInputName = "input";
// The element types a model's input (and its nodes) may have: values, or integer token ids.
inline constexpr const char* kFloat32 = "float32";
inline constexpr const char* kInt64 = "int64";

struct NodeSpec {
  std::string id;
  std::string type;
  std::vector<std::string> inputs;
  nlohmann::json params = nlohmann::json::object();  // every key besides id, type and inputs
};

struct ModelSpec {
  std::string name;
  Shape inputShape;
  std::string inputDtype = kFloat32;
  std::vector<NodeSpec> nodes;
  std::vector<std::string> outputs;
  nlohmann::json editor = nlohmann::json::object();  // opaque to the engine: positions etc.

  const NodeSpec* findNode(const std::string& id) const;
};

// A problem found in a model document. `nodeId` is empty when the problem is not one node's.
struct ModelProblem {
  std::string nodeId;
  std::string message;

  // "node 'fc1': units must be at least 1" or the bare message.
  std::string describe() const;
};

struct ModelParseResult {
  std::optional<ModelSpec> spec;  // set when the structure is sound
  std::vector<ModelProblem> problems;
};

// Parses the JSON text of a model document, collecting every structural problem.
ModelParseResult parseModelSpec(const std::string& text);

// Reads and parses a file. Messages do not repeat the path: callers put it in front.
ModelParseResult loadModelSpec(const std::string& path);

nlohmann::json toJson(const ModelSpec& spec);

}  // namespace layerlab::engine
