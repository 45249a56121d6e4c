#include "app/gui/training_session.h"

#include <QThread>
#include <QTimer>

#include <algorithm>
#include <mutex>
#include <optional>

#include "app/core/error_policy.h"
#include "app/core/training_job.h"
#include "engine/train/train_control.h"
#include "engine/train/trainer.h"
#include "storage/store_error.h"

namespace layerlab::app {

// What the worker and the GUI thread share. The control is read by the trainer; everything else
// is guarded by the mutex.
struct TrainingSession::Shared {
  engine::TrainControl control;
  std::mutex mutex;
  ui::TrainingUpdate pending;
  std::optional<JobStarted> started;
  bool startedReported = false;
  std::optional<ui::TrainingResult> result;
};

namespace {

ui::TrainingResult resultOf(const JobOutcome& outcome) {
  ui::TrainingResult result;
  result.runId = outcome.runId;
  result.status = QString::fromStdString(outcome.status);
  result.epochsDone = outcome.epochsDone;
  result.stoppedEarly = outcome.stoppedEarly;
  result.bestEpoch = outcome.bestEpoch;
  for (const auto& [name, value] : outcome.finalMetrics)
    result.finalMetrics.emplace_back(QString::fromStdString(name), value);
  if (!outcome.testConfusion.empty()) {
    result.testMatrix = storage::ConfusionMatrix{.runId = outcome.runId,
                                                 .split = "test",
                                                 .labels = outcome.testClasses,
                                                 .counts = outcome.testConfusion};
  }
  result.error = QString::fromStdString(outcome.error);
  return result;
}

ui::TrainingResult refused(const std::string& why) {
  ui::TrainingResult result;
  result.status = QStringLiteral("refused");
  result.error = QString::fromStdString(why);
  return result;
}

// The worker's whole life: the job, with every way out turned into a result.
ui::TrainingResult runJob(const TrainingJob& job, TrainingSession::Shared& shared);

}  // namespace

TrainingSession::TrainingSession(QObject* parent) : ui::TrainingBackend(parent) {
  m_drainTimer = new QTimer(this);
  m_drainTimer->setInterval(kDrainIntervalMs);
  connect(m_drainTimer, &QTimer::timeout, this, &TrainingSession::drain);
}

TrainingSession::~TrainingSession() {
  if (m_thread != nullptr) {
    m_shared->control.requestStop();
    m_shared->control.resume();
    m_thread->wait();
    delete m_thread;
  }
}

bool TrainingSession::start(const ui::TrainingRequest& request) {
  if (active()) return false;
  TrainingJob job;
  job.model = request.model;
  job.dataset = request.dataset;
  job.config = request.config;
  job.runName = request.runName.toStdString();
  job.storePath = request.storePath.toStdString();
  job.resumeRunId = request.resumeRunId;
  m_shared = std::make_shared<Shared>();
  m_thread = QThread::create([job, shared = m_shared] {
    ui::TrainingResult result = runJob(job, *shared);
    const std::lock_guard<std::mutex> lock(shared->mutex);
    shared->result = std::move(result);
  });
  m_thread->setObjectName(QStringLiteral("training"));
  // The last drain happens once the thread has ended, so finished() always follows every update.
  connect(m_thread, &QThread::finished, this, &TrainingSession::drain);
  m_thread->start();
  m_drainTimer->start();
  return true;
}

void TrainingSession::pause() {
  if (active()) m_shared->control.pause();
}

void TrainingSession::resume() {
  if (active()) m_shared->control.resume();
}

void TrainingSession::stop() {
  if (!active()) return;
  m_shared->control.requestStop();
  m_shared->control.resume();  // a paused run must wake up to see the stop
}

QString TrainingSession::deviceDescription() {
  return QString::fromStdString(defaultDeviceDescription());
}

std::vector<ui::DeviceChoice> TrainingSession::devices() const {
  const int threads = engine::defaultThreadCount();
  std::vector<ui::DeviceChoice> choices{
      {tr("Automatic: %1").arg(deviceDescription()), QStringLiteral("auto")},
      {threads == 1 ? tr("CPU (1 thread)") : tr("CPU (%1 threads)").arg(threads),
       QStringLiteral("cpu")}};
  if (torch::cuda::is_available()) {
    choices.push_back(
        {QString::fromStdString(engine::describeDevice(torch::Device(torch::kCUDA, 0))),
         QStringLiteral("cuda")});
  }
  return choices;
}

bool TrainingSession::holding() const {
  return active() && m_shared->control.held();
}

bool TrainingSession::reportsPending() const {
  if (!active()) return false;
  const std::lock_guard<std::mutex> lock(m_shared->mutex);
  const ui::TrainingUpdate& pending = m_shared->pending;
  return !pending.batches.empty() || !pending.epochs.empty() || !pending.logLines.isEmpty();
}

bool TrainingSession::active() const {
  return m_thread != nullptr;
}

bool TrainingSession::paused() const {
  return active() && m_shared->control.paused();
}

void TrainingSession::drain() {
  if (m_thread == nullptr) return;
  ui::TrainingUpdate update;
  std::optional<JobStarted> started;
  std::optional<ui::TrainingResult> result;
  bool done = false;  // decided once: the thread may end while this runs
  {
    const std::lock_guard<std::mutex> lock(m_shared->mutex);
    std::swap(update, m_shared->pending);
    if (m_shared->started && !m_shared->startedReported) {
      started = m_shared->started;
      m_shared->startedReported = true;
    }
    done = m_thread->isFinished();
    if (done) result = m_shared->result;
  }
  if (started) {
    Q_EMIT this->started(started->runId, QString::fromStdString(started->device),
                         QString::fromStdString(started->dataDescription), started->trainSamples,
                         started->parameterCount);
  }
  if (!update.batches.empty() || !update.epochs.empty() || !update.logLines.isEmpty())
    Q_EMIT updated(update);
  if (!done) return;
  m_drainTimer->stop();
  m_thread->wait();
  delete m_thread;
  m_thread = nullptr;
  Q_EMIT finished(result ? *result : refused("the training thread ended without a result"));
}

namespace {

ui::TrainingResult runJob(const TrainingJob& job, TrainingSession::Shared& shared) {
  JobCallbacks callbacks;
  callbacks.onStarted = [&shared](const JobStarted& started) {
    const std::lock_guard<std::mutex> lock(shared.mutex);
    shared.started = started;
  };
  callbacks.training.onBatch = [&shared](const engine::BatchProgress& progress) {
    const std::lock_guard<std::mutex> lock(shared.mutex);
    shared.pending.batches.push_back(progress);
  };
  callbacks.training.onEpoch = [&shared](const engine::EpochSummary& summary) {
    const std::lock_guard<std::mutex> lock(shared.mutex);
    shared.pending.epochs.push_back(summary);
  };
  callbacks.training.onLog = [&shared](const std::string& line) {
    const std::lock_guard<std::mutex> lock(shared.mutex);
    shared.pending.logLines.append(QString::fromStdString(line));
  };
  try {
    if (job.resumeRunId > 0) {
      // The stored run's own documents; only how far to go comes from the request.
      TrainingJob resumed = jobToResume(job.storePath, job.resumeRunId);
      resumed.config.epochs = std::max(resumed.config.epochs, job.config.epochs);
      return resultOf(runTrainingJob(resumed, callbacks, shared.control));
    }
    return resultOf(runTrainingJob(job, callbacks, shared.control));
  } catch (const storage::StoreError& error) {
    return refused("the store cannot be used: " + describeCurrentError().message);
  } catch (...) {  // no exception leaves this thread (app/core/error_policy.h)
    return refused(describeCurrentError().message);
  }
}

}  // namespace
}  // namespace layerlab::app
