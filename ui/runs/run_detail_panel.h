// A read-only look at one run: its loss and accuracy curves (training per logged batch, validation
// per epoch, best epoch marked), its per-epoch values, its final test metrics with the confusion
// matrix, and its error when it failed.
//
// Threads: GUI thread only. The panel holds copies; RunsPage reads the store and calls showRun()
// again when the store changes.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

#include "storage/run_types.h"

class QHBoxLayout;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTabWidget;
class QToolButton;

namespace layerlab::ui {

class ClassMetricsTable;
class ConfusionMatrixView;
class MetricChart;
class TrainingCharts;
class TestResultsView;

// What the panel draws besides the run's own record, read by the caller in one go.
struct RunCurves {
  std::vector<storage::MetricSeries> series;  // train loss/accuracy per batch, val per epoch
  std::vector<storage::ConfusionMatrix> matrices;
};

class RunDetailPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RunDetailPanel(QWidget* parent = nullptr);

  // Shows `run` with one table row per epoch, replacing what was shown.
  void showRun(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs,
               const RunCurves& curves = {});

  MetricChart* lossChart() const;
  MetricChart* accuracyChart() const;
  ConfusionMatrixView* confusionView() const;

  // The run on show, if any.
  std::optional<int64_t> runId() const { return m_runId; }

  void clear();

 Q_SIGNALS:
  // The user asked to close the panel.
  void closeRequested();
  // The user asked to open the model the run trained in the editor (its stored JSON).
  void openModelRequested(qint64 runId, const QString& modelJson);

 private:
  QHBoxLayout* buildHeader();
  QToolButton* buildCloseButton();
  QPushButton* buildOpenModelButton();
  void buildErrorText();
  void buildEpochTable();
  void buildTabs();
  void fillEpochs(const std::vector<storage::EpochMetrics>& epochs);
  void fillCurves(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs,
                  const RunCurves& curves);
  void fillResults(const storage::RunDetail& run, const RunCurves& curves);

  QLabel* m_title = nullptr;
  QString m_modelJson;
  QLabel* m_summary = nullptr;
  QLabel* m_errorText = nullptr;
  QTableView* m_epochTable = nullptr;
  QStandardItemModel* m_epochModel = nullptr;
  QTabWidget* m_tabs = nullptr;
  TrainingCharts* m_charts = nullptr;
  TestResultsView* m_results = nullptr;
  ClassMetricsTable* m_perClass = nullptr;  // precision, recall, F1 per class
  std::optional<int64_t> m_runId;
};

}  // namespace layerlab::ui
