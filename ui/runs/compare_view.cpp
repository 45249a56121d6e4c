#include "ui/runs/compare_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <set>

#include "series/best_epoch.h"
#include "series/decimate.h"
#include "series/metric_direction.h"
#include "series/smoothing.h"
#include "storage/run_filter.h"
#include "storage/run_query.h"
#include "ui/runs/compare_chart.h"
#include "ui/runs/run_format.h"
#include "ui/worker.h"

namespace layerlab::ui {
namespace {

// Twenty colours that stay apart from each other on a light background.
const QColor kRunColours[] = {
    {31, 119, 180}, {214, 39, 40},  {44, 160, 44},   {148, 103, 189}, {255, 127, 14},
    {23, 190, 207}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
    {57, 59, 121},  {173, 73, 74},  {99, 121, 57},   {123, 65, 115},  {231, 150, 156},
    {82, 84, 163},  {140, 162, 82}, {189, 158, 57},  {132, 60, 57},   {107, 110, 207},
};

// The drawable points of a line (finite, and positive on a log scale) reduced by series::decimate
// to about two per pixel column: what the eye can see of any number of points.
QList<QPointF> drawnLine(const std::vector<double>& x, const std::vector<double>& y, int columns,
                         bool positiveOnly) {
  std::vector<double> xs, ys;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(y[i]) || (positiveOnly && y[i] <= 0)) continue;
    xs.push_back(x[i]);
    ys.push_back(y[i]);
  }
  QList<QPointF> out;
  for (const size_t i : series::decimate(ys, 2 * static_cast<size_t>(std::max(columns, 1)) + 2))
    out.append(QPointF(xs[i], ys[i]));
  return out;
}

// Reads `metric` of each run whole: its per-batch values where it has any, else its values per
// epoch. Stops between runs when `stop` says so. Every run asked for gets an entry (empty when it
// has no values).
std::map<int64_t, storage::MetricSeries> readWhole(const storage::RunQuery& query,
                                                   const std::vector<int64_t>& runIds,
                                                   const storage::MetricKey& metric,
                                                   const std::function<bool()>& stop = {}) {
  std::map<int64_t, storage::MetricSeries> read;
  for (const int64_t id : runIds) {
    if (stop && stop()) break;
    storage::MetricSeries& kept = read[id];
    for (const storage::MetricKind kind :
         {storage::MetricKind::Batch, storage::MetricKind::Epoch}) {
      storage::SeriesRequest request{.runIds = {id}, .metrics = {metric}, .kind = kind};
      std::vector<storage::MetricSeries> found = query.series(request);
      if (!found.empty() && !found.front().points.empty()) {
        kept = std::move(found.front());
        break;
      }
    }
  }
  return read;
}

}  // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("compareView"));
  m_banner = new QLabel(this);
  m_banner->setObjectName(QStringLiteral("compareBanner"));
  m_banner->setWordWrap(true);
  m_banner->setStyleSheet(
      QStringLiteral("QLabel { background: #fdf2d8; border: 1px solid #e6c36a; border-radius: 4px;"
                     " padding: 4px 8px; color: #7a4f00; }"));
  m_banner->hide();

  m_metric = new QComboBox(this);
  m_metric->setObjectName(QStringLiteral("compareMetric"));
  m_metric->setMinimumContentsLength(16);
  m_axis = new QComboBox(this);
  m_axis->setObjectName(QStringLiteral("compareAxis"));
  m_axis->addItem(tr("Step"), static_cast<int>(XAxis::Step));
  m_axis->addItem(tr("Epoch"), static_cast<int>(XAxis::Epoch));
  m_axis->addItem(tr("Wall time (s)"), static_cast<int>(XAxis::WallTime));
  m_smoothSlider = new QSlider(Qt::Horizontal, this);
  m_smoothSlider->setObjectName(QStringLiteral("compareSmoothing"));
  m_smoothSlider->setRange(0, 99);
  m_smoothSlider->setValue(static_cast<int>(std::lround(m_smoothing * 100)));
  m_smoothSlider->setMinimumWidth(90);
  m_smoothSlider->setMaximumWidth(160);
  m_smoothLabel = new QLabel(this);
  m_log = new QCheckBox(tr("Log scale"), this);
  m_log->setObjectName(QStringLiteral("compareLog"));
  m_readout = new QLabel(this);
  m_readout->setObjectName(QStringLiteral("compareReadout"));
  m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_legend = new QLabel(this);
  m_legend->setObjectName(QStringLiteral("compareLegend"));
  m_legend->setWordWrap(true);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Metric"), this));
  controls->addWidget(m_metric);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("X axis"), this));
  controls->addWidget(m_axis);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("Smoothing"), this));
  controls->addWidget(m_smoothSlider);
  controls->addWidget(m_smoothLabel);
  controls->addSpacing(8);
  controls->addWidget(m_log);
  controls->addStretch(1);

  m_chart = new CompareChart(this);
  m_chart->setObjectName(QStringLiteral("compareChart"));
  m_chart->onHover = [this](double x) {
    m_readout->setText(readoutAt(x));
    Q_EMIT readoutChanged(m_readout->text());
  };
  m_chart->onResize = [this] { redraw(); };

  auto* chartSide = new QWidget(this);
  auto* chartLayout = new QVBoxLayout(chartSide);
  chartLayout->setContentsMargins(0, 0, 0, 0);
  chartLayout->addLayout(controls);
  chartLayout->addWidget(m_chart, 1);
  chartLayout->addWidget(m_legend);
  chartLayout->addWidget(m_readout);

  auto table = [this](const char* name) {
    auto* t = new QTableWidget(this);
    t->setObjectName(QString::fromLatin1(name));
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(false);
    return t;
  };
  m_parameters = table("compareParameters");
  m_architecture = table("compareArchitecture");
  m_finals = table("compareFinals");
  m_confusion = table("compareConfusion");
  m_onlyDifferences = new QCheckBox(tr("Differences only"), this);
  m_onlyDifferences->setObjectName(QStringLiteral("compareDifferencesOnly"));
  m_onlyDifferences->setChecked(m_differencesOnly);
  auto* parameterPage = new QWidget(this);
  auto* parameterLayout = new QVBoxLayout(parameterPage);
  parameterLayout->setContentsMargins(0, 4, 0, 0);
  parameterLayout->addWidget(m_onlyDifferences);
  parameterLayout->addWidget(m_parameters, 1);

  m_tabs = new QTabWidget(this);
  m_tabs->setObjectName(QStringLiteral("compareTabs"));
  m_tabs->addTab(parameterPage, tr("Hyperparameters"));
  m_tabs->addTab(m_architecture, tr("Architecture"));
  m_tabs->addTab(m_finals, tr("Final metrics"));
  m_tabs->addTab(m_confusion, tr("Confusion difference"));

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(chartSide);
  split->addWidget(m_tabs);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({640, 420});

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 6, 0, 0);
  layout->addWidget(m_banner);
  layout->addWidget(split, 1);

  connect(m_metric, &QComboBox::currentIndexChanged, this, [this] { loadCurves(); });
  connect(m_axis, &QComboBox::currentIndexChanged, this, [this] {
    m_xAxis = static_cast<XAxis>(m_axis->currentData().toInt());
    loadCurves();
  });
  connect(m_smoothSlider, &QSlider::valueChanged, this, [this](int value) {
    m_smoothing = value / 100.0;
    smoothAndDraw();
  });
  connect(m_log, &QCheckBox::toggled, this, [this](bool on) {
    m_logScale = on;
    redraw();
  });
  connect(m_onlyDifferences, &QCheckBox::toggled, this, [this](bool on) {
    m_differencesOnly = on;
    if (m_query) m_params = m_query->paramDiff(m_ids, !m_differencesOnly);
    fillParameters();
  });
}

CompareView::~CompareView() = default;  // m_reading's worker stops and is waited for

void CompareView::showRuns(const storage::RunQuery& query, const std::vector<int64_t>& runIds) {
  m_ids = runIds;
  m_loaded.clear();
  m_readAs.clear();
  m_readError.clear();
  m_reading.reset();  // a read for the runs shown before stops between runs
  refresh(query);
}

void CompareView::refresh(const storage::RunQuery& query) {
  m_query = &query;
  readRuns(query);
  // Series already read stay while their run is as it was: a run training beside 19 finished
  // ones is read again alone.
  for (const Run& run : m_runs) {
    const storage::RunSummary& summary = run.detail.summary;
    const ReadAs now{summary.status, summary.attempt, summary.epochsDone, summary.heartbeatAt};
    const auto [at, added] = m_readAs.try_emplace(summary.id, now);
    if (added || at->second == now) continue;
    at->second = now;
    for (auto& [metric, perRun] : m_loaded)
      perRun.erase(summary.id);
  }
  m_params = query.paramDiff(m_ids, !m_differencesOnly);
  fillMetricChoices(query);
  fillParameters();
  fillArchitecture();
  fillFinals();
  fillConfusion(query);
  fillBanner();
  QStringList legend;
  for (size_t i = 0; i < m_runs.size(); ++i) {
    legend << QStringLiteral("<span style='color:%1'>\u25a0</span> %2")
                  .arg(runColour(i).name(), runLabel(m_runs[i].detail.summary).toHtmlEscaped());
  }
  m_legend->setText(legend.join(QStringLiteral(" &nbsp; ")));
  loadCurves();
}

std::vector<int64_t> CompareView::runIds() const {
  std::vector<int64_t> ids;
  for (const Run& run : m_runs)
    ids.push_back(run.detail.summary.id);
  return ids;
}

QColor CompareView::runColour(size_t run) const {
  return kRunColours[run % std::size(kRunColours)];
}

void CompareView::readRuns(const storage::RunQuery& query) {
  m_runs.clear();
  std::vector<int64_t> found;
  for (const int64_t id : m_ids) {
    std::optional<storage::RunDetail> detail = query.run(id);
    if (!detail) continue;
    m_runs.push_back(Run{std::move(*detail), query.epochs(id)});
    found.push_back(id);
  }
  m_ids = found;
}

void CompareView::fillMetricChoices(const storage::RunQuery& query) {
  const QVariant current = m_metric->currentData();
  std::set<std::pair<std::string, std::string>> keys;
  m_batchKeys.clear();
  for (const int64_t id : m_ids) {
    for (const storage::MetricKind kind :
         {storage::MetricKind::Epoch, storage::MetricKind::Batch}) {
      for (const storage::MetricKey& key : query.metricKeys(id, kind)) {
        if (key.split == "test") continue;
        keys.insert({key.split, key.name});
        if (kind == storage::MetricKind::Batch)
          m_batchKeys.insert(QString::fromStdString(key.split + "/" + key.name));
      }
    }
  }
  const QSignalBlocker quiet(m_metric);
  m_metric->clear();
  for (const auto& [split, name] : keys) {
    const QString data = QString::fromStdString(split + "/" + name);
    m_metric->addItem(QString::fromStdString(split + " " + name), data);
  }
  int index = m_metric->findData(current);
  if (index < 0) index = m_metric->findData(QStringLiteral("val/loss"));
  m_metric->setCurrentIndex(std::max(index, 0));
}

void CompareView::setMetric(const QString& split, const QString& name) {
  const int index = m_metric->findData(split + QLatin1Char('/') + name);
  if (index >= 0) m_metric->setCurrentIndex(index);
}

QString CompareView::metricSplit() const {
  return m_metric->currentData().toString().section(QLatin1Char('/'), 0, 0);
}

QString CompareView::metricName() const {
  return m_metric->currentData().toString().section(QLatin1Char('/'), 1);
}

void CompareView::setXAxis(XAxis axis) {
  m_axis->setCurrentIndex(m_axis->findData(static_cast<int>(axis)));
}

void CompareView::setSmoothing(double weight) {
  m_smoothSlider->setValue(static_cast<int>(std::lround(std::clamp(weight, 0.0, 0.99) * 100)));
}

void CompareView::setLogScale(bool on) {
  m_log->setChecked(on);
}

void CompareView::setDifferencesOnly(bool on) {
  m_onlyDifferences->setChecked(on);
}

void CompareView::startRead(const QString& key, const storage::MetricKey& metric,
                            const std::vector<int64_t>& runIds) {
  m_reading = std::make_unique<BackgroundRead>();
  BackgroundRead* read = m_reading.get();
  read->key = key;
  read->runIds = runIds;
  for (const int64_t id : runIds)
    if (const auto found = m_readAs.find(id); found != m_readAs.end())
      read->readAs.emplace(id, found->second);
  read->worker = std::make_unique<Worker>(
      this,
      [read, path = m_query->path(), metric] {
        const storage::RunQuery query(path);
        read->series = readWhole(query, read->runIds, metric, [] {
          return QThread::currentThread()->isInterruptionRequested();
        });
      },
      tr("the values could not be read"), [this](const QString& error) { finishRead(error); });
}

void CompareView::finishRead(const QString& error) {
  const std::unique_ptr<BackgroundRead> read = std::move(m_reading);
  std::map<int64_t, storage::MetricSeries>& loaded = m_loaded[read->key];
  const auto stamp = [](const std::map<int64_t, ReadAs>& stamps, int64_t id) {
    const auto found = stamps.find(id);
    return found == stamps.end() ? std::optional<ReadAs>() : found->second;
  };
  for (auto& [id, series] : read->series) {
    // A run that changed while it was read is read again.
    if (stamp(m_readAs, id) == stamp(read->readAs, id)) loaded.try_emplace(id, std::move(series));
  }
  if (!error.isEmpty()) {
    m_readError = tr("Cannot read %1: %2").arg(read->key, error);
    for (const int64_t id : read->runIds)
      loaded.try_emplace(id);  // not tried again until the runs change
  }
  loadCurves();
  Q_EMIT curvesRead();
}

bool CompareView::isReading() const {
  return m_reading != nullptr;
}

QString CompareView::chartMessage() const {
  return m_chart->message();
}

double CompareView::xOf(const storage::SeriesPoint& point, double stepsPerEpoch) const {
  switch (m_xAxis) {
    case XAxis::Step:
      return static_cast<double>(point.step);
    case XAxis::Epoch:
      return stepsPerEpoch > 0 ? static_cast<double>(point.step) / stepsPerEpoch : point.epoch;
    case XAxis::WallTime:
      return point.wallTime;  // stored as seconds since the run started
  }
  return 0.0;
}

void CompareView::loadCurves() {
  m_curves.assign(m_runs.size(), Curve{});
  if (m_query == nullptr || m_metric->count() == 0) {
    redraw();
    return;
  }
  const QString key = m_metric->currentData().toString();
  const storage::MetricKey metric{metricSplit().toStdString(), metricName().toStdString()};
  std::map<int64_t, storage::MetricSeries>& loaded = m_loaded[key];
  std::vector<int64_t> unread;
  // At most one value per step where the metric has per-batch values; a few per run otherwise.
  const bool perBatch = m_batchKeys.contains(key);
  int64_t expected = 0;
  for (const Run& run : m_runs) {
    if (loaded.contains(run.detail.summary.id)) continue;
    unread.push_back(run.detail.summary.id);
    if (perBatch && !run.epochs.empty()) expected += run.epochs.back().step;
  }
  if (!unread.empty() && !m_reading) {
    if (expected <= kValuesReadAtOnce) {
      for (auto& [id, series] : readWhole(*m_query, unread, metric))
        loaded.try_emplace(id, std::move(series));
    } else {
      startRead(key, metric, unread);
    }
  }
  const bool higher = series::higherIsBetter(metric.name);
  for (size_t r = 0; r < m_runs.size(); ++r) {
    const Run& run = m_runs[r];
    const auto found = loaded.find(run.detail.summary.id);
    if (found == loaded.end() || found->second.points.empty()) continue;
    const storage::MetricSeries* series = &found->second;
    // Steps per epoch from the epoch rows: the last step of each epoch.
    double stepsPerEpoch = 0.0;
    if (!run.epochs.empty() && run.epochs.front().epoch > 0)
      stepsPerEpoch = static_cast<double>(run.epochs.front().step) / run.epochs.front().epoch;
    Curve& curve = m_curves[r];
    curve.x.reserve(series->points.size());
    curve.raw.reserve(series->points.size());
    std::optional<storage::SeriesPoint> best;
    layerlab::series::BestEpoch bestEpoch(higher);  // `series` is the run's series here
    for (const storage::SeriesPoint& point : series->points) {
      curve.x.push_back(xOf(point, stepsPerEpoch));
      curve.raw.push_back(point.value);
      if (series->kind == storage::MetricKind::Epoch && bestEpoch.offer(point.epoch, point.value))
        best = point;
    }
    // x must not go backwards for the per-pixel reduction (wall time of a resumed run may).
    for (size_t i = 1; i < curve.x.size(); ++i)
      curve.x[i] = std::max(curve.x[i], curve.x[i - 1]);
    if (best) curve.best = QPointF(xOf(*best, stepsPerEpoch), best->value);
  }
  smoothAndDraw();
}

void CompareView::smoothAndDraw() {
  m_smoothLabel->setText(QString::number(m_smoothing, 'f', 2));
  for (Curve& curve : m_curves)
    curve.smoothed = series::smooth(curve.raw, m_smoothing);
  redraw();
}

void CompareView::redraw() {
  double xMin = std::numeric_limits<double>::max(), xMax = std::numeric_limits<double>::lowest();
  double yMin = xMin, yMax = xMax;
  for (const Curve& curve : m_curves) {
    if (curve.x.empty()) continue;
    xMin = std::min(xMin, curve.x.front());
    xMax = std::max(xMax, curve.x.back());
    for (const std::vector<double>* values : {&curve.raw, &curve.smoothed})
      for (double v : *values)
        if (std::isfinite(v) && (!m_logScale || v > 0)) {
          yMin = std::min(yMin, v);
          yMax = std::max(yMax, v);
        }
  }
  QString message = m_readError;
  if (m_reading) {
    const size_t runs = m_reading->runIds.size();
    message = runs == 1 ? tr("Reading %1 of 1 run…").arg(m_metric->currentText())
                        : tr("Reading %1 of %2 runs…").arg(m_metric->currentText()).arg(runs);
  }
  if (xMin > xMax || yMin > yMax) {
    if (message.isEmpty() && !m_runs.empty())
      message = tr("No values of this metric in these runs");
    m_chart->setLines({}, message);
    return;
  }
  if (xMax == xMin) xMax = xMin + 1;
  if (yMax == yMin) yMax = yMin + (yMin == 0 ? 1 : std::abs(yMin) * 0.1);
  CompareChart::Axes axes{xMin, xMax, yMin, yMax, m_logScale};
  axes.xTitle = m_axis->currentText();
  axes.yTitle = m_metric->currentText();
  axes.xFractional = m_xAxis == XAxis::Epoch;
  m_chart->setAxes(axes);

  const int columns = std::max(50, m_chart->plotColumns());
  const bool smoothing = m_smoothing > 0;
  std::vector<CompareChart::Line> lines(m_curves.size());
  for (size_t r = 0; r < m_curves.size(); ++r) {
    const Curve& curve = m_curves[r];
    CompareChart::Line& line = lines[r];
    line.colour = runColour(r);
    if (curve.x.empty()) continue;
    if (smoothing) line.faint = drawnLine(curve.x, curve.raw, columns, m_logScale);
    line.strong = drawnLine(curve.x, smoothing ? curve.smoothed : curve.raw, columns, m_logScale);
    line.best = curve.best;
  }
  m_chart->setLines(std::move(lines), message);
}

std::vector<QPointF> CompareView::drawnPoints(size_t run, bool smoothed) const {
  const std::vector<CompareChart::Line>& lines = m_chart->lines();
  if (run >= lines.size()) return {};
  const QList<QPointF>& points =
      smoothed || lines[run].faint.isEmpty() ? lines[run].strong : lines[run].faint;
  return {points.begin(), points.end()};
}

std::optional<QPointF> CompareView::bestMarker(size_t run) const {
  return run < m_curves.size() ? m_curves[run].best : std::nullopt;
}

QString CompareView::readoutAt(double x) const {
  QStringList parts;
  const QString axis = m_xAxis == XAxis::Step    ? tr("step %1").arg(std::llround(x))
                       : m_xAxis == XAxis::Epoch ? tr("epoch %1").arg(x, 0, 'f', 2)
                                                 : tr("%1 s").arg(x, 0, 'f', 1);
  parts << axis;
  for (size_t r = 0; r < m_curves.size(); ++r) {
    const Curve& curve = m_curves[r];
    if (curve.x.empty()) continue;
    const auto after = std::lower_bound(curve.x.begin(), curve.x.end(), x);
    size_t i = static_cast<size_t>(after - curve.x.begin());
    if (i == curve.x.size() || (i > 0 && x - curve.x[i - 1] < curve.x[i] - x))
      i = i == 0 ? 0 : i - 1;
    const double value = m_smoothing > 0 ? curve.smoothed[i] : curve.raw[i];
    parts << QStringLiteral("run %1: %2").arg(m_runs[r].detail.summary.id).arg(value, 0, 'g', 4);
  }
  return parts.join(QStringLiteral(" \u00b7 "));
}

}  // namespace layerlab::ui
