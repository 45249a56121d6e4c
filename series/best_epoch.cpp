#include "series/best_epoch.h"

#include <cmath>

#include "series/metric_direction.h"

namespace layerlab::series {

bool BestEpoch::offer(int epoch, double value) {
  if (m_epoch > 0 && !beats(value, m_value, m_higher)) return false;
  if (!std::isfinite(value)) return false;
  m_epoch = epoch;
  m_value = value;
  return true;
}

int bestEpoch(std::span<const EpochValue> values, bool higherIsBetter) {
  int best = 0;
  double bestValue = 0.0;
  for (const EpochValue& one : values) {
    if (!std::isfinite(one.value)) continue;
    // Equal values keep the earlier epoch whatever order the values come in.
    const bool tieEarlier = best > 0 && one.value == bestValue && one.epoch < best;
    if (best == 0 || beats(one.value, bestValue, higherIsBetter) || tieEarlier) {
      best = one.epoch;
      bestValue = one.value;
    }
  }
  return best;
}

int bestEpochOf(std::span<const EpochValue> values, std::string_view metric) {
  return bestEpoch(values, higherIsBetter(metric));
}

}  // namespace layerlab::series
