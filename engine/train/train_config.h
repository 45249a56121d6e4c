// How a run trains: optimiser, loss, schedule, early stopping and the rest. Plain data, no torch:
// the GUI's form edits it and the store keeps it as JSON ("format": "layerlab.train").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace layerlab::engine {

struct ScheduleConfig {
  std::string type = "constant";  // constant | step | cosine | plateau
  int stepSize = 10;              // step: epochs between decays
  double gamma = 0.1;             // step: the decay factor
  int warmupEpochs = 0;           // cosine: linear warm-up from 0 over these epochs
  double minLr = 0.0;             // cosine and plateau: the floor
  double factor = 0.1;            // plateau: the decay factor
  int patience = 5;               // plateau: epochs without improvement before a decay
  double threshold = 1e-4;        // plateau: the smallest change that counts as improvement
};

struct EarlyStoppingConfig {
  int patience = 0;  // epochs without improvement before stopping; 0 = off
  double minDelta = 0.0;
  bool restoreBest = true;  // end with the weights of the best epoch
};

struct TrainConfig {
  std::string optimizer = "adam";  // sgd | adam | adamw | rmsprop
  double learningRate = 1e-3;
  double momentum = 0.9;  // sgd and rmsprop
  bool nesterov = false;  // sgd
  double weightDecay = 0.0;
  std::string loss = "cross_entropy";  // cross_entropy | bce_with_logits | mse | l1 | huber
  double labelSmoothing = 0.0;         // cross_entropy
  double huberDelta = 1.0;             // huber
  ScheduleConfig schedule;
  EarlyStoppingConfig earlyStopping;
  // The metric that decides the best epoch (checkpoint "best", early stopping, plateau):
  // val_loss, val_accuracy, train_loss, … Lower is better for losses and errors.
  std::string monitor = "val_loss";
  double gradClipNorm = 0.0;  // clip the global gradient norm to this; 0 = off
  int64_t batchSize = 32;     // kDefaultBatchSize; front ends pick suggestedBatchSize for the data
  int epochs = 5;
  uint64_t seed = 42;
  std::string device = "auto";  // auto | cpu | cuda
  int threads = 0;              // CPU threads; 0 = every core (or OMP_NUM_THREADS)
  int logEveryBatches = 20;     // how often a batch sample is reported

  // Every problem with the values, each naming the field; empty when the config is sound.
  std::vector<std::string> validate() const;
};

// The batch size for data of unknown size, as in Keras.
inline constexpr int64_t kDefaultBatchSize = 32;
// An epoch should take at least this many optimiser steps: with fewer, a small table barely
// moves the weights in an epoch (iris's 106 training rows at batch 64 make two steps).
inline constexpr int64_t kMinStepsPerEpoch = 8;

// The batch size to use when none is given: kDefaultBatchSize, halved (down to 1) until an
// epoch over `trainingRows` makes at least kMinStepsPerEpoch steps. kDefaultBatchSize when
// trainingRows is 0 or below (not known). The GUI and the CLI both call this.
int64_t suggestedBatchSize(int64_t trainingRows);

// True for the losses of regression tasks (mse, l1, huber).
bool isRegressionLoss(const std::string& loss);

nlohmann::json toJson(const TrainConfig& config);

// Throws std::invalid_argument naming the bad field. Unknown keys are errors.
TrainConfig trainConfigFromJson(const nlohmann::json& doc);

// `base` with the settings of `suggestions` (an object of layerlab.train keys, nested objects
// merged: {"epochs": 10, "schedule": {"type": "cosine"}}); null leaves it as it is. Throws
// std::invalid_argument naming the bad key.
TrainConfig withSuggestions(const TrainConfig& base, const nlohmann::json& suggestions);

}  // namespace layerlab::engine
