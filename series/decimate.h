// Decimation for drawing: a long series reduced to at most a given number of points that still
// shows what the eye would see of all of them. The first and last points stay, and the points
// between are cut into equal stretches, each keeping its lowest and highest value (NaN counts as
// the highest, so a divergence stays visible), in their original order. The store applies it when
// asked for fewer points, the Train charts and Compare when they draw.
//
// Threads: pure functions, any thread.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace layerlab::series {

// The indices, ascending, of the points of `values` to keep: at most `maxPoints` of them. Every
// index when `maxPoints` is 0 or not below the count.
std::vector<size_t> decimate(std::span<const double> values, size_t maxPoints);

// decimate() on any sequence of points, reading each point's value with `valueOf`.
template <class Point, class ValueOf>
std::vector<Point> decimatePoints(const std::vector<Point>& points, size_t maxPoints,
                                  ValueOf valueOf) {
  if (maxPoints == 0 || points.size() <= maxPoints) return points;
  std::vector<double> values;
  values.reserve(points.size());
  for (const Point& point : points)
    values.push_back(valueOf(point));
  std::vector<Point> kept;
  for (const size_t index : decimate(values, maxPoints))
    kept.push_back(points[index]);
  return kept;
}

}  // namespace layerlab::series
