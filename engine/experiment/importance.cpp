// parameterImportance of samplers.h: a first-order variance decomposition (ANOVA eta²).
#include <algorithm>
#include <cmath>

#include "engine/experiment/samplers.h"
#include "engine/experiment/sampling_math.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

constexpr size_t kBins = 4;
constexpr size_t kMinTrials = 4;

// Each trial's group for `domain`, or nothing when its value is missing or outside the domain.
std::vector<std::optional<size_t>> groupsOf(const ParamDomain& domain,
                                            const std::vector<const TrialResult*>& trials) {
  std::vector<std::optional<size_t>> groups;
  if (domain.kind == ParamDomain::Kind::Choice) {
    for (const TrialResult* trial : trials)
      groups.push_back(detail::choiceIndexOf(domain, trial->params));
    return groups;
  }
  std::vector<std::pair<double, size_t>> sorted;  // (value, trial)
  groups.assign(trials.size(), std::nullopt);
  for (size_t i = 0; i < trials.size(); ++i) {
    if (const std::optional<double> value = detail::rangeValueOf(domain, trials[i]->params)) {
      sorted.emplace_back(*value, i);
    }
  }
  std::sort(sorted.begin(), sorted.end());
  size_t distinct = 0;
  for (size_t r = 0; r < sorted.size(); ++r)
    distinct += r == 0 || sorted[r].first != sorted[r - 1].first ? 1 : 0;
  // Few distinct values group by value; more fall into quartiles of the ranks. Equal values
  // always share a group (the group of the first of them).
  size_t group = 0;
  for (size_t r = 0; r < sorted.size(); ++r) {
    const bool repeat = r > 0 && sorted[r].first == sorted[r - 1].first;
    if (!repeat) group = distinct <= kBins ? (r == 0 ? 0 : group + 1) : r * kBins / sorted.size();
    groups[sorted[r].second] = group;
  }
  return groups;
}

// The share of the objective's variance explained by the group means: between / total.
double etaSquared(const std::vector<double>& objectives,
                  const std::vector<std::optional<size_t>>& groups) {
  double sum = 0;
  size_t count = 0;
  size_t groupCount = 0;
  for (size_t i = 0; i < objectives.size(); ++i) {
    if (!groups[i]) continue;
    sum += objectives[i];
    ++count;
    groupCount = std::max(groupCount, *groups[i] + 1);
  }
  if (count < 2) return 0;
  const double mean = sum / static_cast<double>(count);
  std::vector<double> groupSum(groupCount, 0.0);
  std::vector<size_t> groupSize(groupCount, 0);
  double total = 0;
  for (size_t i = 0; i < objectives.size(); ++i) {
    if (!groups[i]) continue;
    total += (objectives[i] - mean) * (objectives[i] - mean);
    groupSum[*groups[i]] += objectives[i];
    ++groupSize[*groups[i]];
  }
  double between = 0;
  for (size_t g = 0; g < groupCount; ++g) {
    if (groupSize[g] == 0) continue;
    const double gap = groupSum[g] / static_cast<double>(groupSize[g]) - mean;
    between += static_cast<double>(groupSize[g]) * gap * gap;
  }
  const double share = between / total;  // NaN when the values overflow: no share then
  return total > 0 && std::isfinite(share) ? std::clamp(share, 0.0, 1.0) : 0.0;
}

}  // namespace

std::vector<std::pair<std::string, double>> parameterImportance(
    const SearchSpace& space, const std::vector<TrialResult>& trials) {
  std::vector<const TrialResult*> scored;
  std::vector<double> objectives;
  for (const TrialResult& trial : trials) {
    if (trial.objective && std::isfinite(*trial.objective)) {
      scored.push_back(&trial);
      objectives.push_back(*trial.objective);
    }
  }
  std::vector<std::pair<std::string, double>> shares;
  double total = 0;
  for (const ParamDomain& domain : space.params) {
    const double eta =
        scored.size() < kMinTrials ? 0.0 : etaSquared(objectives, groupsOf(domain, scored));
    shares.emplace_back(domain.key, eta);
    total += eta;
  }
  for (auto& [key, share] : shares)
    share = total > 0 ? share / total : 0.0;
  std::stable_sort(shares.begin(), shares.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return shares;
}

}  // namespace layerlab::engine
