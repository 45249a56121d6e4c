// Smoothing of a noisy training curve: an exponential moving average debiased the way
// TensorBoard does it (divided by 1 - w^n after n values), so the first points are not pulled
// towards zero and a short run does not lag behind its real values. The Train charts smooth live,
// one point at a time (ExponentialAverage); Compare smooths whole series (smooth()); both give
// the same numbers.
//
// Threads: pure functions and a plain value type, any thread.
#pragma once

#include <span>
#include <vector>

namespace layerlab::series {

// Weights are clamped to [0, kMaxSmoothing]: at 1 the average would never move.
constexpr double kMaxSmoothing = 0.999;

class ExponentialAverage {
 public:
  // `weight` is the share the average keeps at each step: 0 leaves the values as they are.
  explicit ExponentialAverage(double weight);

  // Takes the next value and returns the debiased average so far. NaN and the infinities are
  // returned as they are and leave the average alone, so one diverged batch does not poison
  // the rest of the curve.
  double add(double value);
  void reset();

 private:
  double m_weight;
  double m_sum = 0.0;
  double m_norm = 0.0;  // 1 - weight^n for the n finite values taken
};

// Every value of `values` smoothed in order, as ExponentialAverage would.
std::vector<double> smooth(std::span<const double> values, double weight);

}  // namespace layerlab::series
