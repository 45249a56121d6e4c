#include "ui/runs/compare_chart.h"

#include <QGraphicsItem>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QtCharts/QChart>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <cmath>
#include <numbers>
#include <utility>

namespace layerlab::ui {

// Draws the lines of CompareChart over its plot area, mapping data to pixels with the ranges of
// the chart's axes.
class CompareLines : public QGraphicsItem {
 public:
  CompareLines(QChart* chart, const std::vector<CompareChart::Line>& lines)
      : QGraphicsItem(chart), m_chart(chart), m_lines(lines) {
    setZValue(5);  // above the grid and the axes' lines, which it stays inside of
    const double outer = 7.5, inner = 3.2;
    for (int i = 0; i < 10; ++i) {
      const double angle = -std::numbers::pi / 2 + i * std::numbers::pi / 5;
      const double radius = i % 2 == 0 ? outer : inner;
      const QPointF at(radius * std::cos(angle), radius * std::sin(angle));
      if (i == 0)
        m_star.moveTo(at);
      else
        m_star.lineTo(at);
    }
    m_star.closeSubpath();
  }

  // The ranges the data maps from, and whether y is logarithmic.
  void setRanges(double xMin, double xMax, double yMin, double yMax, bool logY) {
    m_xMin = xMin;
    m_xMax = xMax;
    m_logY = logY;
    m_yMin = logY ? std::log10(yMin) : yMin;
    m_yMax = logY ? std::log10(yMax) : yMax;
    update();
  }

  // The plot area moved or changed size.
  void areaChanged() {
    prepareGeometryChange();
    m_area = m_chart->plotArea();
  }

  QRectF boundingRect() const override { return m_area.adjusted(-8, -8, 8, 8); }

  void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override {
    if (m_lines.empty() || !(m_xMax > m_xMin) || !(m_yMax > m_yMin)) return;
    painter->setClipRect(m_area);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setBrush(Qt::NoBrush);
    // The faint values under every strong line, then the strong lines, then the stars on top.
    // One-pixel pens take the rasteriser's fast path; a wider pen is stroked into a polygon first,
    // which for 20 lines of a few thousand points took 0.4 s. The strong lines are therefore one
    // pixel drawn three times, shifted right and down by most of a pixel: about two pixels wide
    // in every direction, for a tenth of the time.
    for (const CompareChart::Line& line : m_lines) {
      if (line.faint.isEmpty()) continue;
      QColor faint = line.colour;
      faint.setAlpha(55);
      painter->setPen(hairline(faint));
      painter->drawPolyline(mapped(line.faint));
    }
    for (const CompareChart::Line& line : m_lines) {
      if (line.strong.isEmpty()) continue;
      painter->setPen(hairline(line.colour));
      const QPolygonF points = mapped(line.strong);
      painter->drawPolyline(points);
      painter->drawPolyline(points.translated(0.8, 0));
      painter->drawPolyline(points.translated(0, 0.8));
    }
    painter->setClipping(false);
    for (const CompareChart::Line& line : m_lines) {
      if (!line.best || (m_logY && line.best->y() <= 0)) continue;
      const QPointF at = map(*line.best);
      if (!m_area.contains(at)) continue;
      painter->setPen(QPen(line.colour.darker(140), 1.0));
      painter->setBrush(line.colour);
      painter->drawPath(m_star.translated(at));
    }
  }

 private:
  static QPen hairline(const QColor& colour) {
    QPen pen(colour, 1.0);
    pen.setCosmetic(true);
    return pen;
  }

  QPointF map(const QPointF& value) const {
    const double y = m_logY ? std::log10(value.y()) : value.y();
    return {m_area.left() + (value.x() - m_xMin) / (m_xMax - m_xMin) * m_area.width(),
            m_area.bottom() - (y - m_yMin) / (m_yMax - m_yMin) * m_area.height()};
  }

  QPolygonF mapped(const QList<QPointF>& values) const {
    QPolygonF points;
    points.reserve(values.size());
    for (const QPointF& value : values)
      points.append(map(value));
    return points;
  }

  QChart* m_chart;
  const std::vector<CompareChart::Line>& m_lines;
  QRectF m_area;
  QPainterPath m_star;
  double m_xMin = 0, m_xMax = 1, m_yMin = 0, m_yMax = 1;
  bool m_logY = false;
};

CompareChart::CompareChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  setMouseTracking(true);
  QChart* chart = this->chart();
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  setMinimumHeight(260);
  m_axisX = new QValueAxis(chart);
  m_axisLinear = new QValueAxis(chart);
  m_axisLog = new QLogValueAxis(chart);
  m_axisLog->setBase(10);
  m_axisLog->setLabelFormat(QStringLiteral("%g"));
  // Both y axes stay in the chart and only the one in use is shown: an axis removed from a chart
  // without series kept its labels drawn.
  chart->addAxis(m_axisX, Qt::AlignBottom);
  chart->addAxis(m_axisLinear, Qt::AlignLeft);
  chart->addAxis(m_axisLog, Qt::AlignLeft);
  m_axisLog->hide();
  m_item = new CompareLines(chart, m_lines);
  connect(chart, &QChart::plotAreaChanged, this, [this] { m_item->areaChanged(); });
}

void CompareChart::setAxes(const Axes& axes) {
  QAbstractAxis* axisY = axes.logY ? static_cast<QAbstractAxis*>(m_axisLog) : m_axisLinear;
  QAbstractAxis* unused = axes.logY ? static_cast<QAbstractAxis*>(m_axisLinear) : m_axisLog;
  unused->hide();
  axisY->show();
  m_axisX->setRange(axes.xMin, axes.xMax);
  m_axisX->applyNiceNumbers();
  m_axisX->setTitleText(axes.xTitle);
  m_axisX->setLabelFormat(axes.xFractional ? QStringLiteral("%.1f") : QStringLiteral("%g"));
  double yMin = 0, yMax = 1;
  if (axes.logY) {
    m_axisLog->setRange(axes.yMin * 0.9, axes.yMax * 1.1);
    yMin = m_axisLog->min();
    yMax = m_axisLog->max();
  } else {
    const double pad = (axes.yMax - axes.yMin) * 0.04;
    m_axisLinear->setRange(axes.yMin - pad, axes.yMax + pad);
    m_axisLinear->applyNiceNumbers();
    yMin = m_axisLinear->min();
    yMax = m_axisLinear->max();
  }
  axisY->setTitleText(axes.yTitle);
  m_item->areaChanged();
  m_item->setRanges(m_axisX->min(), m_axisX->max(), yMin, yMax, axes.logY);
}

void CompareChart::setLines(std::vector<Line> lines, const QString& message) {
  m_lines = std::move(lines);
  chart()->setTitle(message);
  m_item->update();
}

QString CompareChart::message() const {
  return chart()->title();
}

int CompareChart::plotColumns() const {
  return static_cast<int>(chart()->plotArea().width());
}

std::optional<double> CompareChart::xAt(const QPointF& viewPoint) const {
  const QPointF inChart = chart()->mapFromScene(mapToScene(viewPoint.toPoint()));
  const QRectF area = chart()->plotArea();
  if (!area.contains(inChart) || area.width() <= 0) return std::nullopt;
  return m_axisX->min() +
         (inChart.x() - area.left()) / area.width() * (m_axisX->max() - m_axisX->min());
}

void CompareChart::mouseMoveEvent(QMouseEvent* event) {
  QChartView::mouseMoveEvent(event);
  if (!onHover || m_lines.empty()) return;
  if (const std::optional<double> x = xAt(event->position())) onHover(*x);
}

void CompareChart::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  if (onResize) onResize();
}

}  // namespace layerlab::ui
