// `layerlab-cli predict`: a stored run's model on data, with the run's own preprocessing.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/job_errors.h"
#include "app/core/trained_run.h"
#include "engine/data/dataset_spec.h"
#include "engine/data/idx_reader.h"
#include "storage/store_error.h"

namespace layerlab::cli {
namespace {

struct PredictOptions {
  std::string dbPath;
  int64_t runId = 0;
  std::string data;  // empty: the run's own data
  std::string split = "test";
  int64_t limit = 0;
  std::string checkpoint;
  bool asJson = false;
};

// The run's own data, or `arg` read the way the run read its data (same CSV and image options,
// split fractions and seed), so that a file like the training one is prepared alike.
engine::DatasetSpec dataFor(const app::TrainedRun& run, const std::string& arg) {
  engine::DatasetSpec spec = run.documents().dataset;
  if (arg.empty()) return spec;
  const engine::DatasetSpec other = engine::datasetSpecForArgument(arg);
  if (other.source != spec.source) {
    engine::DatasetSpec fresh = other;
    fresh.seed = spec.seed;
    return fresh;
  }
  spec.path = other.path;
  spec.labelsPath = other.labelsPath;
  spec.testPath = other.testPath;
  spec.testLabelsPath = other.testLabelsPath;
  spec.limit = 0;
  return spec;
}

nlohmann::json predictionsJson(const app::TrainedRun& run, const app::Predictions& p) {
  nlohmann::json doc = {
      {"run", run.runId()}, {"checkpoint", run.checkpoint()}, {"epoch", run.checkpointEpoch()},
      {"split", p.split},   {"data", p.dataDescription},      {"outputs", p.outputs}};
  if (p.classification) {
    doc["predicted"] = p.predictedClasses;
    doc["classes"] = run.documents().classNames;
  } else {
    doc["predicted"] = p.predictedValues;
  }
  doc["targets"] = p.targets;
  return doc;
}

std::string className(const app::TrainedRun& run, double index) {
  const auto& names = run.documents().classNames;
  const auto i = static_cast<size_t>(index);
  return i < names.size() ? displayText(names[i]) : std::to_string(i);
}

void printTable(const app::TrainedRun& run, const app::Predictions& p) {
  std::printf("Run %lld · %s checkpoint (epoch %d) · %s part of %s\n",
              static_cast<long long>(run.runId()), run.checkpoint().c_str(), run.checkpointEpoch(),
              p.split.c_str(), displayText(p.dataDescription).c_str());
  int64_t right = 0;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    if (p.classification) {
      const bool hit = static_cast<double>(p.predictedClasses[i]) == p.targets[i];
      right += hit ? 1 : 0;
      std::printf("%5zu  %-20s  (target %s)%s\n", i,
                  className(run, static_cast<double>(p.predictedClasses[i])).c_str(),
                  className(run, p.targets[i]).c_str(), hit ? "" : "  ✗");
    } else {
      std::printf("%5zu  %12.6g  (target %.6g)\n", i, p.predictedValues[i], p.targets[i]);
    }
  }
  if (p.classification && !p.outputs.empty()) {
    std::printf("%lld of %zu right\n", static_cast<long long>(right), p.outputs.size());
  }
}

int runPredict(const PredictOptions& options) {
  return exitCodeOf([&] {
    app::TrainedRun run(options.dbPath, options.runId, options.checkpoint);
    const app::Predictions predictions =
        run.predict(dataFor(run, options.data), options.split, options.limit);
    if (options.asJson)
      std::printf("%s\n", oneLineJson(predictionsJson(run, predictions)).c_str());
    else
      printTable(run, predictions);
    return kExitOk;
  });
}

}  // namespace

void addPredictCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<PredictOptions>();
  CLI::App* command = app.add_subcommand(
      "predict", "Run a stored run's trained model on data and print its outputs");
  command->add_option("--run", options->runId, "The run whose model predicts")->required();
  command->add_option("--data", options->data,
                      "fashion-mnist, a CSV file, a folder of images or IDX files, read as the "
                      "run read its data (default: the run's own data)");
  command->add_option("--split", options->split, "The part of the data: train, val or test")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  command->add_option("--limit", options->limit, "Only the first N samples (0 = all)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--checkpoint", options->checkpoint,
                   "best or last (default: best when the run has one, else last)")
      ->check(CLI::IsMember({"best", "last"}));
  command->add_flag("--json", options->asJson,
                    "Print {\"outputs\": [[…], …], \"predicted\": […], …} on one line");
  addStoreOption(*command, options->dbPath);
  command->callback([options, &exitCode] { exitCode = runPredict(*options); });
}

}  // namespace layerlab::cli
