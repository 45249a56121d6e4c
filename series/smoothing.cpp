#include "series/smoothing.h"

#include <algorithm>
#include <cmath>

namespace layerlab::series {

ExponentialAverage::ExponentialAverage(double weight)
    : m_weight(std::isfinite(weight) ? std::clamp(weight, 0.0, kMaxSmoothing) : 0.0) {}

double ExponentialAverage::add(double value) {
  if (!std::isfinite(value)) return value;
  m_sum = m_weight * m_sum + (1 - m_weight) * value;
  m_norm = m_weight * m_norm + (1 - m_weight);
  return m_sum / m_norm;
}

void ExponentialAverage::reset() {
  m_sum = 0.0;
  m_norm = 0.0;
}

std::vector<double> smooth(std::span<const double> values, double weight) {
  ExponentialAverage average(weight);
  std::vector<double> out;
  out.reserve(values.size());
  for (const double value : values)
    out.push_back(average.add(value));
  return out;
}

}  // namespace layerlab::series
