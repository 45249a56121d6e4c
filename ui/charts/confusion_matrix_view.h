// A confusion matrix as a heat map: one row per true class, one column per predicted class, each
// cell coloured by the share of its row (so rare classes read as clearly as common ones) and
// labelled with its count. Class names label the rows, in a column as wide as the longest name
// (up to kMaxLabelWidth); the columns carry the names when they fit and the classes' numbers
// otherwise. Hovering a cell says what it counts.
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

  // Where the parts are drawn at the widget's current size.
  struct Layout {
    QRectF grid;
    double cell = 0;
    double labelWidth = 0;
    bool numberedColumns = false;  // the column headers are class numbers, not names
    bool countsShown = false;      // each cell shows its count
    QRectF caption;                // the "rows: true class" line
  };
  Layout layout() const;
  static constexpr double kMaxLabelWidth = 170;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;

 private:
  int classCount() const;
  double labelWidth() const;
  QString rowLabel(int index, bool numbered) const;

  storage::ConfusionMatrix m_matrix;
};

}  // namespace layerlab::ui
