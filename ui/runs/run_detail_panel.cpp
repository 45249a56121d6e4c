#include "ui/runs/run_detail_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QStandardItemModel>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "ui/charts/confusion_matrix_view.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/test_results_view.h"
#include "ui/charts/training_charts.h"
#include "ui/runs/class_metrics_table.h"
#include "ui/runs/run_format.h"

namespace layerlab::ui {
namespace {

using storage::EpochMetrics;

std::optional<double> epochValue(const EpochMetrics& epoch, const char* key) {
  const auto found = epoch.values.find(key);
  if (found == epoch.values.end()) return std::nullopt;
  return found->second;
}

QStandardItem* makeCell(const QString& text) {
  auto* item = new QStandardItem(text);
  item->setEditable(false);
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

RunDetailPanel::RunDetailPanel(QWidget* parent)
    : QWidget(parent), m_epochModel(new QStandardItemModel(this)) {
  setObjectName(QStringLiteral("runDetail"));
  QHBoxLayout* header = buildHeader();
  buildErrorText();
  buildEpochTable();
  buildTabs();

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 8, 0, 0);
  layout->addLayout(header);
  layout->addWidget(m_errorText);
  layout->addWidget(m_tabs, 1);
}

// The run's title and summary, the Open Model button and the close button in one row.
QHBoxLayout* RunDetailPanel::buildHeader() {
  m_title = new QLabel(this);
  m_title->setObjectName(QStringLiteral("runDetailTitle"));
  QFont titleFont = m_title->font();
  titleFont.setBold(true);
  m_title->setFont(titleFont);
  m_summary = new QLabel(this);
  m_summary->setForegroundRole(QPalette::PlaceholderText);
  QToolButton* closeButton = buildCloseButton();
  QPushButton* openModel = buildOpenModelButton();

  auto* header = new QHBoxLayout;
  header->addWidget(m_title);
  header->addSpacing(8);
  header->addWidget(m_summary, 1);
  header->addWidget(openModel);
  header->addWidget(closeButton);
  return header;
}

QToolButton* RunDetailPanel::buildCloseButton() {
  auto* closeButton = new QToolButton(this);
  closeButton->setObjectName(QStringLiteral("runDetailClose"));
  closeButton->setIcon(style()->standardIcon(QStyle::SP_DialogCloseButton));
  closeButton->setToolTip(tr("Close the run details"));
  closeButton->setAutoRaise(true);
  connect(closeButton, &QToolButton::clicked, this, &RunDetailPanel::closeRequested);
  return closeButton;
}

QPushButton* RunDetailPanel::buildOpenModelButton() {
  auto* openModel = new QPushButton(tr("Open Model"), this);
  openModel->setObjectName(QStringLiteral("openRunModel"));
  openModel->setToolTip(tr("Open the exact model this run trained in the Model place"));
  connect(openModel, &QPushButton::clicked, this, [this] {
    if (m_runId && !m_modelJson.isEmpty()) Q_EMIT openModelRequested(*m_runId, m_modelJson);
  });
  return openModel;
}

// The failed run's error, selectable so it can be copied; hidden until a run has one.
void RunDetailPanel::buildErrorText() {
  m_errorText = new QLabel(this);
  m_errorText->setObjectName(QStringLiteral("runDetailError"));
  m_errorText->setWordWrap(true);
  m_errorText->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_errorText->setStyleSheet(
      QStringLiteral("color: %1;").arg(runStatusColor(storage::RunStatus::Failed).name()));
  m_errorText->hide();
}

void RunDetailPanel::buildEpochTable() {
  m_epochTable = new QTableView(this);
  m_epochTable->setObjectName(QStringLiteral("epochTable"));
  m_epochTable->setModel(m_epochModel);
  m_epochTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_epochTable->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_epochTable->setAlternatingRowColors(true);
  m_epochTable->verticalHeader()->hide();
  m_epochTable->verticalHeader()->setDefaultSectionSize(m_epochTable->fontMetrics().height() + 10);
  m_epochTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
}

// The curves, the epoch table, the test results and the per-class metrics as tabs.
void RunDetailPanel::buildTabs() {
  m_charts = new TrainingCharts(this);
  m_charts->setObjectName(QStringLiteral("runCharts"));

  m_results = new TestResultsView(this);

  m_tabs = new QTabWidget(this);
  m_tabs->setObjectName(QStringLiteral("runTabs"));
  m_tabs->addTab(m_charts, tr("Curves"));
  m_tabs->addTab(m_epochTable, tr("Epochs"));
  m_tabs->addTab(m_results, tr("Results"));
  m_perClass = new ClassMetricsTable(this);
  m_tabs->addTab(m_perClass, tr("Per class"));
}

void RunDetailPanel::showRun(const storage::RunDetail& run, const std::vector<EpochMetrics>& epochs,
                             const RunCurves& curves) {
  const storage::RunSummary& summary = run.summary;
  m_runId = summary.id;
  m_modelJson = QString::fromStdString(run.modelJson);
  m_title->setText(
      tr("Run %1 \u00b7 %2").arg(summary.id).arg(QString::fromStdString(summary.name)));
  const QString epochCount =
      summary.epochsDone == 1 ? tr("1 epoch") : tr("%1 epochs").arg(summary.epochsDone);
  m_summary->setText(
      tr("%1 \u00b7 %2 \u00b7 seed %3").arg(runStateText(summary), epochCount).arg(run.seed));
  m_errorText->setText(QString::fromStdString(run.errorText));
  m_errorText->setVisible(!run.errorText.empty());
  fillEpochs(epochs);
  fillCurves(run, epochs, curves);
  fillResults(run, curves);
}

void RunDetailPanel::fillCurves(const storage::RunDetail& run,
                                const std::vector<EpochMetrics>& epochs, const RunCurves& curves) {
  m_charts->showCurves(epochs, curves.series, TrainingCharts::monitorOf(run.configJson));
}

void RunDetailPanel::fillResults(const storage::RunDetail& run, const RunCurves& curves) {
  std::vector<std::pair<QString, double>> metrics;
  for (const auto& [name, value] : run.finalMetrics)
    metrics.emplace_back(QString::fromStdString(name), value);
  m_results->clear();
  m_results->setMetrics(metrics);
  m_perClass->clearRows();
  for (const storage::ConfusionMatrix& matrix : curves.matrices) {
    if (matrix.split != "test") continue;
    m_results->setMatrix(matrix);
    m_perClass->showMatrix(matrix);
  }
}

MetricChart* RunDetailPanel::lossChart() const {
  return m_charts->lossChart();
}

MetricChart* RunDetailPanel::accuracyChart() const {
  return m_charts->accuracyChart();
}

ConfusionMatrixView* RunDetailPanel::confusionView() const {
  return m_results->confusionView();
}

void RunDetailPanel::clear() {
  m_runId.reset();
  m_title->clear();
  m_summary->clear();
  m_errorText->clear();
  m_errorText->hide();
  m_epochModel->clear();
  m_charts->clear();
  m_perClass->clearRows();
  m_results->clear();
}

void RunDetailPanel::fillEpochs(const std::vector<EpochMetrics>& epochs) {
  m_epochModel->clear();
  m_epochModel->setHorizontalHeaderLabels(
      {tr("Epoch"), tr("Train loss"), tr("Train accuracy"), tr("Val loss"), tr("Val accuracy")});
  for (const EpochMetrics& epoch : epochs) {
    m_epochModel->appendRow({makeCell(QString::number(epoch.epoch)),
                             makeCell(formatLoss(epochValue(epoch, "train_loss"))),
                             makeCell(formatPercent(epochValue(epoch, "train_accuracy"))),
                             makeCell(formatLoss(epochValue(epoch, "val_loss"))),
                             makeCell(formatPercent(epochValue(epoch, "val_accuracy")))});
  }
}

}  // namespace layerlab::ui
