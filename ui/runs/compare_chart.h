// The chart of the compare view: axes, grid and titles from Qt Charts; the runs' lines and their
// best-epoch stars drawn by one item of the chart's own scene.
//
// Why not a QLineSeries per line: Qt Charts strokes every line series into a hit-test outline on
// each change, which for 40 lines of a few thousand points cost 0.4 s per change of smoothing, axis
// or scale. The item here only maps the given points to pixels and draws them.
//
// Threads: GUI thread only.
#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QtCharts/QChartView>

#include <functional>
#include <optional>
#include <vector>

class QLogValueAxis;
class QValueAxis;

namespace layerlab::ui {

class CompareLines;

class CompareChart : public QChartView {
 public:
  // One run's drawing, in data coordinates: its values faint (empty when not shown), its main
  // line strong, and its best point as a star.
  struct Line {
    QColor colour;
    QList<QPointF> faint;
    QList<QPointF> strong;
    std::optional<QPointF> best;
  };
  struct Axes {
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
    bool logY = false;
    QString xTitle, yTitle;
    bool xFractional = false;  // labels with one decimal (epochs)
  };

  explicit CompareChart(QWidget* parent);

  // The ranges are widened to round numbers on the linear axes.
  void setAxes(const Axes& axes);
  // The lines to draw, and what the chart says over them ("Reading…", why nothing is drawn).
  void setLines(std::vector<Line> lines, const QString& message);
  QString message() const;
  const std::vector<Line>& lines() const { return m_lines; }

  // How many pixel columns the plot area has: the resolution the lines are reduced to.
  int plotColumns() const;
  // The x value under a point of the view, when it is over the plot area.
  std::optional<double> xAt(const QPointF& viewPoint) const;

  std::function<void(double)> onHover;
  std::function<void()> onResize;

 protected:
  void mouseMoveEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  QValueAxis* m_axisX = nullptr;
  QValueAxis* m_axisLinear = nullptr;
  QLogValueAxis* m_axisLog = nullptr;
  CompareLines* m_item = nullptr;
  std::vector<Line> m_lines;
};

}  // namespace layerlab::ui
