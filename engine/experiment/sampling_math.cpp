#include "engine/experiment/sampling_math.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace layerlab::engine::detail {

using nlohmann::json;

uint64_t mix64(uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

uint64_t streamSeed(uint64_t seed, int trialNumber, uint64_t stream) {
  return mix64(mix64(mix64(seed) ^ stream) ^
               static_cast<uint64_t>(static_cast<int64_t>(trialNumber)));
}

double UniformSource::uniform() {
  return static_cast<double>(m_engine() >> 11) * 0x1.0p-53;
}

double UniformSource::normal() {
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));  // 1 − u is in (0, 1]
  return radius * std::cos(2.0 * std::numbers::pi * uniform());
}

size_t UniformSource::index(size_t count) {
  const auto picked = static_cast<size_t>(uniform() * static_cast<double>(count));
  return std::min(picked, count - 1);
}

ScaledRange scaledRange(const ParamDomain& domain) {
  const double widen = domain.kind == ParamDomain::Kind::Int ? 0.5 : 0.0;
  return {toScale(domain, domain.low - widen), toScale(domain, domain.high + widen)};
}

double toScale(const ParamDomain& domain, double value) {
  return domain.log ? std::log(value) : value;
}

double fromScale(const ParamDomain& domain, double scaled) {
  return domain.log ? std::exp(scaled) : scaled;
}

json rangeJson(const ParamDomain& domain, double value) {
  if (!std::isfinite(value)) value = domain.low;
  value = std::clamp(value, domain.low, domain.high);
  if (domain.kind == ParamDomain::Kind::Int) return static_cast<int64_t>(std::llround(value));
  return value;
}

std::optional<double> rangeValueOf(const ParamDomain& domain, const json& params) {
  if (!params.is_object()) return std::nullopt;
  const auto it = params.find(domain.key);
  if (it == params.end() || !it->is_number()) return std::nullopt;
  const double value = it->get<double>();
  if (!(value >= domain.low && value <= domain.high)) return std::nullopt;
  return value;
}

std::optional<size_t> choiceIndexOf(const ParamDomain& domain, const json& params) {
  if (!params.is_object()) return std::nullopt;
  const auto it = params.find(domain.key);
  if (it == params.end()) return std::nullopt;
  for (size_t i = 0; i < domain.choices.size(); ++i) {
    if (domain.choices[i] == *it) return i;
  }
  return std::nullopt;
}

json randomValue(const ParamDomain& domain, UniformSource& source) {
  if (domain.kind == ParamDomain::Kind::Choice) {
    return domain.choices[source.index(domain.choices.size())];
  }
  if (domain.kind == ParamDomain::Kind::Int && !domain.log) {
    const auto count = static_cast<size_t>(domain.high - domain.low) + 1;
    return static_cast<int64_t>(domain.low) + static_cast<int64_t>(source.index(count));
  }
  const ScaledRange range = scaledRange(domain);
  return rangeJson(domain, fromScale(domain, range.low + source.uniform() * range.width()));
}

}  // namespace layerlab::engine::detail
