// CompareView's tables and banner: the hyperparameters (all or the differing ones), the
// architecture of each run against the first, the final metrics with best epochs, the confusion
// difference of two runs, and whether the runs trained on the same data. The chart and the
// reading of series are in compare_view.cpp.
#include <QFont>
#include <QHeaderView>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"
#include "engine/model/model_summary.h"
#include "series/metric_direction.h"
#include "storage/run_filter.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_catalog.h"
#include "ui/runs/run_format.h"

namespace layerlab::ui {

namespace {

void addTableRow(QTableWidget& table, const QStringList& cells) {
  const int row = table.rowCount();
  table.insertRow(row);
  for (int column = 0; column < cells.size(); ++column)
    table.setItem(row, column, new QTableWidgetItem(cells[column]));
}

// What differs between a layer of the reference run and the same layer of another run.
QStringList nodeChanges(const engine::NodeSpec& before, const engine::NodeSpec& node) {
  QStringList what;
  if (before.type != node.type)
    what << QObject::tr("type %1 → %2")
                .arg(QString::fromStdString(before.type), QString::fromStdString(node.type));
  std::set<std::string> keys;
  for (const auto& [key, value] : before.params.items())
    keys.insert(key);
  for (const auto& [key, value] : node.params.items())
    keys.insert(key);
  for (const std::string& key : keys) {
    const auto a = before.params.find(key), b = node.params.find(key);
    const std::string from = a == before.params.end() ? "default" : a->dump();
    const std::string to = b == node.params.end() ? "default" : b->dump();
    if (from != to)
      what << QStringLiteral("%1 %2 → %3")
                  .arg(QString::fromStdString(key), QString::fromStdString(from),
                       QString::fromStdString(to));
  }
  if (before.inputs != node.inputs) what << QObject::tr("inputs changed");
  return what;
}

// A run's stored model, or nullopt when its JSON cannot be read.
std::optional<engine::ModelSpec> parseModel(const std::string& json) {
  engine::ModelParseResult parsed = engine::parseModelSpec(json);
  return parsed.spec;
}

// Adds a row to `table` for each layer `model` (the run `name`) adds to, changes in or removes
// from `reference`, and returns how many rows it added.
int addLayerChanges(QTableWidget& table, const QString& name, const engine::ModelSpec& reference,
                    const engine::ModelSpec& model) {
  int changes = 0;
  for (const engine::NodeSpec& node : model.nodes) {
    const engine::NodeSpec* before = reference.findNode(node.id);
    if (before == nullptr) {
      addTableRow(table, {name, CompareView::tr("added"),
                          QStringLiteral("%1 (%2)").arg(QString::fromStdString(node.id),
                                                        QString::fromStdString(node.type))});
      ++changes;
      continue;
    }
    const QStringList what = nodeChanges(*before, node);
    if (!what.isEmpty()) {
      addTableRow(table, {name, CompareView::tr("changed"),
                          QStringLiteral("%1: %2").arg(QString::fromStdString(node.id),
                                                       what.join(QStringLiteral(", ")))});
      ++changes;
    }
  }
  for (const engine::NodeSpec& node : reference.nodes) {
    if (model.findNode(node.id) == nullptr) {
      addTableRow(table, {name, CompareView::tr("removed"),
                          QStringLiteral("%1 (%2)").arg(QString::fromStdString(node.id),
                                                        QString::fromStdString(node.type))});
      ++changes;
    }
  }
  return changes;
}

}  // namespace

QString CompareView::bannerText() const {
  return m_banner->isVisibleTo(this) ? m_banner->text() : QString();
}

QStringList CompareView::parameterKeys() const {
  QStringList keys;
  for (int row = 0; row < m_parameters->rowCount(); ++row)
    keys << m_parameters->item(row, 0)->text();
  return keys;
}

void CompareView::fillParameters() {
  m_parameters->clear();
  m_parameters->setColumnCount(static_cast<int>(m_runs.size()) + 1);
  QStringList headers{tr("Parameter")};
  for (const Run& run : m_runs)
    headers << runLabel(run.detail.summary);
  m_parameters->setHorizontalHeaderLabels(headers);
  m_parameters->setRowCount(static_cast<int>(m_params.size()));
  for (size_t row = 0; row < m_params.size(); ++row) {
    const storage::ParamDiffRow& param = m_params[row];
    m_parameters->setItem(static_cast<int>(row), 0,
                          new QTableWidgetItem(QString::fromStdString(param.key)));
    std::set<std::string> distinct;
    for (const auto& value : param.values)
      distinct.insert(value ? value->toString() : std::string("\x01"));
    for (size_t c = 0; c < param.values.size(); ++c) {
      const auto& value = param.values[c];
      auto* item = new QTableWidgetItem(value ? QString::fromStdString(value->toString())
                                              : missingValueText());
      if (distinct.size() > 1) {
        item->setForeground(runColour(c).darker(130));
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
      }
      m_parameters->setItem(static_cast<int>(row), static_cast<int>(c) + 1, item);
    }
  }
  m_parameters->resizeColumnsToContents();
}

void CompareView::fillArchitecture() {
  m_architecture->clear();
  m_architecture->setColumnCount(3);
  m_architecture->setHorizontalHeaderLabels({tr("Run"), tr("Change"), tr("Detail")});
  m_architecture->setRowCount(0);
  if (m_runs.empty()) return;
  const std::optional<engine::ModelSpec> reference = parseModel(m_runs.front().detail.modelJson);
  const int64_t referenceParams = reference ? engine::analyzeModel(*reference).totalParams : 0;
  const QString referenceName = runLabel(m_runs.front().detail.summary);
  const QString referenceDetail =
      reference ? tr("%1 layers · %2 parameters")
                      .arg(reference->nodes.size())
                      .arg(QString::fromStdString(engine::formatThousands(referenceParams)))
                : tr("its model cannot be read");
  addTableRow(*m_architecture, {referenceName, tr("reference"), referenceDetail});
  for (size_t r = 1; r < m_runs.size(); ++r) {
    const QString name = runLabel(m_runs[r].detail.summary);
    const std::optional<engine::ModelSpec> model = parseModel(m_runs[r].detail.modelJson);
    if (!model || !reference) {
      addTableRow(*m_architecture, {name, tr("unknown"), tr("a model cannot be read")});
      continue;
    }
    const int changes = addLayerChanges(*m_architecture, name, *reference, *model);
    const int64_t params = engine::analyzeModel(*model).totalParams;
    const int64_t delta = params - referenceParams;
    addTableRow(*m_architecture,
                {name, changes == 0 ? tr("same layers") : tr("parameters"),
                 tr("%1 parameters (%2%3)")
                     .arg(QString::fromStdString(engine::formatThousands(params)),
                          delta >= 0 ? QStringLiteral("+") : QStringLiteral("\u2212"),
                          QString::fromStdString(engine::formatThousands(std::llabs(delta))))});
  }
  m_architecture->resizeColumnsToContents();
}

void CompareView::fillFinals() {
  std::set<std::string> keys;
  for (const Run& run : m_runs)
    for (const auto& [key, value] : run.detail.finalMetrics)
      keys.insert(key);
  m_finals->clear();
  m_finals->setColumnCount(static_cast<int>(m_runs.size()) + 1);
  QStringList headers{tr("Metric")};
  for (const Run& run : m_runs)
    headers << runLabel(run.detail.summary);
  m_finals->setHorizontalHeaderLabels(headers);
  std::vector<std::pair<QString, std::vector<QString>>> rows;
  auto bestOf = [](const Run& run, const std::string& name) -> QString {
    const bool higher = series::higherIsBetter(name);
    std::optional<std::pair<double, int>> found;
    for (const storage::EpochMetrics& epoch : run.epochs) {
      const auto value = epoch.values.find("val_" + name);
      if (value == epoch.values.end() || !std::isfinite(value->second)) continue;
      if (!found || (higher ? value->second > found->first : value->second < found->first))
        found = {value->second, epoch.epoch};
    }
    return found ? QStringLiteral("%1 (epoch %2)").arg(found->first, 0, 'g', 4).arg(found->second)
                 : missingValueText();
  };
  for (const char* name : {"accuracy", "loss"}) {
    std::vector<QString> values;
    for (const Run& run : m_runs)
      values.push_back(bestOf(run, name));
    rows.emplace_back(tr("best val_%1").arg(QString::fromLatin1(name)), values);
  }
  {
    std::vector<QString> values;
    for (const Run& run : m_runs)
      values.push_back(QString::number(run.detail.summary.epochsDone));
    rows.emplace_back(tr("epochs"), values);
  }
  for (const std::string& key : keys) {
    std::vector<QString> values;
    for (const Run& run : m_runs) {
      const auto found = run.detail.finalMetrics.find(key);
      values.push_back(found == run.detail.finalMetrics.end()
                           ? missingValueText()
                           : QString::number(found->second, 'g', 5));
    }
    rows.emplace_back(QString::fromStdString(key), values);
  }
  m_finals->setRowCount(static_cast<int>(rows.size()));
  for (size_t row = 0; row < rows.size(); ++row) {
    m_finals->setItem(static_cast<int>(row), 0, new QTableWidgetItem(rows[row].first));
    for (size_t c = 0; c < rows[row].second.size(); ++c)
      m_finals->setItem(static_cast<int>(row), static_cast<int>(c) + 1,
                        new QTableWidgetItem(rows[row].second[c]));
  }
  m_finals->resizeColumnsToContents();
}

void CompareView::fillConfusion(const RunReader& query) {
  m_confusion->clear();
  m_confusion->setRowCount(0);
  m_confusion->setColumnCount(0);
  m_confusionCaption->clear();
  const int tab = m_tabs->indexOf(m_confusion->parentWidget());
  if (m_runs.size() != 2) {
    m_tabs->setTabEnabled(tab, false);
    m_tabs->setTabToolTip(tab, tr("For two classification runs"));
    return;
  }
  const std::optional<storage::ConfusionMatrix> a =
      query.confusionMatrix(m_runs[0].detail.summary.id, "test");
  const std::optional<storage::ConfusionMatrix> b =
      query.confusionMatrix(m_runs[1].detail.summary.id, "test");
  const bool comparable = a && b && a->labels == b->labels && !a->labels.empty();
  m_tabs->setTabEnabled(tab, comparable);
  // The second run is A and the first, the baseline, is B: a positive count is A's gain.
  const QString caption =
      tr("A \u2212 B: test counts of A = run %1 minus B = run %2. Rows: true class; columns: "
         "predicted class. Green is better for A, red worse.")
          .arg(runLabel(m_runs[1].detail.summary), runLabel(m_runs[0].detail.summary));
  m_tabs->setTabToolTip(tab, comparable ? caption
                                        : tr("Both runs need a test confusion matrix over the "
                                             "same classes"));
  if (!comparable) return;
  m_confusionCaption->setText(caption);
  const int n = static_cast<int>(a->labels.size());
  m_confusion->setRowCount(n);
  m_confusion->setColumnCount(n);
  QStringList labels;
  for (const std::string& label : a->labels)
    labels << QString::fromStdString(label);
  m_confusion->setHorizontalHeaderLabels(labels);
  m_confusion->setVerticalHeaderLabels(labels);
  m_confusion->verticalHeader()->show();
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const size_t at = static_cast<size_t>(r) * static_cast<size_t>(n) + static_cast<size_t>(c);
      const int64_t delta = b->counts[at] - a->counts[at];
      auto* item = new QTableWidgetItem(
          delta == 0
              ? QStringLiteral("0")
              : QStringLiteral("%1%2").arg(delta > 0 ? QStringLiteral("+") : QString()).arg(delta));
      item->setTextAlignment(Qt::AlignCenter);
      // Better on the diagonal and fewer off it are green; the reverse red.
      const bool better = (r == c) ? delta > 0 : delta < 0;
      if (delta != 0) item->setBackground(better ? QColor(200, 235, 200) : QColor(245, 205, 200));
      m_confusion->setItem(r, c, item);
    }
  }
  m_confusion->horizontalHeader()->setStretchLastSection(false);
  m_confusion->resizeColumnsToContents();
}

QString CompareView::confusionCaption() const {
  return m_confusionCaption->text();
}

void CompareView::fillBanner() {
  std::map<std::string, QStringList> byData;
  for (const Run& run : m_runs)
    byData[run.detail.datasetFingerprint] << QString::number(run.detail.summary.id);
  if (byData.size() <= 1) {
    m_banner->hide();
    return;
  }
  QStringList groups;
  for (const auto& [fingerprint, ids] : byData) {
    groups << tr("runs %1 on data %2")
                  .arg(ids.join(QStringLiteral(", ")),
                       fingerprint.empty() ? tr("(unknown)")
                                           : QString::fromStdString(fingerprint.substr(0, 8)));
  }
  m_banner->setText(tr("These runs did not train on the same data: %1. Their metrics are not "
                       "directly comparable.")
                        .arg(groups.join(QStringLiteral("; "))));
  m_banner->show();
}

}  // namespace layerlab::ui
