// `layerlab-cli experiment`: create an experiment from a model, data and a search space; run its
// queue; follow it; find its best trial. The queue and the trials are app/core's
// (experiment_queue.h, experiment_trial.h); this file is flags and printing.
#include <unistd.h>

#include <atomic>
#include <climits>
#include <csignal>
#include <cstdio>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/experiment_cli.h"
#include "app/cli/job_errors.h"
#include "app/cli/train_options.h"
#include "app/core/experiment_queue.h"
#include "app/core/experiment_trial.h"
#include "app/core/training_job.h"
#include "engine/model/json_document.h"
#include "engine/model/model_analysis.h"
#include "storage/experiment_store.h"

namespace layerlab::cli {
namespace {

using nlohmann::json;

// SIGINT/SIGTERM for the queue (stop starting trials, stop the running ones in order) and for a
// trial (stop the run; the trial goes back to the queue).
std::atomic<bool> g_stopQueue{false};
engine::TrainControl* g_trialControl = nullptr;

extern "C" void onStopSignal(int) {
  g_stopQueue.store(true);
  if (g_trialControl != nullptr) g_trialControl->requestStop();
}

void installStopHandlers() {
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
}

std::string selfExecutable() {
  std::string path(PATH_MAX, '\0');
  const ssize_t length = readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0) throw std::runtime_error("cannot find the layerlab-cli executable");
  path.resize(static_cast<size_t>(length));
  return path;
}

// The base documents from the train flags, as `train` would run them.
engine::ExperimentSpec baseFromFlags(const ExperimentFlags& flags) {
  const TrainFlags& train = flags.train;
  if (train.modelPath.empty()) {
    throw app::JobInputError("--model is required (a *.layerlab.json file), or --spec FILE");
  }
  const engine::ModelParseResult parsed = engine::loadModelSpec(train.modelPath);
  if (!parsed.spec)
    throw app::JobInputError(train.modelPath + ": " + parsed.problems.front().describe());
  for (const auto& problem : engine::analyzeModel(*parsed.spec).problems)
    throw app::JobInputError(train.modelPath + ": " + problem.describe());
  engine::ExperimentSpec spec;
  engine::TrainConfig config = resolveTrainConfig(train, parsed.spec->suggestedTraining);
  const engine::DatasetSpec dataset = resolveDatasetSpec(train, config);
  config = withSuggestedBatchSize(config, train, dataset);
  spec.base = {engine::toJson(*parsed.spec), engine::toJson(config)};
  spec.data = engine::toJson(dataset);
  spec.seed = config.seed;
  return spec;
}

}  // namespace

namespace {

engine::ExperimentSpec specFromFlags(const ExperimentFlags& flags) {
  engine::ExperimentSpec spec;
  if (!flags.specPath.empty()) {
    const json doc =
        engine::parseJsonDocument(engine::readDocumentFile(flags.specPath), flags.specPath);
    try {
      spec = engine::experimentSpecFromJson(doc);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(flags.specPath + ": " + error.what());
    }
  } else {
    spec = baseFromFlags(flags);
  }
  for (const std::string& text : flags.params) {
    engine::ParamDomain domain = engine::parseParamFlag(text);
    std::erase_if(spec.space.params, [&](const auto& p) { return p.key == domain.key; });
    spec.space.params.push_back(std::move(domain));
  }
  if (flags.strategy) spec.strategy = *flags.strategy;
  if (flags.trials) spec.trials = *flags.trials;
  if (flags.parallel) spec.parallel = *flags.parallel;
  if (flags.earlyStop) spec.earlyStop.rule = *flags.earlyStop;
  json objective = {{"metric", flags.objective.value_or(spec.objective.metric)}};
  if (flags.minimize) objective["direction"] = "min";
  if (flags.maximize) objective["direction"] = "max";
  if (!flags.objective && !flags.minimize && !flags.maximize)
    objective["direction"] =
        spec.objective.direction == engine::Direction::Maximize ? "max" : "min";
  json doc = engine::toJson(spec);
  doc["objective"] = objective;
  // A grid from flags runs every point unless --trials says fewer.
  if (flags.specPath.empty() && spec.strategy == "grid" && !flags.trials)
    doc["trials"] = engine::kMaxTrials;
  return engine::experimentSpecFromJson(doc);  // every check, keys against the base included
}

}  // namespace

int createExperiment(const ExperimentFlags& flags) {
  const engine::ExperimentSpec spec = specFromFlags(flags);
  storage::ExperimentStore store(flags.train.dbPath);
  const std::string name = flags.train.name.empty()
                               ? engine::parseModelSpec(spec.base.model.dump()).spec->name
                               : flags.train.name;
  const int64_t id = store.createExperiment(name, engine::toJson(spec).dump());
  const int budget = engine::trialBudget(spec);
  if (flags.asJson) {
    std::printf("%s\n", oneLineJson({{"id", id},
                                     {"name", name},
                                     {"trials", budget},
                                     {"strategy", spec.strategy},
                                     {"parallel", spec.parallel},
                                     {"objective", spec.objective.metric},
                                     {"space", engine::toJson(spec.space)}})
                            .c_str());
    return kExitOk;
  }
  std::printf(
      "Experiment %lld · %s · %d trial(s), %s search, %d side by side · objective %s (%s)\n",
      static_cast<long long>(id), displayText(name).c_str(), budget, spec.strategy.c_str(),
      spec.parallel, spec.objective.metric.c_str(),
      spec.objective.direction == engine::Direction::Maximize ? "higher is better"
                                                              : "lower is better");
  for (const engine::ParamDomain& domain : spec.space.params)
    std::printf("  %s: %s\n", displayText(domain.key).c_str(), engine::describe(domain).c_str());
  std::printf("Run it with: layerlab-cli experiment run %lld\n", static_cast<long long>(id));
  return kExitOk;
}

int runQueue(const ExperimentFlags& flags) {
  g_stopQueue = false;
  installStopHandlers();
  app::QueueOptions options;
  options.storePath = flags.train.dbPath;
  options.experimentId = flags.id;
  options.parallel = flags.parallel.value_or(0);
  options.executable = selfExecutable();
  options.stop = &g_stopQueue;
  options.onEvent = [](const std::string& line) {
    std::printf("%s\n", displayText(line).c_str());
    std::fflush(stdout);
  };
  const app::QueueSummary summary = app::runExperimentQueue(options);
  std::printf(
      "Experiment %lld: %d completed, %d stopped early, %d failed, %d cancelled, %d waiting\n",
      static_cast<long long>(flags.id), summary.completed, summary.stoppedEarly, summary.failed,
      summary.cancelled, summary.queued);
  if (g_stopQueue.load()) {
    std::printf("Stopped. Run `layerlab-cli experiment run %lld` to carry on.\n",
                static_cast<long long>(flags.id));
    return kExitInterrupted;
  }
  return kExitOk;
}

int runTrial(const ExperimentFlags& flags) {
  engine::TrainControl control;
  g_trialControl = &control;
  installStopHandlers();
  const app::TrialOutcome outcome =
      app::runExperimentTrial(flags.train.dbPath, flags.id, flags.number, flags.threads, control);
  g_trialControl = nullptr;
  std::printf("trial %d %s · objective %s\n", flags.number,
              std::string(storage::toString(outcome.status)).c_str(),
              formatObjective(outcome.objective).c_str());
  if (outcome.status == storage::TrialStatus::Failed) {
    printError("trial " + std::to_string(flags.number) + " failed: " + outcome.error);
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace layerlab::cli
