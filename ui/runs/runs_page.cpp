#include "ui/runs/runs_page.h"

#include <QAction>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <map>
#include <utility>

#include "storage/run_filter.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "ui/export/try_it_panel.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/run_format.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {
namespace {

// The pages of m_states, in the order they are added.
enum State { TableState, EmptyState, ErrorState };

constexpr int kPageMargin = 24;

QLabel* makeLabel(const QString& text, double scale, bool bold, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  QFont font = label->font();
  font.setPointSizeF(font.pointSizeF() * scale);
  font.setBold(bold);
  label->setFont(font);
  return label;
}

// Centres `content` a little above the middle of a page, as the other places do.
QWidget* centred(QWidget* content, QWidget* parent) {
  auto* page = new QWidget(parent);
  auto* row = new QHBoxLayout;
  row->addStretch(1);
  row->addWidget(content, 3);
  row->addStretch(1);
  auto* layout = new QVBoxLayout(page);
  layout->addStretch(2);
  layout->addLayout(row);
  layout->addStretch(3);
  return page;
}

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
  m_states->addWidget(buildEmptyState());
  m_states->addWidget(buildErrorState());

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(kPageMargin, kPageMargin - 4, kPageMargin, kPageMargin - 8);
  layout->setSpacing(14);
  layout->addWidget(buildHeader());
  layout->addWidget(m_states, 1);

  m_pollTimer->setObjectName(QStringLiteral("runsPollTimer"));
  m_pollTimer->setInterval(kPollIntervalMs);
  connect(m_pollTimer, &QTimer::timeout, this, &RunsPage::pollStore);
  openStore(storePath);
}

RunsPage::~RunsPage() = default;

QWidget* RunsPage::buildHeader() {
  auto* header = new QWidget(this);
  QLabel* title = makeLabel(tr("Runs"), 1.6, true, header);
  m_countLabel = new QLabel(header);
  m_countLabel->setObjectName(QStringLiteral("runsCount"));
  m_countLabel->setForegroundRole(QPalette::PlaceholderText);

  m_filter = new QLineEdit(header);
  m_filter->setObjectName(QStringLiteral("runsFilter"));
  m_filter->setPlaceholderText(
      tr("Filter: text, status:failed, tag:baseline, lr<0.01, "
         "optimizer=adam"));
  m_filter->setToolTip(
      tr("Words filter the rows by any column. status:NAME[,NAME] and tag:NAME select by status "
         "and tag; KEY OP VALUE (= != < <= > >= ~) compares a parameter, e.g. lr<0.01, "
         "optimizer=adam, batch_size>=64, dataset.source=csv."));
  m_filter->setClearButtonEnabled(true);
  m_filter->setMinimumWidth(380);
  connect(m_filter, &QLineEdit::textChanged, this, &RunsPage::applyFilterText);
  m_filterError = new QLabel(header);
  m_filterError->setObjectName(QStringLiteral("runsFilterError"));
  m_filterError->setStyleSheet(
      QStringLiteral("color: %1;").arg(runStatusColor(storage::RunStatus::Failed).name()));
  m_filterError->hide();

  auto* layout = new QHBoxLayout(header);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addWidget(title, 0, Qt::AlignBaseline);
  layout->addWidget(m_countLabel, 0, Qt::AlignBaseline);
  layout->addStretch(1);
  layout->addWidget(m_filterError);
  layout->addWidget(m_filter);
  return header;
}

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

  m_detail = new RunDetailPanel(this);
  m_detail->hide();
  connect(m_detail, &RunDetailPanel::closeRequested, this, &RunsPage::closeDetail);
  connect(m_detail, &RunDetailPanel::openModelRequested, this, &RunsPage::openModelRequested);

  m_compare = new CompareView(this);
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

  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->setSpacing(2);
  topLayout->addWidget(buildActions());
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
  splitter->addWidget(m_lower);
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  return splitter;
}

QWidget* RunsPage::buildEmptyState() {
  auto* content = new QWidget(this);
  content->setObjectName(QStringLiteral("runsEmptyState"));
  content->setMaximumWidth(620);
  QLabel* heading = makeLabel(tr("No runs yet."), 1.5, true, content);
  QLabel* body = makeLabel(
      tr("Train one with <code>layerlab-cli train \u2026</code> or from the Train place."), 1.1,
      false, content);
  body->setWordWrap(true);
  QLabel* hint = makeLabel(tr("A run appears here within a second of starting, whichever "
                              "program started it."),
                           1.0, false, content);
  hint->setWordWrap(true);
  hint->setForegroundRole(QPalette::PlaceholderText);

  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addWidget(heading);
  layout->addWidget(body);
  layout->addWidget(hint);
  return centred(content, this);
}

QWidget* RunsPage::buildErrorState() {
  auto* content = new QWidget(this);
  content->setObjectName(QStringLiteral("runsErrorState"));
  content->setMaximumWidth(620);
  auto* icon = new QLabel(content);
  icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(32, 32));
  QLabel* heading = makeLabel(tr("This store could not be opened."), 1.5, true, content);
  heading->setObjectName(QStringLiteral("runsErrorHeading"));

  m_errorLabel = makeLabel({}, 1.0, false, content);
  m_errorLabel->setObjectName(QStringLiteral("runsErrorText"));
  m_errorLabel->setTextFormat(Qt::PlainText);
  m_errorLabel->setWordWrap(true);
  m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

  QLabel* hint = makeLabel(tr("Choose another store with File \u203a Open Store\u2026, or try "
                              "again once the file is fixed."),
                           1.0, false, content);
  hint->setWordWrap(true);
  hint->setForegroundRole(QPalette::PlaceholderText);

  auto* retry = new QPushButton(tr("Try Again"), content);
  retry->setObjectName(QStringLiteral("runsRetryButton"));
  connect(retry, &QPushButton::clicked, this, [this] { openStore(m_storePath); });

  auto* titleRow = new QHBoxLayout;
  titleRow->setSpacing(12);
  titleRow->addWidget(icon);
  titleRow->addWidget(heading, 1);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addLayout(titleRow);
  layout->addWidget(m_errorLabel);
  layout->addWidget(hint);
  layout->addWidget(retry, 0, Qt::AlignLeft);
  return centred(content, this);
}

void RunsPage::openStore(const QString& path) {
  m_pollTimer->stop();
  closeDetail();
  m_query.reset();
  m_dataVersion.reset();
  m_storePath = path;
  m_columnsSized = false;
  try {
    m_query = std::make_unique<storage::RunQuery>(QFile::encodeName(path).toStdString());
  } catch (const std::exception& error) {
    showError(describeError(error));
    return;
  }
  reload();
}

void RunsPage::pollStore() {
  if (!m_query) return;
  try {
    if (m_query->dataVersion() == m_dataVersion) {
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
    m_dataVersion = m_query->dataVersion();
    storage::RunListRequest request;
    request.filter = m_storeFilter;
    storage::RunPage listed = m_query->listRuns(request);
    runs = std::move(listed.runs);
    // The store's own count is read separately only when the store filter left runs out.
    const bool filtered = !m_storeFilter.statuses.empty() || !m_storeFilter.tags.empty() ||
                          !m_storeFilter.params.empty();
    m_storeTotal =
        filtered ? m_query->listRuns(storage::RunListRequest{.limit = 1}).total : listed.total;
    const auto params = m_query->paramColumns(kColumnParams);
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
      m_compare->refresh(*m_query);
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
  // With nothing to filter or count, the empty state speaks for itself.
  m_filter->setVisible(all > 0);
  m_countLabel->setVisible(all > 0);
  const int shown = m_proxy->rowCount();
  const QString total = all == 1 ? tr("1 run") : tr("%1 runs").arg(all);
  m_countLabel->setText(shown == all ? total : tr("%1 of %2").arg(shown).arg(total));
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
  m_countLabel->hide();
  m_filter->hide();
  m_states->setCurrentIndex(ErrorState);
  Q_EMIT storeFailed(m_errorText);
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
  if (!m_query) return;
  std::optional<storage::RunDetail> run;
  std::vector<storage::EpochMetrics> epochs;
  RunCurves curves;
  try {
    run = m_query->run(runId);
    if (run) {
      epochs = m_query->epochs(runId);
      storage::SeriesRequest batches{.runIds = {runId},
                                     .metrics = {{"train", "loss"}, {"train", "accuracy"}},
                                     .kind = storage::MetricKind::Batch,
                                     .maxPoints = kCurvePoints};
      storage::SeriesRequest perEpoch{.runIds = {runId},
                                      .metrics = {{"val", "loss"}, {"val", "accuracy"}},
                                      .kind = storage::MetricKind::Epoch};
      curves.series = m_query->series(batches);
      for (storage::MetricSeries& series : m_query->series(perEpoch))
        curves.series.push_back(std::move(series));
      curves.matrices = m_query->confusionMatrices(runId);
    }
  } catch (const std::exception& error) {
    showError(describeError(error));
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
  if (!m_query || runIds.size() < 2 || runIds.size() > static_cast<size_t>(kMaxCompared)) return;
  try {
    m_compare->showRuns(*m_query, runIds);
  } catch (const std::exception& error) {
    showError(describeError(error));
    return;
  }
  if (m_lower->indexOf(m_compare) < 0) m_lower->addTab(m_compare, QString());
  m_lower->setTabText(
      m_lower->indexOf(m_compare),
      tr("Compare %n run(s)", nullptr, static_cast<int>(m_compare->runIds().size())));
  m_lower->setCurrentWidget(m_compare);
  m_lower->show();
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
  return m_filterError->isVisibleTo(this) ? m_filterError->text() : QString();
}

void RunsPage::applyFilterText() {
  // Store conditions go to the store; the remaining words filter the rows shown by any column.
  storage::RunFilter filter;
  try {
    filter = storage::parseRunFilterText(m_filter->text().toStdString());
  } catch (const std::invalid_argument& error) {
    m_filterError->setText(QString::fromUtf8(error.what()));
    m_filterError->show();
    return;
  }
  m_filterError->hide();
  const QString text = QString::fromStdString(filter.text);
  filter.text.clear();
  const bool storeChanged =
      filter.statuses != m_storeFilter.statuses || filter.tags != m_storeFilter.tags ||
      filter.params.size() != m_storeFilter.params.size() ||
      !std::equal(filter.params.begin(), filter.params.end(), m_storeFilter.params.begin(),
                  [](const auto& a, const auto& b) {
                    return a.key == b.key && a.op == b.op && a.value == b.value;
                  });
  m_storeFilter = filter;
  m_proxy->setFilterFixedString(text);
  if (storeChanged && m_query) reload();
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
