#include "ui/runs/run_format.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QPainter>
#include <QPixmap>

#include <cmath>

#include "series/duration.h"

namespace layerlab::ui {
namespace {

using storage::RunStatus;

QString tr(const char* text) {
  return QCoreApplication::translate("RunFormat", text);
}

QIcon paintDot(const QColor& color) {
  // Drawn at twice the size so it stays crisp on high-DPI screens; QIcon scales it down.
  constexpr int kSize = 32;
  QPixmap pixmap(kSize, kSize);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(Qt::NoPen);
  painter.setBrush(color);
  painter.drawEllipse(QRectF(5, 5, kSize - 10, kSize - 10));
  return QIcon(pixmap);
}

}  // namespace

QString missingValueText() {
  return QStringLiteral("\u2014");
}

QString runLabel(const storage::RunSummary& run) {
  return QStringLiteral("%1 %2").arg(run.id).arg(QString::fromStdString(run.name));
}

QString runStatusText(RunStatus status) {
  switch (status) {
    case RunStatus::Queued:
      return tr("Queued");
    case RunStatus::Running:
      return tr("Running");
    case RunStatus::Completed:
      return tr("Completed");
    case RunStatus::Failed:
      return tr("Failed");
    case RunStatus::Cancelled:
      return tr("Cancelled");
    case RunStatus::Interrupted:
      return tr("Interrupted");
  }
  return {};
}

QColor runStatusColor(RunStatus status) {
  switch (status) {
    case RunStatus::Queued:
      return QColor(0x78, 0x86, 0x9a);
    case RunStatus::Running:
      return QColor(0x1e, 0x7b, 0xd8);
    case RunStatus::Completed:
      return QColor(0x2e, 0x9a, 0x4c);
    case RunStatus::Failed:
      return QColor(0xd6, 0x3a, 0x3a);
    case RunStatus::Cancelled:
      return QColor(0x8a, 0x8a, 0x8a);
    case RunStatus::Interrupted:
      return QColor(0xe0, 0x8a, 0x1e);
  }
  return {};
}

QIcon runStatusIcon(RunStatus status) {
  return paintDot(runStatusColor(status));
}

QString formatStartTime(double unixSeconds) {
  if (!(unixSeconds > 0.0)) return missingValueText();
  const auto msecs = static_cast<qint64>(std::llround(unixSeconds * 1000.0));
  return QDateTime::fromMSecsSinceEpoch(msecs).toLocalTime().toString(
      QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString formatDuration(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0.0) return missingValueText();
  return QString::fromStdString(series::formatDuration(*seconds));
}

std::optional<double> runDuration(const storage::RunSummary& run, double nowSeconds) {
  if (!(run.startedAt > 0.0)) return std::nullopt;
  // Time spent waiting in a pause is not training time.
  if (run.finishedAt > 0.0) return run.finishedAt - run.startedAt - run.pausedSeconds;
  if (run.status != RunStatus::Running) return std::nullopt;
  const double until = run.pausedAt ? *run.pausedAt : nowSeconds;
  return until - run.startedAt - run.pausedSeconds;
}

bool isPaused(const storage::RunSummary& run) {
  return run.status == RunStatus::Running && run.pausedAt.has_value();
}

QString runStateText(const storage::RunSummary& run) {
  return isPaused(run) ? tr("Paused") : runStatusText(run.status);
}

QString formatPercent(std::optional<double> fraction) {
  if (!fraction) return missingValueText();
  if (std::isnan(*fraction)) return QStringLiteral("NaN");
  return QStringLiteral("%1%").arg(*fraction * 100.0, 0, 'f', 2);
}

QString formatLoss(std::optional<double> loss) {
  if (!loss) return missingValueText();
  if (std::isnan(*loss)) return QStringLiteral("NaN");
  return QString::number(*loss, 'f', 4);
}

}  // namespace layerlab::ui
