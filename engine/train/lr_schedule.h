// Learning-rate schedules, computed here rather than by LibTorch's schedulers so that every one
// (reduce-on-plateau included) works the same on LibTorch 1.13 and later, and so that the state
// fits in a checkpoint as JSON. Torch-free; used on the training thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "engine/train/train_config.h"

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

// The best value of a monitored metric so far, with the patience count that early stopping and
// reduce-on-plateau need.
class BestTracker {
 public:
  BestTracker(bool higherIsBetter, double minDelta)
      : m_higher(higherIsBetter), m_minDelta(minDelta) {}

  // Records an epoch's value; true when it is an improvement (NaN never is).
  bool update(int epoch, double value);

  bool hasBest() const { return m_bestEpoch > 0; }
  double best() const { return m_best; }
  int bestEpoch() const { return m_bestEpoch; }
  int epochsWithoutImprovement() const { return m_badEpochs; }

  nlohmann::json state() const;
  void restore(const nlohmann::json& state);

 private:
  bool m_higher;
  double m_minDelta;
  double m_best = 0;
  int m_bestEpoch = 0;
  int m_badEpochs = 0;
};

}  // namespace layerlab::engine
