// Shape and count helpers shared by the layer registrations, and the parameter readings a family's
// rules share with its torch builder and its ONNX emitter (one rule, called from each side). No
// torch: the rules run in the editor's analysis as well as before a build.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/model/layer_registry.h"

namespace layerlab::engine {

// The output length of a sliding window as torch computes it (convolutions and pooling);
// below 1 when the window does not fit. With `ceilMode` a last partial window counts, unless it
// would start in the padding only.
int64_t slidingOutput(int64_t size, int64_t kernel, int64_t stride, int64_t padding,
                      int64_t dilation, bool ceilMode = false);

// "[channels, height, width]" for 2 spatial dimensions, "[channels, length]" for 1.
std::string channelsLayout(int spatialDims);

// "expects an input of shape [channels, length], got [784]"
std::string expectsShape(const std::string& layout, const Shape& got);

// The spatial part of a shape as "28x28" (or "28").
std::string formatSpatial(const Shape& shape);

// For layers that learn nothing or cost nothing.
int64_t countNothing(const LayerContext&, const Shape&);

// The first input's shape: the one input of a one-input layer.
inline const Shape& firstInput(const LayerContext& ctx) {
  return ctx.inputShapes.front();
}

// Convolutions: padding "same" (output size = input size), else the symmetric padding ("valid"
// is none).
bool samePadding(const LayerParams& params);
int64_t explicitPadding(const LayerParams& params);

// Window pooling: the stride, pool_size when unset.
int64_t poolStride(const LayerParams& params);

// LayerNorm: the trailing dimensions it normalises over, the last one when unset.
std::vector<int64_t> normalizedShape(const LayerParams& params, const Shape& input);

// LSTM and GRU: 2 when bidirectional, else 1.
int64_t recurrentDirections(const LayerParams& params);

// TransformerEncoderLayer: the feed-forward width, 4 · d_model when unset.
int64_t feedForwardUnits(const LayerParams& params, const Shape& input);

}  // namespace layerlab::engine
