// The flags of `layerlab-cli train` and how they become a training job's documents: a --config
// file (TrainConfig JSON) gives the base, and every flag given on the command line overrides it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/data/dataset_spec.h"
#include "engine/train/train_config.h"

namespace layerlab::cli {

struct TrainFlags {
  std::string modelPath;
  std::string data = "fashion-mnist";
  std::string dataSpecPath;  // a layerlab.dataset document; the data flags below override it
  std::optional<std::string> labelColumn;
  std::optional<std::string> header;
  std::optional<int64_t> skipRows;
  std::optional<std::string> missing;
  std::optional<double> testFraction;
  std::optional<std::string> imageSize;  // "HxW"
  bool grayscale = false;
  bool flip = false;
  std::optional<int64_t> cropPadding;
  std::optional<double> rotate;
  std::string dbPath;
  std::string name;
  std::string configPath;
  std::optional<int64_t> resumeRun;
  std::optional<int64_t> limit;
  std::optional<double> valFraction;
  std::optional<std::string> normalize;
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

// The TrainConfig the flags describe: a --config file, or the defaults with the model's suggested
// training settings (`suggestions`, ModelSpec::suggestedTraining); then each flag given. Throws
// std::invalid_argument (naming the file or flag).
engine::TrainConfig resolveTrainConfig(const TrainFlags& flags,
                                       const nlohmann::json& suggestions = nullptr);

// The DatasetSpec the data flags describe, with the run's seed; a regression loss makes a CSV
// target a regression. Throws std::invalid_argument (naming the file or flag) or
// engine::DataError (a --data that names nothing usable).
engine::DatasetSpec resolveDatasetSpec(const TrainFlags& flags, const engine::TrainConfig& config);

// `config` with engine::suggestedBatchSize for the training part of `spec` when neither
// --batch-size nor the --config document gives a batch size; kDefaultBatchSize when the data
// cannot be counted (the job then says why). The Train place uses the same suggestion.
engine::TrainConfig withSuggestedBatchSize(engine::TrainConfig config, const TrainFlags& flags,
                                           const engine::DatasetSpec& spec);

// Flags given on top of a stored run's config when resuming: only the epoch target may change.
engine::TrainConfig applyResumeFlags(engine::TrainConfig stored, const TrainFlags& flags);

}  // namespace layerlab::cli
