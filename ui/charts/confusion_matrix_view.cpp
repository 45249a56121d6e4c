#include "ui/charts/confusion_matrix_view.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace layerlab::ui {
namespace {

constexpr double kLabelWidth = 96;
constexpr double kHeaderHeight = 22;
constexpr double kMaxCell = 56;
constexpr double kMinCell = 18;
constexpr double kCaptionHeight = 18;  // the "rows: true class" line under the grid

QColor heat(double share, const QPalette& pal) {
  // From the base colour to a strong blue as the share of the row grows.
  const QColor base = pal.color(QPalette::Base);
  const QColor hot(31, 119, 180);
  auto mix = [share](int a, int b) { return static_cast<int>(a + (b - a) * share); };
  return QColor(mix(base.red(), hot.red()), mix(base.green(), hot.green()),
                mix(base.blue(), hot.blue()));
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

QSize ConfusionMatrixView::sizeHint() const {
  const int n = std::max(classCount(), 1);
  return QSize(static_cast<int>(kLabelWidth + n * 40 + 8),
               static_cast<int>(kHeaderHeight + n * 40 + kCaptionHeight));
}

QSize ConfusionMatrixView::minimumSizeHint() const {
  const int n = std::max(classCount(), 1);
  return QSize(static_cast<int>(kLabelWidth + n * kMinCell),
               static_cast<int>(kHeaderHeight + n * kMinCell + kCaptionHeight));
}

ConfusionMatrixView::Geometry ConfusionMatrixView::geometry() const {
  const int n = classCount();
  Geometry g;
  if (n == 0) return g;
  const double room =
      std::min(width() - kLabelWidth - 4, height() - kHeaderHeight - kCaptionHeight);
  g.cell = std::clamp(room / n, kMinCell, kMaxCell);
  g.grid = QRectF(kLabelWidth, kHeaderHeight, g.cell * n, g.cell * n);
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
  const Geometry g = geometry();
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * (g.cell < 30 ? 0.75 : 0.9));
  painter.setFont(small);
  const QFontMetrics metrics(small);
  for (int truth = 0; truth < n; ++truth) {
    int64_t rowTotal = 0;
    for (int p = 0; p < n; ++p)
      rowTotal += m_matrix.counts[static_cast<size_t>(truth * n + p)];
    for (int predicted = 0; predicted < n; ++predicted) {
      const int64_t count = m_matrix.counts[static_cast<size_t>(truth * n + predicted)];
      const double share = rowTotal > 0 ? static_cast<double>(count) / rowTotal : 0.0;
      const QRectF cell(g.grid.left() + predicted * g.cell, g.grid.top() + truth * g.cell, g.cell,
                        g.cell);
      painter.fillRect(cell, heat(share, pal));
      painter.setPen(share > 0.5 ? QColor(Qt::white) : pal.color(QPalette::Text));
      if (g.cell >= 24) painter.drawText(cell, Qt::AlignCenter, QString::number(count));
    }
    const QRectF label(0, g.grid.top() + truth * g.cell, kLabelWidth - 6, g.cell);
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(label, Qt::AlignRight | Qt::AlignVCenter,
                     metrics.elidedText(QString::fromStdString(m_matrix.labels[truth]),
                                        Qt::ElideRight, static_cast<int>(kLabelWidth - 8)));
  }
  // Predicted classes are numbered along the top; the tooltip names them.
  painter.setPen(pal.color(QPalette::Text));
  for (int predicted = 0; predicted < n; ++predicted) {
    const QRectF header(g.grid.left() + predicted * g.cell, 0, g.cell, kHeaderHeight);
    painter.drawText(header, Qt::AlignCenter,
                     metrics.elidedText(QString::fromStdString(m_matrix.labels[predicted]),
                                        Qt::ElideRight, static_cast<int>(g.cell - 2)));
  }
  painter.setPen(QPen(pal.color(QPalette::Mid), 1));
  painter.drawRect(g.grid);
  painter.setPen(pal.color(QPalette::PlaceholderText));
  painter.drawText(QRectF(g.grid.left(), g.grid.bottom() + 2, g.grid.width(), kCaptionHeight - 2),
                   Qt::AlignCenter, tr("rows: true class · columns: predicted"));
}

bool ConfusionMatrixView::event(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  auto* help = static_cast<QHelpEvent*>(event);
  const int n = classCount();
  const Geometry g = geometry();
  if (n > 0 && g.grid.contains(help->pos())) {
    const int predicted = static_cast<int>((help->pos().x() - g.grid.left()) / g.cell);
    const int truth = static_cast<int>((help->pos().y() - g.grid.top()) / g.cell);
    if (predicted < n && truth < n) {
      QToolTip::showText(help->globalPos(),
                         tr("%1 samples of %2 predicted as %3")
                             .arg(m_matrix.counts[static_cast<size_t>(truth * n + predicted)])
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
