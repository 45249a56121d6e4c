// The Runs place: every run in the store as a sortable, filterable table that follows the store
// live, with a read-only per-epoch view of the run the user double-clicks.
//
// Threads: GUI thread only. The page owns its own read-only storage::RunQuery connection and
// polls RunQuery::dataVersion() on a timer, so runs written by the training thread or by another
// process (layerlab-cli) appear without any signal from the writer. A store that cannot be opened
// or read is shown as an error in the page; nothing is thrown out of it.
#pragma once

#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QTimer;

namespace layerlab::storage {
class RunQuery;
}

namespace layerlab::ui {

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

  // Closes the current store and opens the one at `path`. Failure shows in the page.
  void openStore(const QString& path);
  QString storePath() const { return m_storePath; }

  // Selects the run and opens its detail (curves, epochs, results); nothing for an unknown id.
  void showRunDetail(int64_t runId);

  // The error shown instead of the runs, empty while the store reads fine.
  QString errorText() const { return m_errorText; }

 Q_SIGNALS:
  // The list was read from the store again (after opening it or after it changed).
  void runsReloaded(int runCount);
  // The store could not be opened or read; the page now shows `message`.
  void storeFailed(const QString& message);

 private:
  QWidget* buildHeader();
  QWidget* buildTableState();
  QWidget* buildEmptyState();
  QWidget* buildErrorState();

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
  std::unique_ptr<storage::RunQuery> m_query;
  std::optional<int64_t> m_dataVersion;
  bool m_columnsSized = false;

  RunsTableModel* m_model = nullptr;
  QSortFilterProxyModel* m_proxy = nullptr;
  QTimer* m_pollTimer = nullptr;
  QLabel* m_countLabel = nullptr;
  QLineEdit* m_filter = nullptr;
  QStackedWidget* m_states = nullptr;
  QTableView* m_table = nullptr;
  RunDetailPanel* m_detail = nullptr;
  QLabel* m_errorLabel = nullptr;
};

}  // namespace layerlab::ui
