// CompareView's curves: each run's series read whole (in the background when long), smoothed,
// decimated to about two points per pixel column and drawn; the readout under the mouse. The
// controls and the tables are in compare_view.cpp and compare_tables.cpp.
#include <QComboBox>
#include <QLabel>
#include <QThread>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>

#include "series/best_epoch.h"
#include "series/decimate.h"
#include "series/metric_direction.h"
#include "series/smoothing.h"
#include "ui/runs/compare_chart.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_catalog.h"
#include "ui/runs/run_format.h"
#include "ui/worker.h"

namespace layerlab::ui {
namespace {

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
std::map<int64_t, storage::MetricSeries> readWhole(const RunReader& query,
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
      [read, reader = std::shared_ptr<RunReader>(m_query->openAnother()), metric] {
        read->series = readWhole(*reader, read->runIds, metric, [] {
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
