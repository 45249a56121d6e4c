#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "app/cli/commands.h"
#include "app/cli/progress_line.h"
#include "app/core/training_job.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"
#include "storage/store_error.h"

namespace layerlab::cli {
namespace {

struct TrainOptions {
  std::string modelPath;
  std::string data = engine::kFashionMnist;
  std::string dbPath;
  std::string name;
  engine::TrainConfig config;
  int64_t limit = 0;
  double valFraction = 0.1;
  std::string normalize = "zscore";
};

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

std::optional<app::TrainingJob> makeJob(const TrainOptions& options) {
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
  job.dataset = {.source = options.data,
                 .limit = options.limit,
                 .valFraction = options.valFraction,
                 .seed = options.config.seed};
  job.config = options.config;
  job.runName = options.name;
  job.storePath = options.dbPath;
  return job;
}

void printStart(const app::JobStarted& started) {
  std::printf("Run %lld · %s · %s · %s params\n", static_cast<long long>(started.runId),
              started.device.c_str(), started.dataDescription.c_str(),
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
  if (outcome.tested) {
    std::printf(" - test_loss: %.4f - test_accuracy: %.4f", outcome.testLoss, outcome.testAccuracy);
  }
  std::printf("\n");
  return kExitOk;
}

int runTrain(const TrainOptions& options) {
  const std::optional<app::TrainingJob> job = makeJob(options);
  if (!job) return kExitBadInput;
  engine::TrainControl control;
  InterruptGuard guard(control);
  ProgressLine progress(stdout, isatty(fileno(stdout)) != 0);
  app::JobCallbacks callbacks;
  callbacks.onStarted = printStart;
  callbacks.training.onBatch = [&progress](const auto& p) { progress.onBatch(p); };
  callbacks.training.onEpoch = [&progress](const auto& s) { progress.onEpoch(s); };
  try {
    return report(app::runTrainingJob(*job, callbacks, control));
  } catch (const app::JobInputError& error) {
    printError(error.what());
    return kExitBadInput;
  } catch (const storage::StoreError& error) {
    printError(error.what());
    return kExitFailed;
  }
}

}  // namespace

void addTrainCommand(CLI::App& app, int& exitCode) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* command = app.add_subcommand("train", "Train a model and store the run");
  command->add_option("--model", o->modelPath, "A *.layerlab.json model")->required();
  command->add_option("--data", o->data, "The data: fashion-mnist")->capture_default_str();
  command->add_option("--epochs", o->config.epochs, "Epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  command->add_option("--batch-size", o->config.batchSize, "Samples per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  command->add_option("--lr", o->config.learningRate, "Learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--optimizer", o->config.optimizer, "adam or sgd (with momentum 0.9)")
      ->capture_default_str()
      ->check(CLI::IsMember({"adam", "sgd"}));
  command->add_option("--seed", o->config.seed, "Seed for weights, shuffling and the split")
      ->capture_default_str();
  command->add_option("--device", o->config.device, "auto, cpu or cuda")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  command
      ->add_option("--threads", o->config.threads,
                   "CPU threads (0 = every core, or OMP_NUM_THREADS)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  command->add_option("--limit", o->limit, "Keep only the first N training samples")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--val-fraction", o->valFraction,
                   "Part of the training data kept for validation")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  command
      ->add_option("--normalize", o->normalize,
                   "Input normalisation from the training part: zscore, minmax or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"zscore", "minmax", "none"}));
  command->add_option("--name", o->name, "A name for the run (default: the model's)");
  addStoreOption(*command, o->dbPath);
  command->callback([o, &exitCode] { exitCode = runTrain(*o); });
}

}  // namespace layerlab::cli
