#include "engine/train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "series/metric_direction.h"

namespace layerlab::engine {

LrSchedule::LrSchedule(const ScheduleConfig& config, double baseLr, int epochs,
                       int64_t stepsPerEpoch)
    : m_config(config),
      m_baseLr(baseLr),
      m_totalSteps(std::max<int64_t>(1, epochs * stepsPerEpoch)),
      m_stepsPerEpoch(std::max<int64_t>(1, stepsPerEpoch)),
      m_plateauLr(baseLr),
      m_plateauBest(0) {}

double LrSchedule::lrForStep(int64_t step) const {
  const std::string& type = m_config.type;
  if (type == "step") {
    const int64_t epoch = step / m_stepsPerEpoch;
    return m_baseLr * std::pow(m_config.gamma, static_cast<double>(epoch / m_config.stepSize));
  }
  if (type == "plateau") return m_plateauLr;
  if (type != "cosine") return m_baseLr;
  const int64_t warmup = std::min(m_totalSteps, m_config.warmupEpochs * m_stepsPerEpoch);
  if (step < warmup) return m_baseLr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double progress = static_cast<double>(step - warmup) /
                          static_cast<double>(std::max<int64_t>(1, m_totalSteps - warmup));
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * std::min(1.0, progress)));
  return m_config.minLr + (m_baseLr - m_config.minLr) * cosine;
}

void LrSchedule::endEpoch(double monitored, bool higherIsBetter) {
  if (m_config.type != "plateau" || std::isnan(monitored)) return;
  // Relative threshold, as PyTorch's ReduceLROnPlateau does by default.
  const double margin = std::abs(m_plateauBest) * m_config.threshold;
  const bool improved = !m_plateauHasBest || (higherIsBetter ? monitored > m_plateauBest + margin
                                                             : monitored < m_plateauBest - margin);
  if (improved) {
    m_plateauBest = monitored;
    m_plateauHasBest = true;
    m_plateauBadEpochs = 0;
    return;
  }
  if (++m_plateauBadEpochs > m_config.patience) {
    m_plateauLr = std::max(m_config.minLr, m_plateauLr * m_config.factor);
    m_plateauBadEpochs = 0;
  }
}

nlohmann::json LrSchedule::state() const {
  return {{"plateau_lr", m_plateauLr},
          {"plateau_best", m_plateauBest},
          {"plateau_bad_epochs", m_plateauBadEpochs},
          {"plateau_has_best", m_plateauHasBest}};
}

void LrSchedule::restore(const nlohmann::json& state) {
  m_plateauLr = state.at("plateau_lr").get<double>();
  m_plateauBest = state.at("plateau_best").get<double>();
  m_plateauBadEpochs = state.at("plateau_bad_epochs").get<int>();
  m_plateauHasBest = state.at("plateau_has_best").get<bool>();
}

bool BestTracker::update(int epoch, double value) {
  const bool first = !hasBest();
  m_best.offer(epoch, value);
  const bool improved =
      std::isfinite(value) && (first || series::beats(value, m_patienceBest, m_higher, m_minDelta));
  if (improved) {
    m_patienceBest = value;
    m_badEpochs = 0;
  } else {
    ++m_badEpochs;
  }
  return improved;
}

nlohmann::json BestTracker::state() const {
  return {{"best", m_best.value()},
          {"best_epoch", m_best.epoch()},
          {"bad_epochs", m_badEpochs},
          {"patience_best", m_patienceBest}};
}

void BestTracker::restore(const nlohmann::json& state) {
  m_best.restore(state.at("best_epoch").get<int>(), state.at("best").get<double>());
  // Checkpoints written before the best epoch and the patience reference were kept apart hold
  // only "best"; it was both then.
  m_patienceBest = state.value("patience_best", m_best.value());
  m_badEpochs = state.at("bad_epochs").get<int>();
}

}  // namespace layerlab::engine
