#include "ui/charts/test_results_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QTableWidget>

#include "ui/charts/confusion_matrix_view.h"

namespace layerlab::ui {

TestResultsView::TestResultsView(QWidget* parent) : QWidget(parent) {
  m_table = new QTableWidget(0, 2, this);
  m_table->setObjectName(QStringLiteral("finalMetrics"));
  m_table->setHorizontalHeaderLabels({tr("Test metric"), tr("Value")});
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_table->verticalHeader()->hide();
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setMaximumWidth(280);
  m_confusion = new ConfusionMatrixView(this);
  m_confusion->setObjectName(QStringLiteral("confusionView"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->addWidget(m_table);
  layout->addWidget(m_confusion, 1);
}

void TestResultsView::setMetrics(const std::vector<std::pair<QString, double>>& metrics) {
  m_table->setRowCount(static_cast<int>(metrics.size()));
  int row = 0;
  for (const auto& [name, value] : metrics) {
    m_table->setItem(row, 0, new QTableWidgetItem(name));
    m_table->setItem(row, 1, new QTableWidgetItem(QString::number(value, 'f', 4)));
    ++row;
  }
}

void TestResultsView::setMatrix(const storage::ConfusionMatrix& matrix) {
  m_confusion->setMatrix(matrix);
}

void TestResultsView::clear() {
  m_table->setRowCount(0);
  m_confusion->clear();
}

}  // namespace layerlab::ui
