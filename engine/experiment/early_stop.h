// Whether a running trial of an experiment should stop early, decided from the per-epoch values
// of its objective and of the other trials'. Two rules: asynchronous successive halving (ASHA,
// Li et al. 2018, as Ray Tune's ASHAScheduler) and the median stopping rule (Google Vizier, as
// Optuna's MedianPruner).
//
// Plain data, no torch, no Qt: pure functions, any thread. The caller asks after each epoch a
// trial finishes; a trial that is told to stop keeps its last value as its objective.
#pragma once

#include <vector>

#include "engine/experiment/direction.h"

namespace layerlab::engine {

struct TrialCurve {
  int number = 0;
  std::vector<double> values;  // values[i]: the objective after epoch i + 1; NaN = missing
  bool finished = false;       // ran every epoch or stopped (informational: the rules use values)
};

struct AshaOptions {
  int minEpochs = 1;        // the first rung
  int reductionFactor = 3;  // η: one trial in η goes on past each rung
  int maxEpochs = 0;        // a trial's full length; rungs lie below it. Must be set (≥ 1).
};

// The rungs: minEpochs·η^k for k = 0, 1, … while below maxEpochs (1, 3, 9 for 1, 3, 27).
// Throws std::invalid_argument for minEpochs < 1, η < 2 or maxEpochs < 1.
std::vector<int> ashaRungs(const AshaOptions& options);

// Called when `trial` has just finished `epoch` (1-based). At a rung, the trial goes on only when
// its value there is among the best ⌊k/η⌋ of the k values recorded at that rung by every trial
// in `all` that reached it, itself included (`all` may or may not hold `trial`; trials are told
// apart by number). Ties go on: the trial's rank counts only strictly better values. With fewer
// than η values recorded, it goes on (the asynchronous rule never waits for others). Away from a
// rung, or without a finite value of its own at the rung, it goes on.
bool ashaShouldStop(const TrialCurve& trial, int epoch, const std::vector<TrialCurve>& all,
                    Direction direction, const AshaOptions& options);

struct MedianOptions {
  int warmupEpochs = 1;  // no trial stops at or before this epoch
  int minTrials = 3;     // other trials that must have reached the epoch
};

// Called when `trial` has just finished `epoch` (1-based). After the warm-up, it stops when its
// best value so far is strictly worse than the median of the other trials' running averages at
// the same epoch (the mean of their finite values up to it, as Vizier's rule), counting only
// the other trials with a finite value at that epoch, finished or still running, and only when
// there are at least minTrials of them. Throws std::invalid_argument for negative options.
bool medianShouldStop(const TrialCurve& trial, int epoch, const std::vector<TrialCurve>& all,
                      Direction direction, const MedianOptions& options);

}  // namespace layerlab::engine
