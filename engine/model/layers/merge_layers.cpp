// Add (residual connections) and Concat: the layers that read more than one input.
// The rows and their rules; the torch builders are in merge_layers_torch.cpp.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

constexpr int kMaxMergeInputs = 32;

std::string inputShapeText(const LayerContext& ctx, size_t index) {
  return "input '" + ctx.inputNames[index] + "' has shape " + formatShape(ctx.inputShapes[index]);
}

LayerType addLayer() {
  LayerType type;
  type.name = "Add";
  type.category = "Merge";
  type.description = "The element-wise sum of inputs of one shape (a residual connection).";
  type.minInputs = 2;
  type.maxInputs = kMaxMergeInputs;
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    for (size_t i = 1; i < ctx.inputShapes.size(); ++i) {
      if (ctx.inputShapes[i] != ctx.inputShapes[0]) {
        return inputShapeText(ctx, 0) + " but " + inputShapeText(ctx, i) +
               "; Add needs inputs of the same shape";
      }
    }
    return ctx.inputShapes[0];
  };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

// The reason the inputs cannot be joined along `axis` (non-negative), or an empty string.
std::string concatProblem(const LayerContext& ctx, size_t axis) {
  const Shape& first = ctx.inputShapes[0];
  for (size_t i = 1; i < ctx.inputShapes.size(); ++i) {
    const Shape& other = ctx.inputShapes[i];
    bool fits = other.size() == first.size();
    for (size_t d = 0; fits && d < first.size(); ++d)
      fits = d == axis || other[d] == first[d];
    if (!fits) {
      return inputShapeText(ctx, 0) + " but " + inputShapeText(ctx, i) +
             "; Concat needs every dimension but axis " + std::to_string(axis) + " to agree";
    }
  }
  return {};
}

LayerType concatLayer() {
  LayerType type;
  type.name = "Concat";
  type.category = "Merge";
  type.description = "Joins the inputs along one axis; the other dimensions must agree.";
  type.minInputs = 2;
  type.maxInputs = kMaxMergeInputs;
  type.inputDtype = InputDtype::Same;
  type.params = {{.name = "axis",
                  .kind = ParamKind::Int,
                  .defaultValue = -1,
                  .min = -8,
                  .max = 7,
                  .description = "the axis to join along, without the batch (-1: the last)"}};
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& first = ctx.inputShapes[0];
    const int64_t rank = static_cast<int64_t>(first.size());
    const int64_t axis = ctx.params.getInt("axis");
    if (axis < -rank || axis >= rank) {
      return "axis " + std::to_string(axis) + " is outside the input " + formatShape(first) +
             " (from " + std::to_string(-rank) + " to " + std::to_string(rank - 1) + ")";
    }
    const size_t index = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    if (std::string problem = concatProblem(ctx, index); !problem.empty()) return problem;
    Shape out = first;
    for (size_t i = 1; i < ctx.inputShapes.size(); ++i)
      out[index] = saturatingAdd(out[index], ctx.inputShapes[i][index]);
    return out;
  };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

}  // namespace

void registerMergeLayers(LayerRegistry& registry) {
  registry.add(addLayer());
  registry.add(concatLayer());
}

}  // namespace layerlab::engine
