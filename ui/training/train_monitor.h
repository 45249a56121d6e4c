// The Train place's live monitor: the run's status line, a progress bar with epoch and step,
// elapsed time, ETA and samples per second (the clock stops while paused and the ETA goes when
// the run ends), the loss and accuracy charts (step, epoch or wall-time axis; log scale), the
// log, and the test results when the run ends. It shows what it is told; TrainPage drives it
// from the training backend's signals.
//
// Threads: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QWidget>

#include "storage/run_types.h"
#include "ui/training/training_backend.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QSplitter;
class QTabWidget;
class QTimer;

namespace layerlab::ui {

class MetricChart;
class TestResultsView;

class TrainMonitor : public QWidget {
  Q_OBJECT

 public:
  explicit TrainMonitor(QWidget* parent = nullptr);

  // A run is starting: charts, log and results cleared, the clock started.
  void begin(int epochs, const QString& description);
  void started(qint64 runId, int64_t stepsPerEpoch, const QString& device, const QString& data,
               qint64 params);
  void update(const TrainingUpdate& update);
  void setPaused(bool paused);
  void stopping();
  // The run ended: the status says how, the clock stops, the ETA goes, the results show.
  void finished(const TrainingResult& result, const storage::ConfusionMatrix* matrix);
  // Back to "ready" with empty charts: the data or model changed and the last run's curves
  // belong to something else.
  void reset(const QString& status);
  void setStatus(const QString& text);
  void appendLog(const QString& line);

  MetricChart* lossChart() const { return m_lossChart; }
  MetricChart* accuracyChart() const { return m_accuracyChart; }
  QProgressBar* progressBar() const { return m_progress; }
  TestResultsView* results() const { return m_results; }
  QString statusText() const;
  QString timingText() const;
  QString logText() const;
  qint64 runId() const { return m_runId; }

 private:
  QWidget* buildChartArea();
  void refreshElapsed(bool withEta);
  void noteProgress(const engine::BatchProgress& p);
  void noteEpoch(const engine::EpochSummary& s);
  QString outcome(const TrainingResult& result) const;

  qint64 m_runId = 0;
  int m_epochs = 0;
  int64_t m_stepsPerEpoch = 0;
  int64_t m_lastStep = 0;
  double m_samplesPerSecond = 0;
  QElapsedTimer m_elapsed;
  qint64 m_pausedMs = 0;
  QElapsedTimer m_pausedSince;

  QLabel* m_status = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_timing = nullptr;
  QComboBox* m_xAxis = nullptr;
  QCheckBox* m_logScale = nullptr;
  MetricChart* m_lossChart = nullptr;
  MetricChart* m_accuracyChart = nullptr;
  QSplitter* m_split = nullptr;
  QTabWidget* m_tabs = nullptr;
  QPlainTextEdit* m_log = nullptr;
  TestResultsView* m_results = nullptr;
  QTimer* m_clock = nullptr;
};

}  // namespace layerlab::ui
