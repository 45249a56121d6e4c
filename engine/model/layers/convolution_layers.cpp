// Conv1d over [channels, length] and Conv2d over [channels, height, width].
// The rows and their rules; the torch builders are in convolution_layers_torch.cpp.
//
// Multiply-adds: every output value is a dot product over (input channels / groups) · kernel^d
// inputs, so MACs = output elements · (C_in / groups) · kernel^d. The bias is not counted.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

std::vector<ParamSpec> convParams() {
  return {
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
       .description = "the side of the kernel (square for 2-D)"},
      {.name = "stride",
       .kind = ParamKind::Int,
       .defaultValue = 1,
       .min = 1,
       .max = 1024,
       .description = "the step between windows"},
      {.name = "padding",
       .kind = ParamKind::IntOrChoice,
       .defaultValue = 0,
       .min = 0,
       .max = 1024,
       .choices = {"same", "valid"},
       .description = "zeros added on each side, or \"same\" (output size = input size) or "
                      "\"valid\" (none)"},
      {.name = "dilation",
       .kind = ParamKind::Int,
       .defaultValue = 1,
       .min = 1,
       .max = 1024,
       .description = "the spacing between kernel elements"},
      {.name = "groups",
       .kind = ParamKind::Int,
       .defaultValue = 1,
       .min = 1,
       .max = 1 << 16,
       .description = "split channels into this many independent groups (must divide both)"},
      {.name = "use_bias",
       .kind = ParamKind::Bool,
       .defaultValue = true,
       .description = "add a learned bias per channel"},
  };
}

int64_t kernelVolume(const LayerParams& p, int spatialDims) {
  int64_t volume = 1;
  for (int i = 0; i < spatialDims; ++i)
    volume = saturatingMul(volume, p.getInt("kernel_size"));
  return volume;
}

std::string checkGroups(const Shape& in, const LayerParams& p) {
  const int64_t groups = p.getInt("groups");
  if (in[0] % groups == 0 && p.getInt("filters") % groups == 0) return {};
  return "groups (" + std::to_string(groups) + ") must divide both the input channels (" +
         std::to_string(in[0]) + ") and filters (" + std::to_string(p.getInt("filters")) + ")";
}

ShapeResult convShape(const LayerContext& ctx, int spatialDims) {
  const Shape& in = firstInput(ctx);
  if (in.size() != static_cast<size_t>(spatialDims) + 1) {
    return expectsShape(channelsLayout(spatialDims), in);
  }
  const LayerParams& p = ctx.params;
  if (std::string problem = checkGroups(in, p); !problem.empty()) return problem;
  const int64_t kernel = p.getInt("kernel_size"), stride = p.getInt("stride");
  const int64_t dilation = p.getInt("dilation");
  Shape out = in;
  out[0] = p.getInt("filters");
  if (samePadding(p)) {
    if (stride > 1) {
      return "padding \"same\" needs stride 1 (torch has no \"same\" for strided convolutions); "
             "give the padding as a number instead";
    }
    return out;
  }
  for (size_t i = 1; i < in.size(); ++i) {
    out[i] = slidingOutput(in[i], kernel, stride, explicitPadding(p), dilation);
    if (out[i] < 1) {
      return "the window (kernel " + std::to_string(kernel) + ", dilation " +
             std::to_string(dilation) + ") does not fit the " + formatSpatial(in) +
             " input; use a smaller kernel or more padding";
    }
  }
  return out;
}

LayerType convLayer(int spatialDims) {
  LayerType type;
  type.name = spatialDims == 1 ? "Conv1d" : "Conv2d";
  type.category = "Convolution";
  type.description =
      std::to_string(spatialDims) + "-D convolution over " + channelsLayout(spatialDims) + ".";
  type.params = convParams();
  type.inferShape = [spatialDims](const LayerContext& ctx) { return convShape(ctx, spatialDims); };
  type.countParams = [spatialDims](const LayerContext& ctx, const Shape& out) -> int64_t {
    const int64_t inPerGroup = firstInput(ctx)[0] / ctx.params.getInt("groups");
    const int64_t weights =
        saturatingProduct({out[0], inPerGroup, kernelVolume(ctx.params, spatialDims)});
    return saturatingAdd(weights, ctx.params.getBool("use_bias") ? out[0] : 0);
  };
  type.countMacs = [spatialDims](const LayerContext& ctx, const Shape& out) -> int64_t {
    const int64_t inPerGroup = firstInput(ctx)[0] / ctx.params.getInt("groups");
    return saturatingProduct(
        {elementCount(out), inPerGroup, kernelVolume(ctx.params, spatialDims)});
  };
  return type;
}

}  // namespace

void registerConvolutionLayers(LayerRegistry& registry) {
  registry.add(convLayer(1));
  registry.add(convLayer(2));
}

}  // namespace layerlab::engine
