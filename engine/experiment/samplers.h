// Where the next trial of an experiment goes: every point of a grid, a random point, or a point
// the Tree-structured Parzen Estimator proposes from the trials so far; and afterwards, which
// parameters mattered.
//
// A trial's parameters are a JSON object, key → value: int parameters as JSON integers, reals as
// doubles, choices as the space gives them. Every sampler is deterministic: the same space, seed,
// trial number and history always give the same point, with any standard library (the numbers
// come from std::mt19937_64 through LayerLab's own transforms, never std::*_distribution).
//
// Plain data, no torch, no Qt: pure functions, any thread. Bad arguments throw
// std::invalid_argument.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/experiment/direction.h"
#include "engine/experiment/search_space.h"

namespace layerlab::engine {

// A grid holds at most this many points.
inline constexpr size_t kMaxGridPoints = 100000;

// Every point of the space's Cartesian product, the first parameter varying slowest. A choice
// gives its values; an int range every integer when there are at most 16, else `realSteps`
// points; a real range `realSteps` points. Points of a range are evenly spaced (on the log scale
// for log ranges), both ends included, ints rounded and repeats dropped. Refuses a grid of more
// than kMaxGridPoints points and realSteps below 2.
std::vector<nlohmann::json> gridPoints(const SearchSpace& space, int realSteps = 5);

// A finished trial as the samplers see it. `objective` is missing when the trial failed or gave
// no value; a trial stopped early counts with its last value (early_stop.h decides the stop, and
// the stopped trial's value is already worse than those that went on, which is what TPE needs).
struct TrialResult {
  nlohmann::json params;
  std::optional<double> objective;
};

// A point drawn uniformly from the space (log ranges uniformly on the log scale). The same
// (seed, trialNumber) always gives the same point, whatever else has happened.
nlohmann::json randomParams(const SearchSpace& space, uint64_t seed, int trialNumber);

struct TpeOptions {
  int startupTrials = 10;  // below this many trials with an objective, sample at random
  int candidates = 24;     // points drawn from the good trials' density; the best ratio wins
  double priorWeight = 1.0;
  bool magicClip = true;  // a floor on kernel widths that grows with the number of trials
};

// The Tree-structured Parzen Estimator (independent per parameter, as Optuna's TPESampler by
// default). With fewer than startupTrials finished trials that have a finite objective it returns
// randomParams(space, seed, trialNumber). Otherwise the best gamma(n) = min(ceil(0.1·n), 25)
// trials (at least 1) are "good" and the rest "bad"; for each parameter it fits a density l(x) to
// the good values and g(x) to the bad ones, draws `candidates` points from l and keeps the one
// with the highest log l(x) − log g(x).
// - ranges: a mixture of Gaussians truncated to the range, on the log scale for log ranges, one
//   at each observation plus a prior centred in the range with sigma = the range's width; each
//   observation's width is the larger distance to its neighbours (the range's ends count as
//   neighbours), clipped to [width / min(100, kernels + 1), width]. Ints are drawn and scored on
//   the range widened by ½ on both sides, then rounded into the range.
// - choices: the observations' weighted counts plus priorWeight spread evenly over the values.
// Observations weigh 1 each up to 25 of them; beyond that, older ones ramp down (as Optuna).
// The history's order is the trials' order: older first.
nlohmann::json tpeParams(const SearchSpace& space, const std::vector<TrialResult>& finished,
                         Direction direction, uint64_t seed, int trialNumber,
                         const TpeOptions& options = {});

// How parameterImportance() weighs a parameter, in one line for the UI and the CLI.
inline constexpr const char* kImportanceMethod =
    "share of the objective's variance explained by each parameter alone (ANOVA eta²: trials "
    "grouped by value, or by quartile of a range), normalised to sum to 1";

// Each parameter's share of importance, largest first (ties keep the space's order); the shares
// sum to 1, or are all 0 when fewer than 4 trials have a finite objective or no parameter explains
// any variance. A choice groups the trials by value; a range by its value when it took at most 4
// distinct values, else into 4 bins of equal counts (quantiles, the same on the log scale).
std::vector<std::pair<std::string, double>> parameterImportance(
    const SearchSpace& space, const std::vector<TrialResult>& trials);

}  // namespace layerlab::engine
