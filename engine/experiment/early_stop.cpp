#include "engine/experiment/early_stop.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace layerlab::engine {
namespace {

// The finite value a curve recorded at `epoch`, or NaN.
double valueAt(const TrialCurve& curve, int epoch) {
  if (epoch < 1 || static_cast<size_t>(epoch) > curve.values.size()) return NAN;
  return curve.values[static_cast<size_t>(epoch) - 1];
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

// The mean of a curve's finite values up to `epoch`.
double runningAverage(const TrialCurve& curve, int epoch) {
  double sum = 0;
  int count = 0;
  for (int e = 1; e <= epoch; ++e) {
    const double value = valueAt(curve, e);
    if (!std::isfinite(value)) continue;
    sum += value;
    ++count;
  }
  return count > 0 ? sum / count : NAN;
}

}  // namespace

std::vector<int> ashaRungs(const AshaOptions& options) {
  if (options.minEpochs < 1 || options.reductionFactor < 2 || options.maxEpochs < 1) {
    throw std::invalid_argument(
        "ASHA needs a first rung of at least 1 epoch, a reduction "
        "factor of at least 2 and a maximum of at least 1 epoch");
  }
  std::vector<int> rungs;
  for (int64_t rung = options.minEpochs; rung < options.maxEpochs;
       rung *= options.reductionFactor) {
    rungs.push_back(static_cast<int>(rung));
  }
  return rungs;
}

bool ashaShouldStop(const TrialCurve& trial, int epoch, const std::vector<TrialCurve>& all,
                    Direction direction, const AshaOptions& options) {
  const std::vector<int> rungs = ashaRungs(options);
  if (std::find(rungs.begin(), rungs.end(), epoch) == rungs.end()) return false;
  const double own = valueAt(trial, epoch);
  if (!std::isfinite(own)) return false;
  size_t recorded = 1;  // the trial's own value
  size_t better = 0;
  for (const TrialCurve& other : all) {
    if (other.number == trial.number) continue;
    const double value = valueAt(other, epoch);
    if (!std::isfinite(value)) continue;
    ++recorded;
    if (isBetter(value, own, direction)) ++better;
  }
  const auto eta = static_cast<size_t>(options.reductionFactor);
  if (recorded < eta) return false;
  return better >= recorded / eta;
}

bool medianShouldStop(const TrialCurve& trial, int epoch, const std::vector<TrialCurve>& all,
                      Direction direction, const MedianOptions& options) {
  if (options.warmupEpochs < 0 || options.minTrials < 0) {
    throw std::invalid_argument("the median rule needs warm-up epochs and trials of at least 0");
  }
  if (epoch <= options.warmupEpochs) return false;
  double best = NAN;
  for (int e = 1; e <= epoch; ++e) {
    const double value = valueAt(trial, e);
    if (isBetter(value, best, direction)) best = value;
  }
  if (!std::isfinite(best)) return false;
  std::vector<double> averages;
  for (const TrialCurve& other : all) {
    if (other.number == trial.number || !std::isfinite(valueAt(other, epoch))) continue;
    averages.push_back(runningAverage(other, epoch));
  }
  if (averages.empty() || averages.size() < static_cast<size_t>(options.minTrials)) return false;
  return isBetter(median(std::move(averages)), best, direction);
}

}  // namespace layerlab::engine
