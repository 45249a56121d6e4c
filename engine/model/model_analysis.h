// Shape and cost inference over a model document: what the editor shows on every node and what
// `layerlab-cli summary` prints. Every problem is collected, each naming its node. A model
// beyond the limits (kMaxElementsPerSample, kMaxModelParams in shape.h) gets a problem here, so
// it is refused before anything is allocated.
//
// Plain data, no torch: the GUI includes this header. Pure functions: any thread.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
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
  std::string outputDtype = kFloat32;
  int64_t paramCount = 0;         // trainable
  int64_t nonTrainableCount = 0;  // kept but not trained (BatchNorm's running statistics)
  int64_t macs = 0;               // multiply-adds per sample
};

struct ModelAnalysis {
  static constexpr size_t kInputIndex = static_cast<size_t>(-1);

  std::vector<NodeAnalysis> nodes;  // in topological order (when the graph has no cycle)
  std::vector<size_t> outputIndices;
  std::vector<ModelProblem> problems;
  Shape inputShape;
  std::string inputDtype = kFloat32;
  // Saturating sums: a model beyond the limits has a problem, and its totals stay huge.
  int64_t totalParams = 0;  // trainable, as torch's parameters() counts them
  int64_t totalNonTrainable = 0;
  int64_t totalMacs = 0;

  // Node id -> index in `nodes`, filled by analyzeModel: find() is a lookup, not a search, so that
  // a caller asking for every node stays linear.
  std::unordered_map<std::string, size_t> indexById;

  bool ok() const { return problems.empty(); }
  const NodeAnalysis* find(const std::string& id) const;
};

ModelAnalysis analyzeModel(const ModelSpec& spec, const LayerRegistry& registry = layerRegistry());

// What training is expected to hold in memory, in bytes. An estimate: the framework's own
// workspace, temporaries inside layers (attention weights, gate values), the allocator's slack
// and the data set itself come on top. Meaningful for a model without problems.
struct MemoryEstimate {
  int64_t batchSize = 0;
  std::string optimizer;
  int optimizerStates = 0;      // state tensors per parameter
  int64_t weightBytes = 0;      // trainable parameters and non-trainable buffers
  int64_t gradientBytes = 0;    // one per trainable parameter
  int64_t optimizerBytes = 0;   // optimizerStates per trainable parameter
  int64_t activationBytes = 0;  // the input batch and every node's output, kept for backward
  int64_t totalBytes = 0;
};

// State tensors an optimiser keeps per parameter: adam and adamw 2 (the moments), rmsprop 1 plus
// 1 with momentum, sgd 1 with momentum and 0 without. Throws std::invalid_argument for other
// names.
int optimizerStateCount(const std::string& optimizer, double momentum = 0.9);

// Throws std::invalid_argument for a batch size below 1 or an unknown optimiser.
MemoryEstimate estimateTrainingMemory(const ModelAnalysis& analysis, int64_t batchSize,
                                      const std::string& optimizer, double momentum = 0.9);

// The bytes of one value of `dtype` ("float32": 4, "int64": 8).
int64_t dtypeSize(const std::string& dtype);

}  // namespace layerlab::engine
