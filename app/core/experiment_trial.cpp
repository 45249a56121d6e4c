#include "app/core/experiment_trial.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "app/core/error_policy.h"
#include "app/core/stored_run.h"
#include "app/core/training_job.h"
#include "engine/model/json_document.h"
#include "engine/model/model_analysis.h"
#include "storage/run_query.h"
#include "storage/run_store.h"

namespace layerlab::app {

namespace {

using storage::ExperimentStatus;
using storage::TrialStatus;

// How often a training trial looks at its experiment's status (pause, cancel).
constexpr auto kWatchInterval = std::chrono::milliseconds(250);

std::string trialName(int64_t experimentId, int number) {
  return "trial " + std::to_string(number) + " of experiment " + std::to_string(experimentId);
}

// Follows the experiment's status on its own connection while the trial trains: paused pauses
// the training between batches, running again resumes it, cancelled stops it.
class StatusWatcher {
 public:
  StatusWatcher(const std::string& storePath, int64_t experimentId, engine::TrainControl& control)
      : m_thread([this, storePath, experimentId, &control] {
          watch(storePath, experimentId, control);
        }) {}
  ~StatusWatcher() {
    {
      const std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_wake.notify_all();
    m_thread.join();
  }
  StatusWatcher(const StatusWatcher&) = delete;
  StatusWatcher& operator=(const StatusWatcher&) = delete;

  bool cancelled() const { return m_cancelled.load(); }

 private:
  void watch(const std::string& storePath, int64_t experimentId, engine::TrainControl& control) {
    try {
      storage::ExperimentStore store(storePath, storage::existingStoreOptions());
      std::unique_lock lock(m_mutex);
      while (!m_wake.wait_for(lock, kWatchInterval, [this] { return m_done; })) {
        const std::optional<storage::ExperimentRow> row = store.experiment(experimentId);
        const ExperimentStatus status = row ? row->status : ExperimentStatus::Cancelled;
        if (status == ExperimentStatus::Cancelled) {
          m_cancelled = true;
          control.requestStop();
        } else if (status == ExperimentStatus::Paused) {
          control.pause();
        } else {
          control.resume();
        }
      }
    } catch (...) {
      // A store that cannot be read now leaves the training to go on; its own writes report.
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_done = false;
  std::atomic<bool> m_cancelled{false};
  std::thread m_thread;
};

// The job of a trial that has not started its run: the base with the trial's parameters.
TrainingJob newTrialJob(const std::string& storePath, const storage::ExperimentRow& experiment,
                        const engine::ExperimentSpec& spec, const storage::TrialRow& trial) {
  const nlohmann::json params =
      engine::parseJsonDocument(trial.paramsJson, trialName(experiment.id, trial.number));
  const engine::ExperimentBase applied = engine::applyParams(spec.base, params);
  engine::ModelParseResult parsed = engine::parseModelSpec(applied.model.dump());
  if (!parsed.spec) {
    throw JobInputError("the model with these parameters: " + parsed.problems.front().describe());
  }
  for (const auto& problem : engine::analyzeModel(*parsed.spec).problems)
    throw JobInputError("the model with these parameters: " + problem.describe());
  TrainingJob job;
  job.model = std::move(*parsed.spec);
  job.config = engine::trainConfigFromJson(applied.train);
  job.dataset = engine::datasetSpecFromJson(spec.data);
  job.runName =
      (experiment.name.empty() ? "experiment " + std::to_string(experiment.id) : experiment.name) +
      " · trial " + std::to_string(trial.number);
  job.storePath = storePath;
  job.trial = storage::NewRun::TrialLink{experiment.id, trial.number};
  return job;
}

std::vector<engine::TrialCurve> curvesOf(storage::ExperimentStore& store, int64_t experimentId,
                                         const engine::ObjectiveSpec& objective) {
  std::vector<engine::TrialCurve> curves;
  for (storage::TrialCurve& curve : store.curves(experimentId, objective.split(), objective.name()))
    curves.push_back({curve.number, std::move(curve.values), storage::isFinished(curve.status)});
  return curves;
}

std::optional<double> objectiveOf(storage::ExperimentStore& store, int64_t experimentId, int number,
                                  const engine::ObjectiveSpec& objective) {
  for (const engine::TrialCurve& curve : curvesOf(store, experimentId, objective))
    if (curve.number == number) return engine::trialObjective(objective, curve.values);
  return std::nullopt;
}

// A taken-over trial whose run had already completed (its process died before recording the
// trial's end): nullopt. A run that died before its first checkpoint is deleted (it holds no
// epoch) and the trial starts afresh; any other continues from its last checkpoint.
std::optional<TrainingJob> takenOverJob(const std::string& storePath,
                                        const storage::ExperimentRow& experiment,
                                        const engine::ExperimentSpec& spec,
                                        const storage::TrialRow& trial) {
  const int64_t runId = *trial.runId;
  std::optional<storage::RunDetail> run;
  {
    const storage::RunQuery query(storePath, storage::existingStoreOptions());
    run = query.run(runId);
  }
  if (!run) return newTrialJob(storePath, experiment, spec, trial);
  if (run->summary.status == storage::RunStatus::Completed) return std::nullopt;
  const bool checkpointed = std::ranges::any_of(
      run->artifacts, [](const auto& artifact) { return artifact.kind == kLastCheckpointKind; });
  if (!checkpointed) {
    storage::RunStore(storePath, storage::existingStoreOptions()).deleteRun(runId);
    return newTrialJob(storePath, experiment, spec, trial);
  }
  return jobToResume(storePath, runId);
}

// Queued again: a stop that did not come from the experiment (Ctrl-C, SIGTERM) leaves the trial
// to be continued from its run's last epoch.
TrialStatus trialStatusOf(const JobOutcome& outcome, bool stoppedByRule, bool cancelled) {
  if (outcome.status == "failed") return TrialStatus::Failed;
  if (outcome.status == "cancelled")
    return cancelled ? TrialStatus::Cancelled : TrialStatus::Queued;
  return stoppedByRule ? TrialStatus::StoppedEarly : TrialStatus::Completed;
}

TrialOutcome train(storage::ExperimentStore& store, const TrainingJob& job,
                   const engine::ExperimentSpec& spec, int64_t experimentId, int number,
                   engine::TrainControl& control) {
  bool stoppedByRule = false;
  JobCallbacks callbacks;
  callbacks.training.stopAfterEpoch = [&](const engine::EpochSummary& summary) {
    if (spec.earlyStop.rule == "none") return false;
    const bool stop = engine::shouldStopTrial(spec, number, summary.epoch,
                                              curvesOf(store, experimentId, spec.objective));
    stoppedByRule = stoppedByRule || stop;
    return stop;
  };
  JobOutcome outcome;
  bool cancelled = false;
  {
    StatusWatcher watcher(store.path(), experimentId, control);
    outcome = runTrainingJob(job, callbacks, control);
    cancelled = watcher.cancelled();
  }
  TrialOutcome result;
  result.runId = outcome.runId;
  result.epochsDone = outcome.epochsDone;
  result.status = trialStatusOf(outcome, stoppedByRule, cancelled);
  result.error = outcome.error;
  result.objective = objectiveOf(store, experimentId, number, spec.objective);
  return result;
}

}  // namespace

engine::ExperimentSpec experimentSpecOf(const storage::ExperimentRow& experiment) {
  const std::string name = "experiment " + std::to_string(experiment.id);
  try {
    return engine::experimentSpecFromJson(engine::parseJsonDocument(experiment.specJson, name));
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(name + ": " + error.what());
  }
}

TrialOutcome runExperimentTrial(const std::string& storePath, int64_t experimentId, int number,
                                int threads, engine::TrainControl& control) {
  storage::ExperimentStore store(storePath, storage::existingStoreOptions());
  const std::optional<storage::ExperimentRow> experiment = store.experiment(experimentId);
  if (!experiment) throw JobInputError("there is no experiment " + std::to_string(experimentId));
  if (!store.trial(experimentId, number)) {
    throw JobInputError("there is no " + trialName(experimentId, number));
  }
  if (!store.claimTrial(experimentId, number)) {
    throw JobInputError(trialName(experimentId, number) +
                        " has ended or is held by another process");
  }
  const storage::TrialRow trial = *store.trial(experimentId, number);
  TrialOutcome result;
  result.runId = trial.runId;
  try {
    const engine::ExperimentSpec spec = experimentSpecOf(*experiment);
    std::optional<TrainingJob> job = trial.runId ? takenOverJob(storePath, *experiment, spec, trial)
                                                 : newTrialJob(storePath, *experiment, spec, trial);
    if (!job) {
      result.status = TrialStatus::Completed;
      result.objective = objectiveOf(store, experimentId, number, spec.objective);
    } else {
      if (threads > 0) job->config.threads = threads;
      result = train(store, *job, spec, experimentId, number, control);
    }
  } catch (...) {
    result.status = TrialStatus::Failed;
    result.error = describeCurrentError().message;
  }
  if (result.status == TrialStatus::Queued)
    store.releaseTrial(experimentId, number);
  else
    store.finishTrial(experimentId, number, result.status, result.objective, result.error);
  return result;
}

}  // namespace layerlab::app
