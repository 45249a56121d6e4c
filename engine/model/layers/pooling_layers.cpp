// Window pooling (MaxPool1d/2d, AvgPool1d/2d) and GlobalAvgPool.
// The rows and their rules; the torch builders are in pooling_layers_torch.cpp.
//
// Multiply-adds: max pooling compares and counts 0. Average pooling accumulates every window
// element once: output elements · pool_size^d (the final division is not counted).
// GlobalAvgPool accumulates every input element once: input elements.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

std::vector<ParamSpec> windowPoolParams() {
  return {
      {.name = "pool_size",
       .kind = ParamKind::Int,
       .defaultValue = 2,
       .min = 1,
       .max = 1024,
       .description = "the side of the window (square for 2-D)"},
      {.name = "stride",
       .kind = ParamKind::Int,
       .min = 1,
       .max = 1024,
       .description = "the step between windows (default: pool_size)",
       .optional = true},
      {.name = "padding",
       .kind = ParamKind::Int,
       .defaultValue = 0,
       .min = 0,
       .max = 512,
       .description = "implicit padding on each side (at most half the window)"},
      {.name = "ceil_mode",
       .kind = ParamKind::Bool,
       .defaultValue = false,
       .description = "round the output size up: a last partial window still counts"},
  };
}

ShapeResult windowPoolShape(const LayerContext& ctx, int spatialDims) {
  const Shape& in = firstInput(ctx);
  if (in.size() != static_cast<size_t>(spatialDims) + 1) {
    return expectsShape(channelsLayout(spatialDims), in);
  }
  const LayerParams& p = ctx.params;
  const int64_t pool = p.getInt("pool_size"), padding = p.getInt("padding");
  if (2 * padding > pool) return "padding must be at most half of pool_size";
  Shape out = in;
  for (size_t i = 1; i < in.size(); ++i) {
    out[i] = slidingOutput(in[i], pool, poolStride(p), padding, 1, p.getBool("ceil_mode"));
    if (out[i] < 1) {
      return "the window (pool_size " + std::to_string(pool) + ") does not fit the " +
             formatSpatial(in) + " input; use a smaller window or padding";
    }
  }
  return out;
}

LayerType windowPoolLayer(bool average, int spatialDims) {
  LayerType type;
  const std::string dims = std::to_string(spatialDims) + "d";
  type.name = (average ? "AvgPool" : "MaxPool") + dims;
  type.category = "Pooling";
  type.description = std::string(average ? "The mean" : "The maximum") + " over each window of " +
                     channelsLayout(spatialDims) + ".";
  type.params = windowPoolParams();
  type.inferShape = [spatialDims](const LayerContext& ctx) {
    return windowPoolShape(ctx, spatialDims);
  };
  type.countParams = countNothing;
  type.countMacs = countNothing;
  if (average) {
    type.countMacs = [spatialDims](const LayerContext& ctx, const Shape& out) {
      int64_t macs = elementCount(out);
      for (int i = 0; i < spatialDims; ++i)
        macs = saturatingMul(macs, ctx.params.getInt("pool_size"));
      return macs;
    };
  }
  return type;
}

// "channels" averages every dimension after the first ([C, H, W] or [C, L] -> [C]); "sequence"
// averages over time ([T, F] -> [F]). Both are rank 2 for 1-D data, so the layout is a choice.
LayerType globalAvgPoolLayer() {
  LayerType type;
  type.name = "GlobalAvgPool";
  type.category = "Pooling";
  type.description = "The mean over all positions: [C, H, W] or [C, L] -> [C]; [T, F] -> [F].";
  type.params = {{.name = "layout",
                  .kind = ParamKind::Choice,
                  .defaultValue = "channels",
                  .choices = {"channels", "sequence"},
                  .description = "channels: [C, …] -> [C] (images, Conv1d); sequence: [T, F] -> "
                                 "[F], the mean over time"}};
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = firstInput(ctx);
    if (ctx.params.getChoice("layout") == "sequence") {
      if (in.size() != 2) return expectsShape("[time, features]", in);
      return Shape{in[1]};
    }
    if (in.size() < 2) return expectsShape("[channels, …positions]", in);
    return Shape{in[0]};
  };
  type.countParams = countNothing;
  type.countMacs = [](const LayerContext& ctx, const Shape&) {
    return elementCount(firstInput(ctx));
  };
  return type;
}

}  // namespace

void registerPoolingLayers(LayerRegistry& registry) {
  registry.add(windowPoolLayer(false, 1));
  registry.add(windowPoolLayer(false, 2));
  registry.add(windowPoolLayer(true, 1));
  registry.add(windowPoolLayer(true, 2));
  registry.add(globalAvgPoolLayer());
}

}  // namespace layerlab::engine
