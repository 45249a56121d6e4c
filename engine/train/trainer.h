// Trains a GraphModule on tensors in memory. The loop never calls Qt and never blocks on the host
// per batch: metrics stay on the device and are read every `logEveryBatches` batches.
//
// Threads: construct, fit and evaluate on one thread (the training thread). Stop and pause come
// through a TrainControl that other threads may set.
#pragma once

#include <torch/torch.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/data/dataset.h"
#include "engine/model/graph_module.h"
#include "engine/train/train_config.h"
#include "engine/train/train_control.h"
#include "engine/train/training_events.h"

namespace layerlab::engine {

// Thrown when the loss becomes NaN or infinite; the run cannot go on.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EvalResult {
  double loss = 0;
  double accuracy = 0;
  int64_t samples = 0;
};

struct FitResult {
  bool stopped = false;               // a stop was requested before the last epoch ended
  std::vector<EpochSummary> history;  // the completed epochs
};

// "auto" picks CUDA when this LibTorch has a device. Throws std::invalid_argument for "cuda" on a
// machine without one.
torch::Device resolveDevice(const std::string& name);

// "CPU (2 threads)" or "CUDA:0 (NVIDIA …)".
std::string describeDevice(const torch::Device& device);

// Every core, or OMP_NUM_THREADS when that is set.
int defaultThreadCount();

// Seeds torch's global generator (weight initialisation, dropout) and sets the CPU thread count
// (0 = defaultThreadCount()). Same seed and threads on CPU give the same numbers.
void prepareDeterministicRun(uint64_t seed, int threads);

class Trainer {
 public:
  Trainer(GraphModule model, TrainConfig config, torch::Device device);

  // Trains for config.epochs, validating after each epoch when `val` is not empty.
  FitResult fit(const TensorDataset& train, const TensorDataset& val,
                const TrainCallbacks& callbacks = {}, const TrainControl* control = nullptr);

  EvalResult evaluate(const TensorDataset& data);

  // Raw model outputs for every sample (evaluation mode, no autograd), on the CPU.
  torch::Tensor predict(const torch::Tensor& inputs);

 private:
  struct EpochTotals;
  EpochTotals runEpoch(int epoch, const TensorDataset& train, torch::optim::Optimizer& optimizer,
                       const TrainCallbacks& callbacks, const TrainControl* control);

  GraphModule m_model;
  TrainConfig m_config;
  torch::Device m_device;
  int64_t m_step = 0;
  double m_wallStart = 0;
};

}  // namespace layerlab::engine
