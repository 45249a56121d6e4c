#include <cstdio>

#include "app/cli/commands.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"

namespace layerlab::cli {
namespace {

struct SummaryOptions {
  std::string modelPath;
};

int runSummary(const SummaryOptions& options) {
  const engine::ModelParseResult parsed = engine::loadModelSpec(options.modelPath);
  if (!parsed.spec) {
    for (const auto& problem : parsed.problems)
      printError(options.modelPath + ": " + problem.describe());
    return kExitBadInput;
  }
  const engine::ModelAnalysis analysis = engine::analyzeModel(*parsed.spec);
  std::fputs(engine::formatSummary(*parsed.spec, analysis).c_str(), stdout);
  for (const auto& problem : analysis.problems)
    printError(options.modelPath + ": " + problem.describe());
  return analysis.ok() ? kExitOk : kExitBadInput;
}

}  // namespace

void addSummaryCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<SummaryOptions>();
  CLI::App* command =
      app.add_subcommand("summary", "Print a model's layers, shapes and parameters");
  command->add_option("--model", options->modelPath, "A *.layerlab.json model")->required();
  command->callback([options, &exitCode] { exitCode = runSummary(*options); });
}

}  // namespace layerlab::cli
