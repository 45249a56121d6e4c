#include "ui/runs/class_metrics_table.h"

#include <QHeaderView>

#include <cmath>

#include "engine/train/metrics.h"
#include "ui/runs/run_format.h"

namespace layerlab::ui {
namespace {

QTableWidgetItem* numberItem(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QString fraction(double value) {
  return std::isnan(value) ? missingValueText() : QString::number(value, 'f', 3);
}

}  // namespace

ClassMetricsTable::ClassMetricsTable(QWidget* parent) : QTableWidget(parent) {
  setObjectName(QStringLiteral("classMetricsTable"));
  setColumnCount(5);
  setHorizontalHeaderLabels({tr("Class"), tr("Precision"), tr("Recall"), tr("F1"), tr("Support")});
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setAlternatingRowColors(true);
  setSortingEnabled(false);
  verticalHeader()->hide();
  horizontalHeader()->setSectionResizeMode(ClassColumn, QHeaderView::Stretch);
  setToolTip(
      tr("From the test confusion matrix: precision is how many predictions of the class "
         "were right, recall how many samples of the class were found, F1 their harmonic "
         "mean, support how many test samples have the class"));
}

void ClassMetricsTable::showMatrix(const storage::ConfusionMatrix& matrix) {
  const auto classes = static_cast<int64_t>(matrix.labels.size());
  clearRows();
  if (classes == 0 || matrix.counts.size() != static_cast<size_t>(classes * classes)) return;
  const engine::ClassificationReport report = engine::classificationReport(matrix.counts, classes);
  setRowCount(static_cast<int>(classes));
  for (int row = 0; row < static_cast<int>(classes); ++row) {
    const auto c = static_cast<size_t>(row);
    setItem(row, ClassColumn, new QTableWidgetItem(QString::fromStdString(matrix.labels[c])));
    setItem(row, PrecisionColumn, numberItem(fraction(report.precision[c])));
    setItem(row, RecallColumn, numberItem(fraction(report.recall[c])));
    setItem(row, F1Column, numberItem(fraction(report.f1[c])));
    setItem(row, SupportColumn, numberItem(QString::number(report.support[c])));
  }
  resizeColumnsToContents();
}

void ClassMetricsTable::clearRows() {
  clearContents();
  setRowCount(0);
}

}  // namespace layerlab::ui
