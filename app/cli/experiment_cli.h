// The `layerlab-cli experiment …` subcommands, shared between their source files: the flags they
// take and the functions that carry them out (experiment_command.cpp: create, run, trial;
// experiment_status.cpp: status, best, list and the queue controls).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/train_options.h"

namespace layerlab::cli {

struct ExperimentFlags {
  TrainFlags train;  // the base: --model, --data, --epochs, --seed, --db, …
  std::string specPath;
  std::vector<std::string> params;
  std::optional<std::string> strategy;
  std::optional<int> trials;
  std::optional<int> parallel;
  std::optional<std::string> earlyStop;
  std::optional<std::string> objective;
  bool minimize = false;
  bool maximize = false;
  bool asJson = false;
  int64_t id = 0;
  int number = 0;
  int threads = 0;
  int64_t priority = 0;
};

int createExperiment(const ExperimentFlags& flags);
int runQueue(const ExperimentFlags& flags);
int runTrial(const ExperimentFlags& flags);
int experimentStatus(const ExperimentFlags& flags);
int bestTrial(const ExperimentFlags& flags);
int listExperiments(const ExperimentFlags& flags);
int pauseExperiment(const ExperimentFlags& flags);
int resumeExperiment(const ExperimentFlags& flags);
int cancelExperiment(const ExperimentFlags& flags);
int addTrials(const ExperimentFlags& flags);
int prioritiseExperiment(const ExperimentFlags& flags);

// "0.8731", or "-" when there is no value.
std::string formatObjective(const std::optional<double>& value);

}  // namespace layerlab::cli
