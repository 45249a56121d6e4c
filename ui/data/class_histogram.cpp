#include "ui/data/class_histogram.h"

#include <QPainter>

#include <algorithm>

#include "engine/model/model_summary.h"

namespace layerlab::ui {

namespace {
constexpr int kEmptyHeight = 120;
}  // namespace

ClassHistogram::ClassHistogram(QWidget* parent) : QWidget(parent) {
  setFixedHeight(kEmptyHeight);
}

void ClassHistogram::setCounts(const QStringList& names, const std::vector<int64_t>& counts) {
  m_names = names;
  m_counts = counts;
  setFixedHeight(counts.empty() ? kEmptyHeight : kRowHeight * static_cast<int>(counts.size()) + 8);
  update();
}

void ClassHistogram::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const QPalette& pal = palette();
  if (m_counts.empty()) {
    painter.setPen(pal.color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                     tr("The balance of classes shows here for classification data."));
    return;
  }
  const int64_t top = *std::max_element(m_counts.begin(), m_counts.end());
  const int nameWidth = 96, countWidth = 56;
  const int barRoom = std::max(20, width() - nameWidth - countWidth - 12);
  for (size_t i = 0; i < m_counts.size(); ++i) {
    const int y = 4 + static_cast<int>(i) * kRowHeight;
    painter.setPen(pal.color(QPalette::Text));
    painter.drawText(QRect(0, y, nameWidth - 6, kRowHeight), Qt::AlignRight | Qt::AlignVCenter,
                     fontMetrics().elidedText(m_names.value(static_cast<int>(i)), Qt::ElideRight,
                                              nameWidth - 8));
    const int bar = top > 0 ? static_cast<int>(barRoom * m_counts[i] / top) : 0;
    painter.fillRect(QRect(nameWidth, y + 3, std::max(1, bar), kRowHeight - 6),
                     pal.color(QPalette::Highlight));
    painter.drawText(QRect(nameWidth + bar + 4, y, countWidth + 40, kRowHeight),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     QString::fromStdString(engine::formatThousands(m_counts[i])));
  }
}

}  // namespace layerlab::ui
