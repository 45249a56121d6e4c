// Shape and count helpers shared by the layer registrations. No torch: the rules run in the
// editor's analysis as well as before a build.
#pragma once

#include <cstdint>
#include <string>

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

}  // namespace layerlab::engine
