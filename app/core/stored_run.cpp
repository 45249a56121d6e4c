#include "app/core/stored_run.h"

#include <nlohmann/json.hpp>

namespace layerlab::app {
namespace {

// Keys written beside the DatasetSpec in a run's dataset document (see describeRun).
constexpr const char* kDatasetExtras[] = {"description", "classes", "preprocessing"};

engine::Preprocessing preprocessingFromJson(const nlohmann::json& doc) {
  engine::Preprocessing out;
  out.scale = doc.value("scale", 1.0);
  out.mean = doc.value("mean", std::vector<double>{});
  out.std = doc.value("std", std::vector<double>{});
  return out;
}

}  // namespace

StoredRunDocuments readRunDocuments(const storage::RunDetail& run) {
  StoredRunDocuments docs;
  try {
    const engine::ModelParseResult model = engine::parseModelSpec(run.modelJson);
    if (!model.spec) throw std::invalid_argument(model.problems.front().describe());
    docs.model = *model.spec;
    docs.config = engine::trainConfigFromJson(nlohmann::json::parse(run.configJson));
    nlohmann::json dataset = nlohmann::json::parse(run.datasetJson);
    docs.classNames = dataset.value("classes", std::vector<std::string>{});
    if (dataset.contains("preprocessing"))
      docs.preprocessing = preprocessingFromJson(dataset.at("preprocessing"));
    for (const char* key : kDatasetExtras)
      dataset.erase(key);
    docs.dataset = engine::datasetSpecFromJson(dataset);
  } catch (const std::exception& error) {
    throw JobInputError("the documents stored with run " + std::to_string(run.summary.id) +
                        " cannot be read: " + error.what());
  }
  return docs;
}

std::string verifiedCheckpoint(const storage::RunQuery& query, int64_t runId,
                               const std::string& kind, const std::string& missing) {
  const std::optional<storage::ArtifactRecord> checkpoint = query.artifact(runId, kind);
  if (!checkpoint) throw JobInputError(missing);
  try {
    return storage::verifiedArtifactPath(*checkpoint);
  } catch (const storage::StoreError& error) {
    throw JobInputError(std::string("the checkpoint cannot be used: ") + error.what());
  }
}

}  // namespace layerlab::app
