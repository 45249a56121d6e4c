#include "ui/runs/runs_page.h"

#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <exception>
#include <utility>

#include "storage/run_filter.h"
#include "storage/run_query.h"
#include "ui/runs/run_detail_panel.h"
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
  m_filter->setPlaceholderText(tr("Filter by name, status or device"));
  m_filter->setClearButtonEnabled(true);
  m_filter->setMinimumWidth(280);
  connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
    m_proxy->setFilterFixedString(text);
    showRuns(m_model->rowCount());
  });

  auto* layout = new QHBoxLayout(header);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addWidget(title, 0, Qt::AlignBaseline);
  layout->addWidget(m_countLabel, 0, Qt::AlignBaseline);
  layout->addStretch(1);
  layout->addWidget(m_filter);
  return header;
}

QWidget* RunsPage::buildTableState() {
  m_table = new QTableView(this);
  m_table->setObjectName(QStringLiteral("runsTable"));
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(RunsTableModel::IdColumn, Qt::DescendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->setToolTip(tr("Double-click a run to see its epochs"));
  m_table->verticalHeader()->hide();
  // Fusion's default rows are roomy for a list that grows with every run.
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 12);
  m_table->horizontalHeader()->setHighlightSections(false);
  m_table->horizontalHeader()->setSectionResizeMode(RunsTableModel::NameColumn,
                                                    QHeaderView::Stretch);
  connect(m_table, &QTableView::doubleClicked, this, &RunsPage::openDetail);

  m_detail = new RunDetailPanel(this);
  m_detail->hide();
  connect(m_detail, &RunDetailPanel::closeRequested, this, &RunsPage::closeDetail);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->setChildrenCollapsible(false);
  splitter->addWidget(m_table);
  splitter->addWidget(m_detail);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
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
  try {
    // The version is read before the list: a commit landing between the two reads then makes the
    // next poll reload again instead of going unseen.
    m_dataVersion = m_query->dataVersion();
    runs = m_query->listRuns();
  } catch (const std::exception& error) {
    showError(describeError(error));
    return;
  }
  const std::optional<int64_t> selected = selectedRunId();
  m_model->setRuns(std::move(runs));
  if (selected) selectRun(*selected);
  m_errorText.clear();
  showRuns(m_model->rowCount());
  m_pollTimer->start();
  refreshDetail();
  Q_EMIT runsReloaded(m_model->rowCount());
}

void RunsPage::showRuns(int runCount) {
  if (!m_errorText.isEmpty()) return;
  m_states->setCurrentIndex(runCount == 0 ? EmptyState : TableState);
  // With nothing to filter or count, the empty state speaks for itself.
  m_filter->setVisible(runCount > 0);
  m_countLabel->setVisible(runCount > 0);
  const int shown = m_proxy->rowCount();
  const QString total = runCount == 1 ? tr("1 run") : tr("%1 runs").arg(runCount);
  m_countLabel->setText(shown == runCount ? total : tr("%1 of %2").arg(shown).arg(total));
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
  if (runId && !m_detail->isHidden()) loadDetail(*runId);
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
  m_detail->show();
}

void RunsPage::showRunDetail(int64_t runId) {
  reload();
  selectRun(runId);
  loadDetail(runId);
}

void RunsPage::closeDetail() {
  m_detail->hide();
  m_detail->clear();
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
