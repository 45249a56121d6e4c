// A run's results on its test part: the final metrics as a table (test_loss, test_accuracy,
// test_f1_macro, … or test_mse, test_r2 for regression) beside the confusion matrix heat map.
// Used by the Train place when a run ends and by a run's detail in the Runs place.
//
// Threads: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include <utility>
#include <vector>

#include "storage/run_types.h"

class QTableWidget;

namespace layerlab::ui {

class ConfusionMatrixView;

class TestResultsView : public QWidget {
  Q_OBJECT

 public:
  explicit TestResultsView(QWidget* parent = nullptr);

  void setMetrics(const std::vector<std::pair<QString, double>>& metrics);
  void setMatrix(const storage::ConfusionMatrix& matrix);
  void clear();

  QTableWidget* metricsTable() const { return m_table; }
  ConfusionMatrixView* confusionView() const { return m_confusion; }

 private:
  QTableWidget* m_table = nullptr;
  ConfusionMatrixView* m_confusion = nullptr;
};

}  // namespace layerlab::ui
