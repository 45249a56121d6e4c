// Dense, Flatten, Reshape, Embedding and Dropout.
// The rows and their rules; the torch builders are in core_layers_torch.cpp.
//
// Multiply-adds: Dense computes one dot product of length in_features per output value:
// output elements · in_features. The others compute nothing that counts (Embedding is a lookup).
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

LayerType denseLayer() {
  LayerType type;
  type.name = "Dense";
  type.category = "Core";
  type.description = "Fully connected layer: y = xWᵀ + b over the last dimension.";
  type.params = {
      {.name = "units",
       .kind = ParamKind::Int,
       .min = 1,
       .max = 1 << 24,
       .description = "the number of output features"},
      {.name = "use_bias",
       .kind = ParamKind::Bool,
       .defaultValue = true,
       .description = "add a learned bias"},
  };
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    Shape out = firstInput(ctx);
    out.back() = ctx.params.getInt("units");
    return out;
  };
  type.countParams = [](const LayerContext& ctx, const Shape&) -> int64_t {
    const int64_t units = ctx.params.getInt("units");
    return saturatingAdd(saturatingMul(firstInput(ctx).back(), units),
                         ctx.params.getBool("use_bias") ? units : 0);
  };
  type.countMacs = [](const LayerContext& ctx, const Shape& out) -> int64_t {
    return saturatingMul(elementCount(out), firstInput(ctx).back());
  };
  return type;
}

LayerType flattenLayer() {
  LayerType type;
  type.name = "Flatten";
  type.category = "Core";
  type.description = "Flattens every dimension but the batch into one.";
  type.inputDtype = InputDtype::Same;
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    return Shape{elementCount(firstInput(ctx))};
  };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

// The target shape with its one -1 (if any) worked out, or the reason it does not fit.
ShapeResult reshapeTarget(const Shape& in, const std::vector<int64_t>& target) {
  int64_t known = 1;
  int unknowns = 0;
  for (int64_t dim : target) {
    if (dim == 0 || dim < -1) return "every dimension of target_shape must be positive, or -1";
    if (dim == -1)
      ++unknowns;
    else
      known = saturatingMul(known, dim);
  }
  if (unknowns > 1) return "target_shape may have at most one -1";
  const int64_t elements = elementCount(in);
  const std::string mismatch = "cannot reshape " + formatShape(in) + " (" +
                               std::to_string(elements) + " values) into " + formatShape(target);
  Shape out(target.begin(), target.end());
  if (unknowns == 0) return known == elements ? ShapeResult(out) : ShapeResult(mismatch);
  if (elements % known != 0) return mismatch;
  for (int64_t& dim : out) {
    if (dim == -1) dim = elements / known;
  }
  return out;
}

LayerType reshapeLayer() {
  LayerType type;
  type.name = "Reshape";
  type.category = "Core";
  type.description = "Gives the values a new shape (without the batch); the count must not change.";
  type.inputDtype = InputDtype::Same;
  type.params = {{.name = "target_shape",
                  .kind = ParamKind::IntList,
                  .min = -1,
                  .max = static_cast<double>(int64_t{1} << 31),
                  .description = "the new shape without the batch; one dimension may be -1 "
                                 "(worked out from the rest)"}};
  type.inferShape = [](const LayerContext& ctx) {
    return reshapeTarget(firstInput(ctx), ctx.params.getIntList("target_shape"));
  };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

LayerType embeddingLayer() {
  LayerType type;
  type.name = "Embedding";
  type.category = "Core";
  type.description = "Looks up a learned vector for each integer token id: [T] -> [T, output_dim].";
  type.inputDtype = InputDtype::Int64;
  type.params = {
      {.name = "input_dim",
       .kind = ParamKind::Int,
       .min = 1,
       .max = 1 << 24,
       .description = "the vocabulary size: token ids run from 0 to input_dim - 1"},
      {.name = "output_dim",
       .kind = ParamKind::Int,
       .min = 1,
       .max = 1 << 16,
       .description = "the length of each token's vector"},
  };
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    Shape out = firstInput(ctx);
    out.push_back(ctx.params.getInt("output_dim"));
    return out;
  };
  type.countParams = [](const LayerContext& ctx, const Shape&) {
    return saturatingMul(ctx.params.getInt("input_dim"), ctx.params.getInt("output_dim"));
  };
  type.countMacs = countNothing;
  return type;
}

LayerType dropoutLayer() {
  LayerType type;
  type.name = "Dropout";
  type.category = "Regularisation";
  type.description = "Zeroes a random fraction of the values while training.";
  type.params = {{.name = "rate",
                  .kind = ParamKind::Float,
                  .defaultValue = 0.5,
                  .min = 0,
                  .max = 0.999,
                  .description = "the fraction of values dropped"}};
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult { return firstInput(ctx); };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

}  // namespace

void registerCoreLayers(LayerRegistry& registry) {
  registry.add(denseLayer());
  registry.add(flattenLayer());
  registry.add(reshapeLayer());
  registry.add(embeddingLayer());
  registry.add(dropoutLayer());
}

}  // namespace layerlab::engine
