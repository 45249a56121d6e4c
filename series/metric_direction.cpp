#include "series/metric_direction.h"

#include <array>
#include <cmath>

namespace layerlab::series {

namespace {

// Matched as parts of the name so that every split's spelling of a metric is covered.
constexpr std::array<std::string_view, 5> kHigherIsBetterWords{"accuracy", "f1", "r2", "precision",
                                                               "recall"};

}  // namespace

bool higherIsBetter(std::string_view metric) {
  for (const std::string_view word : kHigherIsBetterWords) {
    if (metric.find(word) != std::string_view::npos) return true;
  }
  return false;
}

bool beats(double value, double best, bool higherIsBetter, double minDelta) {
  if (!std::isfinite(value)) return false;
  if (!std::isfinite(best)) return true;
  return higherIsBetter ? value > best + minDelta : value < best - minDelta;
}

}  // namespace layerlab::series
