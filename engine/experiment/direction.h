// Which way an experiment's objective improves. The samplers and the early-stopping rules share
// it; comparisons go through series::beats (series/metric_direction.h), the rule every part of
// LayerLab uses for "better".
//
// Plain data: any thread.
#pragma once

#include "series/metric_direction.h"

namespace layerlab::engine {

enum class Direction { Minimize, Maximize };

// True when `value` is strictly better than `other` in `direction`; a non-finite value is never
// better, and any finite value is better than a non-finite one.
inline bool isBetter(double value, double other, Direction direction) {
  return series::beats(value, other, direction == Direction::Maximize);
}

}  // namespace layerlab::engine
