// Trains a GraphModule on tensors in memory. The loop never calls Qt and never blocks on the host
// per batch: metrics stay on the device and are read every `logEveryBatches` batches.
//
// Threads: construct, fit, evaluate and checkpoint on one thread (the training thread). Stop and
// pause come through a TrainControl that other threads may set.
#pragma once

#include <torch/torch.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/data/dataset.h"
#include "engine/model/graph_module.h"
#include "engine/train/checkpoint_file.h"
#include "engine/train/lr_schedule.h"
#include "engine/train/metrics.h"
#include "engine/train/objective.h"
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
  double accuracy = 0;  // NaN for regression
  int64_t samples = 0;
  int64_t classes = 0;
  std::vector<int64_t> confusion;  // row-major [true][predicted]; classification only
  RegressionReport regression;     // regression only
};

struct FitResult {
  bool stopped = false;       // a stop was requested before the last epoch ended
  bool stoppedEarly = false;  // early stopping ended the run
  bool restoredBest = false;  // the weights are those of the best epoch
  int bestEpoch = 0;
  std::vector<EpochSummary> history;  // the epochs completed by this call
};

// "auto" picks CUDA when this LibTorch has a device. Throws std::invalid_argument for "cuda" on a
// machine without one.
torch::Device resolveDevice(const std::string& name);

// "CPU (2 threads)" or "CUDA:0".
std::string describeDevice(const torch::Device& device);

// Every core, or OMP_NUM_THREADS when that is set.
int defaultThreadCount();

// Seeds torch's global generator (weight initialisation, dropout) and sets the CPU thread count
// (0 = defaultThreadCount()). Same seed and threads on CPU give the same numbers.
void prepareDeterministicRun(uint64_t seed, int threads);

// Training batches whose forward pass costs fewer multiply-adds than this run on the training
// thread alone: splitting them over a team costs more in wake-ups than it saves (the mlp
// template at batch 32, 3.3 M, trains 1.7 times faster on one thread of two cores; the cnn at
// batch 64, 270 M, twice as fast on two).
inline constexpr int64_t kParallelBatchMacs = 8'000'000;

class Trainer {
 public:
  // `classes` as for Objective: the class count, or 0 for regression.
  Trainer(GraphModule model, TrainConfig config, torch::Device device, int64_t classes);
  ~Trainer();

  // Trains from the current epoch (0, or where a loaded checkpoint left off) to config.epochs,
  // validating after each epoch when `val` is not empty.
  FitResult fit(const TensorDataset& train, const TensorDataset& val,
                const TrainCallbacks& callbacks = {}, const TrainControl* control = nullptr);

  EvalResult evaluate(const TensorDataset& data);

  // Random changes made to every training batch of image data from the next epoch on (never to
  // validation or test batches). Seeded per epoch from the config's seed.
  void setAugmentation(const AugmentSpec& augment) { m_augment = augment; }

  // The model's multiply-adds per sample (ModelAnalysis::totalMacs). On the CPU, training batches
  // below kParallelBatchMacs then run on one thread; evaluation keeps every thread. Unset (0):
  // every batch uses the threads prepareDeterministicRun set.
  void setMacsPerSample(int64_t macs) { m_macsPerSample = macs; }

  // Raw model outputs for every sample (evaluation mode, no autograd), on the CPU.
  torch::Tensor predict(const torch::Tensor& inputs);

  // The full state — weights, optimiser, schedule, best epoch, random generator, epoch and
  // step — to `path` in LayerLab's checkpoint format (checkpoint_file.h), written as it is
  // (callers rename into place). Throws CheckpointError, also for a full disk.
  void saveCheckpoint(const std::string& path) const;
  // Restores what saveCheckpoint wrote. The file is untrusted: every tensor it lists must be one
  // of this trainer's, of its dtype and shape, before a byte is read. Throws CheckpointError
  // naming the file and the tensor or field; a refused load leaves the trainer as it was.
  // Loading never touches the process-wide random generator: the saved generator state is put
  // back when fit() starts, so only a resumed training run restores it (dropout draws from the
  // process-wide generator, which torch's layers offer no way around).
  void loadCheckpoint(const std::string& path);

  int epochsDone() const { return m_epoch; }
  int64_t stepsDone() const { return m_step; }
  GraphModule& model() { return m_model; }

 private:
  struct EpochTotals;
  EpochTotals runEpoch(const TensorDataset& train, const TrainCallbacks& callbacks,
                       const TrainControl* control);
  EpochSummary finishEpoch(const EpochTotals& totals, const TensorDataset& val);
  // The training forward pass, which draws dropout masks from the process-wide generator: held
  // under generatorDrawMutex() (generator_shield.h).
  torch::Tensor forwardDrawing(const torch::Tensor& inputs);
  void applyLearningRate(double lr);
  void clipGradients();
  void applyCheckpoint(const std::string& path, const TrainerCheckpointState& state,
                       std::map<std::string, torch::Tensor>& read);
  void restoreGeneratorForResume();
  void rememberBestWeights();
  void restoreBestWeights();

  GraphModule m_model;
  TrainConfig m_config;
  torch::Device m_device;
  Objective m_objective;
  std::unique_ptr<torch::optim::Optimizer> m_optimizer;
  std::optional<LrSchedule> m_schedule;   // made in fit(), when the batch count is known
  nlohmann::json m_pendingScheduleState;  // from a checkpoint, until the schedule exists
  BestTracker m_best;
  std::vector<torch::Tensor> m_bestWeights;  // parameters then buffers, when restoring best
  torch::Tensor m_resumeGeneratorState;      // from a checkpoint, until fit() starts
  AugmentSpec m_augment;
  int64_t m_macsPerSample = 0;
  int m_epoch = 0;
  int64_t m_step = 0;
  double m_wallBefore = 0;  // wall seconds of earlier attempts (from a checkpoint)
  double m_wallStart = 0;
  double m_wallAtEpoch = 0;  // wall seconds at the end of the last complete epoch
};

}  // namespace layerlab::engine
