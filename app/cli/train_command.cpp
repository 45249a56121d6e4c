#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/job_errors.h"
#include "app/cli/progress_line.h"
#include "app/cli/train_options.h"
#include "app/core/training_job.h"
#include "engine/data/idx_reader.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"
#include "storage/store_error.h"

namespace layerlab::cli {
namespace {

// The control of the one run in progress, for the SIGINT handler.
engine::TrainControl* g_control = nullptr;

extern "C" void onInterrupt(int) {
  if (g_control != nullptr) g_control->requestStop();
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

class InterruptGuard {
 public:
  explicit InterruptGuard(engine::TrainControl& control) {
    g_control = &control;
    m_previous = std::signal(SIGINT, onInterrupt);
  }
  ~InterruptGuard() {
    std::signal(SIGINT, m_previous);
    g_control = nullptr;
  }

 private:
  void (*m_previous)(int) = SIG_DFL;
};

std::optional<app::TrainingJob> resumeJob(const TrainFlags& options) {
  if (!options.modelPath.empty() || !options.configPath.empty()) {
    printError(
        "--resume continues a run with its own model, data and config; only --epochs, "
        "--device and --threads may change");
    return std::nullopt;
  }
  app::TrainingJob job = app::jobToResume(options.dbPath, *options.resumeRun);
  job.config = applyResumeFlags(job.config, options);
  if (const std::vector<std::string> problems = job.config.validate(); !problems.empty()) {
    printError(problems.front());
    return std::nullopt;
  }
  return job;
}

std::optional<app::TrainingJob> makeJob(const TrainFlags& options) {
  if (options.resumeRun) return resumeJob(options);
  if (options.modelPath.empty()) {
    printError("--model is required (a *.layerlab.json file), or --resume RUN to continue a run");
    return std::nullopt;
  }
  const engine::ModelParseResult parsed = engine::loadModelSpec(options.modelPath);
  if (!parsed.spec) {
    for (const auto& problem : parsed.problems)
      printError(options.modelPath + ": " + problem.describe());
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& problem : engine::analyzeModel(*parsed.spec).problems) {
    printError(options.modelPath + ": " + problem.describe());
    ok = false;
  }
  if (!ok) return std::nullopt;
  app::TrainingJob job;
  job.model = *parsed.spec;
  try {
    job.config = resolveTrainConfig(options, parsed.spec->suggestedTraining);
    job.dataset = resolveDatasetSpec(options, job.config);
    job.config = withSuggestedBatchSize(job.config, options, job.dataset);
  } catch (const std::invalid_argument& error) {
    printError(error.what());
    return std::nullopt;
  } catch (const engine::DataError& error) {
    printError(error.what());
    return std::nullopt;
  }
  job.runName = options.name;
  job.storePath = options.dbPath;
  return job;
}

void printStart(const app::JobStarted& started) {
  if (started.resumedFromEpoch > 0) {
    std::printf("Continuing run %lld from epoch %d\n", static_cast<long long>(started.runId),
                started.resumedFromEpoch);
  }
  std::printf("Run %lld · %s · %s · %s params\n", static_cast<long long>(started.runId),
              displayText(started.device).c_str(), displayText(started.dataDescription).c_str(),
              engine::formatThousands(started.parameterCount).c_str());
  std::fflush(stdout);
}

int report(const app::JobOutcome& outcome) {
  if (outcome.status == "failed") {
    printError("run " + std::to_string(outcome.runId) + " failed: " + outcome.error);
    return kExitFailed;
  }
  if (outcome.status == "cancelled") {
    std::printf("Stopped: run %lld is stored as cancelled after %d complete epoch(s).\n",
                static_cast<long long>(outcome.runId), outcome.epochsDone);
    return kExitInterrupted;
  }
  std::printf("Run %lld completed: %d epoch(s)", static_cast<long long>(outcome.runId),
              outcome.epochsDone);
  if (outcome.stoppedEarly) std::printf(", stopped early (best epoch %d)", outcome.bestEpoch);
  for (const auto& [name, value] : outcome.finalMetrics)
    std::printf(" - %s: %.4f", name.c_str(), value);
  std::printf("\n");
  return kExitOk;
}

int runTrain(const TrainFlags& options) {
  std::optional<app::TrainingJob> job;
  const int prepared = exitCodeOf([&] {
    job = makeJob(options);
    return job ? kExitOk : kExitBadInput;
  });
  if (prepared != kExitOk) return prepared;
  engine::TrainControl control;
  InterruptGuard guard(control);
  ProgressLine progress(stdout, isatty(fileno(stdout)) != 0);
  app::JobCallbacks callbacks;
  callbacks.onStarted = printStart;
  callbacks.training.onBatch = [&progress](const auto& p) { progress.onBatch(p); };
  callbacks.training.onEpoch = [&progress](const auto& s) { progress.onEpoch(s); };
  return exitCodeOf([&] { return report(app::runTrainingJob(*job, callbacks, control)); });
}

}  // namespace

void addTrainCommand(CLI::App& app, int& exitCode) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* command = app.add_subcommand("train", "Train a model and store the run");
  addTrainFlags(*command, *flags);
  command->callback([flags, &exitCode] { exitCode = runTrain(*flags); });
}

}  // namespace layerlab::cli
