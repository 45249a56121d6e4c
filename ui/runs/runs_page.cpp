#include "ui/runs/runs_page.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <map>
#include <utility>

#include <QPushButton>

#include "ui/export/try_it_panel.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_catalog.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/runs_filter_bar.h"
#include "ui/runs/runs_page_states.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {
namespace {

// The pages of m_states, in the order they are added.
enum State { TableState, EmptyState, ErrorState };

constexpr int kPageMargin = 24;

QString describeError(const std::exception& error) {
  return QString::fromUtf8(error.what());
}

constexpr const char* kHiddenColumnsKey = "runs/hiddenColumns";

// The parameters the table shows as columns, read for all runs in one query.
const std::vector<std::string> kColumnParams = {"dataset.source",       "dataset.path",
                                                "model.name",           "config.optimizer",
                                                "config.learning_rate", "config.batch_size"};

RunsTableModel::Extras extrasFrom(const std::map<std::string, storage::ParamValue>& params) {
  RunsTableModel::Extras extras;
  auto text = [&](const char* key) {
    const auto found = params.find(key);
    return found == params.end() || found->second.type == storage::ParamType::Null
               ? QString()
               : QString::fromStdString(found->second.toString());
  };
  const QString path = text("dataset.path");
  extras.data = path.isEmpty() ? text("dataset.source") : path.section(QLatin1Char('/'), -1);
  extras.model = text("model.name");
  extras.optimizer = text("config.optimizer");
  if (const auto lr = params.find("config.learning_rate"); lr != params.end()) {
    if (lr->second.type == storage::ParamType::Real) extras.learningRate = lr->second.real;
    if (lr->second.type == storage::ParamType::Integer)
      extras.learningRate = static_cast<double>(lr->second.integer);
  }
  if (const auto batch = params.find("config.batch_size");
      batch != params.end() && batch->second.type == storage::ParamType::Integer)
    extras.batchSize = batch->second.integer;
  return extras;
}

}  // namespace

RunsPage::RunsPage(const QString& storePath, QWidget* parent)
    : QWidget(parent),
      m_model(new RunsTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_pollTimer(new QTimer(this)) {
  setObjectName(QStringLiteral("runsPage"));
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(RunsTableModel::kSortRole);
  m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
  m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
  m_proxy->setFilterKeyColumn(-1);

  m_states = new QStackedWidget(this);
  m_states->setObjectName(QStringLiteral("runsStates"));
  m_states->addWidget(buildTableState());
  m_states->addWidget(makeRunsEmptyState(this));
  const RunsErrorState error = makeRunsErrorState(this);
  m_errorLabel = error.message;
  connect(error.retry, &QPushButton::clicked, this, [this] { openStore(m_storePath); });
  m_states->addWidget(error.page);

  m_filterBar = new RunsFilterBar(this);
  connect(m_filterBar, &RunsFilterBar::filterChanged, this, &RunsPage::applyFilterText);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(kPageMargin, kPageMargin - 4, kPageMargin, kPageMargin - 8);
  layout->setSpacing(14);
  layout->addWidget(m_filterBar);
  layout->addWidget(m_states, 1);

  m_pollTimer->setObjectName(QStringLiteral("runsPollTimer"));
  m_pollTimer->setInterval(kPollIntervalMs);
  connect(m_pollTimer, &QTimer::timeout, this, &RunsPage::pollStore);
  openStore(storePath);
}

RunsPage::~RunsPage() {
  // The catalog's edits report to this page: stop and wait for them while it is whole.
  m_catalog.reset();
}

QWidget* RunsPage::buildTableState() {
  m_table = new QTableView(this);
  m_table->setObjectName(QStringLiteral("runsTable"));
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(RunsTableModel::IdColumn, Qt::DescendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_table->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(m_table, &QWidget::customContextMenuRequested, this, &RunsPage::showTableMenu);
  m_table->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
  connect(m_table->horizontalHeader(), &QWidget::customContextMenuRequested, this,
          &RunsPage::showHeaderMenu);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->setToolTip(
      tr("Double-click a run to see its epochs; select several and Compare to see them side by "
         "side"));
  m_table->verticalHeader()->hide();
  // Fusion's default rows are roomy for a list that grows with every run.
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 12);
  m_table->horizontalHeader()->setHighlightSections(false);
  // Column widths fit the first rows' texts: measuring all of 2,000 rows took 50 ms.
  m_table->horizontalHeader()->setResizeContentsPrecision(200);
  m_table->horizontalHeader()->setSectionResizeMode(RunsTableModel::NameColumn,
                                                    QHeaderView::Stretch);
  connect(m_table, &QTableView::doubleClicked, this, &RunsPage::openDetail);

  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->setSpacing(2);
  topLayout->addWidget(buildActions());
  m_editError = new QLabel(top);
  m_editError->setObjectName(QStringLiteral("runsEditError"));
  m_editError->setWordWrap(true);
  m_editError->setStyleSheet(
      QStringLiteral("QLabel { background: #fbe3e3; border: 1px solid #d9534f; border-radius: 4px;"
                     " padding: 4px 8px; color: #8a1f1b; }"));
  m_editError->hide();
  topLayout->addWidget(m_editError);
  topLayout->addWidget(m_table, 1);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &RunsPage::updateActions);
  updateActions();

  const QStringList hidden =
      QSettings().value(QString::fromLatin1(kHiddenColumnsKey)).toStringList();
  for (const QString& column : hidden)
    m_table->setColumnHidden(column.toInt(), true);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->setChildrenCollapsible(false);
  splitter->addWidget(top);
  splitter->addWidget(buildLowerTabs());
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  return splitter;
}

void RunsPage::openStore(const QString& path) {
  m_pollTimer->stop();
  closeDetail();
  m_dataVersion.reset();
  m_storePath = path;
  m_columnsSized = false;
  if (!m_catalog) return;
  try {
    m_catalog->open(path);
  } catch (const std::exception& error) {
    showError(describeError(error));
    return;
  }
  reload();
}

void RunsPage::setCatalog(std::unique_ptr<RunCatalog> catalog) {
  m_catalog = std::move(catalog);
  openStore(m_storePath);
}

void RunsPage::pollStore() {
  if (!m_catalog || !m_catalog->isOpen()) return;
  try {
    if (m_catalog->dataVersion() == m_dataVersion) {
      m_model->refreshRunningDurations();
      return;
    }
  } catch (const std::exception& error) {
    showError(describeError(error));
    return;
  }
  reload();
}

void RunsPage::reload() {
  std::vector<storage::RunSummary> runs;
  std::map<int64_t, RunsTableModel::Extras> extras;
  try {
    // The version is read before the list: a commit landing between the two reads then makes the
    // next poll reload again instead of going unseen.
    m_dataVersion = m_catalog->dataVersion();
    storage::RunListRequest request;
    request.filter = m_filterBar->storeFilter();
    storage::RunPage listed = m_catalog->listRuns(request);
    runs = std::move(listed.runs);
    // The store's own count is read separately only when the store filter left runs out.
    const bool filtered = !request.filter.statuses.empty() || !request.filter.tags.empty() ||
                          !request.filter.params.empty();
    m_storeTotal =
        filtered ? m_catalog->listRuns(storage::RunListRequest{.limit = 1}).total : listed.total;
    const auto params = m_catalog->paramColumns(kColumnParams);
    for (const storage::RunSummary& run : runs) {
      const auto found = params.find(run.id);
      extras.emplace(run.id,
                     found == params.end() ? RunsTableModel::Extras{} : extrasFrom(found->second));
    }
  } catch (const std::exception& error) {
    showError(describeError(error));
    return;
  }
  const std::vector<int64_t> selected = selectedRunIds();
  const std::optional<int64_t> current = selectedRunId();
  m_model->setRuns(std::move(runs), std::move(extras));
  selectRuns(selected);
  if (current && selected.size() <= 1) selectRun(*current);
  m_errorText.clear();
  showRuns(m_model->rowCount());
  m_pollTimer->start();
  refreshDetail();
  if (m_lower->indexOf(m_compare) >= 0) {
    try {
      m_compare->refresh(*m_catalog);
    } catch (const std::exception& error) {
      showError(describeError(error));
      return;
    }
  }
  updateActions();
  Q_EMIT runsReloaded(m_model->rowCount());
}

void RunsPage::showRuns(int runCount) {
  if (!m_errorText.isEmpty()) return;
  const int64_t all = std::max<int64_t>(m_storeTotal, runCount);
  m_states->setCurrentIndex(all == 0 ? EmptyState : TableState);
  m_filterBar->setCounts(m_proxy->rowCount(), all);
  if (runCount > 0 && !m_columnsSized) {
    // Sized once per store, so widths the user sets survive reloads.
    m_table->resizeColumnsToContents();
    m_columnsSized = true;
  }
}

void RunsPage::showError(const QString& message) {
  m_pollTimer->stop();
  closeDetail();
  m_model->setRuns({});
  m_errorText = message.isEmpty() ? tr("The store reported an error without a message.") : message;
  m_errorLabel->setText(m_errorText);
  m_filterBar->hideFilter();
  m_states->setCurrentIndex(ErrorState);
  Q_EMIT storeFailed(m_errorText);
}

int RunsPage::selectRuns(const std::vector<int64_t>& runIds) {
  QItemSelection selection;
  int found = 0;
  for (const int64_t id : runIds) {
    const int row = m_model->rowOfRun(id);
    if (row < 0) continue;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid()) continue;
    selection.select(index, index);
    ++found;
  }
  m_table->selectionModel()->select(
      selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  return found;
}

std::vector<int64_t> RunsPage::selectedRunIds() const {
  std::vector<int64_t> ids;
  for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
    ids.push_back(index.data(RunsTableModel::kRunIdRole).value<qint64>());
  std::sort(ids.begin(), ids.end());
  return ids;
}

QString RunsPage::filterError() const {
  return m_filterBar->errorText();
}

void RunsPage::applyFilterText(bool storeChanged) {
  // Store conditions went to the store; the remaining words filter the rows by any column.
  m_proxy->setFilterFixedString(m_filterBar->textFilter());
  if (storeChanged && m_catalog && m_catalog->isOpen() && m_errorText.isEmpty()) reload();
  showRuns(m_model->rowCount());
}

void RunsPage::setColumnShown(int column, bool shown) {
  m_table->setColumnHidden(column, !shown);
  QStringList hidden;
  for (int c = 0; c < RunsTableModel::ColumnCount; ++c)
    if (m_table->isColumnHidden(c)) hidden << QString::number(c);
  QSettings().setValue(QString::fromLatin1(kHiddenColumnsKey), hidden);
}

void RunsPage::showHeaderMenu(const QPoint& at) {
  QMenu menu(this);
  for (int c = 0; c < RunsTableModel::ColumnCount; ++c) {
    QAction* toggle = menu.addAction(m_model->headerData(c, Qt::Horizontal).toString());
    toggle->setCheckable(true);
    toggle->setChecked(!m_table->isColumnHidden(c));
    toggle->setEnabled(c != RunsTableModel::NameColumn);
    connect(toggle, &QAction::toggled, this, [this, c](bool on) { setColumnShown(c, on); });
  }
  menu.exec(m_table->horizontalHeader()->mapToGlobal(at));
}

std::optional<int64_t> RunsPage::selectedRunId() const {
  const QModelIndex current = m_table->selectionModel()->currentIndex();
  if (!current.isValid()) return std::nullopt;
  return current.data(RunsTableModel::kRunIdRole).value<qint64>();
}

void RunsPage::selectRun(int64_t runId) {
  const int row = m_model->rowOfRun(runId);
  if (row < 0) return;
  const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
  m_table->selectionModel()->setCurrentIndex(
      index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

}  // namespace layerlab::ui
