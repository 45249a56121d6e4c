#include "app/core/trained_run.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/version.h"
#include "engine/data/dataset.h"
#include "engine/model/graph_module.h"
#include "engine/model/json_document.h"
#include "engine/train/generator_shield.h"
#include "engine/train/trainer.h"
#include "storage/run_store.h"

namespace layerlab::app {
namespace {

constexpr const char* kOnnxArtifactKind = "onnx";

std::string checkpointKind(const storage::RunQuery& query, int64_t runId,
                           const std::string& checkpoint) {
  if (checkpoint == "best") return kBestCheckpointKind;
  if (checkpoint == "last") return kLastCheckpointKind;
  if (!checkpoint.empty()) {
    throw JobInputError("the checkpoint must be best or last, not '" + checkpoint + "'");
  }
  return query.artifact(runId, kBestCheckpointKind) ? kBestCheckpointKind : kLastCheckpointKind;
}

int epochOf(const storage::RunQuery& query, int64_t runId, const std::string& kind) {
  const std::optional<storage::ArtifactRecord> record = query.artifact(runId, kind);
  if (!record || record->metadataJson.empty()) return 0;
  const nlohmann::json metadata = engine::parseJsonBounded(record->metadataJson).value;
  if (!metadata.is_object() || !metadata.contains("epoch")) return 0;
  const nlohmann::json& epoch = metadata["epoch"];
  if (!epoch.is_number_integer() || epoch.get<int64_t>() < 0 || epoch.get<int64_t>() > 1000000) {
    throw JobInputError(
        "run " + std::to_string(runId) + ": the store's record of its checkpoint (" + kind +
        ") gives the epoch as " +
        epoch.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace).substr(0, 40) +
        ", not a count; the store was changed outside LayerLab");
  }
  return epoch.get<int>();
}

const engine::TensorDataset& partOf(const engine::LoadedData& data, const std::string& split) {
  if (split == "train") return data.train;
  if (split == "val") return data.val;
  if (split == "test") return data.test;
  throw JobInputError("the split must be train, val or test, not '" + split + "'");
}

// Values read as v · dataScale become x = (v · runScale − mean[c]) / std[c], as in training.
torch::Tensor prepare(torch::Tensor inputs, double dataScale, const engine::Preprocessing& p) {
  inputs = inputs.to(torch::kFloat32) * static_cast<float>(p.scale / dataScale);
  if (p.mean.empty()) return inputs;
  if (inputs.dim() < 2 || static_cast<int64_t>(p.mean.size()) != inputs.size(1) ||
      p.std.size() != p.mean.size()) {
    throw JobInputError("the run's preprocessing has " + std::to_string(p.mean.size()) +
                        " channels but the data has " +
                        std::to_string(inputs.dim() < 2 ? 0 : inputs.size(1)));
  }
  std::vector<int64_t> broadcast(static_cast<size_t>(inputs.dim()), 1);
  broadcast[1] = inputs.size(1);
  const auto options = torch::TensorOptions(torch::kFloat32);
  return (inputs - torch::tensor(p.mean, options).reshape(broadcast)) /
         torch::tensor(p.std, options).reshape(broadcast);
}

// A plain file name for the store's copy ("model.onnx").
std::string artifactFileName(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  if (name.empty() || name.front() == '.') name = "model.onnx";
  return name;
}

void copyFile(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

}  // namespace

struct TrainedRun::Model {
  engine::ModelAnalysis analysis;
  std::unique_ptr<engine::Trainer> trainer;
};

TrainedRun::TrainedRun(const std::string& storePath, int64_t runId, const std::string& checkpoint)
    : m_storePath(storePath), m_runId(runId), m_model(std::make_unique<Model>()) {
  const storage::RunQuery query(storePath, storage::existingStoreOptions());
  const std::optional<storage::RunDetail> run = query.run(runId);
  if (!run) throw JobInputError("there is no run " + std::to_string(runId) + " in " + storePath);
  m_runName = run->summary.name;
  m_docs = readRunDocuments(*run);
  const std::string kind = checkpointKind(query, runId, checkpoint);
  m_checkpoint = kind == kBestCheckpointKind ? "best" : "last";
  const std::string path =
      verifiedCheckpoint(query, runId, kind,
                         "run " + std::to_string(runId) + " has no " + m_checkpoint +
                             " checkpoint (a checkpoint is saved when an epoch completes)");
  m_checkpointEpoch = epochOf(query, runId, kind);
  m_model->analysis = engine::analyzeModel(m_docs.model);
  if (!m_model->analysis.ok()) {
    throw JobInputError("the model of run " + std::to_string(runId) +
                        " has problems: " + m_model->analysis.problems.front().describe());
  }
  try {
    // Building the model draws its initial weights from the process-wide generator, which a
    // training in this process (the GUI's) may be drawing dropout masks from.
    const engine::GeneratorShield shield;
    m_model->trainer = std::make_unique<engine::Trainer>(
        engine::GraphModule(m_docs.model, m_model->analysis), m_docs.config, torch::kCPU,
        static_cast<int64_t>(m_docs.classNames.size()));
    m_model->trainer->loadCheckpoint(path);
  } catch (const std::exception& error) {
    throw JobInputError("run " + std::to_string(runId) + ": " + error.what());
  }
  m_model->trainer->model()->eval();
}

TrainedRun::~TrainedRun() = default;

Predictions TrainedRun::predict(engine::DatasetSpec data, const std::string& split, int64_t limit) {
  data.normalize = "none";  // raw values; the run's own preprocessing follows
  engine::LoadedData loaded;
  try {
    loaded = engine::loadDataset(data);
  } catch (const engine::DataError& error) {
    throw JobInputError(error.what());
  }
  if (loaded.inputShape != m_docs.model.inputShape) {
    throw JobInputError("the model expects input " + engine::formatShape(m_docs.model.inputShape) +
                        " but the data has " + engine::formatShape(loaded.inputShape));
  }
  const engine::TensorDataset& part = partOf(loaded, split);
  if (part.size() == 0) throw JobInputError("the " + split + " part of the data is empty");
  const int64_t count = limit > 0 ? std::min(limit, part.size()) : part.size();
  const torch::Tensor inputs =
      prepare(part.inputs.narrow(0, 0, count), loaded.preprocessing.scale, m_docs.preprocessing);
  const torch::Tensor outputs =
      m_model->trainer->predict(inputs).to(torch::kFloat32).reshape({count, -1}).contiguous();
  const torch::Tensor targets = part.targets.narrow(0, 0, count).to(torch::kFloat64).reshape({-1});
  Predictions out;
  out.split = split;
  out.dataDescription = loaded.description;
  out.classification = !m_docs.classNames.empty();
  const int64_t width = outputs.size(1);
  for (int64_t i = 0; i < count; ++i) {
    const float* row = outputs.data_ptr<float>() + i * width;
    out.outputs.emplace_back(row, row + width);
    out.targets.push_back(targets[i].item<double>());
    if (!out.classification) {
      out.predictedValues.push_back(row[0]);
    } else {
      out.predictedClasses.push_back(width == 1 ? (row[0] > 0 ? 1 : 0)
                                                : std::max_element(row, row + width) - row);
    }
  }
  return out;
}

OnnxRunExport TrainedRun::exportOnnx(const std::string& path) {
  engine::OnnxExportOptions options{.runId = m_runId,
                                    .labels = m_docs.classNames,
                                    .preprocessing = m_docs.preprocessing,
                                    .producerVersion = kAppVersion};
  OnnxRunExport result;
  try {
    result.summary = engine::exportOnnx(m_docs.model, *m_model->trainer->model(), options, path);
  } catch (const engine::OnnxExportError& error) {
    throw JobInputError(error.what());
  }
  const nlohmann::json metadata = {{"checkpoint", m_checkpoint},
                                   {"epoch", m_checkpointEpoch},
                                   {"opset", result.summary.opset},
                                   {"exported_to", std::filesystem::absolute(path).string()}};
  storage::RunStore store(m_storePath);
  result.artifact = store.saveArtifact(
      m_runId, kOnnxArtifactKind, artifactFileName(path),
      [&path](const std::string& tempPath) { copyFile(path, tempPath); }, metadata.dump());
  return result;
}

}  // namespace layerlab::app
