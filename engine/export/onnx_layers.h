// The ONNX side of every layer type: one rule per registry type, keyed by the type's name, each
// with the check that refuses what ONNX cannot express and the emitter that writes the layer's
// nodes. A test checks that every type of layerRegistry() has its rule here.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/export/onnx_graph.h"
#include "engine/model/layer_registry.h"

namespace layerlab::engine {

// What an emitter gets: the node's checked parameters and shapes (without the batch), the value
// names of its inputs ([N, …] each), the name its result must have, and its torch module.
struct OnnxEmitContext {
  OnnxGraph& graph;
  const std::string& nodeId;
  const LayerParams& params;
  const std::vector<Shape>& inputShapes;
  const Shape& outputShape;
  std::vector<std::string> inputs;
  std::string output;
  torch::nn::Module* module = nullptr;  // null for stateless layers
};

struct OnnxLayerRule {
  std::string type;
  // Why this configuration cannot be written as ONNX, or an empty string.
  std::string (*refuse)(const LayerParams& params, const std::vector<Shape>& inputShapes) = nullptr;
  void (*emit)(OnnxEmitContext& ctx) = nullptr;
  // Whether the layer's nodes work for any length of the first (time) axis: its shape constants
  // never hold that length.
  bool anyLength = true;
  // Whether the layer reads a sequence (tokens, recurrent and attention layers): a model with one
  // has a time axis, which its file leaves free when every layer works for any length.
  bool readsSequence = false;
};

const std::vector<OnnxLayerRule>& onnxLayerRules();
const OnnxLayerRule* findOnnxLayerRule(const std::string& type);

}  // namespace layerlab::engine
