// `layerlab-cli export`: a stored run's trained model as an ONNX file, kept as an artifact of the
// run too.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/job_errors.h"
#include "app/core/trained_run.h"
#include "engine/model/model_summary.h"
#include "storage/store_error.h"

namespace layerlab::cli {
namespace {

struct ExportOptions {
  std::string dbPath;
  int64_t runId = 0;
  std::string onnxPath;
  std::string checkpoint;
  bool asJson = false;
};

const char* typeName(engine::OnnxType type) {
  return type == engine::OnnxType::Int64 ? "int64" : "float32";
}

nlohmann::json valuesJson(const std::vector<engine::OnnxValueInfo>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (const engine::OnnxValueInfo& value : values) {
    nlohmann::json dims = nlohmann::json::array();
    for (const engine::OnnxDim& dim : value.dims) {
      if (const int64_t* size = std::get_if<int64_t>(&dim))
        dims.push_back(*size);
      else
        dims.push_back(std::get<std::string>(dim).empty()
                           ? nlohmann::json()
                           : nlohmann::json(std::get<std::string>(dim)));
    }
    out.push_back({{"name", value.name}, {"type", typeName(value.type)}, {"shape", dims}});
  }
  return out;
}

void printSummary(const app::TrainedRun& run, const ExportOptions& options,
                  const app::OnnxRunExport& result) {
  const engine::OnnxExportSummary& s = result.summary;
  std::printf("Exported run %lld (%s, %s checkpoint, epoch %d) to %s\n",
              static_cast<long long>(run.runId()), displayText(run.runName()).c_str(),
              run.checkpoint().c_str(), run.checkpointEpoch(),
              displayText(options.onnxPath).c_str());
  for (const auto& value : s.inputs) {
    std::printf("  input   %-8s %-8s %s\n", value.name.c_str(), typeName(value.type),
                engine::formatOnnxDims(value.dims).c_str());
  }
  for (const auto& value : s.outputs) {
    std::printf("  output  %-8s %-8s %s\n", value.name.c_str(), typeName(value.type),
                engine::formatOnnxDims(value.dims).c_str());
  }
  std::printf("  ONNX IR %lld, opset %lld · %lld nodes · %lld initializers · %s bytes\n",
              static_cast<long long>(s.irVersion), static_cast<long long>(s.opset),
              static_cast<long long>(s.nodeCount), static_cast<long long>(s.initializerCount),
              engine::formatThousands(s.fileBytes).c_str());
  std::printf("  Stored with the run as %s (sha256 %s)\n",
              displayText(result.artifact.relativePath).c_str(),
              result.artifact.sha256.substr(0, 12).c_str());
}

nlohmann::json summaryJson(const app::TrainedRun& run, const ExportOptions& options,
                           const app::OnnxRunExport& result) {
  const engine::OnnxExportSummary& s = result.summary;
  return {
      {"run", run.runId()},
      {"checkpoint", run.checkpoint()},
      {"epoch", run.checkpointEpoch()},
      {"file", options.onnxPath},
      {"inputs", valuesJson(s.inputs)},
      {"outputs", valuesJson(s.outputs)},
      {"ir_version", s.irVersion},
      {"opset", s.opset},
      {"nodes", s.nodeCount},
      {"initializers", s.initializerCount},
      {"bytes", s.fileBytes},
      {"artifact", {{"path", result.artifact.relativePath}, {"sha256", result.artifact.sha256}}}};
}

// A file whose folder does not exist is the user's mistake, caught before the model loads.
std::string pathProblem(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target = fs::absolute(path);
  if (fs::is_directory(target)) return path + " is a folder; give a file name such as model.onnx";
  if (!fs::is_directory(target.parent_path())) {
    return "the folder of " + path + " does not exist";
  }
  return {};
}

int runExport(const ExportOptions& options) {
  if (const std::string problem = pathProblem(options.onnxPath); !problem.empty()) {
    printError(problem);
    return kExitBadInput;
  }
  return exitCodeOf([&] {
    app::TrainedRun run(options.dbPath, options.runId, options.checkpoint);
    const app::OnnxRunExport result = run.exportOnnx(options.onnxPath);
    if (options.asJson)
      std::printf("%s\n", oneLineJson(summaryJson(run, options, result)).c_str());
    else
      printSummary(run, options, result);
    return kExitOk;
  });
}

}  // namespace

void addExportCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command =
      app.add_subcommand("export", "Write a stored run's trained model as an ONNX file");
  command->add_option("run", options->runId, "The run to export")->required();
  command->add_option("--onnx", options->onnxPath, "The ONNX file to write")->required();
  command
      ->add_option("--checkpoint", options->checkpoint,
                   "best or last (default: best when the run has one, else last)")
      ->check(CLI::IsMember({"best", "last"}));
  command->add_flag("--json", options->asJson, "Print the summary as JSON");
  addStoreOption(*command, options->dbPath);
  command->callback([options, &exitCode] { exitCode = runExport(*options); });
}

}  // namespace layerlab::cli
