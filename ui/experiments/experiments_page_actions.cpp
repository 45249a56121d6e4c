// The Experiments place's actions: the queue process, the store edits (pause, resume, cancel,
// more trials), the best trial's hand-overs and the header and buttons that follow the state.
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>

#include "storage/experiment_store.h"

#include <tuple>

#include "ui/experiments/experiment_charts.h"
#include "ui/experiments/experiment_report.h"
#include "ui/experiments/experiments_page.h"
#include "ui/experiments/new_experiment_dialog.h"
#include "ui/experiments/trials_table_model.h"
#include "ui/worker.h"

namespace layerlab::ui {
namespace {

using storage::ExperimentStatus;

constexpr int kQueueStopWaitMs = 10'000;
constexpr qsizetype kKeptQueueOutput = 4000;

QString directionText(engine::Direction direction) {
  return direction == engine::Direction::Maximize ? QStringLiteral("max") : QStringLiteral("min");
}

}  // namespace

bool ExperimentsPage::queueRunning() const {
  const auto found = m_queues.find(m_selectedId);
  return found != m_queues.end() && found->second->state() != QProcess::NotRunning;
}

QString ExperimentsPage::queueOutput(int64_t id) const {
  const auto found = m_queues.find(id);
  return found == m_queues.end() ? QString() : found->second->property("output").toString();
}

void ExperimentsPage::updateHeader() {
  const auto& row = m_snapshot.selected;
  if (!row) {
    m_header->setText(m_snapshot.experiments.empty()
                          ? tr("No experiments in this store yet. New Experiment\u2026 makes one.")
                          : tr("Choose an experiment."));
    m_bestLabel->setText(QString());
    return;
  }
  int finished = 0, budget = 0;
  for (const ExperimentEntry& entry : m_snapshot.experiments)
    if (entry.id == row->id) std::tie(finished, budget) = std::pair(entry.finished, entry.budget);
  QString text =
      tr("<b>%1</b> \u2014 %2 \u00b7 %3 / %4 trials finished")
          .arg(QString::fromStdString(row->name).toHtmlEscaped(), experimentStatusText(row->status))
          .arg(finished)
          .arg(budget);
  if (const auto& spec = m_snapshot.spec)
    text +=
        tr("<br>%1 search \u00b7 objective %2 (%3) \u00b7 early stop: %4 \u00b7 %5 side by side")
            .arg(QString::fromStdString(spec->strategy),
                 QString::fromStdString(spec->objective.metric),
                 directionText(spec->objective.direction),
                 QString::fromStdString(spec->earlyStop.rule))
            .arg(spec->parallel);
  else if (!m_snapshot.specError.empty())
    text += tr("<br>Its definition cannot be read: %1")
                .arg(QString::fromStdString(m_snapshot.specError).toHtmlEscaped());
  m_header->setText(text);
  const TrialEntry* best = m_snapshot.best();
  m_bestLabel->setText(best ? tr("Best: \u2605 trial %1, %2 = %3 (run %4)")
                                  .arg(best->row.number)
                                  .arg(QString::fromStdString(m_snapshot.spec->objective.metric))
                                  .arg(*best->row.objective, 0, 'f', 4)
                                  .arg(best->row.runId.value_or(0))
                            : tr("No finished trial yet."));
}

void ExperimentsPage::updateButtons() {
  const auto& row = m_snapshot.selected;
  const ExperimentStatus status = row ? row->status : ExperimentStatus::Cancelled;
  const bool open =
      row && status != ExperimentStatus::Completed && status != ExperimentStatus::Cancelled;
  const bool started = !m_snapshot.trials.empty();
  m_startButton->setText(started ? tr("Carry On") : tr("Start"));
  m_startButton->setEnabled(open && !queueRunning());
  m_pauseButton->setEnabled(
      row && (status == ExperimentStatus::Running || status == ExperimentStatus::Queued));
  m_resumeButton->setEnabled(row && status == ExperimentStatus::Paused);
  m_cancelButton->setEnabled(open);
  m_addButton->setEnabled(row && status != ExperimentStatus::Cancelled);
  m_reportButton->setEnabled(row.has_value());
  const TrialEntry* best = m_snapshot.best();
  m_openBestButton->setEnabled(best && best->row.runId);
  m_rerunButton->setEnabled(best && best->row.runId && m_snapshot.spec);
}

bool ExperimentsPage::startQueue() {
  return m_snapshot.selected && startQueueFor(m_selectedId);
}

bool ExperimentsPage::startQueueFor(int64_t id) {
  const auto running = m_queues.find(id);
  if (running != m_queues.end() && running->second->state() != QProcess::NotRunning) return true;
  if (!QFileInfo(m_cliPath).isExecutable()) {
    setMessage(tr("The experiment queue runs in layerlab-cli, which is not at %1. Install it "
                  "beside LayerLab, or run \"layerlab-cli experiment run %2 --db %3\" yourself.")
                   .arg(m_cliPath)
                   .arg(id)
                   .arg(m_storePath));
    return false;
  }
  QProcess*& queue = m_queues[id];
  delete queue;
  queue = new QProcess(this);
  queue->setProcessChannelMode(QProcess::MergedChannels);
  connect(queue, &QProcess::readyRead, queue, [queue] {
    const QString output =
        queue->property("output").toString() + QString::fromLocal8Bit(queue->readAll());
    queue->setProperty("output", output.right(kKeptQueueOutput));
  });
  connect(queue, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart)
      setMessage(tr("layerlab-cli could not be started (%1).").arg(m_cliPath));
  });
  connect(queue, &QProcess::finished, this, [this, id](int exitCode, QProcess::ExitStatus status) {
    if (status != QProcess::NormalExit || exitCode != 0)
      setMessage(tr("The queue of experiment %1 ended with an error:\n%2")
                     .arg(id)
                     .arg(queueOutput(id).trimmed().right(600)));
    updateButtons();
    refresh();
    Q_EMIT queueFinished(exitCode);
  });
  setMessage(QString());
  queue->start(m_cliPath, {QStringLiteral("experiment"), QStringLiteral("run"), QString::number(id),
                           QStringLiteral("--db"), m_storePath});
  updateButtons();
  return true;
}

void ExperimentsPage::stopQueues() {
  // Stopped like Ctrl-C: the queue puts its running trials back, and Carry On continues them.
  for (auto& [id, queue] : m_queues) {
    if (queue->state() == QProcess::NotRunning) continue;
    queue->disconnect(this);
    queue->terminate();
    if (!queue->waitForFinished(kQueueStopWaitMs)) queue->kill();
    queue->waitForFinished(kQueueStopWaitMs);
  }
}

void ExperimentsPage::editStore(const std::function<void(const std::string& path)>& edit) {
  const std::string path = QFile::encodeName(m_storePath).toStdString();
  m_editor = std::make_unique<Worker>(
      this, [edit, path] { edit(path); }, tr("The store refused the change."),
      [this](const QString& error) {
        m_editor.reset();
        setMessage(error.isEmpty() ? QString() : tr("The store refused the change: %1").arg(error));
        refresh();
        Q_EMIT storeEditFinished(error);
      });
}

void ExperimentsPage::pauseExperiment() {
  const int64_t id = m_selectedId;
  editStore(
      [id](const std::string& path) { setExperimentStatus(path, id, ExperimentStatus::Paused); });
}

void ExperimentsPage::resumeExperiment() {
  const int64_t id = m_selectedId;
  editStore(
      [id](const std::string& path) { setExperimentStatus(path, id, ExperimentStatus::Running); });
}

void ExperimentsPage::cancelExperiment() {
  const int64_t id = m_selectedId;
  editStore([id](const std::string& path) { ui::cancelExperiment(path, id); });
}

void ExperimentsPage::askForMoreTrials() {
  bool ok = false;
  const int more =
      QInputDialog::getInt(this, tr("Add Trials"), tr("Trials to add to the experiment's budget:"),
                           5, 1, engine::kMaxTrials, 1, &ok);
  if (ok) addTrials(more);
}

void ExperimentsPage::addTrials(int more) {
  const int64_t id = m_selectedId;
  editStore([id, more](const std::string& path) { ui::addTrials(path, id, more); });
}

void ExperimentsPage::openBestInRuns() {
  const TrialEntry* best = m_snapshot.best();
  if (best && best->row.runId) Q_EMIT openRunRequested(*best->row.runId);
}

void ExperimentsPage::rerunBestWithMoreEpochs() {
  const TrialEntry* best = m_snapshot.best();
  if (!best || !best->row.runId || !m_snapshot.spec) return;
  try {
    const engine::ExperimentBase documents = trialDocuments(*m_snapshot.spec, *best, 2);
    Q_EMIT rerunRequested(*best->row.runId, QString::fromStdString(documents.model.dump()),
                          QString::fromStdString(m_snapshot.spec->data.dump()),
                          QString::fromStdString(documents.train.dump()));
  } catch (const std::exception& error) {
    setMessage(tr("The best trial cannot be trained again: %1").arg(error.what()));
  }
}

bool ExperimentsPage::saveReport(const QString& path) {
  QFile file(path);
  if (!m_snapshot.selected || !file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    setMessage(tr("The report could not be written to %1.").arg(path));
    return false;
  }
  const QString html = experimentReportHtml(m_snapshot, *m_trialsModel, m_charts->grabPlots());
  const bool written = file.write(html.toUtf8()) >= 0 && file.flush();
  setMessage(written ? QString() : tr("The report could not be written to %1.").arg(path));
  return written;
}

void ExperimentsPage::setBaseProvider(std::function<ExperimentBaseDocuments()> provider) {
  m_baseProvider = std::move(provider);
}

NewExperimentDialog* ExperimentsPage::openNewExperimentDialog() {
  ExperimentBaseDocuments base;
  if (m_baseProvider) base = m_baseProvider();
  auto* dialog = new NewExperimentDialog(std::move(base), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &NewExperimentDialog::createRequested, this, &ExperimentsPage::createExperiment);
  dialog->open();
  return dialog;
}

// Stores the experiment on a worker (the store may be busy with a queue's writes), then shows it
// and starts its queue.
void ExperimentsPage::createExperiment(const QString& name, const QString& specJson) {
  const std::string path = QFile::encodeName(m_storePath).toStdString();
  auto id = std::make_shared<int64_t>(0);
  auto work = [path, id, name = name.toStdString(), spec = specJson.toStdString()] {
    storage::ExperimentStore store(path);
    *id = store.createExperiment(name, spec);
  };
  m_editor = std::make_unique<Worker>(
      this, work, tr("The experiment could not be stored."), [this, id](const QString& error) {
        m_editor.reset();
        setMessage(error.isEmpty() ? QString()
                                   : tr("The experiment could not be stored: %1").arg(error));
        if (error.isEmpty()) {
          m_selectedId = *id;
          startQueueFor(*id);
        }
        refresh();
        Q_EMIT storeEditFinished(error);
      });
}

}  // namespace layerlab::ui
