// What the trainer reports while it works. Plain data, no torch: the GUI receives these.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace layerlab::engine {

// Reported every TrainConfig::logEveryBatches batches and at the end of each epoch's last batch.
struct BatchProgress {
  int epoch = 0;  // 1-based
  int epochs = 0;
  int64_t batch = 0;  // 1-based, within the epoch
  int64_t batchesPerEpoch = 0;
  int64_t step = 0;      // global optimiser step, 1-based
  double loss = 0;       // mean over the batches since the previous report
  double accuracy = 0;   // likewise
  double epochLoss = 0;  // running mean over the epoch so far
  double epochAccuracy = 0;
  double samplesPerSecond = 0;  // over the epoch so far
  double epochSeconds = 0;
  double wallSeconds = 0;  // since fit() started
};

struct EpochSummary {
  int epoch = 0;
  int epochs = 0;
  int64_t step = 0;
  double trainLoss = 0;
  double trainAccuracy = 0;
  double valLoss = 0;  // NaN when there is no validation part
  double valAccuracy = 0;
  double seconds = 0;
  double samplesPerSecond = 0;
  double wallSeconds = 0;
  double learningRate = 0;  // at the epoch's last step
  std::string monitor;      // the metric that decides the best epoch
  bool improved = false;    // this epoch is the best so far on `monitor`
  int bestEpoch = 0;
  bool stopEarly = false;  // early stopping ends the run after this epoch
};

// The callbacks run on the training thread; keep them short. onEpoch runs once the epoch is
// fully accounted for (schedule and best epoch updated), so a checkpoint written from it resumes
// exactly where an uninterrupted run would go on.
struct TrainCallbacks {
  std::function<void(const BatchProgress&)> onBatch;
  std::function<void(const EpochSummary&)> onEpoch;
  std::function<void(const std::string&)> onLog;
  // true when the training thread begins waiting in a pause, false when it goes on (resumed or
  // stopped); called on the training thread, between batches.
  std::function<void(bool paused)> onPause;
  // Asked after each epoch (after onEpoch): true ends the fit there as early stopping does — the
  // run completes and is tested — for a caller's own rule (an experiment's ASHA or median rule).
  std::function<bool(const EpochSummary&)> stopAfterEpoch;
};

}  // namespace layerlab::engine
