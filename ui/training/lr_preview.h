// A small plot of the learning rate over a whole run, as the chosen schedule will set it, drawn
// beside the schedule choice so the user sees warm-up and decay before starting.
//
// Threads: GUI thread only.
#pragma once

#include <QWidget>

#include <vector>

#include "engine/train/train_config.h"

namespace layerlab::ui {

class LrPreview : public QWidget {
  Q_OBJECT

 public:
  explicit LrPreview(QWidget* parent = nullptr);

  // Reduce-on-plateau depends on the run, so it is drawn flat with a note.
  void setSchedule(const engine::TrainConfig& config, int64_t stepsPerEpoch);
  const std::vector<double>& values() const { return m_values; }

  QSize sizeHint() const override { return {240, 64}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<double> m_values;  // one per sampled step
  bool m_plateau = false;
};

}  // namespace layerlab::ui
