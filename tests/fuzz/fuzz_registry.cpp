// The layer families for the model fuzzer: a few types per family with real parameter tables and
// plain shape rules, but no torch builders (the fuzzers link no torch). They give analyzeModel
// known types, parameters to check, multi-input merges and shape failures to explore.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

ShapeResult sameShape(const LayerContext& ctx) {
  return firstInput(ctx);
}

LayerType simpleType(const std::string& name, std::vector<ParamSpec> params = {}) {
  LayerType type;
  type.name = name;
  type.params = std::move(params);
  type.inferShape = sameShape;
  type.countParams = countNothing;
  type.countMacs = countNothing;
  return type;
}

ShapeResult denseShape(const LayerContext& ctx) {
  Shape out = firstInput(ctx);
  if (out.empty()) return std::string("expects at least one dimension");
  out.back() = ctx.params.getInt("units");
  return out;
}

ShapeResult conv2dShape(const LayerContext& ctx) {
  const Shape& in = firstInput(ctx);
  if (in.size() != 3) return expectsShape(channelsLayout(2), in);
  const int64_t kernel = ctx.params.getInt("kernel_size");
  const int64_t stride = ctx.params.getInt("stride");
  const int64_t h = slidingOutput(in[1], kernel, stride, 0, 1);
  const int64_t w = slidingOutput(in[2], kernel, stride, 0, 1);
  if (h < 1 || w < 1) return "the kernel does not fit into " + formatSpatial(in);
  return Shape{ctx.params.getInt("filters"), h, w};
}

ShapeResult addShape(const LayerContext& ctx) {
  for (const Shape& shape : ctx.inputShapes) {
    if (shape != firstInput(ctx)) return std::string("inputs of different shapes");
  }
  return firstInput(ctx);
}

}  // namespace

void registerCoreLayers(LayerRegistry& registry) {
  LayerType dense =
      simpleType("Dense", {{.name = "units", .kind = ParamKind::Int, .min = 1, .max = 1 << 24},
                           {.name = "use_bias", .kind = ParamKind::Bool, .defaultValue = true}});
  dense.inferShape = denseShape;
  registry.add(std::move(dense));
  LayerType flatten = simpleType("Flatten");
  flatten.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    return Shape{elementCount(firstInput(ctx))};
  };
  registry.add(std::move(flatten));
  registry.add(simpleType(
      "Dropout", {{.name = "rate", .kind = ParamKind::Float, .defaultValue = 0.5, .max = 1}}));
  registry.add(simpleType(
      "Reshape",
      {{.name = "target_shape", .kind = ParamKind::IntList, .min = -1, .max = 1 << 24}}));
}

void registerConvolutionLayers(LayerRegistry& registry) {
  LayerType conv = simpleType(
      "Conv2d",
      {{.name = "filters", .kind = ParamKind::Int, .min = 1, .max = 1 << 16},
       {.name = "kernel_size", .kind = ParamKind::Int, .defaultValue = 3, .min = 1, .max = 64},
       {.name = "stride", .kind = ParamKind::Int, .defaultValue = 1, .min = 1, .max = 64},
       {.name = "padding",
        .kind = ParamKind::IntOrChoice,
        .defaultValue = 0,
        .max = 64,
        .choices = {"same", "valid"}}});
  conv.inferShape = conv2dShape;
  registry.add(std::move(conv));
}

void registerActivationLayers(LayerRegistry& registry) {
  registry.add(simpleType("ReLU"));
  registry.add(simpleType("Softmax", {{.name = "axis",
                                       .kind = ParamKind::Choice,
                                       .defaultValue = "last",
                                       .choices = {"last", "channels"}}}));
}

void registerPoolingLayers(LayerRegistry& registry) {
  registry.add(simpleType(
      "MaxPool2d", {{.name = "pool_size", .kind = ParamKind::Int, .defaultValue = 2, .min = 1},
                    {.name = "stride", .kind = ParamKind::Int, .min = 1, .optional = true}}));
}

void registerNormalizationLayers(LayerRegistry& registry) {
  registry.add(simpleType("BatchNorm"));
}

void registerRecurrentLayers(LayerRegistry&) {}

void registerAttentionLayers(LayerRegistry&) {}

void registerMergeLayers(LayerRegistry& registry) {
  LayerType add = simpleType("Add");
  add.minInputs = 2;
  add.maxInputs = 8;
  add.inferShape = addShape;
  registry.add(std::move(add));
}

}  // namespace layerlab::engine
