// Learning-rate schedules, computed here rather than by LibTorch's schedulers so that every one
// (reduce-on-plateau included) works the same on LibTorch 1.13 and later, and so that the state
// fits in a checkpoint as JSON. Torch-free; used on the training thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "engine/train/train_config.h"
#include "series/best_epoch.h"

namespace layerlab::engine {

class LrSchedule {
 public:
  LrSchedule(const ScheduleConfig& config, double baseLr, int epochs, int64_t stepsPerEpoch);

  // The learning rate for the optimiser step `step` (0-based, counted over the whole run).
  double lrForStep(int64_t step) const;

  // After each epoch with the monitored value: reduce-on-plateau decides here.
  void endEpoch(double monitored, bool higherIsBetter);

  nlohmann::json state() const;
  void restore(const nlohmann::json& state);

 private:
  ScheduleConfig m_config;
  double m_baseLr;
  int64_t m_totalSteps;
  int64_t m_stepsPerEpoch;
  double m_plateauLr;
  double m_plateauBest;
  int m_plateauBadEpochs = 0;
  bool m_plateauHasBest = false;
};

// The best value of a monitored metric so far, with the patience count that early stopping needs.
// The best epoch follows series::BestEpoch (no min_delta, ties keep the earlier epoch), so the
// epoch the trainer reports, checkpoints as "best" and restores is the one the store names; only
// the patience count asks for an improvement of more than min_delta.
class BestTracker {
 public:
  BestTracker(bool higherIsBetter, double minDelta)
      : m_higher(higherIsBetter), m_minDelta(minDelta), m_best(higherIsBetter) {}

  // Records an epoch's value; true when it improves by more than min_delta on the value of the
  // last such improvement, which resets the patience count (NaN and infinities never do).
  bool update(int epoch, double value);

  bool hasBest() const { return m_best.epoch() > 0; }
  double best() const { return m_best.value(); }
  int bestEpoch() const { return m_best.epoch(); }
  int epochsWithoutImprovement() const { return m_badEpochs; }

  nlohmann::json state() const;
  void restore(const nlohmann::json& state);

 private:
  bool m_higher;
  double m_minDelta;
  series::BestEpoch m_best;
  double m_patienceBest = 0;  // the value of the last improvement by more than min_delta
  int m_badEpochs = 0;
};

}  // namespace layerlab::engine
