// The ONNX side of every layer type: the emitter slot (LayerType::onnx) of each registry row, set
// in onnx_layers.cpp, with the check that refuses what ONNX cannot express and the emitter that
// writes the layer's nodes. A test checks that every row has an emitter or is explicitly marked
// as having no ONNX form.
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

// layerRegistry() with every row's ONNX emitter slot set: the only way to read LayerType::onnx.
// The first call sets them (std::call_once); a registered type with neither an emitter nor a
// reason in notExportable is a std::logic_error naming it, on this and every later call. Any
// thread.
const LayerRegistry& onnxLayerRegistry();

}  // namespace layerlab::engine
