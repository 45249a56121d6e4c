// The Tree-structured Parzen Estimator of samplers.h (tpeParams), independent per parameter.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "engine/experiment/samplers.h"
#include "engine/experiment/sampling_math.h"

namespace layerlab::engine {
namespace {

using detail::ScaledRange;
using detail::UniformSource;
using nlohmann::json;

// Beyond this many observations, older ones weigh less (Optuna's default_weights).
constexpr size_t kFullWeightObservations = 25;
constexpr size_t kMaxGoodTrials = 25;
constexpr int kRejectionTries = 100;
constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();

// The observations' weights, oldest first: all 1 up to 25 of them, else a ramp from 1/n up to
// 1 over the oldest n − 25 and 1 for the newest 25.
std::vector<double> observationWeights(size_t count) {
  std::vector<double> weights(count, 1.0);
  if (count < kFullWeightObservations) return weights;
  const size_t ramp = count - kFullWeightObservations;
  const double first = 1.0 / static_cast<double>(count);
  for (size_t i = 0; i < ramp; ++i) {
    weights[i] = ramp == 1 ? first : first + (1.0 - first) * i / static_cast<double>(ramp - 1);
  }
  return weights;
}

double standardNormalCdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

double logSumExp(const std::vector<double>& terms) {
  const double top = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (const double term : terms)
    sum += std::exp(term - top);
  return top + std::log(sum);
}

// A mixture of Gaussians truncated to `range`: one kernel per observation, the prior last.
struct Mixture {
  ScaledRange range;
  std::vector<double> mus, sigmas, weights, logMass;

  void addKernel(double mu, double sigma, double weight) {
    const double mass =
        standardNormalCdf((range.high - mu) / sigma) - standardNormalCdf((range.low - mu) / sigma);
    mus.push_back(mu);
    sigmas.push_back(sigma);
    weights.push_back(weight);
    logMass.push_back(std::log(std::max(mass, 1e-300)));
  }

  double logDensity(double x) const {
    std::vector<double> terms;
    for (size_t k = 0; k < mus.size(); ++k) {
      const double z = (x - mus[k]) / sigmas[k];
      terms.push_back(std::log(weights[k]) - 0.5 * z * z - std::log(sigmas[k]) -
                      0.5 * std::log(2 * std::numbers::pi) - logMass[k]);
    }
    return logSumExp(terms);
  }

  double sample(UniformSource& source) const {
    double pick = source.uniform();
    size_t k = 0;
    while (k + 1 < weights.size() && pick >= weights[k])
      pick -= weights[k++];
    for (int attempt = 0; attempt < kRejectionTries; ++attempt) {
      const double x = mus[k] + sigmas[k] * source.normal();
      if (x >= range.low && x <= range.high) return x;
    }
    return range.low + source.uniform() * range.width();
  }
};

// Each observation's width: the larger gap to its neighbours among the observations, the prior's
// centre and the range's ends; the outermost two use their inner gap only.
std::vector<double> neighbourWidths(const std::vector<double>& centres, ScaledRange range) {
  std::vector<size_t> order(centres.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return centres[a] < centres[b]; });
  std::vector<double> edges = {range.low};
  for (const size_t i : order)
    edges.push_back(centres[i]);
  edges.push_back(range.high);
  const size_t m = order.size();
  std::vector<double> widths(m);
  for (size_t j = 0; j < m; ++j) {
    double width = std::max(edges[j + 1] - edges[j], edges[j + 2] - edges[j + 1]);
    if (m >= 2 && j == 0) width = edges[2] - edges[1];
    if (m >= 2 && j == m - 1) width = edges[m] - edges[m - 1];
    widths[order[j]] = width;
  }
  return widths;
}

Mixture fitMixture(const std::vector<double>& observed, ScaledRange range,
                   const TpeOptions& options) {
  std::vector<double> weights = observationWeights(observed.size());
  weights.push_back(options.priorWeight);
  double total = 0;
  for (const double w : weights)
    total += w;
  std::vector<double> centres = observed;
  centres.push_back(0.5 * (range.low + range.high));
  const std::vector<double> widths = neighbourWidths(centres, range);
  const double kernels = static_cast<double>(centres.size());
  const double minWidth =
      options.magicClip ? range.width() / std::min(100.0, 1.0 + kernels) : 1e-12 * range.width();
  Mixture mixture{range, {}, {}, {}, {}};
  for (size_t i = 0; i < observed.size(); ++i) {
    mixture.addKernel(observed[i], std::clamp(widths[i], minWidth, range.width()),
                      weights[i] / total);
  }
  mixture.addKernel(centres.back(), range.width(), weights.back() / total);
  return mixture;
}

// The values of `domain` in `trials` (oldest first) on the scale it is searched on.
std::vector<double> scaledValues(const ParamDomain& domain,
                                 const std::vector<const json*>& trials) {
  std::vector<double> values;
  for (const json* params : trials) {
    const std::optional<double> value = detail::rangeValueOf(domain, *params);
    if (value) values.push_back(detail::toScale(domain, *value));
  }
  return values;
}

json proposeRange(const ParamDomain& domain, const std::vector<const json*>& good,
                  const std::vector<const json*>& bad, UniformSource& source,
                  const TpeOptions& options) {
  const ScaledRange range = detail::scaledRange(domain);
  const Mixture below = fitMixture(scaledValues(domain, good), range, options);
  const Mixture above = fitMixture(scaledValues(domain, bad), range, options);
  json best;
  double bestScore = kNegativeInfinity;
  for (int c = 0; c < options.candidates; ++c) {
    const double x = below.sample(source);
    json value = detail::rangeJson(domain, detail::fromScale(domain, x));
    // An int is scored where it lands once rounded: that is the point the trial will run.
    const double at =
        domain.kind == ParamDomain::Kind::Int ? detail::toScale(domain, value.get<double>()) : x;
    const double score = below.logDensity(at) - above.logDensity(at);
    if (best.is_null() || score > bestScore) {
      best = std::move(value);
      bestScore = score;
    }
  }
  return best;
}

// log p(value) for each choice: weighted counts plus the prior spread evenly.
std::vector<double> choiceLogProbabilities(const ParamDomain& domain,
                                           const std::vector<const json*>& trials,
                                           const TpeOptions& options) {
  std::vector<size_t> seen;
  for (const json* params : trials) {
    if (const std::optional<size_t> index = detail::choiceIndexOf(domain, *params)) {
      seen.push_back(*index);
    }
  }
  const std::vector<double> weights = observationWeights(seen.size());
  const auto count = static_cast<double>(domain.choices.size());
  std::vector<double> mass(domain.choices.size(), options.priorWeight / count);
  double total = options.priorWeight;
  for (size_t i = 0; i < seen.size(); ++i) {
    mass[seen[i]] += weights[i];
    total += weights[i];
  }
  for (double& m : mass)
    m = std::log(m / total);
  return mass;
}

json proposeChoice(const ParamDomain& domain, const std::vector<const json*>& good,
                   const std::vector<const json*>& bad, UniformSource& source,
                   const TpeOptions& options) {
  const std::vector<double> below = choiceLogProbabilities(domain, good, options);
  const std::vector<double> above = choiceLogProbabilities(domain, bad, options);
  size_t best = 0;
  double bestScore = kNegativeInfinity;
  for (int c = 0; c < options.candidates; ++c) {
    double pick = source.uniform();
    size_t index = 0;
    while (index + 1 < below.size() && pick >= std::exp(below[index]))
      pick -= std::exp(below[index++]);
    const double score = below[index] - above[index];
    if (c == 0 || score > bestScore) {
      best = index;
      bestScore = score;
    }
  }
  return domain.choices[best];
}

void checkOptions(const TpeOptions& options) {
  if (options.startupTrials < 0 || options.candidates < 1 || options.candidates > 10000 ||
      !(options.priorWeight > 0) || !std::isfinite(options.priorWeight)) {
    throw std::invalid_argument(
        "TPE needs startup trials ≥ 0, 1 to 10000 candidates and a positive prior weight");
  }
}

}  // namespace

nlohmann::json tpeParams(const SearchSpace& space, const std::vector<TrialResult>& finished,
                         Direction direction, uint64_t seed, int trialNumber,
                         const TpeOptions& options) {
  checkOptions(options);
  std::vector<size_t> ranked;
  for (size_t i = 0; i < finished.size(); ++i) {
    if (finished[i].objective && std::isfinite(*finished[i].objective)) ranked.push_back(i);
  }
  const size_t n = ranked.size();
  if (n == 0 || n < static_cast<size_t>(options.startupTrials)) {
    return randomParams(space, seed, trialNumber);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](size_t a, size_t b) {
    return isBetter(*finished[a].objective, *finished[b].objective, direction);
  });
  const size_t goodCount = std::clamp<size_t>((n + 9) / 10, 1, kMaxGoodTrials);
  // Each side in trial order, oldest first, for the observation weights.
  std::sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(goodCount));
  std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(goodCount), ranked.end());
  std::vector<const json*> good, bad;
  for (size_t r = 0; r < n; ++r)
    (r < goodCount ? good : bad).push_back(&finished[ranked[r]].params);

  UniformSource source(detail::streamSeed(seed, trialNumber, detail::kTpeStream));
  json point = json::object();
  for (const ParamDomain& domain : space.params) {
    point[domain.key] = domain.kind == ParamDomain::Kind::Choice
                            ? proposeChoice(domain, good, bad, source, options)
                            : proposeRange(domain, good, bad, source, options);
  }
  return point;
}

}  // namespace layerlab::engine
