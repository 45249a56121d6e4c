// Dense, Flatten and Dropout.
#include "engine/model/layer_op.h"
#include "engine/model/layer_registry.h"

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
    Shape out = ctx.inputShapes.front();
    out.back() = ctx.params.getInt("units");
    return out;
  };
  type.countParams = [](const LayerContext& ctx, const Shape&) -> int64_t {
    const int64_t units = ctx.params.getInt("units");
    return ctx.inputShapes.front().back() * units + (ctx.params.getBool("use_bias") ? units : 0);
  };
  type.countMacs = [](const LayerContext& ctx, const Shape& out) -> int64_t {
    return elementCount(out) * ctx.inputShapes.front().back();
  };
  type.build = [](const BuildContext& ctx) {
    auto options =
        torch::nn::LinearOptions(ctx.inputShapes.front().back(), ctx.params.getInt("units"))
            .bias(ctx.params.getBool("use_bias"));
    return makeModuleOp(torch::nn::Linear(options));
  };
  return type;
}

LayerType flattenLayer() {
  LayerType type;
  type.name = "Flatten";
  type.category = "Core";
  type.description = "Flattens every dimension but the batch into one.";
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    return Shape{elementCount(ctx.inputShapes.front())};
  };
  type.countParams = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.countMacs = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.build = [](const BuildContext&) {
    return makeFunctionOp([](const torch::Tensor& x) { return x.flatten(1); });
  };
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
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult { return ctx.inputShapes.front(); };
  type.countParams = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.countMacs = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.build = [](const BuildContext& ctx) {
    return makeModuleOp(torch::nn::Dropout(torch::nn::DropoutOptions(ctx.params.getFloat("rate"))));
  };
  return type;
}

}  // namespace

void registerCoreLayers(LayerRegistry& registry) {
  registry.add(denseLayer());
  registry.add(flattenLayer());
  registry.add(dropoutLayer());
}

}  // namespace layerlab::engine
