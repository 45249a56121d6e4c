// An experiment's definition: the base run (model, training config, data), the search space, the
// strategy and budget, the objective and the early-termination rule. Plain data with its JSON
// form ("format": "layerlab.experiment"), which the store keeps as the experiment's spec; the CLI
// builds it from flags or a file, the GUI from its form.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/experiment/early_stop.h"
#include "engine/experiment/samplers.h"
#include "engine/experiment/search_space.h"
#include "engine/experiment/trial_params.h"

namespace layerlab::engine {

// What a trial is scored by: the best value of an epoch metric over its epochs ("val_accuracy",
// "val_loss", "train_loss", …), better higher or lower as series::higherIsBetter says unless
// given.
struct ObjectiveSpec {
  std::string metric = "val_accuracy";
  Direction direction = Direction::Maximize;

  std::string split() const;  // "val" for val_accuracy
  std::string name() const;   // "accuracy"
};

// Early termination of trials that fall behind, decided after each epoch from the stored values.
struct EarlyStopSpec {
  std::string rule = "none";  // none | asha | median
  int minEpochs = 1;          // asha: the first rung
  int reductionFactor = 3;    // asha: η
  int warmupEpochs = 1;       // median: epochs before the rule applies
  int minTrials = 3;          // median: other trials needed at the same epoch
};

inline constexpr const char* kExperimentStrategies[] = {"grid", "random", "tpe"};
// Bounds on what an experiment document may ask for.
inline constexpr int kMaxTrials = 10'000;
inline constexpr int kMaxParallel = 64;

struct ExperimentSpec {
  ExperimentBase base;  // model and train documents
  nlohmann::json data;  // a layerlab.dataset document
  SearchSpace space;
  std::string strategy = "random";
  uint64_t seed = 42;
  int trials = 10;   // the budget; a grid runs at most its number of points
  int parallel = 1;  // trials side by side
  ObjectiveSpec objective;
  EarlyStopSpec earlyStop;
};

nlohmann::json toJson(const ExperimentSpec& spec);

// Throws std::invalid_argument naming the field. Checks every key of the search space against the
// base (a typo is refused before any trial runs).
ExperimentSpec experimentSpecFromJson(const nlohmann::json& doc);

// How many trials the experiment runs: `trials`, or fewer for a grid with fewer points.
int trialBudget(const ExperimentSpec& spec);

// The parameters of trial `number` (1-based), given the trials that have finished (TPE learns
// from them; grid and random do not look).
nlohmann::json paramsForTrial(const ExperimentSpec& spec, int number,
                              const std::vector<TrialResult>& finished);

// The objective of one trial from its per-epoch values (NaN where missing): the best finite
// value in the objective's direction; nullopt when there is none.
std::optional<double> trialObjective(const ObjectiveSpec& objective,
                                     const std::vector<double>& epochValues);

// The early-stop rule's verdict for trial `number` after `epoch`, given every trial's values
// (its own among them).
bool shouldStopTrial(const ExperimentSpec& spec, int number, int epoch,
                     const std::vector<TrialCurve>& curves);

}  // namespace layerlab::engine
