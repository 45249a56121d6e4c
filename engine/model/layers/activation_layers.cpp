// Element-wise activations: the output has the input's shape and there is nothing to learn.
#include "engine/model/layer_op.h"
#include "engine/model/layer_registry.h"

namespace layerlab::engine {
namespace {

template <typename Holder>
LayerType activation(const std::string& name, const std::string& description) {
  LayerType type;
  type.name = name;
  type.category = "Activation";
  type.description = description;
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult { return ctx.inputShapes.front(); };
  type.countParams = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.countMacs = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.build = [](const BuildContext&) { return makeModuleOp(Holder()); };
  return type;
}

}  // namespace

void registerActivationLayers(LayerRegistry& registry) {
  registry.add(activation<torch::nn::ReLU>("ReLU", "max(0, x), element-wise."));
  registry.add(activation<torch::nn::Sigmoid>("Sigmoid", "1 / (1 + e^-x), element-wise."));
  registry.add(activation<torch::nn::Tanh>("Tanh", "Hyperbolic tangent, element-wise."));
}

}  // namespace layerlab::engine
