#include "ui/charts/metric_chart.h"

#include <QCursor>
#include <QToolTip>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "series/decimate.h"

namespace layerlab::ui {
namespace {

// Points drawn per horizontal pixel, at most: series::decimate keeps two per stretch.
constexpr double kPointsPerPixel = 2.0;
constexpr size_t kMinimumBudget = 200;

const QColor kTrainColour(31, 119, 180);
const QColor kValidationColour(230, 120, 20);
const QColor kBestColour(44, 160, 44);

bool drawable(double value, bool logScale) {
  return std::isfinite(value) && (!logScale || value > 0);
}

// Sets `axis` to [min, max] widened to whole ticks of 1, 2 or 5 × 10^k, about kTickIntervals of
// them. QValueAxis::applyNiceNumbers() rounds the span itself up first, which can leave half of
// the plot empty (a run ending at step 507 got an axis to 1000).
void setNiceRange(QValueAxis* axis, double min, double max) {
  constexpr double kTickIntervals = 5;
  const double raw = (max - min) / kTickIntervals;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double factor : {1.0, 2.0, 5.0}) {
    if (magnitude * factor >= raw) {
      step = magnitude * factor;
      break;
    }
  }
  const double low = std::floor(min / step) * step;
  const double high = std::ceil(max / step) * step;
  axis->setRange(low, high);
  axis->setTickCount(static_cast<int>(std::lround((high - low) / step)) + 1);
}

}  // namespace

MetricChart::MetricChart(const QString& title, bool higherIsBetter, QWidget* parent)
    : QChartView(parent), m_title(title), m_higherIsBetter(higherIsBetter) {
  setRenderHint(QPainter::Antialiasing);
  setMinimumSize(260, 200);
  auto* chart = new QChart();
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  // Follow the application palette, so the chart reads in dark mode too.
  const QPalette& pal = palette();
  chart->setBackgroundBrush(pal.base());
  chart->setTitleBrush(pal.text());
  chart->legend()->setLabelColor(pal.color(QPalette::Text));
  setChart(chart);

  m_rawSeries = new QLineSeries(chart);
  m_rawSeries->setName(tr("batch"));
  QColor faint = kTrainColour;
  // Faint beside the smoothed line, yet visible on its own (the values as they were).
  faint.setAlpha(120);
  m_rawSeries->setPen(QPen(faint, 1.2));
  m_smoothSeries = new QLineSeries(chart);
  m_smoothSeries->setName(tr("smoothed"));
  m_smoothSeries->setPen(QPen(kTrainColour, 2.2));
  m_valSeries = new QLineSeries(chart);
  m_valSeries->setName(tr("val"));
  m_valSeries->setPen(QPen(kValidationColour, 2.2));
  m_valPoints = new QScatterSeries(chart);
  m_valPoints->setMarkerSize(7);
  m_valPoints->setColor(kValidationColour);
  m_valPoints->setBorderColor(kValidationColour);
  m_bestSeries = new QScatterSeries(chart);
  m_bestSeries->setName(tr("best"));
  m_bestSeries->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  m_bestSeries->setMarkerSize(12);
  m_bestSeries->setColor(kBestColour);
  m_bestSeries->setBorderColor(pal.color(QPalette::Text));
  for (QXYSeries* series :
       {static_cast<QXYSeries*>(m_rawSeries), static_cast<QXYSeries*>(m_smoothSeries),
        static_cast<QXYSeries*>(m_valSeries), static_cast<QXYSeries*>(m_valPoints),
        static_cast<QXYSeries*>(m_bestSeries)}) {
    chart->addSeries(series);
    connect(series, &QXYSeries::hovered, this,
            [this, name = series->name()](const QPointF& point, bool state) {
              showTooltip(point, state, name);
            });
  }
  // The validation points share the line's legend entry.
  chart->legend()->markers(m_valPoints).front()->setVisible(false);
  rebuildAxes();
  m_dirty = true;
  refresh();
}

void MetricChart::clear() {
  m_raw.clear();
  m_smoothed.clear();
  m_validation.clear();
  m_drawnRaw.clear();
  m_smoothing.reset();
  m_bestEpoch = 0;
  m_dirty = true;
  refresh();
}

void MetricChart::appendTraining(const std::vector<storage::SeriesPoint>& points) {
  for (const storage::SeriesPoint& point : points) {
    m_raw.push_back(point);
    storage::SeriesPoint smooth = point;
    smooth.value = m_smoothing.add(point.value);
    m_smoothed.push_back(smooth);
  }
  m_dirty = m_dirty || !points.empty();
}

void MetricChart::appendValidation(const std::vector<storage::SeriesPoint>& points) {
  m_validation.insert(m_validation.end(), points.begin(), points.end());
  m_dirty = m_dirty || !points.empty();
}

void MetricChart::setBestEpoch(int epoch) {
  m_dirty = m_dirty || epoch != m_bestEpoch;
  m_bestEpoch = epoch;
}

void MetricChart::setStepsPerEpoch(double steps) {
  m_dirty = m_dirty || steps != m_stepsPerEpoch;
  m_stepsPerEpoch = steps;
}

void MetricChart::setXAxis(ChartXAxis axis) {
  if (axis == m_xAxis) return;
  m_xAxis = axis;
  rebuildAxes();
  m_dirty = true;
  refresh();
}

void MetricChart::setLogScale(bool on) {
  if (on == m_logScale) return;
  m_logScale = on;
  rebuildAxes();
  m_dirty = true;
  refresh();
}

double MetricChart::xOf(const storage::SeriesPoint& point) const {
  switch (m_xAxis) {
    case ChartXAxis::Epoch:
      return m_stepsPerEpoch > 0 ? point.step / m_stepsPerEpoch : point.epoch;
    case ChartXAxis::WallTime:
      return point.wallTime;
    case ChartXAxis::Step:
      break;
  }
  return static_cast<double>(point.step);
}

size_t MetricChart::pointBudget() const {
  return std::max(kMinimumBudget, static_cast<size_t>(kPointsPerPixel * std::max(width(), 100)));
}

void MetricChart::refresh() {
  if (!m_dirty) return;
  m_dirty = false;
  double minX = std::numeric_limits<double>::infinity(), maxX = -minX;
  double minY = minX, maxY = -minX;
  auto toPoints = [&](const std::vector<storage::SeriesPoint>& points) {
    QList<QPointF> out;
    out.reserve(static_cast<qsizetype>(points.size()));
    for (const storage::SeriesPoint& point : points) {
      if (!drawable(point.value, m_logScale)) continue;
      const double x = xOf(point);
      out.append(QPointF(x, point.value));
      minX = std::min(minX, x);
      maxX = std::max(maxX, x);
      minY = std::min(minY, point.value);
      maxY = std::max(maxY, point.value);
    }
    return out;
  };
  const auto valueOf = [](const storage::SeriesPoint& point) { return point.value; };
  m_drawnRaw = series::decimatePoints(m_raw, pointBudget(), valueOf);
  m_rawSeries->replace(toPoints(m_drawnRaw));
  m_smoothSeries->replace(toPoints(series::decimatePoints(m_smoothed, pointBudget(), valueOf)));
  const QList<QPointF> validation = toPoints(m_validation);
  m_valSeries->replace(validation);
  m_valPoints->replace(validation);
  QList<QPointF> best;
  for (const storage::SeriesPoint& point : m_validation) {
    if (point.epoch == m_bestEpoch && drawable(point.value, m_logScale))
      best.append(QPointF(xOf(point), point.value));
  }
  m_bestSeries->replace(best);
  m_bestSeries->setName(m_bestEpoch > 0 ? tr("best: %1").arg(m_bestEpoch) : tr("best"));

  if (!std::isfinite(minX)) {  // nothing to draw yet: a plain, empty frame
    setNiceRange(static_cast<QValueAxis*>(m_axisX), 0, m_xAxis == ChartXAxis::Step ? 100 : 1);
    if (m_logScale) {
      m_axisY->setRange(0.01, 1);
    } else {
      setNiceRange(static_cast<QValueAxis*>(m_axisY), 0, 1);
    }
    return;
  }
  if (maxX <= minX) maxX = minX + 1;
  if (m_logScale) {
    m_axisY->setRange(minY / 1.2, maxY * 1.2);
  } else {
    // A first point (or a flat line) gets a readable span around it, not a sliver of 1e-6 with
    // ticks labelled to the sixth decimal.
    const double floor = std::max(std::abs(maxY) * 0.05, 0.01);
    const double pad = std::max((maxY - minY) * 0.06, floor);
    setNiceRange(static_cast<QValueAxis*>(m_axisY), minY - pad, maxY + pad);
  }
  setNiceRange(static_cast<QValueAxis*>(m_axisX), minX, maxX);
}

void MetricChart::rebuildAxes() {
  QChart* chart = this->chart();
  for (QAbstractAxis* axis : chart->axes()) {
    chart->removeAxis(axis);
    delete axis;
  }
  auto* x = new QValueAxis();
  x->setTitleText(m_xAxis == ChartXAxis::Step    ? tr("step")
                  : m_xAxis == ChartXAxis::Epoch ? tr("epoch")
                                                 : tr("seconds"));
  x->setLabelFormat(m_xAxis == ChartXAxis::Step ? QStringLiteral("%.0f") : QStringLiteral("%.1f"));
  QAbstractAxis* y = nullptr;
  if (m_logScale) {
    auto* log = new QLogValueAxis();
    log->setBase(10);
    log->setLabelFormat(QStringLiteral("%.3g"));
    log->setMinorTickCount(-1);
    y = log;
  } else {
    auto* linear = new QValueAxis();
    linear->setLabelFormat(QStringLiteral("%.3g"));
    y = linear;
  }
  y->setTitleText(m_title.toLower());
  const QPalette& pal = palette();
  for (QAbstractAxis* axis : {static_cast<QAbstractAxis*>(x), y}) {
    axis->setLabelsBrush(pal.text());
    axis->setTitleBrush(pal.text());
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(40);
    axis->setGridLineColor(grid);
  }
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* series : chart->series()) {
    series->attachAxis(x);
    series->attachAxis(y);
  }
  m_axisX = x;
  m_axisY = y;
}

void MetricChart::showTooltip(const QPointF& point, bool state, const QString& series) {
  if (!state) {
    QToolTip::hideText();
    return;
  }
  const QString x = m_xAxis == ChartXAxis::Step    ? tr("step %1").arg(point.x(), 0, 'f', 0)
                    : m_xAxis == ChartXAxis::Epoch ? tr("epoch %1").arg(point.x(), 0, 'f', 2)
                                                   : tr("%1 s").arg(point.x(), 0, 'f', 1);
  QToolTip::showText(
      QCursor::pos(),
      tr("%1 %2\n%3: %4").arg(series, m_title.toLower(), x).arg(point.y(), 0, 'g', 5), this);
}

}  // namespace layerlab::ui
