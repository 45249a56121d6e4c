#include "ui/experiments/experiments_page.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/experiments/experiment_charts.h"
#include "ui/experiments/trials_table_model.h"
#include "ui/worker.h"

namespace layerlab::ui {
namespace {

constexpr int kListWidth = 240;

QString listText(const ExperimentEntry& entry) {
  return QCoreApplication::translate("ExperimentsPage", "%1\n%2 \u00b7 %3 / %4 trials")
      .arg(QString::fromStdString(entry.name), experimentStatusText(entry.status))
      .arg(entry.finished)
      .arg(entry.budget);
}

QPushButton* makeButton(const QString& text, const char* name, QWidget* parent) {
  auto* button = new QPushButton(text, parent);
  button->setObjectName(QString::fromLatin1(name));
  return button;
}

}  // namespace

ExperimentsPage::ExperimentsPage(const QString& storePath, QWidget* parent)
    : QWidget(parent),
      m_storePath(storePath),
      m_cliPath(
          QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("layerlab-cli"))),
      m_specCache(std::make_shared<SpecCache>()) {
  setObjectName(QStringLiteral("experimentsPage"));
  auto* splitter = new QSplitter(Qt::Horizontal, this);
  splitter->addWidget(buildListPane());
  splitter->addWidget(buildTrialsPane());
  splitter->setStretchFactor(1, 1);
  splitter->setSizes({kListWidth, 900});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->addWidget(splitter);

  m_timer = new QTimer(this);
  m_timer->setInterval(kRefreshIntervalMs);
  connect(m_timer, &QTimer::timeout, this, &ExperimentsPage::onTick);
  m_timer->start();
  updateButtons();
}

ExperimentsPage::~ExperimentsPage() {
  stopQueues();
}

QWidget* ExperimentsPage::buildListPane() {
  auto* pane = new QWidget(this);
  m_list = new QListWidget(pane);
  m_list->setObjectName(QStringLiteral("experimentList"));
  m_list->setWordWrap(true);
  connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row < 0) return;
    selectExperiment(m_list->item(row)->data(Qt::UserRole).toLongLong());
  });
  m_newButton = makeButton(tr("New Experiment\u2026"), "newExperimentButton", pane);
  connect(m_newButton, &QPushButton::clicked, this, [this] { openNewExperimentDialog(); });
  auto* layout = new QVBoxLayout(pane);
  layout->setContentsMargins(0, 0, 4, 0);
  layout->addWidget(new QLabel(tr("<b>Experiments</b>"), pane));
  layout->addWidget(m_list, 1);
  layout->addWidget(m_newButton);
  pane->setMinimumWidth(200);
  return pane;
}

QWidget* ExperimentsPage::buildTrialsPane() {
  auto* pane = new QWidget(this);
  m_header = new QLabel(tr("Choose an experiment, or make a new one."), pane);
  m_header->setObjectName(QStringLiteral("experimentHeader"));
  m_header->setWordWrap(true);
  m_message = new QLabel(pane);
  m_message->setObjectName(QStringLiteral("experimentMessage"));
  m_message->setWordWrap(true);
  m_message->setStyleSheet(QStringLiteral("color: #a02020;"));
  m_message->hide();
  m_trialsModel = new TrialsTableModel(this);
  m_table = new QTableView(pane);
  m_table->setObjectName(QStringLiteral("trialsTable"));
  m_table->setModel(m_trialsModel);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_charts = new ExperimentCharts(pane);
  auto* split = new QSplitter(Qt::Vertical, pane);
  split->addWidget(m_table);
  split->addWidget(m_charts);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  auto* layout = new QVBoxLayout(pane);
  layout->setContentsMargins(4, 0, 0, 0);
  layout->addWidget(m_header);
  layout->addWidget(buildButtonRow());
  layout->addWidget(m_message);
  layout->addWidget(buildBestRow());
  layout->addWidget(split, 1);
  return pane;
}

QWidget* ExperimentsPage::buildButtonRow() {
  auto* row = new QWidget(this);
  m_startButton = makeButton(tr("Start"), "startQueueButton", row);
  m_pauseButton = makeButton(tr("Pause"), "pauseExperimentButton", row);
  m_resumeButton = makeButton(tr("Resume"), "resumeExperimentButton", row);
  m_cancelButton = makeButton(tr("Cancel Experiment"), "cancelExperimentButton", row);
  m_addButton = makeButton(tr("Add Trials\u2026"), "addTrialsButton", row);
  connect(m_startButton, &QPushButton::clicked, this, [this] { startQueue(); });
  connect(m_pauseButton, &QPushButton::clicked, this, &ExperimentsPage::pauseExperiment);
  connect(m_resumeButton, &QPushButton::clicked, this, &ExperimentsPage::resumeExperiment);
  connect(m_cancelButton, &QPushButton::clicked, this, &ExperimentsPage::cancelExperiment);
  connect(m_addButton, &QPushButton::clicked, this, &ExperimentsPage::askForMoreTrials);
  m_reportButton = makeButton(tr("Save Report\u2026"), "saveReportButton", row);
  connect(m_reportButton, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Report"), QStringLiteral("experiment-%1.html").arg(m_selectedId),
        tr("HTML (*.html)"));
    if (!path.isEmpty()) saveReport(path);
  });
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  for (QPushButton* button :
       {m_startButton, m_pauseButton, m_resumeButton, m_cancelButton, m_addButton, m_reportButton})
    layout->addWidget(button);
  layout->addStretch(1);
  return row;
}

QWidget* ExperimentsPage::buildBestRow() {
  auto* row = new QWidget(this);
  m_bestLabel = new QLabel(row);
  m_bestLabel->setObjectName(QStringLiteral("bestTrialLabel"));
  m_bestLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_openBestButton = makeButton(tr("Open in Runs"), "openBestButton", row);
  m_rerunButton = makeButton(tr("Re-run with More Epochs"), "rerunBestButton", row);
  m_rerunButton->setToolTip(
      tr("Trains the best trial's model and settings again in the Train "
         "place, with twice the epochs."));
  connect(m_openBestButton, &QPushButton::clicked, this, &ExperimentsPage::openBestInRuns);
  connect(m_rerunButton, &QPushButton::clicked, this, &ExperimentsPage::rerunBestWithMoreEpochs);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_bestLabel, 1);
  layout->addWidget(m_openBestButton);
  layout->addWidget(m_rerunButton);
  return row;
}

void ExperimentsPage::openStore(const QString& path) {
  m_storePath = path;
  m_selectedId = 0;
  m_specCache = std::make_shared<SpecCache>();
  refresh();
}

void ExperimentsPage::selectExperiment(int64_t id) {
  if (id == m_selectedId) return;
  m_selectedId = id;
  refresh();
}

QString ExperimentsPage::message() const {
  return m_message->text();
}

void ExperimentsPage::setMessage(const QString& text) {
  m_message->setText(text);
  m_message->setVisible(!text.isEmpty());
}

void ExperimentsPage::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refresh();
}

void ExperimentsPage::onTick() {
  if (isVisible() || queueRunning()) refresh();
}

void ExperimentsPage::refresh() {
  if (m_reader) {
    m_refreshAgain = true;
    return;
  }
  if (!QFileInfo::exists(m_storePath)) {
    showSnapshot({});
    Q_EMIT refreshed();
    return;
  }
  auto result = std::make_shared<ExperimentSnapshot>();
  const std::string path = QFile::encodeName(m_storePath).toStdString();
  const int64_t id = m_selectedId;
  std::shared_ptr<SpecCache> cache = m_specCache;
  auto work = [result, path, id, cache] { *result = readExperimentSnapshot(path, id, *cache); };
  m_reader = std::make_unique<Worker>(
      this, work, tr("The store could not be read."), [this, result, id](const QString& error) {
        m_reader.reset();
        if (!error.isEmpty())
          setMessage(tr("The store could not be read: %1").arg(error));
        else if (id == m_selectedId)
          showSnapshot(std::move(*result));
        if (std::exchange(m_refreshAgain, false) || id != m_selectedId) {
          refresh();
          return;
        }
        Q_EMIT refreshed();
      });
}

void ExperimentsPage::showSnapshot(ExperimentSnapshot snapshot) {
  m_snapshot = std::move(snapshot);
  // The newest experiment is shown until the user chooses another.
  if (m_selectedId == 0 && !m_snapshot.experiments.empty()) {
    m_selectedId = m_snapshot.experiments.front().id;
    m_refreshAgain = true;
  }
  fillList();
  m_trialsModel->setSnapshot(m_snapshot);
  m_charts->setSnapshot(m_snapshot);
  updateHeader();
  updateButtons();
}

void ExperimentsPage::fillList() {
  bool sameIds = m_list->count() == static_cast<int>(m_snapshot.experiments.size());
  for (int row = 0; sameIds && row < m_list->count(); ++row)
    sameIds = m_list->item(row)->data(Qt::UserRole).toLongLong() ==
              m_snapshot.experiments[static_cast<size_t>(row)].id;
  QSignalBlocker blocker(m_list);
  if (!sameIds) m_list->clear();
  for (size_t row = 0; row < m_snapshot.experiments.size(); ++row) {
    const ExperimentEntry& entry = m_snapshot.experiments[row];
    QListWidgetItem* item =
        sameIds ? m_list->item(static_cast<int>(row)) : new QListWidgetItem(m_list);
    item->setText(listText(entry));
    item->setData(Qt::UserRole, QVariant::fromValue<qint64>(entry.id));
    if (entry.id == m_selectedId) m_list->setCurrentItem(item);
  }
}

}  // namespace layerlab::ui
