// BatchNorm (1-D or 2-D, chosen from the input's rank) and LayerNorm.
// The rows and their rules; the torch builders are in normalization_layers_torch.cpp.
//
// Multiply-adds: BatchNorm counts 1 per element — at inference its normalisation folds into
// y = a·x + b per channel. LayerNorm counts 2 per element: one to accumulate the statistics of
// each sample (mean and square), one to scale and shift.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

ParamSpec epsilonParam() {
  return {.name = "epsilon",
          .kind = ParamKind::Float,
          .defaultValue = 1e-5,
          .min = 0,
          .max = 1,
          .description = "added to the variance so that it is never zero"};
}

LayerType batchNormLayer() {
  LayerType type;
  type.name = "BatchNorm";
  type.category = "Normalisation";
  type.description =
      "Normalises each channel over the batch: [C] or [C, L] (1-D), [C, H, W] (2-D).";
  type.params = {{.name = "momentum",
                  .kind = ParamKind::Float,
                  .defaultValue = 0.1,
                  .min = 0,
                  .max = 1,
                  .description = "the weight of each new batch in the running statistics (torch's "
                                 "convention; Keras' 0.99 is 0.01 here)"},
                 epsilonParam()};
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = firstInput(ctx);
    if (in.size() > 3) return expectsShape("[C], [C, L] or [C, H, W]", in);
    return in;
  };
  // weight and bias per channel; the running mean and variance are the untrained part.
  type.countParams = [](const LayerContext& ctx, const Shape&) { return 2 * firstInput(ctx)[0]; };
  type.countNonTrainable = [](const LayerContext& ctx, const Shape&) {
    return 2 * firstInput(ctx)[0];
  };
  type.countMacs = [](const LayerContext&, const Shape& out) { return elementCount(out); };
  return type;
}

LayerType layerNormLayer() {
  LayerType type;
  type.name = "LayerNorm";
  type.category = "Normalisation";
  type.description =
      "Normalises each sample over its last dimension(s), with a learned scale and "
      "shift per element.";
  type.params = {{.name = "normalized_shape",
                  .kind = ParamKind::IntList,
                  .min = 1,
                  .max = 1 << 30,
                  .description = "the trailing dimensions to normalise over (default: the last)",
                  .optional = true},
                 epsilonParam()};
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = firstInput(ctx);
    const std::vector<int64_t> normalized = normalizedShape(ctx.params, firstInput(ctx));
    const bool fits = normalized.size() <= in.size() &&
                      std::equal(normalized.rbegin(), normalized.rend(), in.rbegin());
    if (!fits) {
      return "normalized_shape " + formatShape(normalized) +
             " must be the last dimensions of the input " + formatShape(in);
    }
    return in;
  };
  type.countParams = [](const LayerContext& ctx, const Shape&) {
    return saturatingMul(2, elementCount(normalizedShape(ctx.params, firstInput(ctx))));
  };
  type.countMacs = [](const LayerContext&, const Shape& out) {
    return saturatingMul(2, elementCount(out));
  };
  return type;
}

}  // namespace

void registerNormalizationLayers(LayerRegistry& registry) {
  registry.add(batchNormLayer());
  registry.add(layerNormLayer());
}

}  // namespace layerlab::engine
