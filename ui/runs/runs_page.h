// The Runs place: every run in the store as a sortable, filterable table that follows the store
// live, with a read-only per-epoch view of the run the user double-clicks, and a side-by-side
// comparison of the runs the user selects.
//
// The filter bar (runs_filter_bar.h) narrows the list. A header's context menu chooses the
// columns (remembered). The toolbar and the table's context menu act on the selected runs
// (runs_page_actions.cpp): compare, open the model, re-run, resume, rename, tag, note, export
// metrics as CSV, delete (with the run's files).
//
// Threads: GUI thread only. Everything the page reads or edits goes through the RunCatalog the
// application gives it (setCatalog); until then the page shows no runs. It polls the catalog's
// dataVersion() on a timer, so runs written by the training thread or by another process
// (layerlab-cli) appear without any signal from the writer. Edits run off the GUI thread and end
// with editFinished(); a failed edit leaves the list as it was and says why above the table. A
// store that cannot be opened or read is shown as an error in the page; nothing is thrown out.
#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QLabel;
class QTabWidget;
class QModelIndex;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace layerlab::ui {

class CompareView;
class RunCatalog;
class RunsFilterBar;
class RunTools;
class TryItPanel;
class RunDetailPanel;
class RunsTableModel;

class RunsPage : public QWidget {
  Q_OBJECT

 public:
  // How often the store is asked whether it changed.
  static constexpr int kPollIntervalMs = 1000;
  // Points per training curve read for a run's detail (reduced keeping extremes).
  static constexpr size_t kCurvePoints = 2000;

  explicit RunsPage(const QString& storePath, QWidget* parent = nullptr);
  ~RunsPage() override;

  // Where the page reads and edits runs from now on; opens storePath() in it.
  void setCatalog(std::unique_ptr<RunCatalog> catalog);
  RunCatalog* catalog() const { return m_catalog.get(); }

  // Closes the current store and opens the one at `path`. Failure shows in the page.
  void openStore(const QString& path);
  QString storePath() const { return m_storePath; }

  // Selects the run and opens its detail (curves, epochs, results); nothing for an unknown id.
  void showRunDetail(int64_t runId);

  // Selects these runs (those that are listed) and returns how many were found.
  int selectRuns(const std::vector<int64_t>& runIds);
  std::vector<int64_t> selectedRunIds() const;
  // Opens the comparison of these runs (2 to kMaxCompared).
  void compareRuns(const std::vector<int64_t>& runIds);
  CompareView* compareView() const { return m_compare; }

  // The actions on the selection, without the dialogs that ask (for tests and scripts). Each
  // starts the edit and returns at once; editFinished() follows. False when there is no store.
  bool renameRun(int64_t runId, const QString& name);
  bool tagRuns(const std::vector<int64_t>& runIds, const QStringList& tags);
  bool setRunNotes(int64_t runId, const QString& notes);
  bool deleteRuns(const std::vector<int64_t>& runIds);
  bool exportMetrics(const std::vector<int64_t>& runIds, const QString& path);
  // The last failed edit's message as shown above the table, empty after one that succeeded.
  QString editErrorText() const;
  // The filter box's complaint about what was typed, empty when it reads fine.
  QString filterError() const;
  // Hides or shows a column, as the header's menu does; remembered in the settings.
  void setColumnShown(int column, bool shown);

  static constexpr int kMaxCompared = 20;

  // What exports and predicts for the "Export ONNX" dialog and the "Try It" tab (the
  // application's RunToolsImpl); not owned. Without it neither is offered.
  void setRunTools(RunTools* tools);
  TryItPanel* tryItPanel() const { return m_tryIt; }

  // The error shown instead of the runs, empty while the store reads fine.
  QString errorText() const { return m_errorText; }

 Q_SIGNALS:
  // The list was read from the store again (after opening it or after it changed).
  void runsReloaded(int runCount);
  // The store could not be opened or read; the page now shows `message`.
  void storeFailed(const QString& message);
  // An edit or export ended: `error` empty when it succeeded (the list is then read again),
  // else what went wrong, as the page shows it.
  void editFinished(const QString& error);
  // The user asked to open a run's model in the editor (its stored JSON).
  void openModelRequested(qint64 runId, const QString& modelJson);
  // The user asked to train again with a run's model, data and configuration (stored JSON).
  void rerunRequested(qint64 runId, const QString& modelJson, const QString& datasetJson,
                      const QString& configJson);
  // The user asked to continue an interrupted (or stopped) run from its last checkpoint.
  void resumeRequested(qint64 runId, const QString& modelJson, const QString& datasetJson,
                       const QString& configJson);

 private:
  QWidget* buildActions();
  void updateActions();
  void showTableMenu(const QPoint& at);
  void showHeaderMenu(const QPoint& at);
  void applyFilterText(bool storeChanged);
  void askRename();
  void askTags();
  void askNotes();
  void askDelete();
  void askExport();
  void openSelectedModel();
  void rerunSelected();
  void resumeSelected();
  // Emits `signal` with the selected run's stored model, data and configuration.
  using DocumentsSignal = void (RunsPage::*)(qint64, const QString&, const QString&,
                                             const QString&);
  void emitWithDocuments(DocumentsSignal signal);
  void exportSelected();
  // Starts an edit through the catalog; `what` names it in a failure ("Rename").
  bool edit(const QString& what, const std::function<void(std::function<void(QString)>)>& start);
  void finishEdit(const QString& what, const QString& error);
  QWidget* buildTableState();
  QWidget* buildLowerTabs();

  void pollStore();
  void reload();
  void showRuns(int runCount);
  void showError(const QString& message);
  void openDetail(const QModelIndex& proxyIndex);
  void refreshDetail();
  void loadDetail(int64_t runId);
  void closeDetail();
  std::optional<int64_t> selectedRunId() const;
  void selectRun(int64_t runId);

  QString m_storePath;
  QString m_errorText;
  std::unique_ptr<RunCatalog> m_catalog;
  std::optional<int64_t> m_dataVersion;
  int64_t m_storeTotal = 0;
  bool m_columnsSized = false;

  RunsTableModel* m_model = nullptr;
  QSortFilterProxyModel* m_proxy = nullptr;
  QTimer* m_pollTimer = nullptr;
  RunsFilterBar* m_filterBar = nullptr;
  QLabel* m_editError = nullptr;
  QStackedWidget* m_states = nullptr;
  QTableView* m_table = nullptr;
  RunDetailPanel* m_detail = nullptr;
  CompareView* m_compare = nullptr;
  QTabWidget* m_lower = nullptr;
  QLabel* m_errorLabel = nullptr;
  QWidget* m_actionBar = nullptr;
  QAction* m_compareAction = nullptr;
  QAction* m_openModelAction = nullptr;
  QAction* m_rerunAction = nullptr;
  QAction* m_resumeAction = nullptr;
  QAction* m_renameAction = nullptr;
  QAction* m_tagAction = nullptr;
  QAction* m_notesAction = nullptr;
  QAction* m_exportAction = nullptr;
  QAction* m_deleteAction = nullptr;
  QAction* m_exportOnnxAction = nullptr;
  RunTools* m_runTools = nullptr;
  TryItPanel* m_tryIt = nullptr;
};

}  // namespace layerlab::ui
