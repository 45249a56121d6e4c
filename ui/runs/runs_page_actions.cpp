// RunsPage's actions on the selected runs: rename, tag, note, delete and export metrics (each
// asked in a dialog, then written through a RunStore of its own), open the model, re-run, resume
// and export to ONNX. The table, the filter and the detail and comparison panes are in
// runs_page.cpp.
#include <QFileDialog>
#include <QInputDialog>
#include <QMessageBox>
#include <QTabWidget>

#include <algorithm>
#include <exception>

#include "storage/metrics_csv.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "ui/export/export_dialog.h"
#include "ui/export/try_it_panel.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {

bool RunsPage::writeToStore(const std::function<void(storage::RunStore&)>& change,
                            const QString& what) {
  try {
    storage::RunStore store(QFile::encodeName(m_storePath).toStdString());
    change(store);
  } catch (const std::exception& error) {
    QMessageBox::warning(this, what,
                         tr("%1 failed: %2").arg(what, QString::fromUtf8(error.what())));
    return false;
  }
  reload();
  return true;
}

bool RunsPage::renameRun(int64_t runId, const QString& name) {
  return writeToStore([&](storage::RunStore& store) { store.renameRun(runId, name.toStdString()); },
                      tr("Rename"));
}

bool RunsPage::tagRuns(const std::vector<int64_t>& runIds, const QStringList& tags) {
  std::vector<std::string> words;
  for (const QString& tag : tags)
    if (!tag.trimmed().isEmpty()) words.push_back(tag.trimmed().toStdString());
  return writeToStore(
      [&](storage::RunStore& store) {
        for (const int64_t id : runIds)
          store.addTags(id, words);
      },
      tr("Tag"));
}

bool RunsPage::setRunNotes(int64_t runId, const QString& notes) {
  return writeToStore([&](storage::RunStore& store) { store.setNotes(runId, notes.toStdString()); },
                      tr("Note"));
}

bool RunsPage::deleteRuns(const std::vector<int64_t>& runIds) {
  if (m_detail->runId() &&
      std::find(runIds.begin(), runIds.end(), *m_detail->runId()) != runIds.end())
    closeDetail();
  const int compare = m_lower->indexOf(m_compare);
  if (compare >= 0) {
    for (const int64_t id : runIds) {
      const std::vector<int64_t> shown = m_compare->runIds();
      if (std::find(shown.begin(), shown.end(), id) != shown.end()) {
        m_lower->removeTab(compare);
        if (m_lower->count() == 0) m_lower->hide();
        break;
      }
    }
  }
  return writeToStore(
      [&](storage::RunStore& store) {
        for (const int64_t id : runIds)
          store.deleteRun(id);
      },
      tr("Delete"));
}

bool RunsPage::exportMetrics(const std::vector<int64_t>& runIds, const QString& path) {
  if (!m_query) return false;
  try {
    std::vector<storage::RunSummary> runs;
    for (const int64_t id : runIds)
      if (const auto run = m_query->run(id)) runs.push_back(run->summary);
    storage::writeMetricsCsvFile(
        QFile::encodeName(path).toStdString(), *m_query, runs,
        {storage::MetricKind::Batch, storage::MetricKind::Epoch, storage::MetricKind::Final},
        false);
  } catch (const std::exception& error) {
    QMessageBox::warning(this, tr("Export"),
                         tr("Export failed: %1").arg(QString::fromUtf8(error.what())));
    return false;
  }
  return true;
}

void RunsPage::askRename() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.size() != 1) return;
  const int row = m_model->rowOfRun(ids.front());
  bool ok = false;
  const QString name = QInputDialog::getText(
      this, tr("Rename run %1").arg(ids.front()), tr("Name:"), QLineEdit::Normal,
      QString::fromStdString(m_model->runs()[static_cast<size_t>(row)].name), &ok);
  if (ok && !name.trimmed().isEmpty()) renameRun(ids.front(), name.trimmed());
}

void RunsPage::askTags() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.empty()) return;
  bool ok = false;
  const QString text = QInputDialog::getText(
      this, tr("Tag %n run(s)", nullptr, static_cast<int>(ids.size())),
      tr("Tags to add, separated by commas:"), QLineEdit::Normal, QString(), &ok);
  if (ok) tagRuns(ids, text.split(QLatin1Char(','), Qt::SkipEmptyParts));
}

void RunsPage::askNotes() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.size() != 1) return;
  const int row = m_model->rowOfRun(ids.front());
  bool ok = false;
  const QString notes = QInputDialog::getMultiLineText(
      this, tr("Note on run %1").arg(ids.front()), tr("Note:"),
      QString::fromStdString(m_model->runs()[static_cast<size_t>(row)].notes), &ok);
  if (ok) setRunNotes(ids.front(), notes);
}

void RunsPage::askDelete() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.empty()) return;
  const auto answer = QMessageBox::question(
      this, tr("Delete runs"),
      tr("Delete %n run(s) with their metrics, checkpoints and files? This cannot be undone.",
         nullptr, static_cast<int>(ids.size())),
      QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
  if (answer == QMessageBox::Yes) deleteRuns(ids);
}

void RunsPage::askExport() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.empty()) return;
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export metrics"), QStringLiteral("runs-metrics.csv"), tr("CSV files (*.csv)"));
  if (!path.isEmpty()) exportMetrics(ids, path);
}

void RunsPage::openSelectedModel() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.size() != 1 || !m_query) return;
  if (const auto run = m_query->run(ids.front()))
    Q_EMIT openModelRequested(ids.front(), QString::fromStdString(run->modelJson));
}

void RunsPage::rerunSelected() {
  emitWithDocuments(&RunsPage::rerunRequested);
}

void RunsPage::emitWithDocuments(DocumentsSignal signal) {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.size() != 1 || !m_query) return;
  if (const auto run = m_query->run(ids.front())) Q_EMIT(this->*signal)
  (ids.front(), QString::fromStdString(run->modelJson), QString::fromStdString(run->datasetJson),
   QString::fromStdString(run->configJson));
}

void RunsPage::setRunTools(RunTools* tools) {
  m_runTools = tools;
  if (m_tryIt != nullptr) {
    const int index = m_lower->indexOf(m_tryIt);
    if (index >= 0) m_lower->removeTab(index);
    delete m_tryIt;
    m_tryIt = nullptr;
  }
  if (tools != nullptr) {
    m_tryIt = new TryItPanel(*tools, this);
    m_tryIt->setObjectName(QStringLiteral("tryItPanel"));
    m_tryIt->hide();
  }
  updateActions();
}

void RunsPage::exportSelected() {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.size() != 1 || m_runTools == nullptr) return;
  const int row = m_model->rowOfRun(ids.front());
  auto* dialog = new ExportDialog(
      ids.front(), QString::fromStdString(m_model->runs()[static_cast<size_t>(row)].name),
      *m_runTools, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &ExportDialog::exported, this, [this] { refreshDetail(); });
  dialog->open();
}

void RunsPage::resumeSelected() {
  emitWithDocuments(&RunsPage::resumeRequested);
}

}  // namespace layerlab::ui
