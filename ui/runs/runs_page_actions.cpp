// RunsPage's actions on the selected runs: rename, tag, note, delete and export metrics (each
// asked in a dialog, then done by the catalog off the GUI thread), open the model, re-run, resume
// and export to ONNX. The table, the filter and the detail and comparison panes are in
// runs_page.cpp.
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>

#include <algorithm>
#include <exception>

#include "ui/export/export_dialog.h"
#include "ui/export/try_it_panel.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_catalog.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {

QWidget* RunsPage::buildActions() {
  auto* bar = new QToolBar(this);
  bar->setObjectName(QStringLiteral("runsActions"));
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  auto action = [this, bar](const QString& text, const char* name, auto slot) {
    QAction* a = bar->addAction(text, this, slot);
    a->setObjectName(QString::fromLatin1(name));
    return a;
  };
  m_compareAction =
      action(tr("Compare"), "compareRunsAction", [this] { compareRuns(selectedRunIds()); });
  m_compareAction->setToolTip(
      tr("Compare the selected runs side by side (2 to %1)").arg(kMaxCompared));
  bar->addSeparator();
  m_openModelAction = action(tr("Open Model"), "openModelAction", &RunsPage::openSelectedModel);
  m_rerunAction = action(tr("Re-run"), "rerunAction", &RunsPage::rerunSelected);
  m_rerunAction->setToolTip(tr("Train again with the same model, data and configuration"));
  m_resumeAction = action(tr("Resume"), "resumeAction", &RunsPage::resumeSelected);
  m_resumeAction->setToolTip(tr("Continue an interrupted or stopped run from its last checkpoint"));
  bar->addSeparator();
  m_renameAction = action(tr("Rename\u2026"), "renameAction", &RunsPage::askRename);
  m_tagAction = action(tr("Tags\u2026"), "tagAction", &RunsPage::askTags);
  m_notesAction = action(tr("Note\u2026"), "notesAction", &RunsPage::askNotes);
  m_exportAction = action(tr("Export CSV\u2026"), "exportAction", &RunsPage::askExport);
  m_exportOnnxAction =
      action(tr("Export ONNX\u2026"), "exportOnnxAction", &RunsPage::exportSelected);
  m_exportOnnxAction->setToolTip(tr("Write the trained model as an ONNX file for onnxruntime"));
  bar->addSeparator();
  m_deleteAction = action(tr("Delete\u2026"), "deleteRunsAction", &RunsPage::askDelete);
  m_deleteAction->setShortcut(QKeySequence::Delete);
  m_deleteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  addAction(m_deleteAction);
  m_actionBar = bar;
  return bar;
}

void RunsPage::updateActions() {
  const std::vector<int64_t> ids = selectedRunIds();
  const size_t n = ids.size();
  m_compareAction->setEnabled(n >= 2 && n <= static_cast<size_t>(kMaxCompared));
  for (QAction* one : {m_openModelAction, m_rerunAction, m_renameAction, m_notesAction})
    one->setEnabled(n == 1);
  m_exportOnnxAction->setEnabled(n == 1 && m_runTools != nullptr);
  m_exportOnnxAction->setVisible(m_runTools != nullptr);
  bool resumable = n == 1;
  if (resumable) {
    const int row = m_model->rowOfRun(ids.front());
    const storage::RunStatus status = m_model->runs()[static_cast<size_t>(row)].status;
    resumable = status == storage::RunStatus::Interrupted ||
                status == storage::RunStatus::Cancelled || status == storage::RunStatus::Failed;
  }
  m_resumeAction->setEnabled(resumable);
  for (QAction* many : {m_tagAction, m_exportAction, m_deleteAction})
    many->setEnabled(n >= 1);
}

bool RunsPage::edit(const QString& what,
                    const std::function<void(std::function<void(QString)>)>& start) {
  if (!m_catalog || !m_catalog->isOpen()) return false;
  start([this, what](const QString& error) { finishEdit(what, error); });
  return true;
}

void RunsPage::finishEdit(const QString& what, const QString& error) {
  if (error.isEmpty()) {
    m_editError->hide();
    m_editError->clear();
    reload();
  } else {
    // The store is as it was, so the list is too: nothing to read again.
    m_editError->setText(tr("%1 failed, nothing was changed: %2 Try again once the store is "
                            "free (a training run or layerlab-cli may hold it) and writable.")
                             .arg(what, error.endsWith(QLatin1Char('.')) ? error : error + '.'));
    m_editError->show();
  }
  Q_EMIT editFinished(error.isEmpty() ? QString() : m_editError->text());
}

QString RunsPage::editErrorText() const {
  return m_editError->isVisibleTo(this) ? m_editError->text() : QString();
}

bool RunsPage::renameRun(int64_t runId, const QString& name) {
  return edit(tr("Rename"), [&](auto done) { m_catalog->renameRun(runId, name, done); });
}

bool RunsPage::tagRuns(const std::vector<int64_t>& runIds, const QStringList& tags) {
  return edit(tr("Tagging"), [&](auto done) { m_catalog->addTags(runIds, tags, done); });
}

bool RunsPage::setRunNotes(int64_t runId, const QString& notes) {
  return edit(tr("Saving the note"), [&](auto done) { m_catalog->setNotes(runId, notes, done); });
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
  return edit(tr("Delete"), [&](auto done) { m_catalog->deleteRuns(runIds, done); });
}

bool RunsPage::exportMetrics(const std::vector<int64_t>& runIds, const QString& path) {
  return edit(tr("Export"), [&](auto done) { m_catalog->exportMetrics(runIds, path, done); });
}

void RunsPage::showTableMenu(const QPoint& at) {
  const QModelIndex index = m_table->indexAt(at);
  if (index.isValid() && !m_table->selectionModel()->isRowSelected(index.row(), {}))
    m_table->selectionModel()->select(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  updateActions();
  QMenu menu(this);
  for (QAction* action : m_actionBar->actions())
    menu.addAction(action);
  menu.exec(m_table->viewport()->mapToGlobal(at));
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
  if (ids.size() != 1 || !m_catalog || !m_catalog->isOpen()) return;
  if (const auto run = m_catalog->run(ids.front()))
    Q_EMIT openModelRequested(ids.front(), QString::fromStdString(run->modelJson));
}

void RunsPage::rerunSelected() {
  emitWithDocuments(&RunsPage::rerunRequested);
}

void RunsPage::emitWithDocuments(DocumentsSignal signal) {
  const std::vector<int64_t> ids = selectedRunIds();
  if (ids.size() != 1 || !m_catalog || !m_catalog->isOpen()) return;
  if (const auto run = m_catalog->run(ids.front())) Q_EMIT(this->*signal)
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
