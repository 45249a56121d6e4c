// The Experiments place's plots of the selected experiment, in tabs: every trial's objective
// curve per epoch (stopped-early trials dashed and grey, ending where they stopped), the objective
// against one chosen parameter (log axis for log-scaled ranges), and each parameter's importance
// with the method named.
//
// Threads: GUI thread only. setSnapshot redraws only what changed.
#pragma once

#include <QImage>
#include <QWidget>

#include <map>
#include <utility>
#include <vector>

#include "ui/experiments/experiment_snapshot.h"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QTabWidget;

namespace layerlab::ui {

class ExperimentCharts : public QWidget {
  Q_OBJECT

 public:
  explicit ExperimentCharts(QWidget* parent = nullptr);

  void setSnapshot(const ExperimentSnapshot& snapshot);
  // Every plot as a picture, with its tab's title (for the report).
  std::vector<std::pair<QString, QImage>> grabPlots();

  // For tests and the report: the charts by their tab's title.
  QTabWidget* tabs() const { return m_tabs; }
  QChart* curvesChart() const;
  QChart* scatterChart() const;
  QChart* importanceChart() const;
  QComboBox* parameterBox() const { return m_parameter; }

 private:
  QWidget* buildScatterTab();
  QWidget* buildImportanceTab();
  void drawCurves();
  void drawScatter();
  void drawImportance();

  ExperimentSnapshot m_snapshot;
  QTabWidget* m_tabs = nullptr;
  QChartView* m_curves = nullptr;
  QChartView* m_scatter = nullptr;
  QChartView* m_importance = nullptr;
  QComboBox* m_parameter = nullptr;
  QLabel* m_importanceNote = nullptr;
  int64_t m_shownId = 0;
  std::map<int, QLineSeries*> m_curveSeries;  // by trial number
};

}  // namespace layerlab::ui
