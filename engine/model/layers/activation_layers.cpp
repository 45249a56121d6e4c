// Element-wise activations and (Log)Softmax: the output has the input's shape, nothing is
// learned, and no multiply-adds are counted (see LayerType::countMacs).
// The rows and their rules; the torch builders are in activation_layers_torch.cpp.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

LayerType activation(const std::string& name, const std::string& description) {
  LayerType type;
  type.name = name;
  type.category = "Activation";
  type.description = description;
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult { return firstInput(ctx); };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

LayerType leakyReluLayer() {
  LayerType type = activation("LeakyReLU", "x for x > 0, negative_slope · x otherwise.");
  type.params = {{.name = "negative_slope",
                  .kind = ParamKind::Float,
                  .defaultValue = 0.01,
                  .min = 0,
                  .max = 1,
                  .description = "the slope for negative inputs"}};
  return type;
}

LayerType eluLayer() {
  LayerType type = activation("ELU", "x for x > 0, alpha · (e^x - 1) otherwise.");
  type.params = {{.name = "alpha",
                  .kind = ParamKind::Float,
                  .defaultValue = 1.0,
                  .min = 0,
                  .max = 100,
                  .description = "the value the output approaches for very negative inputs"}};
  return type;
}

// Softmax and LogSoftmax normalise along one axis of the sample (negative counts from the end).
LayerType softmaxLayer(const std::string& name, const std::string& description) {
  LayerType type = activation(name, description);
  type.params = {{.name = "axis",
                  .kind = ParamKind::Int,
                  .defaultValue = -1,
                  .min = -8,
                  .max = 7,
                  .description = "the axis to normalise along, without the batch (-1: the last)"}};
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = firstInput(ctx);
    const int64_t axis = ctx.params.getInt("axis");
    const int64_t rank = static_cast<int64_t>(in.size());
    if (axis < -rank || axis >= rank) {
      return "axis " + std::to_string(axis) + " is outside the input " + formatShape(in) +
             " (from " + std::to_string(-rank) + " to " + std::to_string(rank - 1) + ")";
    }
    return in;
  };
  return type;
}

}  // namespace

void registerActivationLayers(LayerRegistry& registry) {
  registry.add(activation("ReLU", "max(0, x), element-wise."));
  registry.add(leakyReluLayer());
  registry.add(eluLayer());
  registry.add(activation("GELU", "x · Φ(x), the Gaussian error linear unit, element-wise."));
  registry.add(activation("Sigmoid", "1 / (1 + e^-x), element-wise."));
  registry.add(activation("Tanh", "Hyperbolic tangent, element-wise."));
  registry.add(
      softmaxLayer("Softmax", "e^x / Σ e^x along an axis: values in (0, 1) that sum to 1."));
  registry.add(softmaxLayer("LogSoftmax", "log(softmax(x)) along an axis, computed stably."));
}

}  // namespace layerlab::engine
