// The shared arithmetic of the samplers (samplers.h): a seeded source of uniform and normal
// numbers that is the same with every standard library, the scale a range is searched on, and
// reading a trial's value of a parameter. Internal to engine/experiment.
//
// Pure functions, any thread; a UniformSource belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "engine/experiment/search_space.h"

namespace layerlab::engine::detail {

// The generators of one trial: one stream per sampler, so the random sampler's points do not
// repeat as TPE's candidates.
inline constexpr uint64_t kRandomStream = 0x52414e444f4d0001ULL;
inline constexpr uint64_t kTpeStream = 0x5450455341504c45ULL;

// splitmix64's finaliser: every input bit moves every output bit.
uint64_t mix64(uint64_t value);

// The seed of trial `trialNumber`'s generator in `stream`: depends on nothing else.
uint64_t streamSeed(uint64_t seed, int trialNumber, uint64_t stream);

// Uniform and normal numbers from std::mt19937_64, whose output the standard fixes; the
// transforms are LayerLab's own, so a seed gives the same numbers everywhere.
class UniformSource {
 public:
  explicit UniformSource(uint64_t seed) : m_engine(seed) {}

  double uniform();            // [0, 1), 53 random bits
  double normal();             // standard normal (Box–Muller)
  size_t index(size_t count);  // [0, count); count > 0

 private:
  std::mt19937_64 m_engine;
};

// A range on the scale it is searched on: the log of the values for log ranges; ints widened by
// ½ on both sides so that the end values get as much room as the others.
struct ScaledRange {
  double low = 0;
  double high = 0;
  double width() const { return high - low; }
};
ScaledRange scaledRange(const ParamDomain& domain);
double toScale(const ParamDomain& domain, double value);
double fromScale(const ParamDomain& domain, double scaled);

// `value` rounded (ints) and clamped into the domain's range, as the JSON a trial holds.
nlohmann::json rangeJson(const ParamDomain& domain, double value);

// A trial's value of a range parameter: a number within the range, else nothing.
std::optional<double> rangeValueOf(const ParamDomain& domain, const nlohmann::json& params);
// The index of a trial's value among a choice's values, or nothing.
std::optional<size_t> choiceIndexOf(const ParamDomain& domain, const nlohmann::json& params);

// One value drawn uniformly from the domain.
nlohmann::json randomValue(const ParamDomain& domain, UniformSource& source);

}  // namespace layerlab::engine::detail
