#include "series/decimate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace layerlab::series {

namespace {

// NaN ranks above every number: a diverged stretch shows as its highest point.
bool ranksBelow(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

}  // namespace

std::vector<size_t> decimate(std::span<const double> values, size_t maxPoints) {
  std::vector<size_t> kept;
  if (maxPoints == 0 || values.size() <= maxPoints) {
    kept.resize(values.size());
    std::iota(kept.begin(), kept.end(), size_t{0});
    return kept;
  }
  kept.push_back(0);
  if (maxPoints == 1) return kept;
  const size_t buckets = (maxPoints - 2) / 2;
  const size_t inner = values.size() - 2;  // the points between the first and the last
  for (size_t bucket = 0; bucket < buckets; ++bucket) {
    const size_t begin = 1 + bucket * inner / buckets;
    const size_t end = 1 + (bucket + 1) * inner / buckets;
    if (begin == end) continue;
    size_t low = begin;
    size_t high = begin;
    for (size_t i = begin; i < end; ++i) {
      if (ranksBelow(values[i], values[low])) low = i;
      if (ranksBelow(values[high], values[i])) high = i;
    }
    kept.push_back(std::min(low, high));
    if (low != high) kept.push_back(std::max(low, high));
  }
  kept.push_back(values.size() - 1);
  return kept;
}

}  // namespace layerlab::series
