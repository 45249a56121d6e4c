#include "engine/experiment/experiment_spec.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "engine/data/dataset_spec.h"
#include "engine/train/train_config.h"
#include "series/metric_direction.h"

namespace layerlab::engine {

namespace {

using nlohmann::json;

const char* directionName(Direction direction) {
  return direction == Direction::Maximize ? "max" : "min";
}

Direction parseDirection(const json& value) {
  if (value == "max") return Direction::Maximize;
  if (value == "min") return Direction::Minimize;
  throw std::invalid_argument("experiment: objective.direction must be \"max\" or \"min\"");
}

void requireKnownKeys(const json& doc, const std::set<std::string>& known, const std::string& at) {
  for (const auto& [key, value] : doc.items()) {
    if (!known.contains(key)) {
      throw std::invalid_argument("experiment: unknown field \"" + key + "\" in " + at);
    }
  }
}

int boundedInt(const json& doc, const char* key, int fallback, int low, int high,
               const std::string& at) {
  if (!doc.contains(key)) return fallback;
  const json& value = doc.at(key);
  if (!value.is_number_integer() || value.get<int64_t>() < low || value.get<int64_t>() > high) {
    throw std::invalid_argument("experiment: " + at + key + " must be a whole number from " +
                                std::to_string(low) + " to " + std::to_string(high));
  }
  return value.get<int>();
}

ObjectiveSpec objectiveFromJson(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("experiment: objective must be an object");
  requireKnownKeys(doc, {"metric", "direction"}, "objective");
  ObjectiveSpec objective;
  objective.metric = doc.value("metric", objective.metric);
  if (objective.split() != "val" && objective.split() != "train") {
    throw std::invalid_argument("experiment: objective.metric \"" + objective.metric +
                                "\" is not an epoch metric; use val_accuracy, val_loss, "
                                "train_loss or train_accuracy");
  }
  objective.direction = doc.contains("direction") ? parseDirection(doc.at("direction"))
                        : series::higherIsBetter(objective.metric) ? Direction::Maximize
                                                                   : Direction::Minimize;
  return objective;
}

EarlyStopSpec earlyStopFromJson(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("experiment: early_stop must be an object");
  requireKnownKeys(doc, {"rule", "min_epochs", "reduction_factor", "warmup_epochs", "min_trials"},
                   "early_stop");
  EarlyStopSpec stop;
  stop.rule = doc.value("rule", stop.rule);
  if (stop.rule != "none" && stop.rule != "asha" && stop.rule != "median") {
    throw std::invalid_argument("experiment: early_stop.rule must be none, asha or median");
  }
  stop.minEpochs = boundedInt(doc, "min_epochs", stop.minEpochs, 1, 10'000, "early_stop.");
  stop.reductionFactor =
      boundedInt(doc, "reduction_factor", stop.reductionFactor, 2, 100, "early_stop.");
  stop.warmupEpochs = boundedInt(doc, "warmup_epochs", stop.warmupEpochs, 0, 10'000, "early_stop.");
  stop.minTrials = boundedInt(doc, "min_trials", stop.minTrials, 1, kMaxTrials, "early_stop.");
  return stop;
}

ExperimentBase baseFromJson(const json& doc) {
  if (!doc.is_object() || !doc.contains("model") || !doc.contains("train")) {
    throw std::invalid_argument("experiment: base must hold a model and a train document");
  }
  requireKnownKeys(doc, {"model", "train", "data"}, "base");
  return {doc.at("model"), doc.at("train")};
}

}  // namespace

std::string ObjectiveSpec::split() const {
  const size_t underscore = metric.find('_');
  return underscore == std::string::npos ? std::string() : metric.substr(0, underscore);
}

std::string ObjectiveSpec::name() const {
  const size_t underscore = metric.find('_');
  return underscore == std::string::npos ? metric : metric.substr(underscore + 1);
}

json toJson(const ExperimentSpec& spec) {
  return {
      {"format", "layerlab.experiment"},
      {"version", 1},
      {"base", {{"model", spec.base.model}, {"train", spec.base.train}, {"data", spec.data}}},
      {"space", toJson(spec.space)},
      {"strategy", spec.strategy},
      {"seed", spec.seed},
      {"trials", spec.trials},
      {"parallel", spec.parallel},
      {"objective",
       {{"metric", spec.objective.metric}, {"direction", directionName(spec.objective.direction)}}},
      {"early_stop",
       {{"rule", spec.earlyStop.rule},
        {"min_epochs", spec.earlyStop.minEpochs},
        {"reduction_factor", spec.earlyStop.reductionFactor},
        {"warmup_epochs", spec.earlyStop.warmupEpochs},
        {"min_trials", spec.earlyStop.minTrials}}}};
}

ExperimentSpec experimentSpecFromJson(const json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "layerlab.experiment") {
    throw std::invalid_argument("experiment: not a layerlab.experiment document");
  }
  requireKnownKeys(doc,
                   {"format", "version", "base", "space", "strategy", "seed", "trials", "parallel",
                    "objective", "early_stop"},
                   "the experiment");
  ExperimentSpec spec;
  spec.base = baseFromJson(doc.at("base"));
  spec.data = doc.at("base").value("data", json::object());
  datasetSpecFromJson(spec.data);  // refuses a bad data document here, not in every trial
  trainConfigFromJson(spec.base.train);
  spec.space = searchSpaceFromJson(doc.value("space", json::object()));
  spec.strategy = doc.value("strategy", spec.strategy);
  if (std::ranges::find(kExperimentStrategies, spec.strategy) == std::end(kExperimentStrategies)) {
    throw std::invalid_argument("experiment: strategy \"" + spec.strategy +
                                "\" is not one of grid, random, tpe");
  }
  if (doc.contains("seed")) {
    if (!doc.at("seed").is_number_unsigned()) {
      throw std::invalid_argument("experiment: seed must be a whole number ≥ 0");
    }
    spec.seed = doc.at("seed").get<uint64_t>();
  }
  spec.trials = boundedInt(doc, "trials", spec.trials, 1, kMaxTrials, "");
  spec.parallel = boundedInt(doc, "parallel", spec.parallel, 1, kMaxParallel, "");
  if (doc.contains("objective")) spec.objective = objectiveFromJson(doc.at("objective"));
  if (doc.contains("early_stop")) spec.earlyStop = earlyStopFromJson(doc.at("early_stop"));
  checkSpaceAgainstBase(spec.space, spec.base);
  return spec;
}

int trialBudget(const ExperimentSpec& spec) {
  if (spec.strategy != "grid") return spec.trials;
  return static_cast<int>(
      std::min<size_t>(gridPoints(spec.space).size(), static_cast<size_t>(spec.trials)));
}

json paramsForTrial(const ExperimentSpec& spec, int number,
                    const std::vector<TrialResult>& finished) {
  if (spec.strategy == "grid") {
    const std::vector<json> points = gridPoints(spec.space);
    if (number < 1 || static_cast<size_t>(number) > points.size()) {
      throw std::invalid_argument("experiment: the grid has no point " + std::to_string(number));
    }
    return points[static_cast<size_t>(number - 1)];
  }
  if (spec.strategy == "tpe") {
    return tpeParams(spec.space, finished, spec.objective.direction, spec.seed, number);
  }
  return randomParams(spec.space, spec.seed, number);
}

std::optional<double> trialObjective(const ObjectiveSpec& objective,
                                     const std::vector<double>& epochValues) {
  std::optional<double> best;
  for (const double value : epochValues) {
    if (!std::isfinite(value)) continue;
    const bool better =
        !best || (objective.direction == Direction::Maximize ? value > *best : value < *best);
    if (better) best = value;
  }
  return best;
}

bool shouldStopTrial(const ExperimentSpec& spec, int number, int epoch,
                     const std::vector<TrialCurve>& curves) {
  const auto own = std::ranges::find(curves, number, &TrialCurve::number);
  if (own == curves.end()) return false;
  const EarlyStopSpec& stop = spec.earlyStop;
  const int maxEpochs = trainConfigFromJson(spec.base.train).epochs;
  if (stop.rule == "asha") {
    return ashaShouldStop(*own, epoch, curves, spec.objective.direction,
                          {.minEpochs = stop.minEpochs,
                           .reductionFactor = stop.reductionFactor,
                           .maxEpochs = maxEpochs});
  }
  if (stop.rule == "median") {
    return medianShouldStop(*own, epoch, curves, spec.objective.direction,
                            {.warmupEpochs = stop.warmupEpochs, .minTrials = stop.minTrials});
  }
  return false;
}

}  // namespace layerlab::engine
