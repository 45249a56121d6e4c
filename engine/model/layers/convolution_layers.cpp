// Conv2d and MaxPool2d over [channels, height, width] inputs.
#include "engine/model/layer_op.h"
#include "engine/model/layer_registry.h"

namespace layerlab::engine {
namespace {

// The output length of a sliding window, as torch computes it (floor mode).
int64_t windowOutput(int64_t size, int64_t kernel, int64_t stride, int64_t padding,
                     int64_t dilation) {
  return (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

std::string needsImage(const Shape& in) {
  return "expects an input of shape [channels, height, width], got " + formatShape(in);
}

ShapeResult windowShape(const Shape& in, int64_t channels, int64_t kernel, int64_t stride,
                        int64_t padding, int64_t dilation) {
  const int64_t height = windowOutput(in[1], kernel, stride, padding, dilation);
  const int64_t width = windowOutput(in[2], kernel, stride, padding, dilation);
  if (height < 1 || width < 1) {
    return "the window (kernel " + std::to_string(kernel) + ", dilation " +
           std::to_string(dilation) + ") does not fit the " + std::to_string(in[1]) + "x" +
           std::to_string(in[2]) + " input; use a smaller kernel or more padding";
  }
  return Shape{channels, height, width};
}

LayerType conv2dLayer() {
  LayerType type;
  type.name = "Conv2d";
  type.category = "Convolution";
  type.description = "2-D convolution over [channels, height, width].";
  type.params = {
      {.name = "filters",
       .kind = ParamKind::Int,
       .min = 1,
       .max = 1 << 16,
       .description = "the number of output channels"},
      {.name = "kernel_size",
       .kind = ParamKind::Int,
       .defaultValue = 3,
       .min = 1,
       .max = 1024,
       .description = "the side of the square kernel"},
      {.name = "stride",
       .kind = ParamKind::Int,
       .defaultValue = 1,
       .min = 1,
       .max = 1024,
       .description = "the step between windows"},
      {.name = "padding",
       .kind = ParamKind::Int,
       .defaultValue = 0,
       .min = 0,
       .max = 1024,
       .description = "zeros added on each side"},
      {.name = "dilation",
       .kind = ParamKind::Int,
       .defaultValue = 1,
       .min = 1,
       .max = 1024,
       .description = "the spacing between kernel elements"},
      {.name = "use_bias",
       .kind = ParamKind::Bool,
       .defaultValue = true,
       .description = "add a learned bias per channel"},
  };
  type.inferShape = [](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputShapes.front();
    if (in.size() != 3) return needsImage(in);
    const LayerParams& p = ctx.params;
    return windowShape(in, p.getInt("filters"), p.getInt("kernel_size"), p.getInt("stride"),
                       p.getInt("padding"), p.getInt("dilation"));
  };
  type.countParams = [](const LayerContext& ctx, const Shape& out) -> int64_t {
    const int64_t kernel = ctx.params.getInt("kernel_size");
    const int64_t weights = out[0] * ctx.inputShapes.front()[0] * kernel * kernel;
    return weights + (ctx.params.getBool("use_bias") ? out[0] : 0);
  };
  type.countMacs = [](const LayerContext& ctx, const Shape& out) -> int64_t {
    const int64_t kernel = ctx.params.getInt("kernel_size");
    return elementCount(out) * ctx.inputShapes.front()[0] * kernel * kernel;
  };
  type.build = [](const BuildContext& ctx) {
    const LayerParams& p = ctx.params;
    auto options = torch::nn::Conv2dOptions(ctx.inputShapes.front()[0], p.getInt("filters"),
                                            p.getInt("kernel_size"))
                       .stride(p.getInt("stride"))
                       .padding(p.getInt("padding"))
                       .dilation(p.getInt("dilation"))
                       .bias(p.getBool("use_bias"));
    return makeModuleOp(torch::nn::Conv2d(options));
  };
  return type;
}

LayerType maxPool2dLayer() {
  LayerType type;
  type.name = "MaxPool2d";
  type.category = "Pooling";
  type.description = "The maximum over each window of [channels, height, width].";
  type.params = {
      {.name = "pool_size",
       .kind = ParamKind::Int,
       .defaultValue = 2,
       .min = 1,
       .max = 1024,
       .description = "the side of the square window"},
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
  };
  auto strideOf = [](const LayerParams& p) {
    return p.isSet("stride") ? p.getInt("stride") : p.getInt("pool_size");
  };
  type.inferShape = [strideOf](const LayerContext& ctx) -> ShapeResult {
    const Shape& in = ctx.inputShapes.front();
    if (in.size() != 3) return needsImage(in);
    const int64_t pool = ctx.params.getInt("pool_size");
    const int64_t padding = ctx.params.getInt("padding");
    if (2 * padding > pool) return "padding must be at most half of pool_size";
    return windowShape(in, in[0], pool, strideOf(ctx.params), padding, 1);
  };
  type.countParams = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.countMacs = [](const LayerContext&, const Shape&) -> int64_t { return 0; };
  type.build = [strideOf](const BuildContext& ctx) {
    auto options = torch::nn::MaxPool2dOptions(ctx.params.getInt("pool_size"))
                       .stride(strideOf(ctx.params))
                       .padding(ctx.params.getInt("padding"));
    return makeModuleOp(torch::nn::MaxPool2d(options));
  };
  return type;
}

}  // namespace

void registerConvolutionLayers(LayerRegistry& registry) {
  registry.add(conv2dLayer());
  registry.add(maxPool2dLayer());
}

}  // namespace layerlab::engine
