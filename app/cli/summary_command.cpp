#include <cstdio>

#include "app/cli/commands.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"

namespace layerlab::cli {
namespace {

struct SummaryOptions {
  std::string modelPath;
  int64_t batchSize = 64;
  std::string optimizer = "adam";
};

int runSummary(const SummaryOptions& options) {
  const engine::ModelParseResult parsed = engine::loadModelSpec(options.modelPath);
  if (!parsed.spec) {
    for (const auto& problem : parsed.problems)
      printError(options.modelPath + ": " + problem.describe());
    return kExitBadInput;
  }
  const engine::ModelAnalysis analysis = engine::analyzeModel(*parsed.spec);
  std::fputs(displayLines(engine::formatSummary(*parsed.spec, analysis)).c_str(), stdout);
  for (const auto& problem : analysis.problems)
    printError(options.modelPath + ": " + problem.describe());
  if (!analysis.ok()) return kExitBadInput;
  // The optimiser names are checked by the option: the estimate cannot throw here.
  const engine::MemoryEstimate estimate =
      engine::estimateTrainingMemory(analysis, options.batchSize, options.optimizer);
  std::fputs(engine::formatMemoryEstimate(estimate).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void addSummaryCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<SummaryOptions>();
  CLI::App* command = app.add_subcommand(
      "summary", "Print a model's layers, shapes, parameters, multiply-adds and training memory");
  command->add_option("--model", options->modelPath, "A *.layerlab.json model")->required();
  command->add_option("--batch-size", options->batchSize, "The batch size of the memory estimate")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  command
      ->add_option("--optimizer", options->optimizer,
                   "The optimizer of the memory estimate: adam, adamw, rmsprop or sgd (the last "
                   "two with momentum 0.9)")
      ->capture_default_str()
      ->check(CLI::IsMember({"adam", "adamw", "rmsprop", "sgd"}));
  command->callback([options, &exitCode] { exitCode = runSummary(*options); });
}

}  // namespace layerlab::cli
