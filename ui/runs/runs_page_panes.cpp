// RunsPage's lower pane: a run's detail (with its Try It panel) and the comparison of runs, as
// tabs under the table. The table and the store are in runs_page.cpp.
#include <QTabWidget>

#include <exception>

#include "ui/export/try_it_panel.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_catalog.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {

// The tabs under the table: a run's detail, its Try It panel and the comparison.
QWidget* RunsPage::buildLowerTabs() {
  m_detail = new RunDetailPanel(this);
  m_detail->hide();
  connect(m_detail, &RunDetailPanel::closeRequested, this, &RunsPage::closeDetail);
  connect(m_detail, &RunDetailPanel::openModelRequested, this, &RunsPage::openModelRequested);

  m_compare = new CompareView(this);
  // Not in any layout until it is compared: shown, its tab bar would sit over the heading.
  m_compare->hide();
  m_lower = new QTabWidget(this);
  m_lower->setObjectName(QStringLiteral("runsLower"));
  m_lower->setTabsClosable(true);
  m_lower->setDocumentMode(true);
  m_lower->hide();
  connect(m_lower, &QTabWidget::tabCloseRequested, this, [this](int index) {
    if (m_lower->widget(index) == m_detail) {
      closeDetail();
    } else {
      m_lower->removeTab(index);
      if (m_lower->count() == 0) m_lower->hide();
    }
  });

  return m_lower;
}

void RunsPage::openDetail(const QModelIndex& proxyIndex) {
  if (!proxyIndex.isValid()) return;
  loadDetail(proxyIndex.data(RunsTableModel::kRunIdRole).value<qint64>());
}

void RunsPage::refreshDetail() {
  const std::optional<int64_t> runId = m_detail->runId();
  if (runId && m_lower->indexOf(m_detail) >= 0) loadDetail(*runId);
}

void RunsPage::loadDetail(int64_t runId) {
  if (!m_catalog || !m_catalog->isOpen()) return;
  std::optional<storage::RunDetail> run;
  std::vector<storage::EpochMetrics> epochs;
  RunCurves curves;
  try {
    run = m_catalog->run(runId);
    if (run) {
      epochs = m_catalog->epochs(runId);
      storage::SeriesRequest batches{.runIds = {runId},
                                     .metrics = {{"train", "loss"}, {"train", "accuracy"}},
                                     .kind = storage::MetricKind::Batch,
                                     .maxPoints = kCurvePoints};
      storage::SeriesRequest perEpoch{.runIds = {runId},
                                      .metrics = {{"val", "loss"}, {"val", "accuracy"}},
                                      .kind = storage::MetricKind::Epoch};
      curves.series = m_catalog->series(batches);
      for (storage::MetricSeries& series : m_catalog->series(perEpoch))
        curves.series.push_back(std::move(series));
      curves.matrices = m_catalog->confusionMatrices(runId);
    }
  } catch (const std::exception& error) {
    showError(QString::fromUtf8(error.what()));
    return;
  }
  if (!run) {
    closeDetail();
    return;
  }
  m_detail->showRun(*run, epochs, curves);
  if (m_lower->indexOf(m_detail) < 0) m_lower->insertTab(0, m_detail, QString());
  m_lower->setTabText(m_lower->indexOf(m_detail), tr("Run %1").arg(runId));
  if (m_tryIt != nullptr) {
    if (m_lower->indexOf(m_tryIt) < 0) m_lower->insertTab(1, m_tryIt, tr("Try It"));
    m_tryIt->showRun(runId);
  }
  m_lower->setCurrentWidget(m_detail);
  m_lower->show();
  m_detail->show();
}

void RunsPage::showRunDetail(int64_t runId) {
  reload();
  selectRun(runId);
  loadDetail(runId);
}

void RunsPage::closeDetail() {
  const int index = m_lower->indexOf(m_detail);
  if (index >= 0) m_lower->removeTab(index);
  if (m_tryIt != nullptr && m_lower->indexOf(m_tryIt) >= 0) {
    m_lower->removeTab(m_lower->indexOf(m_tryIt));
    m_tryIt->showRun(0);
  }
  if (m_lower->count() == 0) m_lower->hide();
  m_detail->hide();
  m_detail->clear();
}

void RunsPage::compareRuns(const std::vector<int64_t>& runIds) {
  if (!m_catalog || !m_catalog->isOpen() || runIds.size() < 2 ||
      runIds.size() > static_cast<size_t>(kMaxCompared))
    return;
  try {
    m_compare->showRuns(*m_catalog, runIds);
  } catch (const std::exception& error) {
    showError(QString::fromUtf8(error.what()));
    return;
  }
  if (m_lower->indexOf(m_compare) < 0) m_lower->addTab(m_compare, QString());
  m_lower->setTabText(
      m_lower->indexOf(m_compare),
      tr("Compare %n run(s)", nullptr, static_cast<int>(m_compare->runIds().size())));
  m_lower->setCurrentWidget(m_compare);
  m_lower->show();
}

}  // namespace layerlab::ui
