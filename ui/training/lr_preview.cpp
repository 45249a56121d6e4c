#include "ui/training/lr_preview.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

#include "engine/train/lr_schedule.h"

namespace layerlab::ui {
namespace {

constexpr int kSamples = 200;

}  // namespace

LrPreview::LrPreview(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(52);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void LrPreview::setSchedule(const engine::TrainConfig& config, int64_t stepsPerEpoch) {
  m_values.clear();
  m_plateau = config.schedule.type == "plateau";
  const int64_t steps = std::max<int64_t>(1, stepsPerEpoch) * std::max(1, config.epochs);
  try {
    const engine::LrSchedule schedule(config.schedule, config.learningRate, config.epochs,
                                      std::max<int64_t>(1, stepsPerEpoch));
    for (int i = 0; i < kSamples; ++i)
      m_values.push_back(schedule.lrForStep(i * (steps - 1) / (kSamples - 1)));
  } catch (const std::exception&) {
    // An invalid form value: nothing to draw until it is fixed.
  }
  setToolTip(m_plateau ? tr("Reduce-on-plateau lowers the rate when the monitored metric stops "
                            "improving; when is known only during the run.")
                       : tr("The learning rate over the run, from %1 at the start.")
                             .arg(config.learningRate, 0, 'g', 3));
  update();
}

void LrPreview::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  const QRectF area = QRectF(rect()).adjusted(4, 4, -4, -14);
  painter.fillRect(rect(), pal.base());
  painter.setPen(QPen(pal.color(QPalette::Mid), 1));
  painter.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
  if (m_values.empty()) return;
  const double top = *std::max_element(m_values.begin(), m_values.end());
  QPainterPath path;
  for (size_t i = 0; i < m_values.size(); ++i) {
    const double x = area.left() + area.width() * i / (m_values.size() - 1);
    const double y = area.bottom() - (top > 0 ? area.height() * m_values[i] / top : 0);
    if (i == 0) {
      path.moveTo(x, y);
    } else {
      path.lineTo(x, y);
    }
  }
  painter.setPen(QPen(pal.color(QPalette::Highlight), 2));
  painter.drawPath(path);
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.8);
  painter.setFont(small);
  painter.setPen(pal.color(QPalette::PlaceholderText));
  painter.drawText(QRectF(4, height() - 14, width() - 8, 13), Qt::AlignLeft | Qt::AlignVCenter,
                   m_plateau ? tr("lr (drops on plateaus)") : tr("lr over the run"));
  painter.drawText(QRectF(4, height() - 14, width() - 8, 13), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(top, 'g', 3));
}

}  // namespace layerlab::ui
