#include "ui/training/train_monitor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "engine/model/model_summary.h"
#include "series/duration.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/test_results_view.h"

namespace layerlab::ui {
namespace {

constexpr int kClockIntervalMs = 500;

QString duration(double seconds) {
  return QString::fromStdString(series::formatDuration(seconds));
}

}  // namespace

TrainMonitor::TrainMonitor(QWidget* parent) : QWidget(parent) {
  m_status = new QLabel(tr("Ready. Choose a model and press Start."), this);
  m_status->setObjectName(QStringLiteral("trainStatus"));
  QFont strong = m_status->font();
  strong.setBold(true);
  m_status->setFont(strong);
  m_status->setWordWrap(true);
  m_progress = new QProgressBar(this);
  m_progress->setObjectName(QStringLiteral("trainProgress"));
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(tr("not started"));
  m_timing = new QLabel(this);
  m_timing->setObjectName(QStringLiteral("trainTiming"));

  m_tabs = new QTabWidget(this);
  m_log = new QPlainTextEdit(m_tabs);
  m_log->setReadOnly(true);
  m_log->setObjectName(QStringLiteral("trainLog"));
  m_log->setMaximumBlockCount(5000);
  m_log->setPlaceholderText(tr("Each epoch and every message of the run is logged here."));
  m_results = new TestResultsView(m_tabs);
  m_tabs->addTab(m_log, tr("Log"));
  m_tabs->addTab(m_results, tr("Results"));

  m_split = new QSplitter(Qt::Vertical, this);
  m_split->addWidget(buildChartArea());
  m_split->addWidget(m_tabs);
  m_split->setStretchFactor(0, 3);
  m_split->setStretchFactor(1, 1);
  m_split->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 0, 0, 0);
  layout->addWidget(m_status);
  layout->addWidget(m_progress);
  layout->addWidget(m_timing);
  layout->addWidget(m_split, 1);

  m_clock = new QTimer(this);
  m_clock->setInterval(kClockIntervalMs);
  connect(m_clock, &QTimer::timeout, this, [this] { refreshElapsed(true); });
}

QWidget* TrainMonitor::buildChartArea() {
  auto* area = new QWidget(this);
  auto* bar = new QHBoxLayout();
  bar->addWidget(new QLabel(tr("X axis"), area));
  m_xAxis = new QComboBox(area);
  m_xAxis->addItems({tr("Step"), tr("Epoch"), tr("Wall time")});
  m_logScale = new QCheckBox(tr("Log scale (loss)"), area);
  bar->addWidget(m_xAxis);
  bar->addSpacing(12);
  bar->addWidget(m_logScale);
  bar->addStretch(1);
  auto* charts = new QHBoxLayout();
  m_lossChart = new MetricChart(tr("Loss"), false, area);
  m_lossChart->setObjectName(QStringLiteral("lossChart"));
  m_accuracyChart = new MetricChart(tr("Accuracy"), true, area);
  m_accuracyChart->setObjectName(QStringLiteral("accuracyChart"));
  charts->addWidget(m_lossChart);
  charts->addWidget(m_accuracyChart);
  connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this](int index) {
    for (MetricChart* chart : {m_lossChart, m_accuracyChart})
      chart->setXAxis(static_cast<ChartXAxis>(index));
  });
  connect(m_logScale, &QCheckBox::toggled, m_lossChart, &MetricChart::setLogScale);
  auto* layout = new QVBoxLayout(area);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(bar);
  layout->addLayout(charts, 1);
  return area;
}

void TrainMonitor::reset(const QString& status) {
  m_lossChart->clear();
  m_accuracyChart->clear();
  m_log->clear();
  m_results->clear();
  m_tabs->setCurrentIndex(0);
  m_runId = 0;
  m_stepsPerEpoch = 0;
  m_lastStep = 0;
  m_samplesPerSecond = 0;
  m_pausedMs = 0;
  m_pausedSince.invalidate();
  m_elapsed.invalidate();
  m_progress->setRange(0, 1);
  m_progress->setValue(0);
  m_progress->setFormat(tr("not started"));
  m_timing->clear();
  m_status->setText(status);
}

void TrainMonitor::begin(int epochs, const QString& description) {
  reset(tr("Loading the data and building the model\u2026"));
  m_epochs = epochs;
  m_progress->setRange(0, 0);  // busy until the data is loaded
  m_progress->setFormat(tr("loading data"));
  m_elapsed.start();
  m_clock->start();
  appendLog(description);
}

void TrainMonitor::started(qint64 runId, int64_t stepsPerEpoch, const QString& device,
                           const QString& data, qint64 params) {
  m_runId = runId;
  m_stepsPerEpoch = stepsPerEpoch;
  for (MetricChart* chart : {m_lossChart, m_accuracyChart})
    chart->setStepsPerEpoch(static_cast<double>(m_stepsPerEpoch));
  m_progress->setRange(0, static_cast<int>(std::max<int64_t>(1, m_stepsPerEpoch * m_epochs)));
  m_progress->setValue(0);
  m_progress->setFormat(tr("epoch 1/%1 · step 0/%2").arg(m_epochs).arg(m_stepsPerEpoch));
  m_status->setText(tr("Run %1 training on %2").arg(runId).arg(device));
  appendLog(tr("Run %1 · %2 · %3 · %4 parameters")
                .arg(runId)
                .arg(device, data, QString::fromStdString(engine::formatThousands(params))));
}

void TrainMonitor::update(const TrainingUpdate& update) {
  std::vector<storage::SeriesPoint> loss, accuracy;
  for (const engine::BatchProgress& p : update.batches) {
    loss.push_back({.step = p.step, .epoch = p.epoch, .wallTime = p.wallSeconds, .value = p.loss});
    accuracy.push_back(
        {.step = p.step, .epoch = p.epoch, .wallTime = p.wallSeconds, .value = p.accuracy});
    noteProgress(p);
  }
  m_lossChart->appendTraining(loss);
  m_accuracyChart->appendTraining(accuracy);
  std::vector<storage::SeriesPoint> valLoss, valAccuracy;
  for (const engine::EpochSummary& s : update.epochs) {
    valLoss.push_back(
        {.step = s.step, .epoch = s.epoch, .wallTime = s.wallSeconds, .value = s.valLoss});
    valAccuracy.push_back(
        {.step = s.step, .epoch = s.epoch, .wallTime = s.wallSeconds, .value = s.valAccuracy});
    noteEpoch(s);
  }
  m_lossChart->appendValidation(valLoss);
  m_accuracyChart->appendValidation(valAccuracy);
  for (const QString& line : update.logLines)
    appendLog(line);
  m_lossChart->refresh();
  m_accuracyChart->refresh();
  refreshElapsed(true);
}

void TrainMonitor::noteProgress(const engine::BatchProgress& p) {
  m_lastStep = p.step;
  m_samplesPerSecond = p.samplesPerSecond;
  if (p.batchesPerEpoch > 0 && p.batchesPerEpoch != m_stepsPerEpoch) {
    m_stepsPerEpoch = p.batchesPerEpoch;
    m_progress->setRange(0, static_cast<int>(m_stepsPerEpoch * p.epochs));
    for (MetricChart* chart : {m_lossChart, m_accuracyChart})
      chart->setStepsPerEpoch(static_cast<double>(m_stepsPerEpoch));
  }
  m_progress->setValue(static_cast<int>(p.step));
  m_progress->setFormat(tr("epoch %1/%2 · step %3/%4")
                            .arg(p.epoch)
                            .arg(p.epochs)
                            .arg(p.batch)
                            .arg(p.batchesPerEpoch));
}

void TrainMonitor::noteEpoch(const engine::EpochSummary& s) {
  m_lossChart->setBestEpoch(s.bestEpoch);
  m_accuracyChart->setBestEpoch(s.bestEpoch);
  appendLog(tr("Epoch %1/%2 · loss %3 · accuracy %4 · val_loss %5 · val_accuracy %6 · %7 s · "
               "%8 samples/s%9")
                .arg(s.epoch)
                .arg(s.epochs)
                .arg(s.trainLoss, 0, 'f', 4)
                .arg(s.trainAccuracy, 0, 'f', 4)
                .arg(s.valLoss, 0, 'f', 4)
                .arg(s.valAccuracy, 0, 'f', 4)
                .arg(s.seconds, 0, 'f', 1)
                .arg(static_cast<qint64>(s.samplesPerSecond))
                .arg(s.improved ? tr(" · best so far") : QString()));
}

void TrainMonitor::setPaused(bool paused) {
  if (paused) {
    m_pausedSince.start();
    appendLog(tr("Paused after the current batch."));
    m_status->setText(tr("Run %1 paused").arg(m_runId));
  } else {
    if (m_pausedSince.isValid()) m_pausedMs += m_pausedSince.elapsed();
    m_pausedSince.invalidate();
    appendLog(tr("Resumed."));
    // Said at once, not at the next batch's report, which may be seconds away.
    m_status->setText(m_runId > 0 ? tr("Run %1 training").arg(m_runId) : tr("Training"));
  }
  refreshElapsed(true);
}

void TrainMonitor::stopping() {
  appendLog(tr("Stopping after the current batch\u2026"));
  m_status->setText(tr("Stopping\u2026"));
}

void TrainMonitor::refreshElapsed(bool withEta) {
  if (!m_elapsed.isValid()) return;
  const qint64 pausedMs = m_pausedMs + (m_pausedSince.isValid() ? m_pausedSince.elapsed() : 0);
  const double seconds = (m_elapsed.elapsed() - pausedMs) / 1000.0;
  const int64_t total = m_stepsPerEpoch * m_epochs;
  const QString speed = tr("%1 samples/s")
                            .arg(QString::fromStdString(
                                engine::formatThousands(static_cast<int64_t>(m_samplesPerSecond))));
  if (!withEta) {
    m_timing->setText(tr("took %1 · %2").arg(duration(seconds), speed));
    return;
  }
  QString eta = QStringLiteral("–");
  if (m_pausedSince.isValid()) {
    eta = tr("paused");
  } else if (m_lastStep > 0 && total > m_lastStep) {
    eta = duration(seconds / static_cast<double>(m_lastStep) * (total - m_lastStep));
  }
  m_timing->setText(tr("elapsed %1 · ETA %2 · %3").arg(duration(seconds), eta, speed));
}

QString TrainMonitor::outcome(const TrainingResult& result) const {
  if (result.status == QLatin1String("completed")) {
    return result.stoppedEarly
               ? tr("Run %1 completed: stopped early after %2 epochs, best epoch %3")
                     .arg(result.runId)
                     .arg(result.epochsDone)
                     .arg(result.bestEpoch)
               : tr("Run %1 completed after %2 epochs").arg(result.runId).arg(result.epochsDone);
  }
  if (result.status == QLatin1String("cancelled")) {
    return tr("Run %1 stopped: stored as cancelled after %2 complete epoch(s)")
        .arg(result.runId)
        .arg(result.epochsDone);
  }
  return result.runId > 0 ? tr("Run %1 failed: %2").arg(result.runId).arg(result.error)
                          : tr("Could not start: %1").arg(result.error);
}

void TrainMonitor::finished(const TrainingResult& result, const storage::ConfusionMatrix* matrix) {
  m_clock->stop();
  m_pausedSince.invalidate();
  refreshElapsed(false);  // how long it took; no ETA for a run that has ended
  m_elapsed.invalidate();
  const bool completed = result.status == QLatin1String("completed");
  m_progress->setRange(0, 1);
  m_progress->setValue(completed ? 1 : 0);
  m_progress->setFormat(completed                                     ? tr("completed")
                        : result.status == QLatin1String("cancelled") ? tr("stopped")
                                                                      : result.status);
  m_status->setText(outcome(result));
  appendLog(m_status->text());
  m_results->setMetrics(result.finalMetrics);
  if (matrix != nullptr) m_results->setMatrix(*matrix);
  if (!result.finalMetrics.empty()) {
    // The results get three fifths of the height: every metric row and a matrix whose cells
    // hold their counts; the curves stay in view above.
    m_tabs->setCurrentIndex(1);
    const int total = m_split->height();
    m_split->setSizes({total * 2 / 5, total - total * 2 / 5});
  }
}

void TrainMonitor::setStatus(const QString& text) {
  m_status->setText(text);
}

void TrainMonitor::appendLog(const QString& line) {
  m_log->appendPlainText(line);
}

QString TrainMonitor::statusText() const {
  return m_status->text();
}

QString TrainMonitor::timingText() const {
  return m_timing->text();
}

QString TrainMonitor::logText() const {
  return m_log->toPlainText();
}

}  // namespace layerlab::ui
