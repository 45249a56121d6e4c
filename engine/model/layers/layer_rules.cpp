#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {

int64_t slidingOutput(int64_t size, int64_t kernel, int64_t stride, int64_t padding,
                      int64_t dilation, bool ceilMode) {
  // The operands are bounded by the limits and the parameter ranges: no overflow here.
  const int64_t span = size + 2 * padding - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  int64_t out = (span + (ceilMode ? stride - 1 : 0)) / stride + 1;
  // torch drops a last window that would start inside the right padding.
  if (ceilMode && (out - 1) * stride >= size + padding) --out;
  return out;
}

std::string channelsLayout(int spatialDims) {
  return spatialDims == 1 ? "[channels, length]" : "[channels, height, width]";
}

std::string expectsShape(const std::string& layout, const Shape& got) {
  return "expects an input of shape " + layout + ", got " + formatShape(got);
}

std::string formatSpatial(const Shape& shape) {
  std::string text;
  for (size_t i = 1; i < shape.size(); ++i)
    text += (i > 1 ? "x" : "") + std::to_string(shape[i]);
  return text;
}

int64_t countNothing(const LayerContext&, const Shape&) {
  return 0;
}

bool samePadding(const LayerParams& params) {
  return params.holdsChoice("padding") && params.getChoice("padding") == "same";
}

int64_t explicitPadding(const LayerParams& params) {
  return params.holdsChoice("padding") ? 0 : params.getInt("padding");
}

int64_t poolStride(const LayerParams& params) {
  return params.isSet("stride") ? params.getInt("stride") : params.getInt("pool_size");
}

std::vector<int64_t> normalizedShape(const LayerParams& params, const Shape& input) {
  if (params.isSet("normalized_shape")) return params.getIntList("normalized_shape");
  return {input.back()};
}

int64_t recurrentDirections(const LayerParams& params) {
  return params.getBool("bidirectional") ? 2 : 1;
}

int64_t feedForwardUnits(const LayerParams& params, const Shape& input) {
  return params.isSet("ff_units") ? params.getInt("ff_units") : 4 * input[1];
}

}  // namespace layerlab::engine
