// The model document (`*.layerlab.json`): a DAG of layer nodes. Parsing checks the document's
// structure; whether the layers exist and fit together is the job of analyzeModel().
//
// Plain data, no torch: the GUI includes this header.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
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

// A model document holds at most this many nodes: the editor, the summary and the builder work
// per node, and a model of more layers is a file made to exhaust them.
inline constexpr size_t kMaxModelNodes = 10000;
// A report lists at most this many problems, then "… and N more problems".
inline constexpr size_t kMaxReportedProblems = 100;

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
  // What the model is for and what to expect of it (templates state their measured accuracy).
  std::string description;
  // Training settings the model comes with ("suggested_training": part of a layerlab.train
  // document, e.g. {"epochs": 10, "schedule": {"type": "cosine"}}); null when none. Front ends
  // start from them (engine::withSuggestions); the user's own settings win.
  nlohmann::json suggestedTraining;

  const NodeSpec* findNode(const std::string& id) const;
};

// A problem found in a model document. `nodeId` is empty when the problem is not one node's.
struct ModelProblem {
  std::string nodeId;
  std::string message;

  // "node 'fc1': units must be at least 1" or the bare message.
  std::string describe() const;
};

// Collects problems into `out`, keeping the first kMaxReportedProblems and counting the rest, so
// that a document with a million broken nodes yields a short report.
class ProblemList {
 public:
  explicit ProblemList(std::vector<ModelProblem>& out) : m_out(out) {}

  void add(const std::string& nodeId, const std::string& message);
  // Appends "… and N more problems" when some were left out; call once, at the end.
  void close();

 private:
  std::vector<ModelProblem>& m_out;
  size_t m_count = 0;
};

struct ModelParseResult {
  std::optional<ModelSpec> spec;  // set when the structure is sound
  std::vector<ModelProblem> problems;
};

// Parses the JSON text of a model document, collecting every structural problem (up to
// kMaxReportedProblems). The text goes through parseJsonBounded (json_document.h): a document
// beyond its size or depth, or with more than kMaxModelNodes nodes, is refused with one problem.
ModelParseResult parseModelSpec(std::string_view text);

// Reads and parses a file (reading no more than the document size limit). Messages do not repeat
// the path: callers put it in front.
ModelParseResult loadModelSpec(const std::string& path);

nlohmann::json toJson(const ModelSpec& spec);

}  // namespace layerlab::engine
