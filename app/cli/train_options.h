// The flags of `layerlab-cli train` and how they become a training job's documents: a --config
// file (TrainConfig JSON) gives the base, and every flag given on the command line overrides it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/train/train_config.h"

namespace layerlab::cli {

struct TrainFlags {
  std::string modelPath;
  std::string data = "fashion-mnist";
  std::string dbPath;
  std::string name;
  std::string configPath;
  std::optional<int64_t> resumeRun;
  int64_t limit = 0;
  double valFraction = 0.1;
  std::string normalize = "zscore";
  // Training flags: unset ones keep the value of --config (or the default).
  std::optional<int> epochs;
  std::optional<int64_t> batchSize;
  std::optional<double> learningRate;
  std::optional<std::string> optimizer;
  std::optional<double> momentum;
  bool nesterov = false;
  std::optional<double> weightDecay;
  std::optional<std::string> loss;
  std::optional<double> labelSmoothing;
  std::optional<std::string> schedule;
  std::optional<int> earlyStopping;
  std::optional<std::string> monitor;
  std::optional<double> gradClip;
  std::optional<uint64_t> seed;
  std::optional<std::string> device;
  std::optional<int> threads;
  std::optional<int> logEvery;
};

// Declares the flags on the `train` subcommand.
void addTrainFlags(CLI::App& command, TrainFlags& flags);

// The TrainConfig the flags describe. Throws std::invalid_argument (naming the file or flag).
engine::TrainConfig resolveTrainConfig(const TrainFlags& flags);

// Flags given on top of a stored run's config when resuming: only the epoch target may change.
engine::TrainConfig applyResumeFlags(engine::TrainConfig stored, const TrainFlags& flags);

}  // namespace layerlab::cli
