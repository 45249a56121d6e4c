// Runs side by side: 2 to 20 runs of the store compared at once.
//
// The chart overlays one metric (chosen by name and split) with a colour per run: the stored
// values drawn faint, their debiased exponential moving average drawn strong (the smoothing
// slider; 0 draws the values alone), the best epoch of each run marked, the x axis as optimiser
// step, epoch or wall time since the run started, the y axis linear or logarithmic. Moving the
// mouse over the chart shows every run's value at that x. Each run's series is read once per
// metric (lazily, when first shown; on a worker thread when there are many values) and kept
// whole until that run changes in the store; what is drawn is reduced by series::decimate to the
// extremes of about one stretch per pixel column, so 20 runs of 100,000 points stay interactive
// (bench/runs_scale_bench measures it).
//
// Beside the chart: the hyperparameters (all, or the differing ones only), the architecture of
// each run against the first (layers added, removed or changed, and the parameter delta), the
// final metrics with each run's best epoch, and for two classification runs the difference of
// their confusion matrices. A banner says when the runs did not train on the same data.
//
// Threads: GUI thread only. The view reads through the caller's RunReader (which must outlive
// it), except a long metric, which a Worker reads through a reader of its own
// (RunReader::openAnother); the view waits for that read when it is destroyed or shows other runs.
#pragma once

#include <QColor>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/run_types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTableWidget;
class QTabWidget;

namespace layerlab::ui {

class CompareChart;
class RunReader;
class Worker;

class CompareView : public QWidget {
  Q_OBJECT

 public:
  enum class XAxis { Step, Epoch, WallTime };

  explicit CompareView(QWidget* parent = nullptr);
  ~CompareView() override;

  // Compares these runs (unknown ids are left out), reading what it shows through `query`.
  void showRuns(const RunReader& query, const std::vector<int64_t>& runIds);
  // Reads the same runs again (the store changed: a run is training).
  void refresh(const RunReader& query);
  std::vector<int64_t> runIds() const;

  // The controls, as the user sets them.
  void setMetric(const QString& split, const QString& name);
  void setXAxis(XAxis axis);
  void setSmoothing(double weight);  // 0 to 0.99
  void setLogScale(bool on);
  void setDifferencesOnly(bool on);

  // What is shown, for tests and tooltips.
  QString metricSplit() const;
  QString metricName() const;
  XAxis xAxis() const { return m_xAxis; }
  double smoothing() const { return m_smoothing; }
  // The parameter table's keys, top to bottom.
  QStringList parameterKeys() const;
  // The points drawn for a run (index in runIds()): its smoothed line, or its faint raw line.
  std::vector<QPointF> drawnPoints(size_t run, bool smoothed) const;
  // The x of each run's best-epoch marker (nullopt when none is drawn).
  std::optional<QPointF> bestMarker(size_t run) const;
  // "epoch 3 · run 4: 0.4120 · run 7: 0.3988", for the x nearest `x`.
  QString readoutAt(double x) const;
  QString bannerText() const;
  // Which run the confusion difference subtracts from which ("A − B: A = …, B = …").
  QString confusionCaption() const;
  QTableWidget* architectureTable() const { return m_architecture; }
  QTableWidget* finalTable() const { return m_finals; }
  QTableWidget* confusionTable() const { return m_confusion; }
  QColor runColour(size_t run) const;
  // Whether a metric's values are being read in the background (more than kValuesReadAtOnce of
  // them); curvesRead() follows when they are drawn.
  bool isReading() const;
  // What the chart says over its plot ("Reading train loss of 20 runs…", an error), or empty.
  QString chartMessage() const;

  // Up to this many values (estimated from the runs' steps) are read on the GUI thread; more are
  // read on a worker thread with its own connection while the window stays responsive.
  static constexpr int64_t kValuesReadAtOnce = 200000;

 Q_SIGNALS:
  void readoutChanged(const QString& text);
  void curvesRead();

 private:
  struct Run {
    storage::RunDetail detail;
    std::vector<storage::EpochMetrics> epochs;
  };
  struct Curve {
    std::vector<double> x, raw, smoothed;
    std::optional<QPointF> best;
  };

  QWidget* buildChartSide();
  QWidget* buildTables();
  void connectControls();
  struct BackgroundRead;
  void startRead(const QString& key, const storage::MetricKey& metric,
                 const std::vector<int64_t>& runIds);
  void finishRead(const QString& error);
  void readRuns(const RunReader& query);
  void fillMetricChoices(const RunReader& query);
  void loadCurves();
  void smoothAndDraw();
  void redraw();
  void fillParameters();
  void fillArchitecture();
  void fillFinals();
  void fillConfusion(const RunReader& query);
  void fillBanner();
  double xOf(const storage::SeriesPoint& point, double stepsPerEpoch) const;

  const RunReader* m_query = nullptr;
  std::vector<int64_t> m_ids;
  std::vector<Run> m_runs;
  // The whole stored series of each metric shown so far ("split/name"), per run id (empty when
  // the run has none).
  std::map<QString, std::map<int64_t, storage::MetricSeries>> m_loaded;
  // What each run was when its series were read; a run that changed is read again.
  struct ReadAs {
    storage::RunStatus status;
    int attempt;
    int epochsDone;
    double heartbeatAt;
    friend bool operator==(const ReadAs&, const ReadAs&) = default;
  };
  std::map<int64_t, ReadAs> m_readAs;
  // The read running in the background, if any (one at a time; showing other runs drops it).
  struct BackgroundRead {
    QString key;
    std::vector<int64_t> runIds;
    std::map<int64_t, ReadAs> readAs;                 // the runs as they were when the read started
    std::map<int64_t, storage::MetricSeries> series;  // written by the worker
    std::unique_ptr<Worker> worker;                   // last: destroyed (and waited for) first
  };
  std::unique_ptr<BackgroundRead> m_reading;
  // The metrics ("split/name") some compared run has per-batch values of.
  std::set<QString> m_batchKeys;
  QString m_readError;
  std::vector<Curve> m_curves;
  std::vector<storage::ParamDiffRow> m_params;
  XAxis m_xAxis = XAxis::Step;
  double m_smoothing = 0.6;
  bool m_logScale = false;
  bool m_differencesOnly = true;

  QLabel* m_banner = nullptr;
  QComboBox* m_metric = nullptr;
  QComboBox* m_axis = nullptr;
  QSlider* m_smoothSlider = nullptr;
  QLabel* m_smoothLabel = nullptr;
  QCheckBox* m_log = nullptr;
  QCheckBox* m_onlyDifferences = nullptr;
  QLabel* m_readout = nullptr;
  CompareChart* m_chart = nullptr;
  QLabel* m_legend = nullptr;
  QTabWidget* m_tabs = nullptr;
  QTableWidget* m_parameters = nullptr;
  QTableWidget* m_architecture = nullptr;
  QTableWidget* m_finals = nullptr;
  QTableWidget* m_confusion = nullptr;
  QLabel* m_confusionCaption = nullptr;
};

}  // namespace layerlab::ui
