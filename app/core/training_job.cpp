#include "app/core/training_job.h"

#include <torch/torch.h>
#include <cmath>

#include "app/version.h"
#include "engine/data/dataset.h"
#include "engine/data/idx_reader.h"
#include "engine/model/graph_module.h"
#include "engine/model/model_analysis.h"
#include "engine/train/metrics.h"
#include "engine/train/trainer.h"
#include "storage/run_store.h"

namespace layerlab::app {
namespace {

using storage::MetricValue;

void checkInputs(const TrainingJob& job, const engine::ModelAnalysis& analysis) {
  if (!analysis.ok()) {
    std::string text = "the model has " + std::to_string(analysis.problems.size()) + " problem(s)";
    for (const auto& problem : analysis.problems)
      text += "\n  " + problem.describe();
    throw JobInputError(text);
  }
  const std::vector<std::string> problems = job.config.validate();
  if (!problems.empty()) throw JobInputError(problems.front());
}

engine::LoadedData loadData(const TrainingJob& job) {
  engine::LoadedData data;
  try {
    data = engine::loadDataset(job.dataset);
  } catch (const engine::DataError& error) {
    throw JobInputError(error.what());
  }
  if (data.inputShape != job.model.inputShape) {
    throw JobInputError("the model expects input " + engine::formatShape(job.model.inputShape) +
                        " but the data has " + engine::formatShape(data.inputShape));
  }
  if (data.train.size() == 0) throw JobInputError("the training part of the data is empty");
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
          .seed = static_cast<int64_t>(job.config.seed)};
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

// Connects the trainer's reports to the store and to the caller.
engine::TrainCallbacks recordingCallbacks(storage::RunStore& store, int64_t runId,
                                          const engine::TrainCallbacks& outer) {
  engine::TrainCallbacks callbacks;
  callbacks.onBatch = [&store, runId, outer](const engine::BatchProgress& p) {
    store.bufferBatchSample(
        runId, {.step = p.step,
                .epoch = p.epoch,
                .wallTime = p.wallSeconds,
                .values = {{"train", "loss", p.loss}, {"train", "accuracy", p.accuracy}}});
    if (outer.onBatch) outer.onBatch(p);
  };
  callbacks.onEpoch = [&store, runId, outer](const engine::EpochSummary& s) {
    store.appendEpoch(runId, {.epoch = s.epoch,
                              .step = s.step,
                              .wallTime = s.wallSeconds,
                              .values = {{"train", "loss", s.trainLoss},
                                         {"train", "accuracy", s.trainAccuracy},
                                         {"val", "loss", s.valLoss},
                                         {"val", "accuracy", s.valAccuracy},
                                         {"train", "lr", s.learningRate}}});
    if (outer.onEpoch) outer.onEpoch(s);
  };
  callbacks.onLog = outer.onLog;
  return callbacks;
}

}  // namespace

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
  const engine::LoadedData data = loadData(job);
  const std::string deviceText = engine::describeDevice(device);

  storage::RunStore store(job.storePath);
  JobOutcome outcome;
  outcome.runId = store.createRun(describeRun(job, data, deviceText));
  if (callbacks.onStarted) {
    callbacks.onStarted(
        {outcome.runId, deviceText, data.description, data.train.size(), analysis.totalParams});
  }
  try {
    engine::Trainer trainer(engine::GraphModule(job.model, analysis), job.config, device,
                            static_cast<int64_t>(data.classNames.size()));
    const engine::FitResult fit =
        trainer.fit(data.train, data.val,
                    recordingCallbacks(store, outcome.runId, callbacks.training), &control);
    outcome.epochsDone = trainer.epochsDone();
    outcome.stoppedEarly = fit.stoppedEarly;
    outcome.bestEpoch = fit.bestEpoch;
    std::vector<MetricValue> finals;
    if (!fit.stopped && data.test.size() > 0) {
      finals = testMetrics(trainer.evaluate(data.test));
      for (const MetricValue& m : finals)
        outcome.finalMetrics.emplace_back("test_" + m.name, m.value);
    }
    outcome.status = fit.stopped ? "cancelled" : "completed";
    store.finishRun(outcome.runId,
                    fit.stopped ? storage::RunStatus::Cancelled : storage::RunStatus::Completed,
                    finals);
  } catch (const std::exception& error) {
    outcome.status = "failed";
    outcome.error = error.what();
    try {
      store.finishRun(outcome.runId, storage::RunStatus::Failed, {}, outcome.error);
    } catch (const std::exception& storeError) {
      // The run stays `running` until the next open marks it interrupted; say why.
      outcome.error +=
          std::string(" (and the store could not record it: ") + storeError.what() + ")";
    }
  }
  return outcome;
}

}  // namespace layerlab::app
