// A confusion matrix as a heat map: one row per true class, one column per predicted class, each
// cell coloured by the share of its row (so rare classes read as clearly as common ones) and
// labelled with its count. Class names label the rows and columns; hovering a cell says what it
// counts.
//
// Threads: GUI thread only.
#pragma once

#include <QWidget>

#include "storage/run_types.h"

namespace layerlab::ui {

class ConfusionMatrixView : public QWidget {
  Q_OBJECT

 public:
  explicit ConfusionMatrixView(QWidget* parent = nullptr);

  void setMatrix(const storage::ConfusionMatrix& matrix);
  void clear();
  const storage::ConfusionMatrix& matrix() const { return m_matrix; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  struct Geometry {
    QRectF grid;
    double cell = 0;
  };
  Geometry geometry() const;
  int classCount() const;

  storage::ConfusionMatrix m_matrix;
};

}  // namespace layerlab::ui
