// A run's curves side by side: the loss and accuracy charts (MetricChart) under one bar that
// picks the x axis (step, epoch or wall time) and switches the loss chart to a log scale. The
// Train place feeds it live; showStoredRun() draws a run from the store with its best epoch.
//
// Threads: GUI thread only.
#pragma once

#include <QWidget>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/run_types.h"
#include "ui/charts/metric_chart.h"

class QCheckBox;
class QComboBox;

namespace layerlab::storage {
class RunQuery;
}

namespace layerlab::ui {

class TrainingCharts : public QWidget {
  Q_OBJECT

 public:
  // At most this many training points per stored series are read (reduced by the store, keeping
  // every extreme); the charts reduce again to what their width can show.
  static constexpr size_t kStoredCurvePoints = 4000;

  explicit TrainingCharts(QWidget* parent = nullptr);

  // Forgets every point and the best-epoch marker; the axis and scale choices stay.
  void clear();

  // The monitor a run had when its training config names none (TrainConfig's default).
  static constexpr std::string_view kDefaultMonitor = "val_loss";

  // Replaces what is drawn with run `runId`'s training loss and accuracy per logged batch, its
  // validation values per epoch and its best epoch on the monitor of its training config.
  // Throws what the query throws (storage::StoreError).
  void showStoredRun(const storage::RunQuery& query, int64_t runId);
  // The same from series and epochs read already (on another connection or thread).
  void showCurves(const std::vector<storage::EpochMetrics>& epochs,
                  const std::vector<storage::MetricSeries>& series,
                  std::string_view monitor = kDefaultMonitor);

  // The best epoch on `monitor` ("val_accuracy", …) by series::bestEpoch's rule, the store's: the
  // earliest epoch with the best value. A validation monitor of a run without validation values
  // falls back to the training metric of the same name, as the trainer does. 0 for none.
  static int bestEpochOf(const std::vector<storage::EpochMetrics>& epochs,
                         std::string_view monitor = kDefaultMonitor);
  // The monitor named by a stored training config (JSON); kDefaultMonitor when it names none or
  // cannot be read.
  static std::string monitorOf(std::string_view configJson);

  // Live feeding goes straight to the two charts; these apply to both.
  void setStepsPerEpoch(double steps);
  void setBestEpoch(int epoch);
  void refresh();

  void setXAxis(ChartXAxis axis);
  void setLogScale(bool on);

  MetricChart* lossChart() const { return m_loss; }
  MetricChart* accuracyChart() const { return m_accuracy; }

 private:
  QComboBox* m_xAxis = nullptr;
  QCheckBox* m_logScale = nullptr;
  MetricChart* m_loss = nullptr;
  MetricChart* m_accuracy = nullptr;
};

}  // namespace layerlab::ui
