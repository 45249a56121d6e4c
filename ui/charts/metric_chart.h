// A live chart of one metric (loss or accuracy) as a run trains or as it was stored: the
// training value per logged batch drawn faint, its smoothed curve drawn strong, the validation
// value per epoch as a line with points, and a marker on the best epoch.
//
// Every point is kept; what is drawn is a reduced copy (series::decimate: the first and last
// point and each stretch's lowest and highest, so no spike disappears) of at most a few points per
// pixel, handed to Qt Charts with replace() in one go. appendTraining()/appendValidation() only
// collect; refresh() redraws, so a burst of samples costs one redraw.
//
// Threads: GUI thread only.
#pragma once

#include <QString>
#include <QtCharts/QChartView>

#include <vector>

#include "series/smoothing.h"
#include "storage/run_types.h"

class QLineSeries;
class QScatterSeries;
class QAbstractAxis;

namespace layerlab::ui {

enum class ChartXAxis { Step, Epoch, WallTime };

class MetricChart : public QChartView {
  Q_OBJECT

 public:
  // Weight of the exponential moving average that smooths the training curve (series::smooth's
  // debiased average, the one Compare draws).
  static constexpr double kSmoothing = 0.9;

  MetricChart(const QString& title, bool higherIsBetter, QWidget* parent = nullptr);

  void clear();
  // Training values per logged batch and validation values per epoch, in step order.
  void appendTraining(const std::vector<storage::SeriesPoint>& points);
  void appendValidation(const std::vector<storage::SeriesPoint>& points);
  void setBestEpoch(int epoch);  // 0: none
  // Optimiser steps per epoch: places points on the epoch axis (step 422 of 844 = epoch 0.5).
  void setStepsPerEpoch(double steps);
  void setXAxis(ChartXAxis axis);
  void setLogScale(bool on);
  // Draws what was appended since the last refresh.
  void refresh();

  // What is drawn now, for tests and tooltips.
  const std::vector<storage::SeriesPoint>& drawnTraining() const { return m_drawnRaw; }
  int trainingPointCount() const { return static_cast<int>(m_raw.size()); }
  int validationPointCount() const { return static_cast<int>(m_validation.size()); }
  bool logScale() const { return m_logScale; }
  ChartXAxis xAxis() const { return m_xAxis; }
  int bestEpoch() const { return m_bestEpoch; }

 private:
  double xOf(const storage::SeriesPoint& point) const;
  void rebuildAxes();
  void showTooltip(const QPointF& point, bool state, const QString& series);
  size_t pointBudget() const;

  QString m_title;
  bool m_higherIsBetter;
  ChartXAxis m_xAxis = ChartXAxis::Step;
  bool m_logScale = false;
  int m_bestEpoch = 0;
  double m_stepsPerEpoch = 0.0;
  bool m_dirty = false;
  series::ExponentialAverage m_smoothing{kSmoothing};
  std::vector<storage::SeriesPoint> m_raw;
  std::vector<storage::SeriesPoint> m_smoothed;
  std::vector<storage::SeriesPoint> m_validation;
  std::vector<storage::SeriesPoint> m_drawnRaw;
  QLineSeries* m_rawSeries = nullptr;
  QLineSeries* m_smoothSeries = nullptr;
  QLineSeries* m_valSeries = nullptr;
  QScatterSeries* m_valPoints = nullptr;
  QScatterSeries* m_bestSeries = nullptr;
  QAbstractAxis* m_axisX = nullptr;
  QAbstractAxis* m_axisY = nullptr;
};

}  // namespace layerlab::ui
