#include "app/core/training_job.h"

#include <torch/torch.h>
#include <cmath>
#include <memory>
#include <optional>

#include "app/core/error_policy.h"
#include "app/core/stored_run.h"
#include "app/version.h"
#include "engine/data/data_header.h"
#include "engine/data/dataset.h"
#include "engine/data/idx_reader.h"
#include "engine/model/graph_module.h"
#include "engine/model/memory_budget.h"
#include "engine/model/model_analysis.h"
#include "engine/train/metrics.h"
#include "engine/train/output_fit.h"
#include "engine/train/trainer.h"
#include "storage/run_query.h"
#include "storage/run_store.h"

namespace layerlab::app {
namespace {

using storage::MetricValue;

// Training that would not fit in memory is refused before the data is read or a tensor made:
// otherwise it dies in an allocation deep inside torch, long after it started.
void checkTrainingMemory(const TrainingJob& job, const engine::ModelAnalysis& analysis) {
  std::string problem;
  try {
    const engine::MemoryEstimate estimate = engine::estimateTrainingMemory(
        analysis, job.config.batchSize, job.config.optimizer, job.config.momentum);
    problem = engine::trainingMemoryProblem(analysis, estimate, engine::hostMemoryBudget());
  } catch (const std::invalid_argument& error) {
    problem = error.what();
  }
  if (!problem.empty()) throw JobInputError(problem);
}

void checkInputs(const TrainingJob& job, const engine::ModelAnalysis& analysis) {
  if (!analysis.ok()) {
    // The list is capped (kMaxReportedProblems, then one "… and N more problems" line), so it
    // speaks for itself instead of being counted here.
    std::string text = "the model has problems:";
    for (const auto& problem : analysis.problems)
      text += "\n  " + problem.describe();
    throw JobInputError(text);
  }
  const std::vector<std::string> problems = job.config.validate();
  if (!problems.empty()) throw JobInputError(problems.front());
  checkTrainingMemory(job, analysis);
}

constexpr const char* kLastCheckpoint = kLastCheckpointKind;
constexpr const char* kBestCheckpoint = kBestCheckpointKind;
// A long epoch still shows the run alive to other processes this often.
constexpr double kHeartbeatSeconds = 30.0;

// What the model's output must be for the data (the Model place checks the same rule), or an
// empty string when it fits.
std::string outputMismatch(const engine::ModelAnalysis& analysis, const engine::LoadedData& data,
                           const engine::TrainConfig& config) {
  const std::optional<engine::ModelProblem> problem =
      engine::outputMismatch(analysis, {.classification = data.classification(),
                                        .classes = data.classNames.size(),
                                        .loss = config.loss});
  if (!problem) return {};
  return problem->nodeId.empty() ? problem->message
                                 : "output node '" + problem->nodeId + "' " + problem->message;
}

void checkInputShape(const TrainingJob& job, const engine::Shape& data) {
  if (data != job.model.inputShape) {
    throw JobInputError("the model expects input " + engine::formatShape(job.model.inputShape) +
                        " but the data has " + engine::formatShape(data));
  }
}

engine::LoadedData loadData(const TrainingJob& job, const engine::ModelAnalysis& analysis) {
  engine::LoadedData data;
  try {
    // The headers first: a shape that does not fit, or data beyond the budget, is refused
    // before gigabytes are inflated or decoded.
    const engine::DataHeader header = engine::readDataHeader(job.dataset);
    if (header.inputShape) checkInputShape(job, *header.inputShape);
    data = engine::loadDataset(job.dataset);
  } catch (const engine::DataError& error) {
    throw JobInputError(error.what());
  }
  checkInputShape(job, data.inputShape);
  if (data.train.size() == 0) throw JobInputError("the training part of the data is empty");
  if (const std::string problem = outputMismatch(analysis, data, job.config); !problem.empty())
    throw JobInputError(problem);
  return data;
}

storage::NewRun describeRun(const TrainingJob& job, const engine::LoadedData& data,
                            const std::string& device) {
  nlohmann::json dataset = engine::toJson(job.dataset);
  dataset["description"] = data.description;
  dataset["classes"] = data.classNames;
  dataset["preprocessing"] = engine::toJson(data.preprocessing);
  return {.name = job.runName.empty() ? job.model.name : job.runName,
          .modelJson = engine::toJson(job.model).dump(),
          .configJson = engine::toJson(job.config).dump(),
          .datasetJson = dataset.dump(),
          .datasetFingerprint = data.fingerprint,
          .device = device,
          .appVersion = kAppVersion,
          .seed = static_cast<int64_t>(job.config.seed),
          .trial = job.trial};
}

std::vector<MetricValue> testMetrics(const engine::EvalResult& eval) {
  std::vector<MetricValue> out = {{"test", "loss", eval.loss}};
  if (eval.classes > 0) {
    const engine::ClassificationReport report =
        engine::classificationReport(eval.confusion, eval.classes);
    out.insert(out.end(), {{"test", "accuracy", eval.accuracy},
                           {"test", "precision_macro", report.macroPrecision},
                           {"test", "recall_macro", report.macroRecall},
                           {"test", "f1_macro", report.macroF1}});
  } else {
    out.insert(out.end(), {{"test", "mse", eval.regression.mse},
                           {"test", "mae", eval.regression.mae},
                           {"test", "r2", eval.regression.r2}});
  }
  return out;
}

// Saves the trainer's full state as the run's `kind` checkpoint, tagged with its epoch and step.
void saveCheckpoint(storage::RunStore& store, int64_t runId, const char* kind,
                    const engine::Trainer& trainer) {
  const nlohmann::json metadata = {{"epoch", trainer.epochsDone()}, {"step", trainer.stepsDone()}};
  store.saveArtifact(
      runId, kind, std::string(kind == kBestCheckpoint ? "best" : "last") + ".pt",
      [&trainer](const std::string& tempPath) { trainer.saveCheckpoint(tempPath); },
      metadata.dump());
}

// Connects the trainer's reports to the store and to the caller. Each completed epoch is
// committed with its batch samples, then checkpointed, so a run killed at any moment resumes from
// its last stored epoch.
engine::TrainCallbacks recordingCallbacks(storage::RunStore& store, int64_t runId,
                                          const engine::Trainer& trainer,
                                          const engine::TrainCallbacks& outer) {
  engine::TrainCallbacks callbacks;
  auto lastBeat = std::make_shared<double>(0.0);
  callbacks.onBatch = [&store, runId, outer, lastBeat](const engine::BatchProgress& p) {
    store.bufferBatchSample(
        runId, {.step = p.step,
                .epoch = p.epoch,
                .wallTime = p.wallSeconds,
                .values = {{"train", "loss", p.loss}, {"train", "accuracy", p.accuracy}}});
    if (p.wallSeconds - *lastBeat > kHeartbeatSeconds) {
      store.heartbeat(runId);
      *lastBeat = p.wallSeconds;
    }
    if (outer.onBatch) outer.onBatch(p);
  };
  callbacks.onEpoch = [&store, runId, &trainer, outer, lastBeat](const engine::EpochSummary& s) {
    store.appendEpoch(runId, {.epoch = s.epoch,
                              .step = s.step,
                              .wallTime = s.wallSeconds,
                              .values = {{"train", "loss", s.trainLoss},
                                         {"train", "accuracy", s.trainAccuracy},
                                         {"val", "loss", s.valLoss},
                                         {"val", "accuracy", s.valAccuracy},
                                         {"train", "lr", s.learningRate}}});
    *lastBeat = s.wallSeconds;
    saveCheckpoint(store, runId, kLastCheckpoint, trainer);
    if (s.improved) saveCheckpoint(store, runId, kBestCheckpoint, trainer);
    if (outer.onEpoch) outer.onEpoch(s);
  };
  callbacks.onLog = outer.onLog;
  callbacks.stopAfterEpoch = outer.stopAfterEpoch;
  // The store says "paused" while the thread waits, so the Runs place neither shows the run as
  // running nor counts the pause into its duration.
  callbacks.onPause = [&store, runId, outer](bool paused) {
    store.setPaused(runId, paused);
    if (outer.onPause) outer.onPause(paused);
  };
  return callbacks;
}

// The checkpoint a resumed job continues from, checked against its record.
std::string checkpointToResume(const TrainingJob& job, const engine::LoadedData& data) {
  const storage::RunQuery query(job.storePath, storage::existingStoreOptions());
  const std::optional<storage::RunDetail> run = query.run(job.resumeRunId);
  if (!run) throw JobInputError("there is no run " + std::to_string(job.resumeRunId));
  if (run->datasetFingerprint != data.fingerprint) {
    throw JobInputError("the data of run " + std::to_string(job.resumeRunId) +
                        " has changed since it started (" + data.description +
                        "); continuing would train on something else — start a new run");
  }
  return verifiedCheckpoint(query, job.resumeRunId, kLastCheckpoint,
                            "run " + std::to_string(job.resumeRunId) +
                                " has no checkpoint to continue from (it ended before its first " +
                                "epoch did); start it again with train --model");
}

// Ends the run with the test part's results: final metrics and, for classes, the confusion
// matrix.
void finishCompleted(storage::RunStore& store, engine::Trainer& trainer,
                     const engine::LoadedData& data, JobOutcome& outcome) {
  std::vector<MetricValue> finals;
  if (data.test.size() > 0) {
    const engine::EvalResult eval = trainer.evaluate(data.test);
    finals = testMetrics(eval);
    for (const MetricValue& m : finals)
      outcome.finalMetrics.emplace_back("test_" + m.name, m.value);
    if (eval.classes > 0) {
      store.saveConfusionMatrix(outcome.runId, "test", data.classNames, eval.confusion);
      outcome.testClasses = data.classNames;
      outcome.testConfusion = eval.confusion;
    }
  }
  store.finishRun(outcome.runId, storage::RunStatus::Completed, finals);
}

}  // namespace

std::string defaultDeviceDescription() {
  const torch::Device device = engine::resolveDevice("auto");
  if (device.is_cuda()) return engine::describeDevice(device);
  const int threads = engine::defaultThreadCount();
  return "CPU (" + std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
}

TrainingJob jobToResume(const std::string& storePath, int64_t runId) {
  const storage::RunQuery query(storePath, storage::existingStoreOptions());
  const std::optional<storage::RunDetail> run = query.run(runId);
  if (!run) throw JobInputError("there is no run " + std::to_string(runId) + " in " + storePath);
  const std::string name = "run " + std::to_string(runId);
  if (run->summary.status == storage::RunStatus::Completed) {
    throw JobInputError(name + " has completed; train a new run (train --model …) to go further");
  }
  StoredRunDocuments docs = readRunDocuments(*run);
  TrainingJob job;
  job.model = std::move(docs.model);
  job.config = std::move(docs.config);
  job.dataset = std::move(docs.dataset);
  job.runName = run->summary.name;
  job.storePath = storePath;
  job.resumeRunId = runId;
  return job;
}

JobOutcome runTrainingJob(const TrainingJob& job, const JobCallbacks& callbacks,
                          const engine::TrainControl& control) {
  const engine::ModelAnalysis analysis = engine::analyzeModel(job.model);
  checkInputs(job, analysis);
  torch::Device device = torch::kCPU;
  try {
    device = engine::resolveDevice(job.config.device);
  } catch (const std::invalid_argument& error) {
    throw JobInputError(error.what());
  }
  engine::prepareDeterministicRun(job.config.seed, job.config.threads);
  const engine::LoadedData data = loadData(job, analysis);
  const std::string deviceText = engine::describeDevice(device);
  const int64_t classes = data.classification() ? static_cast<int64_t>(data.classNames.size()) : 0;
  std::optional<engine::Trainer> trainer;
  try {
    trainer.emplace(engine::GraphModule(job.model, analysis), job.config, device, classes);
    trainer->setMacsPerSample(analysis.totalMacs);
    if (data.augment.enabled() && data.inputShape.size() == 3)
      trainer->setAugmentation(data.augment);
    if (job.resumeRunId > 0) trainer->loadCheckpoint(checkpointToResume(job, data));
  } catch (const JobInputError&) {
    throw;
  } catch (...) {
    throw JobInputError(describeCurrentError().message);
  }

  // The training writer waits longest for the lock: a lost epoch fails the run.
  storage::RunStore store(job.storePath, storage::trainingWriterOptions());
  JobOutcome outcome;
  if (job.resumeRunId > 0) {
    outcome.runId = job.resumeRunId;
    store.beginResume(outcome.runId, trainer->stepsDone(), trainer->epochsDone());
  } else {
    outcome.runId = store.createRun(describeRun(job, data, deviceText));
  }
  if (callbacks.onStarted) {
    callbacks.onStarted({outcome.runId, trainer->epochsDone(), deviceText, data.description,
                         data.train.size(), analysis.totalParams});
  }
  try {
    const engine::FitResult fit = trainer->fit(
        data.train, data.val,
        recordingCallbacks(store, outcome.runId, *trainer, callbacks.training), &control);
    outcome.epochsDone = trainer->epochsDone();
    outcome.stoppedEarly = fit.stoppedEarly;
    outcome.bestEpoch = fit.bestEpoch;
    if (fit.stopped) {
      outcome.status = "cancelled";
      store.finishRun(outcome.runId, storage::RunStatus::Cancelled, {});
    } else {
      outcome.status = "completed";
      finishCompleted(store, *trainer, data, outcome);
    }
  } catch (...) {
    // Whatever stopped the run (bad_alloc and LibTorch's errors included) is stored as the short
    // text of app/core/error_policy.h, never as a backtrace.
    outcome.status = "failed";
    outcome.finalMetrics.clear();
    outcome.error = describeCurrentError().message;
    try {
      store.finishRun(outcome.runId, storage::RunStatus::Failed, {}, outcome.error);
    } catch (...) {
      // The run stays `running` until the next open marks it interrupted; say why.
      outcome.error +=
          " (and the store could not record it: " + describeCurrentError().message + ")";
    }
  }
  return outcome;
}

}  // namespace layerlab::app
