// The best epoch of a metric series: the earliest epoch holding the best finite value in the
// metric's direction. It is the rule of the store's best columns (ORDER BY value, epoch LIMIT 1),
// of the trainer's reported best epoch and of the charts' best marker, so one run shows one best
// epoch everywhere.
//
// Threads: pure functions and a plain value type, any thread.
#pragma once

#include <span>
#include <string_view>

namespace layerlab::series {

struct EpochValue {
  int epoch = 0;
  double value = 0.0;
};

// The best epoch so far, fed one epoch at a time in epoch order (the trainer's way).
class BestEpoch {
 public:
  explicit BestEpoch(bool higherIsBetter) : m_higher(higherIsBetter) {}

  // True when this epoch becomes the best; a tie keeps the earlier epoch.
  bool offer(int epoch, double value);

  int epoch() const { return m_epoch; }  // 0: no finite value yet
  double value() const { return m_value; }
  void restore(int epoch, double value) {
    m_epoch = epoch;
    m_value = value;
  }

 private:
  bool m_higher;
  int m_epoch = 0;
  double m_value = 0.0;
};

// The best epoch of `values` (in any order); 0 when none is finite.
int bestEpoch(std::span<const EpochValue> values, bool higherIsBetter);

// The same, with the direction of the metric or monitor named `metric` ("val_loss", "accuracy").
int bestEpochOf(std::span<const EpochValue> values, std::string_view metric);

}  // namespace layerlab::series
