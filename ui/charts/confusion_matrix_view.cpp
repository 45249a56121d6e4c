#include "ui/charts/confusion_matrix_view.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace layerlab::ui {
namespace {

constexpr double kHeaderHeight = 22;
constexpr double kMaxCell = 56;
constexpr double kMinCell = 18;
constexpr double kCaptionHeight = 20;  // the "rows: true class" line under the grid
constexpr double kCountCell = 20;      // the smallest cell whose count is written in it

QColor heat(double share, const QPalette& pal) {
  // From the base colour to a strong blue as the share of the row grows.
  const QColor base = pal.color(QPalette::Base);
  const QColor hot(31, 119, 180);
  auto mix = [share](int a, int b) { return static_cast<int>(a + (b - a) * share); };
  return QColor(mix(base.red(), hot.red()), mix(base.green(), hot.green()),
                mix(base.blue(), hot.blue()));
}

// The index of a cell in the row-major counts.
size_t cellIndex(int truth, int predicted, int n) {
  return static_cast<size_t>(truth) * static_cast<size_t>(n) + static_cast<size_t>(predicted);
}

}  // namespace

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionMatrixView::setMatrix(const storage::ConfusionMatrix& matrix) {
  m_matrix = matrix;
  updateGeometry();
  update();
}

void ConfusionMatrixView::clear() {
  setMatrix({});
}

int ConfusionMatrixView::classCount() const {
  const auto n = static_cast<int>(m_matrix.labels.size());
  return static_cast<size_t>(n) * n == m_matrix.counts.size() ? n : 0;
}

double ConfusionMatrixView::labelWidth() const {
  const QFontMetrics metrics(font());
  double widest = 40;
  for (int i = 0; i < classCount(); ++i)
    widest = std::max<double>(widest, metrics.horizontalAdvance(rowLabel(i, true)) + 14);
  return std::min(widest, kMaxLabelWidth);
}

QString ConfusionMatrixView::rowLabel(int index, bool numbered) const {
  const QString name = QString::fromStdString(m_matrix.labels[static_cast<size_t>(index)]);
  return numbered ? QStringLiteral("%1  %2").arg(index + 1).arg(name) : name;
}

QSize ConfusionMatrixView::sizeHint() const {
  const int n = std::max(classCount(), 1);
  return QSize(static_cast<int>(labelWidth() + n * 40 + 8),
               static_cast<int>(kHeaderHeight + n * 40 + kCaptionHeight));
}

QSize ConfusionMatrixView::minimumSizeHint() const {
  const int n = std::max(classCount(), 1);
  return QSize(static_cast<int>(labelWidth() + n * kMinCell),
               static_cast<int>(kHeaderHeight + n * kMinCell + kCaptionHeight));
}

ConfusionMatrixView::Layout ConfusionMatrixView::layout() const {
  const int n = classCount();
  Layout g;
  if (n == 0) return g;
  g.labelWidth = labelWidth();
  const double room =
      std::min(width() - g.labelWidth - 4, height() - kHeaderHeight - kCaptionHeight);
  g.cell = std::clamp(room / n, kMinCell, kMaxCell);
  g.grid = QRectF(g.labelWidth, kHeaderHeight, g.cell * n, g.cell * n);
  const QFontMetrics metrics(font());
  for (int i = 0; i < n; ++i) {
    if (metrics.horizontalAdvance(rowLabel(i, false)) > g.cell - 4) g.numberedColumns = true;
  }
  g.countsShown = g.cell >= kCountCell;
  g.caption = QRectF(0, g.grid.bottom() + 2, width(), kCaptionHeight - 2);
  return g;
}

void ConfusionMatrixView::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  const int n = classCount();
  if (n == 0) {
    painter.setPen(pal.color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                     tr("The confusion matrix of the test part appears here when a "
                        "classification run completes."));
    return;
  }
  const Layout g = layout();
  // Counts in a font that fits the cell; labels in the widget's own font, never shrunk.
  QFont counts = font();
  counts.setPixelSize(std::clamp(static_cast<int>(g.cell * 0.42), 9, 14));
  for (int truth = 0; truth < n; ++truth) {
    int64_t rowTotal = 0;
    for (int p = 0; p < n; ++p)
      rowTotal += m_matrix.counts[cellIndex(truth, p, n)];
    painter.setFont(counts);
    for (int predicted = 0; predicted < n; ++predicted) {
      const int64_t count = m_matrix.counts[cellIndex(truth, predicted, n)];
      const double share = rowTotal > 0 ? static_cast<double>(count) / rowTotal : 0.0;
      const QRectF cell(g.grid.left() + predicted * g.cell, g.grid.top() + truth * g.cell, g.cell,
                        g.cell);
      painter.fillRect(cell, heat(share, pal));
      painter.setPen(share > 0.5 ? QColor(Qt::white) : pal.color(QPalette::Text));
      if (g.countsShown) painter.drawText(cell, Qt::AlignCenter, QString::number(count));
    }
    painter.setFont(font());
    const QRectF label(0, g.grid.top() + truth * g.cell, g.labelWidth - 6, g.cell);
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(
        label, Qt::AlignRight | Qt::AlignVCenter,
        painter.fontMetrics().elidedText(rowLabel(truth, g.numberedColumns), Qt::ElideMiddle,
                                         static_cast<int>(g.labelWidth - 8)));
  }
  // Predicted classes along the top: by name when the names fit, else by number (the rows say
  // which number is which, and the tooltip names them).
  painter.setPen(pal.color(QPalette::Text));
  for (int predicted = 0; predicted < n; ++predicted) {
    const QRectF header(g.grid.left() + predicted * g.cell, 0, g.cell, kHeaderHeight);
    painter.drawText(
        header, Qt::AlignCenter,
        g.numberedColumns ? QString::number(predicted + 1) : rowLabel(predicted, false));
  }
  painter.setPen(QPen(pal.color(QPalette::Mid), 1));
  painter.drawRect(g.grid);
  painter.setPen(pal.color(QPalette::WindowText));
  painter.drawText(
      g.caption, Qt::AlignLeft | Qt::AlignVCenter,
      painter.fontMetrics().elidedText(tr("rows: true class · columns: predicted"), Qt::ElideRight,
                                       static_cast<int>(g.caption.width())));
}

bool ConfusionMatrixView::event(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  auto* help = static_cast<QHelpEvent*>(event);
  const int n = classCount();
  const Layout g = layout();
  if (n > 0 && g.grid.contains(help->pos())) {
    const int predicted = static_cast<int>((help->pos().x() - g.grid.left()) / g.cell);
    const int truth = static_cast<int>((help->pos().y() - g.grid.top()) / g.cell);
    if (predicted < n && truth < n) {
      QToolTip::showText(help->globalPos(),
                         tr("%1 samples of %2 predicted as %3")
                             .arg(m_matrix.counts[cellIndex(truth, predicted, n)])
                             .arg(QString::fromStdString(m_matrix.labels[truth]),
                                  QString::fromStdString(m_matrix.labels[predicted])),
                         this);
      return true;
    }
  }
  QToolTip::hideText();
  event->ignore();
  return true;
}

}  // namespace layerlab::ui
