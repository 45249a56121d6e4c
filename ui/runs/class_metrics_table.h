// A run's test results per class: precision, recall, F1 and support, one row per class, read from
// the stored test confusion matrix with the engine's own definitions
// (engine::classificationReport), so the numbers match the macro averages the run stored.
//
// Threads: GUI thread only.
#pragma once

#include <QTableWidget>

#include "storage/run_types.h"

namespace layerlab::ui {

class ClassMetricsTable : public QTableWidget {
  Q_OBJECT

 public:
  enum Column { ClassColumn, PrecisionColumn, RecallColumn, F1Column, SupportColumn };

  explicit ClassMetricsTable(QWidget* parent = nullptr);

  // One row per class of `matrix`; an undefined value (a class never predicted) shows as "—".
  void showMatrix(const storage::ConfusionMatrix& matrix);
  void clearRows();
};

}  // namespace layerlab::ui
