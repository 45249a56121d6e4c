#include "engine/experiment/samplers.h"

#include <cmath>
#include <stdexcept>

#include "engine/experiment/sampling_math.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

// An int range lists every integer up to this many of them.
constexpr double kMaxEnumeratedInts = 16;

// `steps` evenly spaced values from low to high on the domain's scale, both ends exact.
std::vector<json> spacedValues(const ParamDomain& domain, int steps) {
  const double low = detail::toScale(domain, domain.low);
  const double high = detail::toScale(domain, domain.high);
  std::vector<json> values;
  for (int i = 0; i < steps; ++i) {
    const double scaled = low + (high - low) * i / (steps - 1);
    const double value = i == 0           ? domain.low
                         : i == steps - 1 ? domain.high
                                          : detail::fromScale(domain, scaled);
    json item = detail::rangeJson(domain, value);
    if (values.empty() || values.back() != item) values.push_back(std::move(item));
  }
  return values;
}

std::vector<json> gridValues(const ParamDomain& domain, int realSteps) {
  if (domain.kind == ParamDomain::Kind::Choice) return domain.choices;
  if (domain.kind == ParamDomain::Kind::Int && domain.high - domain.low < kMaxEnumeratedInts) {
    std::vector<json> values;
    for (auto v = static_cast<int64_t>(domain.low); v <= static_cast<int64_t>(domain.high); ++v) {
      values.emplace_back(v);
    }
    return values;
  }
  return spacedValues(domain, realSteps);
}

}  // namespace

std::vector<nlohmann::json> gridPoints(const SearchSpace& space, int realSteps) {
  validateSearchSpace(space);
  if (realSteps < 2 || static_cast<size_t>(realSteps) > kMaxGridPoints) {
    throw std::invalid_argument("a grid takes 2 to " + std::to_string(kMaxGridPoints) +
                                " steps per range, not " + std::to_string(realSteps));
  }
  std::vector<std::vector<json>> axes;
  std::string sizes;
  size_t count = 1;
  for (const ParamDomain& domain : space.params) {
    axes.push_back(gridValues(domain, realSteps));
    sizes += (sizes.empty() ? "" : " × ") + std::to_string(axes.back().size()) + " " + domain.key;
    count = std::min(count * axes.back().size(), kMaxGridPoints + 1);  // factors are ≤ 1,000
  }
  if (count > kMaxGridPoints) {
    throw std::invalid_argument("the grid has more than " + std::to_string(kMaxGridPoints) +
                                " points (" + sizes + "); give fewer values or search at random");
  }
  std::vector<json> points;
  points.reserve(count);
  std::vector<size_t> digits(axes.size(), 0);
  for (size_t n = 0; n < count; ++n) {
    json point = json::object();
    for (size_t i = 0; i < axes.size(); ++i)
      point[space.params[i].key] = axes[i][digits[i]];
    points.push_back(std::move(point));
    // An odometer: the last parameter turns fastest, the first slowest.
    for (size_t i = axes.size(); i-- > 0;) {
      if (++digits[i] < axes[i].size()) break;
      digits[i] = 0;
    }
  }
  return points;
}

nlohmann::json randomParams(const SearchSpace& space, uint64_t seed, int trialNumber) {
  detail::UniformSource source(detail::streamSeed(seed, trialNumber, detail::kRandomStream));
  json point = json::object();
  for (const ParamDomain& domain : space.params)
    point[domain.key] = detail::randomValue(domain, source);
  return point;
}

}  // namespace layerlab::engine
