#include "ui/experiments/experiment_report.h"

#include <QAbstractItemModel>
#include <QBuffer>
#include <QByteArray>

namespace layerlab::ui {
namespace {

QString imageTag(const QImage& image) {
  QByteArray png;
  QBuffer buffer(&png);
  buffer.open(QIODevice::WriteOnly);
  image.save(&buffer, "PNG");
  return QStringLiteral("<img alt=\"plot\" src=\"data:image/png;base64,%1\">")
      .arg(QString::fromLatin1(png.toBase64()));
}

QString tableHtml(const QAbstractItemModel& model) {
  QString html = QStringLiteral("<table>\n<tr>");
  for (int column = 0; column < model.columnCount(); ++column)
    html += QStringLiteral("<th>%1</th>")
                .arg(model.headerData(column, Qt::Horizontal).toString().toHtmlEscaped());
  html += QStringLiteral("</tr>\n");
  for (int row = 0; row < model.rowCount(); ++row) {
    html += QStringLiteral("<tr>");
    for (int column = 0; column < model.columnCount(); ++column) {
      const QModelIndex index = model.index(row, column);
      const QString tip = index.data(Qt::ToolTipRole).toString();
      html += QStringLiteral("<td title=\"%1\">%2</td>")
                  .arg(tip.toHtmlEscaped(), index.data().toString().toHtmlEscaped());
    }
    html += QStringLiteral("</tr>\n");
  }
  return html + QStringLiteral("</table>\n");
}

QString definitionHtml(const ExperimentSnapshot& snapshot) {
  if (!snapshot.spec) return {};
  const engine::ExperimentSpec& spec = *snapshot.spec;
  QString html = QStringLiteral(
                     "<p>%1 search, %2 trials, %3 side by side; objective %4; early "
                     "stop: %5.</p>\n<ul>\n")
                     .arg(QString::fromStdString(spec.strategy))
                     .arg(engine::trialBudget(spec))
                     .arg(spec.parallel)
                     .arg(QString::fromStdString(spec.objective.metric),
                          QString::fromStdString(spec.earlyStop.rule));
  for (const engine::ParamDomain& domain : spec.space.params)
    html += QStringLiteral("<li><code>%1</code>: %2</li>\n")
                .arg(QString::fromStdString(domain.key).toHtmlEscaped(),
                     QString::fromStdString(engine::describe(domain)).toHtmlEscaped());
  return html + QStringLiteral("</ul>\n");
}

}  // namespace

QString experimentReportHtml(const ExperimentSnapshot& snapshot, const QAbstractItemModel& trials,
                             const std::vector<std::pair<QString, QImage>>& plots) {
  const QString name = snapshot.selected
                           ? QString::fromStdString(snapshot.selected->name).toHtmlEscaped()
                           : QString();
  QString html = QStringLiteral(
                     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n"
                     "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
                     "collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                     "img{max-width:100%;display:block;margin:1em 0}</style></head><body>\n"
                     "<h1>Experiment: %1</h1>\n")
                     .arg(name);
  html += definitionHtml(snapshot);
  html += QStringLiteral("<h2>Trials</h2>\n") + tableHtml(trials);
  for (const auto& [title, image] : plots)
    html += QStringLiteral("<h2>%1</h2>\n").arg(title.toHtmlEscaped()) + imageTag(image);
  return html + QStringLiteral("<p>Importance: %1.</p>\n</body></html>\n")
                    .arg(QString::fromUtf8(engine::kImportanceMethod).toHtmlEscaped());
}

}  // namespace layerlab::ui
