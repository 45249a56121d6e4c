// Shape and cost inference over a model document: what the editor shows on every node and what
// `layerlab-cli summary` prints. Every problem is collected, each naming its node.
//
// Plain data, no torch: the GUI includes this header. Pure functions: any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/model/layer_registry.h"
#include "engine/model/model_spec.h"

namespace layerlab::engine {

struct NodeAnalysis {
  std::string id;
  std::string type;
  std::vector<size_t> inputIndices;   // into ModelAnalysis::nodes; kInputIndex for the model input
  std::optional<LayerParams> params;  // set when the parameters are valid
  std::optional<Shape> outputShape;   // set when the shape could be inferred
  int64_t paramCount = 0;
  int64_t macs = 0;  // multiply-adds per sample
};

struct ModelAnalysis {
  static constexpr size_t kInputIndex = static_cast<size_t>(-1);

  std::vector<NodeAnalysis> nodes;  // in topological order (when the graph has no cycle)
  std::vector<size_t> outputIndices;
  std::vector<ModelProblem> problems;
  int64_t totalParams = 0;
  int64_t totalMacs = 0;

  bool ok() const { return problems.empty(); }
  const NodeAnalysis* find(const std::string& id) const;
};

ModelAnalysis analyzeModel(const ModelSpec& spec, const LayerRegistry& registry = layerRegistry());

}  // namespace layerlab::engine
